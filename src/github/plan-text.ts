// What the plan (or the run) did with the policy, the delegation and the credential, in words: shared by the
// job summary and the pull request comment.
import type { DeployPlan } from '../deploy/plan.js'
import type { DeployReport } from '../deploy/report.js'
import { describeRegistryPolicy } from '../deploy/report.js'
import { describeCredentialStep } from '../runpod/registries.js'

export function policyText(report: DeployReport, plan: DeployPlan): string {
  switch (plan.policy.kind) {
    case 'skipped':
      return `skipped: ${plan.policy.reason}`
    case 'granted':
      return 'already grants Runpod pull'
    case 'apply':
      if (report.policyChanged) return 'applied: added the AllowRunpodPull statement'
      return report.mode === 'verify'
        ? 'missing: deploy would add the AllowRunpodPull statement'
        : 'missing: not written (the run stopped first)'
  }
}

/** The registry policy's part in the verdict on Runpod's pull; undefined when no policy was judged. */
export function registryPolicyText(plan: DeployPlan): string | undefined {
  if (plan.policy.kind === 'skipped') return undefined
  return describeRegistryPolicy(plan.policy.registry)
}

export function delegationText(report: DeployReport, plan: DeployPlan): string {
  switch (plan.delegation.kind) {
    case 'skipped':
      return `skipped: ${plan.delegation.reason}`
    case 'reuse':
      return `exists: ${plan.delegation.delegation.id}`
    case 'create':
      if (report.delegationId) return `created: ${report.delegationId}`
      return report.mode === 'verify'
        ? `missing: deploy would create one for ${plan.delegation.repository.arn}`
        : 'missing: not created (the run stopped first)'
  }
}

export function credentialText(report: DeployReport, plan: DeployPlan): string {
  const result = report.credential
  if (!result)
    return report.mode === 'verify'
      ? `plan: ${describeCredentialStep(plan.credential)}`
      : 'not written (the run stopped first)'
  const how = {
    refreshed: `refreshed in place: ${result.id} (${result.name}) holds a fresh ECR token`,
    created: `created: ${result.id} (${result.name})`,
    rotated: `rotated: created ${result.id} (${result.name}), as Runpod's GraphQL updateRegistryAuth is retired (${result.retiredReason ?? ''})`
  }[result.how]
  const cleanup = result.cleanup
  if (!cleanup) return how
  const deleted = cleanup.deleted.map((registry) => `deleted ${registry.id} (${registry.name})`)
  const kept = cleanup.kept.map(({ registry, reason }) => `kept ${registry.id} (${registry.name}): ${reason}`)
  return [how, ...deleted, ...kept].join('; ')
}

/**
 * A deploy with no target yet (a first run): the repository is ready for Runpod, and what to do next. Undefined
 * for a run with targets, a verify run, or one that failed.
 */
export function nextSteps(report: DeployReport, plan: DeployPlan): string[] | undefined {
  if (report.mode !== 'deploy' || report.failure || plan.targets.length > 0 || plan.templates.length > 0)
    return undefined
  const ready = [
    report.policyChanged ? 'the repository policy now lets Runpod pull' : undefined,
    report.delegationId ? `Runpod's ECR delegation ${report.delegationId} is in place` : undefined,
    report.credential ? `the Runpod registry credential ${report.credential.id} holds a fresh ECR token` : undefined
  ].filter((text): text is string => text !== undefined)
  return [
    `No pod or endpoint was given, so nothing was deployed${ready.length > 0 ? `; ${ready.join(', ')}` : ''}.`,
    `Create a Serverless endpoint (or a pod) in Runpod's console with the image ${plan.deployImage}${report.credential ? ` and the registry credential ${report.credential.id}` : ''}: Runpod can pull it now.`,
    "Put its id in the step's 'endpoint-id' (or 'pod-id') input: from then on every run rolls the new image out to it, waits until it runs, and rolls back when it does not."
  ]
}
