// Prints one plain closing line ("jest: N passed, N failed") that CI tooling reads regardless of runner.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests
    process.stdout.write(
      `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`
    )
  }
}
module.exports = SummaryReporter
