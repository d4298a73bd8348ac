import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runAction } from '../../test-support/run-action.js'
import { runnerCommands } from '../../test-support/runner-commands.js'

// Runs the bundled dist/index.js (npm test bundles first) as GitHub would, on files in a temp workspace.
describe('mode: lint (bundled action)', () => {
  let workspace: string

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'rpd-lint-'))
    await mkdir(path.join(workspace, 'policies'))
    for (const name of [
      'runpod-current.json',
      'merged-with-push.json',
      'public.json',
      'runpod-superseded-account.json'
    ]) {
      await copyFile(path.join('examples/policies', name), path.join(workspace, 'policies', name))
    }
  })

  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true })
  })

  const lint = (inputs: Record<string, string>) =>
    runAction({ inputs: { mode: 'lint', ...inputs }, cwd: workspace, timeoutMs: 30_000 })

  it('fails on an error finding with an annotation, the findings output and a summary table', async () => {
    const run = await lint({ 'policy-file': 'policies/public.json\npolicies/runpod-current.json' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      '::error title=RPD002,file=policies/public.json,line=7,col=7::Statement "AllowPull" allows Principal "*"'
    )
    expect(run.stdout).toContain('::notice title=RPD010,file=policies/runpod-current.json,line=9,col=9::')
    expect(run.stdout).toMatch(/::error::Policy lint: 1 error, 0 warnings, 1 note in 2 files\. Failing .*'fail-on'/)
    const findings = JSON.parse(run.outputs['findings'] ?? '') as unknown[]
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'RPD002', severity: 'error', file: 'policies/public.json', line: 7, column: 7 }),
      expect.objectContaining({
        rule: 'RPD010',
        severity: 'note',
        file: 'policies/runpod-current.json',
        line: 9,
        column: 9
      })
    ])
    expect(run.summary).toContain('<table>')
    expect(run.summary).toContain('<td>RPD002</td>')
    expect(run.summary).toContain('<td>policies/public.json:7:7</td>')
  })

  it('expands globs, annotates every file and writes SARIF even when it fails', async () => {
    const run = await lint({
      'policy-file': 'policies/runpod-*.json\npolicies/merged-*.json',
      'sarif-file': 'out/lint.sarif'
    })
    expect(run.stdout).toContain('::warning title=RPD004,file=policies/runpod-superseded-account.json')
    // The superseded example also has RPD001, an error.
    expect(run.exitCode).toBe(1)
    const sarif = JSON.parse(await readFile(path.join(workspace, 'out/lint.sarif'), 'utf8')) as {
      version: string
      runs: {
        results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[]
      }[]
    }
    expect(sarif.version).toBe('2.1.0')
    const uris = sarif.runs[0]!.results.map(
      (result) => `${result.ruleId} ${result.locations[0]!.physicalLocation.artifactLocation.uri}`
    )
    expect(uris).toEqual(
      expect.arrayContaining(['RPD004 policies/runpod-superseded-account.json', 'RPD010 policies/runpod-current.json'])
    )
  })

  it('passes with fail-on error when there are only notes and warnings, and fails with fail-on warning', async () => {
    const file = path.join(workspace, 'policies', 'legacy-version.json')
    const legacy = JSON.parse(await readFile(path.join(workspace, 'policies/merged-with-push.json'), 'utf8')) as object
    await writeFile(file, JSON.stringify({ ...legacy, Version: '2008-10-17' }, null, 2))
    const relaxed = await lint({ 'policy-file': 'policies/legacy-version.json' })
    expect(relaxed.exitCode).toBe(0)
    expect(relaxed.stdout).toContain('::warning title=RPD009,file=policies/legacy-version.json,line=2,col=14::')
    expect(relaxed.stdout).toContain('Policy lint: 0 errors, 1 warning, 0 notes in 1 file.')
    const strict = await lint({ 'policy-file': 'policies/legacy-version.json', 'fail-on': 'warning' })
    expect(strict.exitCode).toBe(1)
    expect(strict.stdout).toMatch(/::error::Policy lint: 0 errors, 1 warning.*at or above 'warning'/)
  })

  it('passes cleanly and says so in the summary', async () => {
    const run = await lint({ 'policy-file': 'policies/merged-with-push.json' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['findings']).toBe('[]')
    expect(run.summary).toContain('No findings in 1 file.')
  })

  it('leaves out what a ! line excludes, in one glob over all lines', async () => {
    const run = await lint({
      'policy-file':
        'policies/*.json\n!policies/public.json\n!policies/runpod-superseded-*.json\n!policies/legacy-*.json'
    })
    expect(run.exitCode).toBe(0)
    const files = (JSON.parse(run.outputs['findings'] ?? '[]') as { file: string }[]).map((finding) => finding.file)
    expect(new Set(files)).toEqual(new Set(['policies/runpod-current.json']))
    expect(run.stdout).toContain('in 2 files.')
  })

  it('fails, saying why, when the ! lines exclude every file', async () => {
    const run = await lint({ 'policy-file': 'policies/public.json\n!policies/*.json' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::Input 'policy-file': the '!' lines exclude every file/)
  })

  it('judges the grant for the principals in runpod-principals', async () => {
    const puller = 'arn:aws:iam::111111111111:role/puller'
    const run = await lint({ 'policy-file': 'policies/runpod-current.json', 'runpod-principals': puller })
    expect(run.exitCode).toBe(1)
    const findings = JSON.parse(run.outputs['findings'] ?? '[]') as { rule: string; message: string }[]
    expect(findings.find((finding) => finding.rule === 'RPD001')?.message).toContain(puller)
  })

  it('fails when a pattern matches nothing, naming the pattern and the input', async () => {
    const run = await lint({ 'policy-file': 'policies/runpod-current.json\npolicies/missing/*.json' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::Input 'policy-file': 'policies\/missing\/\*\.json' matches no file/)
  })

  it('takes plain paths as files without a glob: a missing one or a folder matches no file, a repeat counts once', async () => {
    const twice = await lint({ 'policy-file': 'policies/public.json\npolicies/public.json' })
    expect(twice.stdout).toContain('in 1 file.')
    for (const path of ['policies/missing.json', 'policies']) {
      const run = await lint({ 'policy-file': `policies/runpod-current.json\n${path}` })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toContain(`::error::Input 'policy-file': '${path}' matches no file`)
    }
  })

  describe('paths a pull request controls stay in the workspace', () => {
    let outside: string

    beforeAll(async () => {
      outside = await mkdtemp(path.join(tmpdir(), 'rpd-outside-'))
      await copyFile('examples/policies/public.json', path.join(outside, 'secret-policy.json'))
      await symlink(path.join(outside, 'secret-policy.json'), path.join(workspace, 'policies', 'link.json'))
      await symlink(outside, path.join(workspace, 'out-dir'))
    })

    afterAll(async () => {
      await rm(outside, { recursive: true, force: true })
    })

    it.each([
      ['policy-file', '../x.json'],
      ['policy-file', '/etc/passwd'],
      ['policy-file', 'policies/link.json'],
      ['sarif-file', '../out.sarif'],
      ['sarif-file', 'out-dir/findings.sarif']
    ])('%s: %s fails naming the input, reading and writing nothing outside', async (input, value) => {
      const inputs: Record<string, string> = { 'policy-file': 'policies/runpod-current.json', [input]: value }
      const run = await lint(inputs)
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toContain(`::error::Input '${input}': '${value}' is outside the workspace`)
      expect(run.outputs['findings']).toBeUndefined()
      await expect(stat(path.join(outside, 'findings.sarif'))).rejects.toThrow()
      await expect(stat(path.join(path.dirname(workspace), 'out.sarif'))).rejects.toThrow()
    })

    it('a file name from the pull request that looks like a workflow command stays inert', async () => {
      const name = 'policies/x\n::error::forged ##[warning]forged.json'
      await copyFile('examples/policies/runpod-current.json', path.join(workspace, name))
      const run = await lint({ 'policy-file': 'policies/x*' })
      expect(run.exitCode).toBe(0)
      expect(runnerCommands(run.stdout).filter((command) => command.data.startsWith('forged'))).toEqual([])
      await rm(path.join(workspace, name))
    })
  })
})
