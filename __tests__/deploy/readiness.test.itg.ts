// "Rolled out" means the container runs: the bundled action against simulated pods whose containers never
// come up, crash in a loop, or serve a health path through a loopback stand-in of Runpod's pod proxy.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { startPodProxyStandIn, type PodProxyStandIn } from '../../test-support/pod-proxy-stand-in.js'
import type { PodSeed } from '../../test-support/runpod-simulator/index.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'

let stack: LocalStack
let proxy: PodProxyStandIn
let seq = 0
let repository: string
let started: number

beforeAll(async () => {
  ;[stack, proxy] = await Promise.all([startLocalStack(), startPodProxyStandIn()])
})

afterAll(async () => {
  await Promise.all([stack?.stop(), proxy?.close()])
})

beforeEach(async () => {
  repository = `team/ready-${++seq}`
  await stack.createRepository(repository)
  await stack.pushImage(repository, 'v2')
  started = Date.now()
})

interface Deployment {
  id: string
  status: string
}

const oldImage = () => `${stack.registryHost()}/${repository}:v1`
const logOf = (run: ActionRun) => `${run.stdout}\n${run.stderr}`
const deployments = (run: ActionRun) => JSON.parse(run.outputs['deployments'] ?? '[]') as Deployment[]
const patches = () =>
  stack.runpod.writes().filter((request) => request.method === 'PATCH' && request.time.getTime() >= started)

function pod(seed: Partial<PodSeed> = {}, suffix = ''): string {
  const id = `pod-ready-${seq}${suffix}`
  stack.runpod.addPod({ id, image: oldImage(), pollsToStart: 1, ports: ['8000/http', '22/tcp'], ...seed })
  return id
}

function deploy(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction({
    inputs: { ...stack.deployInputs(repository, 'v2'), 'runpod-proxy-url': proxy.template, ...inputs },
    env: stack.env
  })
}

describe('a pod counts as rolled out once its container has run min-ready-seconds', () => {
  it('a container that never comes up is rolled back, and the reason says so', async () => {
    const id = pod({ container: 'never' })
    const run = await deploy({ 'pod-id': id, 'min-ready-seconds': '2', 'wait-timeout': '6' })
    expect(run.exitCode).toBe(1)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-back' })])
    expect(logOf(run)).toContain(
      'still pending after 6 s (wait-timeout): RUNNING, container not up yet (Runpod reports no runtime)'
    )
    expect(stack.runpod.pod(id).image).toBe(oldImage())
  })

  it('a crash loop is a failed rollout: rolled back with the system log', async () => {
    const id = pod({ container: { restartEveryMs: 2_500 } })
    const run = await deploy({ 'pod-id': id, 'min-ready-seconds': '4' })
    expect(run.exitCode).toBe(1)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-back' })])
    expect(logOf(run)).toMatch(/the container restarted: its uptime went from \d s back to \d s/)
    expect(logOf(run)).toContain('ModuleNotFoundError: No module named vllm')
  })

  it('a PATCH that leaves startedAt as it was: the new start is seen in runtime.uptime, and the pod rolls out', async () => {
    for (const minReady of ['0', '2']) {
      const id = pod({ keepStartedAt: true }, `-${minReady}`)
      const before = stack.runpod.pod(id).startedAt
      const run = await deploy({ 'pod-id': id, 'min-ready-seconds': minReady, 'wait-timeout': '30' })
      expect(run.exitCode).toBe(0)
      expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-out' })])
      expect(stack.runpod.pod(id).startedAt).toBe(before)
    }
  })

  it('a healthy pod is rolled out no sooner than min-ready-seconds after its container started', async () => {
    const id = pod()
    const run = await deploy({ 'pod-id': id, 'min-ready-seconds': '3' })
    expect(run.exitCode).toBe(0)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-out' })])
    expect(run.stdout).toMatch(/container up [0-2] s of 3/)
    expect(run.stdout).toMatch(/rolled out to \S+ in \d+ s \(container up [3-9] s of 3 \(min-ready-seconds\)\)/)
    const containerStart = Date.parse(stack.runpod.pod(id).startedAt ?? '')
    expect(run.closedAt - run.spawnedAt).toBeGreaterThan(3_000)
    expect(Date.now() - containerStart).toBeGreaterThanOrEqual(3_000)
  })

  it('min-ready-seconds: 0 keeps the first RUNNING reading, even without runtime', async () => {
    const id = pod({ container: 'never' })
    const run = await deploy({ 'pod-id': id, 'min-ready-seconds': '0' })
    expect(run.exitCode).toBe(0)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-out' })])
    expect(run.stdout).not.toContain('container up')
  })
})

describe('health-check through the pod proxy', () => {
  it('passes after a few 503s; the request goes to the template with id and port filled, with no credential', async () => {
    const id = pod()
    proxy.script(id, 8000, [503, 503, 200])
    const run = await deploy({ 'pod-id': id, 'min-ready-seconds': '1', 'health-check': '8000/health' })
    expect(run.exitCode).toBe(0)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-out' })])
    expect(run.stdout).toContain('health check HTTP 503, try 1; asking again.')
    expect(run.stdout).toMatch(
      /health check passed: GET http:\/\/127\.0\.0\.1:\d+\/pod-ready-\d+-8000\/health answered 200 \(try 3\)/
    )
    const asked = proxy.requests.filter((request) => request.podId === id)
    expect(asked.map((request) => `${request.port} ${request.path}`)).toEqual(Array(3).fill('8000 /health'))
    for (const request of asked) {
      expect(request.headers['authorization']).toBeUndefined()
      expect(request.headers['cookie']).toBeUndefined()
      expect(JSON.stringify(request.headers)).not.toContain(stack.runpod.apiKey)
    }
    expect(run.summary).toContain('Ready, health check')
  })

  it('one that never passes is rolled back; the reason names the URL and the last status', async () => {
    const id = pod()
    proxy.script(id, 8000, [503])
    const run = await deploy({
      'pod-id': id,
      'min-ready-seconds': '1',
      'health-check': '8000/health',
      'health-timeout': '5'
    })
    expect(run.exitCode).toBe(1)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-back' })])
    expect(logOf(run)).toMatch(
      /the health check GET http:\/\/127\.0\.0\.1:\d+\/pod-ready-\d+-8000\/health did not answer 2xx within 5 s \(health-timeout\) or the wait; the last answer was HTTP 503: upstream answered 503 <b>not ready<\/b>/
    )
    expect(stack.runpod.pod(id).image).toBe(oldImage())
  })

  it('a pod canary that fails its health check leaves the other targets untouched', async () => {
    const canary = pod({}, '-canary')
    const other = pod({}, '-other')
    proxy.script(canary, 8000, [500])
    const run = await deploy({
      'pod-id': `${canary},${other}`,
      canary,
      'min-ready-seconds': '1',
      'health-check': '8000/health'
    })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toMatch(/answered HTTP 500: upstream answered 500 <b>not ready<\/b>, which is not 2xx/)
    expect(deployments(run)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: canary, status: 'rolled-back' }),
        expect.objectContaining({ id: other, status: 'unchanged' })
      ])
    )
    expect(patches().filter((request) => request.path.endsWith(other))).toEqual([])
  })

  it('a port the pod does not expose over http fails before any write', async () => {
    const id = pod({ ports: ['22/tcp', '8888/http'] })
    const run = await deploy({ 'pod-id': id, 'health-check': '8000/health' })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toContain(
      `Input 'health-check' asks port 8000, which pod ${id} (exposes 22/tcp, 8888/http) does not expose as 8000/http`
    )
    expect(patches()).toEqual([])
  })
})
