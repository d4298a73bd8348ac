import { jest } from '@jest/globals'
import fs from 'node:fs'
import { ActionError } from '../src/errors.js'

/** The ActionError a promise rejects with; anything else (a bug) fails the test as it is. */
export async function actionErrorFrom(promise: Promise<unknown>): Promise<ActionError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ActionError) return error
    throw error
  }
  throw new Error('expected a rejection with an ActionError')
}

/**
 * Collects what is written to stdout, where @actions/core writes workflow commands such as
 * `::add-mask::` (straight to descriptor 1, as patched, or through process.stdout); undo with
 * jest.restoreAllMocks().
 */
export function captureStdout(): string[] {
  const written: string[] = []
  const writeSync = fs.writeSync as (...args: unknown[]) => number
  jest.spyOn(fs, 'writeSync').mockImplementation(((...args: unknown[]) => {
    const [fd, data, offset] = args
    if (fd !== 1) return writeSync.apply(fs, args)
    const bytes =
      typeof data === 'string'
        ? Buffer.from(data)
        : Buffer.from(data as Uint8Array).subarray(typeof offset === 'number' ? offset : 0)
    written.push(bytes.toString('utf8'))
    return bytes.length
  }) as typeof fs.writeSync)
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk))
    return true
  })
  return written
}
