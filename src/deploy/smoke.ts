// Proving a rolled-out endpoint works: one job through Runpod's queue, which must complete (and return the
// expected output) within smoke-timeout. The waiting does the requests; judgeJob and outputMatches decide.
import { setTimeout as sleepFor } from 'node:timers/promises'
import { errorMessage } from '../errors.js'
import type { SmokeInputs } from '../inputs.js'
import type { JobClient } from '../runpod/jobs.js'
import type { Job } from '../runpod/wire.js'
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
const ANSWER_MARGIN_MS = 2_000
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

/** JSON, cut to a length the log and the summary can show. */
export function shorten(value: unknown, max = OUTPUT_SHOWN): string {
  const text = value === undefined ? '(none)' : JSON.stringify(value)
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text
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
    job = await jobs.runSync(endpointId, smoke.body, deadline - Date.now() - ANSWER_MARGIN_MS, budget)
  } catch (error) {
    return { passed: false, reason: `the job could not be sent: ${errorMessage(error)}` }
  }
  log.info(`${label}: job ${job.id} ${job.status}`)
  let interval = POLL_INITIAL_MS
  for (;;) {
    const verdict = judgeJob(job, smoke.expect)
    if (verdict.state !== 'pending') {
      if (job.output !== undefined) log.debug(`${label}: job ${job.id} output: ${JSON.stringify(job.output)}`)
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
      await jobs.cancel(endpointId, job.id, { deadline: Date.now() + CANCEL_BUDGET_MS }).then(
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
