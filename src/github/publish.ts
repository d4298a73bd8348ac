// Hands a mode's report to GitHub: the step's outputs, annotations and job summary. Reporting never
// replaces the error that ended the run: a failing summary write is a warning.
import * as core from '@actions/core'
import { deployOutputs, type DeployReport } from '../deploy/report.js'
import { errorMessage } from '../errors.js'
import type { LintReport } from '../lint/run.js'
import { redactSecrets } from '../secrets.js'
import { writeDeploySummary, writeLintSummary } from './summary.js'
import { info } from './workflow-log.js'

const ANNOTATE = { error: core.error, warning: core.warning, note: core.notice } as const

export async function publishDeployReport(report: DeployReport): Promise<void> {
  for (const [name, value] of Object.entries(deployOutputs(report))) core.setOutput(name, redactSecrets(value))
  await writeDeploySummary(report).catch((error: unknown) =>
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  )
}

export async function publishLintReport(report: LintReport): Promise<void> {
  for (const finding of report.findings) {
    ANNOTATE[finding.severity](finding.message, {
      title: finding.rule,
      file: finding.file,
      startLine: finding.line,
      startColumn: finding.column
    })
  }
  core.setOutput('findings', redactSecrets(JSON.stringify(report.findings)))
  if (report.sarifFile) info(`Wrote SARIF findings to ${report.sarifFile}.`)
  await writeLintSummary(report).catch((error: unknown) =>
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  )
  if (!report.failure) info(report.line)
}
