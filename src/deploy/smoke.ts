// Proving a rolled-out endpoint works: one job through Runpod's queue, which must complete (and return the
// expected output) within smoke-timeout. The waiting does the requests; judgeJob and outputMatches decide.
import { setTimeout as sleepFor } from 'node:timers/promises'
import { errorMessage } from '../errors.js'
import type { SmokeInputs } from '../inputs.js'
import { RunpodApiError } from '../runpod/errors.js'
import type { JobClient } from '../runpod/jobs.js'
import type { Job } from '../runpod/wire.js'
import { afterGrace, CANCEL_GRACE_MS } from './cancel.js'
import type { Logger } from './log.js'

export interface SmokeResult {
  readonly passed: boolean
  /** Absent when no job was created. */
  readonly jobId?: string
  /** The job's last status, as Runpod reported it. */
  readonly status?: string
  readonly error?: string
  readonly executionTimeMs?: number
  /** The output, shortened for the log and summary. */
  readonly output?: string
  /** Why it failed. */
  readonly reason?: string
}

const PENDING = new Set(['IN_QUEUE', 'IN_PROGRESS'])
const OUTPUT_SHOWN = 300
/** Nesting shown of a job's output; deeper values show as `[…]` or `{…}`. */
const OUTPUT_DEPTH = 20
/** The whole output at debug level, still bounded. */
const OUTPUT_DEBUG = 20_000
const ANSWER_MARGIN_MS = 2_000
/** Cancelling a job at smoke-timeout; after a cancelled run only the grace is left. */
const CANCEL_BUDGET_MS = 5_000
/** Status polls after runsync answered that the job still runs: the first after 1 s, growing to 5 s. */
const POLL_INITIAL_MS = 1_000
const POLL_MAX_MS = 5_000

export type JobVerdict =
  { readonly state: 'pending' } | { readonly state: 'passed' } | { readonly state: 'failed'; readonly reason: string }

/** Where a smoke job stands: still queued or running, completed as expected, or failed and why. */
export function judgeJob(job: Job, expected: unknown): JobVerdict {
  if (PENDING.has(job.status)) return { state: 'pending' }
  if (job.status !== 'COMPLETED')
    return { state: 'failed', reason: `job ${job.id} ended ${job.status}${job.error ? `: ${job.error}` : ''}` }
  if (expected !== undefined && !outputMatches(job.output, expected)) {
    return {
      state: 'failed',
      reason: `job ${job.id} completed, but its output ${shorten(job.output)} does not match 'smoke-expect' ${shorten(expected)}`
    }
  }
  return { state: 'passed' }
}

/** An object matches when every key it names matches, recursively; arrays and scalars match exactly. */
export function outputMatches(actual: unknown, expected: unknown): boolean {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return false
    return Object.entries(expected).every(([key, value]) => key in actual && outputMatches(actual[key], value))
  }
  return exactlyEqual(actual, expected)
}

function exactlyEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => exactlyEqual(v, b[i]))
  }
  if (isPlainObject(a) || isPlainObject(b)) {
    if (!isPlainObject(a) || !isPlainObject(b)) return false
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && exactlyEqual(a[key], b[key]))
  }
  return a === b
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * JSON, cut to a length the log and the summary can show. A job's output is anything a container returns
 * (nested thousands deep, megabytes long), so this never recurses past OUTPUT_DEPTH, keeps no more than
 * `max` characters, and cannot throw.
 */
export function shorten(value: unknown, max = OUTPUT_SHOWN): string {
  if (value === undefined) return '(none)'
  let shown = ''
  let length = 0
  const emit = (text: string) => {
    if (shown.length < max) shown += text.slice(0, max - shown.length)
    length += text.length
  }
  const walk = (node: unknown, depth: number): void => {
    if (typeof node !== 'object' || node === null) {
      emit(jsonScalar(node))
      return
    }
    const array = Array.isArray(node)
    if (depth >= OUTPUT_DEPTH) {
      emit(array ? '[…]' : '{…}')
      return
    }
    emit(array ? '[' : '{')
    const entries: [string, unknown][] = array ? node.map((item) => ['', item]) : Object.entries(node)
    entries.forEach(([key, item], index) => {
      if (index > 0) emit(',')
      if (!array) emit(`${JSON.stringify(key)}:`)
      walk(item, depth + 1)
    })
    emit(array ? ']' : '}')
  }
  walk(value, 0)
  return length > max ? `${shown}… (${length} characters)` : shown
}

function jsonScalar(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null'
  return 'null'
}

/** Sends the smoke job to a rolled-out endpoint and follows it until it ends or smoke-timeout is over. */
export async function runSmokeTest(
  jobs: JobClient,
  endpointId: string,
  smoke: SmokeInputs,
  log: Logger,
  signal?: AbortSignal
): Promise<SmokeResult> {
  const deadline = Date.now() + smoke.timeoutSeconds * 1000
  const budget = { deadline, ...(signal ? { signal } : {}) }
  const label = `endpoint ${endpointId} (smoke test)`
  let job: Job
  try {
    // Runpod holds runsync for `wait`: less than the time left, so its answer arrives before the deadline.
    // A cancel lets it answer within the grace, so that the job it names can be cancelled.
    const sendBudget = { deadline, ...(signal ? { signal: afterGrace(signal) } : {}) }
    const waitMs = deadline - Date.now() - ANSWER_MARGIN_MS
    log.info(`${label}: sending the smoke job (runsync; Runpod answers when it ends, or with its id after a wait).`)
    job = await jobs.runSync(endpointId, smoke.body, waitMs, sendBudget)
  } catch (error) {
    if (signal?.aborted) {
      log.warning(
        `${label}: the run was cancelled while Runpod held the smoke job's request (runsync), and the job's id never came back, so the action cannot cancel it: a smoke job may still be queued or running on endpoint ${endpointId}. Check the endpoint's requests in the Runpod console and cancel it there.`
      )
      return { passed: false, reason: "the run was cancelled before the smoke job's id came back" }
    }
    return { passed: false, reason: `the job could not be sent: ${errorMessage(error)}` }
  }
  log.info(`${label}: job ${job.id} ${job.status}`)
  let interval = POLL_INITIAL_MS
  for (;;) {
    const verdict = judgeJob(job, smoke.expect)
    if (verdict.state !== 'pending') {
      if (job.output !== undefined) log.debug(`${label}: job ${job.id} output: ${shorten(job.output, OUTPUT_DEBUG)}`)
      const result = describe(job, verdict.state === 'passed', verdict.state === 'failed' ? verdict.reason : undefined)
      log.info(
        `${label}: ${result.passed ? 'passed' : 'failed'}: job ${job.id} ${job.status}${job.executionTimeMs === null ? '' : ` in ${formatMs(job.executionTimeMs)}`}${result.passed ? '' : ` (${result.reason ?? ''})`}`
      )
      return result
    }
    const left = deadline - Date.now()
    if (left <= 0 || signal?.aborted) {
      const why = signal?.aborted
        ? 'the run was cancelled'
        : `still ${job.status} after ${smoke.timeoutSeconds} s (smoke-timeout)`
      // Left queued, it would hold a worker later, on whatever the endpoint then runs.
      const cancelMs = signal?.aborted ? CANCEL_GRACE_MS : CANCEL_BUDGET_MS
      await jobs.cancel(endpointId, job.id, { deadline: Date.now() + cancelMs }).then(
        () => log.info(`${label}: cancelled job ${job.id}.`),
        (error: unknown) => log.warning(`${label}: could not cancel job ${job.id}: ${errorMessage(error)}`)
      )
      return describe(job, false, `job ${job.id} ${why}`)
    }
    try {
      await sleepFor(Math.min(interval, left), undefined, signal ? { signal } : {})
    } catch {
      continue
    }
    interval = Math.min(POLL_MAX_MS, interval * 1.5)
    try {
      const next = await jobs.status(endpointId, job.id, budget)
      if (next.status !== job.status) log.info(`${label}: job ${job.id} ${next.status}`)
      job = next
    } catch (error) {
      if (error instanceof RunpodApiError && error.status === 404) {
        const reason = `Runpod does not know job ${job.id} (HTTP 404 on its status): its result expired, or the endpoint never took the job. Check the endpoint's workers and requests in the Runpod console; 'smoke-timeout' bounds how long a job may take.`
        log.info(`${label}: failed: ${reason}`)
        return describe(job, false, reason)
      }
      // Retries are spent: the next poll, or the deadline, decides.
      log.debug(`${label}: reading job ${job.id} failed: ${errorMessage(error)}`)
    }
  }
}

function describe(job: Job, passed: boolean, reason: string | undefined): SmokeResult {
  return {
    passed,
    jobId: job.id,
    status: job.status,
    ...(job.error ? { error: job.error } : {}),
    ...(job.executionTimeMs === null ? {} : { executionTimeMs: job.executionTimeMs }),
    ...(job.output === undefined ? {} : { output: shorten(job.output) }),
    ...(reason ? { reason } : {})
  }
}

/** A job's execution time as the log and the summary show it. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** The lines a failed smoke test adds to the target's diagnostics. */
export function smokeDiagnostics(result: SmokeResult): string[] {
  if (!result.jobId) return [`smoke test: ${result.reason ?? 'failed'}`]
  return [
    `smoke job ${result.jobId}: ${result.status ?? 'unknown'}`,
    ...(result.error ? [`error: ${result.error}`] : []),
    ...(result.executionTimeMs === undefined ? [] : [`execution time: ${formatMs(result.executionTimeMs)}`]),
    ...(result.output === undefined ? [] : [`output: ${result.output}`])
  ]
}
