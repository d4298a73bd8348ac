// IAM condition operators: their names, qualifiers and negations, and how each compares values.
import { arnParts } from '../aws/arn.js'

const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null'
]
const OPERATOR_BY_LOWER = new Map(BASE_OPERATORS.map((name) => [name.toLowerCase(), name]))
const NEGATED_OPERATORS = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
  'ArnNotEquals',
  'ArnNotLike'
])

export interface ParsedOperator {
  readonly base: string
  readonly ifExists: boolean
  readonly qualifier: 'ForAnyValue' | 'ForAllValues' | undefined
  readonly negated: boolean
}

/** Takes a condition operator apart; undefined when IAM does not know it. */
export function parseOperator(operator: string): ParsedOperator | undefined {
  let rest = operator
  let qualifier: ParsedOperator['qualifier']
  const prefix = /^(ForAnyValue|ForAllValues):/i.exec(rest)
  if (prefix) {
    qualifier = prefix[1]?.toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues'
    rest = rest.slice(prefix[0].length)
  }
  const ifExists = /IfExists$/i.test(rest)
  if (ifExists) rest = rest.slice(0, -'IfExists'.length)
  const base = OPERATOR_BY_LOWER.get(rest.toLowerCase())
  if (base === undefined || (base === 'Null' && ifExists)) return undefined
  return { base, ifExists, qualifier, negated: NEGATED_OPERATORS.has(base) }
}

/**
 * How an operator compares one policy value with one request value; undefined for the operators whose
 * keys never describe Runpod's pull (numbers, dates, IP addresses, binary).
 */
export function valueMatcher(base: string): ((pattern: string, value: string) => boolean) | undefined {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return (pattern, value) => pattern === value
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return (pattern, value) => pattern.toLowerCase() === value.toLowerCase()
    case 'StringLike':
    case 'StringNotLike':
      return (pattern, value) => wildcardMatch(pattern, value, false)
    // IAM gives ArnEquals the same wildcards as ArnLike.
    case 'ArnEquals':
    case 'ArnNotEquals':
    case 'ArnLike':
    case 'ArnNotLike':
      return arnMatch
    default:
      return undefined
  }
}

/** Whether an operator compares values exactly, so that `*` and `?` in its values are plain characters. */
export function isLiteralOperator(base: string): boolean {
  return /^String(Not)?Equals(IgnoreCase)?$/.test(base)
}

/**
 * ARN operators: each of the six colon-separated parts is matched on its own, with `*` and `?` inside a part,
 * so a `*` never spans a colon. A value that is not an ARN matches nothing.
 */
function arnMatch(pattern: string, value: string): boolean {
  const patternParts = arnParts(pattern)
  const valueParts = arnParts(value)
  if (!patternParts || !valueParts) return false
  return patternParts.every((part, index) => wildcardMatch(part, valueParts[index] ?? '', false))
}

/** IAM wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\*?]/g, (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : `\\${ch}`))
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value)
}
