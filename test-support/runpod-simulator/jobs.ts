// The queue-based job API of a simulated Serverless endpoint (POST /v2/{id}/runsync, GET
// /v2/{id}/status/{jobId}), which Runpod documents outside its v2 OpenAPI document: jobs wait in the queue,
// run, and end as the endpoint's script says; results are kept a minute after the end, as Runpod keeps
// runsync results.
import { Ajv2020 } from 'ajv/dist/2020.js'

/** How a simulated endpoint's jobs end. */
export type JobScript =
  | { readonly outcome: 'complete'; readonly output: unknown; readonly runMs?: number }
  | { readonly outcome: 'fail'; readonly error: string; readonly runMs?: number }
  /** Never leaves IN_QUEUE: no worker takes it (a worker that cannot start, say). */
  | { readonly outcome: 'queue' }
  /** Ends TIMED_OUT after runMs: the execution timeout. */
  | { readonly outcome: 'timeout'; readonly runMs?: number }

export const DEFAULT_JOB_SCRIPT: JobScript = { outcome: 'complete', output: { status: 'ok' } }
const QUEUE_MS = 50
const RUN_MS = 150
const RETENTION_MS = 60_000

// Written from Runpod's job operation reference: a body with `input` (required) and the documented
// optional fields; anything else is refused. `wait` is 1,000 to 300,000 ms; the payload at most 20 MB.
const JOB_REQUEST = {
  type: 'object',
  required: ['input'],
  additionalProperties: false,
  properties: {
    input: {},
    webhook: { type: 'string', minLength: 1 },
    policy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        executionTimeout: { type: 'integer', minimum: 5000 },
        lowPriority: { type: 'boolean' },
        ttl: { type: 'integer', minimum: 10000 }
      }
    },
    s3Config: {
      type: 'object',
      additionalProperties: false,
      required: ['accessId', 'accessSecret', 'bucketName', 'endpointUrl'],
      properties: {
        accessId: { type: 'string' },
        accessSecret: { type: 'string' },
        bucketName: { type: 'string' },
        endpointUrl: { type: 'string' }
      }
    }
  }
} as const
export const JOB_PAYLOAD_MAX_BYTES = 20 * 1024 * 1024
export const WAIT_MIN_MS = 1_000
export const WAIT_MAX_MS = 300_000

const validateJob = new Ajv2020({ allErrors: true, strict: true }).compile(JOB_REQUEST)

/** Why a job request is refused, or undefined when Runpod would take it. */
export function jobRequestProblems(body: unknown, rawBytes: number, wait: string | null): string[] {
  const problems: string[] = []
  if (rawBytes > JOB_PAYLOAD_MAX_BYTES) problems.push('payload exceeds 20 MB')
  if (!validateJob(body))
    problems.push(
      ...(validateJob.errors ?? []).map(
        (error) => `$${error.instancePath.replace(/\//g, '.')}: ${error.message ?? error.keyword}`
      )
    )
  if (wait !== null) {
    const ms = Number(wait)
    if (!Number.isInteger(ms) || ms < WAIT_MIN_MS || ms > WAIT_MAX_MS)
      problems.push(`wait must be a whole number of milliseconds from ${WAIT_MIN_MS} to ${WAIT_MAX_MS}`)
  }
  return problems
}

let sequence = 0

export class SimJob {
  readonly id: string
  readonly createdAt = Date.now()
  readonly input: unknown
  private cancelled = false

  constructor(
    readonly endpointId: string,
    body: { input: unknown },
    private readonly script: JobScript
  ) {
    this.id = `sync-${String(++sequence).padStart(4, '0')}-${endpointId}`
    this.input = body.input
  }

  private get startedAt(): number {
    return this.createdAt + QUEUE_MS
  }

  private get endsAt(): number | undefined {
    return this.script.outcome === 'queue' ? undefined : this.startedAt + (this.script.runMs ?? RUN_MS)
  }

  /** Runpod's cancel: a job that has not ended ends CANCELLED. */
  cancel(): void {
    if (!this.ended()) this.cancelled = true
  }

  status(now = Date.now()): string {
    if (this.cancelled) return 'CANCELLED'
    if (this.script.outcome === 'queue' || now < this.startedAt) return 'IN_QUEUE'
    if (now < (this.endsAt ?? Infinity)) return 'IN_PROGRESS'
    return { complete: 'COMPLETED', fail: 'FAILED', timeout: 'TIMED_OUT' }[this.script.outcome]
  }

  ended(now = Date.now()): boolean {
    return this.cancelled || (this.endsAt !== undefined && now >= this.endsAt)
  }

  /** Runpod drops a runsync result a minute after the job ended. */
  expired(now = Date.now()): boolean {
    return this.endsAt !== undefined && now >= this.endsAt + RETENTION_MS
  }

  toJSON(): Record<string, unknown> {
    const now = Date.now()
    const status = this.status(now)
    if (status === 'IN_QUEUE' || status === 'CANCELLED') return { id: this.id, status }
    const base = {
      id: this.id,
      status,
      delayTime: QUEUE_MS,
      workerId: `wrk-${this.endpointId}`
    }
    if (status === 'IN_PROGRESS') return base
    const executionTime = this.script.outcome === 'queue' ? 0 : (this.script.runMs ?? RUN_MS)
    if (this.script.outcome === 'complete') return { ...base, executionTime, output: this.script.output }
    if (this.script.outcome === 'fail') return { ...base, executionTime, error: this.script.error }
    return { ...base, executionTime, error: 'Job timed out: the execution timeout was reached' }
  }
}
