// The job summary of each mode: what a person reads after the run, as tables with links.
import * as core from '@actions/core'
import { formatImageReference, type ImageReference } from '../aws/image-reference.js'
import type { DeploymentRecord, DeployReport } from '../deploy/report.js'
import type { DeploymentStatus } from '../deploy/rollout.js'
import { formatMs } from '../deploy/smoke.js'
import type { LintReport } from '../lint/run.js'
import { runpodConsoleUrl } from '../runpod/console.js'
import { escapeHtml, link } from './html.js'
import { credentialText, delegationText, policyText } from './plan-text.js'
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
  if (report.failure) summary.addRaw(`<p>❌ <strong>Failed:</strong> ${escapeHtml(report.failure)}</p>`, true)
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
    summary.addHeading('Targets', 3).addTable(targetRows(report.deployments, report.checks?.smoke !== undefined))
  const gantt = rolloutGantt(report.deployments)
  if (gantt) summary.addRaw(`\n\n\`\`\`mermaid\n${gantt}\`\`\`\n\n`, true)
  for (const deployment of report.deployments) {
    if (!deployment.reason && !deployment.note && !deployment.diagnostics?.length) continue
    summary.addHeading(`${deployment.kind} ${escapeHtml(deployment.id)}: ${STATUS_ICONS[deployment.status]}`, 4)
    for (const text of [deployment.reason, deployment.note])
      if (text) summary.addRaw(`<p>${escapeHtml(text)}</p>`, true)
    if (deployment.diagnostics?.length) summary.addCodeBlock(deployment.diagnostics.join('\n'))
  }
  for (const warning of plan?.warnings ?? []) summary.addRaw(`<p>⚠️ ${escapeHtml(warning)}</p>`, true)
  await summary.write()
}

function overviewRows(report: DeployReport): TableRow[] {
  const plan = report.plan
  const rows: TableRow[] = [
    [
      { data: 'Image', header: true },
      { data: `<code>${escapeHtml(plan?.deployImage ?? formatImageReference(report.image))}</code>` }
    ]
  ]
  if (plan?.digest) rows.push([{ data: 'Digest', header: true }, { data: `<code>${escapeHtml(plan.digest)}</code>` }])
  const ecr = report.image.ecr
  if (ecr)
    rows.push([
      { data: 'Repository', header: true },
      { data: link(ecrConsoleUrl(ecr), `${ecr.repository} (${ecr.account}, ${ecr.region})`) }
    ])
  if (plan) {
    rows.push([{ data: 'Repository policy', header: true }, { data: escapeHtml(policyText(report, plan)) }])
    rows.push([{ data: 'ECR delegation', header: true }, { data: escapeHtml(delegationText(report, plan)) }])
    if (plan.credential.kind !== 'skipped')
      rows.push([{ data: 'Registry credential', header: true }, { data: escapeHtml(credentialText(report, plan)) }])
  }
  if (report.checks?.smoke) rows.push([{ data: 'Smoke test', header: true }, { data: escapeHtml(report.checks.smoke) }])
  if (report.checks?.canary) rows.push([{ data: 'Canary', header: true }, { data: escapeHtml(report.checks.canary) }])
  return rows
}

function targetRows(deployments: readonly DeploymentRecord[], smoked: boolean): TableRow[] {
  const titles = [
    'Target',
    'Previous image',
    'New image',
    'Status',
    'Time',
    ...(smoked ? ['Smoke test'] : []),
    'Console'
  ]
  const header = titles.map((data) => ({ data, header: true }))
  return [
    header,
    ...deployments.map((deployment) => [
      `${deployment.kind} <code>${escapeHtml(deployment.id)}</code>${deployment.name ? ` ${escapeHtml(deployment.name)}` : ''}`,
      `<code>${escapeHtml(deployment.previousImage)}</code>`,
      deployment.previousImage === deployment.image ? '(same)' : `<code>${escapeHtml(deployment.image)}</code>`,
      STATUS_ICONS[deployment.status],
      deployment.durationMs === undefined ? '' : formatDuration(deployment.durationMs),
      ...(smoked ? [smokeCell(deployment)] : []),
      link(runpodConsoleUrl(deployment.kind, deployment.id), 'open')
    ])
  ]
}

function smokeCell({ smoke }: DeploymentRecord): string {
  if (!smoke) return ''
  const job = smoke.jobId ? ` job <code>${escapeHtml(smoke.jobId)}</code>` : ''
  const time = smoke.executionTimeMs === undefined ? '' : `, ${formatMs(smoke.executionTimeMs)}`
  return smoke.passed ? `✅ passed${job}${time}` : `❌ ${escapeHtml(smoke.status ?? 'failed')}${job}${time}`
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
        `${finding.file}:${finding.line}:${finding.column}`,
        escapeHtml(finding.message)
      ])
    ])
  }
  await core.summary.write()
}
