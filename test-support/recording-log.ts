// A Logger for in-process tests: keeps every line for assertions, and hands them to the test
// environment, which prints them only when the test fails (test-support/quiet-environment.cjs).
import type { Logger } from '../src/deploy/log.js'

export interface RecordingLog extends Logger {
  readonly lines: string[]
  /** The values masked through secret(). */
  readonly secrets: string[]
}

type LineSink = { __testLog?: string[] }

export function recordingLog(): RecordingLog {
  const lines: string[] = []
  const keep = (level: string) => (message: string) => {
    const line = level === 'info' ? message : `::${level}::${message}`
    lines.push(line)
    ;(globalThis as LineSink).__testLog?.push(line)
  }
  const secrets: string[] = []
  return {
    lines,
    secrets,
    secret: (value) => secrets.push(value),
    debug: keep('debug'),
    info: keep('info'),
    warning: keep('warning'),
    notice: keep('notice'),
    error: keep('error'),
    startGroup: (name) => keep('group')(name),
    endGroup: () => keep('endgroup')('')
  }
}
