// `mode: lint`: lints policy files in the workspace offline and writes SARIF; main.ts hands the report to
// github/ (annotations, outputs, job summary) and fails the step at `fail-on`.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import packageJson from '../../package.json' with { type: 'json' }
import { ActionError, errorMessage } from '../errors.js'
import type { LintInputs } from '../inputs.js'
import { lintPolicy, type Finding, type PolicyKind } from '../policy/lint.js'
import { redactSecrets } from '../secrets.js'
import { checkReadable, checkWritable, openWorkspace, workspacePattern, type Workspace } from './workspace.js'

export interface LintReport {
  readonly findings: readonly Finding[]
  readonly fileCount: number
  /** Where the SARIF log was written (input 'sarif-file'). */
  readonly sarifFile?: string
  /** One line for the log and the summary: the counts by severity. */
  readonly line: string
  /** Set when findings at or above `fail-on` fail the step. */
  readonly failure?: string
}

export async function runLint(inputs: LintInputs, root: string): Promise<LintReport> {
  const workspace = openWorkspace(root)
  const sarifPath = inputs.sarifFile ? checkWritable(workspace, inputs.sarifFile, 'sarif-file') : undefined
  // A file named by both inputs is linted as what 'registry-policy-file' says it is.
  const registryFiles = await expand(inputs.registryPolicyFiles, workspace, 'registry-policy-file')
  const repositoryFiles = (await expand(inputs.policyFiles, workspace, 'policy-file')).filter(
    (file) => !registryFiles.includes(file)
  )
  const files = [
    ...repositoryFiles.map((file) => ({ file, input: 'policy-file', kind: { kind: 'repository' } as PolicyKind })),
    ...registryFiles.map((file) => ({ file, input: 'registry-policy-file', kind: { kind: 'registry' } as PolicyKind }))
  ]
  for (const { file, input } of files) checkReadable(workspace, file, input)
  const perFile = files.map(({ file, input, kind }) => {
    const relative = path.relative(root, file).split(path.sep).join('/')
    const source = readPolicy(file, relative, input).replace(/^\uFEFF/, '')
    return { relative, source, findings: lintPolicy(source, relative, inputs.runpodPrincipals, kind) }
  })
  const findings: Finding[] = perFile.flatMap((file) => file.findings)
  if (inputs.sarifFile && sarifPath) {
    const sources = new Map(perFile.map((file) => [file.relative, file.source]))
    // Loaded only when asked for: a lint without 'sarif-file' starts without it (and node:crypto).
    const { toSarif } = await import('../policy/sarif.js')
    writeSarif(toSarif(findings, packageJson.version, sources), sarifPath, inputs.sarifFile)
  }

  const count = (severity: Finding['severity']) => findings.filter((finding) => finding.severity === severity).length
  const errors = count('error')
  const warnings = count('warning')
  const line = `Policy lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(count('note'), 'note')} in ${plural(files.length, 'file')}.`
  const failing = inputs.failOn === 'warning' ? errors + warnings : errors
  return {
    findings,
    fileCount: files.length,
    ...(inputs.sarifFile ? { sarifFile: inputs.sarifFile } : {}),
    line,
    ...(failing > 0
      ? { failure: `${line} Failing because of findings at or above '${inputs.failOn}' (input 'fail-on').` }
      : {})
  }
}

// Synchronous file calls, here and in workspace.ts: a lint reads and writes a few small files, and
// node:fs/promises would cost every lint its loading.
function readPolicy(file: string, relative: string, input: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new ActionError(
      `Input '${input}': could not read ${relative} (${errorMessage(error)}). Check that the file exists and is readable.`
    )
  }
}

function writeSarif(log: object, sarifPath: string, input: string): void {
  const sarif = redactSecrets(`${JSON.stringify(log, null, 2)}\n`)
  try {
    mkdirSync(path.dirname(sarifPath), { recursive: true })
    writeFileSync(sarifPath, sarif)
  } catch (error) {
    throw new ActionError(
      `Input 'sarif-file': could not write ${input} (${errorMessage(error)}). Choose a path inside the workspace that the job may write.`
    )
  }
}

/** What makes a line a glob for the toolkit (wildcards, sets, braces, escapes, exclusion, a comment, `~`). */
const GLOB_SYNTAX = /[*?[\]{}\\]|^[!#~]/

/**
 * The files the patterns name, sorted. Plain paths, the usual input, need no glob: each must name a file, as
 * the toolkit's glob would find it, and the glob code is then not even loaded.
 */
async function expand(patterns: readonly string[], workspace: Workspace, input: string): Promise<string[]> {
  if (patterns.length === 0) return []
  const files = patterns.some((pattern) => GLOB_SYNTAX.test(pattern))
    ? await globFiles(patterns, workspace, input)
    : plainFiles(patterns, workspace, input)
  return files.sort()
}

function plainFiles(patterns: readonly string[], workspace: Workspace, input: string): string[] {
  const files = patterns.map((pattern) => {
    const file = workspacePattern(workspace, pattern, input)
    if (!isFile(file)) throw noMatch(input, pattern, workspace)
    return file
  })
  return [...new Set(files)]
}

/**
 * All patterns in one glob, in order, as other actions read a multi-line pattern input: a `!` line excludes
 * what the lines before it matched. A pattern that matches no file at all is named, as a typo would be.
 */
async function globFiles(patterns: readonly string[], workspace: Workspace, input: string): Promise<string[]> {
  const glob = await import('@actions/glob')
  const absolute = patterns.map((pattern) =>
    pattern.startsWith('!')
      ? `!${path.resolve(workspace.root, pattern.slice(1))}`
      : workspacePattern(workspace, pattern, input)
  )
  const search = async (lines: readonly string[]) =>
    (await glob.create(lines.join('\n'), { matchDirectories: false, implicitDescendants: false })).glob()
  const [files, ...alone] = await Promise.all([
    search(absolute),
    ...absolute.map((line) => (line.startsWith('!') ? Promise.resolve(['excluded']) : search([line])))
  ])
  const empty = patterns.find((_pattern, index) => alone[index]?.length === 0)
  if (empty !== undefined) throw noMatch(input, empty, workspace)
  if (files === undefined || files.length === 0) {
    throw new ActionError(
      `Input '${input}': the '!' lines exclude every file the other lines match in ${workspace.root}, so there is nothing to lint. Narrow the '!' patterns or add the files to lint.`
    )
  }
  return files
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile()
  } catch {
    return false
  }
}

function noMatch(input: string, pattern: string, workspace: Workspace): ActionError {
  return new ActionError(
    `Input '${input}': '${pattern}' matches no file in ${workspace.root}. Fix the path or glob (relative to the repository root), or check out the repository first (actions/checkout).`
  )
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
