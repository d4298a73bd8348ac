// The Runpod client, delegations and targets over real HTTP against the simulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { createDelegation, findDelegation } from '../../src/runpod/delegations.js'
import { RunpodClient, type RunpodClientOptions } from '../../src/runpod/client.js'
import { patchTargetImage, readTarget } from '../../src/runpod/targets.js'
import { startRunpodSimulator, type RunpodSimulator } from '../../test-support/runpod-simulator/index.js'

const ARN = 'arn:aws:ecr:us-east-1:123456789012:repository/team/worker'
const REPO = {
  partition: 'aws',
  account: '123456789012',
  region: 'us-east-1',
  repository: 'team/worker',
  arn: ARN
} as const

let sim: RunpodSimulator
const clients: RunpodClient[] = []
let sleeps: number[] = []

function client(options: Partial<RunpodClientOptions> = {}, target: RunpodSimulator = sim): RunpodClient {
  const created = new RunpodClient({
    baseUrl: new URL(target.url),
    apiKey: target.apiKey,
    requestTimeoutMs: 2_000,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 0.5,
    ...options
  })
  clients.push(created)
  return created
}

beforeAll(async () => {
  sim = await startRunpodSimulator()
  sim.addPod({ id: 'pod1', image: 'old:1' })
  sim.addEndpoint({ id: 'ep1', image: 'old:1' })
})

afterEach(() => {
  sleeps = []
})

afterAll(async () => {
  await Promise.all(clients.map((created) => created.close()))
  await sim.close()
})

describe.each(['bare', 'data'] as const)('delegations with the %s envelope', (envelope) => {
  let local: RunpodSimulator
  beforeAll(async () => {
    local = await startRunpodSimulator({ envelope })
  })
  afterAll(() => local.close())

  it('creates a delegation once and finds it on the next run', async () => {
    const runpod = client({}, local)
    expect(findDelegation(await runpod.listDelegations(), REPO)).toBeUndefined()
    const created = await createDelegation(runpod, REPO, 'ci')
    expect(created).toMatchObject({
      awsUser: REPO.account,
      awsRegion: REPO.region,
      repository: REPO.repository,
      name: 'ci'
    })
    expect(local.requests.find((request) => request.method === 'POST')?.body).toEqual({ resource: ARN, name: 'ci' })
    expect(findDelegation(await runpod.listDelegations(), REPO)?.id).toBe(created.id)
    expect(findDelegation(await runpod.listDelegations(), { ...REPO, region: 'us-west-2' })).toBeUndefined()
  })
})

describe('RunpodClient errors', () => {
  it('names the runpod-api-key input when the key is wrong', async () => {
    await expect(client({ apiKey: 'wrong' }).getPod('pod1')).rejects.toThrow(
      /401 Unauthorized: invalid API key.*'runpod-api-key'/
    )
  })

  it('names the input and the id of an unknown pod or endpoint', async () => {
    await expect(readTarget(client(), 'pod', 'nope')).rejects.toThrow(/no pod 'nope'.*'pod-id'/)
    await expect(readTarget(client(), 'endpoint', 'gone')).rejects.toThrow(/no endpoint 'gone'.*'endpoint-id'/)
  })

  it('refuses, while reading, a terminated pod and a cluster member pod', async () => {
    sim.addPod({ id: 'pod-deleted', image: 'old:1', status: 'TERMINATED' })
    sim.addPod({ id: 'pod-in-cluster', image: 'old:1', clusterId: 'cluster_1' })
    await expect(readTarget(client(), 'pod', 'pod-deleted')).rejects.toThrow(
      /Pod pod-deleted \(input 'pod-id'\) is TERMINATED/
    )
    await expect(readTarget(client(), 'pod', 'pod-in-cluster')).rejects.toThrow(
      /Pod pod-in-cluster \(input 'pod-id'\) belongs to a Runpod cluster/
    )
    await expect(readTarget(client(), 'pod', 'pod1')).resolves.toMatchObject({ id: 'pod1' })
  })

  it('lists the field errors of a 422', async () => {
    const body = { image: 'new:2', bogus: true } as unknown as { image: string }
    await expect(client().patchPod('pod1', body)).rejects.toThrow(
      /422 Unprocessable Entity[\s\S]*additional properties 'bogus' not allowed/
    )
  })

  it('says the balance is too low on a 402', async () => {
    sim.addFault({ kind: 'status', status: 402, path: '/v2/pods/pod1' })
    await expect(client().getPod('pod1')).rejects.toThrow(/balance is too low/)
  })

  it('reports an unexpected response shape as an error naming the endpoint', async () => {
    sim.addFault({ kind: 'raw', path: '/v2/serverless/ep1', body: '{"id":"ep1","name":7}' })
    await expect(client().getEndpoint('ep1')).rejects.toThrow(
      /GET \/v2\/serverless\/ep1 .*response\.name is not a string/
    )
    sim.addFault({ kind: 'raw', path: '/v2/serverless/ep1', body: '<html>', contentType: 'text/html' })
    await expect(client().getEndpoint('ep1')).rejects.toThrow(/not JSON/)
  })

  it('refuses to send the key over plain http to a non-loopback host', () => {
    expect(() => new RunpodClient({ baseUrl: new URL('http://api.runpod.io'), apiKey: 'k' })).toThrow(
      /Refusing to send the Runpod API key/
    )
  })
})

describe('RunpodClient retries', () => {
  it('honours Retry-After on a 429', async () => {
    sim.addFault({ kind: 'status', status: 429, retryAfter: '3', path: '/v2/pods/pod1' })
    await expect(client().getPod('pod1')).resolves.toMatchObject({ id: 'pod1' })
    expect(sleeps).toEqual([3000])
  })

  it('retries 500 and 503 on reads with capped backoff, and dropped connections', async () => {
    sim.addFault({ kind: 'status', status: 500, path: '/v2/serverless/ep1' })
    sim.addFault({ kind: 'status', status: 503, path: '/v2/serverless/ep1' })
    sim.addFault({ kind: 'drop', path: '/v2/serverless/ep1' })
    await expect(client({ backoffBaseMs: 100, backoffMaxMs: 300 }).getEndpoint('ep1')).resolves.toMatchObject({
      id: 'ep1'
    })
    expect(sleeps).toEqual([75, 150, 225])
  })

  it('gives up after maxRetries with a clear message', async () => {
    sim.addFault({ kind: 'status', status: 503, path: '/v2/serverless/ep1', times: 3 })
    await expect(client({ maxRetries: 2 }).getEndpoint('ep1')).rejects.toThrow(
      /503 Service Unavailable.*Gave up after 3 attempts/
    )
  })

  it('does not retry a 500 on a write', async () => {
    const before = sim.writes().length
    sim.addFault({ kind: 'status', status: 500, method: 'PATCH' })
    await expect(client().patchPod('pod1', { image: 'old:1' })).rejects.toThrow(/500/)
    expect(sim.writes().length - before).toBe(1)
  })

  it('does not create a second delegation when the response to the POST is lost', async () => {
    const local = await startRunpodSimulator()
    try {
      local.addFault({ kind: 'lose-response', method: 'POST' })
      const created = await createDelegation(client({}, local), REPO)
      expect(local.delegations).toHaveLength(1)
      expect(created.id).toBe(local.delegations[0]?.['id'])
      expect(local.requests.map((request) => request.method)).toEqual(['POST', 'GET'])
    } finally {
      await local.close()
    }
  })

  it('retries the POST when listing shows the first attempt did not take effect', async () => {
    const local = await startRunpodSimulator()
    try {
      local.addFault({ kind: 'status', status: 503, method: 'POST' })
      await createDelegation(client({}, local), REPO)
      expect(local.delegations).toHaveLength(1)
      expect(local.requests.map((request) => request.method)).toEqual(['POST', 'GET', 'POST'])
    } finally {
      await local.close()
    }
  })
})

describe('delegation creation rejected by Runpod', () => {
  it('says the repository policy does not grant Runpod and how to fix it', async () => {
    const local = await startRunpodSimulator({ policyGrantsRunpod: (arn) => arn !== ARN })
    try {
      await expect(createDelegation(client({}, local), REPO)).rejects.toThrow(
        /does not grant Runpod's deployment roles.*'policy: apply'.*AllowRunpodPull/
      )
      expect(local.delegations).toHaveLength(0)
    } finally {
      await local.close()
    }
  })
})

describe('targets', () => {
  it('reads a pod and an endpoint and patches only the image', async () => {
    const local = await startRunpodSimulator()
    try {
      local.addPod({ id: 'p', name: 'trainer', image: 'repo:old', registry: 'cred1' })
      local.addEndpoint({ id: 'e', image: 'repo:old' })
      const runpod = client({}, local)
      const pod = await readTarget(runpod, 'pod', 'p')
      expect(pod).toMatchObject({
        kind: 'pod',
        id: 'p',
        name: 'trainer',
        image: 'repo:old',
        registry: 'cred1',
        status: 'RUNNING'
      })
      expect(await readTarget(runpod, 'endpoint', 'e')).toMatchObject({
        kind: 'endpoint',
        id: 'e',
        image: 'repo:old',
        registry: null
      })
      await patchTargetImage(runpod, pod, 'repo:new')
      await patchTargetImage(runpod, { kind: 'endpoint', id: 'e' }, 'repo:new', 'cred2')
      expect(local.writes().map((request) => request.body)).toEqual([
        { image: 'repo:new' },
        { image: 'repo:new', registry: 'cred2' }
      ])
      expect(local.endpoint('e').version).toBe(2)
    } finally {
      await local.close()
    }
  })

  it('reads the last lines of a pod system log from the event stream', async () => {
    const local = await startRunpodSimulator()
    try {
      local.addPod({ id: 'p', image: 'repo:old' }).systemLog.push('line one', 'line two')
      const lines = await client({ logIdleMs: 400 }, local).podSystemLog('p', 2)
      expect(lines).toEqual(['line one', 'line two'])
      expect(local.requests.at(-1)?.query).toBe('?source=system&tail=2')
    } finally {
      await local.close()
    }
  })
})
