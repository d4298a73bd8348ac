import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const DIST_ENTRY = path.resolve('dist/index.js')

export interface ActionRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
  readonly outputs: Record<string, string>
  readonly summary: string
  /** `performance.now()` just before the process was spawned and when it closed, for timing by callers. */
  readonly spawnedAt: number
  readonly closedAt: number
  /** `performance.now()` when the cancel sequence began (see `cancelWhen`). */
  readonly cancelledAt?: number
}

export interface RunOptions {
  /** Action inputs by their action.yml names. */
  readonly inputs: Record<string, string>
  /** Extra environment; the child starts from a minimal environment, never the test runner's. */
  readonly env?: Record<string, string>
  readonly cwd?: string
  readonly timeoutMs?: number
  /** Aborting kills the action's process (Ctrl-C in the demo, enough seen in the benchmark). */
  readonly signal?: AbortSignal
  /**
   * Cancels the job as a runner does once the output matches: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s
   * after that.
   */
  readonly cancelWhen?: RegExp
}

/**
 * Runs the bundled action as GitHub does: a separate node process, inputs as INPUT_* variables, and
 * files behind GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, which are parsed back for assertions.
 */
export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rpd-run-'))
  const outputFile = path.join(dir, 'output')
  const summaryFile = path.join(dir, 'summary')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    // A home of its own, so no ~/.aws config of the machine leaks into the action's credential chain.
    HOME: dir,
    // What every runner sets; the action tells a local run (no OIDC token to be had) by its absence.
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: options.cwd ?? process.cwd(),
    RUNNER_TEMP: dir,
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  try {
    const { exitCode, stdout, stderr, spawnedAt, closedAt, cancelledAt } = await spawnNode(
      DIST_ENTRY,
      env,
      options.cwd ?? process.cwd(),
      // Below jest's 60 s test timeout, so a stuck action is killed rather than left running.
      options.timeoutMs ?? 45_000,
      options.signal,
      options.cancelWhen
    )
    keepForFailure(
      `$ node dist/index.js (mode ${options.inputs['mode'] || 'deploy'}, exit ${exitCode})`,
      stdout,
      stderr
    )
    return {
      exitCode,
      stdout,
      stderr,
      spawnedAt,
      closedAt,
      ...(cancelledAt === undefined ? {} : { cancelledAt }),
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      summary: await readFile(summaryFile, 'utf8')
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Hands the action's output to the test environment, which prints it only if the test fails. */
function keepForFailure(title: string, stdout: string, stderr: string): void {
  const sink = (globalThis as { __testLog?: string[] }).__testLog
  sink?.push(title, ...stdout.split('\n'), ...(stderr ? ['(stderr)', ...stderr.split('\n')] : []))
}

function spawnNode(
  entry: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  cancelWhen: RegExp | undefined
): Promise<{
  exitCode: number
  stdout: string
  stderr: string
  spawnedAt: number
  closedAt: number
  cancelledAt?: number
}> {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now()
    const child = spawn(process.execPath, [entry], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal ? { signal } : {})
    })
    let stdout = ''
    let stderr = ''
    let cancelledAt: number | undefined
    const cancelTimers: NodeJS.Timeout[] = []
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (cancelWhen && cancelledAt === undefined && cancelWhen.test(stdout)) {
        cancelledAt = performance.now()
        child.kill('SIGINT')
        cancelTimers.push(setTimeout(() => child.kill('SIGTERM'), 7_500))
        cancelTimers.push(setTimeout(() => child.kill('SIGKILL'), 10_000))
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      // An abort also reports an AbortError here; 'close' follows and reports how the process ended.
      if (error.name === 'AbortError') return
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, killedBy) => {
      clearTimeout(timer)
      for (const cancelTimer of cancelTimers) clearTimeout(cancelTimer)
      resolve({
        exitCode: code ?? (killedBy ? 128 : 1),
        stdout,
        stderr,
        spawnedAt,
        closedAt: performance.now(),
        ...(cancelledAt === undefined ? {} : { cancelledAt })
      })
    })
  })
}

/** Parses the `name<<DELIMITER\nvalue\nDELIMITER` records that @actions/core writes. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const header = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!header) continue
    const [, name, delimiter] = header
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '')
    outputs[name ?? ''] = value.join('\n')
  }
  return outputs
}
