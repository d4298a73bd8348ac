// HTTP rate-limit headers: Retry-After (RFC 9110) and RateLimit (IETF httpapi-ratelimit-headers draft).

export interface RateLimitWindow {
  readonly name: string
  /** Requests left in the window (`r`). */
  readonly remaining: number
  /** Seconds until the window resets (`t`). */
  readonly resetSeconds: number
}

/**
 * Parses a `RateLimit` structured-field list such as `"minute";r=0;t=12, "hour";r=2800;t=1812`.
 * Members without both `r` and `t` are skipped: a header we cannot read must not stall the client.
 */
export function parseRateLimit(header: string | undefined): RateLimitWindow[] {
  if (!header) return []
  const windows: RateLimitWindow[] = []
  for (const member of header.split(',')) {
    const [rawName, ...params] = member.split(';').map((part) => part.trim())
    if (!rawName) continue
    const values = new Map<string, number>()
    for (const param of params) {
      const match = /^([a-z]+)=(\d+)$/.exec(param)
      if (match?.[1] && match[2]) values.set(match[1], Number(match[2]))
    }
    const remaining = values.get('r')
    const resetSeconds = values.get('t')
    if (remaining === undefined || resetSeconds === undefined) continue
    windows.push({ name: rawName.replace(/^"(.*)"$/, '$1'), remaining, resetSeconds })
  }
  return windows
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
