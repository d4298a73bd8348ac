// The shell: reads the inputs, runs one mode, and hands its report to github/. Each mode loads only its
// own code: a lint run never parses the AWS SDK, a deploy never the glob code.
import * as core from '@actions/core'
import { ActionError, errorMessage } from './errors.js'
import type { DeployReport } from './deploy/report.js'
import type { PullRequestRef } from './github/event.js'
import { workflowLog } from './github/workflow-log.js'
import { parseInputs, type DeployInputs, type LintInputs } from './inputs.js'
import { useRunnerProxy } from './runner-proxy.js'
import { isSecretReference } from './runpod/env.js'
import { registerSecret } from './secrets.js'

export async function run(): Promise<void> {
  try {
    // `env` keeps its lines as written, so an error names the line number the workflow shows.
    const inputs = parseInputs((name) => core.getInput(name, { trimWhitespace: name !== 'env' }), process.env)
    if (inputs.mode === 'lint') await lint(inputs)
    else await deploy(inputs)
  } catch (error) {
    reportFailure(error)
  }
}

async function lint(inputs: LintInputs): Promise<void> {
  const [{ runLint }, { publishLintReport }] = await Promise.all([
    import('./lint/run.js'),
    import('./github/lint-report.js')
  ])
  const report = await runLint(inputs, process.env['GITHUB_WORKSPACE'] || process.cwd())
  await publishLintReport(report)
  if (report.failure) core.setFailed(report.failure)
}

async function deploy(inputs: DeployInputs): Promise<void> {
  // A deploy waits on timers and signals for minutes, so its log must never block: Node opens the runner's
  // pipe behind process.stdout non-blocking, and the toolkit's direct writes to it (patches/) then hand a
  // write the pipe cannot take at once to process.stdout. A lint, over in milliseconds, skips the stream.
  void process.stdout
  registerSecret(inputs.runpodApiKey)
  registerSecret(inputs.githubToken)
  // Env values are secrets until proven otherwise: masked before any line that could hold one is written.
  for (const value of inputs.env?.set.values() ?? [])
    if (!isSecretReference(value) && value.length >= 4) registerSecret(value)
  // Lint mode sends no request, so only a deploy or verify needs (and may fail on) the runner's proxy.
  useRunnerProxy()
  const cancel = onCancel()
  // Only what the first requests need loads before them; reporting code loads once there is a report.
  const [{ runDeploy }, { readEvent }] = await Promise.all([import('./deploy/run.js'), import('./github/event.js')])
  const event = await readEvent(process.env)
  try {
    const releaseTag = event.releaseTag
    const context = { log: workflowLog, signal: cancel.signal, ...(releaseTag ? { releaseTag } : {}) }
    const { report, error } = await runDeploy(inputs, context)
    const { publishDeployReport } = await import('./github/publish.js')
    await publishDeployReport(report)
    if (inputs.mode === 'verify' && inputs.prComment === 'auto' && event.pullRequest) {
      const targets = [...inputs.podIds.map((id) => `pod:${id}`), ...inputs.endpointIds.map((id) => `endpoint:${id}`)]
      await commentPlan(report, event.pullRequest, inputs.githubToken, targets)
    }
    if (error !== undefined) throw error
  } finally {
    cancel.dispose()
  }
}

/**
 * A cancelled workflow: the runner sends SIGINT, SIGTERM 7.5 s later and kills 2.5 s after that. The first
 * signal aborts the deploy, which then rolls back and reports within seconds instead of dying mid-wait.
 */
function onCancel(): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return
    core.warning(
      `The workflow was cancelled (${signal}): stopping the wait, rolling back what has not rolled out, and reporting.`
    )
    controller.abort()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}

async function commentPlan(
  report: DeployReport,
  pullRequest: PullRequestRef,
  token: string | undefined,
  targets: readonly string[]
): Promise<void> {
  if (!token) {
    core.notice(
      `No plan comment on pull request #${pullRequest.number}: input 'github-token' is empty. Leave it at its default (\${{ github.token }}) and give the job 'permissions: pull-requests: write', or set 'pr-comment: off'.`
    )
    return
  }
  const { publishPlanComment } = await import('./github/pr-comment.js')
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env
  await publishPlanComment(report, {
    pullRequest,
    token,
    targets,
    ...(server && repository && runId ? { runUrl: `${server}/${repository}/actions/runs/${runId}` } : {})
  })
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
