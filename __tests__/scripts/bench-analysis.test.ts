// The benchmark's analysis helpers (scripts/): round-trip waves of timed requests, bundle contributors.
import { describe, expect, it } from '@jest/globals'
import { bundleContributors } from '../../scripts/bundle-contributors.js'
import { roundTripWaves } from '../../scripts/round-trips.js'

describe('roundTripWaves', () => {
  const request = (name: string, start: number, end: number) => ({ name, start, end })
  const names = (waves: { name: string }[][]) => waves.map((wave) => wave.map((r) => r.name))

  it('puts requests that ran side by side in one wave and those that waited in the next', () => {
    const requests = [
      request('oidc', 1, 101),
      request('runpod read', 0, 50),
      request('sts', 102, 202),
      request('ecr policy', 203, 303),
      request('ecr image', 204, 304),
      request('patch', 305, 405)
    ]
    expect(names(roundTripWaves(requests))).toEqual([
      ['runpod read', 'oidc'],
      ['sts'],
      ['ecr policy', 'ecr image'],
      ['patch']
    ])
  })

  it('counts a request queued behind a busy connection as one more wave', () => {
    const requests = [request('a', 0, 100), request('b', 0, 100), request('queued', 100, 200)]
    expect(names(roundTripWaves(requests))).toEqual([['a', 'b'], ['queued']])
  })

  it('places a request by its longest chain, not by the first request that ended before it', () => {
    const requests = [request('short', 0, 10), request('a', 0, 100), request('b', 101, 200), request('c', 201, 300)]
    expect(names(roundTripWaves(requests))).toEqual([['short', 'a'], ['b'], ['c']])
  })

  it('has no waves without requests', () => {
    expect(roundTripWaves([])).toEqual([])
  })
})

describe('bundleContributors', () => {
  it('groups modules by package, nested copies apart, concatenated modules by their parts', () => {
    const stats = {
      modules: [
        { name: './node_modules/undici/index.js', size: 100 },
        { name: './node_modules/undici/lib/a.js', size: 50 },
        { name: './node_modules/@actions/http-client/node_modules/undici/index.js', size: 120 },
        {
          name: './src/main.ts + 2 modules',
          size: 999,
          modules: [
            { name: './src/main.ts', size: 10 },
            { name: './node_modules/@actions/core/lib/core.js', size: 30 }
          ]
        }
      ]
    }
    expect(bundleContributors(stats)).toEqual([
      { name: 'undici', bytes: 150, modules: 2 },
      { name: '@actions/http-client/undici', bytes: 120, modules: 1 },
      { name: '@actions/core', bytes: 30, modules: 1 },
      { name: 'src', bytes: 10, modules: 1 }
    ])
  })
})
