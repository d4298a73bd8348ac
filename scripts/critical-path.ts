// The benchmark's measure of sequential round trips: the longest chain of requests in which each one
// started only after the previous one had ended. With a fixed latency on every request this is how
// many latencies the job waits through, whatever else runs beside the chain.

export interface TimedRequest {
  readonly start: number
  readonly end: number
}

/** The longest chain, earliest request first; empty when there are no requests. */
export function criticalPath<T extends TimedRequest>(requests: readonly T[]): T[] {
  const sorted = [...requests].sort((a, b) => a.start - b.start)
  const length: number[] = []
  const previous: (number | undefined)[] = []
  sorted.forEach((request, i) => {
    length[i] = 1
    for (let j = 0; j < i; j++) {
      const before = sorted[j]
      // On a tie the later predecessor wins: the one closest in time is the likelier cause of the wait.
      if (before && before.end <= request.start && (length[j] ?? 0) + 1 >= (length[i] ?? 0)) {
        length[i] = (length[j] ?? 0) + 1
        previous[i] = j
      }
    }
  })
  let last: number | undefined = length.indexOf(Math.max(...length))
  const chain: T[] = []
  while (last !== undefined && last >= 0) {
    const request = sorted[last]
    if (request) chain.unshift(request)
    last = previous[last]
  }
  return chain
}
