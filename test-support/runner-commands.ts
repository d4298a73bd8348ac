// The runner's view of a step's output: which lines it would take as workflow commands. The runner is C#
// (actions/runner, ActionCommandManager and ActionCommand), so there is no toolkit parser to call; this follows
// its documented and published rules, not the action's own escaping:
// - output is split into lines at \r\n, \r and \n;
// - `::name props::data` is a command when the line starts with `::` after leading white space is trimmed
//   (.NET's TrimStart: any Unicode white space);
// - otherwise `##[name props]data` anywhere in the line is a command (the legacy form);
// - either only for a registered command name; `stop-commands` then ignores every command until one named
//   with its token (in either form) arrives.

/** Every command the runner registers, besides a stop token while commands are stopped. */
const REGISTERED = new Set([
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
  'stop-commands'
])

export interface RunnerCommand {
  readonly name: string
  readonly properties: Record<string, string>
  readonly data: string
  /** The output line it came from. */
  readonly line: string
}

/** .NET's Char.IsWhiteSpace set, which TrimStart removes. */
const DOTNET_WHITE_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/

function unescapeData(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text: string): string {
  return unescapeData(text.replace(/%3A/gi, ':').replace(/%2C/gi, ','))
}

function parseV2(line: string, registered: ReadonlySet<string>): RunnerCommand | undefined {
  const message = line.replace(DOTNET_WHITE_SPACE, '')
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const info = message.slice(2, end)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name)) return undefined
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of info.slice(space + 1).split(',')) {
      const eq = pair.indexOf('=')
      if (eq > 0 && eq < pair.length - 1) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1))
    }
  }
  return { name, properties, data: unescapeData(message.slice(end + 2)), line }
}

function parseV1(line: string, registered: ReadonlySet<string>): RunnerCommand | undefined {
  const start = line.indexOf('##[')
  if (start < 0) return undefined
  const close = line.indexOf(']', start)
  if (close < 0) return undefined
  const info = line.slice(start + 3, close)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name)) return undefined
  return { name, properties: {}, data: line.slice(close + 1), line }
}

/** The commands the runner would carry out for this output, in order. */
export function runnerCommands(output: string): RunnerCommand[] {
  const registered = new Set(REGISTERED)
  const commands: RunnerCommand[] = []
  let stopToken: string | undefined
  for (const line of output.split(/\r\n|\r|\n/)) {
    if (line === '') continue
    const command = parseV2(line, registered) ?? parseV1(line, registered)
    if (!command) continue
    if (stopToken !== undefined) {
      if (command.name.toLowerCase() === stopToken.toLowerCase()) {
        registered.delete(stopToken)
        stopToken = undefined
      }
      continue
    }
    if (command.name === 'stop-commands' && command.data !== '' && command.data !== 'pause-logging') {
      stopToken = command.data
      registered.add(stopToken)
    }
    commands.push(command)
  }
  return commands
}
