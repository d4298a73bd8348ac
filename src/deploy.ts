import * as core from '@actions/core'
import type { ECRClient } from '@aws-sdk/client-ecr'
import { ActionError } from './action-error.js'
import { resolveAwsCredentials } from './aws-credentials.js'
import { createDelegation } from './delegation.js'
import { planDeploy, type DeployPlan, type DeployReads } from './deploy-plan.js'
import { createEcrClient, describeImage, readRepositoryPolicy, writeRepositoryPolicy } from './ecr.js'
import { releaseTagFromEvent } from './github-event.js'
import { checkRegion, parseImageReference, type ImageReference } from './image-reference.js'
import type { DeployInputs } from './inputs.js'
import { writeDeploySummary, type DeployReport, type DeploymentRecord } from './job-summary.js'
import { analyzeGrant } from './policy-grant.js'
import { rolloutError, waitForRollouts } from './rollout.js'
import { RunpodClient } from './runpod-client.js'
import { RUNPOD_STATEMENT_SID } from './runpod-defaults.js'
import { patchTargetImage, readTarget, type TargetState } from './targets.js'

/**
 * Deploy and verify modes, in the SPEC's order of work: read everything (concurrently where independent),
 * decide (any problem fails here, before a single write), write, wait, report.
 */
export async function runDeploy(inputs: DeployInputs, env: NodeJS.ProcessEnv): Promise<void> {
  core.setSecret(inputs.runpodApiKey)
  if (inputs.registryAuth === 'token') {
    throw new ActionError("Input 'registry-auth': token is not implemented yet in this version of the action; use delegation or none.")
  }
  const releaseTag = await releaseTagFromEvent(env)
  const image = parseImageReference(inputs.image, releaseTag ? { releaseTag } : {})
  const report: DeployReport = { mode: inputs.mode, image, deployments: [] }
  const runpod = new RunpodClient({ baseUrl: inputs.runpodApiUrl, apiKey: inputs.runpodApiKey })
  try {
    const { reads, ecr } = await readEverything(inputs, image, runpod)
    const plan = planDeploy(
      { policy: inputs.policy, principals: inputs.runpodPrincipals, registryAuth: inputs.registryAuth, pinDigest: inputs.pinDigest },
      reads
    )
    report.plan = plan
    logPlan(plan)
    if (inputs.mode === 'verify') {
      report.deployments.push(...plan.targets.map((step) => record(step.target, plan.deployImage, step.change === 'patch' ? 'planned' : 'unchanged')))
    } else {
      await write(inputs, image, plan, ecr, runpod, report)
    }
  } catch (error) {
    report.failure = error instanceof Error ? error.message : String(error)
    throw error
  } finally {
    await runpod.close()
    setOutputs(report)
    await writeDeploySummary(report)
  }
}

interface ReadResult {
  readonly reads: DeployReads
  readonly ecr?: ECRClient
}

async function readEverything(inputs: DeployInputs, image: ImageReference, runpod: RunpodClient): Promise<ReadResult> {
  const targetReads = [
    ...inputs.podIds.map((id) => readTarget(runpod, 'pod', id)),
    ...inputs.endpointIds.map((id) => readTarget(runpod, 'endpoint', id))
  ]
  const wantsDelegations = image.ecr !== undefined && inputs.registryAuth === 'delegation'
  // The AWS chain (OIDC → STS → {policy, image}) runs beside the Runpod reads; every failure is collected so
  // one run reports all of them.
  const [aws, delegations, ...targets] = await Promise.allSettled([
    readAws(inputs, image),
    wantsDelegations ? runpod.listDelegations() : Promise.resolve(undefined),
    ...targetReads
  ])
  const problems = [aws, delegations, ...targets].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []))
  if (problems.length === 1) throw problems[0]
  if (problems.length > 1) {
    throw new ActionError(`Found ${problems.length} problems before changing anything:\n${problems.map((p) => `- ${p instanceof Error ? p.message : String(p)}`).join('\n')}`)
  }
  const awsReads = (aws as PromiseFulfilledResult<Awaited<ReturnType<typeof readAws>>>).value
  const delegationList = (delegations as PromiseFulfilledResult<Awaited<ReturnType<RunpodClient['listDelegations']>> | undefined>).value
  const targetStates = targets.map((result) => (result as PromiseFulfilledResult<TargetState>).value)
  logReads(image, awsReads, delegationList, targetStates)
  return {
    reads: {
      image,
      ...(awsReads.digest ? { imageDigest: awsReads.digest } : {}),
      ...(awsReads.policy ? { policy: awsReads.policy } : {}),
      ...(delegationList ? { delegations: delegationList } : {}),
      targets: targetStates
    },
    ...(awsReads.client ? { ecr: awsReads.client } : {})
  }
}

interface AwsReads {
  readonly client?: ECRClient
  readonly digest?: string
  readonly policy?: { readonly text: string | undefined }
}

async function readAws(inputs: DeployInputs, image: ImageReference): Promise<AwsReads> {
  const repo = image.ecr
  if (!repo) return {}
  const region = checkRegion(image, inputs.awsRegion)
  const credentials = await resolveAwsCredentials({
    ...(inputs.roleToAssume ? { roleToAssume: inputs.roleToAssume } : {}),
    roleSessionName: inputs.roleSessionName,
    audience: inputs.audience,
    region
  })
  const client = createEcrClient(region, credentials)
  const [found, policyText] = await Promise.all([
    describeImage(client, repo, { tag: image.tag, digest: image.digest }),
    inputs.policy === 'skip' ? Promise.resolve(undefined) : readRepositoryPolicy(client, repo)
  ])
  return { client, digest: found.digest, ...(inputs.policy === 'skip' ? {} : { policy: { text: policyText } }) }
}

async function write(
  inputs: DeployInputs,
  image: ImageReference,
  plan: DeployPlan,
  ecr: ECRClient | undefined,
  runpod: RunpodClient,
  report: DeployReport
): Promise<void> {
  // Runpod validates the repository policy when a delegation is created, so the policy goes first.
  const repo = image.ecr
  if (plan.policy.kind === 'apply' && plan.policy.merge.changed && ecr && repo) {
    const stored = await writeRepositoryPolicy(ecr, repo, plan.policy.merge.policyText)
    // AWS rewrites what it stores, so the grant is confirmed by meaning, not by comparing text.
    if (!analyzeGrant(stored, inputs.runpodPrincipals).granted) {
      throw new ActionError(
        `The repository policy of ${repo.repository} was written, but the copy AWS stored does not grant Runpod pull. Check the policy in the ECR console (${repo.arn}) and report this as a bug.`
      )
    }
    core.info(`Added the ${RUNPOD_STATEMENT_SID} statement to the policy of ${repo.repository}.`)
    report.policyChanged = true
  }
  if (plan.delegation.kind === 'create') {
    const created = await createDelegation(runpod, plan.delegation.repository)
    core.info(`Created Runpod ECR delegation ${created.id} for ${plan.delegation.repository.arn}.`)
    report.delegationId = created.id
  } else if (plan.delegation.kind === 'reuse') {
    report.delegationId = plan.delegation.delegation.id
  }

  const toPatch = plan.targets.filter((step) => step.change === 'patch')
  for (const step of plan.targets) {
    if (step.change === 'unchanged') report.deployments.push(record(step.target, plan.deployImage, 'unchanged'))
  }
  if (toPatch.length === 0) return
  const patched = await Promise.allSettled(
    toPatch.map(async (step) => {
      const patchedAt = new Date()
      await patchTargetImage(runpod, step.target, plan.deployImage)
      core.info(`Patched ${step.target.kind} ${step.target.id}: ${step.target.image} → ${plan.deployImage}`)
      return { target: step.target, image: plan.deployImage, patchedAt }
    })
  )
  const rollouts = patched.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const patchFailures = patched.flatMap((result, index) => {
    const target = toPatch[index]?.target
    if (result.status === 'fulfilled' || !target) return []
    const reason = result.reason instanceof Error ? result.reason.message : String(result.reason)
    report.deployments.push({ ...record(target, plan.deployImage, 'failed'), reason })
    return [`- ${target.kind} ${target.id}: the update was refused: ${reason}`]
  })
  if (!inputs.wait) {
    report.deployments.push(...rollouts.map((rollout) => record(rollout.target, rollout.image, 'updated')))
  } else if (rollouts.length > 0) {
    const outcomes = await core.group('Rollout', () =>
      waitForRollouts(runpod, rollouts, { timeoutMs: inputs.waitTimeoutSeconds * 1000, rollback: inputs.rollback })
    )
    for (const outcome of outcomes) {
      const { kind, id, name, previousImage, image, status, durationMs, reason, note, diagnostics } = outcome
      report.deployments.push({ kind, id, name, previousImage, image, status, durationMs, ...(reason ? { reason } : {}), ...(note ? { note } : {}), diagnostics })
      if (note) core.notice(`${kind} ${id}: ${note}`)
      if (diagnostics.length > 0) core.error(`${kind} ${id} did not roll out: ${reason ?? ''}\n${diagnostics.join('\n')}`, { title: `${kind} ${id}` })
    }
    const rolloutFailure = rolloutError(outcomes)
    if (rolloutFailure) throw patchFailures.length > 0 ? new ActionError(`${rolloutFailure.message}\n${patchFailures.join('\n')}`) : rolloutFailure
  }
  if (patchFailures.length > 0) {
    throw new ActionError(`${patchFailures.length} target(s) could not be updated to ${plan.deployImage}:\n${patchFailures.join('\n')}`)
  }
}

function record(target: TargetState, image: string, status: DeploymentRecord['status']): DeploymentRecord {
  return { kind: target.kind, id: target.id, name: target.name, previousImage: target.image, image, status }
}

function logReads(image: ImageReference, aws: AwsReads, delegations: readonly unknown[] | undefined, targets: readonly TargetState[]): void {
  core.startGroup('Read')
  core.info(`Image: ${image.registry}/${image.repository}${image.tag ? `:${image.tag}` : ''}${aws.digest ? ` (${aws.digest})` : ''}`)
  if (aws.policy) core.info(`Repository policy: ${aws.policy.text === undefined ? 'none' : `${aws.policy.text.length} characters`}`)
  if (delegations) core.info(`Runpod ECR delegations: ${delegations.length}`)
  for (const target of targets) core.info(`${target.kind} ${target.id} (${target.name}): ${target.image}${target.status ? `, ${target.status}` : ''}`)
  core.endGroup()
}

function logPlan(plan: DeployPlan): void {
  core.startGroup('Plan')
  core.info(`Deploy ${plan.deployImage}`)
  const policy = plan.policy
  core.info(
    `Repository policy: ${policy.kind === 'skipped' ? `skipped (${policy.reason})` : policy.kind === 'granted' ? 'already grants Runpod pull' : 'add the AllowRunpodPull statement'}`
  )
  const delegation = plan.delegation
  core.info(
    `Delegation: ${delegation.kind === 'skipped' ? `skipped (${delegation.reason})` : delegation.kind === 'reuse' ? `reuse ${delegation.delegation.id}` : `create for ${delegation.repository.arn}`}`
  )
  for (const step of plan.targets) core.info(`${step.target.kind} ${step.target.id}: ${step.change === 'patch' ? `${step.target.image} → ${plan.deployImage}` : 'already on this image'}`)
  core.endGroup()
  for (const warning of plan.warnings) core.warning(warning)
}

function setOutputs(report: DeployReport): void {
  const plan = report.plan
  if (plan) {
    core.setOutput('image', plan.deployImage)
    if (plan.digest) core.setOutput('image-digest', plan.digest)
  }
  core.setOutput('policy-changed', report.policyChanged ? 'true' : 'false')
  const delegationId = report.delegationId ?? (plan?.delegation.kind === 'reuse' ? plan.delegation.delegation.id : undefined)
  if (delegationId) core.setOutput('delegation-id', delegationId)
  core.setOutput(
    'deployments',
    JSON.stringify(report.deployments.map(({ kind, id, previousImage, image, status }) => ({ kind, id, previousImage, image, status })))
  )
}
