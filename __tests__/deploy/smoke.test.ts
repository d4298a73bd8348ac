import { describe, expect, it } from '@jest/globals'
import { judgeJob, outputMatches, runSmokeTest, shorten, smokeDiagnostics } from '../../src/deploy/smoke.js'
import type { Logger } from '../../src/deploy/log.js'
import type { JobClient } from '../../src/runpod/jobs.js'
import type { Job } from '../../src/runpod/wire.js'

function job(status: string, extra: Partial<Job> = {}): Job {
  return { id: 'sync-1', status, executionTimeMs: 12, delayTimeMs: 3, workerId: 'w', ...extra }
}

describe('outputMatches', () => {
  it('matches an object by the keys it names, recursively', () => {
    const output = { status: 'ok', usage: { tokens: 5, model: 'm' }, extra: true }
    expect(outputMatches(output, { status: 'ok' })).toBe(true)
    expect(outputMatches(output, { usage: { tokens: 5 } })).toBe(true)
    expect(outputMatches(output, { usage: { tokens: 6 } })).toBe(false)
    expect(outputMatches(output, { missing: null })).toBe(false)
    expect(outputMatches(output, {})).toBe(true)
  })

  it('matches arrays and scalars exactly, objects inside arrays too', () => {
    expect(outputMatches([1, 2], [1, 2])).toBe(true)
    expect(outputMatches([1, 2, 3], [1, 2])).toBe(false)
    expect(outputMatches([{ a: 1, b: 2 }], [{ a: 1 }])).toBe(false)
    expect(outputMatches([{ a: 1 }], [{ a: 1 }])).toBe(true)
    expect(outputMatches('ok', 'ok')).toBe(true)
    expect(outputMatches(1, '1')).toBe(false)
    expect(outputMatches(null, {})).toBe(false)
    expect(outputMatches({ a: [1] }, { a: [1] })).toBe(true)
  })
})

describe('judgeJob', () => {
  it('waits while the job is queued or running', () => {
    expect(judgeJob(job('IN_QUEUE'), undefined)).toEqual({ state: 'pending' })
    expect(judgeJob(job('IN_PROGRESS'), undefined)).toEqual({ state: 'pending' })
  })

  it.each(['FAILED', 'CANCELLED', 'TIMED_OUT', 'SOMETHING_NEW'])(
    'fails a job that ended %s, with its error',
    (status) => {
      expect(judgeJob(job(status, { error: 'boom' }), undefined)).toEqual({
        state: 'failed',
        reason: `job sync-1 ended ${status}: boom`
      })
    }
  )

  it('passes a completed job, and fails one whose output does not match', () => {
    expect(judgeJob(job('COMPLETED', { output: { ok: true } }), { ok: true })).toEqual({ state: 'passed' })
    expect(judgeJob(job('COMPLETED'), undefined)).toEqual({ state: 'passed' })
    expect(judgeJob(job('COMPLETED', { output: { ok: false } }), { ok: true })).toEqual({
      state: 'failed',
      reason: `job sync-1 completed, but its output {"ok":false} does not match 'smoke-expect' {"ok":true}`
    })
  })
})

describe('shorten and smokeDiagnostics', () => {
  it('cuts long output and names its length', () => {
    expect(shorten({ text: 'x'.repeat(500) }, 20)).toBe('{"text":"xxxxxxxxxxx… (511 characters)')
    expect(shorten(undefined)).toBe('(none)')
  })

  it('lists the job id, status, error, execution time and output', () => {
    expect(
      smokeDiagnostics({
        passed: false,
        jobId: 'sync-1',
        status: 'FAILED',
        error: 'boom',
        executionTimeMs: 1500,
        output: '{}'
      })
    ).toEqual(['smoke job sync-1: FAILED', 'error: boom', 'execution time: 1.5 s', 'output: {}'])
    expect(smokeDiagnostics({ passed: false, reason: 'the job could not be sent: 401' })).toEqual([
      'smoke test: the job could not be sent: 401'
    ])
  })
})

describe('output from a container', () => {
  it('renders any depth without throwing, bounded in length', () => {
    let deep: unknown = 'bottom'
    for (let level = 0; level < 20_000; level++) deep = { d: deep }
    // Twenty levels are shown, the rest stands as {…}; a length past `max` is cut and counted.
    expect(shorten(deep)).toBe(`${'{"d":'.repeat(20)}{…}${'}'.repeat(20)}`)
    expect(shorten(deep, 50)).toMatch(/^(\{"d":){10}… \(\d+ characters\)$/)
    expect(judgeJob(job('COMPLETED', { output: deep }), { status: 'ok' })).toMatchObject({ state: 'failed' })
    expect(shorten({ n: Number.NaN, b: true, s: 'x"y', a: [1, null] })).toBe(
      '{"n":null,"b":true,"s":"x\\"y","a":[1,null]}'
    )
  })
})

describe('a cancel during runsync', () => {
  const lines: string[] = []
  const log: Logger = {
    debug: () => {},
    info: (message) => lines.push(message),
    warning: (message) => lines.push(`warning: ${message}`),
    notice: (message) => lines.push(`notice: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
    startGroup: () => {},
    endGroup: () => {},
    secret: () => {}
  }
  const settings = { body: { input: {} }, timeoutSeconds: 60 }

  it('cancels the job when its id comes back within the grace', async () => {
    lines.length = 0
    const controller = new AbortController()
    const cancelled: string[] = []
    const jobs = {
      runSync: async (_id: string, _body: unknown, _wait: number, budget?: { signal?: AbortSignal }) => {
        controller.abort()
        await new Promise((resolve) => setTimeout(resolve, 300))
        expect(budget?.signal?.aborted).toBe(false)
        return job('IN_QUEUE', { id: 'sync-late' })
      },
      cancel: async (_id: string, jobId: string) => {
        cancelled.push(jobId)
        return job('CANCELLED', { id: jobId })
      }
    } as unknown as JobClient
    const result = await runSmokeTest(jobs, 'ep1', settings, log, controller.signal)
    expect(cancelled).toEqual(['sync-late'])
    expect(result).toMatchObject({ passed: false, jobId: 'sync-late', reason: 'job sync-late the run was cancelled' })
  })

  it('names the job whose id never came back', async () => {
    lines.length = 0
    const controller = new AbortController()
    const jobs = {
      runSync: (_id: string, _body: unknown, _wait: number, budget?: { signal?: AbortSignal }) => {
        controller.abort()
        return new Promise((_resolve, reject) =>
          budget?.signal?.addEventListener('abort', () => reject(new Error('cancelled')))
        )
      }
    } as unknown as JobClient
    const started = Date.now()
    const result = await runSmokeTest(jobs, 'ep1', settings, log, controller.signal)
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(result).toEqual({ passed: false, reason: "the run was cancelled before the smoke job's id came back" })
    expect(lines.join('\n')).toMatch(/warning: endpoint ep1 \(smoke test\): .*the job's id never came back/)
  })
})
