// The job client at the HTTP edge (undici MockAgent): a runsync POST is never sent twice unless Runpod
// certainly did not take it, and the job's answer is parsed as Runpod documents it.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { MockAgent } from 'undici'
import { JobClient } from '../../src/runpod/jobs.js'
import { RunpodApiError } from '../../src/runpod/errors.js'

const ORIGIN = 'https://api.runpod.ai'
let agent: MockAgent

function jobs(): JobClient {
  return new JobClient({
    baseUrl: new URL(ORIGIN),
    apiKey: 'secret-key',
    dispatcher: agent,
    requestTimeoutMs: 1_000,
    sleep: async () => {},
    random: () => 0
  })
}

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
})

afterEach(async () => {
  await agent.close()
})

describe('JobClient.runSync', () => {
  it('posts the body with the wait in Runpod’s range and a Bearer key, and reads the ended job', async () => {
    agent
      .get(ORIGIN)
      .intercept({
        path: '/v2/ep1/runsync?wait=300000',
        method: 'POST',
        headers: { authorization: 'Bearer secret-key' },
        body: JSON.stringify({ input: { prompt: 'ping' } })
      })
      .reply(200, {
        id: 'sync-1',
        status: 'COMPLETED',
        output: [1, 'two'],
        executionTime: 812,
        delayTime: 40,
        workerId: 'w1'
      })
    await expect(jobs().runSync('ep1', { input: { prompt: 'ping' } }, 900_000)).resolves.toEqual({
      id: 'sync-1',
      status: 'COMPLETED',
      output: [1, 'two'],
      executionTimeMs: 812,
      delayTimeMs: 40,
      workerId: 'w1'
    })
  })

  it('asks for at least the minimum wait, and keeps an error object as JSON text', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/v2/ep1/runsync?wait=1000', method: 'POST' })
      .reply(200, { id: 'sync-2', status: 'FAILED', error: { message: 'boom' } })
    const job = await jobs().runSync('ep1', { input: {} }, 10)
    expect(job).toMatchObject({ status: 'FAILED', error: '{"message":"boom"}', executionTimeMs: null })
  })

  it('sends again after a 429, which Runpod did not take', async () => {
    const pool = agent.get(ORIGIN)
    pool
      .intercept({ path: '/v2/ep1/runsync?wait=5000', method: 'POST' })
      .reply(429, 'slow down', { headers: { 'retry-after': '1' } })
    pool
      .intercept({ path: '/v2/ep1/runsync?wait=5000', method: 'POST' })
      .reply(200, { id: 'sync-3', status: 'IN_QUEUE' })
    await expect(jobs().runSync('ep1', { input: {} }, 5_000)).resolves.toMatchObject({
      id: 'sync-3',
      status: 'IN_QUEUE'
    })
  })

  it.each([
    [
      'a 502, which may have come after the job was queued',
      (pool: ReturnType<MockAgent['get']>) =>
        pool.intercept({ path: '/v2/ep1/runsync?wait=5000', method: 'POST' }).reply(502, 'bad gateway')
    ],
    [
      'a reset connection',
      (pool: ReturnType<MockAgent['get']>) =>
        pool
          .intercept({ path: '/v2/ep1/runsync?wait=5000', method: 'POST' })
          .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
    ]
  ])('does not send again after %s: the job may be running', async (_, fail) => {
    const pool = agent.get(ORIGIN)
    fail(pool)
    // A second POST would find this answer; it must never be asked for.
    pool
      .intercept({ path: '/v2/ep1/runsync?wait=5000', method: 'POST' })
      .reply(200, { id: 'twice', status: 'IN_QUEUE' })
    await expect(jobs().runSync('ep1', { input: {} }, 5_000)).rejects.toBeInstanceOf(RunpodApiError)
    expect(agent.pendingInterceptors()).toHaveLength(1)
  })
})

describe('JobClient.status', () => {
  it('reads a job by id, retrying a 503 like any read', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/v2/ep1/status/sync-9', method: 'GET' }).reply(503, 'busy')
    pool.intercept({ path: '/v2/ep1/status/sync-9', method: 'GET' }).reply(200, { id: 'sync-9', status: 'IN_PROGRESS' })
    await expect(jobs().status('ep1', 'sync-9')).resolves.toMatchObject({ status: 'IN_PROGRESS' })
  })
})

describe('JobClient.cancel', () => {
  it('posts the cancel of a job and reads its state', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/v2/ep1/cancel/sync-9', method: 'POST' })
      .reply(200, { id: 'sync-9', status: 'CANCELLED' })
    await expect(jobs().cancel('ep1', 'sync-9')).resolves.toMatchObject({ status: 'CANCELLED' })
  })
})
