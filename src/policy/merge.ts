// Adding Runpod's statement to a repository policy without disturbing anything else: the statement is
// inserted into the text (jsonc-parser's tree for positions, applyEdits for the edits), so every other byte
// stays as it was (formatting, key order, numbers beyond 2^53); the text is compacted only when ECR's limit
// needs it.
import { applyEdits, findNodeAtLocation, parseTree, type Edit, type Node } from 'jsonc-parser'
import { accountRootArn, isAccountId } from '../aws/arn.js'
import { ActionError } from '../errors.js'
import { parsePolicy, type PolicyStatement } from './document.js'
import { analyzePolicies, deniedPullActions, repositoryPolicy, type PolicyInPlay } from './grant.js'
import { POLICY_MAX_CHARS, withThousands, type Finding } from './lint.js'
import { reviewPolicy, type PolicyReview } from './review.js'
import { RUNPOD_STATEMENT_SID, runpodExemption, runpodStatement, type RunpodStatement } from './runpod-statement.js'

export interface MergeResult {
  readonly changed: boolean
  readonly policyText: string
  readonly statement: RunpodStatement
  /** The resulting policy, parsed, linted and judged. */
  readonly review: PolicyReview
}

const FILE = 'repository policy'

/**
 * Returns the repository policy that grants `principals` pull, keeping every other statement. Unchanged
 * when it already does so safely; refuses (ActionError) to write a policy that is invalid, too long,
 * unsafe, or whose Deny statements take the pull away again, naming the statement to fix.
 */
export function applyRunpodGrant(
  existing: string | undefined,
  principals: readonly string[],
  repository?: string
): MergeResult {
  return mergeRunpodGrant(reviewStoredPolicy(existing, principals), principals, repository)
}

/** The stored repository policy, reviewed once; none (undefined) when there is no text or only whitespace. */
export function reviewStoredPolicy(text: string | undefined, principals: readonly string[]): PolicyReview | undefined {
  return text === undefined || text.trim() === '' ? undefined : reviewPolicy(text, FILE, principals)
}

/** applyRunpodGrant of a policy already reviewed (parsed, linted and judged once for the whole run). */
export function mergeRunpodGrant(
  existing: PolicyReview | undefined,
  principals: readonly string[],
  repository?: string
): MergeResult {
  const statement = runpodStatement(principals)
  const policyName = repository === undefined ? 'the ECR repository policy' : `the repository policy of ${repository}`
  if (existing === undefined) {
    const policyText = JSON.stringify({ Version: '2012-10-17', Statement: [statement] }, null, 2)
    return checked(policyText, statement, principals, policyName)
  }
  if (existing.doc.problems.length > 0) {
    throw new ActionError(
      `${capitalise(policyName)} is not a valid policy document (${describe(existing.findings.filter((finding) => finding.rule === 'RPD007'))}). Fix or delete the repository policy (aws ecr set-repository-policy / delete-repository-policy), then re-run.`
    )
  }
  refuseDeniedPull([{ name: policyName, doc: existing.doc }], principals)
  if (existing.grant.pullable && !existing.findings.some(isError)) {
    return { changed: false, policyText: existing.text, statement, review: existing }
  }
  return checked(fitted(withStatement(existing.text, statement)), statement, principals, policyName)
}

/**
 * Fails when a Deny statement of any of the policies takes Runpod's pull away: no Allow can undo it, and the
 * action never edits a Deny, so the message names each such statement, its policy, and the exemption to add.
 */
export function refuseDeniedPull(policies: readonly PolicyInPlay[], principals: readonly string[]): void {
  // Every Deny that applies, not only the first IAM would meet: each one must get the exemption.
  const byStatement = new Map<PolicyStatement, { policy: string; principals: Set<string>; actions: Set<string> }>()
  for (const { name, doc, resource } of policies) {
    for (const statement of doc.statements) {
      for (const principal of principals) {
        const actions = deniedPullActions(statement, principal, 'yes', resource)
        if (actions.length === 0) continue
        const entry = byStatement.get(statement) ?? { policy: name, principals: new Set(), actions: new Set() }
        entry.principals.add(principal)
        for (const action of actions) entry.actions.add(action)
        byStatement.set(statement, entry)
      }
    }
  }
  if (byStatement.size === 0) return
  const denying = [...new Set([...byStatement.values()].map(({ policy }) => policy))]
  const several = denying.length > 1
  const denials = [...byStatement].map(
    ([statement, entry]) =>
      `statement "${statement.label}" (line ${statement.line}${several ? ` of ${entry.policy}` : ''}) denies ${[...entry.actions].join(', ')} to ${[...entry.principals].join(', ')}`
  )
  throw new ActionError(
    `${capitalise(denying.join(' and '))} ${several ? 'deny' : 'denies'} Runpod's pull, so the image could never be pulled: ${denials.join('; ')}. The action never edits a Deny statement: exempt the Runpod roles inside it by adding ${runpodExemption(principals)} to its "Condition", then rerun.`
  )
}

/**
 * The policy text with our statement in place of any earlier copy of it, or appended to `Statement`. The
 * edits are made here rather than by jsonc-parser's modify, whose formatting also re-indents the text
 * around an edit: only the inserted text is new, in the file's own indentation and line ends.
 */
function withStatement(text: string, statement: RunpodStatement): string {
  const root = parseTree(text)
  const statements = root && findNodeAtLocation(root, ['Statement'])
  // parsePolicy has checked both: an object with Statement, an object or an array of them.
  if (!root || !statements) throw new Error('withStatement needs a valid policy')
  const style = styleOf(text)
  const render = (indent: string) =>
    style
      ? JSON.stringify(statement, null, style.unit)
          .split('\n')
          .join(style.eol + indent)
      : JSON.stringify(statement)
  const newLine = (indent: string) => (style ? style.eol + indent : '')
  const edits: Edit[] = []
  if (findNodeAtLocation(root, ['Version']) === undefined) {
    // On a line of its own where the first key has one, else inline before it.
    const ownLine = style !== undefined && /^[ \t]*\r?\n/.test(text.slice(root.offset + 1))
    const version = style ? '"Version": "2012-10-17",' : '"Version":"2012-10-17",'
    const content = ownLine ? `${newLine(style.unit)}${version}` : `${version}${style ? ' ' : ''}`
    edits.push({ offset: root.offset + 1, length: 0, content })
  }
  if (statements.type === 'object') {
    const indent = indentAt(text, statements.offset)
    const content =
      sidOf(statements) === RUNPOD_STATEMENT_SID
        ? render(indent)
        : `[${text.slice(statements.offset, end(statements))},${newLine(indent)}${render(indent)}]`
    edits.push({ offset: statements.offset, length: statements.length, content })
    return applyEdits(text, edits)
  }
  const children = statements.children ?? []
  const ours = children.filter((child) => sidOf(child) === RUNPOD_STATEMENT_SID)
  const [first, ...again] = ours
  if (first) {
    edits.push({ offset: first.offset, length: first.length, content: render(indentAt(text, first.offset)) })
    // Later copies of our Sid (RPD008) go, with the comma and space before each.
    for (const copy of again) {
      const before = children[children.indexOf(copy) - 1]
      const from = before ? end(before) : copy.offset
      edits.push({ offset: from, length: end(copy) - from, content: '' })
    }
  } else {
    const last = children.at(-1)
    if (last) {
      const indent = indentAt(text, last.offset)
      edits.push({ offset: end(last), length: 0, content: `,${newLine(indent)}${render(indent)}` })
    } else {
      const outer = indentAt(text, statements.offset)
      const inner = outer + (style?.unit ?? '')
      edits.push({
        offset: statements.offset + 1,
        length: 0,
        content: `${newLine(inner)}${render(inner)}${newLine(outer)}`
      })
    }
  }
  return applyEdits(text, edits)
}

function end(node: Node): number {
  return node.offset + node.length
}

function sidOf(node: Node): unknown {
  return node.type === 'object' ? findNodeAtLocation(node, ['Sid'])?.value : undefined
}

/** The whitespace that starts the line holding `offset`. */
function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? ''
}

/** The text's own indentation unit and line ends; undefined for text on one line, where the statement goes compact. */
function styleOf(text: string): { readonly unit: string; readonly eol: string } | undefined {
  const unit = /\n([ \t]+)\S/.exec(text)?.[1]
  if (unit === undefined) return undefined
  return { unit: unit.startsWith('\t') ? '\t' : unit, eol: text.includes('\r\n') ? '\r\n' : '\n' }
}

/** The text itself when it fits ECR's limit, else the same tokens without whitespace (numbers stay as written). */
function fitted(text: string): string {
  if (text.length <= POLICY_MAX_CHARS) return text
  let compact = ''
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index)
    if (inString) {
      compact += char
      if (char === '\\') compact += text.charAt(++index)
      else if (char === '"') inString = false
    } else if (!/\s/.test(char)) {
      compact += char
      inString = char === '"'
    }
  }
  return compact
}

/** Refuses a merged policy that ECR would reject or that stays unsafe or ungranted. */
function checked(
  policyText: string,
  statement: RunpodStatement,
  principals: readonly string[],
  policyName: string
): MergeResult {
  if (policyText.length > POLICY_MAX_CHARS) {
    throw new ActionError(
      `Adding the ${RUNPOD_STATEMENT_SID} statement would make ${policyName} ${withThousands(policyText.length)} characters long, over ECR's limit of ${withThousands(POLICY_MAX_CHARS)}. Remove or merge statements in the repository policy, then re-run.`
    )
  }
  const review = reviewPolicy(policyText, FILE, principals)
  const errors = review.findings.filter(isError)
  if (errors.length > 0) {
    throw new ActionError(
      `${capitalise(policyName)} would still be unsafe or not grant Runpod pull after adding the ${RUNPOD_STATEMENT_SID} statement, so it was not written: ${describe(errors)}. Change those statements in the repository policy, then re-run.`
    )
  }
  return { changed: true, policyText, statement, review }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function isError(finding: Finding): boolean {
  return finding.severity === 'error'
}

function describe(findings: readonly Finding[]): string {
  return findings.map((finding) => `${finding.rule}: ${finding.message}`).join(' ')
}

/**
 * Whether the policy read back after a write still holds everything that was written: the grant, and every
 * statement of `written` by meaning (AWS rewrites what it stores: key order, whitespace, account ids as
 * `:root` ARNs, one-element arrays as strings). False when another writer replaced the policy in between.
 */
export function keepsWrittenPolicy(stored: string, written: string, principals: readonly string[]): boolean {
  if (!analyzePolicies([repositoryPolicy(parsePolicy(stored))], principals).pullable) return false
  const have = canonicalStatements(stored)
  return canonicalStatements(written).every((statement) => {
    const index = have.indexOf(statement)
    if (index < 0) return false
    have.splice(index, 1)
    return true
  })
}

function canonicalStatements(text: string): string[] {
  const statements = (JSON.parse(text) as { Statement?: unknown }).Statement
  return (Array.isArray(statements) ? statements : [statements]).map((statement) =>
    JSON.stringify(canonical(statement))
  )
}

/** The JSON with sorted keys, one-element arrays as their element, and bare account ids as root ARNs. */
function canonical(value: unknown, key?: string): unknown {
  if (Array.isArray(value))
    return value.length === 1 ? canonical(value[0], key) : value.map((item) => canonical(item, key))
  if (typeof value === 'string' && key === 'AWS' && isAccountId(value)) return accountRootArn(value)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((name) => [name, canonical((value as Record<string, unknown>)[name], name)])
  )
}
