// The request budget: half of each window's quota for the action, from Runpod's RateLimit-Policy header.
import { describe, expect, it } from '@jest/globals'
import { parseRateLimitPolicy, RequestPacer } from '../../src/runpod/rate-limit.js'

const POLICY = '"minute";q=60;w=60, "hour";q=3000;w=3600'

describe('parseRateLimitPolicy', () => {
  it('reads each window’s quota and length, and nothing from a header it cannot parse', () => {
    expect(parseRateLimitPolicy(POLICY)).toEqual([
      { name: 'minute', quota: 60, windowSeconds: 60 },
      { name: 'hour', quota: 3000, windowSeconds: 3600 }
    ])
    expect(parseRateLimitPolicy('"minute";q=0;w=60, "x";q=5')).toEqual([])
    expect(parseRateLimitPolicy('not a ;; list')).toEqual([])
  })
})

describe('RequestPacer', () => {
  it('keeps the action at half of the minute quota, spreading requests started together', () => {
    const pacer = new RequestPacer()
    pacer.note(POLICY, '"minute";r=59;t=60', 0, 120_000)
    const waits = Array.from({ length: 32 }, () => pacer.reserve(0))
    expect(waits.slice(0, 30)).toEqual(Array(30).fill(0))
    expect(waits.slice(30)).toEqual([60_000, 60_000])
    // No minute ever holds more than 30 of the action's requests.
    const sends = waits.map((wait) => wait)
    for (const start of sends)
      expect(sends.filter((time) => time >= start && time < start + 60_000).length).toBeLessThanOrEqual(30)
  })

  it('lets a first burst of 30 through before any policy is known, then paces to a minute', () => {
    const pacer = new RequestPacer()
    const waits = Array.from({ length: 31 }, () => pacer.reserve(1_000))
    expect(waits.filter((wait) => wait === 0)).toHaveLength(30)
    expect(waits[30]).toBe(60_000)
  })

  it('waits out a window the server says is exhausted', () => {
    const pacer = new RequestPacer()
    pacer.note(POLICY, '"minute";r=0;t=12', 5_000, 120_000)
    expect(pacer.reserve(5_000)).toBe(12_000)
  })

  it('leaves a reset longer than the client waits to the server’s 429', () => {
    const pacer = new RequestPacer()
    pacer.note(undefined, '"hour";r=0;t=1800', 0, 120_000)
    expect(pacer.reserve(0)).toBe(0)
  })

  it('stretches a smaller quota evenly over its window', () => {
    const pacer = new RequestPacer()
    pacer.note('"burst";q=4;w=10', undefined, 0, 120_000)
    expect(Array.from({ length: 5 }, () => pacer.reserve(0))).toEqual([0, 0, 10_000, 10_000, 20_000])
  })
})
