// The lint's SARIF log against Microsoft's SARIF multitool (@microsoft/sarif-multitool): the official 2.1.0
// schema it ships, and its SARIF and GitHub rules. A broken copy must fail, so a validator that silently
// checks nothing cannot pass the test.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { LINT_RULES, lintPolicy } from '../../src/policy/lint.js'
import { toSarif } from '../../src/policy/sarif.js'

const run = promisify(execFile)
const MULTITOOL = path.resolve('node_modules/.bin/sarif-multitool')
const SCHEMA = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@microsoft/sarif-multitool-linux/package.json')),
  'sarif-2.1.0.json'
)

// Policies that between them trigger every rule, beside the examples.
const EXTRA: Record<string, string> = {
  'rpd005-013.json': JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowRunpodPull',
          Effect: 'Allow',
          Principal: '*',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Condition: { StringEquals: { 'aws:PrincipalArn': ['arn:aws:iam::550005742258:role/prod-*'] } }
        },
        {
          Sid: 'Org',
          Effect: 'Deny',
          Principal: '*',
          Action: 'ecr:*',
          Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-1' } }
        },
        {
          Sid: 'Ip',
          Effect: 'Deny',
          Principal: '*',
          Action: 'ecr:*',
          Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }
        },
        { Sid: 'Ip', Effect: 'Allow', NotPrincipal: { AWS: '111111111111' }, Action: 'ecr:ListImages' }
      ]
    },
    null,
    2
  ),
  'rpd007.json': '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}',
  'rpd009.json': '{"Statement": []}',
  'rpd011.json': JSON.stringify({ Version: '2012-10-17', Statement: [], Id: 'x'.repeat(10_300) })
}

interface ValidationResult {
  readonly ruleId: string
  readonly level?: string
  readonly message: { readonly text?: string; readonly arguments?: readonly string[] }
}

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rpd-sarif-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function validate(log: object, name: string): Promise<ValidationResult[]> {
  const input = path.join(dir, `${name}.sarif`)
  const output = path.join(dir, `${name}.validation.sarif`)
  await writeFile(input, JSON.stringify(log, null, 2))
  await run(MULTITOOL, ['validate', input, '--json-schema', SCHEMA, '--output', output, '--log', 'ForceOverwrite'], {
    timeout: 60_000
  })
  const validation = JSON.parse(await readFile(output, 'utf8')) as { runs: { results?: ValidationResult[] }[] }
  return validation.runs.flatMap((entry) => entry.results ?? [])
}

describe('SARIF output, validated by Microsoft SARIF multitool', () => {
  it('has no schema error and no SARIF rule result for findings of every rule', async () => {
    const sources = new Map<string, string>()
    for (const name of (await readdir('examples/policies')).filter((file) => file.endsWith('.json'))) {
      sources.set(`examples/policies/${name}`, await readFile(path.join('examples/policies', name), 'utf8'))
    }
    for (const [name, text] of Object.entries(EXTRA)) sources.set(`extra/${name}`, text)
    const findings = [...sources].flatMap(([file, text]) => lintPolicy(text, file))
    expect(new Set(findings.map((finding) => finding.rule))).toEqual(new Set(LINT_RULES.map((rule) => rule.id)))

    const log = toSarif(findings, '0.1.0', sources)
    expect(await validate(log, 'lint')).toEqual([])
  }, 120_000)

  it('would see a broken log: a missing message and an unknown property are reported', async () => {
    const broken = toSarif(
      [{ rule: 'RPD002', severity: 'error', file: 'p.json', line: 1, column: 1, message: 'public' }],
      '0.1.0',
      new Map([['p.json', '{}']])
    ) as { runs: { results: Record<string, unknown>[] }[] }
    const result = broken.runs[0]?.results[0]
    delete result?.['message']
    if (result) result['severity'] = 'error'
    const ruleIds = (await validate(broken, 'broken')).map((entry) => entry.ruleId)
    expect(ruleIds).toEqual(expect.arrayContaining(['JSON1002', 'JSON1005']))
  }, 120_000)
})
