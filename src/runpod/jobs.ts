// Runpod's queue-based job API of a Serverless endpoint (POST /v2/{id}/runsync, GET /v2/{id}/status/{jobId}),
// served from its own host (api.runpod.ai) with the same API key as a Bearer token, as Runpod documents.
import { RunpodHttp, type Call, type RequestBudget, type RunpodHttpOptions } from './http.js'
import { parseJob, type Job } from './wire.js'

/** runsync holds the request open this long at most, and at least this long (Runpod's documented range). */
export const RUNSYNC_WAIT_MIN_MS = 1_000
export const RUNSYNC_WAIT_MAX_MS = 300_000

export class JobClient {
  private readonly http: RunpodHttp

  constructor(options: RunpodHttpOptions) {
    // A runsync answer may take the whole wait: the request timeout leaves room beyond the longest one.
    this.http = new RunpodHttp({
      requestTimeoutMs: RUNSYNC_WAIT_MAX_MS + 30_000,
      urlInput: 'runpod-serverless-url',
      ...options
    })
  }

  /**
   * Submits a job and waits up to `waitMs` for it to end. A job cannot be looked up before its id is known,
   * so the POST is sent again only when Runpod certainly did not take it: a job never runs twice.
   */
  async runSync(endpointId: string, body: unknown, waitMs: number, budget?: RequestBudget): Promise<Job> {
    const wait = Math.round(Math.min(RUNSYNC_WAIT_MAX_MS, Math.max(RUNSYNC_WAIT_MIN_MS, waitMs)))
    const call = jobCall('POST', endpointId, `runsync?wait=${wait}`, budget)
    return parseJob(await this.http.sendOnce({ ...call, body }), `POST ${call.path}`)
  }

  async status(endpointId: string, jobId: string, budget?: RequestBudget): Promise<Job> {
    const call = jobCall('GET', endpointId, `status/${encodeURIComponent(jobId)}`, budget)
    return parseJob(await this.http.request(call), `GET ${call.path}`)
  }

  /** Cancels a job that is still queued or running; cancelling twice does no harm, so it is retried like a read. */
  async cancel(endpointId: string, jobId: string, budget?: RequestBudget): Promise<Job> {
    const call = jobCall('POST', endpointId, `cancel/${encodeURIComponent(jobId)}`, budget)
    return parseJob(await this.http.request(call), `POST ${call.path}`)
  }
}

function jobCall(method: 'GET' | 'POST', endpointId: string, operation: string, budget?: RequestBudget): Call {
  return {
    method,
    path: `/v2/${encodeURIComponent(endpointId)}/${operation}`,
    resource: { kind: 'endpoint', id: endpointId },
    ...(budget ? { budget } : {})
  }
}
