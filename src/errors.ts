/**
 * An error whose message is written for the workflow author: it names the input or resource and says
 * what to do. Anything else that escapes is a bug and is reported with its stack in debug logs.
 */
export class ActionError extends Error {
  override readonly name = 'ActionError'
}

/** The message of anything thrown, for showing to the user. */
export function errorMessage(error: unknown): string {
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined
  return typeof message === 'string' ? message : String(error)
}
