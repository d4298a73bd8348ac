// The benchmark's analysis helpers (scripts/): the critical path of timed requests, bundle contributors.
import { describe, expect, it } from '@jest/globals'
import { bundleContributors } from '../scripts/bundle-contributors.js'
import { criticalPath } from '../scripts/critical-path.js'

describe('criticalPath', () => {
  const request = (name: string, start: number, end: number) => ({ name, start, end })

  it('follows requests that wait for each other and skips those that run beside them', () => {
    const requests = [
      request('runpod read', 0, 50),
      request('oidc', 1, 101),
      request('sts', 102, 202),
      request('ecr policy', 203, 303),
      request('ecr image', 204, 304),
      request('patch', 305, 405)
    ]
    expect(criticalPath(requests).map((r) => r.name)).toEqual(['oidc', 'sts', 'ecr image', 'patch'])
  })

  it('counts a request queued behind a busy connection as one more step', () => {
    const requests = [request('a', 0, 100), request('b', 0, 100), request('queued', 100, 200)]
    expect(criticalPath(requests)).toHaveLength(2)
  })

  it('is empty without requests', () => {
    expect(criticalPath([])).toEqual([])
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
