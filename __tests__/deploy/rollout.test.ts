// The rollout decisions as pure functions: what a pod or endpoint reported, judged without a server.
import { describe, expect, it } from '@jest/globals'
import {
  judgeEndpointWorkers,
  judgePod,
  judgeRelease,
  type PatchedTarget,
  type Progress
} from '../../src/deploy/rollout.js'
import type { TargetState } from '../../src/runpod/targets.js'
import type { EndpointReleases, EndpointWorkers, Pod, Worker } from '../../src/runpod/wire.js'

const OLD = '123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1'
const NEW = '123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v2'
const PATCHED_AT = new Date('2026-12-01T10:00:00Z')

function podEntry(before: Partial<TargetState> = {}): PatchedTarget {
  const target: TargetState = {
    kind: 'pod',
    id: 'p1',
    name: 'worker',
    image: OLD,
    status: 'RUNNING',
    startedAt: '2026-12-01T09:00:00Z',
    ...before
  }
  return { target, image: NEW, patchedAt: PATCHED_AT }
}

function pod(now: Partial<Pod>): Pod {
  return {
    id: 'p1',
    name: 'worker',
    image: NEW,
    registry: null,
    status: 'RUNNING',
    startedAt: '2026-12-01T10:00:05Z',
    inCluster: false,
    cudaVersion: null,
    gpuId: null,
    env: {},
    running: true,
    uptime: 60,
    ports: [],
    ...now
  }
}

describe('judgePod', () => {
  it('is done when the pod runs the new image and restarted after the patch', () => {
    expect(judgePod(podEntry(), pod({}))).toEqual({ state: 'done', describe: 'RUNNING' })
  })

  it('counts a changed startedAt as a restart, whatever the clocks say', () => {
    expect(judgePod(podEntry(), pod({ startedAt: '2026-12-01T09:30:00Z' })).state).toBe('done')
  })

  it('keeps waiting while the pod still runs the container it had before the patch', () => {
    const progress = judgePod(podEntry(), pod({ startedAt: '2026-12-01T09:00:00Z' }))
    expect(progress).toEqual({ state: 'pending', describe: 'RUNNING' })
  })

  it('keeps waiting, naming the old image, until the pod reports the new one', () => {
    expect(judgePod(podEntry(), pod({ image: OLD, status: 'STARTING' }))).toEqual({
      state: 'pending',
      describe: `STARTING, image still ${OLD}`
    })
  })

  it.each(['ERROR', 'EXITED', 'TERMINATED'])('fails a pod that is %s', (status) => {
    expect(judgePod(podEntry(), pod({ status }))).toEqual({ state: 'failed', describe: `the pod is ${status}` })
  })

  it('is done for a pod stopped before the deploy that now holds the new image', () => {
    const progress = judgePod(podEntry({ status: 'EXITED' }), pod({ status: 'EXITED' }))
    expect(progress).toMatchObject({ state: 'done', note: expect.stringMatching(/stopped: it will run the new image/) })
  })

  it.each(['ERROR', 'EXITED'])('does not fail on a stale %s the pod had before the patch', (status) => {
    const before = podEntry({ status, startedAt: '2026-12-01T09:00:00Z' })
    expect(judgePod(before, pod({ status, image: NEW, startedAt: '2026-12-01T09:00:00Z' })).state).not.toBe('failed')
  })

  it('fails a pod that was in ERROR before once it tried again after the patch', () => {
    const before = podEntry({ status: 'ERROR', startedAt: '2026-12-01T09:00:00Z' })
    expect(judgePod(before, pod({ status: 'ERROR', startedAt: '2026-12-01T10:00:07Z' })).state).toBe('failed')
    expect(judgePod(before, pod({ status: 'RUNNING', startedAt: '2026-12-01T10:00:07Z' })).state).toBe('done')
  })

  it('counts a new start by runtime.uptime when a PATCH leaves startedAt as it was', () => {
    const same = { startedAt: '2026-12-01T09:00:00Z' }
    const answered = { ...podEntry(same), answeredAt: new Date(PATCHED_AT.getTime() + 500) }
    const at = (seconds: number) => PATCHED_AT.getTime() + 500 + seconds * 1000
    // Up 3 s, 10 s after the PATCH was answered: a container that started after it.
    expect(judgePod(answered, pod({ ...same, uptime: 3 }), 0, {}, at(10)).state).toBe('done')
    // Up an hour: the container from before the PATCH.
    expect(judgePod(answered, pod({ ...same, uptime: 3600 }), 0, {}, at(10)).state).toBe('pending')
    // Within the second of rounding, not yet: uptime is whole seconds.
    expect(judgePod(answered, pod({ ...same, uptime: 9 }), 0, {}, at(9.5)).state).toBe('pending')
    // Without the runner's clock, startedAt alone decides.
    expect(judgePod(answered, pod({ ...same, uptime: 3 })).state).toBe('pending')
  })

  it('counts uptime from the first reading that shows runtime without uptime', () => {
    const entry = podEntry()
    const t0 = PATCHED_AT.getTime() + 20_000
    const first = judgePod(entry, pod({ uptime: null }), 10, {}, t0)
    expect(first).toMatchObject({ state: 'pending', describe: 'container up 0 s of 10', seen: { upSince: t0 } })
    const seen = first.state === 'pending' ? first.seen : undefined
    expect(judgePod(entry, pod({ uptime: null }), 10, seen, t0 + 4_000)).toMatchObject({ state: 'pending' })
    expect(judgePod(entry, pod({ uptime: null }), 10, seen, t0 + 11_000)).toMatchObject({ state: 'done' })
    // runtime gone again after it was up: a restart.
    expect(judgePod(entry, pod({ uptime: null, running: false }), 10, seen, t0 + 5_000).state).toBe('failed')
  })

  it('reports a status Runpod added later as it is, and keeps waiting', () => {
    expect(judgePod(podEntry(), pod({ status: 'MIGRATING' }))).toEqual({ state: 'pending', describe: 'MIGRATING' })
  })
})

const ENDPOINT_BEFORE: TargetState = { kind: 'endpoint', id: 'e1', name: 'api', image: OLD, version: 3 }
const ENDPOINT: PatchedTarget = { target: ENDPOINT_BEFORE, image: NEW, patchedAt: PATCHED_AT }

function releases(endpointVersion: number | null, rollout: Partial<EndpointReleases['rollout']>): EndpointReleases {
  return { endpointVersion, rollout: { inProgress: false, workersOnLatest: 2, workersTotal: 2, ...rollout } }
}

function worker(status: string, version: number | null, extra: Partial<Worker> = {}): Worker {
  return { id: `w-${status}-${version}`, status, isStale: false, version, image: NEW, ...extra }
}

function workers(list: Worker[], endpointVersion: number | null = 4): EndpointWorkers {
  return { endpointVersion, workers: list }
}

/** What the poller concludes from one reading of both: the workers are read once the release exists. */
function judgeEndpoint(entry: PatchedTarget, read: EndpointReleases, seen: EndpointWorkers): Progress {
  const released = judgeRelease(entry, read)
  return released.state === 'released' ? judgeEndpointWorkers(entry, released.latest, seen) : released
}

describe('judgeRelease', () => {
  it('asks for the workers once the patch’s release exists', () => {
    expect(judgeRelease(ENDPOINT, releases(4, { inProgress: true }))).toEqual({ state: 'released', latest: 4 })
  })
})

describe('judgeEndpointWorkers', () => {
  it('is done, with a note, when the workers scaled to zero after the release', () => {
    expect(judgeEndpointWorkers(ENDPOINT, 4, workers([]))).toMatchObject({
      state: 'done',
      describe: 'no workers running'
    })
  })

  it('waits while a stale worker of the old version is still serving', () => {
    expect(judgeEndpointWorkers(ENDPOINT, 4, workers([worker('RUNNING', 4), worker('IDLE', 3)]))).toEqual({
      state: 'pending',
      describe: '1/2 workers on version 4, 1 ready'
    })
  })
})

describe('judgeEndpoint', () => {
  it('waits for a release newer than the one read before the patch', () => {
    const progress = judgeEndpoint(ENDPOINT, releases(3, {}), workers([worker('RUNNING', 3)], 3))
    expect(progress).toEqual({ state: 'pending', describe: 'waiting for a release newer than version 3' })
  })

  it('is done when every worker is on the new version and ready', () => {
    const progress = judgeEndpoint(ENDPOINT, releases(4, {}), workers([worker('RUNNING', 4), worker('IDLE', 4)]))
    expect(progress).toEqual({ state: 'done', describe: '2/2 workers on version 4, 2 ready' })
  })

  it('keeps waiting while workers of the new version are still initializing', () => {
    const progress = judgeEndpoint(
      ENDPOINT,
      releases(4, {}),
      workers([worker('RUNNING', 4), worker('INITIALIZING', 4)])
    )
    expect(progress).toEqual({ state: 'pending', describe: '2/2 workers on version 4, 1 ready' })
  })

  it('keeps waiting while the rollout is in progress', () => {
    const progress = judgeEndpoint(
      ENDPOINT,
      releases(4, { inProgress: true, workersOnLatest: 1 }),
      workers([worker('RUNNING', 4), worker('RUNNING', 3)])
    )
    expect(progress.state).toBe('pending')
  })

  it('fails on an unhealthy worker of the new version, naming it', () => {
    const progress = judgeEndpoint(ENDPOINT, releases(4, {}), workers([worker('UNHEALTHY', 4), worker('RUNNING', 3)]))
    expect(progress).toEqual({
      state: 'failed',
      describe: '1 worker(s) on version 4 are UNHEALTHY',
      diagnostics: [`worker w-UNHEALTHY-4: UNHEALTHY, version 4, image ${NEW}`]
    })
  })

  it('marks a release whose new workers all wait THROTTLED, and only then', () => {
    const waiting = judgeEndpoint(ENDPOINT, releases(4, {}), workers([worker('THROTTLED', 4), worker('RUNNING', 3)]))
    expect(waiting).toMatchObject({ state: 'pending', throttled: true })
    const mixed = judgeEndpoint(ENDPOINT, releases(4, {}), workers([worker('THROTTLED', 4), worker('INITIALIZING', 4)]))
    expect(mixed).not.toHaveProperty('throttled')
  })

  it('ignores an unhealthy worker of the old version', () => {
    const progress = judgeEndpoint(ENDPOINT, releases(4, {}), workers([worker('UNHEALTHY', 3), worker('RUNNING', 4)]))
    expect(progress.state).not.toBe('failed')
  })

  it('is done, with a note, when the endpoint runs no workers', () => {
    const progress = judgeEndpoint(ENDPOINT, releases(4, { workersOnLatest: 0, workersTotal: 0 }), workers([]))
    expect(progress).toMatchObject({
      state: 'done',
      note: expect.stringMatching(/next worker to start will run the new image/)
    })
  })

  it('tells the latest version by isStale where Runpod reports no versions', () => {
    const legacy = { ...ENDPOINT, target: { ...ENDPOINT_BEFORE, version: null } }
    const fresh = worker('RUNNING', null, { image: null })
    const stale = worker('RUNNING', null, { isStale: true, image: null })
    expect(judgeEndpoint(legacy, releases(null, {}), workers([fresh, fresh], null)).state).toBe('done')
    expect(judgeEndpoint(legacy, releases(null, {}), workers([fresh, stale], null)).state).toBe('pending')
  })

  it('judges an endpoint that reports no versions by the image its workers run', () => {
    const unversioned = { ...ENDPOINT, target: { ...ENDPOINT_BEFORE, version: null } }
    const onNew = worker('RUNNING', null)
    const onOld = worker('RUNNING', null, { image: OLD })
    expect(judgeEndpoint(unversioned, releases(null, {}), workers([onNew, onNew], null)).state).toBe('done')
    expect(judgeEndpoint(unversioned, releases(null, {}), workers([onNew, onOld], null))).toEqual({
      state: 'pending',
      describe: `1/2 workers on ${NEW}, 1 ready`
    })
  })

  it('does not count a worker in a status Runpod added later as ready', () => {
    const progress = judgeEndpoint(ENDPOINT, releases(4, {}), workers([worker('RUNNING', 4), worker('WARMING', 4)]))
    expect(progress).toEqual({ state: 'pending', describe: '2/2 workers on version 4, 1 ready' })
  })
})

describe('judgePod with min-ready-seconds', () => {
  const up = (uptime: number | null, startedAt = '2026-12-01T10:00:05Z') => pod({ uptime, startedAt })

  it('waits for runtime, then for the uptime, and remembers what it saw', () => {
    expect(judgePod(podEntry(), up(null), 10)).toEqual({
      state: 'pending',
      describe: 'RUNNING, container not up yet (Runpod reports no runtime)'
    })
    const early = judgePod(podEntry(), up(4), 10)
    expect(early).toEqual({
      state: 'pending',
      describe: 'container up 4 s of 10',
      seen: { uptime: 4, startedAt: '2026-12-01T10:00:05Z' }
    })
    const seen = early.state === 'pending' ? early.seen : undefined
    expect(judgePod(podEntry(), up(10), 10, seen)).toEqual({
      state: 'done',
      describe: 'container up 10 s of 10 (min-ready-seconds)'
    })
  })

  it('an uptime that goes back, a new start, or runtime gone again is a restart: failed', () => {
    const seen = { uptime: 6, startedAt: '2026-12-01T10:00:05Z' }
    expect(judgePod(podEntry(), up(2), 10, seen)).toEqual({
      state: 'failed',
      describe: 'the container restarted: its uptime went from 6 s back to 2 s'
    })
    expect(judgePod(podEntry(), up(8, '2026-12-01T10:00:09Z'), 10, seen).state).toBe('failed')
    expect(judgePod(podEntry(), up(null), 10, seen).state).toBe('failed')
    expect(judgePod(podEntry(), pod({ status: 'STARTING' }), 10, seen)).toEqual({
      state: 'failed',
      describe: 'the container restarted: it was up 6 s, then STARTING'
    })
  })

  it('0 keeps the first RUNNING reading on the new image', () => {
    expect(judgePod(podEntry(), up(null), 0).state).toBe('done')
  })
})
