// Jest environment that keeps a test's log lines (recording logs, the bundled action's output) and prints
// them only when that test fails, so a green run reads as a list of suites.
const { TestEnvironment } = require('jest-environment-node')

class QuietEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'test_start') this.global.__testLog = []
    if (event.name !== 'test_done') return
    const lines = this.global.__testLog ?? []
    if (event.test.errors.length > 0 && lines.length > 0) {
      process.stderr.write(
        `\n--- log of the failing test "${fullName(event.test)}" ---\n${lines.join('\n')}\n--- end of log ---\n`
      )
    }
    this.global.__testLog = undefined
  }
}

function fullName(test) {
  const names = []
  for (let block = test; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent) names.unshift(block.name)
  return names.join(' › ')
}

module.exports = QuietEnvironment
