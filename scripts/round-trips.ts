// The benchmark's measure of sequential round trips. A request's depth is the length of the longest
// chain of requests ending with it in which each one started only after the previous one had ended;
// grouping requests by depth gives the waves the job waited through one after another. With a fixed
// latency on every request, the number of waves is how many latencies the job cannot avoid.

export interface TimedRequest {
  readonly start: number
  readonly end: number
}

/** Requests grouped by depth, first wave first, each wave in order of start. */
export function roundTripWaves<T extends TimedRequest>(requests: readonly T[]): T[][] {
  const sorted = [...requests].sort((a, b) => a.start - b.start)
  const depth: number[] = []
  const waves: T[][] = []
  sorted.forEach((request, i) => {
    let deepest = 0
    for (let j = 0; j < i; j++) {
      const before = sorted[j]
      if (before && before.end <= request.start) deepest = Math.max(deepest, depth[j] ?? 0)
    }
    depth[i] = deepest + 1
    ;(waves[deepest] ??= []).push(request)
  })
  return waves
}
