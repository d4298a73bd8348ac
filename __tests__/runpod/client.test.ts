// Timing rules of the Runpod client at the HTTP edge (undici MockAgent): rate-limit pauses, Retry-After
// dates and request timeouts.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { MockAgent } from 'undici'
import { parseRateLimit, parseRetryAfter, rateLimitPauseMs } from '../../src/runpod/rate-limit.js'
import { RunpodClient } from '../../src/runpod/client.js'

const ORIGIN = 'https://api.runpod.io'
const POD = {
  id: 'p1',
  name: 'trainer',
  image: 'repo:v1',
  registry: null,
  status: 'RUNNING',
  startedAt: '2026-01-01T00:00:00Z'
}

let agent: MockAgent
let sleeps: number[]
let clock: number

function client(requestTimeoutMs = 1_000): RunpodClient {
  return new RunpodClient({
    baseUrl: new URL(ORIGIN),
    apiKey: 'secret-key',
    dispatcher: agent,
    requestTimeoutMs,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms)
      clock += ms
    },
    random: () => 0
  })
}

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  sleeps = []
  clock = Date.parse('2026-01-01T00:00:00Z')
})

afterEach(async () => {
  await agent.close()
})

describe('rate-limit headers', () => {
  it('parses the structured-field list', () => {
    const windows = parseRateLimit('"minute";r=0;t=12, "hour";r=2800;t=1812, default;r=5;t=3')
    expect(windows).toEqual([
      { name: 'minute', remaining: 0, resetSeconds: 12 },
      { name: 'hour', remaining: 2800, resetSeconds: 1812 },
      { name: 'default', remaining: 5, resetSeconds: 3 }
    ])
    expect(rateLimitPauseMs(windows)).toBe(12_000)
    expect(parseRateLimit('garbage;;, "x";r=1')).toEqual([])
  })

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7_000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })

  it('waits for the window to reset before the next request when nothing remains', async () => {
    const pool = agent.get(ORIGIN)
    pool
      .intercept({ path: '/v2/pods/p1', method: 'GET' })
      .reply(200, POD, { headers: { ratelimit: '"default";r=0;t=3', 'ratelimit-policy': '"default";q=10;w=60' } })
      .times(2)
    const runpod = client()
    await runpod.getPod('p1')
    expect(sleeps).toEqual([])
    await runpod.getPod('p1')
    expect(sleeps).toEqual([3_000])
  })

  it('honours a Retry-After HTTP date on a 429', async () => {
    const pool = agent.get(ORIGIN)
    pool
      .intercept({ path: '/v2/pods/p1', method: 'GET' })
      .reply(
        429,
        { title: 'Too Many Requests', status: 429, detail: 'slow down' },
        { headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:04 GMT' } }
      )
    pool.intercept({ path: '/v2/pods/p1', method: 'GET' }).reply(200, POD)
    await expect(client().getPod('p1')).resolves.toMatchObject({ id: 'p1' })
    expect(sleeps).toEqual([4_000])
  })

  it('fails at once when Runpod asks to wait longer than the action would', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/v2/pods/p1', method: 'GET' })
      .reply(
        429,
        { title: 'Too Many Requests', status: 429, detail: 'daily quota' },
        { headers: { 'retry-after': '45000' } }
      )
    await expect(client().getPod('p1')).rejects.toThrow(/asks to wait 45000 s/)
    expect(sleeps).toEqual([])
  })
})

describe('timeouts', () => {
  it('retries a request whose response does not arrive in time', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/v2/pods/p1', method: 'GET' }).reply(200, POD).delay(500)
    pool.intercept({ path: '/v2/pods/p1', method: 'GET' }).reply(200, POD)
    await expect(client(100).getPod('p1')).resolves.toMatchObject({ id: 'p1' })
    expect(sleeps).toHaveLength(1)
  })

  it('sends the key as a bearer token', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/v2/pods/p1', method: 'GET', headers: { authorization: 'Bearer secret-key' } })
      .reply(200, POD)
    await expect(client().getPod('p1')).resolves.toMatchObject({ image: 'repo:v1' })
  })
})

describe('answers from outside', () => {
  it('refuses a redirect without following it, naming the input', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/v2/pods/p1', method: 'PATCH' })
      .reply(307, '', { headers: { location: 'https://elsewhere.example/v2/pods/p1' } })
    await expect(client().patchPod('p1', { image: 'repo:v2' })).rejects.toThrow(
      "Runpod answered PATCH /v2/pods/p1 with a redirect (HTTP 307 to https://elsewhere.example/v2/pods/p1). The action sends the API key and its requests to 'runpod-api-url' (https://api.runpod.io) only"
    )
    // Not retried, not read back: a redirected request did nothing at Runpod.
    expect(sleeps).toEqual([])
    agent.assertNoPendingInterceptors()
  })

  it('stops reading a body past the cap and says so', async () => {
    const huge = JSON.stringify({ ...POD, name: 'x'.repeat(5 * 1024 * 1024) })
    agent.get(ORIGIN).intercept({ path: '/v2/pods/p1', method: 'GET' }).reply(200, huge).times(5)
    await expect(client().getPod('p1')).rejects.toThrow(/larger than 4 MiB, far more than any Runpod answer/)
  })

  it('ends a list whose cursor does not advance, naming the list', async () => {
    const page = { pods: [POD], pagination: { nextCursor: 'c1', hasNextPage: true } }
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/v2/pods?limit=100', method: 'GET' }).reply(200, page)
    pool.intercept({ path: '/v2/pods?limit=100&cursor=c1', method: 'GET' }).reply(200, page)
    await expect(client().listPods()).rejects.toThrow(
      "Runpod's list GET /v2/pods does not advance: page 2 points to a cursor an earlier page already gave"
    )
  })
})
