// Rollout wait and rollback over real HTTP against the simulator's scripted pods and endpoints.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { RunpodClient } from '../../src/runpod/client.js'
import { rolloutError, waitForRollouts, type PatchedTarget, type RolloutOptions } from '../../src/deploy/rollout.js'
import { patchTargetImage, type TargetKind } from '../../src/runpod/targets.js'
import { readOne } from '../../test-support/read-one.js'
import { recordingLog } from '../../test-support/recording-log.js'
import { startRunpodSimulator, type RunpodSimulator } from '../../test-support/runpod-simulator/index.js'

const OLD = '123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1'
const NEW = '123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v2'
const FAST: Omit<RolloutOptions, 'rollback'> = { timeoutMs: 5_000, pollInitialMs: 5, pollMaxMs: 20 }

let sim: RunpodSimulator
let client: RunpodClient

beforeAll(async () => {
  sim = await startRunpodSimulator()
  client = new RunpodClient({ baseUrl: new URL(sim.url), apiKey: sim.apiKey, requestTimeoutMs: 2_000, logIdleMs: 300 })
})

afterAll(async () => {
  await sim.close()
})

async function deploy(kind: TargetKind, id: string): Promise<PatchedTarget> {
  const target = await readOne(client, kind, id)
  const patchedAt = new Date()
  await patchTargetImage(client, target, NEW)
  return { target, image: NEW, patchedAt }
}

describe('pods', () => {
  it('does not wait for a pod that was stopped before the deploy: it takes the image on its next start', async () => {
    sim.addPod({ id: 'pod-stopped', image: OLD, status: 'EXITED' })
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('pod', 'pod-stopped')],
      { ...FAST, rollback: true },
      recordingLog()
    )
    expect(outcome).toMatchObject({
      status: 'rolled-out',
      note: expect.stringMatching(/stopped: it will run the new image when it is started/)
    })
    expect(sim.pod('pod-stopped')).toMatchObject({ status: 'EXITED', image: NEW })
  })

  it('rolls out when the pod runs the new image and restarted after the patch', async () => {
    sim.addPod({ id: 'pod-ok', image: OLD, pollsToStart: 3 })
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('pod', 'pod-ok')],
      { ...FAST, rollback: true },
      recordingLog()
    )
    expect(outcome).toMatchObject({
      kind: 'pod',
      id: 'pod-ok',
      status: 'rolled-out',
      previousImage: OLD,
      image: NEW,
      diagnostics: []
    })
    expect(sim.pod('pod-ok').status).toBe('RUNNING')
    expect(rolloutError([outcome!])).toBeUndefined()
  })

  it('rolls a failing pod back and shows its system log', async () => {
    sim.addPod({
      id: 'pod-bad',
      image: OLD,
      rollout: 'fail',
      failureLog: ['pull access denied for worker', 'start failed']
    })
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('pod', 'pod-bad')],
      { ...FAST, rollback: true },
      recordingLog()
    )
    expect(outcome).toMatchObject({ status: 'rolled-back', reason: 'the pod is ERROR' })
    expect(outcome?.diagnostics.slice(-2)).toEqual(['pull access denied for worker', 'start failed'])
    expect(sim.pod('pod-bad').image).toBe(OLD)
    expect(
      sim
        .writes()
        .filter((request) => request.path === '/v2/pods/pod-bad')
        .map((request) => request.body)
    ).toEqual([{ image: NEW }, { image: OLD }])
    expect(rolloutError([outcome!])?.message).toMatch(/pod pod-bad: the pod is ERROR \(rolled back to .*worker:v1\)/)
  })

  it('leaves a failing pod alone without rollback and reports failed', async () => {
    sim.addPod({ id: 'pod-keep', image: OLD, rollout: 'fail' })
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('pod', 'pod-keep')],
      { ...FAST, rollback: false },
      recordingLog()
    )
    expect(outcome?.status).toBe('failed')
    expect(sim.pod('pod-keep').image).toBe(NEW)
  })
})

describe('endpoints', () => {
  it('rolls out when every worker runs the new release', async () => {
    sim.addEndpoint({ id: 'ep-ok', image: OLD, workers: 3 })
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('endpoint', 'ep-ok')],
      { ...FAST, rollback: true },
      recordingLog()
    )
    expect(outcome).toMatchObject({ kind: 'endpoint', status: 'rolled-out' })
    expect(sim.endpoint('ep-ok').workers.every((worker) => worker.version === 2)).toBe(true)
  })

  it('does not take the previous release for the new one before the patch shows up', async () => {
    sim.addEndpoint({ id: 'ep-late', image: OLD, workers: 1 })
    const entry = await deploy('endpoint', 'ep-late')
    expect(entry.target.version).toBe(1)
    // As if Runpod had not published the patch's release yet: the version read before is the current one.
    const late = { ...entry, target: { ...entry.target, version: 2 } }
    const [outcome] = await waitForRollouts(
      client,
      [late],
      // Long enough for a first read on a busy machine; the release never arrives anyway.
      { ...FAST, timeoutMs: 1_000, rollback: false },
      recordingLog()
    )
    expect(outcome).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/waiting for a release newer than version 2/)
    })
  })

  it('rolls back when workers on the new release are unhealthy, listing them', async () => {
    sim.addEndpoint({ id: 'ep-bad', image: OLD, workers: 2, rollout: 'fail' })
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('endpoint', 'ep-bad')],
      { ...FAST, rollback: true },
      recordingLog()
    )
    expect(outcome).toMatchObject({ status: 'rolled-back', reason: '1 worker(s) on version 2 are UNHEALTHY' })
    expect(outcome?.diagnostics).toEqual([
      expect.stringMatching(/^worker \w+: UNHEALTHY, version 2, image .*worker:v2$/)
    ])
    expect(sim.endpoint('ep-bad').image).toBe(OLD)
  })

  it('a release whose new workers only wait THROTTLED fails for want of capacity, naming pools and data centers, and rolls back', async () => {
    sim.addEndpoint({ id: 'ep-throttled', image: OLD, workers: 1, rollout: 'throttled' })
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('endpoint', 'ep-throttled')],
      { ...FAST, timeoutMs: 1_500, rollback: true, rollbackBudgetMs: 10_000 },
      recordingLog()
    )
    expect(outcome?.status).toBe('rolled-back')
    expect(outcome?.reason).toMatch(
      /^no GPU capacity: after 2 s \(wait-timeout\) the new release's workers were still THROTTLED, waiting for a GPU in GPU pools ADA_24 in data centers US-KS-2/
    )
    expect(outcome?.reason).toContain('The image was never started')
    expect(sim.endpoint('ep-throttled').image).toBe(OLD)
  })

  it('counts an endpoint without workers as rolled out, with a note', async () => {
    sim.addEndpoint({ id: 'ep-idle', image: OLD, workers: 0 })
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('endpoint', 'ep-idle')],
      { ...FAST, rollback: true },
      recordingLog()
    )
    expect(outcome).toMatchObject({ status: 'rolled-out', note: expect.stringMatching(/next worker .* new image/) })
  })
})

describe('waiting', () => {
  it('waits for targets concurrently and names the ones still pending at the timeout', async () => {
    sim.addPod({ id: 'pod-slow', image: OLD, rollout: 'stall' })
    sim.addEndpoint({ id: 'ep-slow', image: OLD, rollout: 'stall' })
    sim.addPod({ id: 'pod-fine', image: OLD, pollsToStart: 1 })
    const patched = [
      await deploy('pod', 'pod-slow'),
      await deploy('endpoint', 'ep-slow'),
      await deploy('pod', 'pod-fine')
    ]
    // Long enough for the fine pod on a loaded machine; the stalled ones end only at the timeout.
    const outcomes = await waitForRollouts(
      client,
      patched,
      { timeoutMs: 2_000, pollInitialMs: 5, pollMaxMs: 50, rollback: false },
      recordingLog()
    )
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['failed', 'failed', 'rolled-out'])
    expect(outcomes[0]?.reason).toMatch(/still pending after 2 s \(wait-timeout\): STARTING/)
    expect(outcomes[1]?.reason).toMatch(/0\/2 workers on version 2/)
    expect(outcomes[1]?.diagnostics).toHaveLength(2)
    const message = rolloutError(outcomes)?.message ?? ''
    expect(message).toMatch(/2 of 3 target\(s\) did not roll out/)
    expect(message).toMatch(/pod pod-slow: still pending/)
    expect(message).toMatch(/endpoint ep-slow: still pending/)
  })

  it('reads every pod of a round with one list, and an endpoint with one request once its release exists', async () => {
    const ids = ['pod-round-1', 'pod-round-2', 'pod-round-3']
    for (const id of ids) sim.addPod({ id, image: OLD, pollsToStart: 4 })
    sim.addEndpoint({ id: 'ep-round', image: OLD })
    const patched = [...(await Promise.all(ids.map((id) => deploy('pod', id)))), await deploy('endpoint', 'ep-round')]
    const from = sim.requests.length
    const outcomes = await waitForRollouts(client, patched, { ...FAST, rollback: false }, recordingLog())
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rolled-out', 'rolled-out', 'rolled-out', 'rolled-out'])
    const during = sim.requests.slice(from).map((request) => request.path)
    expect(during.filter((path) => path.startsWith('/v2/pods/'))).toEqual([])
    expect(during.filter((path) => path === '/v2/pods').length).toBeGreaterThan(0)
    expect(during.filter((path) => path === '/v2/serverless/ep-round/releases')).toHaveLength(1)
    expect(during.filter((path) => path === '/v2/serverless/ep-round/workers').length).toBeGreaterThan(1)
  })

  it('without a published quota, polls within two seconds of the patch and backs off to at most the maximum', async () => {
    const quiet = await startRunpodSimulator({ rateLimitHeaders: false })
    const quietClient = new RunpodClient({ baseUrl: new URL(quiet.url), apiKey: quiet.apiKey, requestTimeoutMs: 2_000 })
    try {
      quiet.addPod({ id: 'pod-timed', image: OLD, pollsToStart: 10 })
      const target = await readOne(quietClient, 'pod', 'pod-timed')
      const patchedAt = new Date()
      await patchTargetImage(quietClient, target, NEW)
      const entry = { target, image: NEW, patchedAt }
      const sleeps: number[] = []
      const [outcome] = await waitForRollouts(
        quietClient,
        [entry],
        {
          timeoutMs: 60_000,
          rollback: false,
          pollMaxMs: 15_000,
          sleep: async (ms) => {
            sleeps.push(ms)
          }
        },
        recordingLog()
      )
      expect(outcome?.status).toBe('rolled-out')
      expect(sleeps[0]).toBeLessThanOrEqual(2_000)
      expect(sleeps.slice(1, 4)).toEqual([1_500, 2_250, 3_375])
      expect(sleeps.slice(-2)).toEqual([15_000, 15_000])
    } finally {
      await quiet.close()
    }
  })

  it('with a published quota, polls every 1.5 s: the request budget paces the polls', async () => {
    sim.addPod({ id: 'pod-paced', image: OLD, pollsToStart: 10 })
    const entry = await deploy('pod', 'pod-paced')
    const sleeps: number[] = []
    const options = { timeoutMs: 60_000, rollback: false, sleep: async (ms: number) => void sleeps.push(ms) }
    const [outcome] = await waitForRollouts(client, [entry], options, recordingLog())
    expect(outcome?.status).toBe('rolled-out')
    expect(sleeps[0]).toBeLessThanOrEqual(1_000)
    expect(sleeps.slice(1)).toEqual(Array(sleeps.length - 1).fill(1_500))
  })
})

describe('deadline and rollback budget', () => {
  it('bounds the whole wait by the timeout when Runpod stops answering pod reads', async () => {
    sim.addPod({ id: 'pod-hung', image: OLD, pollsToStart: 50 })
    const entry = await deploy('pod', 'pod-hung')
    sim.addFault({ kind: 'hang', method: 'GET', path: '/v2/pods/pod-hung', times: 1_000 })
    const hungClient = new RunpodClient({
      baseUrl: new URL(sim.url),
      apiKey: sim.apiKey,
      requestTimeoutMs: 30_000,
      logIdleMs: 300
    })
    const started = Date.now()
    const [outcome] = await waitForRollouts(
      hungClient,
      [entry],
      { ...FAST, timeoutMs: 800, rollback: false },
      recordingLog()
    )
    expect(outcome?.status).toBe('failed')
    expect(outcome?.reason).toMatch(/still pending after 1 s \(wait-timeout\)/)
    expect(Date.now() - started).toBeLessThan(3_000)
  })

  it('counts a rollback only once the previous image is seen running again', async () => {
    sim.addPod({ id: 'pod-rb-ok', image: OLD, rollout: 'fail', pollsToStart: 1 })
    const log = recordingLog()
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('pod', 'pod-rb-ok')],
      { ...FAST, rollback: true },
      log
    )
    expect(outcome?.status).toBe('rolled-back')
    expect(sim.pod('pod-rb-ok')).toMatchObject({ image: OLD, status: 'RUNNING' })
    expect(log.lines.some((line) => line.includes('(rollback): RUNNING'))).toBe(true)
  })

  it('reports failed, not rolled-back, when the previous image does not come back within the rollback budget', async () => {
    sim.addPod({ id: 'pod-rb-stuck', image: OLD, rollout: 'fail', rollbackRollout: 'stall', pollsToStart: 1 })
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('pod', 'pod-rb-stuck')],
      { ...FAST, rollback: true, rollbackBudgetMs: 300 },
      recordingLog()
    )
    expect(outcome?.status).toBe('failed')
    expect(outcome?.reason).toMatch(/the rollback to .*:v1 was sent but not seen within its budget/)
    expect(sim.pod('pod-rb-stuck').image).toBe(OLD)
  })

  it('says in the log that the rollback after the wait-timeout has a budget of its own', async () => {
    sim.addPod({ id: 'pod-rb-late', image: OLD, rollout: 'stall' })
    const log = recordingLog()
    const [outcome] = await waitForRollouts(
      client,
      [await deploy('pod', 'pod-rb-late')],
      { ...FAST, timeoutMs: 200, rollback: true },
      log
    )
    expect(outcome?.status).toBe('rolled-back')
    expect(log.lines).toContain(
      `pod pod-rb-late (pod-pod-rb-late): wait-timeout is over; the rollback gets a budget of its own, 60 s.`
    )
  })
})
