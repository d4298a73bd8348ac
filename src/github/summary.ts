// The job summary of a deploy or verify run: what a person reads after the run, as tables with links.
import * as core from '@actions/core'
import { formatImageReference, type ImageReference } from '../aws/image-reference.js'
import { describeImageFit, fitText, type DeploymentRecord, type DeployReport } from '../deploy/report.js'
import type { DeploymentStatus } from '../deploy/rollout.js'
import { formatMs } from '../deploy/smoke.js'
import type { DeployPlan } from '../deploy/plan.js'
import type { FitReport } from '../image/fit.js'
import { describeEnvDiff } from '../runpod/env.js'
import type { WayBackReport } from '../image/way-back.js'
import { runpodConsoleUrl } from '../runpod/console.js'
import { writeRedacted } from './job-summary.js'
import { inertText, link, preformatted } from './markup.js'
import { credentialText, delegationText, nextSteps, policyText, registryPolicyText } from './plan-text.js'
import { rolloutGantt } from './timeline.js'

type TableRow = Parameters<typeof core.summary.addTable>[0][number]

const STATUS_ICONS: Record<DeploymentStatus, string> = {
  'rolled-out': '✅ rolled out',
  updated: '🔄 updated (not waited for)',
  unchanged: '➖ unchanged',
  'rolled-back': '↩️ rolled back',
  failed: '❌ failed',
  planned: '📝 planned'
}

export async function writeDeploySummary(report: DeployReport): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  const summary = core.summary.addHeading(
    report.mode === 'verify' ? 'Runpod ECR deploy: plan (verify mode, nothing changed)' : 'Runpod ECR deploy',
    2
  )
  if (report.failure) summary.addRaw(`<p>❌ <strong>Failed:</strong> ${inertText(report.failure)}</p>`, true)
  summary.addTable(overviewRows(report))
  const plan = report.plan
  if (plan?.policy.kind === 'apply') {
    const verb =
      report.mode === 'verify'
        ? 'Deploy would add this statement'
        : report.policyChanged
          ? 'Added this statement'
          : 'Statement to add'
    summary.addDetails(verb, `\n\n\`\`\`json\n${JSON.stringify(plan.policy.merge.statement, null, 2)}\n\`\`\`\n\n`)
  }
  if (report.deployments.length > 0)
    summary
      .addHeading('Targets', 3)
      .addTable(targetRows(report.deployments, report.checks?.smoke !== undefined, plan?.fit, plan?.wayBack, plan))
  const gantt = rolloutGantt(report.deployments)
  if (gantt) summary.addRaw(`\n\n\`\`\`mermaid\n${gantt}\`\`\`\n\n`, true)
  for (const deployment of report.deployments) {
    if (!deployment.reason && !deployment.note && !deployment.diagnostics?.length) continue
    summary.addHeading(`${deployment.kind} ${inertText(deployment.id)}: ${STATUS_ICONS[deployment.status]}`, 4)
    for (const text of [deployment.reason, deployment.note]) if (text) summary.addRaw(`<p>${inertText(text)}</p>`, true)
    if (deployment.diagnostics?.length) summary.addRaw(preformatted(deployment.diagnostics), true)
  }
  for (const warning of plan?.warnings ?? []) summary.addRaw(`<p>⚠️ ${inertText(warning)}</p>`, true)
  const next = plan && nextSteps(report, plan)
  if (next)
    summary
      .addHeading('Next steps', 3)
      .addRaw(`<ol>${next.map((step) => `<li>${inertText(step)}</li>`).join('')}</ol>`, true)
  await writeRedacted()
}

function overviewRows(report: DeployReport): TableRow[] {
  const plan = report.plan
  const rows: TableRow[] = [
    [
      { data: 'Image', header: true },
      { data: `<code>${inertText(plan?.deployImage ?? formatImageReference(report.image))}</code>` }
    ]
  ]
  if (plan?.digest) rows.push([{ data: 'Digest', header: true }, { data: `<code>${inertText(plan.digest)}</code>` }])
  const ecr = report.image.ecr
  if (ecr)
    rows.push([
      { data: 'Repository', header: true },
      { data: link(ecrConsoleUrl(ecr), `${ecr.repository} (${ecr.account}, ${ecr.region})`) }
    ])
  if (plan) {
    rows.push([{ data: 'Repository policy', header: true }, { data: inertText(policyText(report, plan)) }])
    const registry = registryPolicyText(plan)
    if (registry) rows.push([{ data: 'Registry policy', header: true }, { data: inertText(registry) }])
    rows.push([{ data: 'ECR delegation', header: true }, { data: inertText(delegationText(report, plan)) }])
    if (plan.credential.kind !== 'skipped')
      rows.push([{ data: 'Registry credential', header: true }, { data: inertText(credentialText(report, plan)) }])
  }
  if (plan?.fit)
    rows.push([
      { data: `Image checks (${plan.fit.checks})`, header: true },
      { data: inertText(describeImageFit(plan.fit)) }
    ])
  if (report.checks?.readiness)
    rows.push([{ data: 'Pod readiness', header: true }, { data: inertText(report.checks.readiness) }])
  if (report.checks?.smoke) rows.push([{ data: 'Smoke test', header: true }, { data: inertText(report.checks.smoke) }])
  if (report.checks?.canary) rows.push([{ data: 'Canary', header: true }, { data: inertText(report.checks.canary) }])
  return rows
}

function targetRows(
  deployments: readonly DeploymentRecord[],
  smoked: boolean,
  fit: FitReport | undefined,
  wayBack: WayBackReport | undefined,
  plan?: Pick<DeployPlan, 'targets' | 'templates'>
): TableRow[] {
  // Key names only: env values are secrets.
  const envCell = (deployment: DeploymentRecord) => {
    const step =
      deployment.kind === 'template'
        ? plan?.templates.find((candidate) => candidate.template.id === deployment.id)
        : plan?.targets.find(
            (candidate) => candidate.target.kind === deployment.kind && candidate.target.id === deployment.id
          )
    return step?.env ? inertText(describeEnvDiff(step.env.diff)) : ''
  }
  const settingsChange = [...(plan?.targets ?? []), ...(plan?.templates ?? [])].some((step) => step.env)
  const wayBackCell = (deployment: DeploymentRecord) => {
    const back = wayBack?.targets.find((entry) => entry.kind === deployment.kind && entry.id === deployment.id)
    return back ? `${back.warning ? '⚠️ ' : ''}${inertText(back.state)}` : ''
  }
  const healthChecked = deployments.some((deployment) => deployment.health || deployment.timeline?.readyAt)
  const titles = [
    'Target',
    'Previous image',
    'New image',
    'Status',
    'Time',
    ...(settingsChange ? ['Env'] : []),
    ...(fit ? ['Image fit'] : []),
    ...(healthChecked ? ['Ready, health check'] : []),
    ...(wayBack ? ['Way back'] : []),
    ...(smoked ? ['Smoke test'] : []),
    'Console'
  ]
  const fitCell = (deployment: DeploymentRecord) => (fit ? inertText(fitText(fit, deployment.kind, deployment.id)) : '')
  const header = titles.map((data) => ({ data, header: true }))
  return [
    header,
    ...deployments.map((deployment) => [
      `${deployment.kind} <code>${inertText(deployment.id)}</code>${deployment.name ? ` ${inertText(deployment.name)}` : ''}`,
      `<code>${inertText(deployment.previousImage)}</code>`,
      deployment.previousImage === deployment.image ? '(same)' : `<code>${inertText(deployment.image)}</code>`,
      STATUS_ICONS[deployment.status],
      deployment.durationMs === undefined ? '' : formatDuration(deployment.durationMs),
      ...(settingsChange ? [envCell(deployment)] : []),
      ...(fit ? [fitCell(deployment)] : []),
      ...(healthChecked ? [healthCell(deployment)] : []),
      ...(wayBack ? [wayBackCell(deployment)] : []),
      ...(smoked ? [smokeCell(deployment)] : []),
      link(runpodConsoleUrl(deployment.kind, deployment.id), 'open')
    ])
  ]
}

/** When the pod's container was seen ready, and what its health check saw. */
function healthCell({ health, timeline }: DeploymentRecord): string {
  const ready =
    timeline?.readyAt === undefined ? '' : `ready after ${formatDuration(timeline.readyAt - timeline.patchedAt)}`
  if (!health) return ready
  const result = health.passed
    ? `✅ ${inertText(health.last.split(':')[0] ?? '')} after ${health.tries} ${health.tries === 1 ? 'try' : 'tries'}`
    : `❌ ${inertText(health.last)} after ${health.tries} tries`
  return `${ready}${ready ? '; ' : ''}${result} (<code>${inertText(health.url)}</code>)`
}

function smokeCell({ smoke }: DeploymentRecord): string {
  if (!smoke) return ''
  const job = smoke.jobId ? ` job <code>${inertText(smoke.jobId)}</code>` : ''
  const time = smoke.executionTimeMs === undefined ? '' : `, ${formatMs(smoke.executionTimeMs)}`
  return smoke.passed ? `✅ passed${job}${time}` : `❌ ${inertText(smoke.status ?? 'failed')}${job}${time}`
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${seconds % 60}s`
}

function ecrConsoleUrl(ecr: NonNullable<ImageReference['ecr']>): string {
  const host =
    ecr.partition === 'aws-cn'
      ? 'console.amazonaws.cn'
      : ecr.partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : 'console.aws.amazon.com'
  return `https://${ecr.region}.${host}/ecr/repositories/private/${ecr.account}/${ecr.repository}?region=${ecr.region}`
}
