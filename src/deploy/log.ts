// What the deploy mode writes to the workflow log, as a port: main.ts passes the toolkit's log, tests a
// recording one, so nothing here depends on @actions/core.
import type { RequestLog } from '../runpod/http.js'

/** Where an annotation points and what it is called, as GitHub shows it. */
export interface AnnotationProperties {
  readonly title?: string
}

export interface Logger extends RequestLog {
  warning(message: string, properties?: AnnotationProperties): void
  notice(message: string, properties?: AnnotationProperties): void
  error(message: string, properties?: AnnotationProperties): void
  startGroup(name: string): void
  endGroup(): void
  /** Masks a value read from outside (an env value) in every line from now on, before anything could print it. */
  secret(value: string): void
}

/** Runs `work` inside a collapsible log group. */
export async function inGroup<T>(log: Logger, name: string, work: () => Promise<T>): Promise<T> {
  log.startGroup(name)
  try {
    return await work()
  } finally {
    log.endGroup()
  }
}
