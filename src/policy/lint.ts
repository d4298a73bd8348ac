import {
  parsePolicy,
  type ConditionEntry,
  type PolicyDocument,
  type PolicyStatement,
  type Position
} from './document.js'
import { allowedPullActions, appliesTo, deniedPullActions, supersededReferences } from './grant.js'
import { parseArn } from '../aws/arn.js'
import { entryHolds, pullContext } from './conditions.js'
import { isLiteralOperator, wildcardMatch } from './operators.js'
import {
  PULL_ACTIONS,
  RUNPOD_DEPLOYMENT_ROLES,
  RUNPOD_STATEMENT_SID,
  runpodExemption,
  SUPERSEDED_RUNPOD_ACCOUNT
} from './runpod-statement.js'

export type Severity = 'error' | 'warning' | 'note'

export interface Finding {
  readonly rule: string
  readonly severity: Severity
  readonly file: string
  readonly line: number
  readonly column: number
  readonly message: string
}

export interface LintRule {
  readonly id: string
  readonly severity: Severity
  readonly name: string
  readonly help: string
}

/** ECR's limit on the length of a repository policy. */
export const POLICY_MAX_CHARS = 10_240

/** 10240 as "10,240". Not toLocaleString: it starts ICU, which every mode would pay for at load. */
export function withThousands(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

export const LINT_RULES: readonly LintRule[] = [
  {
    id: 'RPD001',
    severity: 'error',
    name: 'RunpodPullNotGranted',
    help: 'No Allow statement grants ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and ecr:BatchCheckLayerAvailability to every required Runpod principal. Add the AllowRunpodPull statement (Principal "*" with a StringEquals aws:PrincipalArn condition naming the Runpod deployment roles).'
  },
  {
    id: 'RPD002',
    severity: 'error',
    name: 'PublicAccess',
    help: 'An Allow statement has Principal "*" (or {"AWS": "*"}) and no condition that pins the caller, so anyone with an AWS account can use it. Add a StringEquals condition on aws:PrincipalArn (or aws:PrincipalAccount / aws:PrincipalOrgID). Negated operators, ...IfExists and ForAllValues: do not pin the caller.'
  },
  {
    id: 'RPD003',
    severity: 'error',
    name: 'RunpodWriteAccess',
    help: 'A Runpod principal (or everyone) is allowed write or admin actions such as ecr:PutImage, layer uploads, deletes, policy changes, ecr:* or *. Runpod only pulls: grant it the three pull actions only.'
  },
  {
    id: 'RPD004',
    severity: 'warning',
    name: 'SupersededRunpodAccount',
    help: `The policy grants the account ${SUPERSEDED_RUNPOD_ACCOUNT}, named by an earlier version of Runpod's docs. Runpod now pulls with its roles in account 550005742258: replace the old ARN with the current roles.`
  },
  {
    id: 'RPD005',
    severity: 'error',
    name: 'RunpodPullDenied',
    help: 'A Deny statement applies to a Runpod principal and a pull action, as IAM evaluates Runpod\'s pull (a session of its deployment role, from account 550005742258, outside your organization and network), so Runpod cannot pull whatever the Allow statements say. Exempt the Runpod roles inside that Deny with "ArnNotLike": {"aws:PrincipalArn": [the Runpod role ARNs]}.'
  },
  {
    id: 'RPD006',
    severity: 'error',
    name: 'AllowWithNotElement',
    help: 'An Allow statement uses NotPrincipal or NotAction, which grants everything not listed. Use Principal and Action with explicit values instead.'
  },
  {
    id: 'RPD007',
    severity: 'error',
    name: 'InvalidPolicy',
    help: 'The text is not a valid repository policy: JSON syntax, missing Statement, bad Effect, unknown element or condition operator. ECR rejects it; fix the element named in the message.'
  },
  {
    id: 'RPD008',
    severity: 'error',
    name: 'DuplicateSid',
    help: 'Two statements have the same Sid. Give every statement a unique Sid.'
  },
  {
    id: 'RPD009',
    severity: 'warning',
    name: 'PolicyVersion',
    help: 'Version is missing or the legacy 2008-10-17, which lacks policy variables. Set "Version": "2012-10-17".'
  },
  {
    id: 'RPD010',
    severity: 'note',
    name: 'GetAuthorizationTokenIgnored',
    help: 'ecr:GetAuthorizationToken has no effect in a repository policy: it is not a repository action. Runpod grants it to its roles in its own account; you may remove it.'
  },
  {
    id: 'RPD011',
    severity: 'error',
    name: 'PolicyTooLong',
    help: `The policy text is longer than ${withThousands(POLICY_MAX_CHARS)} characters, ECR's limit for a repository policy. Merge statements or remove unused ones.`
  },
  {
    id: 'RPD012',
    severity: 'warning',
    name: 'WildcardInEqualsCondition',
    help: 'A StringEquals or StringNotEquals (or IgnoreCase) condition value contains * or ?, which these operators match literally. Use StringLike or StringNotLike for a pattern, or write the exact value. ArnEquals and ArnNotEquals are not flagged: IAM gives them wildcards, exactly like ArnLike and ArnNotLike.'
  },
  {
    id: 'RPD013',
    severity: 'warning',
    name: 'RunpodPullMaybeDenied',
    help: 'A Deny statement may apply to a Runpod principal and a pull action through something that cannot be decided offline: a condition key such as aws:SourceIp or aws:PrincipalTag/..., or a NotPrincipal that lists a session, the role and the account (it exempts only the session it names, and the names of Runpod\'s sessions are not known). Exempt the Runpod roles explicitly inside that Deny with "ArnNotLike": {"aws:PrincipalArn": [the Runpod role ARNs]}.'
  }
]

const SEVERITY = new Map(LINT_RULES.map((rule) => [rule.id, rule.severity]))

/** Repository actions that change images or the repository: Runpod must never get them. */
const WRITE_ACTIONS = [
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:BatchDeleteImage',
  'ecr:DeleteRepository',
  'ecr:DeleteRepositoryPolicy',
  'ecr:SetRepositoryPolicy',
  'ecr:PutLifecyclePolicy',
  'ecr:DeleteLifecyclePolicy',
  'ecr:PutImageTagMutability',
  'ecr:PutImageScanningConfiguration',
  'ecr:StartImageScan',
  'ecr:StartLifecyclePolicyPreview',
  'ecr:ReplicateImage',
  'ecr:TagResource',
  'ecr:UntagResource'
]

const PINNING_KEYS = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principalorgid',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:userid',
  'aws:username'
])

/**
 * Which policy a text is. A repository policy must grant the pull itself; a registry policy (V2 scope) takes
 * part in every pull, so its Deny statements count, on the repository ARN when one is named (where a
 * statement's Resource admits it), else on every repository its Resource names.
 */
export type PolicyKind = { readonly kind: 'repository' } | { readonly kind: 'registry'; readonly repository?: string }

/**
 * Lints one policy text. `principals` are the roles that must be able to pull (default: Runpod's deployment
 * roles). Findings are sorted by position.
 */
export function lintPolicy(
  text: string,
  file: string,
  principals: readonly string[] = RUNPOD_DEPLOYMENT_ROLES,
  policy: PolicyKind = { kind: 'repository' }
): Finding[] {
  return lintDocument(parsePolicy(text), text, file, principals, policy)
}

/** lintPolicy of a text already parsed, so that one run parses each policy once. */
export function lintDocument(
  doc: PolicyDocument,
  text: string,
  file: string,
  principals: readonly string[],
  policy: PolicyKind
): Finding[] {
  const findings: Finding[] = []
  const report = (rule: string, at: Position, message: string) =>
    findings.push({ rule, severity: SEVERITY.get(rule) ?? 'error', file, line: at.line, column: at.column, message })

  const repository = policy.kind === 'repository'
  if (repository && text.length > POLICY_MAX_CHARS) {
    report(
      'RPD011',
      { line: 1, column: 1 },
      `The policy is ${withThousands(text.length)} characters long; ECR accepts at most ${withThousands(POLICY_MAX_CHARS)}. Merge statements or remove unused ones.`
    )
  }
  for (const problem of doc.problems) report('RPD007', problem, problem.message)
  if (doc.json === undefined || doc.statementElement === undefined) return sorted(findings)

  // A Version with a bad value is RPD007 already.
  if (!('Version' in (doc.json as object))) {
    report(
      'RPD009',
      { line: 1, column: 1 },
      'The policy has no "Version": add "Version": "2012-10-17" (without it IAM uses the legacy 2008-10-17 language).'
    )
  } else if (doc.version?.value === '2008-10-17') {
    report('RPD009', doc.version, 'The policy uses the legacy "Version": "2008-10-17": set it to "2012-10-17".')
  }
  // What an invalid policy means is undefined (ECR rejects it): judge meaning only once RPD007 is fixed.
  const valid = doc.problems.length === 0
  // The grant lives in the repository policy; a registry policy only has to leave it alone.
  if (valid && repository) checkGrant(doc, principals, doc.statementElement, report)

  const sids = new Map<string, PolicyStatement>()
  for (const statement of doc.statements) {
    if (statement.sid) {
      const first = sids.get(statement.sid.value)
      if (first) {
        report(
          'RPD008',
          statement.sid,
          `Sid "${statement.sid.value}" is used again (first at line ${first.line}): give every statement a unique Sid.`
        )
      } else {
        sids.set(statement.sid.value, statement)
      }
    }
    checkStatement(statement, valid ? principals : undefined, policy, report)
  }
  return sorted(findings)
}

type Report = (rule: string, at: Position, message: string) => void

function checkGrant(doc: PolicyDocument, principals: readonly string[], at: Position, report: Report): void {
  const allowed = allowedPullActions(doc, principals)
  const lacking = principals
    .map((principal) => ({ principal, actions: PULL_ACTIONS.filter((action) => !allowed.get(principal)?.has(action)) }))
    .filter((entry) => entry.actions.length > 0)
  if (lacking.length === 0) return
  const detail = lacking.map((entry) => `${entry.principal} lacks ${entry.actions.join(', ')}`).join('; ')
  report(
    'RPD001',
    at,
    `No Allow statement grants Runpod pull access: ${detail}. Add a statement with Sid "${RUNPOD_STATEMENT_SID}", Principal "*", Action ${PULL_ACTIONS.join(', ')} and Condition {"StringEquals": {"aws:PrincipalArn": [the Runpod role ARNs]}}.`
  )
}

/** Per-statement rules; `principals` undefined skips the rules about meaning (invalid document). */
function checkStatement(
  statement: PolicyStatement,
  principals: readonly string[] | undefined,
  policy: PolicyKind,
  report: Report
): void {
  const name = statement.sid ? `Statement "${statement.sid.value}"` : `The ${statement.label}`
  if (principals) checkMeaning(statement, name, principals, policy, report)

  for (const action of policy.kind === 'repository' ? (statement.action?.values ?? []) : []) {
    if (action.value.toLowerCase() === 'ecr:getauthorizationtoken') {
      report(
        'RPD010',
        action,
        `"ecr:GetAuthorizationToken" has no effect in a repository policy (Runpod grants it to its roles in its own account); you may remove it from ${name.charAt(0).toLowerCase()}${name.slice(1)}.`
      )
    }
  }

  for (const entry of statement.conditions) {
    if (!isLiteralOperator(entry.base)) continue
    for (const value of entry.values) {
      if (!/[*?]/.test(value.value)) continue
      const like = entry.operator.replace(/Equals(IgnoreCase)?/i, 'Like')
      report(
        'RPD012',
        value,
        `"${entry.operator}" compares "${value.value}" literally, so its "*" or "?" is not a wildcard. Use "${like}" for a pattern, or write the exact value.`
      )
    }
  }
}

/** RPD002-RPD006: who the statement lets do what. */
function checkMeaning(
  statement: PolicyStatement,
  name: string,
  principals: readonly string[],
  policy: PolicyKind,
  report: Report
): void {
  const resource = policy.kind === 'registry' ? policy.repository : undefined
  // Without a repository to judge, a registry Deny is about the repositories its Resource names.
  const where =
    policy.kind === 'registry' && resource === undefined && (statement.resource ?? statement.notResource)
      ? ` on the repositories its "${statement.resource ? 'Resource' : 'NotResource'}" admits`
      : ''
  if (statement.effect?.value === 'Allow') {
    if (isPublic(statement)) {
      report(
        'RPD002',
        statement.principal ?? statement,
        `${name} allows Principal "*" with no condition that pins the caller, so any AWS account can use it. Add "Condition": {"StringEquals": {"aws:PrincipalArn": [...]}} naming the roles that need access, or name them in Principal.`
      )
    }
    for (const [which, element] of [
      ['NotPrincipal', statement.notPrincipal],
      ['NotAction', statement.notAction]
    ] as const) {
      if (!element) continue
      report(
        'RPD006',
        element,
        `${name} is an Allow with "${which}", which grants everything not listed. Use "${which.slice(3)}" with explicit values instead.`
      )
    }
    checkWrite(statement, name, principals, report)
    for (const reference of supersededReferences(statement)) {
      report(
        'RPD004',
        reference,
        `${name} grants "${reference.value}" in account ${SUPERSEDED_RUNPOD_ACCOUNT}, which an earlier version of Runpod's docs named and Runpod no longer uses. Replace it with the current roles: ${RUNPOD_DEPLOYMENT_ROLES.join(', ')}.`
      )
    }
  }

  for (const principal of principals) {
    const denied = deniedPullActions(statement, principal, 'yes', resource)
    if (denied.length > 0) {
      report(
        'RPD005',
        statement,
        `${name} denies ${denied.join(', ')} to ${principal}${where}, so Runpod cannot pull. Exempt the Runpod roles inside that Deny: add ${runpodExemption(principals)} to its "Condition".`
      )
      continue
    }
    const maybe = deniedPullActions(statement, principal, 'unknown', resource)
    if (maybe.length === 0) continue
    report(
      'RPD013',
      statement,
      `${name} may deny ${maybe.join(', ')} to ${principal}${where}, depending on ${undecidable(statement, principal)}, which cannot be known before Runpod pulls. Exempt the Runpod roles explicitly: add ${runpodExemption(principals)} to the Deny's "Condition".`
    )
  }
}

/** What makes a Deny undecidable for the principal: its NotPrincipal, or the condition keys unknown offline. */
function undecidable(statement: PolicyStatement, principal: string): string {
  const keys = [
    ...new Set(
      statement.conditions
        .filter((entry) => entryHolds(entry, pullContext(entry.key, principal)) === 'unknown')
        .map((entry) => entry.key)
    )
  ]
  const parts = [
    ...(statement.notPrincipal
      ? [
          'its "NotPrincipal" (it exempts only the sessions it names, and the names of Runpod\'s sessions are not known)'
        ]
      : []),
    ...(keys.length > 0
      ? [`the condition key${keys.length === 1 ? '' : 's'} ${keys.map((key) => `"${key}"`).join(', ')}`]
      : [])
  ]
  return parts.join(' and ')
}

function isPublic(statement: PolicyStatement): boolean {
  return (
    statement.principal?.values.some((value) => value.type === 'AWS' && value.value === '*') === true &&
    !pinsCaller(statement.conditions)
  )
}

/** RPD003: the statement may give a Runpod principal (or everyone) a write or admin action. */
function checkWrite(statement: PolicyStatement, name: string, principals: readonly string[], report: Report): void {
  const who = principals.filter((principal) => appliesTo(statement, principal) !== 'no')
  const everyone = isPublic(statement)
  if (who.length === 0 && !everyone) return
  for (const action of statement.action?.values ?? []) {
    const covered = WRITE_ACTIONS.filter((write) => wildcardMatch(action.value, write, true))
    if (covered.length === 0) continue
    const whom = everyone ? 'everyone' : who.join(', ')
    const example = covered.length > 3 ? `${covered.slice(0, 3).join(', ')}, …` : covered.join(', ')
    report(
      'RPD003',
      action,
      `${name} allows "${action.value}" (${example}) to ${whom}. Runpod only pulls: grant it ${PULL_ACTIONS.join(', ')} only, and give write access to your CI role in a separate statement.`
    )
  }
}

/**
 * Whether some condition limits who the caller is (RPD002): the forms that can only narrow access, with
 * values that each stay within named accounts (a pattern such as arn:aws:iam::*:role/* admits them all).
 */
function pinsCaller(conditions: readonly ConditionEntry[]): boolean {
  return conditions.some(
    (entry) =>
      PINNING_KEYS.has(entry.key.toLowerCase()) &&
      /^(String|Arn)/.test(entry.base) &&
      !entry.negated &&
      !entry.ifExists &&
      entry.qualifier !== 'ForAllValues' &&
      entry.values.length > 0 &&
      entry.values.every((value) => isLiteralOperator(entry.base) || pinsAccounts(value.value))
  )
}

/** A pattern (ARN operators, StringLike) that matches callers of named accounts only. */
function pinsAccounts(pattern: string): boolean {
  if (!/[*?]/.test(pattern)) return true
  // Outside an ARN (an account or organization id), or before the account's end (where StringLike's * also
  // spans colons), any wildcard can admit every account.
  const arn = parseArn(pattern)
  return arn !== undefined && !/[*?]/.test(`${arn.partition}:${arn.service}:${arn.region}:${arn.account}`)
}

function sorted(findings: Finding[]): Finding[] {
  // Rule ids are ASCII: compared as text, not by the locale's collation.
  return findings.sort(
    (a, b) => a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  )
}
