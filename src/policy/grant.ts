import { iamAccountOf, rootArnAccount } from '../aws/arn.js'
import {
  parsePolicy,
  type ConditionEntry,
  type PolicyDocument,
  type PolicyStatement,
  type PrincipalValue
} from './document.js'
import { valueMatcher, wildcardMatch } from './operators.js'
import { PULL_ACTIONS, SUPERSEDED_RUNPOD_ACCOUNT } from './runpod-statement.js'

export interface GrantAnalysis {
  /** False when the document is not a valid policy (then `granted` is false). */
  readonly valid: boolean
  /** Every principal gets all three pull actions and no Deny blocks it. */
  readonly granted: boolean
  /** What is not granted, per principal. */
  readonly missing: readonly { principal: string; actions: readonly string[] }[]
  /** Sid (or "statement N") of Deny statements that block a pull. */
  readonly deniedBy: readonly string[]
  /** The policy grants the superseded Runpod account. */
  readonly supersededAccount: boolean
}

/**
 * Whether a statement applies to a caller: `yes` when provably, `no` when provably not, `unknown` when it
 * depends on request context we cannot know offline (source IP, VPC, tags…).
 */
export type Applies = 'yes' | 'no' | 'unknown'

/** Evaluates by meaning whether the policy lets every principal pull (see GrantAnalysis). */
export function analyzeGrant(policyText: string, principals: readonly string[]): GrantAnalysis {
  return analyzeDocument(parsePolicy(policyText), principals)
}

export function analyzeDocument(doc: PolicyDocument, principals: readonly string[]): GrantAnalysis {
  const valid = doc.problems.length === 0
  const allowed = allowedPullActions(doc, principals)
  const deniedBy = new Set<string>()
  const missing: { principal: string; actions: string[] }[] = []
  for (const principal of principals) {
    const blocked = new Set<string>()
    for (const statement of doc.statements) {
      const denied = deniedPullActions(statement, principal)
      if (denied.length > 0) deniedBy.add(statement.label)
      for (const action of denied) blocked.add(action)
    }
    const actions = PULL_ACTIONS.filter((action) => !allowed.get(principal)?.has(action) || blocked.has(action))
    if (actions.length > 0) missing.push({ principal, actions })
  }
  return {
    valid,
    granted: valid && missing.length === 0,
    missing,
    deniedBy: [...deniedBy],
    supersededAccount: doc.statements.some((statement) => supersededReferences(statement).length > 0)
  }
}

/** Pull actions each principal is provably allowed by some Allow statement, before Deny. */
export function allowedPullActions(doc: PolicyDocument, principals: readonly string[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>()
  for (const principal of principals) {
    const actions = new Set<string>()
    for (const statement of doc.statements) {
      // NotPrincipal/NotAction in an Allow are RPD006: never counted as the grant we need.
      if (statement.effect?.value !== 'Allow' || !statement.action || statement.notPrincipal) continue
      if (appliesTo(statement, principal) !== 'yes') continue
      for (const action of PULL_ACTIONS) {
        if (statement.action.values.some((pattern) => wildcardMatch(pattern.value, action, true))) actions.add(action)
      }
    }
    result.set(principal, actions)
  }
  return result
}

/** Pull actions a Deny statement provably takes away from the principal. */
export function deniedPullActions(statement: PolicyStatement, principal: string): string[] {
  if (statement.effect?.value !== 'Deny') return []
  if (appliesTo(statement, principal) !== 'yes') return []
  return PULL_ACTIONS.filter((action) => actionCovered(statement, action))
}

/** Whether the statement's Action (or NotAction) covers an action. */
function actionCovered(statement: PolicyStatement, action: string): boolean {
  if (statement.action) return statement.action.values.some((pattern) => wildcardMatch(pattern.value, action, true))
  if (statement.notAction)
    return !statement.notAction.values.some((pattern) => wildcardMatch(pattern.value, action, true))
  return false
}

/** Whether the statement's principal element and conditions apply to a caller with this ARN. */
export function appliesTo(statement: PolicyStatement, principal: string): Applies {
  const principalMatch = statement.principal
    ? statement.principal.values.some((value) => principalMatches(value, principal))
    : statement.notPrincipal
      ? !statement.notPrincipal.values.some((value) => principalMatches(value, principal))
      : false
  if (!principalMatch) return 'no'
  return conditionsApply(statement.conditions, principal)
}

function principalMatches(value: PrincipalValue, principal: string): boolean {
  if (value.type !== 'AWS') return false
  if (value.value === '*') return true
  if (value.value === principal) return true
  const account = rootArnAccount(value.value)
  return account !== undefined && iamAccountOf(principal) === account
}

/** All condition entries must hold (AND); one value of a key matching is enough (OR). */
function conditionsApply(conditions: readonly ConditionEntry[], principal: string): Applies {
  let result: Applies = 'yes'
  for (const entry of conditions) {
    const applies = conditionApplies(entry, principal)
    if (applies === 'no') return 'no'
    if (applies === 'unknown') result = 'unknown'
  }
  return result
}

function conditionApplies(entry: ConditionEntry, principal: string): Applies {
  const context = contextValue(entry.key, principal)
  if (context === undefined) return 'unknown'
  // Both keys are always present for a signed request: IfExists and the set qualifiers change nothing.
  if (entry.base === 'Null') {
    const wanted = entry.values.map((value) => value.value.toLowerCase())
    if (wanted.length === 0) return 'unknown'
    return wanted.every((value) => value === 'false')
      ? 'yes'
      : wanted.every((value) => value === 'true')
        ? 'no'
        : 'unknown'
  }
  const match = valueMatcher(entry.base)
  if (!match) return 'unknown'
  const any = entry.values.some((value) => match(value.value, context))
  return any !== entry.negated ? 'yes' : 'no'
}

function contextValue(key: string, principal: string): string | undefined {
  switch (key.toLowerCase()) {
    case 'aws:principalarn':
      return principal
    case 'aws:principalaccount':
      return iamAccountOf(principal)
    default:
      return undefined
  }
}

/** Positions in an Allow statement that name the superseded Runpod account (principal or condition value). */
export function supersededReferences(statement: PolicyStatement): { line: number; column: number; value: string }[] {
  if (statement.effect?.value !== 'Allow') return []
  const names = (value: string) =>
    value === SUPERSEDED_RUNPOD_ACCOUNT || value.includes(`::${SUPERSEDED_RUNPOD_ACCOUNT}:`)
  const fromPrincipal = (statement.principal?.values ?? []).filter(
    (value) => value.type === 'AWS' && names(value.value)
  )
  const fromConditions = statement.conditions
    .filter((entry) => ['aws:principalarn', 'aws:principalaccount'].includes(entry.key.toLowerCase()) && !entry.negated)
    .flatMap((entry) => entry.values.filter((value) => names(value.value)))
  return [...fromPrincipal, ...fromConditions]
}
