import { ActionError } from '../errors.js'
import { parsePolicy } from './document.js'
import { analyzeDocument } from './grant.js'
import { lintPolicy, POLICY_MAX_CHARS, type Finding } from './lint.js'
import { RUNPOD_STATEMENT_SID, runpodStatement, type RunpodStatement } from './runpod-statement.js'

export interface MergeResult {
  readonly changed: boolean
  readonly policyText: string
  readonly statement: RunpodStatement
}

/**
 * Returns the repository policy that grants `principals` pull, keeping every other statement. Unchanged
 * when it already does so safely; refuses (ActionError) to write a policy that is invalid, too long or
 * unsafe, naming the statement to fix.
 */
export function applyRunpodGrant(
  existing: string | undefined,
  principals: readonly string[],
  repository?: string
): MergeResult {
  const statement = runpodStatement(principals)
  const policyName = repository === undefined ? 'the ECR repository policy' : `the repository policy of ${repository}`
  const file = 'repository policy'
  let base: Record<string, unknown> = {}
  if (existing !== undefined && existing.trim() !== '') {
    const doc = parsePolicy(existing)
    if (doc.problems.length > 0) {
      throw new ActionError(
        `${capitalise(policyName)} is not a valid policy document (${describe(lintPolicy(existing, file, principals).filter((finding) => finding.rule === 'RPD007'))}). Fix or delete the repository policy (aws ecr set-repository-policy / delete-repository-policy), then re-run.`
      )
    }
    const unchanged = analyzeDocument(doc, principals).granted && !lintPolicy(existing, file, principals).some(isError)
    if (unchanged) return { changed: false, policyText: existing, statement }
    base = doc.json as Record<string, unknown>
  }

  const statements =
    base['Statement'] === undefined
      ? []
      : Array.isArray(base['Statement'])
        ? [...(base['Statement'] as unknown[])]
        : [base['Statement']]
  const ours = statements.findIndex((item) => isRunpodSid(item))
  const kept = statements.filter((item, index) => index === ours || !isRunpodSid(item))
  if (ours === -1) kept.push(statement)
  else kept[kept.findIndex((item) => isRunpodSid(item))] = statement
  const merged = { ...base, Version: base['Version'] ?? '2012-10-17', Statement: kept }
  const policyText = serialise(merged)

  if (policyText.length > POLICY_MAX_CHARS) {
    throw new ActionError(
      `Adding the ${RUNPOD_STATEMENT_SID} statement would make ${policyName} ${policyText.length.toLocaleString('en-US')} characters long, over ECR's limit of ${POLICY_MAX_CHARS.toLocaleString('en-US')}. Remove or merge statements in the repository policy, then re-run.`
    )
  }
  const errors = lintPolicy(policyText, file, principals).filter(isError)
  if (errors.length > 0) {
    throw new ActionError(
      `${capitalise(policyName)} would still be unsafe or not grant Runpod pull after adding the ${RUNPOD_STATEMENT_SID} statement, so it was not written: ${describe(errors)}. Change those statements in the repository policy, then re-run.`
    )
  }
  return { changed: true, policyText, statement }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function isRunpodSid(item: unknown): boolean {
  return typeof item === 'object' && item !== null && (item as Record<string, unknown>)['Sid'] === RUNPOD_STATEMENT_SID
}

function isError(finding: Finding): boolean {
  return finding.severity === 'error'
}

// Indented for people reading it in the console; compact when that is what fits ECR's limit.
function serialise(policy: unknown): string {
  const indented = JSON.stringify(policy, null, 2)
  return indented.length <= POLICY_MAX_CHARS ? indented : JSON.stringify(policy)
}

function describe(findings: readonly Finding[]): string {
  return findings.map((finding) => `${finding.rule}: ${finding.message}`).join(' ')
}
