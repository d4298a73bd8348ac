// Adding Runpod's statement to a repository policy without disturbing anything else: the statement is
// inserted into the text (jsonc-parser's modify/applyEdits), so every other byte stays as it was
// (formatting, key order, numbers beyond 2^53); the text is compacted only when ECR's limit needs it.
import { applyEdits, findNodeAtLocation, modify, parseTree, type FormattingOptions, type Node } from 'jsonc-parser'
import { ActionError } from '../errors.js'
import { parsePolicy, type PolicyStatement } from './document.js'
import { analyzeDocument, pullVerdicts } from './grant.js'
import { lintPolicy, POLICY_MAX_CHARS, type Finding } from './lint.js'
import { RUNPOD_STATEMENT_SID, runpodExemption, runpodStatement, type RunpodStatement } from './runpod-statement.js'

export interface MergeResult {
  readonly changed: boolean
  readonly policyText: string
  readonly statement: RunpodStatement
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
  const statement = runpodStatement(principals)
  const policyName = repository === undefined ? 'the ECR repository policy' : `the repository policy of ${repository}`
  if (existing === undefined || existing.trim() === '') {
    return checked(
      {
        changed: true,
        policyText: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }, null, 2),
        statement
      },
      principals,
      policyName
    )
  }
  const doc = parsePolicy(existing)
  if (doc.problems.length > 0) {
    throw new ActionError(
      `${capitalise(policyName)} is not a valid policy document (${describe(lintPolicy(existing, FILE, principals).filter((finding) => finding.rule === 'RPD007'))}). Fix or delete the repository policy (aws ecr set-repository-policy / delete-repository-policy), then re-run.`
    )
  }
  refuseDeniedPull(existing, principals, policyName)
  if (analyzeDocument(doc, principals).pullable && !lintPolicy(existing, FILE, principals).some(isError)) {
    return { changed: false, policyText: existing, statement }
  }
  return checked(
    { changed: true, policyText: fitted(withStatement(existing, statement)), statement },
    principals,
    policyName
  )
}

/**
 * Fails when a Deny statement takes Runpod's pull away: no Allow can undo it, and the action never edits a
 * Deny, so the message names each such statement and the exemption to add to it.
 */
export function refuseDeniedPull(text: string, principals: readonly string[], policyName: string): void {
  const byStatement = new Map<PolicyStatement, { principals: Set<string>; actions: Set<string> }>()
  for (const { principal, actions } of pullVerdicts(parsePolicy(text), principals)) {
    for (const { action, verdict } of actions) {
      if (verdict.kind !== 'denied') continue
      const entry = byStatement.get(verdict.by) ?? { principals: new Set(), actions: new Set() }
      entry.principals.add(principal)
      entry.actions.add(action)
      byStatement.set(verdict.by, entry)
    }
  }
  if (byStatement.size === 0) return
  const denials = [...byStatement].map(
    ([statement, entry]) =>
      `statement "${statement.label}" (line ${statement.line}) denies ${[...entry.actions].join(', ')} to ${[...entry.principals].join(', ')}`
  )
  throw new ActionError(
    `${capitalise(policyName)} denies Runpod's pull, so the image could never be pulled: ${denials.join('; ')}. The action never edits a Deny statement: exempt the Runpod roles inside it by adding ${runpodExemption(principals)} to its "Condition", then rerun.`
  )
}

/** The policy text with our statement in place of any earlier copy of it, or appended to `Statement`. */
function withStatement(text: string, statement: RunpodStatement): string {
  const formattingOptions = formattingOf(text)
  const options = formattingOptions ? { formattingOptions } : {}
  const edit = (current: string, path: (string | number)[], value: unknown, insert = false) =>
    applyEdits(current, modify(current, path, value, { ...options, isArrayInsertion: insert }))

  let result = text
  const root = parseTree(result)
  if (root && findNodeAtLocation(root, ['Version']) === undefined) {
    result = applyEdits(result, modify(result, ['Version'], '2012-10-17', { ...options, getInsertionIndex: () => 0 }))
  }
  let statements = statementNode(result)
  if (statements?.type === 'object') {
    // A single statement object becomes the first element of an array, its text unchanged.
    const original = result.slice(statements.offset, statements.offset + statements.length)
    result = `${result.slice(0, statements.offset)}[${original}]${result.slice(statements.offset + statements.length)}`
    statements = statementNode(result)
  }
  if (statements?.type !== 'array') return edit(result, ['Statement'], [statement])
  const ours = (statements.children ?? []).flatMap((child, index) =>
    sidOf(child) === RUNPOD_STATEMENT_SID ? [index] : []
  )
  const [first, ...again] = ours
  // Later copies of our Sid (RPD008) go, from the end so the indexes stay right; the first is replaced in place.
  for (const index of again.reverse()) result = edit(result, ['Statement', index], undefined)
  if (first !== undefined) return edit(result, ['Statement', first], statement)
  return edit(result, ['Statement', statements.children?.length ?? 0], statement, true)
}

function statementNode(text: string): Node | undefined {
  const root = parseTree(text)
  return root && findNodeAtLocation(root, ['Statement'])
}

function sidOf(node: Node): unknown {
  return node.type === 'object' ? findNodeAtLocation(node, ['Sid'])?.value : undefined
}

/** The text's own indentation and line ends; undefined for text on one line, where the statement is added compact. */
function formattingOf(text: string): FormattingOptions | undefined {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1]
  if (indent === undefined) return undefined
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  return indent.startsWith('\t')
    ? { insertSpaces: false, tabSize: 1, eol }
    : { insertSpaces: true, tabSize: indent.length, eol }
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
function checked(result: MergeResult, principals: readonly string[], policyName: string): MergeResult {
  const { policyText } = result
  if (policyText.length > POLICY_MAX_CHARS) {
    throw new ActionError(
      `Adding the ${RUNPOD_STATEMENT_SID} statement would make ${policyName} ${policyText.length.toLocaleString('en-US')} characters long, over ECR's limit of ${POLICY_MAX_CHARS.toLocaleString('en-US')}. Remove or merge statements in the repository policy, then re-run.`
    )
  }
  const errors = lintPolicy(policyText, FILE, principals).filter(isError)
  if (errors.length > 0) {
    throw new ActionError(
      `${capitalise(policyName)} would still be unsafe or not grant Runpod pull after adding the ${RUNPOD_STATEMENT_SID} statement, so it was not written: ${describe(errors)}. Change those statements in the repository policy, then re-run.`
    )
  }
  return result
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
