import type { Node, ParseError } from 'jsonc-parser'
// The parser alone: jsonc-parser's main module also loads its formatter, whose tables of indentation strings
// cost every lint a few milliseconds and a garbage collection at start.
import { getNodeValue, parseTree } from 'jsonc-parser/lib/umd/impl/parser.js'
import { accountRootArn, isAccountId } from '../aws/arn.js'
import { parseOperator } from './operators.js'

/** 1-based line and column of an element in the policy text, so findings can point at it. */
export interface Position {
  readonly line: number
  readonly column: number
}

export interface Located<T> extends Position {
  readonly value: T
}

/** One principal value, normalised: `"*"` is `{AWS: "*"}`, an account id is its `:root` ARN. */
export interface PrincipalValue extends Located<string> {
  readonly type: string
}

/** A `Principal`/`NotPrincipal`, `Action`/`NotAction` or `Resource` element: its position and its values. */
export interface ListElement<T> extends Position {
  readonly values: readonly T[]
}

/** One `operator: {key: values}` pair of a `Condition` block, with the operator taken apart. */
export interface ConditionEntry extends Position {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string
  /** The operator without qualifier and IfExists, in canonical case, e.g. `StringLike`. */
  readonly base: string
  readonly ifExists: boolean
  readonly qualifier: 'ForAnyValue' | 'ForAllValues' | undefined
  readonly negated: boolean
  /** The condition key as written; keys compare case-insensitively. */
  readonly key: string
  readonly keyPosition: Position
  readonly values: readonly Located<string>[]
}

export interface PolicyStatement extends Position {
  /** 0-based index in `Statement`. */
  readonly index: number
  /** The Sid, or `statement N` (1-based) when there is none: how messages name the statement. */
  readonly label: string
  readonly sid: Located<string> | undefined
  readonly effect: Located<'Allow' | 'Deny'> | undefined
  readonly principal: ListElement<PrincipalValue> | undefined
  readonly notPrincipal: ListElement<PrincipalValue> | undefined
  readonly action: ListElement<Located<string>> | undefined
  readonly notAction: ListElement<Located<string>> | undefined
  /** Which resources the statement is about: a repository policy's are its repository, a registry policy's name them. */
  readonly resource: ListElement<Located<string>> | undefined
  readonly notResource: ListElement<Located<string>> | undefined
  readonly conditions: readonly ConditionEntry[]
}

export interface PolicyProblem extends Position {
  readonly message: string
}

export interface PolicyDocument {
  /** The parsed JSON value; undefined when the text is not JSON. */
  readonly json: unknown
  readonly version: Located<string> | undefined
  readonly statementElement: Position | undefined
  readonly statements: readonly PolicyStatement[]
  /** Structural problems that make the text something ECR would reject (RPD007). */
  readonly problems: readonly PolicyProblem[]
}

/** What each of jsonc-parser's ParseErrorCode values means, said for the line and column a finding points at. */
const JSON_SYNTAX_ERRORS: Readonly<Record<number, string>> = {
  1: 'a character that starts no JSON value',
  2: 'a malformed number',
  3: 'a property name in double quotes is expected here',
  4: 'a value is expected here',
  5: 'a colon is expected here',
  6: 'a comma is expected here',
  7: 'a closing brace is expected here',
  8: 'a closing bracket is expected here',
  9: 'text after the end of the document',
  10: 'a comment, which a policy may not have',
  11: 'a comment that does not end',
  12: 'a string that does not end',
  13: 'a number that does not end',
  14: 'an invalid \\u escape',
  15: 'an invalid escape character',
  16: 'a control character in a string'
}

const TOP_LEVEL_ELEMENTS = new Set(['Version', 'Id', 'Statement'])
const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition'
])
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser'])
const VERSIONS = new Set(['2012-10-17', '2008-10-17'])

/** Parses a repository policy text. Never throws: what is wrong with the text comes back as `problems`. */
export function parsePolicy(text: string): PolicyDocument {
  const at = positionFinder(text)
  const problems: PolicyProblem[] = []
  const problem = (offset: number, message: string) => problems.push({ ...at(offset), message })

  const errors: ParseError[] = []
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false })
  if (errors.length > 0 || root === undefined) {
    const first = errors[0]
    problem(
      first?.offset ?? 0,
      `The policy is not valid JSON: ${first ? (JSON_SYNTAX_ERRORS[first.error] ?? 'a syntax error') : 'the text is empty'}.`
    )
    return { json: undefined, version: undefined, statementElement: undefined, statements: [], problems }
  }
  const json: unknown = getNodeValue(root)
  if (root.type !== 'object') {
    problem(root.offset, 'The policy must be a JSON object with "Version" and "Statement".')
    return { json, version: undefined, statementElement: undefined, statements: [], problems }
  }

  const top = properties(root, 'policy', TOP_LEVEL_ELEMENTS, problem)
  let version: Located<string> | undefined
  const versionNode = top.get('Version')
  if (versionNode) {
    const value = valueOf(versionNode)
    if (value?.type === 'string' && VERSIONS.has(value.value as string)) {
      version = { ...at(value.offset), value: value.value as string }
    } else {
      problem(
        versionNode.offset,
        `"Version" must be "2012-10-17" (or the legacy "2008-10-17"), not ${jsonText(value)}.`
      )
    }
  }

  const statementNode = top.get('Statement')
  if (!statementNode) {
    problem(
      root.offset,
      'The policy has no "Statement" element: add "Statement": [ ... ] with at least the Runpod pull statement.'
    )
    return { json, version, statementElement: undefined, statements: [], problems }
  }
  const statementValue = valueOf(statementNode)
  const statementNodes =
    statementValue?.type === 'array'
      ? (statementValue.children ?? [])
      : statementValue?.type === 'object'
        ? [statementValue]
        : []
  if (statementValue?.type !== 'array' && statementValue?.type !== 'object') {
    problem(statementNode.offset, '"Statement" must be an object or an array of objects.')
  }

  const statements: PolicyStatement[] = []
  statementNodes.forEach((node, index) => {
    if (node.type !== 'object') {
      problem(node.offset, `Statement ${index + 1} must be a JSON object.`)
      return
    }
    statements.push(parseStatement(node, index, { at, problem }))
  })
  return { json, version, statementElement: at(statementNode.offset), statements, problems }
}

type Report = (offset: number, message: string) => void

/** What every element parser needs: offsets to positions, and where to report problems. */
interface Context {
  readonly at: (offset: number) => Position
  readonly problem: Report
}

function parseStatement(node: Node, index: number, context: Context): PolicyStatement {
  const { at, problem } = context
  const fallbackLabel = `statement ${index + 1}`
  const sidNode = valueOf(node.children?.find((child) => keyOf(child) === 'Sid'))
  const title = sidNode?.type === 'string' ? `statement "${String(sidNode.value)}"` : fallbackLabel
  const elements = properties(node, title, STATEMENT_ELEMENTS, problem)
  const where = (name: string) => `${name} of ${title}`

  let sid: Located<string> | undefined
  const sidProperty = elements.get('Sid')
  if (sidProperty) {
    const value = valueOf(sidProperty)
    if (value?.type === 'string') sid = { ...at(sidProperty.offset), value: value.value as string }
    else problem(sidProperty.offset, `"Sid" of ${fallbackLabel} must be a string.`)
  }

  let effect: PolicyStatement['effect']
  const effectProperty = elements.get('Effect')
  const effectValue = valueOf(effectProperty)
  if (effectValue?.type === 'string' && (effectValue.value === 'Allow' || effectValue.value === 'Deny')) {
    effect = { ...at(effectProperty?.offset ?? node.offset), value: effectValue.value }
  } else if (effectProperty) {
    problem(effectProperty.offset, `${where('"Effect"')} must be "Allow" or "Deny", not ${jsonText(effectValue)}.`)
  } else {
    problem(node.offset, `${where('"Effect"')} is missing: add "Effect": "Allow" or "Deny".`)
  }

  const principal = principalElement(elements.get('Principal'), where('"Principal"'), context)
  const notPrincipal = principalElement(elements.get('NotPrincipal'), where('"NotPrincipal"'), context)
  if (!principal && !notPrincipal) {
    problem(
      node.offset,
      `${where('"Principal"')} is missing: a repository policy statement must say who it applies to.`
    )
  } else if (principal && notPrincipal) {
    problem(node.offset, `${title} has both "Principal" and "NotPrincipal": keep one.`)
  }

  const action = stringList(elements.get('Action'), where('"Action"'), context)
  const notAction = stringList(elements.get('NotAction'), where('"NotAction"'), context)
  if (!action && !notAction) {
    problem(node.offset, `${where('"Action"')} is missing: list the ECR actions the statement allows or denies.`)
  } else if (action && notAction) {
    problem(node.offset, `${title} has both "Action" and "NotAction": keep one.`)
  }
  const resource = stringList(elements.get('Resource'), where('"Resource"'), context)
  const notResource = stringList(elements.get('NotResource'), where('"NotResource"'), context)
  if (resource && notResource) problem(node.offset, `${title} has both "Resource" and "NotResource": keep one.`)

  return {
    ...at(node.offset),
    index,
    label: sid ? sid.value : fallbackLabel,
    sid,
    effect,
    principal,
    notPrincipal,
    action,
    notAction,
    resource,
    notResource,
    conditions: conditionEntries(elements.get('Condition'), where('"Condition"'), context)
  }
}

function principalElement(
  property: Node | undefined,
  name: string,
  context: Context
): ListElement<PrincipalValue> | undefined {
  const { at, problem } = context
  if (!property) return undefined
  const value = valueOf(property)
  if (value?.type === 'string') {
    if (value.value !== '*') {
      problem(value.offset, `${name} must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:role/NAME"}.`)
      return { ...at(property.offset), values: [] }
    }
    return { ...at(property.offset), values: [{ ...at(value.offset), type: 'AWS', value: '*' }] }
  }
  if (value?.type !== 'object') {
    problem(property.offset, `${name} must be "*" or an object such as {"AWS": [...]}.`)
    return { ...at(property.offset), values: [] }
  }
  const values: PrincipalValue[] = []
  for (const entry of value.children ?? []) {
    const type = keyOf(entry) ?? ''
    if (!PRINCIPAL_TYPES.has(type)) {
      problem(
        entry.offset,
        `${name} has an unknown principal type "${type}": use AWS, Service, Federated or CanonicalUser.`
      )
      continue
    }
    for (const item of stringList(entry, `${name} ${type}`, context)?.values ?? []) {
      const normalised = type === 'AWS' && isAccountId(item.value) ? accountRootArn(item.value) : item.value
      values.push({ ...item, type, value: normalised })
    }
  }
  return { ...at(property.offset), values }
}

function stringList(
  property: Node | undefined,
  name: string,
  context: Context
): ListElement<Located<string>> | undefined {
  const { at, problem } = context
  if (!property) return undefined
  const value = valueOf(property)
  const items = value?.type === 'array' ? (value.children ?? []) : value ? [value] : []
  const values: Located<string>[] = []
  for (const item of items) {
    if (item.type === 'string') values.push({ ...at(item.offset), value: item.value as string })
    else problem(item.offset, `${name} must hold strings only, not ${jsonText(item)}.`)
  }
  if (value?.type === 'array' && items.length === 0) problem(property.offset, `${name} must not be empty.`)
  return { ...at(property.offset), values }
}

function conditionEntries(property: Node | undefined, name: string, context: Context): ConditionEntry[] {
  const { at, problem } = context
  if (!property) return []
  const block = valueOf(property)
  if (block?.type !== 'object') {
    problem(
      property.offset,
      `${name} must be an object of operators, e.g. {"StringEquals": {"aws:PrincipalArn": "..."}}.`
    )
    return []
  }
  const entries: ConditionEntry[] = []
  for (const operatorProperty of block.children ?? []) {
    const operator = keyOf(operatorProperty) ?? ''
    const parsed = parseOperator(operator)
    if (!parsed) {
      problem(
        operatorProperty.offset,
        `${name} uses the unknown condition operator "${operator}" (for example StringEquals, StringLike, ArnLike).`
      )
      continue
    }
    const keys = valueOf(operatorProperty)
    if (keys?.type !== 'object') {
      problem(operatorProperty.offset, `${name}: "${operator}" must map condition keys to values.`)
      continue
    }
    for (const keyProperty of keys.children ?? []) {
      const valueNode = valueOf(keyProperty)
      const items = valueNode?.type === 'array' ? (valueNode.children ?? []) : valueNode ? [valueNode] : []
      const values: Located<string>[] = []
      for (const item of items) {
        if (item.type === 'string' || item.type === 'number' || item.type === 'boolean') {
          values.push({ ...at(item.offset), value: String(item.value) })
        } else {
          problem(item.offset, `${name}: values of "${operator}" must be strings, numbers or booleans.`)
        }
      }
      entries.push({
        ...at(operatorProperty.offset),
        operator,
        ...parsed,
        key: keyOf(keyProperty) ?? '',
        keyPosition: at(keyProperty.offset),
        values
      })
    }
  }
  return entries
}

/** Object properties by name; reports unknown and repeated names (AWS rejects both). */
function properties(object: Node, name: string, known: ReadonlySet<string>, problem: Report): Map<string, Node> {
  const found = new Map<string, Node>()
  for (const property of object.children ?? []) {
    const key = keyOf(property) ?? ''
    if (!known.has(key)) {
      problem(
        property.offset,
        `The ${name} has the unknown element "${key}" (allowed: ${[...known].join(', ')}; names are case-sensitive).`
      )
    } else if (found.has(key)) {
      problem(property.offset, `The ${name} has "${key}" twice: keep one.`)
    } else {
      found.set(key, property)
    }
  }
  return found
}

function keyOf(property: Node | undefined): string | undefined {
  const key = property?.children?.[0]
  return key?.type === 'string' ? (key.value as string) : undefined
}

function valueOf(property: Node | undefined): Node | undefined {
  return property?.children?.[1]
}

function jsonText(node: Node | undefined): string {
  return node === undefined ? 'nothing' : JSON.stringify(getNodeValue(node))
}

/** Maps a character offset to a 1-based line and column. */
export function positionFinder(text: string): (offset: number) => Position {
  const lineStarts = [0]
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch === 10) lineStarts.push(i + 1)
    else if (ch === 13 && text.charCodeAt(i + 1) !== 10) lineStarts.push(i + 1)
  }
  return (offset) => {
    let low = 0
    let high = lineStarts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((lineStarts[mid] ?? 0) <= offset) low = mid
      else high = mid - 1
    }
    return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 }
  }
}
