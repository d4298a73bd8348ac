// The one way out to the workflow log, judged by the runner's rules for reading commands (test-support).
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { inertLines } from '../../src/github/workflow-log.js'
import { runnerCommands } from '../../test-support/runner-commands.js'

const HOSTILE = [
  'worker\n::error title=x::forged',
  '::add-mask::rolled out',
  '  ::warning::forged',
  '\u00a0\u2003::notice::forged',
  'log line ##[error]forged',
  'a\r::stop-commands::silence\r\n::error::after',
  '::stop-commands::pause-logging'
]

/** The output a line-per-call writer (core.info) makes of these lines. */
const printed = (lines: readonly string[]) => lines.map((line) => `${line}\n`).join('')

describe('inertLines', () => {
  it.each(HOSTILE)('leaves the runner no command in %j', (text) => {
    const commands = runnerCommands(printed(inertLines(text)))
    expect(commands.map((command) => command.name)).toEqual(['stop-commands'])
    // Every line is still shown.
    expect(printed(inertLines(text))).toContain(text.split(/\r\n|\r|\n/).at(-1))
  })

  it('commands printed after it are read again', () => {
    const output = printed([...inertLines(HOSTILE[0] ?? ''), '::error::the action itself'])
    expect(runnerCommands(output).map((command) => `${command.name}:${command.data}`)).toEqual([
      expect.stringMatching(/^stop-commands:[0-9a-f-]{36}$/),
      'error:the action itself'
    ])
  })

  it('prints a plain line as it is', () => {
    expect(inertLines('Patched pod p1: repo:v1 → repo:v2 (a::b is fine mid-line)')).toEqual([
      'Patched pod p1: repo:v1 → repo:v2 (a::b is fine mid-line)'
    ])
  })

  it('uses a fresh token each time, so outside text cannot end the block', () => {
    const [first] = inertLines('a\nb')
    const [second] = inertLines('a\nb')
    expect(first).not.toBe(second)
  })

  it('holds for any text (generated)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('::', '##[', 'error', 'add-mask', ' ', '\n', '\r', '\u00a0', ']', 'x'), {
          maxLength: 30
        }),
        (parts) => {
          const commands = runnerCommands(printed(inertLines(parts.join(''))))
          return commands.every((command) => command.name === 'stop-commands')
        }
      ),
      { numRuns: 500, seed: 18 }
    )
  })

  it('the runner model would see the commands if they were printed as they are', () => {
    expect(runnerCommands(printed(HOSTILE)).map((command) => command.name)).toEqual(
      expect.arrayContaining(['error', 'add-mask', 'warning', 'notice', 'stop-commands'])
    )
  })
})
