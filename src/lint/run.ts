import * as core from '@actions/core'
import * as glob from '@actions/glob'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ActionError, errorMessage } from '../errors.js'
import type { LintInputs } from '../inputs.js'
import { escapeHtml } from '../github/summary.js'
import { lintPolicy, type Finding } from '../policy/lint.js'
import { toSarif } from '../policy/sarif.js'
import packageJson from '../../package.json' with { type: 'json' }

const ANNOTATE = { error: core.error, warning: core.warning, note: core.notice } as const

/** `mode: lint`: lints policy files in the workspace offline, reports findings, fails at `fail-on`. */
export async function runLint(inputs: LintInputs): Promise<void> {
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd()
  const files = await expand(inputs.policyFiles, workspace)

  const perFile = await Promise.all(
    files.map(async (file) => {
      const relative = path.relative(workspace, file).split(path.sep).join('/')
      const text = await readFile(file, 'utf8').catch((error: unknown) => {
        throw new ActionError(`Input 'policy-file': could not read ${relative} (${errorMessage(error)}). Check that the file exists and is readable.`)
      })
      return lintPolicy(text.replace(/^\uFEFF/, ''), relative)
    })
  )
  const findings: Finding[] = perFile.flat()

  for (const finding of findings) {
    ANNOTATE[finding.severity](finding.message, {
      title: finding.rule,
      file: finding.file,
      startLine: finding.line,
      startColumn: finding.column
    })
  }
  core.setOutput('findings', JSON.stringify(findings))
  if (inputs.sarifFile) {
    const sarifPath = path.resolve(workspace, inputs.sarifFile)
    const sarif = `${JSON.stringify(toSarif(findings, packageJson.version), null, 2)}\n`
    await mkdir(path.dirname(sarifPath), { recursive: true })
      .then(() => writeFile(sarifPath, sarif))
      .catch((error: unknown) => {
        throw new ActionError(`Input 'sarif-file': could not write ${inputs.sarifFile} (${errorMessage(error)}). Choose a path inside the workspace that the job may write.`)
      })
    core.info(`Wrote SARIF findings to ${inputs.sarifFile}.`)
  }

  const count = (severity: Finding['severity']) => findings.filter((finding) => finding.severity === severity).length
  const errors = count('error')
  const warnings = count('warning')
  const line = `Policy lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(count('note'), 'note')} in ${plural(files.length, 'file')}.`
  await writeSummary(findings, files.length, line)
  const failing = inputs.failOn === 'warning' ? errors + warnings : errors
  if (failing > 0) core.setFailed(`${line} Failing because of findings at or above '${inputs.failOn}' (input 'fail-on').`)
  else core.info(line)
}

/** Each pattern on its own, so one that matches nothing is named in the error. */
async function expand(patterns: readonly string[], workspace: string): Promise<string[]> {
  const files = new Set<string>()
  for (const pattern of patterns) {
    const globber = await glob.create(path.resolve(workspace, pattern), { matchDirectories: false, implicitDescendants: false })
    const matched = await globber.glob()
    if (matched.length === 0) {
      throw new ActionError(
        `Input 'policy-file': '${pattern}' matches no file in ${workspace}. Fix the path or glob (relative to the repository root), or check out the repository first (actions/checkout).`
      )
    }
    for (const file of matched.sort()) files.add(file)
  }
  return [...files]
}

async function writeSummary(findings: readonly Finding[], fileCount: number, line: string): Promise<void> {
  // Local runs (act, scripts) have no job summary; the annotations and output still carry everything.
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  core.summary.addHeading('Repository policy lint', 2).addRaw(line, true)
  if (findings.length === 0) {
    core.summary.addRaw(`\nNo findings in ${plural(fileCount, 'file')}.`, true)
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
        `${finding.file}:${finding.line}:${finding.column}`,
        escapeHtml(finding.message)
      ])
    ])
  }
  await core.summary.write()
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
