// Runpod REST API v2 over undici: bearer auth, a timeout on every request, retries only for what can
// succeed on retry, and a pause before the rate limit rather than after it.
import * as core from '@actions/core'
import { Agent, request, type Dispatcher } from 'undici'
import { ActionError } from '../errors.js'
import { findDelegation, parseRepositoryArn } from './delegations.js'
import { isLoopbackHost } from '../inputs.js'
import { parseRateLimit, parseRetryAfter, rateLimitPauseMs } from './rate-limit.js'
import {
  parseCreatedDelegation,
  parseCreatedRegistry,
  parseDelegationList,
  parseGraphqlResult,
  parseRegistryList,
  parseEndpoint,
  parseEndpointReleases,
  parseEndpointWorkers,
  parseLogEvents,
  parsePod,
  type EcrDelegation,
  type Endpoint,
  type EndpointReleases,
  type EndpointWorkers,
  type Pod,
  type RegistryCredential
} from './wire.js'
import { networkError, responseError, RunpodApiError, type ResourceKind } from './errors.js'

export interface RunpodClientOptions {
  readonly baseUrl: URL
  readonly apiKey: string
  /** Bound on each request, headers and body together. */
  readonly requestTimeoutMs?: number
  /** Retries after the first attempt, for retryable failures only. */
  readonly maxRetries?: number
  readonly backoffBaseMs?: number
  readonly backoffMaxMs?: number
  /** Longer Retry-After or rate-limit resets than this fail at once instead of stalling the job. */
  readonly maxWaitMs?: number
  /** A log stream that stays quiet this long has sent its backlog. */
  readonly logIdleMs?: number
  readonly dispatcher?: Dispatcher
  readonly sleep?: (ms: number) => Promise<void>
  readonly random?: () => number
  readonly now?: () => number
}

/** Body of a PATCH to a pod or endpoint: the request schemas reject any field they do not name. */
export interface ImagePatch {
  readonly image: string
  readonly registry?: string | null
}

/** Body of POST /v2/registries; username and password are write-only at Runpod. */
export interface CreateRegistryRequest {
  readonly name: string
  readonly username: string
  readonly password: string
}

export type RegistryAuthUpdate = { readonly kind: 'updated' } | { readonly kind: 'retired'; readonly reason: string }

interface Call {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  readonly path: string
  readonly body?: unknown
  readonly resource?: { readonly kind: ResourceKind; readonly id: string }
  /** GraphQL over HTTP answers errors in the body, also with status 400: such a body is returned, not thrown. */
  readonly graphql?: true
}

const DELEGATIONS = '/v2/registries/delegations'
const REGISTRIES = '/v2/registries'
const GRAPHQL = '/graphql'
/** How a server says a GraphQL field is gone: the standard validation message, or a retirement notice. */
const GRAPHQL_GONE = /cannot query field|unknown (field|mutation)|(field|mutation)\b[^.]*\b(does not exist|is not defined)|\bretired\b|no longer (available|supported)/i
// Every target is read and patched at once; a smaller pool would queue them into extra round trips.
const MAX_CONNECTIONS = 64

export class RunpodClient {
  private readonly baseUrl: URL
  private readonly apiKey: string
  private readonly requestTimeoutMs: number
  private readonly maxRetries: number
  private readonly backoffBaseMs: number
  private readonly backoffMaxMs: number
  private readonly maxWaitMs: number
  private readonly logIdleMs: number
  private readonly dispatcher: Dispatcher
  private readonly ownsDispatcher: boolean
  private readonly sleep: (ms: number) => Promise<void>
  private readonly random: () => number
  private readonly now: () => number
  /** Earliest time the next request may go out, from a RateLimit header with nothing remaining. */
  private notBefore = 0

  constructor(options: RunpodClientOptions) {
    const { baseUrl } = options
    // inputs.ts checks this too; repeated here because the key must never leave over plain HTTP.
    if (baseUrl.protocol !== 'https:' && !(baseUrl.protocol === 'http:' && isLoopbackHost(baseUrl.hostname))) {
      throw new ActionError(
        `Refusing to send the Runpod API key to ${baseUrl.origin}: 'runpod-api-url' must be https:// (plain http:// only for loopback test servers).`
      )
    }
    this.baseUrl = baseUrl
    this.apiKey = options.apiKey
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    this.maxRetries = options.maxRetries ?? 4
    this.backoffBaseMs = options.backoffBaseMs ?? 500
    this.backoffMaxMs = options.backoffMaxMs ?? 10_000
    this.maxWaitMs = options.maxWaitMs ?? 120_000
    this.logIdleMs = options.logIdleMs ?? 1_500
    this.ownsDispatcher = options.dispatcher === undefined
    this.dispatcher =
      options.dispatcher ??
      new Agent({ keepAliveTimeout: 10_000, connections: MAX_CONNECTIONS, connect: { timeout: this.requestTimeoutMs } })
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    this.random = options.random ?? Math.random
    this.now = options.now ?? Date.now
  }

  async listDelegations(): Promise<EcrDelegation[]> {
    return parseDelegationList(await this.withRetries({ method: 'GET', path: DELEGATIONS }), `GET ${DELEGATIONS}`)
  }

  /**
   * Creates a delegation for a repository ARN. A create is not idempotent, so after a failure that may
   * have taken effect (a lost response, a timeout) the delegations are listed again before any retry.
   */
  async createDelegation(resource: string, name?: string): Promise<EcrDelegation> {
    const call: Call = { method: 'POST', path: DELEGATIONS, body: name === undefined ? { resource } : { resource, name } }
    const repo = parseRepositoryArn(resource)
    // Without the repository a lost creation could not be recognised, and a retry might make a second one.
    if (repo === undefined) throw new Error(`createDelegation needs an ECR repository ARN, not '${resource}'`)
    return this.createOnce(call, parseCreatedDelegation, 'delegation', async () => findDelegation(await this.listDelegations(), repo))
  }

  async listRegistries(): Promise<RegistryCredential[]> {
    return parseRegistryList(await this.withRetries({ method: 'GET', path: REGISTRIES }), `GET ${REGISTRIES}`)
  }

  /**
   * Creates a registry credential. A create is not idempotent, so after a failure that may have taken
   * effect the credentials are listed again before any retry: one with this name whose id is not in
   * `existingIds` (the credentials read before) is the one the lost request created.
   */
  async createRegistry(request: CreateRegistryRequest, existingIds: ReadonlySet<string>): Promise<RegistryCredential> {
    const call: Call = { method: 'POST', path: REGISTRIES, body: request }
    return this.createOnce(call, parseCreatedRegistry, 'registry credential', async () =>
      (await this.listRegistries()).find((registry) => registry.name === request.name && !existingIds.has(registry.id))
    )
  }

  /**
   * A POST that must not take effect twice: after a failure that may have taken effect, `findCreated`
   * looks for what the lost request made before the POST is sent again.
   */
  private async createOnce<T extends { readonly id: string }>(
    call: Call,
    parse: (body: unknown, where: string) => T,
    what: string,
    findCreated: () => Promise<T | undefined>
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return parse(await this.once(call), `${call.method} ${call.path}`)
      } catch (error) {
        if (!this.shouldRetry(error, attempt)) throw this.final(error, attempt)
        await this.sleep(this.retryDelay(error, attempt))
        const created = await findCreated()
        if (created) {
          core.info(`Runpod created ${what} ${created.id} although the response to the request was lost; using it.`)
          return created
        }
      }
    }
  }

  /** Deleting twice has the same effect as once, so it is retried like a read (a 404 then means done). */
  async deleteRegistry(id: string): Promise<void> {
    await this.withRetries({ method: 'DELETE', path: `${REGISTRIES}/${encodeURIComponent(id)}` })
  }

  /**
   * Replaces the username and password of a registry credential in place through Runpod's GraphQL API
   * (REST v2 has no update). Setting the same values twice is harmless, so it is retried like a read.
   * 'retired' when the API or the mutation is gone: HTTP 404/410 or a GraphQL error saying so.
   */
  async updateRegistryAuth(id: string, username: string, password: string): Promise<RegistryAuthUpdate> {
    // Inline arguments: the input type's name is not part of any published contract; JSON strings are valid GraphQL strings.
    const input = `{id: ${JSON.stringify(id)}, username: ${JSON.stringify(username)}, password: ${JSON.stringify(password)}}`
    const call: Call = { method: 'POST', path: GRAPHQL, body: { query: `mutation { updateRegistryAuth(input: ${input}) { id name } }` }, graphql: true }
    let body: unknown
    try {
      body = await this.withRetries(call)
    } catch (error) {
      if (error instanceof RunpodApiError && (error.status === 404 || error.status === 410)) return { kind: 'retired', reason: error.summary }
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

  async getPod(id: string): Promise<Pod> {
    const path = `/v2/pods/${encodeURIComponent(id)}`
    return parsePod(await this.withRetries({ method: 'GET', path, resource: { kind: 'pod', id } }), `GET ${path}`)
  }

  /** PATCH with the same body is idempotent, so it is retried like a read. */
  async patchPod(id: string, body: ImagePatch): Promise<Pod> {
    const path = `/v2/pods/${encodeURIComponent(id)}`
    return parsePod(await this.withRetries({ method: 'PATCH', path, body, resource: { kind: 'pod', id } }), `PATCH ${path}`)
  }

  async getEndpoint(id: string): Promise<Endpoint> {
    const path = `/v2/serverless/${encodeURIComponent(id)}`
    return parseEndpoint(await this.withRetries({ method: 'GET', path, resource: { kind: 'endpoint', id } }), `GET ${path}`)
  }

  async patchEndpoint(id: string, body: ImagePatch): Promise<Endpoint> {
    const path = `/v2/serverless/${encodeURIComponent(id)}`
    return parseEndpoint(
      await this.withRetries({ method: 'PATCH', path, body, resource: { kind: 'endpoint', id } }),
      `PATCH ${path}`
    )
  }

  async listEndpointReleases(id: string): Promise<EndpointReleases> {
    const path = `/v2/serverless/${encodeURIComponent(id)}/releases`
    return parseEndpointReleases(
      await this.withRetries({ method: 'GET', path, resource: { kind: 'endpoint', id } }),
      `GET ${path}`
    )
  }

  async listEndpointWorkers(id: string): Promise<EndpointWorkers> {
    const path = `/v2/serverless/${encodeURIComponent(id)}/workers`
    return parseEndpointWorkers(
      await this.withRetries({ method: 'GET', path, resource: { kind: 'endpoint', id } }),
      `GET ${path}`
    )
  }

  /**
   * The last lines of a pod's system log. The endpoint is a server-sent event stream that backfills
   * `tail` lines and then follows live output, so reading stops once the stream goes quiet.
   */
  async podSystemLog(id: string, maxLines: number): Promise<string[]> {
    const path = `/v2/pods/${encodeURIComponent(id)}/logs?source=system&tail=${maxLines}`
    await this.waitForRateLimit()
    const controller = new AbortController()
    const overall = setTimeout(() => controller.abort(), this.requestTimeoutMs)
    let idle: NodeJS.Timeout | undefined
    let headersReceived = false
    let text = ''
    const started = this.now()
    try {
      const response = await request(this.url(path), {
        dispatcher: this.dispatcher,
        method: 'GET',
        headers: { ...this.authHeaders(), accept: 'text/event-stream' },
        headersTimeout: this.requestTimeoutMs,
        signal: controller.signal
      })
      headersReceived = true
      this.noteRateLimit(response.headers)
      core.debug(`Runpod GET ${path} -> ${response.statusCode} (${this.now() - started} ms)`)
      if (response.statusCode !== 200) {
        throw responseError({ method: 'GET', path, status: response.statusCode, body: await response.body.text(), resource: { kind: 'pod', id } })
      }
      const decoder = new TextDecoder()
      const quiet = () => {
        clearTimeout(idle)
        idle = setTimeout(() => controller.abort(), this.logIdleMs)
      }
      quiet()
      for await (const chunk of response.body) {
        text += decoder.decode(chunk as Buffer, { stream: true })
        quiet()
      }
    } catch (error) {
      // Our own abort after the headers ends the read; anything else is a real failure.
      if (!(headersReceived && controller.signal.aborted)) {
        throw error instanceof RunpodApiError ? error : networkError('GET', path, this.baseUrl, error)
      }
    } finally {
      clearTimeout(overall)
      clearTimeout(idle)
    }
    return parseLogEvents(text).slice(-maxLines)
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close()
  }

  private async withRetries(call: Call): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(call)
      } catch (error) {
        if (!this.shouldRetry(error, attempt)) throw this.final(error, attempt)
        const delay = this.retryDelay(error, attempt)
        core.debug(`Runpod ${call.method} ${call.path}: retrying in ${delay} ms`)
        await this.sleep(delay)
      }
    }
  }

  private shouldRetry(error: unknown, attempt: number): error is RunpodApiError {
    if (!(error instanceof RunpodApiError) || !error.retryable || attempt >= this.maxRetries) return false
    return error.retryAfterMs === undefined || error.retryAfterMs <= this.maxWaitMs
  }

  private final(error: unknown, attempt: number): unknown {
    if (!(error instanceof RunpodApiError) || !error.retryable) return error
    const details = {
      summary: error.summary,
      retryable: false,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.problem ? { problem: error.problem } : {})
    }
    if (error.retryAfterMs !== undefined && error.retryAfterMs > this.maxWaitMs) {
      return new RunpodApiError(
        `${error.message} Runpod asks to wait ${Math.ceil(error.retryAfterMs / 1000)} s, longer than this action waits: rerun the job later.`,
        details
      )
    }
    return new RunpodApiError(`${error.message} Gave up after ${attempt + 1} attempts; rerun the job later.`, details)
  }

  /** Retry-After when Runpod gave one; otherwise exponential backoff with jitter, capped. */
  private retryDelay(error: RunpodApiError, attempt: number): number {
    if (error.retryAfterMs !== undefined) return error.retryAfterMs
    const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** attempt)
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2)
  }

  private async once(call: Call): Promise<unknown> {
    await this.waitForRateLimit()
    const started = this.now()
    let status: number
    let headers: Record<string, string | string[] | undefined>
    let text: string
    try {
      const response = await request(this.url(call.path), {
        dispatcher: this.dispatcher,
        method: call.method,
        headers: {
          ...this.authHeaders(),
          accept: 'application/json',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' })
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        headersTimeout: this.requestTimeoutMs,
        bodyTimeout: this.requestTimeoutMs,
        signal: AbortSignal.timeout(this.requestTimeoutMs)
      })
      status = response.statusCode
      headers = response.headers
      text = await response.body.text()
    } catch (error) {
      core.debug(`Runpod ${call.method} ${call.path} -> no response (${this.now() - started} ms)`)
      throw networkError(call.method, call.path, this.baseUrl, error)
    }
    core.debug(`Runpod ${call.method} ${call.path} -> ${status} (${this.now() - started} ms)`)
    this.noteRateLimit(headers)
    if (call.graphql && status === 400) {
      const parsed = jsonOrUndefined(text)
      if (parsed !== undefined) return parsed
    }
    if (status < 200 || status >= 300) {
      const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), this.now())
      throw responseError({
        method: call.method,
        path: call.path,
        status,
        body: text,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(call.resource ? { resource: call.resource } : {})
      })
    }
    if (status === 204) return undefined
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new ActionError(
        `Runpod answered ${call.method} ${call.path} with ${status} but the body is not JSON. Check that 'runpod-api-url' (${this.baseUrl.origin}) points at the Runpod REST API v2.`
      )
    }
  }

  private noteRateLimit(headers: Record<string, string | string[] | undefined>): void {
    const pause = rateLimitPauseMs(parseRateLimit(header(headers, 'ratelimit')))
    // A reset further away than we would wait is left to the server's 429 and its clear message.
    if (pause > 0 && pause <= this.maxWaitMs) this.notBefore = Math.max(this.notBefore, this.now() + pause)
  }

  private async waitForRateLimit(): Promise<void> {
    const wait = this.notBefore - this.now()
    if (wait <= 0) return
    core.info(`Runpod rate limit reached: waiting ${Math.ceil(wait / 1000)} s before the next request.`)
    await this.sleep(wait)
  }

  private url(path: string): URL {
    return new URL(this.baseUrl.pathname.replace(/\/+$/, '') + path, this.baseUrl)
  }

  private authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}`, 'user-agent': 'runpod-ecr-deploy' }
  }
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}
