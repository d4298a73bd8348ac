// Each answer of a pod's health path, judged; and the probe at the HTTP edge (undici's MockAgent).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { MockAgent } from 'undici'
import { judgeProbe, type ProbeVerdict } from '../../src/deploy/health.js'
import { probe, proxyUrl, type ProbeResult } from '../../src/runpod/pod-proxy.js'

describe('judgeProbe', () => {
  it.each<[ProbeResult, ProbeVerdict]>([
    [{ status: 200, excerpt: 'ok' }, 'healthy'],
    [{ status: 204, excerpt: '' }, 'healthy'],
    [{ status: 502, excerpt: '' }, 'not-yet'],
    [{ status: 503, excerpt: '' }, 'not-yet'],
    [{ status: 504, excerpt: '' }, 'not-yet'],
    [{ error: 'ECONNREFUSED' }, 'not-yet'],
    [{ status: 500, excerpt: 'Traceback' }, 'failed'],
    [{ status: 404, excerpt: '' }, 'failed'],
    [{ status: 302, excerpt: '' }, 'failed']
  ])('%j is %s', (result, verdict) => {
    expect(judgeProbe(result)).toBe(verdict)
  })
})

describe('probe', () => {
  let agent: MockAgent

  beforeEach(() => {
    agent = new MockAgent()
    agent.disableNetConnect()
  })

  afterEach(async () => {
    await agent.close()
  })

  it('fills the template and sends no credential', () => {
    expect(proxyUrl('https://{id}-{port}.proxy.runpod.net', 'abc123', 8000, '/health').href).toBe(
      'https://abc123-8000.proxy.runpod.net/health'
    )
  })

  it('does not follow a redirect, and reads only the start of a long answer', async () => {
    const pool = agent.get('https://abc123-8000.proxy.runpod.net')
    pool
      .intercept({ path: '/health', method: 'GET' })
      .reply(302, '', { headers: { location: 'https://elsewhere.example/' } })
    pool.intercept({ path: '/health', method: 'GET' }).reply(500, 'x'.repeat(100_000))
    const url = proxyUrl('https://{id}-{port}.proxy.runpod.net', 'abc123', 8000, '/health')
    expect(await probe(url, 1_000, undefined, agent)).toEqual({ status: 302, excerpt: '' })
    const long = await probe(url, 1_000, undefined, agent)
    expect(long.status).toBe(500)
    expect('excerpt' in long ? long.excerpt.length : 0).toBeLessThanOrEqual(2_048)
    agent.assertNoPendingInterceptors()
  })
})
