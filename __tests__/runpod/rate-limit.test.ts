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
  const numbers = (pacer: RequestPacer, count: number, now: number) =>
    Array.from({ length: count }, () => {
      const wait = pacer.reserve(now)
      if (typeof wait !== 'number') throw new Error('unexpected wait for the first answer')
      return wait
    })

  it('keeps the action at half of the minute quota, spreading requests started together', () => {
    const pacer = new RequestPacer()
    pacer.note(POLICY, '"minute";r=59;t=60', 0, 120_000)
    const waits = numbers(pacer, 32, 0)
    expect(waits.slice(0, 30)).toEqual(Array(30).fill(0))
    expect(waits.slice(30)).toEqual([60_000, 60_000])
    // No minute ever holds more than 30 of the action's requests.
    const sends = waits.map((wait) => wait)
    for (const start of sends)
      expect(sends.filter((time) => time >= start && time < start + 60_000).length).toBeLessThanOrEqual(30)
  })

  it('spaces polling rounds so that they alone stay within half of each window', () => {
    const pacer = new RequestPacer()
    expect(pacer.spacingMs(4)).toBe(0)
    pacer.note('"minute";q=60;w=60', '"minute";r=59;t=60', 0, 120_000)
    // 60 a minute is 30 for the action: a round of 4 requests every 8 s, of 11 every 22 s.
    expect(pacer.spacingMs(4)).toBe(8_000)
    expect(pacer.spacingMs(11)).toBe(22_000)
    // The tightest window decides: 3000 an hour (1500 for the action) allows less than 30 a minute does.
    pacer.note(POLICY, undefined, 0, 120_000)
    expect(pacer.spacingMs(4)).toBe(9_600)
  })

  it('lets a first burst of 30 go before any answer, and holds the rest until the first answer', async () => {
    const pacer = new RequestPacer()
    expect(numbers(pacer, 30, 1_000)).toEqual(Array(30).fill(0))
    const held = pacer.reserve(1_000)
    expect(held).toBeInstanceOf(Promise)
    pacer.note('"minute";q=1000;w=60', undefined, 1_200, 120_000)
    await held
    expect(pacer.reserve(1_200)).toBe(0)
  })

  it('paces nothing but an exhausted window where Runpod sends no policy', () => {
    const pacer = new RequestPacer()
    pacer.settled()
    expect(numbers(pacer, 100, 0).every((wait) => wait === 0)).toBe(true)
  })

  it('waits out a window the server says is exhausted', () => {
    const pacer = new RequestPacer()
    pacer.note(POLICY, '"minute";r=0;t=12', 5_000, 120_000)
    expect(numbers(pacer, 1, 5_000)).toEqual([12_000])
  })

  it('leaves a reset longer than the client waits to the server’s 429', () => {
    const pacer = new RequestPacer()
    pacer.note(undefined, '"hour";r=0;t=1800', 0, 120_000)
    expect(numbers(pacer, 1, 0)).toEqual([0])
  })

  it('stretches a smaller quota evenly over its window', () => {
    const pacer = new RequestPacer()
    pacer.note('"burst";q=4;w=10', undefined, 0, 120_000)
    expect(numbers(pacer, 5, 0)).toEqual([0, 0, 10_000, 10_000, 20_000])
  })
})
