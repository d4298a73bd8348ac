import { describe, expect, it } from '@jest/globals'
import { LINT_RULES, type Finding } from '../../src/policy/lint.js'
import { toSarif } from '../../src/policy/sarif.js'

interface SarifLog {
  version: string
  $schema: string
  runs: {
    tool: { driver: { name: string; informationUri: string; version: string; rules: Record<string, unknown>[] } }
    results: {
      ruleId: string
      ruleIndex: number
      level: string
      message: { text: string }
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } }
      }[]
    }[]
  }[]
}

const FINDINGS: Finding[] = [
  { rule: 'RPD002', severity: 'error', file: 'policies\\public.json', line: 7, column: 7, message: 'public' },
  { rule: 'RPD010', severity: 'note', file: './policies/runpod.json', line: 9, column: 9, message: 'token' },
  { rule: 'RPD012', severity: 'warning', file: 'p.json', line: 3, column: 1, message: 'literal' }
]

describe('toSarif', () => {
  const log = toSarif(FINDINGS, '1.2.3', new Map()) as SarifLog

  it('is a SARIF 2.1.0 log with one run of this tool and every rule', () => {
    expect(log.version).toBe('2.1.0')
    expect(log.$schema).toMatch(/sarif-2\.1\.0/)
    expect(log.runs).toHaveLength(1)
    const driver = log.runs[0]!.tool.driver
    expect(driver).toMatchObject({ name: 'runpod-ecr-deploy', version: '1.2.3' })
    expect(driver.informationUri).toMatch(/^https:\/\//)
    expect(driver.rules).toHaveLength(LINT_RULES.length)
    expect(driver.rules[1]).toEqual({
      id: 'RPD002',
      name: 'PublicAccess',
      shortDescription: { text: expect.stringMatching(/^An Allow statement has Principal .*\.$/) },
      fullDescription: { text: LINT_RULES[1]!.help },
      help: { text: LINT_RULES[1]!.help },
      defaultConfiguration: { level: 'error' }
    })
  })

  it('maps each finding to a result with rule index, level and a forward-slash relative location', () => {
    const results = log.runs[0]!.results
    expect(results.map((result) => [result.ruleId, result.ruleIndex, result.level, result.message.text])).toEqual([
      ['RPD002', 1, 'error', 'public'],
      ['RPD010', 9, 'note', 'token'],
      ['RPD012', 11, 'warning', 'literal']
    ])
    expect(results.map((result) => result.locations[0]!.physicalLocation)).toEqual([
      {
        artifactLocation: { uri: 'policies/public.json', uriBaseId: '%SRCROOT%' },
        region: { startLine: 7, startColumn: 7 }
      },
      {
        artifactLocation: { uri: 'policies/runpod.json', uriBaseId: '%SRCROOT%' },
        region: { startLine: 9, startColumn: 9 }
      },
      { artifactLocation: { uri: 'p.json', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 1 } }
    ])
  })

  it('has no results when there are no findings', () => {
    expect((toSarif([], '1.2.3', new Map()) as SarifLog).runs[0]!.results).toEqual([])
  })

  it('fingerprints each result by its rule and line text, so it survives lines moving above it', () => {
    const finding = (line: number): Finding => ({
      rule: 'RPD002',
      severity: 'error',
      file: 'p.json',
      line,
      column: 1,
      message: 'm'
    })
    const hashes = (text: string, lines: number[]) =>
      (
        toSarif(lines.map(finding), '1', new Map([['p.json', text]])) as {
          runs: { results: { partialFingerprints: { primaryLocationLineHash: string } }[] }[]
        }
      ).runs[0]!.results.map((result) => result.partialFingerprints.primaryLocationLineHash)
    const [before] = hashes('{\n  "Principal": "*"\n}', [2])
    const [after] = hashes('{\n\n\n    "Principal": "*"\n}', [4])
    expect(before).toMatch(/^[0-9a-f]{16}:1$/)
    expect(after).toBe(before)
    const [first, second] = hashes('"Principal": "*"\n"Principal": "*"', [1, 2])
    expect(second).toBe(first?.replace(/:1$/, ':2'))
    expect(hashes('"Principal": "x"', [1])[0]).not.toBe(hashes('"Principal": "*"', [1])[0])
  })
})
