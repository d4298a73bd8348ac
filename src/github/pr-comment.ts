// verify mode on a pull request: the plan as one comment on it, found again by a hidden marker so that each
// run edits it instead of adding another. A comment that cannot be written is a notice, never a failure.
import * as core from '@actions/core'
import { formatImageReference } from '../aws/image-reference.js'
import type { DeployPlan } from '../deploy/plan.js'
import { describeImageFit, fitText, type DeployReport } from '../deploy/report.js'
import { errorMessage } from '../errors.js'
import { redactSecrets } from '../secrets.js'
import type { PullRequestRef } from './event.js'
import { describeEnvDiff } from '../runpod/env.js'
import { codeSpan, inertText } from './markup.js'
import { credentialText, delegationText, policyText, registryPolicyText } from './plan-text.js'
import { info } from './workflow-log.js'

export interface CommentSettings {
  readonly pullRequest: PullRequestRef
  readonly token: string
  /** The targets the inputs name, `pod:ID` and `endpoint:ID`: with the image repository, which comment is this step's. */
  readonly targets: readonly string[]
  /** Links the comment to the run that wrote it. */
  readonly runUrl?: string
}

/**
 * Which comment is this step's: one per image repository and set of targets (as the inputs name them, so a
 * run that failed before reading them edits the same comment), so two verify steps of one pull request (a
 * matrix, say) keep a comment each, and a new tag of the same image edits the same one.
 */
export function commentMarker(report: DeployReport, targets: readonly string[]): string {
  const { registry, repository } = report.image
  return `<!-- runpod-ecr-deploy plan: ${registry}/${repository} ${[...targets].sort().join(',')} -->`
}

/** Whether deploying this plan would change anything at all. */
export function planChangesNothing(plan: DeployPlan): boolean {
  return (
    plan.policy.kind !== 'apply' &&
    plan.delegation.kind !== 'create' &&
    plan.credential.kind === 'skipped' &&
    plan.targets.every((step) => step.change === 'unchanged')
  )
}

/** The comment's Markdown: the marker, the plan's overview, each target's old and new image, the warnings. */
export function planComment(
  report: DeployReport,
  settings: Pick<CommentSettings, 'targets'> & Partial<Pick<CommentSettings, 'runUrl' | 'pullRequest'>>
): string {
  const plan = report.plan
  const image = plan?.deployImage ?? formatImageReference(report.image)
  const lines = [commentMarker(report, settings.targets), `### Runpod deploy plan for ${codeSpan(image)}`, '']
  if (report.failure) {
    lines.push(`❌ **The plan could not be made:** ${inertText(report.failure)}`)
  } else if (plan) {
    lines.push(
      planChangesNothing(plan)
        ? '✅ **This plan changes nothing:** the repository policy, the delegation and every target are already as a deploy would leave them.'
        : 'Verify mode changed nothing. A deploy of this image would do the following:',
      '',
      '| | |',
      '|---|---|',
      `| Repository policy | ${inertText(policyText(report, plan))} |`,
      ...optionalRow('Registry policy', registryPolicyText(plan)),
      `| ECR delegation | ${inertText(delegationText(report, plan))} |`
    )
    if (plan.credential.kind !== 'skipped')
      lines.push(`| Registry credential | ${inertText(credentialText(report, plan))} |`)
    if (plan.fit) lines.push(`| Image checks (${plan.fit.checks}) | ${inertText(describeImageFit(plan.fit))} |`)
    if (report.checks?.readiness) lines.push(`| Pod readiness | ${inertText(report.checks.readiness)} |`)
    if (report.checks?.smoke) lines.push(`| Smoke test | ${inertText(report.checks.smoke)} |`)
    if (report.checks?.canary) lines.push(`| Canary | ${inertText(report.checks.canary)} |`)
    if (report.deployments.length > 0) {
      const fit = plan.fit
      const wayBack = plan.wayBack
      const settingsChange = [...plan.targets, ...plan.templates].some((step) => step.env)
      lines.push(
        '',
        `| Target | Now | After a deploy |${settingsChange ? ' Env |' : ''}${fit ? ' Image fit |' : ''}${wayBack ? ' Way back |' : ''}`,
        `|---|---|---|${settingsChange ? '---|' : ''}${fit ? '---|' : ''}${wayBack ? '---|' : ''}`
      )
      for (const deployment of report.deployments) {
        const name = deployment.name ? ` ${inertText(deployment.name)}` : ''
        const after = deployment.status === 'unchanged' ? 'unchanged' : codeSpan(deployment.image)
        const fitCell = fit ? ` ${inertText(fitText(fit, deployment.kind, deployment.id))} |` : ''
        const back = wayBack?.targets.find((entry) => entry.kind === deployment.kind && entry.id === deployment.id)
        const backCell = wayBack ? ` ${back ? `${back.warning ? '⚠️ ' : ''}${inertText(back.state)}` : ''} |` : ''
        const step =
          deployment.kind === 'template'
            ? plan.templates.find((candidate) => candidate.template.id === deployment.id)
            : plan.targets.find(
                (candidate) => candidate.target.kind === deployment.kind && candidate.target.id === deployment.id
              )
        const envCell = settingsChange ? ` ${step?.env ? inertText(describeEnvDiff(step.env.diff)) : ''} |` : ''
        lines.push(
          `| ${deployment.kind} ${codeSpan(deployment.id)}${name} | ${codeSpan(deployment.previousImage || '(none)')} | ${after} |${envCell}${fitCell}${backCell}`
        )
      }
    }
    if (plan.warnings.length > 0) lines.push('', ...plan.warnings.map((warning) => `> ⚠️ ${inertText(warning)}`))
  }
  const sha = settings.pullRequest?.headSha
  const from = [
    sha ? `commit ${sha.slice(0, 7)}` : undefined,
    settings.runUrl ? `[run](${settings.runUrl})` : undefined
  ]
  lines.push(
    '',
    `<sub>runpod-ecr-deploy, verify mode${from.some(Boolean) ? `: ${from.filter(Boolean).join(', ')}` : ''}</sub>`
  )
  return `${lines.join('\n')}\n`
}

/** Who writes with the default GITHUB_TOKEN (an installation token, which may not read GET /user). */
const DEFAULT_TOKEN_LOGIN = 'github-actions[bot]'

/** The login the token writes comments as: its user for a personal token, else the default token's bot. */
async function tokenLogin(octokit: ReturnType<typeof import('@actions/github').getOctokit>): Promise<string> {
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login
  } catch {
    return DEFAULT_TOKEN_LOGIN
  }
}

/** Creates the plan comment, or edits the one an earlier run wrote; a refusal becomes one notice. */
export async function publishPlanComment(report: DeployReport, settings: CommentSettings): Promise<void> {
  const { pullRequest } = settings
  const where = `pull request #${pullRequest.number}`
  const { getOctokit } = await import('@actions/github')
  const octokit = getOctokit(settings.token, { request: { timeout: 30_000 } })
  const body = redactSecrets(planComment(report, settings))
  const marker = commentMarker(report, settings.targets)
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: pullRequest.owner,
      repo: pullRequest.repo,
      issue_number: pullRequest.number,
      per_page: 100
    })
    // A marker alone proves nothing: anyone may paste it into a comment of their own.
    const marked = comments.filter((comment) => comment.body?.startsWith(marker))
    const author = marked.length > 0 ? await tokenLogin(octokit) : undefined
    const mine = marked.find((comment) => comment.user?.login === author)
    if (mine) {
      await octokit.rest.issues.updateComment({
        owner: pullRequest.owner,
        repo: pullRequest.repo,
        comment_id: mine.id,
        body
      })
      info(`Updated the plan comment on ${where}: ${mine.html_url}`)
    } else {
      const created = await octokit.rest.issues.createComment({
        owner: pullRequest.owner,
        repo: pullRequest.repo,
        issue_number: pullRequest.number,
        body
      })
      info(`Commented the plan on ${where}: ${created.data.html_url}`)
    }
  } catch (error) {
    const status = (error as { status?: unknown }).status
    if (status === 401 || status === 403 || status === 404) {
      core.notice(
        `Could not comment the plan on ${where} (HTTP ${status}: ${errorMessage(error)}). The token in 'github-token' needs 'pull-requests: write': add 'permissions: pull-requests: write' to the job. Pull requests from forks only ever get a read-only token; the plan is in the job summary either way, and 'pr-comment: off' turns the comment off.`,
        { title: 'Plan comment not written' }
      )
      return
    }
    core.warning(
      `Could not comment the plan on ${where}: ${errorMessage(error)}. The plan is in the job summary; re-run the job to try the comment again.`
    )
  }
}

function optionalRow(header: string, text: string | undefined): string[] {
  return text === undefined ? [] : [`| ${header} | ${inertText(text)} |`]
}
