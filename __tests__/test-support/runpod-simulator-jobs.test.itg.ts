// The simulator's job API refuses what Runpod's job documentation does not allow, and plays each outcome.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startRunpodSimulator, type RunpodSimulator } from '../../test-support/runpod-simulator/index.js'

let sim: RunpodSimulator

beforeAll(async () => {
  sim = await startRunpodSimulator()
  sim.addEndpoint({ id: 'ep-ok', image: 'repo:v1' })
  for (const [id, jobs] of [
    ['ep-fail', { outcome: 'fail', error: 'boom' }],
    ['ep-queue', { outcome: 'queue' }],
    ['ep-timeout', { outcome: 'timeout', runMs: 100 }]
  ] as const) {
    sim.addEndpoint({ id, image: 'repo:v1', jobs })
    // Scripted outcomes apply once the endpoint runs a new image.
    sim.endpoint(id).update({ image: 'repo:v2' })
  }
})

afterAll(async () => {
  await sim.close()
})

function call(method: string, path: string, body?: unknown, key = sim.apiKey) {
  return fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
}

describe('simulated job API', () => {
  it.each([
    ['no input', {}, ''],
    ['an unknown field', { input: {}, priority: 1 }, ''],
    ['a policy field it does not know', { input: {}, policy: { retries: 2 } }, ''],
    ['a wait below 1,000 ms', { input: {} }, '?wait=500'],
    ['a wait above 300,000 ms', { input: {} }, '?wait=300001'],
    ['an unknown query parameter', { input: {} }, '?wait=1000&mode=fast']
  ])('refuses a runsync with %s', async (_, body, query) => {
    const response = await call('POST', `/v2/ep-ok/runsync${query}`, body)
    expect(response.status).toBe(400)
  })

  it('refuses a wrong key, an unknown endpoint and an unknown job', async () => {
    expect((await call('POST', '/v2/ep-ok/runsync', { input: {} }, 'wrong')).status).toBe(401)
    expect((await call('POST', '/v2/nope/runsync', { input: {} })).status).toBe(404)
    expect((await call('GET', '/v2/ep-ok/status/sync-unknown')).status).toBe(404)
  })

  it('completes a job within the wait, and status reads it back', async () => {
    const job = (await (await call('POST', '/v2/ep-ok/runsync?wait=5000', { input: { n: 1 } })).json()) as Record<
      string,
      unknown
    >
    expect(job).toMatchObject({ status: 'COMPLETED', output: { status: 'ok' }, executionTime: expect.any(Number) })
    const again = await (await call('GET', `/v2/ep-ok/status/${String(job['id'])}`)).json()
    expect(again).toEqual(job)
  })

  it('answers IN_QUEUE when the wait ends first, and plays fail, queue and timeout', async () => {
    const queued = (await (await call('POST', '/v2/ep-queue/runsync?wait=1000', { input: {} })).json()) as Record<
      string,
      unknown
    >
    expect(queued).toEqual({ id: expect.any(String), status: 'IN_QUEUE' })
    expect(await (await call('GET', `/v2/ep-queue/cancel/${String(queued['id'])}`)).json()).toMatchObject({
      error: expect.any(String)
    })
    expect(await (await call('POST', `/v2/ep-queue/cancel/${String(queued['id'])}`)).json()).toEqual({
      id: queued['id'],
      status: 'CANCELLED'
    })
    expect(await (await call('POST', '/v2/ep-fail/runsync?wait=5000', { input: {} })).json()).toMatchObject({
      status: 'FAILED',
      error: 'boom'
    })
    expect(await (await call('POST', '/v2/ep-timeout/runsync?wait=5000', { input: {} })).json()).toMatchObject({
      status: 'TIMED_OUT'
    })
  })
})
