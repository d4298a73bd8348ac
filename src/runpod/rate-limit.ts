// HTTP rate-limit headers, Retry-After (RFC 9110) and RateLimit / RateLimit-Policy (structured-field lists,
// IETF httpapi-ratelimit-headers), and the pacing of the action's own requests by them.
import { parseList } from 'structured-headers'

export interface RateLimitWindow {
  readonly name: string
  /** Requests left in the window (`r`). */
  readonly remaining: number
  /** Seconds until the window resets (`t`). */
  readonly resetSeconds: number
}

export interface RateLimitPolicy {
  readonly name: string
  /** Requests allowed per window (`q`). */
  readonly quota: number
  /** The window's length in seconds (`w`). */
  readonly windowSeconds: number
}

/**
 * Parses a `RateLimit` list such as `"minute";r=0;t=12, "hour";r=2800;t=1812`. Members without both `r`
 * and `t` are skipped, and a header that is not a structured-field list is read as none: a header we cannot
 * read must not stall the client.
 */
export function parseRateLimit(header: string | undefined): RateLimitWindow[] {
  return members(header, 'r', 't').map(([name, remaining, resetSeconds]) => ({ name, remaining, resetSeconds }))
}

/** Parses a `RateLimit-Policy` list such as `"minute";q=60;w=60, "hour";q=3000;w=3600`. */
export function parseRateLimitPolicy(header: string | undefined): RateLimitPolicy[] {
  return members(header, 'q', 'w')
    .filter(([, quota, windowSeconds]) => quota > 0 && windowSeconds > 0)
    .map(([name, quota, windowSeconds]) => ({ name, quota, windowSeconds }))
}

function members(header: string | undefined, first: string, second: string): [string, number, number][] {
  if (!header) return []
  let list
  try {
    list = parseList(header)
  } catch {
    return []
  }
  return list.flatMap(([value, parameters]) => {
    const a = parameters.get(first)
    const b = parameters.get(second)
    return typeof a === 'number' && typeof b === 'number' ? [[String(value), a, b] as [string, number, number]] : []
  })
}

/** Milliseconds to wait before the next request: the longest reset among exhausted windows, 0 when none is. */
export function rateLimitPauseMs(windows: readonly RateLimitWindow[]): number {
  return Math.max(0, ...windows.filter((window) => window.remaining === 0).map((window) => window.resetSeconds * 1000))
}

/** `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Requests sent at once before the first answer tells the account's quota. */
const FIRST_BURST = 30

/**
 * Paces the action's requests to half of each window's quota, so that other jobs of the same Runpod
 * account keep working, and waits out a window the server says is exhausted. Each request reserves its
 * send time, so requests started together are spread, not all let through at once. Before the first
 * answer a burst of FIRST_BURST goes at once and the rest wait for that answer; where Runpod sends no
 * RateLimit-Policy, only an exhausted window is waited for.
 */
export class RequestPacer {
  private policies: readonly RateLimitPolicy[] = []
  /** Send times, reserved and past, oldest first. */
  private readonly sends: number[] = []
  private notBefore = 0
  private answered = false
  private readonly firstAnswer: Promise<void>
  private markAnswered: () => void = () => {}

  constructor() {
    this.firstAnswer = new Promise((resolve) => {
      this.markAnswered = resolve
    })
  }

  /** What an answer's headers say about the account's windows; also the end of the first burst. */
  note(policyHeader: string | undefined, stateHeader: string | undefined, now: number, maxWaitMs: number): void {
    const policies = parseRateLimitPolicy(policyHeader)
    if (policies.length > 0) this.policies = policies
    const pause = rateLimitPauseMs(parseRateLimit(stateHeader))
    // A reset further away than the client waits is left to the server's 429 and its clear message.
    if (pause > 0 && pause <= maxWaitMs) this.notBefore = Math.max(this.notBefore, now + pause)
    this.settled()
  }

  /** Whether Runpod told the account's quota, so requests are paced by it. */
  knowsPolicy(): boolean {
    return this.policies.length > 0
  }

  /**
   * How far apart rounds of `requests` must be for the rounds alone to keep within the budget (half of each
   * window's quota) over a whole window; 0 without a known quota. Polls spaced so leave the budget's slots
   * to the writes still queued and last until the rollouts they watch can have finished, instead of spending
   * the window in its first seconds and then waiting for the next one.
   */
  spacingMs(requests: number): number {
    return Math.max(
      0,
      ...this.policies.map(
        (policy) => (requests * policy.windowSeconds * 1000) / Math.max(1, Math.floor(policy.quota / 2))
      )
    )
  }

  /** A request ended, with or without an answer: later requests need not wait for one any more. */
  settled(): void {
    this.answered = true
    this.markAnswered()
  }

  /**
   * Reserves the next send time and says how long to wait before sending (0: at once), or, during the
   * first burst, that the caller is to wait for the first answer and ask again.
   */
  reserve(now: number): number | Promise<void> {
    if (!this.answered) {
      if (this.sends.length >= FIRST_BURST) return this.firstAnswer
      this.sends.push(now)
      return 0
    }
    let at = Math.max(now, this.notBefore)
    const windows = this.policies.map((policy) => ({
      allowed: Math.max(1, Math.floor(policy.quota / 2)),
      ms: policy.windowSeconds * 1000
    }))
    for (const { allowed, ms } of windows) {
      // The send `allowed` places back must have left the window before this one goes.
      const earlier = this.sends.filter((time) => time > at - ms)
      if (earlier.length >= allowed) at = Math.max(at, (earlier[earlier.length - allowed] ?? at) + ms)
    }
    this.sends.push(at)
    this.sends.sort((a, b) => a - b)
    const longest = Math.max(0, ...windows.map((window) => window.ms))
    while (this.sends.length > 0 && (this.sends[0] ?? 0) < now - longest) this.sends.shift()
    return at - now
  }
}
