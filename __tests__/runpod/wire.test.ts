// The response parsers require only what the action uses: other fields may be missing, and a status value
// Runpod adds later is kept as it is instead of failing the run.
import { describe, expect, it } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import {
  jsonOrUndefined,
  parseEndpointReleases,
  parseEndpointWorkers,
  parsePod,
  parseProblem
} from '../../src/runpod/wire.js'

const POD = { id: 'p1', name: 'worker', image: 'img:v1', status: 'RUNNING' }

describe('parsePod', () => {
  it('needs only id, name, image and status', () => {
    expect(parsePod(POD, 'GET /v2/pods/p1')).toEqual({
      ...POD,
      registry: null,
      startedAt: null,
      inCluster: false,
      cudaVersion: null,
      running: false,
      uptime: null,
      ports: [],
      gpuId: null,
      env: null
    })
  })

  it('reads the GPU model and the env, and an env of another shape as unknown', () => {
    const pod = parsePod({ ...POD, gpu: { id: 'NVIDIA H100 80GB HBM3', count: 1 }, env: { A: '1' } }, 'GET')
    expect(pod).toMatchObject({ gpuId: 'NVIDIA H100 80GB HBM3', env: { A: '1' } })
    expect(parsePod({ ...POD, env: { A: 1 } }, 'GET').env).toBeNull()
    expect(parsePod({ ...POD, env: ['A=1'] }, 'GET').env).toBeNull()
  })

  it('keeps a status it does not know', () => {
    expect(parsePod({ ...POD, status: 'MIGRATING' }, 'GET /v2/pods/p1').status).toBe('MIGRATING')
  })

  it('names the request and the field when one it relies on is missing', () => {
    expect(() => parsePod({ ...POD, image: undefined }, 'GET /v2/pods/p1')).toThrow(ActionError)
    expect(() => parsePod({ ...POD, image: undefined }, 'GET /v2/pods/p1')).toThrow(
      /GET \/v2\/pods\/p1.*response\.image is not a string/
    )
  })
})

describe('parseEndpointReleases', () => {
  it('reads the rollout without releases[] or percentOnLatest', () => {
    const body = { endpointVersion: 4, rollout: { inProgress: false, workersOnLatest: 1, workersTotal: 2 } }
    expect(parseEndpointReleases(body, 'GET /v2/serverless/e1/releases')).toEqual(body)
  })

  it('ignores the fields it does not use', () => {
    const rollout = { inProgress: true, workersOnLatest: 0, workersTotal: 1, percentOnLatest: 0 }
    const body = { endpointVersion: null, rollout, releases: [{ id: 'r1', version: 1, createdAt: 'x' }] }
    expect(parseEndpointReleases(body, 'where')).toEqual({
      endpointVersion: null,
      rollout: { inProgress: true, workersOnLatest: 0, workersTotal: 1 }
    })
  })
})

describe('parseEndpointWorkers', () => {
  it('keeps a worker status it does not know', () => {
    const body = { endpointVersion: 2, workers: [{ id: 'w1', status: 'WARMING', isStale: false, version: 2 }] }
    expect(parseEndpointWorkers(body, 'where').workers).toEqual([
      { id: 'w1', status: 'WARMING', isStale: false, version: 2, image: null }
    ])
  })
})

describe('jsonOrUndefined', () => {
  it('parses JSON and gives undefined for anything else', () => {
    expect(jsonOrUndefined('{"a":1}')).toEqual({ a: 1 })
    expect(jsonOrUndefined('null')).toBeNull()
    expect(jsonOrUndefined('<html>bad gateway</html>')).toBeUndefined()
    expect(jsonOrUndefined('{"cut": "in ha')).toBeUndefined()
  })
})

describe('parseProblem', () => {
  it('reads RFC 9457 problem details and nothing else', () => {
    expect(parseProblem({ title: 'Bad', status: 422, detail: 'no', errors: ['image: required'] })).toEqual({
      title: 'Bad',
      status: 422,
      detail: 'no',
      errors: ['image: required']
    })
    expect(parseProblem({ message: 'not a problem' })).toBeUndefined()
    expect(parseProblem(undefined)).toBeUndefined()
  })
})
