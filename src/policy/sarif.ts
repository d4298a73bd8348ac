import { createHash } from 'node:crypto'
import { LINT_RULES, type Finding } from './lint.js'

const INFORMATION_URI = 'https://github.com/runpod-ecr-deploy/runpod-ecr-deploy'

/**
 * SARIF 2.1.0 log of lint findings, in the shape github/codeql-action/upload-sarif accepts. `file` of
 * each finding must already be relative to the workspace (the repository root); `sources` holds each
 * file's text, from which code scanning's fingerprints are taken.
 */
export function toSarif(
  findings: readonly Finding[],
  toolVersion: string,
  sources: ReadonlyMap<string, string>
): object {
  const ruleIndex = new Map(LINT_RULES.map((rule, index) => [rule.id, index]))
  const fingerprint = lineFingerprints(sources)
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
          partialFingerprints: { primaryLocationLineHash: fingerprint(finding) },
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

/**
 * Code scanning's `primaryLocationLineHash`: a hash of the rule and the flagged line's text (not its number),
 * with `:N` counting repeats within the file, so an alert keeps its identity when lines above it move.
 */
function lineFingerprints(sources: ReadonlyMap<string, string>): (finding: Finding) => string {
  const lines = new Map([...sources].map(([file, text]) => [file, text.split(/\r?\n/)]))
  const seen = new Map<string, number>()
  return (finding) => {
    const text = lines.get(finding.file)?.[finding.line - 1]?.trim() ?? ''
    const hash = createHash('sha256').update(`${finding.rule}\0${text}`).digest('hex').slice(0, 16)
    const key = `${finding.file}\0${hash}`
    const occurrence = (seen.get(key) ?? 0) + 1
    seen.set(key, occurrence)
    return `${hash}:${occurrence}`
  }
}
