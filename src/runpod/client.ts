// Runpod REST API v2 (and the one GraphQL mutation REST lacks): one thin method per endpoint the action
// calls. Retries, timeouts and the rate limit are the transport's (http.ts); what a response means is the
// callers'.
import { ActionError } from '../errors.js'
import { sameEnv } from './env.js'
import { RunpodApiError, type ResourceKind } from './errors.js'
import { RunpodHttp, type Call, type RequestBudget, type RunpodHttpOptions } from './http.js'
import {
  parseCreatedDelegation,
  parseCreatedRegistry,
  parseDelegationPage,
  parseEndpoint,
  parseEndpointReleases,
  parseEndpointWorkers,
  parseGpuCatalog,
  parseGraphqlResult,
  parseLogEvents,
  parsePod,
  parsePodPage,
  parseEndpointPage,
  parseRegistryPage,
  parseTemplate,
  parseTemplatePage,
  type EcrDelegation,
  type Endpoint,
  type EndpointReleases,
  type EndpointWorkers,
  type CatalogGpu,
  type ContainerEnv,
  type Page,
  type Pod,
  type RegistryCredential,
  type Template
} from './wire.js'

export interface RunpodClientOptions extends RunpodHttpOptions {
  /** A log stream that stays quiet this long has sent its backlog. */
  readonly logIdleMs?: number
}

/** Body of a PATCH to a pod or endpoint: the request schemas reject any field they do not name. */
export interface ImagePatch {
  readonly image: string
  readonly registry?: string | null
  /** Endpoints: the CUDA placement field that changes (minCudaVersion and a non-empty list are exclusive). */
  readonly gpu?: GpuPatch
  /** The whole env, which Runpod replaces as a whole. */
  readonly env?: ContainerEnv
}

export type GpuPatch = { readonly minCudaVersion: string } | { readonly allowedCudaVersions: readonly string[] }

/** Body of a PATCH to a template: only what changes, each field replacing the template's. */
export interface TemplatePatch {
  readonly image: string
  readonly registry?: string | null
  readonly env?: ContainerEnv
  readonly allowedCudaVersions?: readonly string[]
}

/** Body of POST /v2/registries/delegations. */
export interface CreateDelegationRequest {
  readonly resource: string
  readonly name?: string
}

/** Body of POST /v2/registries; username and password are write-only at Runpod. */
export interface CreateRegistryRequest {
  readonly name: string
  readonly username: string
  readonly password: string
}

export type RegistryAuthUpdate = { readonly kind: 'updated' } | { readonly kind: 'retired'; readonly reason: string }

const DELEGATIONS = '/v2/registries/delegations'
const PODS = '/v2/pods'
const ENDPOINTS = '/v2/serverless'
const REGISTRIES = '/v2/registries'
const TEMPLATES = '/v2/templates'
const GRAPHQL = '/graphql'
const PAGE_SIZE = 100
/** A guard against a server that never ends a list. */
const MAX_PAGES = 100
/** How a server says a GraphQL field is gone: the standard validation message, or a retirement notice. */
const GRAPHQL_GONE =
  /cannot query field|unknown (field|mutation)|(field|mutation)\b[^.]*\b(does not exist|is not defined)|\bretired\b|no longer (available|supported)/i

export class RunpodClient {
  private readonly http: RunpodHttp
  private readonly logIdleMs: number

  constructor(options: RunpodClientOptions) {
    this.http = new RunpodHttp(options)
    this.logIdleMs = options.logIdleMs ?? 1_500
  }

  async listDelegations(budget?: RequestBudget): Promise<EcrDelegation[]> {
    return this.listAll(DELEGATIONS, parseDelegationPage, budget)
  }

  /** A create is not idempotent: `findCreated` recognises one whose answer was lost, so it is never repeated. */
  async createDelegation(
    body: CreateDelegationRequest,
    findCreated: () => Promise<EcrDelegation | undefined>,
    budget?: RequestBudget
  ): Promise<EcrDelegation> {
    return this.http.writeOnce(
      { method: 'POST', path: DELEGATIONS, body, ...(budget ? { budget } : {}) },
      parseCreatedDelegation,
      findCreated,
      (created) => `Runpod created delegation ${created.id} although the response to the request was lost; using it.`
    )
  }

  async deleteDelegation(id: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `${DELEGATIONS}/${encodeURIComponent(id)}` })
  }

  async listRegistries(budget?: RequestBudget): Promise<RegistryCredential[]> {
    return this.listAll(REGISTRIES, parseRegistryPage, budget)
  }

  /** A create is not idempotent: `findCreated` recognises one whose answer was lost, so it is never repeated. */
  async createRegistry(
    body: CreateRegistryRequest,
    findCreated: () => Promise<RegistryCredential | undefined>,
    budget?: RequestBudget
  ): Promise<RegistryCredential> {
    return this.http.writeOnce(
      { method: 'POST', path: REGISTRIES, body, ...(budget ? { budget } : {}) },
      parseCreatedRegistry,
      findCreated,
      (created) =>
        `Runpod created registry credential ${created.id} although the response to the request was lost; using it.`
    )
  }

  /**
   * Every item of a list endpoint, following `nextCursor` while `hasNextPage` (cursor pagination came after
   * the OpenAPI document; a response without `pagination` is the whole list).
   */
  private async listAll<T>(
    path: string,
    parse: (body: unknown, where: string) => Page<T>,
    budget?: RequestBudget
  ): Promise<T[]> {
    const items: T[] = []
    let cursor: string | undefined
    const seen = new Set<string>()
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(cursor === undefined ? {} : { cursor }) })
      const url = `${path}?${query}`
      const result = parse(
        await this.http.request({ method: 'GET', path: url, ...(budget ? { budget } : {}) }),
        `GET ${path}`
      )
      items.push(...result.items)
      if (result.nextCursor === undefined) return items
      // A cursor that comes back would be followed for as long as the run lasts, spending the rate limit.
      if (seen.has(result.nextCursor)) {
        throw new ActionError(
          `Runpod's list GET ${path} does not advance: page ${page + 1} points to a cursor an earlier page already gave, so the action stopped reading it. Retry the job; if it persists, report it to Runpod support with the time of the run.`
        )
      }
      seen.add(result.nextCursor)
      cursor = result.nextCursor
    }
    throw new ActionError(
      `Runpod's list GET ${path} did not end after ${MAX_PAGES} pages of ${PAGE_SIZE}, so the action stopped reading it. Retry the job; if it persists, report it to Runpod support with the time of the run.`
    )
  }

  /** Deleting twice has the same effect as once, so it is retried like a read (a 404 then means done). */
  async deleteRegistry(id: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `${REGISTRIES}/${encodeURIComponent(id)}` })
  }

  /**
   * Replaces the username and password of a registry credential in place through Runpod's GraphQL API
   * (REST v2 has no update). Setting the same values twice is harmless, so it is retried like a read.
   * 'retired' when the API or the mutation is gone: HTTP 404/410 or a GraphQL error saying so.
   */
  async updateRegistryAuth(
    id: string,
    username: string,
    password: string,
    budget?: RequestBudget
  ): Promise<RegistryAuthUpdate> {
    // Inline arguments: the input type's name is not part of any published contract; JSON strings are valid GraphQL strings.
    const input = `{id: ${JSON.stringify(id)}, username: ${JSON.stringify(username)}, password: ${JSON.stringify(password)}}`
    const call: Call = {
      method: 'POST',
      path: GRAPHQL,
      body: { query: `mutation { updateRegistryAuth(input: ${input}) { id name } }` },
      graphql: true,
      ...(budget ? { budget } : {})
    }
    let body: unknown
    try {
      body = await this.http.request(call)
    } catch (error) {
      if (error instanceof RunpodApiError && (error.status === 404 || error.status === 410))
        return { kind: 'retired', reason: error.summary }
      throw error
    }
    const result = parseGraphqlResult(body, 'updateRegistryAuth', `POST ${GRAPHQL} (updateRegistryAuth)`)
    const gone = result.errors.find((message) => GRAPHQL_GONE.test(message))
    if (gone !== undefined) return { kind: 'retired', reason: gone }
    if (result.errors.length > 0 || result.data === undefined) {
      throw new ActionError(
        `Runpod's GraphQL API did not update registry credential ${id}: ${result.errors.join('; ') || 'the answer carries no data'}. Check that the key in 'runpod-api-key' may manage registry credentials, or delete the credential in the Runpod console (Settings → Container Registry Auth) so that the action creates a new one.`
      )
    }
    return { kind: 'updated' }
  }

  /** The account's pods, cluster members left out: one paged read for every pod target of a polling round. */
  async listPods(budget?: RequestBudget): Promise<Pod[]> {
    return this.listAll(PODS, parsePodPage, budget)
  }

  async getPod(id: string, budget?: RequestBudget): Promise<Pod> {
    const path = podPath(id)
    return parsePod(await this.http.request(targetCall('GET', path, 'pod', id, budget)), `GET ${path}`)
  }

  /** Sent once: after a lost or unreadable answer the pod is read again, and a pod that shows the change is patched. */
  async patchPod(id: string, body: ImagePatch, budget?: RequestBudget): Promise<Pod> {
    const path = podPath(id)
    return this.http.writeOnce(
      { ...targetCall('PATCH', path, 'pod', id, budget), body },
      parsePod,
      async () => shows(await this.getPod(id, budget), body),
      () => `Runpod applied the update of pod ${id} although its answer was lost or unreadable; not sending it again.`
    )
  }

  /** The account's Serverless endpoints: one paged read for every endpoint target of the read phase. */
  async listEndpoints(budget?: RequestBudget): Promise<Endpoint[]> {
    return this.listAll(ENDPOINTS, parseEndpointPage, budget)
  }

  async getEndpoint(id: string, budget?: RequestBudget): Promise<Endpoint> {
    const path = endpointPath(id)
    return parseEndpoint(await this.http.request(targetCall('GET', path, 'endpoint', id, budget)), `GET ${path}`)
  }

  /** Sent once, like patchPod: a second PATCH would create a second release. */
  async patchEndpoint(id: string, body: ImagePatch, budget?: RequestBudget): Promise<Endpoint> {
    const path = endpointPath(id)
    return this.http.writeOnce(
      { ...targetCall('PATCH', path, 'endpoint', id, budget), body },
      parseEndpoint,
      async () => shows(await this.getEndpoint(id, budget), body),
      () =>
        `Runpod applied the update of endpoint ${id} although its answer was lost or unreadable; not sending it again.`
    )
  }

  /** The templates the key owns (Runpod's public catalog templates are not in this list). */
  async listTemplates(budget?: RequestBudget): Promise<Template[]> {
    return this.listAll(TEMPLATES, parseTemplatePage, budget)
  }

  /** One template, owned or from the public catalog. */
  async getTemplate(id: string, budget?: RequestBudget): Promise<Template> {
    const path = templatePath(id)
    return parseTemplate(await this.http.request(targetCall('GET', path, 'template', id, budget)), `GET ${path}`)
  }

  /** Setting the same fields twice has the same effect, but a lost answer is still read back before a repeat. */
  async patchTemplate(id: string, body: TemplatePatch, budget?: RequestBudget): Promise<Template> {
    const path = templatePath(id)
    return this.http.writeOnce(
      { ...targetCall('PATCH', path, 'template', id, budget), body },
      parseTemplate,
      async () => {
        const template = await this.getTemplate(id, budget)
        const placed =
          body.allowedCudaVersions === undefined ||
          template.allowedCudaVersions.join() === body.allowedCudaVersions.join()
        return placed ? shows(template, body) : undefined
      },
      () =>
        `Runpod applied the update of template ${id} although its answer was lost or unreadable; not sending it again.`
    )
  }

  async listEndpointReleases(id: string, budget?: RequestBudget): Promise<EndpointReleases> {
    const path = `${endpointPath(id)}/releases`
    return parseEndpointReleases(
      await this.http.request(targetCall('GET', path, 'endpoint', id, budget)),
      `GET ${path}`
    )
  }

  async listEndpointWorkers(id: string, budget?: RequestBudget): Promise<EndpointWorkers> {
    const path = `${endpointPath(id)}/workers`
    return parseEndpointWorkers(await this.http.request(targetCall('GET', path, 'endpoint', id, budget)), `GET ${path}`)
  }

  /**
   * Serverless GPU types with their capacity now at CUDA `minCudaVersion` or later: whether an endpoint whose
   * floor the deploy raises can still get workers.
   */
  async serverlessCapacity(minCudaVersion: string, budget?: RequestBudget): Promise<CatalogGpu[]> {
    const query = new URLSearchParams({ include: 'AVAILABILITY', product: 'SERVERLESS', minCudaVersion })
    const path = `/v2/catalog/gpus?${query}`
    return parseGpuCatalog(
      await this.http.request({ method: 'GET', path, ...(budget ? { budget } : {}) }),
      'GET /v2/catalog/gpus'
    )
  }

  /** The last lines of a pod's system log (a server-sent event stream that backfills `tail` lines). */
  async podSystemLog(id: string, maxLines: number): Promise<string[]> {
    const path = `${podPath(id)}/logs?source=system&tail=${maxLines}`
    return parseLogEvents(await this.http.eventStream(path, { kind: 'pod', id }, this.logIdleMs)).slice(-maxLines)
  }

  /** Whether requests are paced by the account's published quota, so polling may be frequent. */
  pacedByPolicy(): boolean {
    return this.http.pacedByPolicy()
  }

  /** How far apart polling rounds of `requests` requests must be to keep within the account's budget. */
  pollSpacingMs(requests: number): number {
    return this.http.spacingMs(requests)
  }
}

function targetCall(
  method: 'GET' | 'PATCH',
  path: string,
  kind: ResourceKind,
  id: string,
  budget: RequestBudget | undefined
): Call {
  return { method, path, resource: { kind, id }, ...(budget ? { budget } : {}) }
}

/** The target as read, when it already carries the change (undefined otherwise). */
function shows<
  T extends { readonly image: string | null; readonly registry: string | null; readonly env: ContainerEnv | null }
>(target: T, change: Pick<ImagePatch, 'image' | 'registry' | 'env'>): T | undefined {
  const registryDone = change.registry === undefined || target.registry === change.registry
  const envDone = change.env === undefined || (target.env !== null && sameEnv(target.env, change.env))
  return target.image === change.image && registryDone && envDone ? target : undefined
}

function podPath(id: string): string {
  return `${PODS}/${encodeURIComponent(id)}`
}

function endpointPath(id: string): string {
  return `${ENDPOINTS}/${encodeURIComponent(id)}`
}

function templatePath(id: string): string {
  return `${TEMPLATES}/${encodeURIComponent(id)}`
}
