// The simulator must agree with Runpod's v2 OpenAPI document: it accepts no request field the document
// does not allow, its responses carry every field the document requires, and it answers only with
// documented statuses. The document is read from ../shared when present (it is not part of the project).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import {
  REQUEST_SCHEMAS,
  validateRequest,
  type RequestSchemaName
} from '../../test-support/runpod-simulator/schemas.js'
import {
  SIMULATED_ROUTES,
  startRunpodSimulator,
  type RunpodSimulator
} from '../../test-support/runpod-simulator/index.js'

const DOCUMENT = path.resolve('..', 'shared', 'runpod-openapi-v2.json')
const present = existsSync(DOCUMENT)
if (!present) console.warn(`Skipping the OpenAPI agreement test: ${DOCUMENT} is not there.`)

type Schema = Record<string, unknown>
interface OpenApi {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>
  components: { schemas: Record<string, Schema> }
}

const doc: OpenApi | undefined = present ? (JSON.parse(readFileSync(DOCUMENT, 'utf8')) as OpenApi) : undefined

/** Property names a schema allows, through `$ref` and `allOf`. */
function propertyNames(schema: Schema, components: Record<string, Schema>): Set<string> {
  const ref = schema['$ref']
  if (typeof ref === 'string') {
    const target = components[ref.replace('#/components/schemas/', '')]
    if (!target) throw new Error(`unresolved ${ref}`)
    return propertyNames(target, components)
  }
  const names = new Set(Object.keys((schema['properties'] as Schema | undefined) ?? {}))
  for (const part of (schema['allOf'] as Schema[] | undefined) ?? []) {
    for (const name of propertyNames(part, components)) names.add(name)
  }
  return names
}

;(present ? describe : describe.skip)('simulator and the Runpod v2 OpenAPI document', () => {
  // describe.skip still runs this body, so it must not depend on the document being there.
  const openapi: OpenApi = doc ?? { paths: {}, components: { schemas: {} } }
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })
  ajv.addSchema({ $id: 'runpod', components: openapi.components })
  const check = (name: string, value: unknown) => {
    const validate = ajv.getSchema(`runpod#/components/schemas/${name}`)
    if (!validate) throw new Error(`no schema ${name}`)
    validate(value)
    return validate.errors ?? []
  }

  let sim: RunpodSimulator
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(sim.url + route, {
      method,
      headers: {
        authorization: `Bearer ${sim.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' })
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return { status: response.status, headers: response.headers, body: (await response.json()) as unknown }
  }

  beforeAll(async () => {
    sim = await startRunpodSimulator()
    sim.addPod({ id: 'pod1', image: 'repo:v1' })
    sim.addEndpoint({ id: 'ep1', image: 'repo:v1', workers: 2 })
    sim.addDelegation({ account: '123456789012', region: 'us-east-1', repository: 'repo' })
    sim.addRegistry({ id: 'reg_used', name: 'ecr-123456789012-us-east-1' })
    sim.pod('pod1').registry = 'reg_used'
  })
  afterAll(() => sim.close())

  it.each(Object.keys(REQUEST_SCHEMAS))('%s accepts only fields the document allows', (name) => {
    const ours = propertyNames(REQUEST_SCHEMAS[name as keyof typeof REQUEST_SCHEMAS] as Schema, {})
    const theirs = propertyNames(openapi.components.schemas[name] ?? {}, openapi.components.schemas)
    expect([...ours].filter((field) => !theirs.has(field))).toEqual([])
  })

  // The simulator must reject what Runpod would reject, not merely name the same fields.
  const VARIANTS: Record<string, unknown[]> = {
    UpdatePodRequest: [
      { image: 'repo:v2' },
      { image: 'repo:v2', registry: 'cred' },
      { image: 'repo:v2', registry: null },
      {},
      { image: 5 },
      { image: null },
      { image: 'repo:v2', registry: 5 },
      { image: 'repo:v2', bogus: true },
      { image: 'repo:v2', name: '' },
      'repo:v2'
    ],
    UpdateEndpointRequest: [
      { image: 'repo:v2' },
      { image: 'repo:v2', registry: 'cred' },
      { registry: null },
      { image: 5 },
      { image: 'repo:v2', bogus: true },
      { image: 'repo:v2', name: '' },
      [],
      { image: 'repo:v2', gpu: { minCudaVersion: '12.8' } },
      { image: 'repo:v2', gpu: { minCudaVersion: '' } },
      { image: 'repo:v2', gpu: { allowedCudaVersions: ['12.8', '12.9'] } },
      { image: 'repo:v2', gpu: { allowedCudaVersions: [] } },
      { image: 'repo:v2', gpu: { minCudaVersion: '12' } },
      { image: 'repo:v2', gpu: { allowedCudaVersions: ['12'] } },
      { image: 'repo:v2', gpu: { minCudaVersion: null } },
      { image: 'repo:v2', gpu: { excludedTypes: ['NVIDIA L40'] } },
      { image: 'repo:v2', gpu: { pools: ['ADA_24'], excludedTypes: ['NVIDIA L40'] } },
      { image: 'repo:v2', gpu: { cudaVersion: '12.8' } }
    ],
    CreateDelegationRequest: [
      { resource: 'arn:aws:ecr:us-east-1:123456789012:repository/repo' },
      { resource: 'arn', name: null },
      {},
      { resource: 5 },
      { resource: 'arn', bogus: 1 },
      null
    ],
    CreateRegistryRequest: [
      { name: 'n', username: 'AWS', password: 'p' },
      { name: '', username: 'AWS', password: 'p' },
      { name: 'n', username: 'AWS' },
      { name: 'n', username: 'AWS', password: '' },
      { name: 'n', username: 'AWS', password: 'p', url: 'x' }
    ]
  }

  it.each(Object.entries(VARIANTS))(
    '%s: the simulator accepts exactly the variants the document accepts',
    (name, bodies) => {
      for (const body of bodies) {
        const documentAccepts = check(name, body).length === 0
        const simulatorAccepts = validateRequest(name as RequestSchemaName, body).length === 0
        expect(`${JSON.stringify(body)}: ${simulatorAccepts}`).toBe(`${JSON.stringify(body)}: ${documentAccepts}`)
      }
    }
  )

  it('the bodies this action sends are valid for the document', () => {
    expect(check('UpdatePodRequest', { image: 'repo:v2' })).toEqual([])
    expect(check('UpdateEndpointRequest', { image: 'repo:v2', registry: 'cred' })).toEqual([])
    expect(
      check('CreateDelegationRequest', { resource: 'arn:aws:ecr:us-east-1:123456789012:repository/repo', name: 'ci' })
    ).toEqual([])
    expect(
      check('CreateRegistryRequest', {
        name: 'ecr-123456789012-us-east-1-20260101120000',
        username: 'AWS',
        password: 'token'
      })
    ).toEqual([])
  })

  it('responses carry the fields the document requires, with documented types', async () => {
    expect(check('Pod', { id: 'pod1', image: 'repo:v1' }).map((error) => error.params)).toContainEqual({
      missingProperty: 'status'
    })
    expect(check('Pod', (await call('GET', '/v2/pods/pod1')).body)).toEqual([])
    expect(check('Pod', (await call('PATCH', '/v2/pods/pod1', { image: 'repo:v2' })).body)).toEqual([])
    expect(check('Endpoint', (await call('GET', '/v2/serverless/ep1')).body)).toEqual([])
    expect(check('Endpoint', (await call('PATCH', '/v2/serverless/ep1', { image: 'repo:v2' })).body)).toEqual([])
    const floor = await call('PATCH', '/v2/serverless/ep1', { image: 'repo:v3', gpu: { minCudaVersion: '12.8' } })
    expect(check('Endpoint', floor.body)).toEqual([])
    expect((floor.body as { gpu: { minCudaVersion: string } }).gpu.minCudaVersion).toBe('12.8')
    // A floor and a non-empty list are exclusive: sent together, or one while the endpoint carries the other.
    const both = await call('PATCH', '/v2/serverless/ep1', { gpu: { allowedCudaVersions: ['12.8'] } })
    expect(both.status).toBe(400)
    expect(check('ErrorResponse', both.body)).toEqual([])
    expect(
      (await call('PATCH', '/v2/serverless/ep1', { gpu: { minCudaVersion: '', allowedCudaVersions: ['12.8'] } })).status
    ).toBe(200)
    expect(check('ListGpuTypesResponse', (await call('GET', '/v2/catalog/gpus')).body)).toEqual([])
    const capacity = await call('GET', '/v2/catalog/gpus?include=AVAILABILITY&product=SERVERLESS&minCudaVersion=12.8')
    expect(check('ListGpuTypesResponse', capacity.body)).toEqual([])
    expect((await call('GET', '/v2/catalog/gpus?minCudaVersion=12.8')).status).toBe(400)
    expect(check('ListEndpointReleasesResponse', (await call('GET', '/v2/serverless/ep1/releases')).body)).toEqual([])
    expect(check('ListEndpointWorkersResponse', (await call('GET', '/v2/serverless/ep1/workers')).body)).toEqual([])
    expect(check('ListDelegationsResponse', (await call('GET', '/v2/registries/delegations')).body)).toEqual([])
    const created = await call('POST', '/v2/registries/delegations', {
      resource: 'arn:aws:ecr:us-west-2:123456789012:repository/other'
    })
    expect(created.status).toBe(201)
    expect(check('EcrDelegation', created.body)).toEqual([])
    expect(check('ListRegistriesResponse', (await call('GET', '/v2/registries')).body)).toEqual([])
    const registry = await call('POST', '/v2/registries', { name: 'ecr-new', username: 'AWS', password: 'token' })
    expect(registry.status).toBe(201)
    expect(check('Registry', registry.body)).toEqual([])
    expect(check('Registry', (await call('GET', '/v2/registries/reg_used')).body)).toEqual([])
    const inUse = await call('DELETE', '/v2/registries/reg_used')
    expect(inUse.status).toBe(400)
    const problems = [
      inUse,
      await call('GET', '/v2/pods/none'),
      await call('PATCH', '/v2/pods/pod1', { bogus: 1 }),
      await call('POST', '/v2/registries', { name: 'ecr-new', username: 'AWS', password: 'token' })
    ]
    for (const problem of problems) expect(check('ErrorResponse', problem.body)).toEqual([])
    const deleted = await fetch(`${sim.url}/v2/registries/${(registry.body as { id: string }).id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${sim.apiKey}` }
    })
    expect(deleted.status).toBe(204)
    expect(await deleted.text()).toBe('')
    expect(created.headers.get('ratelimit')).toMatch(/^"minute";r=\d+;t=\d+$/)
    expect(created.headers.get('ratelimit-policy')).toMatch(/^"minute";q=\d+;w=\d+$/)
  })

  it('leaves out only the GraphQL route, which the REST document does not describe', () => {
    expect(SIMULATED_ROUTES.filter((route) => route.graphql).map((route) => `${route.method} ${route.path}`)).toEqual([
      'POST /graphql'
    ])
  })

  it.each(
    SIMULATED_ROUTES.filter((route) => !route.graphql).map(
      (route) => [route.method, route.path, route.statuses] as const
    )
  )('%s %s answers only with documented statuses', (method, route, statuses) => {
    const operation = openapi.paths[route]?.[method.toLowerCase()]
    expect(operation).toBeDefined()
    const documented = Object.keys(operation?.responses ?? {})
    for (const status of statuses) {
      // Successes must be listed; errors may fall under `default` (problem JSON).
      const ok = documented.includes(String(status)) || (status >= 400 && documented.includes('default'))
      expect(`${status}: ${ok ? 'documented' : 'not documented'}`).toBe(`${status}: documented`)
    }
  })
})
