import { LINT_RULES, type Finding } from './lint.js'

const INFORMATION_URI = 'https://github.com/runpod-ecr-deploy/runpod-ecr-deploy'

/**
 * SARIF 2.1.0 log of lint findings, in the shape github/codeql-action/upload-sarif accepts. `file` of
 * each finding must already be relative to the workspace (the repository root).
 */
export function toSarif(findings: readonly Finding[], toolVersion: string): object {
  const ruleIndex = new Map(LINT_RULES.map((rule, index) => [rule.id, index]))
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'runpod-ecr-deploy',
            informationUri: INFORMATION_URI,
            version: toolVersion,
            semanticVersion: toolVersion,
            rules: LINT_RULES.map((rule) => ({
              id: rule.id,
              name: rule.name,
              shortDescription: { text: firstSentence(rule.help) },
              fullDescription: { text: rule.help },
              help: { text: rule.help },
              defaultConfiguration: { level: rule.severity }
            }))
          }
        },
        results: findings.map((finding) => ({
          ruleId: finding.rule,
          ...(ruleIndex.has(finding.rule) ? { ruleIndex: ruleIndex.get(finding.rule) } : {}),
          level: finding.severity,
          message: { text: finding.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: {
                  uri: finding.file.replace(/\\/g, '/').replace(/^\.\//, ''),
                  uriBaseId: '%SRCROOT%'
                },
                region: { startLine: finding.line, startColumn: finding.column }
              }
            }
          ]
        }))
      }
    ]
  }
}

function firstSentence(text: string): string {
  const end = text.indexOf('. ')
  return end === -1 ? text : text.slice(0, end + 1)
}
