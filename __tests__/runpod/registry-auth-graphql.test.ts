// How the client reads Runpod's GraphQL answers to updateRegistryAuth (undici MockAgent): updated, retired
// (gone, or the field unknown), or a real refusal.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { MockAgent } from 'undici'
import { RunpodClient } from '../../src/runpod/client.js'

const ORIGIN = 'https://api.runpod.io'
let agent: MockAgent

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
})

afterEach(async () => {
  await agent.close()
})

function answer(status: number, body: unknown): RunpodClient {
  agent
    .get(ORIGIN)
    .intercept({ path: '/graphql', method: 'POST' })
    .reply(status, JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
  return new RunpodClient({
    baseUrl: new URL(ORIGIN),
    apiKey: 'key',
    dispatcher: agent,
    maxRetries: 0,
    sleep: async () => {}
  })
}

describe('updateRegistryAuth', () => {
  it('sends the mutation with inline arguments and reads success', async () => {
    let sent = ''
    agent
      .get(ORIGIN)
      .intercept({ path: '/graphql', method: 'POST', body: (body) => ((sent = body), true) })
      .reply(200, { data: { updateRegistryAuth: { id: 'reg_1', name: 'ecr' } } })
    const client = new RunpodClient({ baseUrl: new URL(ORIGIN), apiKey: 'key', dispatcher: agent })
    await expect(client.updateRegistryAuth('reg_1', 'AWS', 'pa"ss')).resolves.toEqual({ kind: 'updated' })
    expect(JSON.parse(sent)).toEqual({
      query: 'mutation { updateRegistryAuth(input: {id: "reg_1", username: "AWS", password: "pa\\"ss"}) { id name } }'
    })
  })

  it.each([
    ['HTTP 410', 410, { title: 'Gone', status: 410, detail: 'GraphQL has been retired' }],
    ['HTTP 404', 404, { title: 'Not Found', status: 404, detail: 'no route' }],
    [
      'an unknown field (200)',
      200,
      { errors: [{ message: 'Cannot query field "updateRegistryAuth" on type "Mutation".' }] }
    ],
    [
      'an unknown field (400)',
      400,
      { errors: [{ message: 'Cannot query field "updateRegistryAuth" on type "Mutation".' }] }
    ],
    ['a retirement notice', 200, { errors: [{ message: 'This mutation was retired; use the REST API v2.' }] }]
  ])('treats %s as retired', async (_name, status, body) => {
    await expect(answer(status, body).updateRegistryAuth('reg_1', 'AWS', 'p')).resolves.toMatchObject({
      kind: 'retired'
    })
  })

  it('fails on any other GraphQL error, naming the credential', async () => {
    const client = answer(200, { data: { updateRegistryAuth: null }, errors: [{ message: 'Registry auth not found' }] })
    await expect(client.updateRegistryAuth('reg_1', 'AWS', 'p')).rejects.toThrow(
      /did not update registry credential reg_1: Registry auth not found/
    )
  })

  it('fails on a rejected key like every other call', async () => {
    const client = answer(401, { title: 'Unauthorized', status: 401, detail: 'invalid API key' })
    await expect(client.updateRegistryAuth('reg_1', 'AWS', 'p')).rejects.toThrow(/runpod-api-key/)
  })
})
