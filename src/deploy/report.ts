// What a deploy or verify run reports: its log lines, one record per target, and the action's outputs.
import type { ImageReference } from '../aws/image-reference.js'
import type { FitReport, Placement, TargetFit } from '../image/fit.js'
import { runpodConsoleUrl } from '../runpod/console.js'
import { describeEnvDiff } from '../runpod/env.js'
import { describeCredentialStep, type CredentialResult } from '../runpod/registries.js'
import type { ResourceKind } from '../runpod/errors.js'
import type { TargetState } from '../runpod/targets.js'
import type { Logger } from './log.js'
import type { DeployPlan, DeployReads, RegistryPolicyPart, TargetStep, TemplateStep } from './plan.js'
import type { DeploymentStatus } from './rollout.js'
import type { HealthResult } from './health.js'
import type { SmokeResult } from './smoke.js'

export interface DeploymentRecord {
  readonly kind: ResourceKind
  readonly id: string
  readonly name?: string
  readonly previousImage: string
  readonly image: string
  readonly status: DeploymentStatus
  readonly durationMs?: number
  readonly reason?: string
  readonly note?: string
  readonly diagnostics?: readonly string[]
  /** The smoke job of an endpoint that rolled out. */
  readonly smoke?: SmokeResult
  /** A pod with `health-check`: what the check saw. */
  readonly health?: HealthResult
  /** A waited-for rollout: when it was patched, seen ready (pods), rolled back and seen to end (ms since the epoch). */
  readonly timeline?: {
    readonly patchedAt: number
    readonly readyAt?: number
    readonly rollbackAt?: number
    readonly endedAt: number
  }
}

/** Filled in as the run goes, so a failure half-way still reports what happened. */
export interface DeployReport {
  readonly mode: 'deploy' | 'verify'
  readonly image: ImageReference
  plan?: DeployPlan
  policyChanged?: boolean
  delegationId?: string
  /** token mode: what was done to the registry credential. */
  credential?: CredentialResult
  readonly deployments: DeploymentRecord[]
  /** What the run was set to prove besides the rollout, in words (smoke test, canary). */
  checks?: { readonly smoke?: string; readonly canary?: string; readonly readiness?: string }
  failure?: string
}

export function record(target: TargetState, image: string, status: DeploymentStatus, note?: string): DeploymentRecord {
  return {
    kind: target.kind,
    id: target.id,
    name: target.name,
    previousImage: target.image,
    image,
    status,
    ...(note ? { note } : {})
  }
}

/** A template's record: templates run nothing, so their status says only what was written. */
export function templateRecord(step: TemplateStep, image: string, status: DeploymentStatus): DeploymentRecord {
  const { template } = step
  return { kind: 'template', id: template.id, name: template.name, previousImage: template.image, image, status }
}

/** An unchanged (or, in verify mode, planned) target; a pod kept on another credential is warned about. */
export function stepRecord(
  step: TargetStep,
  image: string,
  status: DeploymentStatus,
  credentialId: string | undefined,
  log: Logger
): DeploymentRecord {
  if (step.credential !== 'kept') return record(step.target, image, status)
  const note = keptNote(step.target, credentialId)
  log.warning(`${step.target.kind} ${step.target.id}: ${note}`)
  return record(step.target, image, status, note)
}

function keptNote(target: TargetState, credentialId: string | undefined): string {
  const now = target.registry ? `registry credential ${target.registry}` : 'no registry credential'
  const next = credentialId ? `credential ${credentialId}` : 'the new credential'
  return (
    `Already runs the image but uses ${now}: not patched to ${next}, because any change restarts a pod. ` +
    `It moves with its next image deploy; if it restarts before that, its image pull uses ${now}${target.registry ? ', which fails once that token has expired (12 h after it was last refreshed)' : ''}.`
  )
}

export function logReads(log: Logger, reads: DeployReads, tokenReceived: boolean): void {
  const { image, imageDigest, policy, delegations, registries, targets } = reads
  log.startGroup('Read')
  log.info(
    `Image: ${image.registry}/${image.repository}${image.tag ? `:${image.tag}` : ''}${imageDigest ? ` (${imageDigest})` : ''}`
  )
  if (policy)
    log.info(
      `Repository policy: ${policy.text === undefined ? 'none yet' : `present (${policy.text.length} characters)`}`
    )
  if (delegations) log.info(`Runpod ECR delegations: ${delegations.length}`)
  if (registries) log.info(`Runpod registry credentials: ${registries.length}`)
  if (tokenReceived) log.info('ECR authorization token: received (masked)')
  for (const target of targets) {
    const registry = target.registry ? `, registry credential ${target.registry}` : ''
    log.info(
      `${target.kind} ${target.id} (${target.name}): ${target.image}${target.status ? `, ${target.status}` : ''}${registry}`
    )
  }
  log.endGroup()
}

export function logPlan(log: Logger, plan: DeployPlan): void {
  log.startGroup('Plan')
  log.info(`Deploy ${plan.deployImage}`)
  const policy = plan.policy
  log.info(
    `Repository policy: ${policy.kind === 'skipped' ? `skipped (${policy.reason})` : policy.kind === 'granted' ? 'already grants Runpod pull' : 'add the AllowRunpodPull statement'}`
  )
  if (policy.kind !== 'skipped') log.info(`Registry policy: ${describeRegistryPolicy(policy.registry)}`)
  const delegation = plan.delegation
  log.info(
    `Delegation: ${delegation.kind === 'skipped' ? `skipped (${delegation.reason})` : delegation.kind === 'reuse' ? `reuse ${delegation.delegation.id}` : `create for ${delegation.repository.arn}`}`
  )
  if (plan.credential.kind !== 'skipped') log.info(`Registry credential: ${describeCredentialStep(plan.credential)}`)
  for (const step of plan.targets)
    log.info(`${step.target.kind} ${step.target.id}: ${describeTargetStep(step, plan.deployImage)}`)
  for (const step of plan.templates)
    log.info(`template ${step.template.id}: ${describeTemplateStep(step, plan.deployImage)}`)
  if (plan.fit) {
    log.info(`Image checks (${plan.fit.checks}): ${describeImageFit(plan.fit)}`)
    for (const judged of plan.fit.targets) log.info(`${judged.kind} ${judged.id}: ${describeTargetFit(judged)}`)
    for (const judged of plan.fit.templates)
      log.info(`template ${judged.id}: ${fitText(plan.fit, 'template', judged.id)}`)
  }
  for (const back of plan.wayBack?.targets ?? [])
    log.info(`${back.kind} ${back.id}: way back ${back.image}: ${back.state}`)
  log.endGroup()
  if (policy.kind !== 'skipped' && policy.registry.kind === 'unknown')
    log.notice(policy.registry.reason, { title: 'Registry policy unknown' })
  for (const notice of plan.fit?.notices ?? []) log.notice(notice, { title: 'Image check unknown' })
  for (const notice of plan.wayBack?.notices ?? []) log.notice(notice, { title: 'Way back unknown' })
  for (const warning of plan.warnings) log.warning(warning)
}

/** The registry policy's part in the verdict on Runpod's pull, in words. */
export function describeRegistryPolicy(part: RegistryPolicyPart): string {
  switch (part.kind) {
    case 'none':
      return 'none'
    case 'not-enforced':
      return 'not enforced on pulls (scope V1)'
    case 'judged':
      return 'judged with the repository policy (scope V2): no Deny of it applies to Runpod'
    case 'grants':
      return 'judged with the repository policy (scope V2): its Allow grants Runpod pull, and no Deny of it applies'
    case 'unknown':
      return 'unknown (see the notice)'
  }
}

/** What was found of the image: its platforms, its state, and its CUDA floor with where it comes from. */
export function describeImageFit(fit: FitReport): string {
  const platforms = fit.platforms ? `platforms ${fit.platforms.join(', ') || 'none'}` : 'platforms unknown'
  const state = fit.status ? `, ${fit.status} in ECR` : ''
  const key = fit.encryption?.key
  const encryption = key
    ? `, KMS key ${key.manager === 'AWS' ? 'AWS managed' : (key.state ?? 'in an unknown state')}`
    : ''
  const floor = fit.floor
    ? `, needs CUDA ${fit.floor.version} or later (${fit.floor.source})`
    : ', no CUDA floor declared'
  return `${platforms}${state}${encryption}${floor}`
}

/** The fit of one deployment (a target or a template) in words; empty when it was not judged. */
export function fitText(fit: FitReport, kind: ResourceKind, id: string): string {
  if (kind === 'template') {
    const judged = fit.templates.find((template) => template.id === id)
    if (!judged) return ''
    const change = judged.placement
      ? `; the update keeps allowedCudaVersions ${judged.placement.after.join(', ')} of ${judged.placement.before.join(', ')}`
      : ''
    return `${judged.verdict === 'fits' ? 'fits' : 'does not fit'} (${judged.rule})${change}`
  }
  const judged = fit.targets.find((target) => target.kind === kind && target.id === id)
  return judged ? describeTargetFit(judged) : ''
}

/** What a target offers the image, and what a deploy changes of its placement. */
export function describeTargetFit(judged: TargetFit): string {
  const change = judged.placement
    ? `; the update raises its CUDA placement: ${describePlacement(judged.placement.before)} → ${describePlacement(judged.placement.after)}`
    : ''
  const verdict = judged.verdict === 'fits' ? 'fits' : judged.verdict === 'misfit' ? 'does not fit' : 'unknown'
  return `${judged.offers}: ${verdict}${judged.rule ? ` (${judged.rule})` : ''}${change}`
}

/** What a template gets, in words; env as key names only. */
export function describeTemplateStep(step: TemplateStep, deployImage: string): string {
  if (step.change === 'unchanged') return 'already on this image'
  return [
    step.template.image === deployImage ? 'already on this image' : `${step.template.image} → ${deployImage}`,
    step.env ? `env: ${describeEnvDiff(step.env.diff)}` : '',
    step.credential ? 'with the registry credential' : '',
    step.placement ? `allowedCudaVersions ${step.placement.before.join(', ')} → ${step.placement.after.join(', ')}` : ''
  ]
    .filter(Boolean)
    .join('; ')
}

function describePlacement(placement: Placement): string {
  if (placement.allowedCudaVersions.length > 0) return `allowedCudaVersions ${placement.allowedCudaVersions.join(', ')}`
  return placement.minCudaVersion ? `minCudaVersion ${placement.minCudaVersion}` : 'any CUDA version'
}

export function describeTargetStep(step: TargetStep, deployImage: string): string {
  const onImage = step.target.image === deployImage
  if (step.credential === 'kept') return 'already on this image; not patched to the credential (a patch restarts a pod)'
  if (step.change === 'unchanged') return 'already on this image'
  const credential = step.credential === 'set' ? ' with the registry credential' : ''
  const env = step.env ? `; env: ${describeEnvDiff(step.env.diff)}` : ''
  if (onImage && step.env) return `already on this image: env ${describeEnvDiff(step.env.diff)}${credential}`
  return onImage
    ? 'already on this image: set the registry credential (a new release)'
    : `${step.target.image} → ${deployImage}${credential}${env}`
}

/** The action's outputs (action.yml) from what the run did or, in verify mode, planned. */
export function deployOutputs(report: DeployReport): Record<string, string> {
  const plan = report.plan
  const outputs: Record<string, string> = {}
  if (plan) {
    outputs['image'] = plan.deployImage
    if (plan.digest) outputs['image-digest'] = plan.digest
  }
  outputs['policy-changed'] = report.policyChanged ? 'true' : 'false'
  const delegationId =
    report.delegationId ?? (plan?.delegation.kind === 'reuse' ? plan.delegation.delegation.id : undefined)
  if (delegationId) outputs['delegation-id'] = delegationId
  const registryId =
    report.credential?.id ??
    (report.mode === 'verify' && plan?.credential.kind === 'refresh' ? plan.credential.current.id : undefined)
  if (registryId) outputs['registry-id'] = registryId
  // For `environment: url:` of the job: the first target, as the pod-id and endpoint-id inputs list them.
  const first = plan?.targets[0]?.target ?? report.deployments[0]
  if (first) outputs['url'] = runpodConsoleUrl(first.kind, first.id)
  outputs['deployments'] = JSON.stringify(
    report.deployments.map(({ kind, id, previousImage, image, status }) => {
      const kept = PLACEMENT_KEPT.has(status)
      const step = kept
        ? plan?.targets.find((candidate) => candidate.target.kind === kind && candidate.target.id === id)
        : undefined
      const template =
        kept && kind === 'template' ? plan?.templates.find((candidate) => candidate.template.id === id) : undefined
      const placement = step?.placement
      const env = (template ?? step)?.env?.diff
      return {
        kind,
        id,
        previousImage,
        image,
        status,
        ...(placement
          ? { placement: { before: placementJson(placement.before), after: placementJson(placement.after) } }
          : {}),
        // A template has no minCudaVersion: its placement is the allowed versions only.
        ...(template?.placement
          ? {
              placement: {
                before: { allowedCudaVersions: [...template.placement.before] },
                after: { allowedCudaVersions: [...template.placement.after] }
              }
            }
          : {}),
        // Key names only: env values are secrets.
        ...(env ? { env: { added: [...env.added], changed: [...env.changed], removed: [...env.removed] } } : {})
      }
    })
  )
  return outputs
}

/** The statuses after which an endpoint's raised placement stands (or, planned, would). */
const PLACEMENT_KEPT = new Set<DeploymentStatus>(['rolled-out', 'updated', 'planned'])

function placementJson(placement: Placement): { minCudaVersion: string | null; allowedCudaVersions: string[] } {
  return { minCudaVersion: placement.minCudaVersion, allowedCudaVersions: [...placement.allowedCudaVersions] }
}
