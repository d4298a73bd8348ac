// The fields of Runpod's REST v2 responses that this action uses, and defensive parsers for them.
// Only what the action relies on is required: anything else may be missing, anything the API adds is
// ignored, and a status value Runpod adds later is kept as it is rather than failing the run.
import { ActionError } from '../errors.js'

// `string & {}` keeps the documented values as hints while any other value still type-checks.
export type PodStatus = 'PROVISIONING' | 'STARTING' | 'RUNNING' | 'EXITED' | 'ERROR' | 'TERMINATED' | (string & {})
export type WorkerStatus = 'RUNNING' | 'IDLE' | 'INITIALIZING' | 'THROTTLED' | 'UNHEALTHY' | (string & {})

export interface EcrDelegation {
  readonly id: string
  readonly name: string | null
  /** When it was created, to tell the oldest of several for one repository. */
  readonly createdAt: string | null
  /** The AWS account that owns the repository. */
  readonly awsUser: string
  readonly awsRegion: string
  readonly repository: string
}

/** A container registry credential; Runpod never returns its username or password. */
export interface RegistryCredential {
  readonly id: string
  readonly name: string
}

export interface Pod {
  readonly id: string
  readonly name: string
  readonly image: string
  readonly registry: string | null
  readonly status: PodStatus
  readonly startedAt: string | null
  /** Cluster member pods cannot be modified through the pod endpoints. */
  readonly inCluster: boolean
  /** The CUDA version the pod's host reports (it keeps the host when its image changes); null when none. */
  readonly cudaVersion: string | null
  /** Whether `runtime` is present: Runpod reports it only while the container runs. */
  readonly running: boolean
  /** `runtime.uptime`: seconds since the container started; null while the container is not up, or not told. */
  readonly uptime: number | null
  /** Exposed ports, `8000/http` or `22/tcp`. */
  readonly ports: readonly string[]
  /** `gpu.id`, the GPU model (`NVIDIA GeForce RTX 4090`); null for a CPU pod. */
  readonly gpuId: string | null
  /** The env Runpod sets on the container; null when the answer carries none. Values are secrets. */
  readonly env: ContainerEnv | null
}

/** Env variables by name, as Runpod reports and replaces them: a whole object. */
export type ContainerEnv = Readonly<Record<string, string>>

export interface Endpoint {
  readonly id: string
  readonly name: string
  readonly image: string | null
  readonly registry: string | null
  /** `workers.max`: 0 for an endpoint Runpod scaled down after days without requests. */
  readonly workersMax: number | null
  /** Where workers may be placed by CUDA version; null for an endpoint without GPUs. */
  readonly gpu: EndpointPlacement | null
  /** The env its workers start with; null when the answer carries none. Values are secrets. */
  readonly env: ContainerEnv | null
  /** Data centers its workers may be placed in (empty: not reported). */
  readonly dataCenterIds: readonly string[]
}

/** `gpu.minCudaVersion` and `gpu.allowedCudaVersions` of an endpoint (empty: any version). */
export interface EndpointPlacement {
  readonly minCudaVersion: string | null
  readonly allowedCudaVersions: readonly string[]
  /** Serverless GPU pools, for the catalog's capacity at a CUDA floor. */
  readonly pools: readonly string[]
}

/** A template: a snapshot Runpod applies when a pod or endpoint is created from it. */
export interface Template {
  readonly id: string
  readonly name: string
  readonly image: string
  readonly registry: string | null
  /** The env new containers get; null when the answer carries none. Values are secrets. */
  readonly env: ContainerEnv | null
  /** CUDA versions hosts of pods and workers created from it may report (empty: any). */
  readonly allowedCudaVersions: readonly string[]
  /** Listed in Runpod's public catalog. */
  readonly isPublic: boolean
}

export interface RolloutSummary {
  readonly inProgress: boolean
  readonly workersOnLatest: number
  readonly workersTotal: number
}

export interface EndpointReleases {
  readonly endpointVersion: number | null
  readonly rollout: RolloutSummary
}

export interface Worker {
  readonly id: string
  readonly status: WorkerStatus
  readonly isStale: boolean
  readonly version: number | null
  readonly image: string | null
}

export interface EndpointWorkers {
  readonly endpointVersion: number | null
  readonly workers: readonly Worker[]
}

/** A Serverless job's state, from Runpod's queue-based job API (runsync, status). */
export type JobStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT' | (string & {})

export interface Job {
  readonly id: string
  readonly status: JobStatus
  /** What the handler returned, when COMPLETED; any JSON. */
  readonly output?: unknown
  /** Why it failed, as Runpod or the handler put it. */
  readonly error?: string
  readonly executionTimeMs: number | null
  readonly delayTimeMs: number | null
  readonly workerId: string | null
}

/** RFC 9457 problem details as Runpod sends them. */
export interface Problem {
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly errors: readonly string[]
}

type Json = Record<string, unknown>

/** Reads fields of one JSON object; `where` names the request so a bad shape points at the endpoint. */
class Fields {
  constructor(
    private readonly value: Json,
    private readonly where: string,
    private readonly path: string
  ) {}

  static of(value: unknown, where: string, path = 'response'): Fields {
    if (!isObject(value)) throw unexpected(where, `${path} is not a JSON object`)
    return new Fields(value, where, path)
  }

  string(name: string): string {
    return this.typed(name, 'string') as string
  }

  optionalString(name: string): string | null {
    return this.nullable(name, 'string') as string | null
  }

  number(name: string): number {
    return this.typed(name, 'number') as number
  }

  optionalNumber(name: string): number | null {
    return this.nullable(name, 'number') as number | null
  }

  boolean(name: string): boolean {
    return this.typed(name, 'boolean') as boolean
  }

  object(name: string): Fields {
    return Fields.of(this.value[name], this.where, `${this.path}.${name}`)
  }

  array(name: string): Fields[] {
    const value = this.value[name]
    if (!Array.isArray(value)) throw unexpected(this.where, `${this.path}.${name} is not an array`)
    return value.map((item, index) => Fields.of(item, this.where, `${this.path}.${name}[${index}]`))
  }

  has(name: string): boolean {
    return this.value[name] !== undefined && this.value[name] !== null
  }

  /** A field of any JSON type, as sent (a job's output). */
  raw(name: string): unknown {
    return this.value[name]
  }

  private typed(name: string, type: 'string' | 'number' | 'boolean'): unknown {
    const value = this.value[name]
    if (typeof value !== type) throw unexpected(this.where, `${this.path}.${name} is not a ${type}`)
    return value
  }

  private nullable(name: string, type: 'string' | 'number'): unknown {
    const value = this.value[name]
    return value === undefined || value === null ? null : this.typed(name, type)
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function unexpected(where: string, what: string): ActionError {
  return new ActionError(
    `Runpod answered ${where} with a response this action does not understand (${what}). Check that 'runpod-api-url' points at the Runpod REST API v2, and retry; report it if it persists.`
  )
}

function parseDelegation(item: Fields): EcrDelegation {
  return {
    id: item.string('id'),
    name: item.optionalString('name'),
    createdAt: item.optionalString('createdAt'),
    awsUser: item.string('awsUser'),
    awsRegion: item.string('awsRegion'),
    repository: item.string('repository')
  }
}

/** One page of a list endpoint; `nextCursor` is set when Runpod says there is a next page. */
export interface Page<T> {
  readonly items: T[]
  readonly nextCursor?: string
}

/** `{"delegations":[…]}` or, on some deployments, `{"data":{"delegations":[…]}}`, with optional `pagination`. */
export function parseDelegationPage(body: unknown, where: string): Page<EcrDelegation> {
  return page(body, where, 'delegations', parseDelegation)
}

/** A created delegation: bare, or under `data.delegation`. */
export function parseCreatedDelegation(body: unknown, where: string): EcrDelegation {
  return parseDelegation(created(body, where, 'delegation'))
}

function parseRegistry(item: Fields): RegistryCredential {
  return { id: item.string('id'), name: item.string('name') }
}

/** `{"registries":[…]}`, or under `data` like the delegations on some deployments, with optional `pagination`. */
export function parseRegistryPage(body: unknown, where: string): Page<RegistryCredential> {
  return page(body, where, 'registries', parseRegistry)
}

/** A created registry credential: bare, or under `data.registry`. */
export function parseCreatedRegistry(body: unknown, where: string): RegistryCredential {
  return parseRegistry(created(body, where, 'registry'))
}

/**
 * The list `key` of a response, at the top or under `data`, and where the next page starts:
 * `pagination: {nextCursor, hasNextPage}` beside the list (a response without it is the whole list).
 */
function page<T>(body: unknown, where: string, key: string, parseItem: (item: Fields) => T): Page<T> {
  const root = Fields.of(body, where)
  const holder = root.has(key) ? root : root.object('data')
  const items = holder.array(key).map(parseItem)
  const pagination = holder.has('pagination')
    ? holder.object('pagination')
    : root.has('pagination')
      ? root.object('pagination')
      : undefined
  if (!pagination?.has('hasNextPage') || !pagination.boolean('hasNextPage')) return { items }
  return { items, nextCursor: pagination.string('nextCursor') }
}

/** A created resource: the body itself, or `data.<key>`. */
function created(body: unknown, where: string, key: string): Fields {
  const root = Fields.of(body, where)
  return root.has('id') ? root : root.object('data').object(key)
}

/**
 * The answer to a GraphQL mutation: `data.<field>` when it worked, else the `errors[].message` texts.
 * GraphQL reports most failures in the body, with status 200 or (GraphQL over HTTP) 400.
 */
export function parseGraphqlResult(
  body: unknown,
  field: string,
  where: string
): { readonly data?: unknown; readonly errors: string[] } {
  const root = Fields.of(body, where)
  const raw = (body as Json)['errors']
  const errors = Array.isArray(raw)
    ? raw.map((error) =>
        isObject(error) && typeof error['message'] === 'string' ? error['message'] : JSON.stringify(error)
      )
    : []
  const data =
    root.has('data') && isObject((body as Json)['data']) ? ((body as Json)['data'] as Json)[field] : undefined
  return { ...(data === undefined || data === null ? {} : { data }), errors }
}

export function parsePod(body: unknown, where: string): Pod {
  return podFields(Fields.of(body, where))
}

/** `{"pods":[…]}` (cluster members are left out unless asked for), with optional `pagination`. */
export function parsePodPage(body: unknown, where: string): Page<Pod> {
  return page(body, where, 'pods', podFields)
}

function podFields(pod: Fields): Pod {
  return {
    id: pod.string('id'),
    name: pod.string('name'),
    image: pod.string('image'),
    registry: pod.optionalString('registry'),
    status: pod.string('status'),
    startedAt: pod.optionalString('startedAt'),
    inCluster: pod.has('cluster'),
    cudaVersion: pod.optionalString('cudaVersion'),
    running: pod.has('runtime'),
    uptime: pod.has('runtime') ? pod.object('runtime').optionalNumber('uptime') : null,
    ports: stringList(pod.raw('ports')),
    gpuId: pod.has('gpu') ? pod.object('gpu').optionalString('id') : null,
    env: envOf(pod.raw('env'))
  }
}

export function parseEndpoint(body: unknown, where: string): Endpoint {
  return endpointFields(Fields.of(body, where))
}

/** `{"endpoints":[…]}`, with optional `pagination` like the other lists. */
export function parseEndpointPage(body: unknown, where: string): Page<Endpoint> {
  return page(body, where, 'endpoints', endpointFields)
}

function endpointFields(endpoint: Fields): Endpoint {
  return {
    id: endpoint.string('id'),
    name: endpoint.string('name'),
    image: endpoint.optionalString('image'),
    registry: endpoint.optionalString('registry'),
    workersMax: endpoint.has('workers') ? endpoint.object('workers').optionalNumber('max') : null,
    gpu: endpoint.has('gpu') ? placementFields(endpoint.object('gpu')) : null,
    env: envOf(endpoint.raw('env')),
    dataCenterIds: stringList(endpoint.raw('dataCenterIds'))
  }
}

/** An env object of string values; null when absent or of another shape, so the env counts as unknown. */
function envOf(value: unknown): ContainerEnv | null {
  if (!isObject(value)) return null
  const entries = Object.entries(value)
  return entries.every(([, item]) => typeof item === 'string')
    ? Object.fromEntries(entries as [string, string][])
    : null
}

function placementFields(gpu: Fields): EndpointPlacement {
  return {
    minCudaVersion: gpu.optionalString('minCudaVersion') || null,
    allowedCudaVersions: stringList(gpu.raw('allowedCudaVersions')),
    pools: stringList(gpu.raw('pools'))
  }
}

/** The strings of a list field that may be absent. */
function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

export function parseTemplate(body: unknown, where: string): Template {
  return templateFields(Fields.of(body, where))
}

/** `{"templates":[…]}`: the templates the key owns. */
export function parseTemplatePage(body: unknown, where: string): Page<Template> {
  return page(body, where, 'templates', templateFields)
}

function templateFields(template: Fields): Template {
  return {
    id: template.string('id'),
    name: template.string('name'),
    image: template.string('image'),
    registry: template.optionalString('registry'),
    env: envOf(template.raw('env')),
    allowedCudaVersions: stringList(template.raw('allowedCudaVersions')),
    isPublic: template.raw('public') === true
  }
}

export function parseEndpointReleases(body: unknown, where: string): EndpointReleases {
  const root = Fields.of(body, where)
  const rollout = root.object('rollout')
  return {
    endpointVersion: root.optionalNumber('endpointVersion'),
    rollout: {
      inProgress: rollout.boolean('inProgress'),
      workersOnLatest: rollout.number('workersOnLatest'),
      workersTotal: rollout.number('workersTotal')
    }
  }
}

export function parseEndpointWorkers(body: unknown, where: string): EndpointWorkers {
  const root = Fields.of(body, where)
  return {
    endpointVersion: root.optionalNumber('endpointVersion'),
    workers: root.array('workers').map((worker) => ({
      id: worker.string('id'),
      status: worker.string('status'),
      isStale: worker.boolean('isStale'),
      version: worker.optionalNumber('version'),
      image: worker.optionalString('image')
    }))
  }
}

/** A job as runsync or status answer it: `{id, status}`, with `output` or `error` once it ended. */
export function parseJob(body: unknown, where: string): Job {
  const job = Fields.of(body, where)
  const error = job.raw('error')
  return {
    id: job.string('id'),
    status: job.string('status'),
    ...(job.raw('output') === undefined ? {} : { output: job.raw('output') }),
    // Handlers may return an error object as well as a string.
    ...(error === undefined || error === null
      ? {}
      : { error: typeof error === 'string' ? error : JSON.stringify(error) }),
    executionTimeMs: job.optionalNumber('executionTime'),
    delayTimeMs: job.optionalNumber('delayTime'),
    workerId: job.optionalString('workerId')
  }
}

/** Problem JSON when the body is one; undefined for anything else (an HTML error page from a proxy, say). */
export function parseProblem(body: unknown): Problem | undefined {
  if (!isObject(body)) return undefined
  const { title, status, detail, errors } = body
  if (typeof title !== 'string' && typeof detail !== 'string') return undefined
  return {
    title: typeof title === 'string' ? title : '',
    status: typeof status === 'number' ? status : 0,
    detail: typeof detail === 'string' ? detail : '',
    errors: Array.isArray(errors) ? errors.filter((error): error is string => typeof error === 'string') : []
  }
}

/**
 * Log lines from a server-sent event stream. Each event's `data:` lines are joined; a JSON payload
 * `{ts, source, line}` yields its `line`, anything else is kept as text.
 */
export function parseLogEvents(text: string): string[] {
  const lines: string[] = []
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
    if (data.length === 0) continue
    const payload = data.join('\n')
    lines.push(logText(payload))
  }
  return lines
}

// Not JSON, or JSON without a line: the payload is the line itself.
function logText(payload: string): string {
  const parsed = jsonOrUndefined(payload)
  return isObject(parsed) && typeof parsed['line'] === 'string' ? parsed['line'] : payload
}

/** The JSON value of a text, or undefined when it is not JSON (an HTML error page from a proxy, a cut body). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** A GPU type of Runpod's catalog with its serverless pool and, per CUDA version, whether it has capacity now. */
export interface CatalogGpu {
  readonly id: string
  readonly pool: string | null
  readonly cudaVersions: readonly { readonly version: string; readonly available: boolean }[]
}

/** `GET /v2/catalog/gpus?include=AVAILABILITY`: `{"gpus":[…]}`; a type without `cudaVersions` offers none. */
export function parseGpuCatalog(body: unknown, where: string): CatalogGpu[] {
  return page(body, where, 'gpus', (gpu) => ({
    id: gpu.string('id'),
    pool: gpu.optionalString('pool'),
    cudaVersions: gpu.has('cudaVersions')
      ? gpu.array('cudaVersions').map((entry) => ({
          version: entry.string('version'),
          available: entry.boolean('available')
        }))
      : []
  })).items
}
