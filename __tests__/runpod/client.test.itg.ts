// The Runpod client, delegations and targets over real HTTP against the simulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { createDelegation, findDelegation } from '../../src/runpod/delegations.js'
import { RunpodClient, type RunpodClientOptions } from '../../src/runpod/client.js'
import { patchTargetImage, readTargets } from '../../src/runpod/targets.js'
import { readOne } from '../../test-support/read-one.js'
import { recordingLog } from '../../test-support/recording-log.js'
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
let sleeps: number[] = []

function client(options: Partial<RunpodClientOptions> = {}, target: RunpodSimulator = sim): RunpodClient {
  return new RunpodClient({
    baseUrl: new URL(target.url),
    apiKey: target.apiKey,
    requestTimeoutMs: 2_000,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 0.5,
    ...options
  })
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
    const created = await createDelegation(runpod, REPO, { name: 'ci' })
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
    await expect(readOne(client(), 'pod', 'nope')).rejects.toThrow(/no pod 'nope'.*'pod-id'/)
    await expect(readOne(client(), 'endpoint', 'gone')).rejects.toThrow(/no endpoint 'gone'.*'endpoint-id'/)
  })

  it('refuses, while reading, a terminated pod and a cluster member pod', async () => {
    sim.addPod({ id: 'pod-deleted', image: 'old:1', status: 'TERMINATED' })
    sim.addPod({ id: 'pod-in-cluster', image: 'old:1', clusterId: 'cluster_1' })
    await expect(readOne(client(), 'pod', 'pod-deleted')).rejects.toThrow(
      /Pod pod-deleted \(input 'pod-id'\) is TERMINATED/
    )
    await expect(readOne(client(), 'pod', 'pod-in-cluster')).rejects.toThrow(
      /Pod pod-in-cluster \(input 'pod-id'\) belongs to a Runpod cluster/
    )
    await expect(readOne(client(), 'pod', 'pod1')).resolves.toMatchObject({ id: 'pod1' })
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
    // An unreadable 2xx may be a cut answer, so it is retried: only a lasting one fails.
    sim.addFault({ kind: 'raw', path: '/v2/serverless/ep1', body: '<html>', contentType: 'text/html', times: 5 })
    await expect(client().getEndpoint('ep1')).rejects.toThrow(/not JSON.*Gave up after 5 attempts/)
  })

  it('refuses to send the key over plain http to a non-loopback host', () => {
    expect(() => new RunpodClient({ baseUrl: new URL('http://api.runpod.io'), apiKey: 'k' })).toThrow(
      /Refusing to send the Runpod API key/
    )
  })
})

describe('createDelegation', () => {
  it('sends the image URI once when Runpod refuses the ARN as the resource, and says so', async () => {
    const local = await startRunpodSimulator({ delegationResource: 'image-uri' })
    const log = recordingLog()
    try {
      const imageUri = '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/worker:v1'
      const created = await createDelegation(client({}, local), REPO, { imageUri, log })
      expect(created).toMatchObject({ awsUser: '123456789012', awsRegion: 'us-east-1', repository: 'team/worker' })
      const posts = local.requests.filter((request) => request.method === 'POST')
      expect(posts.map((request) => (request.body as { resource: string }).resource)).toEqual([ARN, imageUri])
      expect(log.lines.some((line) => line.includes(`sending the image URI ${imageUri} instead`))).toBe(true)
      expect(local.delegations[0]?.['tag']).toBe('v1')
      // Existing delegations match by repository, never by tag.
      expect(findDelegation(await client({}, local).listDelegations(), REPO)?.id).toBe(created.id)
    } finally {
      await local.close()
    }
  })

  it('settles on the oldest delegation when another run created one at the same time, deleting its own', async () => {
    const local = await startRunpodSimulator()
    const log = recordingLog()
    try {
      const other = local.addDelegation({ account: '123456789012', region: 'us-east-1', repository: 'team/worker' })
      const kept = await createDelegation(client({}, local), REPO, { log })
      expect(kept.id).toBe(other['id'])
      expect(local.delegations.map((delegation) => delegation['id'])).toEqual([other['id']])
      expect(log.lines.some((line) => line.startsWith(`Another run created delegation ${String(other['id'])}`))).toBe(
        true
      )
    } finally {
      await local.close()
    }
  })
})

describe('RunpodClient lists', () => {
  it('follows nextCursor across pages until hasNextPage is false', async () => {
    const local = await startRunpodSimulator({ pageSize: 2 })
    try {
      for (const repository of ['a', 'b', 'c', 'd', 'e'])
        local.addDelegation({ account: '123456789012', region: 'us-east-1', repository })
      expect((await client({}, local).listDelegations()).map((delegation) => delegation.repository)).toEqual([
        'a',
        'b',
        'c',
        'd',
        'e'
      ])
      const pages = local.requests.filter((request) => request.path === '/v2/registries/delegations')
      expect(pages).toHaveLength(3)
      expect(pages[1]?.query).toMatch(/cursor=/)
    } finally {
      await local.close()
    }
  })

  it('reads a list without pagination, as the OpenAPI document describes it', async () => {
    const local = await startRunpodSimulator({ pageSize: false })
    try {
      for (const name of ['r1', 'r2', 'r3']) local.addRegistry({ name })
      expect((await client({}, local).listRegistries()).map((registry) => registry.name)).toEqual(['r1', 'r2', 'r3'])
    } finally {
      await local.close()
    }
  })

  it('is answered 422 for a malformed cursor by the simulator, as by Runpod', async () => {
    const response = await fetch(`${sim.url}/v2/registries?cursor=garbage`, {
      headers: { authorization: `Bearer ${sim.apiKey}` }
    })
    expect(response.status).toBe(422)
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

  it.each(['502', '503', '504'])('honours Retry-After on a %s', async (status) => {
    sim.addFault({ kind: 'status', status: Number(status), retryAfter: '2', path: '/v2/pods/pod1' })
    await expect(client().getPod('pod1')).resolves.toMatchObject({ id: 'pod1' })
    expect(sleeps).toEqual([2000])
  })

  const patches = (path: string) =>
    sim.requests.filter((request) => request.method === 'PATCH' && request.path === path)

  it('never sends a pod PATCH again once it took effect, though its answer was lost', async () => {
    sim.addPod({ id: 'pod-lost', image: 'old:1' })
    sim.addFault({ kind: 'lose-response', method: 'PATCH', path: '/v2/pods/pod-lost' })
    await expect(client().patchPod('pod-lost', { image: 'new:2' })).resolves.toMatchObject({ image: 'new:2' })
    expect(patches('/v2/pods/pod-lost')).toHaveLength(1)
  })

  it('reads a lost write back even when no retry is left, and counts it done when it took effect', async () => {
    sim.addPod({ id: 'pod-last', image: 'old:1' })
    sim.addFault({ kind: 'lose-response', method: 'PATCH', path: '/v2/pods/pod-last' })
    await expect(client({ maxRetries: 0 }).patchPod('pod-last', { image: 'new:2' })).resolves.toMatchObject({
      image: 'new:2'
    })
    expect(patches('/v2/pods/pod-last')).toHaveLength(1)
  })

  it('still fails, once read back, when a write with no retry left did not take effect', async () => {
    sim.addPod({ id: 'pod-last-500', image: 'old:1' })
    sim.addFault({ kind: 'status', status: 500, method: 'PATCH', path: '/v2/pods/pod-last-500' })
    await expect(client({ maxRetries: 0 }).patchPod('pod-last-500', { image: 'new:2' })).rejects.toThrow(
      /500.*Gave up after 1 attempts/
    )
    expect(sim.pod('pod-last-500').image).toBe('old:1')
  })

  it.each([
    ['a 502 from a proxy', { kind: 'status-after', status: 502 } as const],
    ['an answer cut in half', { kind: 'garble-response' } as const]
  ])('counts an endpoint PATCH that took effect as done after %s: one PATCH, one release', async (_name, fault) => {
    const endpoint = sim.addEndpoint({ id: `ep-${fault.kind}`, image: 'old:1', workers: 1 })
    sim.addFault({ ...fault, method: 'PATCH', path: `/v2/serverless/${endpoint.id}` })
    await expect(client().patchEndpoint(endpoint.id, { image: 'new:2' })).resolves.toMatchObject({ image: 'new:2' })
    expect(patches(`/v2/serverless/${endpoint.id}`)).toHaveLength(1)
    expect(endpoint.releases).toHaveLength(2)
  })

  it('sends a write again after a 500 only when reading the target shows it did not take effect', async () => {
    sim.addPod({ id: 'pod-500', image: 'old:1' })
    sim.addFault({ kind: 'status', status: 500, method: 'PATCH', path: '/v2/pods/pod-500' })
    await expect(client().patchPod('pod-500', { image: 'new:2' })).resolves.toMatchObject({ image: 'new:2' })
    expect(patches('/v2/pods/pod-500')).toHaveLength(2)
    // In order: the PATCH that met the 500, the read that shows it did not take effect, the PATCH again.
    const sequence = sim.requests
      .filter((request) => request.path === '/v2/pods/pod-500')
      .map((request) => request.method)
    expect(sequence).toEqual(['PATCH', 'GET', 'PATCH'])
  })

  it('bounds a request that never answers by the deadline it is given', async () => {
    sim.addFault({ kind: 'hang', path: '/v2/pods/pod1' })
    const started = Date.now()
    await expect(client({ requestTimeoutMs: 30_000 }).getPod('pod1', { deadline: started + 400 })).rejects.toThrow(
      /GET \/v2\/pods\/pod1 timed out|deadline/
    )
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('stops at once when the signal aborts, without retrying', async () => {
    sim.addFault({ kind: 'hang', path: '/v2/pods/pod1' })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    await expect(client().getPod('pod1', { signal: controller.signal })).rejects.toThrow(/was cancelled/)
    expect(sleeps).toEqual([])
  })

  it('does not create a second delegation when the response to the POST is lost', async () => {
    const local = await startRunpodSimulator()
    try {
      local.addFault({ kind: 'lose-response', method: 'POST' })
      const created = await createDelegation(client({}, local), REPO)
      expect(local.delegations).toHaveLength(1)
      expect(created.id).toBe(local.delegations[0]?.['id'])
      // One POST; the second list is the check that no other run created one at the same time.
      expect(local.requests.map((request) => request.method)).toEqual(['POST', 'GET', 'GET'])
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
      expect(local.requests.map((request) => request.method)).toEqual(['POST', 'GET', 'POST', 'GET'])
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
      const pod = await readOne(runpod, 'pod', 'p')
      expect(pod).toMatchObject({
        kind: 'pod',
        id: 'p',
        name: 'trainer',
        image: 'repo:old',
        registry: 'cred1',
        status: 'RUNNING'
      })
      expect(await readOne(runpod, 'endpoint', 'e')).toMatchObject({
        kind: 'endpoint',
        id: 'e',
        image: 'repo:old',
        registry: null
      })
      await patchTargetImage(runpod, pod, 'repo:new')
      await patchTargetImage(runpod, { kind: 'endpoint', id: 'e' }, 'repo:new', { registry: 'cred2' })
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

describe('readTargets: one list for the pods, one for the endpoints', () => {
  let local: RunpodSimulator
  beforeAll(async () => {
    // Pages of 2: five pods and three endpoints cross page boundaries.
    local = await startRunpodSimulator({ pageSize: 2 })
    for (let i = 0; i < 5; i++) local.addPod({ id: `lp${i}`, image: 'old:1' })
    for (let i = 0; i < 3; i++) local.addEndpoint({ id: `le${i}`, image: 'old:1' })
  })
  afterAll(() => local.close())

  const readAll = (pods: string[], endpoints: string[]) => Promise.all(readTargets(client({}, local), pods, endpoints))
  const since = (start: number) => local.requests.slice(start).map((request) => `${request.method} ${request.path}`)

  it('reads every target from the paged lists, in the order given, with each endpoint its releases', async () => {
    const start = local.requests.length
    const targets = await readAll(['lp4', 'lp0', 'lp2'], ['le2', 'le0'])
    expect(targets.map((target) => `${target.kind} ${target.id}`)).toEqual([
      'pod lp4',
      'pod lp0',
      'pod lp2',
      'endpoint le2',
      'endpoint le0'
    ])
    expect(targets[3]).toMatchObject({ image: 'old:1', version: expect.any(Number) })
    const asked = since(start)
    // Three pages of pods and two of endpoints, no single reads.
    expect(asked.filter((request) => request === 'GET /v2/pods')).toHaveLength(3)
    expect(asked.filter((request) => request === 'GET /v2/serverless')).toHaveLength(2)
    expect(asked.filter((request) => /^GET \/v2\/(pods|serverless)\/[^/]+$/.test(request))).toEqual([])
    expect(asked.filter((request) => request.endsWith('/releases')).sort()).toEqual([
      'GET /v2/serverless/le0/releases',
      'GET /v2/serverless/le2/releases'
    ])
  })

  it('reads a target missing from its list on its own, and an unknown one still names its input', async () => {
    local.addPod({ id: 'lp-cluster', image: 'old:1', clusterId: 'cluster_9' })
    const start = local.requests.length
    const reads = readTargets(client({}, local), ['lp1', 'lp-cluster', 'nope'], [])
    await expect(reads[0]).resolves.toMatchObject({ id: 'lp1' })
    // Cluster members are left out of the list: the single read finds it and refuses it.
    await expect(reads[1]).rejects.toThrow(/Pod lp-cluster \(input 'pod-id'\) belongs to a Runpod cluster/)
    await expect(reads[2]).rejects.toThrow(/no pod 'nope'.*'pod-id'/)
    expect(
      since(start)
        .filter((request) => /^GET \/v2\/pods\/[^/]+$/.test(request))
        .sort()
    ).toEqual(['GET /v2/pods/lp-cluster', 'GET /v2/pods/nope'])
  })

  it('falls back to single reads when a list fails, and reports what those find', async () => {
    local.addFault({ kind: 'status', status: 403, method: 'GET', path: '/v2/serverless', times: 1 })
    local.addFault({ kind: 'status', status: 403, method: 'GET', path: '/v2/pods', times: 1 })
    const start = local.requests.length
    const targets = await readAll(['lp3'], ['le1'])
    expect(targets.map((target) => target.id)).toEqual(['lp3', 'le1'])
    expect(since(start)).toEqual(
      expect.arrayContaining(['GET /v2/pods', 'GET /v2/serverless', 'GET /v2/pods/lp3', 'GET /v2/serverless/le1'])
    )
  })
})
