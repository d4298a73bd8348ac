// Hands a deploy or verify report to GitHub: the step's outputs and job summary. Reporting never replaces the
// error that ended the run: a failing summary write is a warning.
import * as core from '@actions/core'
import { deployOutputs, type DeployReport } from '../deploy/report.js'
import { errorMessage } from '../errors.js'
import { redactSecrets } from '../secrets.js'
import { writeDeploySummary } from './summary.js'

export async function publishDeployReport(report: DeployReport): Promise<void> {
  for (const [name, value] of Object.entries(deployOutputs(report))) core.setOutput(name, redactSecrets(value))
  await writeDeploySummary(report).catch((error: unknown) =>
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  )
}
