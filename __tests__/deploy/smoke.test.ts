import { describe, expect, it } from '@jest/globals'
import { judgeJob, outputMatches, shorten, smokeDiagnostics } from '../../src/deploy/smoke.js'
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
