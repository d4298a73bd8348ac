// A local Runpod REST v2 server for tests and the local demo: the endpoints this action uses, bearer
// auth, request validation, rate-limit headers, scripted rollouts and scripted faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  delegationJSON,
  SimEndpoint,
  SimPod,
  SimRegistry,
  type DelegationSeed,
  type EndpointSeed,
  type PodSeed,
  type RegistrySeed,
  SimTemplate,
  type TemplateSeed
} from './resources.js'
import { jobRequestProblems } from './jobs.js'
import { validateRequest, type RequestSchemaName } from './schemas.js'

export type {
  DelegationSeed,
  EndpointSeed,
  PodSeed,
  RegistrySeed,
  RolloutScript,
  SimRegistry,
  SimTemplate,
  TemplateSeed
} from './resources.js'

/**
 * How `POST /graphql` answers `updateRegistryAuth`: `available` updates the credential; after the
 * GraphQL API retires it either is `gone` (HTTP 410) or no longer knows the field (`unknown-field`,
 * the standard GraphQL validation error).
 */
export type GraphqlRegistryAuth = 'available' | 'gone' | 'unknown-field'

export interface SimulatorOptions {
  readonly apiKey?: string
  readonly port?: number
  /** `data` wraps delegation responses as some deployments do: `{"data":{"delegations":[…]}}`. */
  readonly envelope?: 'bare' | 'data'
  /** Runpod checks the repository policy when a delegation is created; default: it grants. */
  readonly policyGrantsRunpod?: (resourceArn: string) => boolean | Promise<boolean>
  /** Added to every response. */
  readonly latencyMs?: number
  /** Requests allowed per window before 429; reported in RateLimit headers. */
  readonly rateLimit?: { readonly quota: number; readonly windowSeconds: number }
  /** `false`: enforce the rate limit without RateLimit and RateLimit-Policy headers (exempt callers get none). */
  readonly rateLimitHeaders?: boolean
  /** Whether a second registry credential may not take an existing name; default true. */
  readonly uniqueRegistryNames?: boolean
  readonly graphqlRegistryAuth?: GraphqlRegistryAuth
  /**
   * List endpoints paginate with `cursor` and `limit` (Runpod added this after the OpenAPI document):
   * this many items a page unless `limit` says otherwise, default 2 so tests cross page boundaries;
   * `false` answers the whole list without `pagination`, as before.
   */
  readonly pageSize?: number | false
  /**
   * What a delegation's `resource` must be: the repository ARN the OpenAPI document names (default), or the
   * tagged image URI Runpod's console stores (then an ARN is answered 422).
   */
  readonly delegationResource?: 'arn' | 'image-uri'
}

/** A GPU type of the simulated catalog: its serverless pool and the CUDA versions its hosts run, with capacity. */
export interface CatalogSeed {
  readonly id: string
  readonly pool: string | null
  readonly cudaVersions: readonly { readonly version: string; readonly available: boolean }[]
}

/** The simulated catalog until a test sets another: the pool the simulated endpoints use, with capacity. */
export const DEFAULT_CATALOG: readonly CatalogSeed[] = [
  {
    id: 'NVIDIA GeForce RTX 4090',
    pool: 'ADA_24',
    cudaVersions: ['12.4', '12.6', '12.8', '12.9'].map((version) => ({ version, available: true }))
  },
  { id: 'NVIDIA L40', pool: 'ADA_48_PRO', cudaVersions: [{ version: '12.4', available: true }] }
]

interface FaultMatch {
  readonly method?: string
  readonly path?: string | RegExp
  /** How many matching requests it affects; default 1. */
  readonly times?: number
  /** How many matching requests pass untouched before it applies; default 0. */
  readonly skip?: number
}

export type Fault = FaultMatch &
  (
    | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly detail?: string }
    /** The connection is destroyed before the request is handled. */
    | { readonly kind: 'drop' }
    /** The request is handled (a POST takes effect), then the connection is destroyed instead of answering. */
    | { readonly kind: 'lose-response' }
    /** The request is handled, then the 2xx answer is cut in half. */
    | { readonly kind: 'garble-response' }
    /** The request is handled, then a proxy in between answers with this status instead. */
    | { readonly kind: 'status-after'; readonly status: number; readonly retryAfter?: string }
    /** The request is never answered (the connection stays open until the client gives up). */
    | { readonly kind: 'hang' }
    | { readonly kind: 'latency'; readonly ms: number }
    /** Answer 200 with this body as it is, to test parsing. */
    | { readonly kind: 'raw'; readonly body: string; readonly contentType?: string }
    /** Answer with a redirect to `location` (another origin, say), the request untouched. */
    | { readonly kind: 'redirect'; readonly status: 301 | 302 | 303 | 307 | 308; readonly location: string }
    /** Answer 200 with a JSON body that never ends (until the client goes away). */
    | { readonly kind: 'endless' }
  )

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly body: unknown
  readonly time: Date
  readonly authorization: string | undefined
}

export interface RunpodSimulator {
  readonly url: string
  readonly apiKey: string
  readonly requests: RecordedRequest[]
  addPod(seed: PodSeed): SimPod
  addEndpoint(seed: EndpointSeed): SimEndpoint
  addTemplate(seed: TemplateSeed): SimTemplate
  template(id: string): SimTemplate
  addDelegation(seed: DelegationSeed): Record<string, unknown>
  addRegistry(seed: RegistrySeed): SimRegistry
  /** Credentials in creation order, with the username and password they hold. */
  readonly registries: SimRegistry[]
  setGraphqlRegistryAuth(state: GraphqlRegistryAuth): void
  pod(id: string): SimPod
  endpoint(id: string): SimEndpoint
  readonly delegations: Record<string, unknown>[]
  addFault(fault: Fault): void
  /** Replaces the GPU catalog (capacity by CUDA version). */
  setCatalog(catalog: readonly CatalogSeed[]): void
  /** Requests that could have changed something (anything but GET). */
  writes(): RecordedRequest[]
  /** How many requests the rate limit answered with 429 (injected faults not counted). */
  throttled(): number
  close(): Promise<void>
}

/** The routes and the statuses each may answer (besides injected faults); checked against the OpenAPI document. */
export const SIMULATED_ROUTES: readonly {
  method: string
  path: string
  statuses: readonly number[]
  /** Runpod's GraphQL API, not part of the REST v2 OpenAPI document. */
  graphql?: true
}[] = [
  { method: 'GET', path: '/v2/registries', statuses: [200, 401, 422, 429] },
  { method: 'POST', path: '/v2/registries', statuses: [201, 400, 401, 422, 429] },
  { method: 'GET', path: '/v2/registries/{id}', statuses: [200, 401, 404, 429] },
  { method: 'DELETE', path: '/v2/registries/{id}', statuses: [204, 400, 401, 404, 429] },
  { method: 'POST', path: '/graphql', statuses: [200, 400, 401, 410, 429], graphql: true },
  { method: 'GET', path: '/v2/registries/delegations', statuses: [200, 401, 422, 429] },
  { method: 'POST', path: '/v2/registries/delegations', statuses: [201, 400, 401, 422, 429] },
  { method: 'DELETE', path: '/v2/registries/delegations/{id}', statuses: [204, 401, 404, 429] },
  { method: 'GET', path: '/v2/pods', statuses: [200, 401, 422, 429] },
  { method: 'GET', path: '/v2/pods/{id}', statuses: [200, 401, 404, 429] },
  { method: 'PATCH', path: '/v2/pods/{id}', statuses: [200, 400, 401, 404, 422, 429] },
  { method: 'GET', path: '/v2/pods/{id}/logs', statuses: [200, 401, 404, 429] },
  { method: 'GET', path: '/v2/serverless', statuses: [200, 401, 422, 429] },
  { method: 'GET', path: '/v2/serverless/{id}', statuses: [200, 401, 404, 429] },
  { method: 'PATCH', path: '/v2/serverless/{id}', statuses: [200, 400, 401, 404, 422, 429] },
  { method: 'GET', path: '/v2/serverless/{id}/releases', statuses: [200, 401, 404, 429] },
  { method: 'GET', path: '/v2/serverless/{id}/workers', statuses: [200, 401, 404, 429] },
  { method: 'GET', path: '/v2/catalog/gpus', statuses: [200, 400, 401, 422, 429] },
  { method: 'GET', path: '/v2/templates', statuses: [200, 401, 429] },
  { method: 'GET', path: '/v2/templates/{id}', statuses: [200, 401, 404, 429] },
  { method: 'PATCH', path: '/v2/templates/{id}', statuses: [200, 400, 401, 404, 422, 429] }
]

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  410: 'Gone',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout'
}

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {}
}

const problem = (status: number, detail: string, errors?: string[]) =>
  new Reply(
    status,
    { title: TITLES[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) },
    {
      'content-type': 'application/problem+json'
    }
  )

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function startRunpodSimulator(options: SimulatorOptions = {}): Promise<RunpodSimulator> {
  const apiKey = options.apiKey ?? 'rpa_simulated_test_key'
  const pods = new Map<string, SimPod>()
  const endpoints = new Map<string, SimEndpoint>()
  const templates = new Map<string, SimTemplate>()
  const delegations: Record<string, unknown>[] = []
  const registries: SimRegistry[] = []
  let graphqlRegistryAuth: GraphqlRegistryAuth = options.graphqlRegistryAuth ?? 'available'
  const faults: { fault: Fault; left: number; skip: number }[] = []
  let catalog: readonly CatalogSeed[] = DEFAULT_CATALOG
  const requests: RecordedRequest[] = []
  let throttledCount = 0
  const rateLimit = options.rateLimit ?? { quota: 10_000, windowSeconds: 60 }
  let window = { start: Date.now(), count: 0 }
  const envelope = (key: string, value: unknown) =>
    options.envelope === 'data' ? { data: { [key]: value } } : { [key]: value }

  function rateLimitHeaders(): Record<string, string> {
    const now = Date.now()
    if (now - window.start >= rateLimit.windowSeconds * 1000) window = { start: now, count: 0 }
    window.count += 1
    const reset = Math.max(1, Math.ceil((window.start + rateLimit.windowSeconds * 1000 - now) / 1000))
    const exhausted = window.count > rateLimit.quota ? { 'retry-after': String(reset) } : {}
    if (options.rateLimitHeaders === false) return exhausted
    return {
      ratelimit: `"minute";r=${Math.max(0, rateLimit.quota - window.count)};t=${reset}`,
      'ratelimit-policy': `"minute";q=${rateLimit.quota};w=${rateLimit.windowSeconds}`,
      ...exhausted
    }
  }

  function takeFault(method: string, path: string): Fault | undefined {
    const index = faults.findIndex(({ fault, left }) => {
      if (left <= 0 || (fault.method && fault.method !== method)) return false
      if (fault.path === undefined) return true
      return typeof fault.path === 'string' ? fault.path === path : fault.path.test(path)
    })
    const entry = faults[index]
    if (!entry) return undefined
    if (entry.skip > 0) {
      entry.skip -= 1
      return undefined
    }
    entry.left -= 1
    return entry.fault
  }

  function validated(schema: RequestSchemaName, body: unknown): Reply | undefined {
    const errors = validateRequest(schema, body)
    return errors.length > 0 ? problem(422, 'Request validation failed.', errors) : undefined
  }

  async function createDelegationReply(body: unknown): Promise<Reply> {
    const invalid = validated('CreateDelegationRequest', body)
    if (invalid) return invalid
    const { resource, name } = body as { resource: string; name?: string | null }
    const arn = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/.exec(resource)
    const uri = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)(?::([\w.-]+))?/.exec(resource)
    if ((options.delegationResource ?? 'arn') === 'image-uri') {
      if (!uri?.[1] || !uri[2] || !uri[3])
        return problem(
          422,
          `resource '${resource}' must be an image URI such as ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG`
        )
    } else if (!arn?.[1] || !arn[2] || !arn[3]) {
      return problem(400, `resource '${resource}' is not an ECR repository ARN`)
    }
    const [account = '', region = '', repository = ''] = arn ? [arn[2], arn[1], arn[3]] : [uri?.[1], uri?.[2], uri?.[3]]
    const repositoryArn = `arn:aws:ecr:${region}:${account}:repository/${repository}`
    if (!(await (options.policyGrantsRunpod?.(repositoryArn) ?? true))) {
      return problem(400, `the repository policy of ${repositoryArn} does not allow Runpod to pull images`)
    }
    const delegation = delegationJSON({
      account,
      region,
      repository,
      name: name ?? null,
      ...(uri?.[4] ? { tag: uri[4] } : {})
    })
    delegations.push(delegation)
    return new Reply(201, options.envelope === 'data' ? { data: { delegation } } : delegation)
  }

  function createRegistryReply(body: unknown): Reply {
    const invalid = validated('CreateRegistryRequest', body)
    if (invalid) return invalid
    const { name, username, password } = body as { name: string; username: string; password: string }
    if ((options.uniqueRegistryNames ?? true) && registries.some((registry) => registry.name === name)) {
      return problem(400, `a registry credential named '${name}' already exists`)
    }
    const registry = new SimRegistry({ name, username, password })
    registries.push(registry)
    return new Reply(201, options.envelope === 'data' ? { data: { registry } } : registry)
  }

  function registryReply(method: string, id: string): Reply | undefined {
    const index = registries.findIndex((registry) => registry.id === id)
    const found = registries[index]
    if (!found) return problem(404, 'registry credential not found')
    if (method === 'GET') return new Reply(200, found)
    if (method !== 'DELETE') return undefined
    // Stricter than Runpod documents (only pods block a delete; templates silently lose the reference).
    const user =
      [...pods.values()].find((pod) => pod.registry === id) ??
      [...endpoints.values()].find((endpoint) => endpoint.registry === id)
    if (user)
      return problem(
        400,
        `registry credential ${id} is in use by ${user instanceof SimPod ? 'pod' : 'endpoint'} ${user.id} and cannot be deleted`
      )
    registries.splice(index, 1)
    return new Reply(204, undefined)
  }

  /** The one GraphQL operation the action uses; arguments inline, as the action sends them. */
  function graphqlReply(body: unknown): Reply {
    // GraphQL over HTTP (application/graphql-response+json) answers request errors with 400.
    const graphqlError = (status: number, message: string) =>
      new Reply(status, { errors: [{ message }] }, { 'content-type': 'application/graphql-response+json' })
    if (graphqlRegistryAuth === 'gone')
      return problem(410, 'The GraphQL API has been retired: use the REST API v2 (https://api.runpod.io/v2).')
    const query = typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined
    if (typeof query !== 'string') return graphqlError(400, 'Must provide query string.')
    const call =
      /^\s*mutation\b[^{]*\{\s*updateRegistryAuth\s*\(\s*input\s*:\s*\{([^}]*)\}\s*\)\s*\{\s*id\s+name\s*\}\s*\}\s*$/.exec(
        query
      )
    if (graphqlRegistryAuth === 'unknown-field' && /updateRegistryAuth/.test(query)) {
      return graphqlError(400, 'Cannot query field "updateRegistryAuth" on type "Mutation".')
    }
    if (!call)
      return graphqlError(
        400,
        'The simulator supports only mutation { updateRegistryAuth(input: {id, username, password}) { id name } }.'
      )
    const fields = new Map<string, string>()
    for (const [, key, literal] of (call[1] ?? '').matchAll(/(\w+)\s*:\s*("(?:[^"\\]|\\.)*")\s*,?/g)) {
      if (key && literal) fields.set(key, JSON.parse(literal) as string)
    }
    const { id, username, password } = Object.fromEntries(fields) as Record<string, string | undefined>
    if (fields.size !== 3 || !id || !username || !password) {
      return graphqlError(400, 'UpdateRegistryAuthInput takes exactly the string fields id, username and password.')
    }
    const registry = registries.find((candidate) => candidate.id === id)
    if (!registry)
      return new Reply(200, {
        data: { updateRegistryAuth: null },
        errors: [{ message: 'Registry auth not found', path: ['updateRegistryAuth'] }]
      })
    registry.username = username
    registry.password = password
    registry.updates += 1
    return new Reply(200, { data: { updateRegistryAuth: { id: registry.id, name: registry.name } } })
  }

  /** One page of a list: `cursor` is the opaque offset of the page, `limit` its size. */
  function listReply(key: string, items: readonly unknown[], query: URLSearchParams): Reply {
    if (options.pageSize === false) return new Reply(200, envelope(key, items))
    const cursor = query.get('cursor')
    const offset =
      cursor === null
        ? 0
        : Number(
            Buffer.from(cursor, 'base64url')
              .toString('utf8')
              .replace(/^offset:/, '')
          )
    if (
      cursor !== null &&
      (!/^offset:\d+$/.test(Buffer.from(cursor, 'base64url').toString('utf8')) || offset > items.length)
    ) {
      return problem(422, `cursor '${cursor}' is not a cursor this list returned`)
    }
    const limit = Math.min(
      100,
      Math.max(1, Number(query.get('limit') ?? options.pageSize ?? 2) || 1),
      options.pageSize ?? 2
    )
    const end = offset + limit
    const pagination = {
      nextCursor: end < items.length ? Buffer.from(`offset:${end}`).toString('base64url') : null,
      hasNextPage: end < items.length
    }
    const page = items.slice(offset, end)
    return new Reply(
      200,
      options.envelope === 'data' ? { data: { [key]: page, pagination } } : { [key]: page, pagination }
    )
  }

  /** The catalog's query rules as the document states them: product and minCudaVersion only with include. */
  function catalogReply(query: URLSearchParams): Reply {
    const include = query.get('include')
    const product = query.get('product')
    const min = query.get('minCudaVersion')
    const unknown = [...query.keys()].filter(
      (name) =>
        !['include', 'product', 'minCudaVersion', 'cudaVersions', 'count', 'cloud', 'countryCodes'].includes(name)
    )
    if (unknown.length > 0) return problem(400, `unknown query parameter ${unknown.join(', ')}`)
    if (include !== null && include !== 'AVAILABILITY') return problem(422, `include '${include}' is not AVAILABILITY`)
    if ((include === null) !== (product === null))
      return problem(400, 'product is required with include=AVAILABILITY, and valid only with it')
    if (product !== null && !product.split(',').every((value) => ['POD', 'CLUSTER', 'SERVERLESS'].includes(value)))
      return problem(422, `product '${product}' is not POD, CLUSTER or SERVERLESS`)
    if (min !== null && include === null) return problem(400, 'minCudaVersion is valid only with include=AVAILABILITY')
    if (min !== null && query.get('cudaVersions') !== null)
      return problem(400, 'minCudaVersion and cudaVersions are mutually exclusive')
    if (min !== null && !/^\d+(\.\d+)?$/.test(min)) return problem(422, `minCudaVersion '${min}' is malformed`)
    const atLeast = (version: string) => {
      if (min === null) return true
      const [major = 0, minor = 0] = version.split('.').map(Number)
      const [minMajor = 0, minMinor] = min.split('.').map(Number)
      return major > minMajor || (major === minMajor && (minMinor === undefined || minor >= minMinor))
    }
    const gpus = catalog.map((gpu) => {
      const versions = gpu.cudaVersions.filter((entry) => atLeast(entry.version))
      return {
        id: gpu.id,
        name: gpu.id.replace(/^NVIDIA (GeForce )?/, ''),
        pool: gpu.pool,
        manufacturer: 'NVIDIA',
        memory: 24,
        secure: true,
        community: true,
        price: { secure: 0.69, community: 0.34, ...(gpu.pool ? { serverless: 1.1 } : {}) },
        maxCount: { secure: 8, community: 4 },
        ...(include
          ? {
              availability: versions.some((entry) => entry.available) ? 'HIGH' : 'NONE',
              ...(versions.length > 0 ? { cudaVersions: versions } : {})
            }
          : {})
      }
    })
    return new Reply(200, { gpus })
  }

  async function route(
    method: string,
    path: string,
    body: unknown,
    query: URLSearchParams,
    raw: string
  ): Promise<Reply | 'logs'> {
    if (path === '/v2/registries/delegations') {
      if (method === 'GET') return listReply('delegations', delegations, query)
      if (method === 'POST') return createDelegationReply(body)
    }
    const delegation = /^\/v2\/registries\/delegations\/([^/]+)$/.exec(path)
    if (delegation?.[1] && method === 'DELETE') {
      const index = delegations.findIndex((candidate) => candidate['id'] === decodeURIComponent(delegation[1] ?? ''))
      if (index < 0) return problem(404, 'delegation not found')
      delegations.splice(index, 1)
      return new Reply(204, undefined)
    }
    if (path === '/v2/registries') {
      if (method === 'GET') return listReply('registries', registries, query)
      if (method === 'POST') return createRegistryReply(body)
    }
    const registry = /^\/v2\/registries\/([^/]+)$/.exec(path)
    if (registry?.[1]) {
      const reply = registryReply(method, decodeURIComponent(registry[1]))
      if (reply) return reply
    }
    if (path === '/graphql' && method === 'POST') return graphqlReply(body)
    const job = /^\/v2\/([^/]+)\/(runsync|(status|cancel)\/([^/]+))$/.exec(path)
    if (job?.[1] && job[1] !== 'pods' && job[1] !== 'serverless' && job[1] !== 'registries') {
      const operation = job[2] === 'runsync' ? 'runsync' : job[3] === 'cancel' ? 'cancel' : 'status'
      return jobReply(method, decodeURIComponent(job[1]), operation, decodeURIComponent(job[4] ?? ''), body, raw, query)
    }
    if (path === '/v2/catalog/gpus' && method === 'GET') return catalogReply(query)
    if (path === '/v2/pods' && method === 'GET') {
      // Cluster members only with includeClusterPods=true, as the document says; each listed pod is read, so it advances.
      const listed = [...pods.values()].filter((pod) => query.get('includeClusterPods') === 'true' || !pod.clusterId)
      for (const pod of listed) pod.poll()
      return listReply('pods', listed, query)
    }
    if (path === '/v2/serverless' && method === 'GET') return listReply('endpoints', [...endpoints.values()], query)
    // The key's own templates are listed; public catalog templates are readable by id but not patchable.
    if (path === '/v2/templates' && method === 'GET')
      return listReply(
        'templates',
        [...templates.values()].filter((template) => template.owned),
        query
      )
    const template = /^\/v2\/templates\/([^/]+)$/.exec(path)
    if (template?.[1]) {
      const found = templates.get(decodeURIComponent(template[1]))
      if (method === 'GET') return found ? new Reply(200, found) : problem(404, 'template not found')
      if (method === 'PATCH') {
        if (!found?.owned) return problem(404, 'template not found')
        const invalid = validated('UpdateTemplateRequest', body)
        if (invalid) return invalid
        found.update(body as Record<string, unknown>)
        return new Reply(200, found)
      }
    }
    const pod = /^\/v2\/pods\/([^/]+)(\/logs)?$/.exec(path)
    if (pod?.[1]) {
      const found = pods.get(decodeURIComponent(pod[1]))
      if (!found) return problem(404, 'pod not found')
      if (pod[2]) return method === 'GET' ? 'logs' : problem(405, 'The requested method is not allowed for this path.')
      if (method === 'GET') {
        found.poll()
        return new Reply(200, found)
      }
      if (method === 'PATCH') {
        const invalid = validated('UpdatePodRequest', body)
        if (invalid) return invalid
        found.update(body as Record<string, unknown>)
        return new Reply(200, found)
      }
    }
    const endpoint = /^\/v2\/serverless\/([^/]+)(\/releases|\/workers)?$/.exec(path)
    if (endpoint?.[1]) {
      const found = endpoints.get(decodeURIComponent(endpoint[1]))
      if (!found) return problem(404, 'endpoint not found')
      if (method === 'GET' && endpoint[2] === '/releases') {
        found.poll()
        return new Reply(200, found.releasesJSON())
      }
      if (method === 'GET' && endpoint[2] === '/workers') {
        found.poll()
        return new Reply(200, found.workersJSON())
      }
      if (method === 'GET' && !endpoint[2]) return new Reply(200, found)
      if (method === 'PATCH' && !endpoint[2]) {
        const invalid = validated('UpdateEndpointRequest', body)
        if (invalid) return invalid
        const conflict = found.gpuConflict((body as { gpu?: Parameters<SimEndpoint['gpuConflict']>[0] }).gpu)
        if (conflict) return problem(400, conflict)
        found.update(body as Record<string, unknown>)
        return new Reply(200, found)
      }
    }
    return problem(404, `no route for ${method} ${path}`)
  }

  /** runsync holds the request until the job ends or `wait` is over; status reads a job back; cancel ends it. */
  async function jobReply(
    method: string,
    endpointId: string,
    operation: 'runsync' | 'status' | 'cancel',
    jobId: string,
    body: unknown,
    raw: string,
    query: URLSearchParams
  ): Promise<Reply> {
    const endpoint = endpoints.get(endpointId)
    if (!endpoint) return new Reply(404, { error: `endpoint ${endpointId} not found` })
    if (operation === 'runsync') {
      if (method !== 'POST') return new Reply(405, { error: 'runsync takes POST' })
      const problems = jobRequestProblems(body, Buffer.byteLength(raw), query.get('wait'))
      if (problems.length > 0) return new Reply(400, { error: problems.join('; ') })
      const unknownQuery = [...query.keys()].filter((name) => name !== 'wait')
      if (unknownQuery.length > 0)
        return new Reply(400, { error: `unknown query parameter ${unknownQuery.join(', ')}` })
      const submitted = endpoint.submit(body as { input: unknown })
      const until = Date.now() + Number(query.get('wait') ?? 90_000)
      while (!submitted.ended() && Date.now() < until) await sleep(Math.min(20, until - Date.now()))
      return new Reply(200, submitted.toJSON())
    }
    if (method !== (operation === 'cancel' ? 'POST' : 'GET'))
      return new Reply(405, { error: `${operation} takes ${operation === 'cancel' ? 'POST' : 'GET'}` })
    const found = endpoint.jobs.find((candidate) => candidate.id === jobId)
    if (!found || found.expired()) return new Reply(404, { error: `job ${jobId} not found` })
    if (operation === 'cancel') found.cancel()
    return new Reply(200, found.toJSON())
  }

  function streamLogs(
    request: IncomingMessage,
    response: ServerResponse,
    id: string,
    query: URLSearchParams,
    headers: Record<string, string>
  ) {
    const tail = Math.min(5000, Number(query.get('tail') ?? '100'))
    const lines = (pods.get(id)?.systemLog ?? []).slice(-tail)
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no'
    })
    lines.forEach((line, index) => {
      const ts = new Date().toISOString()
      response.write(
        `id: ${ts}/${String(index).padStart(12, '0')}\ndata: ${JSON.stringify({ ts, source: 'system', line })}\n\n`
      )
    })
    // Like the real stream it then follows live output: it stays open until the client goes away.
    request.on('close', () => response.end())
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator')
    const method = request.method ?? 'GET'
    const raw = await readBody(request)
    let body: unknown = raw
    let malformed = false
    if (raw !== '') {
      try {
        body = JSON.parse(raw)
      } catch {
        malformed = true
      }
    }
    const authorization = request.headers.authorization
    requests.push({
      method,
      path: url.pathname,
      query: url.search,
      body: raw === '' ? undefined : body,
      time: new Date(),
      authorization
    })

    let fault = takeFault(method, url.pathname)
    while (fault?.kind === 'latency') {
      const { ms } = fault
      // A client that goes away meanwhile gets nothing done: its request is dropped, as a real server's is.
      const gone = await new Promise<boolean>((resolve) => {
        const onClose = () => {
          clearTimeout(timer)
          resolve(true)
        }
        const timer = setTimeout(() => {
          request.socket.off('close', onClose)
          resolve(false)
        }, ms)
        request.socket.once('close', onClose)
      })
      if (gone || request.socket.destroyed) return
      fault = takeFault(method, url.pathname)
    }
    if (options.latencyMs) await sleep(options.latencyMs)
    if (fault?.kind === 'drop') {
      request.socket.destroy()
      return
    }
    if (authorization !== `Bearer ${apiKey}`) {
      send(response, problem(401, authorization ? 'invalid API key' : 'missing bearer token'))
      return
    }
    const limits = rateLimitHeaders()
    if (fault?.kind === 'status') {
      const reply = problem(fault.status, fault.detail ?? 'simulated fault')
      send(response, reply, {
        ...limits,
        ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter })
      })
      return
    }
    if (fault?.kind === 'redirect') {
      response.writeHead(fault.status, { ...limits, location: fault.location }).end()
      return
    }
    if (fault?.kind === 'endless') {
      streamForever(request, response, limits)
      return
    }
    if (fault?.kind === 'raw') {
      response.writeHead(200, { ...limits, 'content-type': fault.contentType ?? 'application/json' }).end(fault.body)
      return
    }
    if (limits['retry-after']) {
      throttledCount += 1
      send(response, problem(429, 'rate limit exceeded for the minute window'), limits)
      return
    }
    if (malformed) {
      send(response, problem(400, 'request body is not valid JSON'), limits)
      return
    }
    if (fault?.kind === 'hang') {
      await new Promise((resolve) => request.socket.once('close', resolve))
      return
    }
    const reply = await route(method, url.pathname, body, url.searchParams, raw)
    if (reply !== 'logs' && !declared(method, url.pathname, reply.status)) {
      throw new Error(`simulator answered ${method} ${url.pathname} with undeclared status ${reply.status}`)
    }
    if (fault?.kind === 'lose-response') {
      request.socket.destroy()
      return
    }
    if (fault?.kind === 'status-after') {
      send(response, problem(fault.status, 'simulated proxy error after the request took effect'), {
        ...limits,
        ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter })
      })
      return
    }
    if (fault?.kind === 'garble-response' && reply !== 'logs') {
      const text = JSON.stringify(reply.body)
      response
        .writeHead(reply.status, { ...limits, 'content-type': 'application/json' })
        .end(text.slice(0, Math.floor(text.length / 2)))
      return
    }
    if (reply === 'logs') {
      streamLogs(request, response, decodeURIComponent(url.pathname.split('/')[3] ?? ''), url.searchParams, limits)
      return
    }
    send(response, reply, limits)
  }

  // Handlers still running when the simulator closes (one may be asking moto whether a policy grants Runpod):
  // close waits for them, so none outlives the test that started it.
  const inFlight = new Set<Promise<void>>()
  const server = createServer((request, response) => {
    const handling = handle(request, response).catch((error: unknown) => {
      send(response, problem(500, error instanceof Error ? error.message : String(error)))
    })
    inFlight.add(handling)
    void handling.finally(() => inFlight.delete(handling))
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    delegations,
    registries,
    addRegistry(seed) {
      const registry = new SimRegistry(seed)
      registries.push(registry)
      return registry
    },
    setGraphqlRegistryAuth(state) {
      graphqlRegistryAuth = state
    },
    addPod(seed) {
      const pod = new SimPod(seed)
      pods.set(seed.id, pod)
      return pod
    },
    addEndpoint(seed) {
      const endpoint = new SimEndpoint(seed)
      endpoints.set(seed.id, endpoint)
      return endpoint
    },
    addTemplate(seed) {
      const template = new SimTemplate(seed)
      templates.set(seed.id, template)
      return template
    },
    template(id) {
      const template = templates.get(id)
      if (!template) throw new Error(`simulator has no template ${id}`)
      return template
    },
    addDelegation(seed) {
      const delegation = delegationJSON(seed)
      delegations.push(delegation)
      return delegation
    },
    pod(id) {
      const pod = pods.get(id)
      if (!pod) throw new Error(`simulator has no pod ${id}`)
      return pod
    },
    endpoint(id) {
      const endpoint = endpoints.get(id)
      if (!endpoint) throw new Error(`simulator has no endpoint ${id}`)
      return endpoint
    },
    setCatalog(next) {
      catalog = next
    },
    addFault(fault) {
      faults.push({ fault, left: fault.times ?? 1, skip: fault.skip ?? 0 })
    },
    writes: () => requests.filter((request) => request.method !== 'GET'),
    throttled: () => throttledCount,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
      // Bounded: a handler that holds a request (a hang fault, runsync) ends with its connection anyway.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 5_000)
        })
      ])
      clearTimeout(timer)
      await closed
    }
  }
}

// Keeps SIMULATED_ROUTES honest: the OpenAPI agreement test checks the statuses declared there.
function declared(method: string, path: string, status: number): boolean {
  const template = path
    .replace(/^\/v2\/(pods|serverless|templates)\/[^/]+/, '/v2/$1/{id}')
    .replace(/^\/v2\/registries\/delegations\/[^/]+$/, '/v2/registries/delegations/{id}')
    .replace(/^\/v2\/registries\/(?!delegations)[^/]+$/, '/v2/registries/{id}')
  const route = SIMULATED_ROUTES.find((candidate) => candidate.method === method && candidate.path === template)
  return route === undefined || route.statuses.includes(status)
}

function send(response: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return
  if (reply.status === 204) {
    response.writeHead(204, headers).end()
    return
  }
  response
    // Errors are RFC 9457 problem documents, as the OpenAPI document declares.
    .writeHead(reply.status, {
      'content-type': reply.status >= 400 ? 'application/problem+json' : 'application/json',
      ...headers,
      ...reply.headers
    })
    .end(JSON.stringify(reply.body))
}

/** `{"pods":[{…},{…},…` for as long as the client reads, a chunk at a time as the socket drains. */
function streamForever(request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): void {
  response.writeHead(200, { ...headers, 'content-type': 'application/json' })
  const chunk = `${JSON.stringify({ id: 'x'.repeat(40), name: 'endless', image: 'a'.repeat(200) })},`.repeat(200)
  let open = true
  request.on('close', () => (open = false))
  response.on('close', () => (open = false))
  response.write('{"pods":[')
  const pump = () => {
    while (open && response.write(chunk));
    if (open) response.once('drain', pump)
  }
  pump()
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}
