// The verdict on Runpod's pull: can each required principal pull? Judged as IAM evaluates a request (an
// explicit Deny that applies wins, then an Allow that applies grants) over every resource-based policy ECR
// enforces on it (the repository's, and the registry's under the V2 scope), for Runpod's pull as conditions.ts
// describes it, with three outcomes where IAM has two: what cannot be known offline is said.
import { arnParts, iamAccountOf, parseArn, rootArnAccount } from '../aws/arn.js'
import { all, conditionsHold, type Truth } from './conditions.js'
import { parsePolicy, type PolicyDocument, type PolicyStatement, type PrincipalValue } from './document.js'
import { wildcardMatch } from './operators.js'
import { PULL_ACTIONS, SUPERSEDED_RUNPOD_ACCOUNT } from './runpod-statement.js'

export type { Truth } from './conditions.js'

/**
 * One policy IAM evaluates for the pull. `resource` is the repository ARN the pull is for: a statement applies
 * only where its Resource (or NotResource) admits it. Without it Resource is not judged, as for a repository
 * policy, whose statements are about its own repository whatever they name.
 */
export interface PolicyInPlay {
  /** How messages name the policy, e.g. "the registry policy of account 123456789012". */
  readonly name: string
  readonly doc: PolicyDocument
  readonly resource?: string
}

/** A statement and the policy it is in. */
export interface CitedStatement {
  readonly statement: PolicyStatement
  readonly policy: string
}

/** What IAM decides for one principal and one pull action. */
export type PullVerdict =
  | { readonly kind: 'granted' }
  /** An explicit Deny applies: it decides, whatever the Allow statements say. */
  | { readonly kind: 'denied'; readonly by: CitedStatement }
  /**
   * No Allow statement provably applies (IAM's implicit deny). `undecided` lists Allow statements that would
   * apply if request values unknown offline (a source IP, a tag) were right.
   */
  | { readonly kind: 'not-granted'; readonly undecided: readonly CitedStatement[] }
  /** Allowed, unless a Deny whose principal or conditions cannot be judged offline applies. */
  | { readonly kind: 'uncertain'; readonly by: readonly CitedStatement[] }

export interface PrincipalVerdicts {
  readonly principal: string
  /** One verdict per pull action, in the order of PULL_ACTIONS. */
  readonly actions: readonly { readonly action: string; readonly verdict: PullVerdict }[]
}

export interface GrantAnalysis {
  /** False when a document is not a valid policy (then `granted` is false). */
  readonly valid: boolean
  /** Every principal may do every pull action, and no Deny could stop it. */
  readonly granted: boolean
  /** Granted, unless a Deny that cannot be judged offline applies (see `uncertainBy`). */
  readonly pullable: boolean
  /** What is not granted, per principal: explicitly denied or never allowed. */
  readonly missing: readonly { principal: string; actions: readonly string[] }[]
  /** Sid (or "statement N") of Deny statements that block a pull. */
  readonly deniedBy: readonly string[]
  /** Sid (or "statement N") of Deny statements that may block a pull, depending on what is unknown offline. */
  readonly uncertainBy: readonly string[]
  /** The policy grants the superseded Runpod account. */
  readonly supersededAccount: boolean
}

/** Evaluates by meaning whether the policy lets every principal pull (see GrantAnalysis). */
export function analyzeGrant(policyText: string, principals: readonly string[]): GrantAnalysis {
  return analyzePolicies([repositoryPolicy(parsePolicy(policyText))], principals)
}

/** A repository policy alone, as IAM evaluates it where no other policy takes part. */
export function repositoryPolicy(doc: PolicyDocument): PolicyInPlay {
  return { name: 'the repository policy', doc }
}

/** The verdict over several policies, as IAM evaluates them together: any Deny wins, any Allow grants. */
export function analyzePolicies(policies: readonly PolicyInPlay[], principals: readonly string[]): GrantAnalysis {
  const valid = policies.every(({ doc }) => doc.problems.length === 0)
  const verdicts = pullVerdicts(policies, principals)
  const every = verdicts.flatMap((entry) => entry.actions.map(({ verdict }) => verdict))
  const missing = verdicts.flatMap(({ principal, actions }) => {
    const lacking = actions.filter(({ verdict }) => verdict.kind === 'denied' || verdict.kind === 'not-granted')
    return lacking.length > 0 ? [{ principal, actions: lacking.map(({ action }) => action) }] : []
  })
  const labels = (cited: readonly CitedStatement[]) => [...new Set(cited.map(({ statement }) => statement.label))]
  return {
    valid,
    granted: valid && every.every((verdict) => verdict.kind === 'granted'),
    pullable: valid && missing.length === 0,
    missing,
    deniedBy: labels(every.flatMap((verdict) => (verdict.kind === 'denied' ? [verdict.by] : []))),
    uncertainBy: labels(every.flatMap((verdict) => (verdict.kind === 'uncertain' ? verdict.by : []))),
    supersededAccount: policies.some(({ doc }) =>
      doc.statements.some((statement) => supersededReferences(statement).length > 0)
    )
  }
}

/** The verdict for every principal and pull action. */
export function pullVerdicts(policies: readonly PolicyInPlay[], principals: readonly string[]): PrincipalVerdicts[] {
  return principals.map((principal) => ({
    principal,
    actions: PULL_ACTIONS.map((action) => ({ action, verdict: judgePull(policies, principal, action) }))
  }))
}

/** IAM's decision for a session of `principal` asking for `action` on the repository. */
function judgePull(policies: readonly PolicyInPlay[], principal: string, action: string): PullVerdict {
  const judged = policies.flatMap(({ name, doc, resource }) =>
    doc.statements.map((statement) => ({
      cited: { statement, policy: name },
      applies: statementApplies(statement, principal, action, resource)
    }))
  )
  const denies = judged.filter(({ cited }) => cited.statement.effect?.value === 'Deny')
  const deciding = denies.find(({ applies }) => applies === 'yes')
  if (deciding) return { kind: 'denied', by: deciding.cited }
  const allows = judged.filter(({ cited }) => isCountedAllow(cited.statement))
  if (!allows.some(({ applies }) => applies === 'yes')) {
    return {
      kind: 'not-granted',
      undecided: allows.filter(({ applies }) => applies === 'unknown').map(({ cited }) => cited)
    }
  }
  const uncertain = denies.filter(({ applies }) => applies === 'unknown').map(({ cited }) => cited)
  return uncertain.length > 0 ? { kind: 'uncertain', by: uncertain } : { kind: 'granted' }
}

// NotPrincipal/NotAction in an Allow are RPD006: never counted as the grant we need.
function isCountedAllow(statement: PolicyStatement): boolean {
  return statement.effect?.value === 'Allow' && statement.action !== undefined && statement.notPrincipal === undefined
}

/** Whether the statement's principal, action, resource and every condition hold for the request. */
function statementApplies(statement: PolicyStatement, principal: string, action: string, resource?: string): Truth {
  return all([
    principalApplies(statement, principal),
    actionCovered(statement, action) ? 'yes' : 'no',
    resource === undefined || resourceCovered(statement, resource) ? 'yes' : 'no',
    conditionsHold(statement.conditions, principal)
  ])
}

/**
 * Whether the statement's Resource (or NotResource) admits the repository ARN. As IAM matches resources: `*`
 * is every resource; otherwise each of the six colon-separated parts is matched on its own (`*` and `?` inside
 * a part, the last part spanning any further colons), and a pattern with fewer parts is padded with `*` when
 * it holds a wildcard and matches nothing when it does not. A statement without either is about the resource
 * its policy is attached to (for a registry policy, every repository of the registry): it is never taken to
 * apply nowhere, so a Deny written without Resource is not overlooked.
 */
function resourceCovered(statement: PolicyStatement, arn: string): boolean {
  if (statement.resource) return statement.resource.values.some((pattern) => resourceMatch(pattern.value, arn))
  if (statement.notResource) return !statement.notResource.values.some((pattern) => resourceMatch(pattern.value, arn))
  return true
}

function resourceMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true
  const target = arnParts(arn)
  let parts = pattern.split(':')
  if (parts.length < 6) {
    if (!/[*?]/.test(pattern)) return false
    parts = [...parts, ...Array<string>(6 - parts.length).fill('*')]
  }
  const patternParts = [...parts.slice(0, 5), parts.slice(5).join(':')]
  return target !== undefined && patternParts.every((part, index) => wildcardMatch(part, target[index] ?? '', false))
}

/** Whether the statement's principal element (and conditions) apply to a session of `principal`, for any action. */
export function appliesTo(statement: PolicyStatement, principal: string): Truth {
  return all([principalApplies(statement, principal), conditionsHold(statement.conditions, principal)])
}

/** Whether the statement's Action (or NotAction) covers an action; actions compare case-insensitively. */
function actionCovered(statement: PolicyStatement, action: string): boolean {
  if (statement.action) return statement.action.values.some((pattern) => wildcardMatch(pattern.value, action, true))
  if (statement.notAction)
    return !statement.notAction.values.some((pattern) => wildcardMatch(pattern.value, action, true))
  return false
}

/**
 * Principal: `*`, the role, or its account's root match the role's sessions; a session ARN of the role
 * matches only that session, whose name is not known offline.
 *
 * NotPrincipal in a Deny exempts a role's session only when it names that session, the role and the account
 * (IAM user guide, "NotPrincipal": "The assumed-role user is identified by the role session name", sessions
 * take no wildcard, and without the role's or the account's ARN "the effect of the policy might be to
 * explicitly deny access"). Runpod's session names are not known offline, so a list naming all three is
 * undecided, and any other list leaves the Deny applying.
 */
function principalApplies(statement: PolicyStatement, principal: string): Truth {
  if (statement.principal) return any(statement.principal.values.map((value) => principalMatches(value, principal)))
  if (statement.notPrincipal) {
    const listed = statement.notPrincipal.values.filter((value) => value.type === 'AWS')
    if (listed.some((value) => value.value === '*')) return 'no'
    const account = iamAccountOf(principal)
    const namesAll =
      listed.some((value) => isSessionOf(value.value, principal)) &&
      listed.some((value) => value.value === principal) &&
      listed.some((value) => account !== undefined && rootArnAccount(value.value) === account)
    return namesAll ? 'unknown' : 'yes'
  }
  return 'no'
}

function principalMatches(value: PrincipalValue, principal: string): Truth {
  if (value.type !== 'AWS') return 'no'
  if (value.value === '*') return 'yes'
  if (value.value === principal) return 'yes'
  const account = rootArnAccount(value.value)
  if (account !== undefined) return account === iamAccountOf(principal) ? 'yes' : 'no'
  return isSessionOf(value.value, principal) ? 'unknown' : 'no'
}

/** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` for the role `arn:aws:iam::ACCOUNT:role/ROLE`. */
function isSessionOf(candidate: string, role: string): boolean {
  const session = parseArn(candidate)
  const parent = parseArn(role)
  if (!session || !parent || session.service !== 'sts' || !parent.resource.startsWith('role/')) return false
  const roleName = parent.resource.slice('role/'.length).split('/').at(-1)
  return session.account === parent.account && session.resource.startsWith(`assumed-role/${roleName}/`)
}

/** Three-valued OR. */
function any(truths: readonly Truth[]): Truth {
  if (truths.includes('yes')) return 'yes'
  return truths.includes('unknown') ? 'unknown' : 'no'
}

/** Pull actions each principal is provably allowed by some Allow statement, before Deny. */
export function allowedPullActions(doc: PolicyDocument, principals: readonly string[]): Map<string, Set<string>> {
  return new Map(
    principals.map((principal) => [
      principal,
      new Set(
        PULL_ACTIONS.filter((action) =>
          doc.statements.some(
            (statement) => isCountedAllow(statement) && statementApplies(statement, principal, action) === 'yes'
          )
        )
      )
    ])
  )
}

/** Pull actions a Deny statement provably takes away from the principal (`unknown`: those it may take away). */
export function deniedPullActions(
  statement: PolicyStatement,
  principal: string,
  truth: 'yes' | 'unknown' = 'yes',
  resource?: string
): string[] {
  if (statement.effect?.value !== 'Deny') return []
  return PULL_ACTIONS.filter((action) => statementApplies(statement, principal, action, resource) === truth)
}

/** Positions in an Allow statement that name the superseded Runpod account (principal or condition value). */
export function supersededReferences(statement: PolicyStatement): { line: number; column: number; value: string }[] {
  if (statement.effect?.value !== 'Allow') return []
  const named = (value: string) =>
    value === SUPERSEDED_RUNPOD_ACCOUNT || value.includes(`::${SUPERSEDED_RUNPOD_ACCOUNT}:`)
  const fromPrincipal = (statement.principal?.values ?? []).filter(
    (value) => value.type === 'AWS' && named(value.value)
  )
  const fromConditions = statement.conditions
    .filter((entry) => ['aws:principalarn', 'aws:principalaccount'].includes(entry.key.toLowerCase()) && !entry.negated)
    .flatMap((entry) => entry.values.filter((value) => named(value.value)))
  return [...fromPrincipal, ...fromConditions]
}
