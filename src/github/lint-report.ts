// Hands a lint report to GitHub: an annotation per finding (at its file, line and column), the `findings`
// output and the job summary. It loads nothing of the deploy mode, so a lint starts quickly.
import * as core from '@actions/core'
import { errorMessage } from '../errors.js'
import type { LintReport } from '../lint/run.js'
import { redactSecrets } from '../secrets.js'
import { writeRedacted } from './job-summary.js'
import { inertText } from './markup.js'
import { info } from './workflow-log.js'

const ANNOTATE = { error: core.error, warning: core.warning, note: core.notice } as const

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

export async function writeLintSummary(report: LintReport): Promise<void> {
  // Local runs (act, scripts) have no job summary; the annotations and output still carry everything.
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  const { findings, fileCount, line } = report
  core.summary.addHeading('Repository policy lint', 2).addRaw(line, true)
  if (findings.length === 0) {
    core.summary.addRaw(`\nNo findings in ${fileCount} ${fileCount === 1 ? 'file' : 'files'}.`, true)
  } else {
    core.summary.addTable([
      [
        { data: 'Severity', header: true },
        { data: 'Rule', header: true },
        { data: 'Location', header: true },
        { data: 'Finding', header: true }
      ],
      ...findings.map((finding) => [
        finding.severity,
        finding.rule,
        inertText(`${finding.file}:${finding.line}:${finding.column}`),
        inertText(finding.message)
      ])
    ])
  }
  await writeRedacted()
}
