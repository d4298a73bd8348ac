// Turning a failed Runpod request into an error the workflow author can act on.
import { ActionError, errorCode, errorMessage } from '../errors.js'
import { jsonOrUndefined, parseProblem, type Problem } from './wire.js'

export type ResourceKind = 'pod' | 'endpoint' | 'template'

const TARGET_INPUT: Readonly<Record<ResourceKind, string>> = {
  pod: 'pod-id',
  endpoint: 'endpoint-id',
  template: 'template-id'
}

export interface RunpodErrorDetails {
  /** HTTP status; undefined when no response arrived (reset, timeout). */
  readonly status?: number
  /** `status title: detail` as Runpod put it, for wrapping in a more specific message. */
  readonly summary: string
  readonly retryable: boolean
  readonly retryAfterMs?: number
  readonly problem?: Problem
  /** No connection was made, so the request cannot have reached Runpod. */
  readonly notSent?: boolean
}

export class RunpodApiError extends ActionError {
  readonly status: number | undefined
  readonly summary: string
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  readonly problem: Problem | undefined
  readonly notSent: boolean

  constructor(message: string, details: RunpodErrorDetails) {
    super(message)
    this.status = details.status
    this.summary = details.summary
    this.retryable = details.retryable
    this.retryAfterMs = details.retryAfterMs
    this.problem = details.problem
    this.notSent = details.notSent ?? false
  }
}

export interface FailedResponse {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly body: string
  readonly retryAfterMs?: number
  readonly resource?: { readonly kind: ResourceKind; readonly id: string }
}

export function responseError(response: FailedResponse): RunpodApiError {
  const { method, path, status, resource } = response
  const problem = problemOf(response.body)
  const summary = problem
    ? `${status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`
    : `HTTP ${status}${response.body.trim() ? `: ${response.body.trim().slice(0, 200)}` : ''}`
  const where = `${method} ${path}`
  const details = { status, summary, ...(problem ? { problem } : {}) }
  const fail = (message: string, retryable = false, retryAfterMs?: number) =>
    new RunpodApiError(message, { ...details, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })

  switch (status) {
    case 401:
      return fail(
        `Runpod rejected the API key on ${where} (${summary}). Check the 'runpod-api-key' input: it must be a current Runpod API key (Runpod console → Settings → API Keys) passed from a secret.`
      )
    case 403:
      return fail(
        `Runpod refused ${where} (${summary}). Check the key in the 'runpod-api-key' input and its permissions: it needs read and write access to pods, serverless endpoints, templates and registries.`
      )
    case 402:
      return fail(
        `Runpod refused ${where} (${summary}): the account balance is too low. Add funds in the Runpod console (Billing) and rerun.`
      )
    case 404:
      if (resource) {
        return fail(
          `Runpod has no ${resource.kind} '${resource.id}' (${summary}). Check the input '${TARGET_INPUT[resource.kind]}': the id must be a ${resource.kind} of the account the API key belongs to, as shown in the Runpod console.`
        )
      }
      return fail(
        `Runpod answered ${where} with ${summary}. Check that 'runpod-api-url' points at the Runpod REST API v2.`
      )
    case 422: {
      const errors = problem?.errors.length ? `:\n${problem.errors.map((error) => `  - ${error}`).join('\n')}` : '.'
      return fail(`Runpod rejected the request body of ${where} (${summary})${errors}`)
    }
    case 429:
      return fail(`Runpod's rate limit was hit on ${where} (${summary}).`, true, response.retryAfterMs)
    // A write that met a 5xx may still have taken effect: the write path reads the state before any repeat.
    case 500:
      return fail(`Runpod failed on ${where} (${summary}).`, true, response.retryAfterMs)
    case 502:
    case 503:
    case 504:
      return fail(`Runpod is unavailable on ${where} (${summary}).`, true, response.retryAfterMs)
    default:
      return fail(`Runpod API error on ${where}: ${summary}.`)
  }
}

function problemOf(body: string): Problem | undefined {
  return parseProblem(jsonOrUndefined(body))
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT'
])

/** A request that got no usable response: resets and timeouts may succeed on retry, the rest will not. */
export function networkError(method: string, path: string, baseUrl: URL, error: unknown): RunpodApiError {
  const code = errorCode(error)
  const timedOut = isTimeout(error)
  const reason = timedOut ? 'timed out' : `failed (${code ?? errorMessage(error)})`
  const retryable = timedOut || (code !== undefined && RETRYABLE_CODES.has(code))
  const advice = retryable ? '' : ` Check that the Runpod URL (${baseUrl.origin}) is reachable from the runner.`
  const notSent = code !== undefined && NOT_SENT_CODES.has(code)
  return new RunpodApiError(`Runpod request ${method} ${path} ${reason}.${advice}`, {
    summary: reason,
    retryable,
    notSent
  })
}

/** Failures before a connection existed: the request never left the runner. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])

function isTimeout(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined
  const code = errorCode(error)
  return (
    name === 'TimeoutError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  )
}
