// Runpod's HTTP transport: bearer auth, a timeout on every request, one retry path for requests that are
// safe to repeat, one never-twice path for creates, and a pause before the rate limit rather than after it.
// Requests go over node:http (node-fetch.ts), so no HTTP client is bundled and Node's undici is not loaded
// before the first request; a runner's proxy is Node's own too (runner-proxy.ts). Tests hand in undici's
// MockAgent, and the transport then asks Node's fetch with it: the same shape of answer.
import { setTimeout as sleepFor } from 'node:timers/promises'
import type { Dispatcher } from 'undici'
import { ActionError, errorMessage } from '../errors.js'
import { isSafeApiUrl } from './api-url.js'
import { networkError, responseError, RunpodApiError, type ResourceKind } from './errors.js'
import { parseRetryAfter, RequestPacer } from './rate-limit.js'
import { nodeFetch, type HttpAnswer, type HttpFetch } from './node-fetch.js'
import { jsonOrUndefined } from './wire.js'

/** Where the transport writes what it does: request lines at debug level, waits and recoveries as info. */
export interface RequestLog {
  debug(message: string): void
  info(message: string): void
}

export interface RunpodHttpOptions {
  readonly baseUrl: URL
  /** The input that names `baseUrl`, for messages: `runpod-api-url` unless said otherwise. */
  readonly urlInput?: string
  readonly apiKey: string
  /** Bound on each request, headers and body together. */
  readonly requestTimeoutMs?: number
  /** Retries after the first attempt, for retryable failures only. */
  readonly maxRetries?: number
  readonly backoffBaseMs?: number
  readonly backoffMaxMs?: number
  /** Longer Retry-After or rate-limit resets than this fail at once instead of stalling the job. */
  readonly maxWaitMs?: number
  /** Tests pass undici's MockAgent: requests then go through Node's fetch with it instead of node:http. */
  readonly dispatcher?: Dispatcher
  /** Waits `ms`, or rejects when `signal` aborts first. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly random?: () => number
  readonly now?: () => number
  readonly log?: RequestLog
}

/** What bounds one request with its retries: the time by which they must be done, and cancellation. */
export interface RequestBudget {
  /** Epoch milliseconds: each attempt gets at most the time left, and no retry waits past it. */
  readonly deadline?: number
  /** Aborts the request and its retries at once (a cancelled workflow). */
  readonly signal?: AbortSignal
}

export interface Call {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  readonly path: string
  readonly body?: unknown
  readonly resource?: { readonly kind: ResourceKind; readonly id: string }
  /** GraphQL over HTTP answers errors in the body, also with status 400: such a body is returned, not thrown. */
  readonly graphql?: true
  readonly budget?: RequestBudget
}

const SILENT: RequestLog = { debug: () => {}, info: () => {} }

/** Runpod's answers are kilobytes: a body past this is not Runpod's, and reading it stops there. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024
/** An error answer is read only this far: enough for any problem document. */
const MAX_ERROR_BODY_BYTES = 64 * 1024

export class RunpodHttp {
  private readonly baseUrl: URL
  private readonly urlInput: string
  private readonly apiKey: string
  readonly requestTimeoutMs: number
  private readonly maxRetries: number
  private readonly backoffBaseMs: number
  private readonly backoffMaxMs: number
  private readonly maxWaitMs: number
  /** node:http's global agents (a keep-alive pool with no limit per origin, so every target goes at once). */
  private readonly send: HttpFetch
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  private readonly random: () => number
  private readonly now: () => number
  private readonly log: RequestLog
  private readonly pacer = new RequestPacer()

  constructor(options: RunpodHttpOptions) {
    const { baseUrl } = options
    this.urlInput = options.urlInput ?? 'runpod-api-url'
    // inputs.ts checks this too; repeated here because the key must never leave over plain HTTP.
    if (!isSafeApiUrl(baseUrl)) {
      throw new ActionError(
        `Refusing to send the Runpod API key to ${baseUrl.origin}: '${this.urlInput}' must be https:// (plain http:// only for loopback test servers).`
      )
    }
    this.baseUrl = baseUrl
    this.apiKey = options.apiKey
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000
    this.maxRetries = options.maxRetries ?? 4
    this.backoffBaseMs = options.backoffBaseMs ?? 500
    this.backoffMaxMs = options.backoffMaxMs ?? 10_000
    this.maxWaitMs = options.maxWaitMs ?? 120_000
    const dispatcher = options.dispatcher
    this.send = dispatcher
      ? (url, init) => fetch(url, { ...init, redirect: 'manual', dispatcher } as RequestInit) as Promise<HttpAnswer>
      : nodeFetch
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}))
    this.random = options.random ?? Math.random
    this.now = options.now ?? Date.now
    this.log = options.log ?? SILENT
  }

  /** A request that is safe to repeat (reads, deletes, idempotent updates): retried while it may succeed. */
  async request(call: Call): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(call)
      } catch (error) {
        await this.beforeRetry(call, error, attempt)
      }
    }
  }

  /**
   * A write that must not take effect twice (a create, a PATCH that restarts a pod or adds a release). After
   * a failure that may have taken effect (no answer, a 5xx, a 2xx whose body cannot be read), `settled` reads
   * the state again: when it shows the write, that is the result; only otherwise is the write sent again.
   */
  async writeOnce<T>(
    call: Call,
    parse: (body: unknown, where: string) => T,
    settled: () => Promise<T | undefined>,
    recovered: (result: T) => string
  ): Promise<T> {
    const where = `${call.method} ${call.path}`
    for (let attempt = 0; ; attempt++) {
      let failure: unknown
      try {
        const body = await this.once(call)
        try {
          return parse(body, where)
        } catch (error) {
          failure = unreadable(where, error)
        }
      } catch (error) {
        failure = error
      }
      // A failure that may have taken effect is read back before anything else, also when no retry is left:
      // a change that took effect is never reported as refused.
      let final: unknown
      try {
        await this.beforeRetry(call, failure, attempt)
      } catch (error) {
        if (!(failure instanceof RunpodApiError && failure.retryable)) throw error
        final = error
      }
      const applied = final === undefined ? await settled() : await settled().catch(() => undefined)
      if (applied !== undefined) {
        this.log.info(recovered(applied))
        return applied
      }
      if (final !== undefined) throw final
    }
  }

  /**
   * A create that cannot be found again afterwards (a serverless job): sent again only when Runpod certainly
   * did not take it (a 429, or no connection made). Any other failure is final, so it never runs twice.
   */
  async sendOnce(call: Call): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(call)
      } catch (error) {
        const untaken = error instanceof RunpodApiError && (error.status === 429 || error.notSent)
        if (!untaken) throw error
        await this.beforeRetry(call, error, attempt)
      }
    }
  }

  /**
   * The text of a server-sent event stream that backfills and then follows live output: reading stops
   * once the stream has been quiet for `idleMs`, or at the request timeout.
   */
  async eventStream(path: string, resource: NonNullable<Call['resource']>, idleMs: number): Promise<string> {
    await this.waitForRateLimit({ method: 'GET', path })
    const controller = new AbortController()
    const overall = setTimeout(() => controller.abort(), this.requestTimeoutMs)
    let idle: NodeJS.Timeout | undefined
    let headersReceived = false
    let text = ''
    const started = this.now()
    try {
      const response = await this.send(this.url(path), {
        method: 'GET',
        headers: { ...this.authHeaders(), accept: 'text/event-stream' },
        signal: controller.signal
      })
      headersReceived = true
      this.noteRateLimit(response.headers)
      this.log.debug(`Runpod GET ${path} -> ${response.status} (${this.now() - started} ms)`)
      if (isRedirect(response.status)) throw this.redirectError('GET', path, response)
      if (response.status !== 200) {
        const { text: body } = await readBounded(response, MAX_ERROR_BODY_BYTES)
        throw responseError({ method: 'GET', path, status: response.status, body, resource })
      }
      const quiet = () => {
        clearTimeout(idle)
        idle = setTimeout(() => controller.abort(), idleMs)
      }
      quiet()
      // The backlog asked for is small; a stream that goes on past the cap is cut there.
      text = (await readBounded(response, MAX_BODY_BYTES, { progress: quiet, until: controller.signal })).text
    } catch (error) {
      this.pacer.settled()
      // Our own abort after the headers ends the read; anything else is a real failure.
      if (!(headersReceived && controller.signal.aborted)) {
        throw error instanceof RunpodApiError ? error : networkError('GET', path, this.baseUrl, error)
      }
    } finally {
      clearTimeout(overall)
      clearTimeout(idle)
    }
    return text
  }

  /** Whether requests are paced by a quota Runpod published (RateLimit-Policy). */
  pacedByPolicy(): boolean {
    return this.pacer.knowsPolicy()
  }

  /** See RequestPacer.spacingMs. */
  spacingMs(requests: number): number {
    return this.pacer.spacingMs(requests)
  }

  /** Throws when the failure is final; otherwise waits the retry delay (within the budget). */
  private async beforeRetry(call: Call, error: unknown, attempt: number): Promise<void> {
    if (!this.shouldRetry(error, attempt)) throw this.final(error, attempt)
    const delay = this.retryDelay(error, attempt)
    const deadline = call.budget?.deadline
    if (deadline !== undefined && this.now() + delay >= deadline) {
      throw new RunpodApiError(`${error.message} No time is left before the deadline to retry.`, {
        summary: error.summary,
        retryable: false,
        ...(error.status === undefined ? {} : { status: error.status })
      })
    }
    this.log.debug(`Runpod ${call.method} ${call.path}: retrying in ${delay} ms`)
    await this.pause(delay, call)
  }

  private async pause(ms: number, call: Call): Promise<void> {
    try {
      await this.sleep(ms, call.budget?.signal)
    } catch (error) {
      if (call.budget?.signal?.aborted) throw cancelled(call)
      throw error
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
    await this.waitForRateLimit(call)
    const timeoutMs = this.timeLeft(call)
    const started = this.now()
    let status: number
    let headers: HttpAnswer['headers']
    let text = ''
    let truncated = false
    let redirected: HttpAnswer | undefined
    try {
      const signals = [AbortSignal.timeout(timeoutMs), ...(call.budget?.signal ? [call.budget.signal] : [])]
      const response = await this.send(this.url(call.path), {
        method: call.method,
        headers: {
          ...this.authHeaders(),
          accept: 'application/json',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' })
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        // Runpod lives at the configured URL only: a redirect is answered with an error, never followed
        // (node:http follows none; the tests' fetch is told not to). One signal bounds headers and body together.
        signal: AbortSignal.any(signals)
      })
      status = response.status
      headers = response.headers
      if (isRedirect(status)) redirected = response
      else ({ text, truncated } = await readBounded(response, ok(status) ? MAX_BODY_BYTES : MAX_ERROR_BODY_BYTES))
    } catch (error) {
      this.pacer.settled()
      this.log.debug(`Runpod ${call.method} ${call.path} -> no response (${this.now() - started} ms)`)
      if (call.budget?.signal?.aborted) throw cancelled(call)
      throw networkError(call.method, call.path, this.baseUrl, error)
    }
    this.log.debug(`Runpod ${call.method} ${call.path} -> ${status} (${this.now() - started} ms)`)
    this.noteRateLimit(headers)
    if (redirected) throw this.redirectError(call.method, call.path, redirected)
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
    if (truncated) {
      throw unreadable(
        `${call.method} ${call.path}`,
        `Runpod's answer to ${call.method} ${call.path} is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB, far more than any Runpod answer, so the action stopped reading it. Check that '${this.urlInput}' (${this.baseUrl.origin}) points at Runpod.`,
        status
      )
    }
    const body = jsonOrUndefined(text)
    if (body === undefined) {
      throw unreadable(
        `${call.method} ${call.path}`,
        `Runpod answered ${call.method} ${call.path} with ${status} but the body is not JSON. Check that '${this.urlInput}' (${this.baseUrl.origin}) points at Runpod.`,
        status
      )
    }
    return body
  }

  /** The time an attempt may take: the request timeout, or less when the budget's deadline is nearer. */
  private timeLeft(call: Call): number {
    const deadline = call.budget?.deadline
    if (deadline === undefined) return this.requestTimeoutMs
    const left = deadline - this.now()
    if (left <= 0) {
      throw new RunpodApiError(`Runpod request ${call.method} ${call.path} was not sent: the deadline has passed.`, {
        summary: 'deadline passed',
        retryable: false
      })
    }
    return Math.min(this.requestTimeoutMs, left)
  }

  private noteRateLimit(headers: HttpAnswer['headers']): void {
    this.pacer.note(header(headers, 'ratelimit-policy'), header(headers, 'ratelimit'), this.now(), this.maxWaitMs)
  }

  /** Every request waits for its turn in the account's rate-limit budget (see RequestPacer). */
  private async waitForRateLimit(call: Call): Promise<void> {
    let wait = this.pacer.reserve(this.now())
    while (typeof wait !== 'number') {
      await wait
      wait = this.pacer.reserve(this.now())
    }
    if (wait <= 0) return
    const deadline = call.budget?.deadline
    if (deadline !== undefined && this.now() + wait >= deadline) {
      throw new RunpodApiError(
        `Runpod request ${call.method} ${call.path} was not sent: the rate-limit budget leaves no turn before the deadline.`,
        { summary: 'no rate-limit turn before the deadline', retryable: false }
      )
    }
    const line = `Pacing Runpod requests to half of the account's rate limit: waiting ${Math.ceil(wait / 1000)} s before ${call.method} ${call.path}.`
    if (wait >= 5_000) this.log.info(line)
    else this.log.debug(line)
    await this.pause(wait, call)
  }

  /** A 3xx: the body is dropped unread, and the error says where it pointed and which input to fix. */
  private redirectError(method: string, path: string, response: HttpAnswer): RunpodApiError {
    void response.body
      ?.getReader()
      .cancel()
      .catch(() => undefined)
    const location = response.headers.get('location')
    let target = ''
    if (location) {
      const url = URL.canParse(location, this.baseUrl) ? new URL(location, this.baseUrl) : undefined
      target = ` to ${url ? url.origin + url.pathname : 'an unreadable location'}`
    }
    return new RunpodApiError(
      `Runpod answered ${method} ${path} with a redirect (HTTP ${response.status}${target}). The action sends the API key and its requests to '${this.urlInput}' (${this.baseUrl.origin}) only and never follows a redirect: set '${this.urlInput}' to the address that answers without one.`,
      { status: response.status, summary: `redirect ${response.status}${target}`, retryable: false }
    )
  }

  private url(path: string): URL {
    return new URL(this.baseUrl.pathname.replace(/\/+$/, '') + path, this.baseUrl)
  }

  private authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}`, 'user-agent': 'runpod-ecr-deploy' }
  }
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400
}

function ok(status: number): boolean {
  return status >= 200 && status < 300
}

/**
 * The body as text, read as a stream that stops at `limit` bytes (`truncated` then), so an answer that never
 * ends costs no more than the limit. `progress` is called for each chunk (the event stream's idle timer);
 * once `until` aborts, what was read so far is the text.
 */
async function readBounded(
  response: HttpAnswer,
  limit: number,
  { progress, until }: { progress?: () => void; until?: AbortSignal } = {}
): Promise<{ text: string; truncated: boolean }> {
  const reader = response.body?.getReader()
  if (!reader) return { text: '', truncated: false }
  const decoder = new TextDecoder()
  let text = ''
  let bytes = 0
  const next = () =>
    reader.read().catch((error: unknown) => {
      if (until?.aborted) return { done: true as const, value: undefined }
      throw error
    })
  for (let chunk = await next(); !chunk.done; chunk = await next()) {
    progress?.()
    const room = limit - bytes
    bytes += chunk.value.byteLength
    text += decoder.decode(chunk.value.subarray(0, Math.max(0, room)), { stream: true })
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined)
      return { text, truncated: true }
    }
  }
  return { text: text + decoder.decode(), truncated: false }
}

function header(headers: HttpAnswer['headers'], name: string): string | undefined {
  return headers.get(name) ?? undefined
}

/**
 * A 2xx whose body cannot be read (cut short, not JSON, not the expected shape): the request may well have
 * taken effect, so it is retryable, and writes read the state before any repeat.
 */
function unreadable(where: string, error: unknown, status?: number): RunpodApiError {
  const message = typeof error === 'string' ? error : errorMessage(error)
  return new RunpodApiError(message, {
    summary: `unreadable answer to ${where}`,
    retryable: true,
    ...(status === undefined ? {} : { status })
  })
}

function cancelled(call: Call): RunpodApiError {
  return new RunpodApiError(`Runpod request ${call.method} ${call.path} was cancelled.`, {
    summary: 'cancelled',
    retryable: false
  })
}
