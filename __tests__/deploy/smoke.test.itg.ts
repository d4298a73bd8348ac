// The bundled action with smoke-test and canary, against the local stack and the simulator's job API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import type { JobScript } from '../../test-support/runpod-simulator/jobs.js'

let stack: LocalStack
let seq = 0
let repository: string

beforeAll(async () => {
  stack = await startLocalStack()
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(async () => {
  repository = `team/smoke-${++seq}`
  await stack.createRepository(repository)
  await stack.pushImage(repository, 'v2')
})

interface Deployment {
  kind: string
  id: string
  status: string
}

const oldImage = () => `${stack.registryHost()}/${repository}:v1`
const newImage = () => `${stack.registryHost()}/${repository}:v2`
const deployments = (run: ActionRun) => JSON.parse(run.outputs['deployments'] ?? '[]') as Deployment[]

function endpoint(jobs?: JobScript): string {
  const id = `ep-${repository.replace('/', '-')}-${Math.random().toString(36).slice(2, 6)}`
  stack.runpod.addEndpoint({ id, image: oldImage(), workers: 1, ...(jobs ? { jobs } : {}) })
  return id
}

function deploy(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction({
    inputs: {
      ...stack.deployInputs(repository, 'v2'),
      'runpod-serverless-url': stack.runpod.url,
      'smoke-test': JSON.stringify({ input: { prompt: 'ping' } }),
      ...inputs
    },
    env: stack.env
  })
}

const logOf = (run: ActionRun) => `${run.stdout}\n${run.stderr}`

describe('smoke test', () => {
  it('passes when the job completes with the expected output, and shows it in the summary', async () => {
    const id = endpoint({ outcome: 'complete', output: { status: 'ok', model: 'llama', tokens: [1, 2] } })
    const run = await deploy({ 'endpoint-id': id, 'smoke-expect': JSON.stringify({ status: 'ok', tokens: [1, 2] }) })
    expect(logOf(run)).toMatch(/smoke test\): passed: job sync-\S+ COMPLETED/)
    expect(run.exitCode).toBe(0)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-out' })])
    const [job] = stack.runpod.endpoint(id).jobs
    expect(job?.input).toEqual({ prompt: 'ping' })
    const runsync = stack.runpod.requests.find((request) => request.path === `/v2/${id}/runsync`)
    expect(runsync?.authorization).toBe(`Bearer ${stack.runpod.apiKey}`)
    expect(runsync?.query).toMatch(/^\?wait=\d+$/)
    expect(run.summary).toContain('<th>Smoke test</th>')
    expect(run.summary).toMatch(/✅ passed job <code>sync-/)
  })

  it('rolls back an endpoint whose job fails, showing the job id, status, error and execution time', async () => {
    const id = endpoint({ outcome: 'fail', error: 'CUDA out of memory while loading the model', runMs: 300 })
    const run = await deploy({ 'endpoint-id': id })
    expect(run.exitCode).toBe(1)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-back' })])
    expect(stack.runpod.endpoint(id).image).toBe(oldImage())
    const log = logOf(run)
    expect(log).toMatch(/the smoke test failed: job sync-\S+ ended FAILED: CUDA out of memory while loading the model/)
    expect(log).toMatch(/smoke job sync-\S+: FAILED/)
    expect(log).toMatch(/execution time: 300 ms/)
    expect(run.summary).toMatch(/❌ FAILED job <code>sync-/)
    expect(run.summary).toContain('CUDA out of memory while loading the model')
  })

  it('rolls back an endpoint whose job never leaves the queue, at smoke-timeout', async () => {
    const id = endpoint({ outcome: 'queue' })
    const started = Date.now()
    const run = await deploy({ 'endpoint-id': id, 'smoke-timeout': '3' })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toMatch(/job sync-\S+ still IN_QUEUE after 3 s \(smoke-timeout\)/)
    // The stuck job is cancelled, so it does not take a worker later.
    expect(logOf(run)).toMatch(/cancelled job sync-/)
    expect(stack.runpod.endpoint(id).jobs[0]?.status()).toBe('CANCELLED')
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-back' })])
    expect(Date.now() - started).toBeLessThan(20_000)
    // runsync asked Runpod to hold the request no longer than the deadline left.
    const wait = Number(
      /wait=(\d+)/.exec(stack.runpod.requests.find((r) => r.path === `/v2/${id}/runsync`)?.query ?? '')?.[1]
    )
    expect(wait).toBeGreaterThanOrEqual(1000)
    expect(wait).toBeLessThanOrEqual(3000)
  })

  it('rolls back an endpoint whose output does not match smoke-expect, showing both', async () => {
    const id = endpoint({ outcome: 'complete', output: { status: 'degraded', detail: 'x'.repeat(1000) } })
    const run = await deploy({ 'endpoint-id': id, 'smoke-expect': '{"status": "ok"}' })
    expect(run.exitCode).toBe(1)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-back' })])
    const log = logOf(run)
    expect(log).toMatch(
      /completed, but its output \{"status":"degraded","detail":"x+… \(\d+ characters\) does not match 'smoke-expect' \{"status":"ok"\}/
    )
    // The whole output only at debug level.
    expect(run.stdout).toMatch(
      new RegExp(`::debug::.*output: \\{"status":"degraded","detail":"${'x'.repeat(1000)}"\\}`)
    )
  })

  it('in verify mode only reports the smoke test and the canary, and sends no job', async () => {
    const id = endpoint()
    const run = await deploy({ 'endpoint-id': id, mode: 'verify', canary: id })
    expect(run.exitCode).toBe(0)
    expect(stack.runpod.endpoint(id).jobs).toEqual([])
    expect(run.stdout).toMatch(
      /Smoke test: \{"input":\{"prompt":"ping"\}\} to endpoint .* \(verify mode sends no job\)/
    )
    expect(run.stdout).toMatch(/Canary: endpoint .* is deployed and proven first/)
    expect(run.summary).toContain('<th>Canary</th>')
  })
})

describe('canary', () => {
  it('passes first, then the other targets deploy', async () => {
    const canary = endpoint()
    const other = endpoint()
    const pod = `pod-${repository.replace('/', '-')}`
    stack.runpod.addPod({ id: pod, image: oldImage(), pollsToStart: 1 })
    const from = stack.runpod.requests.length
    const run = await deploy({ 'endpoint-id': `${canary}, ${other}`, 'pod-id': pod, canary })
    expect(logOf(run)).toMatch(/The canary \S+ passed: deploying the other 2 target\(s\)/)
    expect(run.exitCode).toBe(0)
    expect(deployments(run).map((d) => [d.id, d.status])).toEqual(
      expect.arrayContaining([
        [canary, 'rolled-out'],
        [other, 'rolled-out'],
        [pod, 'rolled-out']
      ])
    )
    // Nothing else was patched before the canary's smoke job completed.
    const requests = stack.runpod.requests.slice(from)
    const canaryJob = requests.findIndex((request) => request.path === `/v2/${canary}/runsync`)
    const others = requests.flatMap((request, index) =>
      request.method === 'PATCH' && !request.path.endsWith(canary) ? [index] : []
    )
    expect(canaryJob).toBeGreaterThan(0)
    expect(others).toHaveLength(2)
    expect(others.every((index) => index > canaryJob)).toBe(true)
    expect(stack.runpod.endpoint(other).jobs).toHaveLength(1)
  })

  it('that fails is rolled back, and no other target is touched', async () => {
    const canary = endpoint({ outcome: 'fail', error: 'ImportError: no module named torch' })
    const other = endpoint()
    const pod = `pod-c-${repository.replace('/', '-')}`
    stack.runpod.addPod({ id: pod, image: oldImage() })
    const writesBefore = stack.runpod.writes().length
    const run = await deploy({ 'endpoint-id': `${canary},${other}`, 'pod-id': pod, canary })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toMatch(/The canary \S+ did not pass, so the other 2 target\(s\) were not deployed/)
    expect(deployments(run).map((d) => [d.id, d.status])).toEqual(
      expect.arrayContaining([
        [canary, 'rolled-back'],
        [other, 'unchanged'],
        [pod, 'unchanged']
      ])
    )
    expect(stack.runpod.endpoint(other).image).toBe(oldImage())
    expect(stack.runpod.pod(pod).image).toBe(oldImage())
    const writes = stack.runpod.writes().slice(writesBefore)
    expect(writes.filter((w) => w.method === 'PATCH').every((w) => w.path.endsWith(canary))).toBe(true)
    expect(newImage()).not.toBe(oldImage())
  })
})
