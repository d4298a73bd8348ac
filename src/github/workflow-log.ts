// The one way out to the workflow log. The runner reads every line the action prints for workflow commands
// (`::name::` at a line's start, `##[name]` anywhere in it), and the action prints text from outside: pod
// names, problem details, system log lines, job errors, file names from pull requests. Annotations and debug
// lines are command data, which the toolkit escapes; a plain line that could be read as a command, or that
// holds a line break, is printed between `::stop-commands::` and a random token (as GitHub documents), so
// the runner reads none of it.
import * as core from '@actions/core'
import type { Logger } from '../deploy/log.js'
import { registerSecret } from '../secrets.js'

/** The line breaks the runner splits output on. */
const LINE_BREAK = /\r\n|\r|\n/
/**
 * What the runner may take for a command: `::` after leading white space (.NET's TrimStart, which also trims
 * Unicode spaces such as U+00A0 and U+2028), or the legacy `##[` anywhere in the line.
 */
const COMMAND_LIKE = /^[\s\u0085\u180e\ufeff]*::|##\[/

/** The lines to print for `text` so that no part of it is read as a workflow command. */
export function inertLines(text: string, token: () => string = () => globalThis.crypto.randomUUID()): string[] {
  const lines = text.split(LINE_BREAK)
  if (lines.length === 1 && !COMMAND_LIKE.test(text)) return lines
  const stop = token()
  return [`::stop-commands::${stop}`, ...lines, `::${stop}::`]
}

/** Prints `text` through inertLines. */
export function info(text: string): void {
  for (const line of inertLines(text)) core.info(line)
}

/** The deploy mode's Logger on the workflow log. */
export const workflowLog: Logger = {
  debug: (message) => core.debug(message),
  info,
  warning: (message, properties) => core.warning(message, properties),
  notice: (message, properties) => core.notice(message, properties),
  error: (message, properties) => core.error(message, properties),
  startGroup: (name) => core.startGroup(name),
  endGroup: () => core.endGroup(),
  secret: registerSecret
}
