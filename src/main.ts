import * as core from '@actions/core'
import { ActionError, errorMessage } from './errors.js'
import { parseInputs } from './inputs.js'

export async function run(): Promise<void> {
  try {
    const inputs = parseInputs((name) => core.getInput(name), process.env)
    // Each mode loads only its own code: a lint run never parses the AWS SDK, a deploy never the glob code.
    if (inputs.mode === 'lint') await (await import('./lint/run.js')).runLint(inputs)
    else await (await import('./deploy/run.js')).runDeploy(inputs, process.env)
  } catch (error) {
    reportFailure(error)
  }
}

function reportFailure(error: unknown): void {
  if (error instanceof ActionError) {
    core.setFailed(error.message)
    return
  }
  // An unexpected error is a bug in the action: keep the stack for debug logs, say so plainly.
  if (error instanceof Error && error.stack) core.debug(error.stack)
  const message = errorMessage(error)
  core.setFailed(`Unexpected error (please report it as a bug in runpod-ecr-deploy): ${message}`)
}
