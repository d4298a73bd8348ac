// Whether a statement's conditions hold for Runpod's pull, as IAM evaluates them, from what is known of
// that request offline (SPEC, "How Runpod's pull is judged"). Runpod pulls with an assumed-role session of
// its deployment role, from its own account, outside the customer's organization and network.
import { arnParts, iamAccountOf } from '../aws/arn.js'
import type { ConditionEntry } from './document.js'
import { isLiteralOperator, valueMatcher } from './operators.js'

/** IAM's answer offline: `unknown` when it depends on request values that cannot be known here. */
export type Truth = 'yes' | 'no' | 'unknown'

/**
 * What the request carries for a condition key:
 * - `known`: these values;
 * - `absent`: the key is not in the request;
 * - `foreign`: absent, or present with a value that equals nothing the customer's policy names (Runpod is
 *   not in the customer's organization);
 * - `unknown`: anything at all.
 */
export type ContextValue =
  | { readonly kind: 'known'; readonly values: readonly string[] }
  | { readonly kind: 'absent' }
  | { readonly kind: 'foreign' }
  | { readonly kind: 'unknown' }

const ABSENT_KEYS = new Set(['aws:sourcevpce', 'aws:sourcevpc', 'aws:vpcsourceip'])
const FOREIGN_KEYS = new Set(['aws:principalorgid', 'aws:principalorgpaths'])

/** The request context of a pull by a session of `principal` (a role ARN), key by key. */
export function pullContext(key: string, principal: string): ContextValue {
  const name = key.toLowerCase()
  if (name === 'aws:principalarn') return { kind: 'known', values: [principal] }
  if (name === 'aws:principalaccount') {
    const account = iamAccountOf(principal)
    return account === undefined ? { kind: 'unknown' } : { kind: 'known', values: [account] }
  }
  if (name === 'aws:principaltype') return { kind: 'known', values: ['AssumedRole'] }
  if (ABSENT_KEYS.has(name)) return { kind: 'absent' }
  if (FOREIGN_KEYS.has(name)) return { kind: 'foreign' }
  return { kind: 'unknown' }
}

/** Every entry must hold (operators and keys are ANDed); the values of one entry are ORed. */
export function conditionsHold(entries: readonly ConditionEntry[], principal: string): Truth {
  return all(entries.map((entry) => entryHolds(entry, pullContext(entry.key, principal))))
}

/** Three-valued AND: `no` wins, then `unknown`. */
export function all(truths: readonly Truth[]): Truth {
  if (truths.includes('no')) return 'no'
  return truths.includes('unknown') ? 'unknown' : 'yes'
}

/** One operator on one key, for the request value(s) `context`. */
export function entryHolds(entry: ConditionEntry, context: ContextValue): Truth {
  switch (context.kind) {
    case 'unknown':
      return 'unknown'
    case 'absent':
      return whenAbsent(entry)
    case 'known':
      return whenPresent(entry, context.values)
    case 'foreign': {
      // Either absent or present with a value the policy does not name: decided only when both agree.
      const absent = whenAbsent(entry)
      const present = whenForeign(entry)
      return absent === present ? absent : 'unknown'
    }
  }
}

/** IAM on a key the request lacks: `Null` tests presence, `…IfExists` and negated operators hold. */
function whenAbsent(entry: ConditionEntry): Truth {
  if (entry.base === 'Null') return nullHolds(entry, false)
  if (entry.ifExists) return 'yes'
  // A set operator over no values: "all" holds vacuously, "any" does not.
  if (entry.qualifier === 'ForAllValues') return 'yes'
  if (entry.qualifier === 'ForAnyValue') return 'no'
  return entry.negated ? 'yes' : 'no'
}

function whenPresent(entry: ConditionEntry, values: readonly string[]): Truth {
  if (entry.base === 'Null') return nullHolds(entry, true)
  const match = valueMatcher(entry.base)
  if (!match) return 'unknown'
  // The request values here are single-valued, where ForAnyValue and ForAllValues reduce to the plain operator.
  const matched = values.some((value) => entry.values.some((pattern) => match(pattern.value, value)))
  // What an ARN operator does with a value that is not an ARN (in the request or the policy) is not
  // documented: unless an ARN matched, that is not decided here.
  const notArn = (text: string) => arnParts(text) === undefined
  if (!matched && entry.base.startsWith('Arn') && (values.some(notArn) || entry.values.some((v) => notArn(v.value)))) {
    return 'unknown'
  }
  return matched !== entry.negated ? 'yes' : 'no'
}

/** A present value that equals nothing the policy names: decided only for operators that compare literally. */
function whenForeign(entry: ConditionEntry): Truth {
  if (entry.base === 'Null') return nullHolds(entry, true)
  const literal =
    isLiteralOperator(entry.base) ||
    (/^String(Not)?Like$/.test(entry.base) && entry.values.every((v) => !/[*?]/.test(v.value)))
  if (!literal) return 'unknown'
  return entry.negated ? 'yes' : 'no'
}

/** `Null: true` holds when the key is absent, `Null: false` when present; several values are ORed. */
function nullHolds(entry: ConditionEntry, present: boolean): Truth {
  const wanted = entry.values.map((value) => value.value.toLowerCase())
  if (wanted.length === 0 || wanted.some((value) => value !== 'true' && value !== 'false')) return 'unknown'
  return wanted.includes(present ? 'false' : 'true') ? 'yes' : 'no'
}
