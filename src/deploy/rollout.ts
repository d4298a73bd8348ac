// Waiting until patched targets run the new image, and putting the old image back when they do not.
// The waiting does the requests; each decision (judgePod, judgeEndpoint) is a pure function of the
// patched target and what Runpod returned.
import { setTimeout as sleepFor } from 'node:timers/promises'
import { ActionError, errorMessage } from '../errors.js'
import type { RunpodClient } from '../runpod/client.js'
import { RunpodApiError } from '../runpod/errors.js'
import { patchTargetImage, type TargetKind, type TargetState } from '../runpod/targets.js'
import type { EndpointReleases, EndpointWorkers, Pod, Worker } from '../runpod/wire.js'
import type { Logger } from './log.js'

export type DeploymentStatus = 'rolled-out' | 'updated' | 'unchanged' | 'rolled-back' | 'failed' | 'planned'

export interface PatchedTarget {
  /** The target as it was before the patch. */
  readonly target: TargetState
  readonly image: string
  readonly patchedAt: Date
  /** Set when the patch also changed the registry credential: a rollback then restores the old one. */
  readonly registry?: string | null
}

export interface RolloutOptions {
  /** Bounds the whole wait, for all targets together. */
  readonly timeoutMs: number
  readonly rollback: boolean
  /** First poll this long after the patch; then the interval grows by half each poll up to pollMaxMs. */
  readonly pollInitialMs?: number
  readonly pollMaxMs?: number
  /** System log lines to show for a failed pod. */
  readonly logLines?: number
  readonly now?: () => number
  readonly sleep?: (ms: number) => Promise<void>
}

export interface RolloutOutcome {
  readonly kind: TargetKind
  readonly id: string
  readonly name: string
  readonly status: Extract<DeploymentStatus, 'rolled-out' | 'rolled-back' | 'failed'>
  readonly previousImage: string
  readonly image: string
  /** From the patch to the outcome. */
  readonly durationMs: number
  /** Why it failed, for `rolled-back` and `failed`. */
  readonly reason?: string
  /** Something the user should know about a success (an endpoint with no workers). */
  readonly note?: string
  /** Why it failed, from Runpod: the pod's system log, the unhealthy workers. */
  readonly diagnostics: readonly string[]
}

export type Progress =
  | { readonly state: 'pending'; readonly describe: string }
  | { readonly state: 'done'; readonly describe: string; readonly note?: string }
  | { readonly state: 'failed'; readonly describe: string; readonly diagnostics?: readonly string[] }

interface Clock {
  readonly now: () => number
  readonly sleep: (ms: number) => Promise<void>
}

/** Waits for every patched target concurrently; each outcome says whether it rolled out, back, or failed. */
export async function waitForRollouts(
  client: RunpodClient,
  patched: readonly PatchedTarget[],
  options: RolloutOptions,
  log: Logger
): Promise<RolloutOutcome[]> {
  const clock: Clock = { now: options.now ?? Date.now, sleep: options.sleep ?? ((ms) => sleepFor(ms)) }
  const deadline = clock.now() + options.timeoutMs
  return Promise.all(patched.map((entry) => waitForOne(client, entry, deadline, options, clock, log)))
}

async function waitForOne(
  client: RunpodClient,
  entry: PatchedTarget,
  deadline: number,
  options: RolloutOptions,
  clock: Clock,
  log: Logger
): Promise<RolloutOutcome> {
  const { target, image, patchedAt } = entry
  const label = `${target.kind} ${target.id}${target.name ? ` (${target.name})` : ''}`
  const initial = options.pollInitialMs ?? 1_000
  const max = options.pollMaxMs ?? 15_000
  let interval = initial
  let delay = Math.max(0, patchedAt.getTime() + initial - clock.now())
  let last: Progress | undefined
  for (;;) {
    await clock.sleep(Math.max(0, Math.min(delay, deadline - clock.now())))
    const progress = await check(client, entry)
    if (progress.describe !== last?.describe) log.info(`${label}: ${progress.describe}`)
    last = progress
    if (progress.state !== 'pending') break
    if (clock.now() >= deadline) break
    interval = Math.min(max, interval * 1.5)
    delay = interval
  }
  const base = { kind: target.kind, id: target.id, name: target.name, previousImage: target.image, image }
  const duration = () => clock.now() - patchedAt.getTime()
  if (last.state === 'done') {
    log.info(`${label}: rolled out to ${image} in ${Math.round(duration() / 1000)} s.`)
    return {
      ...base,
      status: 'rolled-out',
      durationMs: duration(),
      diagnostics: [],
      ...(last.note ? { note: last.note } : {})
    }
  }
  const reason =
    last.state === 'failed'
      ? last.describe
      : `still pending after ${Math.round(options.timeoutMs / 1000)} s (wait-timeout): ${last.describe}`
  const diagnostics =
    last.state === 'failed' && last.diagnostics ? [...last.diagnostics] : await diagnose(client, target, options)
  log.info(`${label}: did not roll out: ${reason}`)
  const restored = options.rollback ? await rollBack(client, entry, label, log) : undefined
  return {
    ...base,
    status: restored === true ? 'rolled-back' : 'failed',
    durationMs: duration(),
    reason: typeof restored === 'string' ? `${reason}; ${restored}` : reason,
    diagnostics
  }
}

async function check(client: RunpodClient, entry: PatchedTarget): Promise<Progress> {
  try {
    return entry.target.kind === 'pod' ? await checkPod(client, entry) : await checkEndpoint(client, entry)
  } catch (error) {
    // Retries are exhausted here; an outage is waited out until the deadline, anything else is final.
    if (
      error instanceof RunpodApiError &&
      (error.status === undefined || error.status === 429 || error.status >= 500)
    ) {
      return { state: 'pending', describe: `Runpod API unavailable (${error.summary})` }
    }
    return { state: 'failed', describe: errorMessage(error) }
  }
}

const POD_FAILED = new Set(['ERROR', 'EXITED', 'TERMINATED'])

async function checkPod(client: RunpodClient, entry: PatchedTarget): Promise<Progress> {
  return judgePod(entry, await client.getPod(entry.target.id))
}

async function checkEndpoint(client: RunpodClient, { target }: PatchedTarget): Promise<Progress> {
  const [releases, workers] = await Promise.all([
    client.listEndpointReleases(target.id),
    client.listEndpointWorkers(target.id)
  ])
  return judgeEndpoint(target, releases, workers)
}

/** Where a patched pod stands, from the pod as Runpod reports it now. */
export function judgePod({ target, image, patchedAt }: PatchedTarget, pod: Pod): Progress {
  const describe = pod.image === image ? pod.status : `${pod.status}, image still ${pod.image}`
  // A pod that was stopped before the deploy stays stopped: waiting for RUNNING would only time out.
  if (target.status === 'EXITED' && pod.status === 'EXITED' && pod.image === image) {
    return { state: 'done', describe, note: 'The pod is stopped: it will run the new image when it is started.' }
  }
  if (POD_FAILED.has(pod.status)) return { state: 'failed', describe: `the pod is ${pod.status}` }
  // A changed startedAt also counts, so a clock skew between the runner and Runpod cannot stall the wait.
  const restarted =
    pod.startedAt !== null &&
    (Date.parse(pod.startedAt) > patchedAt.getTime() ||
      (target.startedAt != null && pod.startedAt !== target.startedAt))
  if (pod.status === 'RUNNING' && pod.image === image && restarted) return { state: 'done', describe }
  return { state: 'pending', describe }
}

/** Where a patched endpoint stands, from its releases and workers as Runpod reports them now. */
export function judgeEndpoint(
  target: TargetState,
  { endpointVersion, rollout }: EndpointReleases,
  workers: EndpointWorkers
): Progress {
  const version = endpointVersion === null ? 'the latest version' : `version ${endpointVersion}`
  // Until the patch's release shows up, the old one looks fully rolled out.
  if (target.version != null && endpointVersion !== null && endpointVersion <= target.version) {
    return { state: 'pending', describe: `waiting for a release newer than version ${target.version}` }
  }
  if (rollout.workersTotal === 0) {
    return {
      state: 'done',
      describe: 'no workers running',
      note: 'The endpoint has no workers running: the next worker to start will run the new image.'
    }
  }
  const latest = workers.endpointVersion ?? endpointVersion
  const onLatestVersion = workers.workers.filter((worker) => onLatest(worker, latest))
  const unhealthy = onLatestVersion.filter((worker) => worker.status === 'UNHEALTHY')
  if (unhealthy.length > 0) {
    return {
      state: 'failed',
      describe: `${unhealthy.length} worker(s) on ${version} are UNHEALTHY`,
      diagnostics: unhealthy.map(describeWorker)
    }
  }
  // A worker on the new version has not proven the image until it is ready for jobs.
  const ready = onLatestVersion.filter((worker) => worker.status === 'RUNNING' || worker.status === 'IDLE').length
  const describe = `${rollout.workersOnLatest}/${rollout.workersTotal} workers on ${version}, ${ready} ready`
  if (!rollout.inProgress && rollout.workersOnLatest >= rollout.workersTotal && ready >= rollout.workersTotal)
    return { state: 'done', describe }
  return { state: 'pending', describe }
}

// isStale is authoritative where versions are unknown (legacy endpoints).
function onLatest(worker: Worker, latest: number | null): boolean {
  return latest !== null && worker.version !== null ? worker.version === latest : !worker.isStale
}

function describeWorker(worker: Worker): string {
  return `worker ${worker.id}: ${worker.status}, version ${worker.version ?? 'unknown'}${worker.isStale ? ' (stale)' : ''}, image ${worker.image ?? 'unknown'}`
}

/** Best effort: a diagnostics failure must not hide the rollout failure itself. */
async function diagnose(client: RunpodClient, target: TargetState, options: RolloutOptions): Promise<string[]> {
  try {
    if (target.kind === 'pod') {
      const lines = await client.podSystemLog(target.id, options.logLines ?? 25)
      return lines.length > 0 ? lines : ['(the pod system log is empty)']
    }
    const { workers } = await client.listEndpointWorkers(target.id)
    return workers.length > 0 ? workers.map(describeWorker) : ['(the endpoint has no workers)']
  } catch (error) {
    return [`(could not read diagnostics: ${errorMessage(error)})`]
  }
}

/** true when the previous image is back; otherwise why it is not. */
async function rollBack(
  client: RunpodClient,
  entry: PatchedTarget,
  label: string,
  log: Logger
): Promise<true | string> {
  const { target } = entry
  if (target.image === '') return 'there is no previous image to roll back to'
  try {
    await patchTargetImage(
      client,
      target,
      target.image,
      entry.registry === undefined ? undefined : (target.registry ?? null)
    )
    log.info(`${label}: rolled back to ${target.image}.`)
    return true
  } catch (error) {
    return `the rollback to ${target.image} failed: ${errorMessage(error)}`
  }
}

/** One error for the run when any target did not roll out, naming each and why; undefined when all did. */
export function rolloutError(outcomes: readonly RolloutOutcome[]): ActionError | undefined {
  const failed = outcomes.filter((outcome) => outcome.status !== 'rolled-out')
  if (failed.length === 0) return undefined
  const lines = failed.map(
    (outcome) =>
      `- ${outcome.kind} ${outcome.id}: ${outcome.reason ?? 'did not roll out'}${outcome.status === 'rolled-back' ? ` (rolled back to ${outcome.previousImage})` : ''}`
  )
  return new ActionError(
    `${failed.length} of ${outcomes.length} target(s) did not roll out ${failed[0]?.image ?? ''}:\n${lines.join('\n')}\nSee the diagnostics above (pod system log, unhealthy workers); raise 'wait-timeout' if the targets only need longer to start.`
  )
}
