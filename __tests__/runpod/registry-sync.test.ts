// Token mode's writes without the toolkit or a server: undici MockAgent answers, a recording log listens.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { MockAgent } from 'undici'
import { RunpodClient } from '../../src/runpod/client.js'
import { removeCredentials, syncCredential, type CredentialStep } from '../../src/runpod/registries.js'
import { recordingLog, type RecordingLog } from '../../test-support/recording-log.js'

const ORIGIN = 'https://api.runpod.io'
const LOGIN = { username: 'AWS', password: 'token-password' }
const CURRENT = { id: 'reg_1', name: 'ecr-111122223333-us-east-1' }
const REFRESH: Extract<CredentialStep, { kind: 'refresh' }> = {
  kind: 'refresh',
  name: CURRENT.name,
  current: CURRENT,
  family: [CURRENT],
  rotationName: `${CURRENT.name}-20261201100000`
}
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } }

let agent: MockAgent
let log: RecordingLog
let client: RunpodClient

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  log = recordingLog()
  client = new RunpodClient({ baseUrl: new URL(ORIGIN), apiKey: 'key', dispatcher: agent, sleep: async () => {}, log })
})

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

const runpod = () => agent.get(ORIGIN)

describe('syncCredential', () => {
  it('creates the first credential of the name', async () => {
    runpod()
      .intercept({ path: '/v2/registries', method: 'POST' })
      .reply(201, { id: 'reg_9', name: CURRENT.name }, JSON_HEADERS)
    const result = await syncCredential(client, log, { kind: 'create', name: CURRENT.name }, LOGIN, new Set())
    expect(result).toEqual({ id: 'reg_9', name: CURRENT.name, how: 'created' })
    expect(log.lines).toContain(`Created Runpod registry credential reg_9 (${CURRENT.name}) holding a fresh ECR token.`)
  })

  it('refreshes the credential in place', async () => {
    runpod()
      .intercept({ path: '/graphql', method: 'POST' })
      .reply(200, { data: { updateRegistryAuth: CURRENT } }, JSON_HEADERS)
    expect(await syncCredential(client, log, REFRESH, LOGIN, new Set([CURRENT.id]))).toEqual({
      ...CURRENT,
      how: 'refreshed'
    })
    expect(log.lines.some((line) => line.includes('in place with a fresh ECR token'))).toBe(true)
  })

  it('rotates to a new credential where the GraphQL mutation is retired, and says why', async () => {
    runpod()
      .intercept({ path: '/graphql', method: 'POST' })
      .reply(410, { title: 'Gone', status: 410, detail: 'GraphQL retired' }, JSON_HEADERS)
    runpod()
      .intercept({ path: '/v2/registries', method: 'POST' })
      .reply(201, { id: 'reg_2', name: REFRESH.rotationName }, JSON_HEADERS)
    const result = await syncCredential(client, log, REFRESH, LOGIN, new Set([CURRENT.id]))
    expect(result).toEqual({
      id: 'reg_2',
      name: REFRESH.rotationName,
      how: 'rotated',
      retiredReason: '410 Gone: GraphQL retired'
    })
    expect(log.lines.some((line) => line.startsWith("Runpod's GraphQL updateRegistryAuth is retired"))).toBe(true)
  })

  it('recognises a create whose answer was lost instead of creating a second credential', async () => {
    runpod().intercept({ path: '/v2/registries', method: 'POST' }).reply(503, 'upstream gone')
    runpod()
      .intercept({ path: '/v2/registries?limit=100', method: 'GET' })
      .reply(200, { registries: [CURRENT, { id: 'reg_3', name: CURRENT.name }] }, JSON_HEADERS)
    // No second POST is intercepted: sending one would fail the test (net connect is disabled).
    const result = await syncCredential(
      client,
      log,
      { kind: 'create', name: CURRENT.name },
      LOGIN,
      new Set([CURRENT.id])
    )
    expect(result).toEqual({ id: 'reg_3', name: CURRENT.name, how: 'created' })
    expect(log.lines).toContain(
      'Runpod created registry credential reg_3 although the response to the request was lost; using it.'
    )
  })
})

describe('removeCredentials', () => {
  it('deletes what nothing uses, keeps what Runpod says is in use, and treats a 404 as done', async () => {
    runpod().intercept({ path: '/v2/registries/old_1', method: 'DELETE' }).reply(204, '')
    runpod()
      .intercept({ path: '/v2/registries/old_2', method: 'DELETE' })
      .reply(400, { title: 'Bad Request', status: 400, detail: 'registry in use by pod p1' }, JSON_HEADERS)
    runpod()
      .intercept({ path: '/v2/registries/old_3', method: 'DELETE' })
      .reply(404, { title: 'Not Found', status: 404, detail: 'no such registry' }, JSON_HEADERS)
    const old = ['old_1', 'old_2', 'old_3'].map((id) => ({ id, name: `${CURRENT.name}-${id}` }))
    const result = await removeCredentials(client, log, old)
    expect(result.deleted.map((registry) => registry.id)).toEqual(['old_1', 'old_3'])
    expect(result.kept).toEqual([{ registry: old[1], reason: 'still in use (registry in use by pod p1)' }])
    expect(log.lines.some((line) => line.startsWith('Kept the older registry credential old_2'))).toBe(true)
  })
})
