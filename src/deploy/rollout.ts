// Waiting until patched targets run the new image, and putting the old image back when they do not.
// The waiting does the requests; each decision (judgePod, judgeEndpoint) is a pure function of the
// patched target and what Runpod returned. One deadline bounds the whole wait, every request included;
// a rollback after it has a budget of its own, and counts only once the previous image is seen again.
import { setTimeout as sleepFor } from 'node:timers/promises'
import { ActionError, errorMessage } from '../errors.js'
import type { RunpodClient } from '../runpod/client.js'
import { RunpodApiError } from '../runpod/errors.js'
import type { RequestBudget } from '../runpod/http.js'
import { patchTargetImage, type PatchExtras, type TargetKind, type TargetState } from '../runpod/targets.js'
import type { ContainerEnv, EndpointReleases, EndpointWorkers, Pod, Worker } from '../runpod/wire.js'
import type { PlacementChange } from '../image/fit.js'
import type { HealthSettings, SmokeInputs } from '../inputs.js'
import type { JobClient } from '../runpod/jobs.js'
import { CANCEL_ROLLBACK_MS } from './cancel.js'
import type { Logger } from './log.js'
import { waitHealthy, type HealthResult } from './health.js'
import { PodReads } from './pod-reads.js'
import { runSmokeTest, smokeDiagnostics, type SmokeResult } from './smoke.js'

export type DeploymentStatus = 'rolled-out' | 'updated' | 'unchanged' | 'rolled-back' | 'failed' | 'planned'

export interface PatchedTarget {
  /** The target as it was before the patch. */
  readonly target: TargetState
  readonly image: string
  readonly patchedAt: Date
  /** When Runpod answered the PATCH: a container up for less time than has passed since started after it. */
  readonly answeredAt?: Date
  /** Set when the patch also changed the registry credential: a rollback then restores the old one. */
  readonly registry?: string | null
  /** Set when the patch raised an endpoint's CUDA placement: a rollback then restores the old one. */
  readonly placement?: PlacementChange
  /** Set when the patch changed the env: the env a rollback puts back (whole, as Runpod replaces it). */
  readonly restoreEnv?: ContainerEnv
}

export interface RolloutOptions {
  /** Bounds the whole wait, for all targets together, requests and retries included. */
  readonly timeoutMs: number
  readonly rollback: boolean
  /** What a rollback may take after the wait: its PATCH and seeing the previous image again. */
  readonly rollbackBudgetMs?: number
  /** Stops the wait at once (a cancelled workflow): what is not seen rolled out is rolled back at once. */
  readonly signal?: AbortSignal
  /**
   * First poll this long after the patch; then the interval grows by half each poll up to pollMaxMs, or up
   * to pacedPollMaxMs where the client paces its requests by the account's published quota.
   */
  readonly pollInitialMs?: number
  readonly pollMaxMs?: number
  readonly pacedPollMaxMs?: number
  /** System log lines to show for a failed pod. */
  readonly logLines?: number
  /** A job each endpoint must complete once rolled out; one that does not counts as a failed rollout. */
  readonly smoke?: { readonly jobs: JobClient; readonly settings: SmokeInputs }
  /**
   * Checks, right before a rollback, that its image can still be pulled: why not, or undefined when it can (or
   * when that cannot be read). Images outside this registry are not checked.
   */
  readonly rollbackImage?: (image: string) => Promise<string | undefined>
  /** When a pod counts as rolled out: its container up this long, and (with `health`) its HTTP check passed. */
  readonly readiness?: { readonly minReadySeconds: number; readonly health?: HealthSettings }
  readonly now?: () => number
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export interface RolloutOutcome {
  readonly kind: TargetKind
  readonly id: string
  readonly name: string
  /** `updated`: the run was cancelled before the rollout was seen, and nothing was rolled back. */
  readonly status: Extract<DeploymentStatus, 'rolled-out' | 'rolled-back' | 'failed' | 'updated'>
  readonly previousImage: string
  readonly image: string
  /** From the patch to the outcome. */
  readonly durationMs: number
  readonly patchedAt: Date
  /** When the rollback began, for a target that was rolled back or failed its rollback. */
  readonly rollbackAt?: Date
  /** Why it failed, for `rolled-back` and `failed`. */
  readonly reason?: string
  /** Something the user should know about a success (an endpoint with no workers). */
  readonly note?: string
  /** Why it failed, from Runpod: the pod's system log, the unhealthy workers. */
  readonly diagnostics: readonly string[]
  /** The run was cancelled while this target was being waited for. */
  readonly cancelled?: true
  /** The smoke job of an endpoint that rolled out. */
  readonly smoke?: SmokeResult
  /** A pod: when its container was seen ready (up min-ready-seconds). */
  readonly readyAt?: Date
  /** A pod with `health-check`: what the check saw. */
  readonly health?: HealthResult
}

export type Progress =
  /**
   * `unavailable`: Runpod did not answer this time, so nothing new is known about the target. `seen`: what this
   * reading showed of a pod's container, for telling a restart at the next one.
   */
  | {
      readonly state: 'pending'
      readonly describe: string
      readonly unavailable?: true
      readonly seen?: PodHistory
      /** Every worker of the new release waits THROTTLED for GPU capacity. */
      readonly throttled?: true
    }
  | { readonly state: 'done'; readonly describe: string; readonly note?: string }
  | { readonly state: 'failed'; readonly describe: string; readonly diagnostics?: readonly string[] }

interface Clock {
  readonly now: () => number
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
}

interface Wait {
  readonly client: RunpodClient
  readonly options: RolloutOptions
  readonly clock: Clock
  readonly log: Logger
  /** The main wait's pod reads, one list a round for all pods. */
  readonly pods: PodReads
  /** Runpod requests a polling round of every target costs: one list page per 100 pods, one per endpoint. */
  readonly roundRequests: number
}

type ReadPod = (id: string) => Promise<Pod>

const ROLLBACK_BUDGET_MS = 60_000
const NOT_READ = 'not read yet'

/** Waits for every patched target concurrently; each outcome says whether it rolled out, back, or failed. */
export async function waitForRollouts(
  client: RunpodClient,
  patched: readonly PatchedTarget[],
  options: RolloutOptions,
  log: Logger
): Promise<RolloutOutcome[]> {
  const clock: Clock = {
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}))
  }
  const deadline = clock.now() + options.timeoutMs
  const pods = new PodReads(client, { deadline, ...(options.signal ? { signal: options.signal } : {}) })
  for (const { target } of patched) if (target.kind === 'pod') pods.join(target.id)
  const podCount = patched.filter(({ target }) => target.kind === 'pod').length
  const roundRequests = Math.ceil(podCount / 100) + (patched.length - podCount)
  const wait: Wait = { client, options, clock, log, pods, roundRequests }
  return Promise.all(patched.map((entry) => waitForOne(wait, entry, deadline)))
}

async function waitForOne(wait: Wait, entry: PatchedTarget, deadline: number): Promise<RolloutOutcome> {
  const { options, clock, log } = wait
  const { target, image, patchedAt } = entry
  const label = labelOf(target)
  const minReady = target.kind === 'pod' ? (options.readiness?.minReadySeconds ?? 0) : 0
  const last = await poll(wait, entry, deadline, `${label}: `, (id) => wait.pods.read(id), minReady).finally(() =>
    wait.pods.leave(target.id)
  )
  const base = { kind: target.kind, id: target.id, name: target.name, previousImage: target.image, image, patchedAt }
  const duration = () => clock.now() - patchedAt.getTime()
  let smoke: SmokeResult | undefined
  let health: HealthResult | undefined
  let readyAt: Date | undefined
  if (last.state === 'done') {
    readyAt = new Date(clock.now())
    const healthCheck = target.kind === 'pod' ? options.readiness?.health : undefined
    log.info(
      `${label}: ${healthCheck ? 'ready on' : 'rolled out to'} ${image} in ${Math.round(duration() / 1000)} s${minReady > 0 ? ` (${last.describe})` : ''}.`
    )
    if (healthCheck && !options.signal?.aborted) {
      health = await waitHealthy(target.id, healthCheck, deadline, log, label, options.signal)
      if (health.passed) log.info(`${label}: rolled out to ${image} in ${Math.round(duration() / 1000)} s.`)
    }
    if (options.smoke && target.kind === 'endpoint' && !options.signal?.aborted) {
      smoke = await runSmokeTest(options.smoke.jobs, target.id, options.smoke.settings, log, options.signal)
    }
    if ((!smoke || smoke.passed) && (!health || health.passed)) {
      return {
        ...base,
        status: 'rolled-out',
        durationMs: duration(),
        diagnostics: [],
        ...(last.note ? { note: last.note } : {}),
        ...(smoke ? { smoke } : {}),
        ...(minReady > 0 || health ? { readyAt } : {}),
        ...(health ? { health } : {})
      }
    }
  }
  const checked = {
    ...(smoke ? { smoke } : {}),
    ...(health ? { health } : {}),
    ...(readyAt && (minReady > 0 || health) ? { readyAt } : {})
  }
  if (options.signal?.aborted) return { ...(await cancelledOutcome(wait, entry, base, duration)), ...checked }

  const reason = smoke
    ? `the smoke test failed: ${smoke.reason ?? 'no reason given'}`
    : health && !health.passed
      ? (health.reason ?? 'the health check failed')
      : last.state === 'failed'
        ? last.describe
        : last.state === 'pending' && last.throttled
          ? noCapacity(target, options.timeoutMs, last.describe)
          : `still pending after ${Math.round(options.timeoutMs / 1000)} s (wait-timeout): ${last.describe}`
  log.info(`${label}: did not roll out: ${reason}`)
  const budgetMs = options.rollbackBudgetMs ?? ROLLBACK_BUDGET_MS
  const budget = { deadline: clock.now() + budgetMs, ...(options.signal ? { signal: options.signal } : {}) }
  // The diagnostics read what already happened, so they run beside the rollback, not out of its budget.
  const diagnosed = smoke
    ? Promise.resolve(smokeDiagnostics(smoke))
    : last.state === 'failed' && last.diagnostics
      ? Promise.resolve([...last.diagnostics])
      : diagnose(wait, target, budget)
  const smoked = checked
  if (!options.rollback)
    return { ...base, ...smoked, status: 'failed', durationMs: duration(), reason, diagnostics: await diagnosed }
  if (last.state === 'pending' && !smoke) {
    log.info(`${label}: wait-timeout is over; the rollback gets a budget of its own, ${Math.round(budgetMs / 1000)} s.`)
  }
  const rollbackAt = new Date(clock.now())
  const [diagnostics, restored] = await Promise.all([diagnosed, rollBack(wait, entry, budget)])
  return {
    ...base,
    ...smoked,
    rollbackAt,
    status: restored === true ? 'rolled-back' : 'failed',
    durationMs: duration(),
    reason: restored === true ? reason : `${reason}; ${restored}`,
    diagnostics
  }
}

/** Polls until the target is done or failed, the deadline passes, or the run is cancelled; the last progress. */
async function poll(
  wait: Wait,
  entry: PatchedTarget,
  deadline: number,
  prefix: string,
  readPod: ReadPod,
  minReadySeconds = 0
): Promise<Progress> {
  const { options, clock, log } = wait
  const initial = options.pollInitialMs ?? 1_000
  const budget: RequestBudget = { deadline, ...(options.signal ? { signal: options.signal } : {}) }
  let interval = initial
  // Under a tight budget the first round waits its turn too: polls before a rollout can have finished would
  // spend the slots that the round seeing it then lacks.
  const spacing = () => (wait.client.pacedByPolicy() ? wait.client.pollSpacingMs(wait.roundRequests) : 0)
  let delay = Math.max(0, entry.patchedAt.getTime() + Math.max(initial, spacing()) - clock.now())
  let last: Progress = { state: 'pending', describe: NOT_READ }
  const release: ReleaseWatch = {}
  for (;;) {
    try {
      await clock.sleep(Math.max(0, Math.min(delay, deadline - clock.now())), options.signal)
    } catch (error) {
      if (options.signal?.aborted) return last
      throw error
    }
    // The deadline bounds the requests too: with no time left, the last reading is the answer.
    if (options.signal?.aborted || (clock.now() >= deadline && last.describe !== NOT_READ)) return last
    const history: PodHistory | undefined = last.state === 'pending' ? last.seen : undefined
    const progress = await check(wait.client, entry, budget, readPod, release, minReadySeconds, history, clock.now)
    if (progress.describe !== last.describe) log.info(`${prefix}${progress.describe}`)
    // A read that got no answer says nothing about the target: the last one that did stays the reason.
    if (!(progress.state === 'pending' && progress.unavailable && last.describe !== NOT_READ)) last = progress
    if (progress.state !== 'pending' || options.signal?.aborted || clock.now() >= deadline) return last
    // With a known quota the request budget spreads the polls of many targets: every 1.5 s is affordable for
    // a few targets, and a rollout is then seen within 2 s of finishing. Rounds that would spend the budget
    // faster than it refills are spaced to last the window (see RequestPacer.spacingMs).
    const paced = wait.client.pacedByPolicy()
    interval = Math.min(paced ? (options.pacedPollMaxMs ?? 1_500) : (options.pollMaxMs ?? 15_000), interval * 1.5)
    delay = Math.max(interval, spacing())
  }
}

/** An endpoint's release of the patch, once seen: from then on its workers alone tell the progress. */
interface ReleaseWatch {
  latest?: number | null
}

/** One request per target and round: the pod (from the round's list), or the endpoint's releases, then its workers. */
async function check(
  client: RunpodClient,
  entry: PatchedTarget,
  budget: RequestBudget,
  readPod: ReadPod,
  release: ReleaseWatch,
  minReadySeconds: number,
  history: PodHistory | undefined,
  now: () => number
): Promise<Progress> {
  const { id } = entry.target
  try {
    if (entry.target.kind === 'pod') {
      const pod = await readPod(id)
      return judgePod(entry, pod, minReadySeconds, history, now())
    }
    if (release.latest === undefined) {
      const released = judgeRelease(entry, await client.listEndpointReleases(id, budget))
      if (released.state !== 'released') return released
      release.latest = released.latest
    }
    return judgeEndpointWorkers(entry, release.latest, await client.listEndpointWorkers(id, budget))
  } catch (error) {
    // Retries are exhausted here: an outage (or a request cut by the deadline or a cancel) is waited out, anything else is final.
    if (
      error instanceof RunpodApiError &&
      (error.status === undefined || error.status === 429 || error.status >= 500)
    ) {
      return { state: 'pending', describe: `Runpod API unavailable (${error.summary})`, unavailable: true }
    }
    return { state: 'failed', describe: errorMessage(error) }
  }
}

const POD_FAILED = new Set(['ERROR', 'EXITED', 'TERMINATED'])

/** What earlier readings of a rollout showed of the pod's container on the new image. */
export interface PodHistory {
  /** `runtime.uptime` at the last reading that showed the container up. */
  readonly uptime?: number
  /** `startedAt` at that reading: a new one is a new start of the container. */
  readonly startedAt?: string | null
  /** Runner clock (ms) of the first reading that showed `runtime` without `uptime`: uptime counts from there. */
  readonly upSince?: number
}

/**
 * Where a patched pod stands, from the pod as Runpod reports it now (`now`, the runner's clock at the
 * reading) and what earlier readings showed. With `minReadySeconds`, RUNNING is not enough: the container must
 * be up (`runtime` present) and its uptime reach that many seconds without going back; an uptime that goes
 * back, a new start, or `runtime` gone again is a restart, and the rollout has failed. 0 keeps the first
 * RUNNING reading of a new start on the new image.
 */
export function judgePod(
  entry: PatchedTarget,
  pod: Pod,
  minReadySeconds = 0,
  history: PodHistory = {},
  now?: number
): Progress {
  const first = judgePodStatus(entry, pod, now)
  const upBefore = history.uptime !== undefined
  if (minReadySeconds > 0 && upBefore && first.state === 'pending')
    return {
      state: 'failed',
      describe: `the container restarted: it was up ${history.uptime ?? 0} s, then ${first.describe}`
    }
  if (minReadySeconds <= 0 || first.state !== 'done' || pod.status !== 'RUNNING') return first
  // Runpod documents `runtime` with `uptime`; one without it counts from the first reading that shows it.
  const upSince = pod.running && pod.uptime === null ? (history.upSince ?? now) : undefined
  const uptime = pod.uptime ?? (upSince !== undefined && now !== undefined ? Math.floor((now - upSince) / 1000) : null)
  if (uptime === null) {
    return upBefore
      ? { state: 'failed', describe: `the container restarted: it was up ${history.uptime ?? 0} s, then not running` }
      : { state: 'pending', describe: `RUNNING, container not up yet (Runpod reports no runtime)` }
  }
  if (
    upBefore &&
    (uptime < (history.uptime ?? 0) || (history.startedAt != null && pod.startedAt !== history.startedAt))
  ) {
    return {
      state: 'failed',
      describe: `the container restarted: its uptime went from ${history.uptime ?? 0} s back to ${uptime} s`
    }
  }
  if (uptime >= minReadySeconds)
    return { state: 'done', describe: `container up ${uptime} s of ${minReadySeconds} (min-ready-seconds)` }
  return {
    state: 'pending',
    describe: `container up ${uptime} s of ${minReadySeconds}`,
    seen: { uptime, startedAt: pod.startedAt, ...(upSince === undefined ? {} : { upSince }) }
  }
}

/**
 * RUNNING on the new image after a new start, or failed, from the status alone. A new start shows in
 * `startedAt` (later than the PATCH, or changed) or in `runtime.uptime` shorter than the time since the PATCH
 * was answered, measured on the runner's clock alone: either suffices, and no two clocks are compared.
 */
function judgePodStatus({ target, image, patchedAt, answeredAt }: PatchedTarget, pod: Pod, now?: number): Progress {
  const describe = pod.image === image ? pod.status : `${pod.status}, image still ${pod.image}`
  // A pod that was stopped before the deploy stays stopped: waiting for RUNNING would only time out.
  if (target.status === 'EXITED' && pod.status === 'EXITED' && pod.image === image) {
    return { state: 'done', describe, note: 'The pod is stopped: it will run the new image when it is started.' }
  }
  // A changed startedAt also counts, so a clock skew between the runner and Runpod cannot stall the wait.
  const startedAgain =
    pod.startedAt !== null &&
    (Date.parse(pod.startedAt) > patchedAt.getTime() ||
      (target.startedAt != null && pod.startedAt !== target.startedAt))
  // uptime is whole seconds: one more second of margin keeps a container started just before the answer out.
  const sincePatch = now === undefined ? undefined : now - (answeredAt ?? patchedAt).getTime()
  const upSincePatch = sincePatch !== undefined && pod.uptime !== null && (pod.uptime + 1) * 1000 <= sincePatch
  const restarted = startedAgain || upSincePatch
  // A failure counts only once the pod has tried the new image: a status it already had before the patch
  // is stale until it changes or the container starts again.
  const attempted = pod.status !== target.status || restarted
  if (POD_FAILED.has(pod.status) && attempted) return { state: 'failed', describe: `the pod is ${pod.status}` }
  if (pod.status === 'RUNNING' && pod.image === image && restarted) return { state: 'done', describe }
  return { state: 'pending', describe }
}

/** Whether the patch's release exists yet, from the endpoint's releases as Runpod reports them now. */
export function judgeRelease(
  { target }: PatchedTarget,
  { endpointVersion, rollout }: EndpointReleases
): Progress | { readonly state: 'released'; readonly latest: number | null } {
  // Until the patch's release shows up, the old one looks fully rolled out.
  if (target.version != null && endpointVersion !== null && endpointVersion <= target.version) {
    return { state: 'pending', describe: `waiting for a release newer than version ${target.version}` }
  }
  if (rollout.workersTotal === 0) return NO_WORKERS
  return { state: 'released', latest: endpointVersion }
}

/** Where an endpoint stands once the patch's release exists, from its workers as Runpod reports them now. */
export function judgeEndpointWorkers(
  { image }: PatchedTarget,
  released: number | null,
  workers: EndpointWorkers
): Progress {
  const latest = workers.endpointVersion ?? released
  const version = latest === null ? image : `version ${latest}`
  const all = workers.workers
  if (all.length === 0) return NO_WORKERS
  const onLatestVersion = all.filter((worker) => onLatest(worker, latest, image))
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
  const describe = `${onLatestVersion.length}/${all.length} workers on ${version}, ${ready} ready`
  if (onLatestVersion.length > 0 && onLatestVersion.every((worker) => worker.status === 'THROTTLED'))
    return { state: 'pending', describe: `${describe}; the new ones wait THROTTLED for GPU capacity`, throttled: true }
  return { state: ready === all.length ? 'done' : 'pending', describe }
}

const NO_WORKERS: Progress = {
  state: 'done',
  describe: 'no workers running',
  note: 'The endpoint has no workers running: the next worker to start will run the new image.'
}

/**
 * Whether a worker runs the new release: by version where Runpod reports versions, else by the image it
 * runs, else by isStale (legacy endpoints report neither).
 */
function onLatest(worker: Worker, latest: number | null, image: string): boolean {
  if (latest !== null && worker.version !== null) return worker.version === latest
  if (worker.image !== null) return worker.image === image
  return !worker.isStale
}

function describeWorker(worker: Worker): string {
  return `worker ${worker.id}: ${worker.status}, version ${worker.version ?? 'unknown'}${worker.isStale ? ' (stale)' : ''}, image ${worker.image ?? 'unknown'}`
}

/** Best effort: a diagnostics failure must not hide the rollout failure itself. */
async function diagnose({ client, options }: Wait, target: TargetState, budget: RequestBudget): Promise<string[]> {
  try {
    if (target.kind === 'pod') {
      const lines = await client.podSystemLog(target.id, options.logLines ?? 25)
      return lines.length > 0 ? lines : ['(the pod system log is empty)']
    }
    const { workers } = await client.listEndpointWorkers(target.id, budget)
    return workers.length > 0 ? workers.map(describeWorker) : ['(the endpoint has no workers)']
  } catch (error) {
    return [`(could not read diagnostics: ${errorMessage(error)})`]
  }
}

/**
 * Puts the previous image back and waits, within the budget, until the target runs it again: true only once
 * that is seen; otherwise why not.
 */
async function rollBack(wait: Wait, entry: PatchedTarget, budget: RequestBudget): Promise<true | string> {
  const { client, clock, log } = wait
  const { target } = entry
  const label = labelOf(target)
  if (target.image === '') return 'there is no previous image to roll back to'
  // Said before the PATCH; the rollback is still sent, since a host that cached the image may yet run it.
  const gone = await wait.options.rollbackImage?.(target.image)
  if (gone) log.warning(`${label}: rolling back, but ${gone}`)
  let failedRelease: number | null | undefined
  let patched: TargetState
  const rollbackAt = new Date(clock.now())
  try {
    // The release to get past: the one the failed patch created.
    if (target.kind === 'endpoint')
      failedRelease = (await client.listEndpointReleases(target.id, budget)).endpointVersion
    patched = await patchTargetImage(client, target, target.image, restoring(entry, budget))
  } catch (error) {
    return `the rollback to ${target.image} failed: ${errorMessage(error)}`
  }
  log.info(`${label}: rolling back to ${target.image}; waiting until it runs it again.`)
  const back: PatchedTarget = {
    target: { ...patched, image: entry.image, ...(failedRelease === undefined ? {} : { version: failedRelease }) },
    image: target.image,
    patchedAt: rollbackAt,
    answeredAt: new Date(clock.now())
  }
  const last = await poll(wait, back, budget.deadline ?? clock.now(), `${label} (rollback): `, (id) =>
    client.getPod(id, budget)
  )
  if (last.state === 'done') {
    log.info(`${label}: rolled back to ${target.image}.`)
    return true
  }
  if (wait.options.signal?.aborted)
    return `the rollback to ${target.image} was sent; the run was cancelled before it was seen`
  return `the rollback to ${target.image} was sent but not seen within its budget (${last.describe})`
}

/** Cancelled: roll back what was not seen rolled out (the PATCH, within seconds), or leave it updated. */
async function cancelledOutcome(
  { client, options, clock, log }: Wait,
  entry: PatchedTarget,
  base: Pick<RolloutOutcome, 'kind' | 'id' | 'name' | 'previousImage' | 'image' | 'patchedAt'>,
  duration: () => number
): Promise<RolloutOutcome> {
  const { target } = entry
  if (!options.rollback || target.image === '') {
    return {
      ...base,
      status: 'updated',
      durationMs: duration(),
      reason: 'the run was cancelled before the rollout was seen; the target was left on the new image',
      diagnostics: [],
      cancelled: true
    }
  }
  const rollbackAt = new Date(clock.now())
  try {
    await patchTargetImage(
      client,
      target,
      target.image,
      restoring(entry, { deadline: clock.now() + CANCEL_ROLLBACK_MS })
    )
    log.info(`${labelOf(target)}: the run was cancelled; sent the rollback to ${target.image}.`)
    return {
      ...base,
      rollbackAt,
      status: 'rolled-back',
      durationMs: duration(),
      reason: `the run was cancelled before the rollout was seen; the rollback to ${target.image} was sent`,
      diagnostics: [],
      cancelled: true
    }
  } catch (error) {
    return {
      ...base,
      rollbackAt,
      status: 'failed',
      durationMs: duration(),
      reason: `the run was cancelled before the rollout was seen, and the rollback to ${target.image} failed: ${errorMessage(error)}`,
      diagnostics: [],
      cancelled: true
    }
  }
}

/** What a rollback puts back with the image: the registry, the placement and the env, each only when the patch changed it. */
function restoring(entry: PatchedTarget, budget: RequestBudget): PatchExtras {
  return {
    budget,
    ...(entry.registry === undefined ? {} : { registry: entry.target.registry ?? null }),
    ...(entry.placement ? { gpu: entry.placement.restore } : {}),
    ...(entry.restoreEnv ? { env: entry.restoreEnv } : {})
  }
}

/** A release that never got a GPU: Runpod's capacity, not the image, in words that say where it looked. */
function noCapacity(target: TargetState, timeoutMs: number, describe: string): string {
  const pools = target.placement?.pools ?? []
  const centers = target.dataCenterIds ?? []
  const where = [
    pools.length > 0 ? `GPU pools ${pools.join(', ')}` : 'its GPU pools',
    centers.length > 0 ? `data centers ${centers.join(', ')}` : 'its data centers'
  ].join(' in ')
  return `no GPU capacity: after ${Math.round(timeoutMs / 1000)} s (wait-timeout) the new release's workers were still THROTTLED, waiting for a GPU in ${where} (${describe}). The image was never started, so this says nothing about it: add GPU pools or data centers to the endpoint (Runpod console → the endpoint → Edit), or rerun when capacity is back`
}

function labelOf(target: TargetState): string {
  return `${target.kind} ${target.id}${target.name ? ` (${target.name})` : ''}`
}

/** One error for the run when any target did not roll out, naming each and why; undefined when all did. */
export function rolloutError(outcomes: readonly RolloutOutcome[]): ActionError | undefined {
  if (outcomes.some((outcome) => outcome.cancelled)) {
    const lines = outcomes.map(
      (outcome) => `- ${outcome.kind} ${outcome.id}: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`
    )
    return new ActionError(
      `The run was cancelled while waiting for the rollout. Where each target stands:\n${lines.join('\n')}\nRerun the workflow to deploy again; targets already on the image are left alone.`
    )
  }
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
