// The environment a pod, endpoint or template starts its container with, and the changes the `env` input makes
// to it. Runpod replaces `env` as a whole on a PATCH, so a change is applied to the env as Runpod reports it and
// the whole result is sent. Values are secrets until proven otherwise: nothing here puts one in a message.
import { ActionError } from '../errors.js'
import type { ContainerEnv } from './wire.js'

/** What the `env` input asks: variables to set (in input order) and variables to remove. */
export interface EnvChange {
  readonly set: ReadonlyMap<string, string>
  readonly remove: ReadonlySet<string>
}

/** Key names only: what a deploy changes of an env, for the log, the summary and the outputs. */
export interface EnvDiff {
  readonly added: readonly string[]
  readonly changed: readonly string[]
  readonly removed: readonly string[]
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
/** A Runpod secret reference, sent as written: Runpod puts the secret's value in at start. */
const SECRET_REFERENCE = /^\{\{\s*RUNPOD_SECRET_[^\s{}]+\s*\}\}$/
/** A key one of whose `_`-separated words names a secret, or that ends in KEY. */
const SECRET_WORDS = new Set(['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'CREDENTIAL', 'CREDENTIALS'])

/**
 * The `env` input: `KEY=VALUE` sets (the value is everything after the first `=`), `-KEY` removes, blank lines
 * are skipped but counted. A bad line, or a key given twice, is named by its line number, never its value.
 */
export function parseEnvInput(raw: string): EnvChange {
  const set = new Map<string, string>()
  const remove = new Set<string>()
  const seen = new Map<string, number>()
  raw.split(/\r?\n/).forEach((line, index) => {
    const number = index + 1
    if (line.trim() === '') return
    const trimmed = line.trimStart()
    const removal = trimmed.startsWith('-')
    const eq = trimmed.indexOf('=')
    const key = removal ? trimmed.slice(1).trim() : eq > 0 ? trimmed.slice(0, eq).trim() : ''
    if (!KEY.test(key) || (removal && eq >= 0)) {
      throw new ActionError(
        `Input 'env', line ${number}, is not KEY=VALUE or -KEY (a key is letters, digits and _, not starting with a digit). Fix that line; its value is not shown here, as env values may be secrets.`
      )
    }
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      throw new ActionError(
        `Input 'env' names ${key} twice, on lines ${earlier} and ${number}: keep one of them, since which should win is not clear.`
      )
    }
    seen.set(key, number)
    if (removal) remove.add(key)
    else set.set(key, trimmed.slice(eq + 1))
  })
  return { set, remove }
}

export function isSecretReference(value: string): boolean {
  return SECRET_REFERENCE.test(value.trim())
}

export function looksLikeSecretKey(key: string): boolean {
  const upper = key.toUpperCase()
  return upper.endsWith('KEY') || upper.split('_').some((word) => SECRET_WORDS.has(word))
}

/** The env after the change, and which keys it adds, changes and removes. */
export function applyEnvChange(current: ContainerEnv, change: EnvChange): { env: ContainerEnv; diff: EnvDiff } {
  const env: Record<string, string> = { ...current }
  const added: string[] = []
  const changed: string[] = []
  const removed: string[] = []
  for (const key of change.remove) {
    if (key in env) {
      delete env[key]
      removed.push(key)
    }
  }
  for (const [key, value] of change.set) {
    if (!(key in current)) added.push(key)
    else if (current[key] !== value) changed.push(key)
    env[key] = value
  }
  return { env, diff: { added, changed, removed } }
}

export function isEmptyDiff(diff: EnvDiff): boolean {
  return diff.added.length + diff.changed.length + diff.removed.length === 0
}

export function sameEnv(a: ContainerEnv, b: ContainerEnv): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && a[key] === b[key])
}

/** A diff in words, key names only: `added A, B; changed C; removed D`. */
export function describeEnvDiff(diff: EnvDiff): string {
  return [
    diff.added.length > 0 ? `added ${diff.added.join(', ')}` : '',
    diff.changed.length > 0 ? `changed ${diff.changed.join(', ')}` : '',
    diff.removed.length > 0 ? `removed ${diff.removed.join(', ')}` : ''
  ]
    .filter(Boolean)
    .join('; ')
}
