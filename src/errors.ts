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

/**
 * The first string `code` on the error or its chain of causes (`ECONNRESET`, `UND_ERR_SOCKET`…). Duck-typed:
 * errors from other realms (a DOMException from AbortSignal.timeout) fail instanceof checks.
 */
export function errorCode(error: unknown): string | undefined {
  let current = error
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 4; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown }
    if (typeof code === 'string') return code
    current = cause
  }
  return undefined
}
