import { jest } from '@jest/globals'
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
 * `::add-mask::`; undo with jest.restoreAllMocks().
 */
export function captureStdout(): string[] {
  const written: string[] = []
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk))
    return true
  })
  return written
}
