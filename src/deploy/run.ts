import * as core from '@actions/core'
import type { ECRClient } from '@aws-sdk/client-ecr'
import { ActionError, errorMessage } from '../errors.js'
import { resolveAwsCredentials } from '../aws/credentials.js'
import { removeCredentials, syncCredential, type RegistryLogin } from '../runpod/registry-sync.js'
import { createDelegation } from '../runpod/delegations.js'
import { planDeploy, planTargets, type DeployPlan, type DeployReads, type TargetStep } from './plan.js'
import { createEcrClient, describeImage, getAuthorizationToken, readRepositoryPolicy, writeRepositoryPolicy } from '../aws/ecr.js'
import { releaseTagFromEvent } from '../github/event.js'
import { checkRegion, parseImageReference, type ImageReference } from '../aws/image-reference.js'
import type { DeployInputs } from '../inputs.js'
import { writeDeploySummary, type DeployReport, type DeploymentRecord } from '../github/summary.js'
import { analyzeGrant } from '../policy/grant.js'
import { describeCredentialStep, staleCredentials } from '../runpod/registries.js'
import { rolloutError, waitForRollouts, type PatchedTarget } from './rollout.js'
import type { RegistryCredential } from '../runpod/wire.js'
import { RunpodClient } from '../runpod/client.js'
import { RUNPOD_STATEMENT_SID } from '../policy/runpod-statement.js'
import { patchTargetImage, readTarget, type TargetState } from '../runpod/targets.js'

/**
 * Deploy and verify modes, in the SPEC's order of work: read everything (concurrently where independent),
 * decide (any problem fails here, before a single write), write, wait, report.
 */
export async function runDeploy(inputs: DeployInputs, env: NodeJS.ProcessEnv): Promise<void> {
  core.setSecret(inputs.runpodApiKey)
  const releaseTag = await releaseTagFromEvent(env)
  const image = parseImageReference(inputs.image, releaseTag ? { releaseTag } : {})
  const report: DeployReport = { mode: inputs.mode, image, deployments: [] }
  const runpod = new RunpodClient({ baseUrl: inputs.runpodApiUrl, apiKey: inputs.runpodApiKey })
  try {
    const { reads, ecr, login } = await readEverything(inputs, image, runpod)
    const plan = planDeploy(
      {
        policy: inputs.policy,
        principals: inputs.runpodPrincipals,
        registryAuth: inputs.registryAuth,
        pinDigest: inputs.pinDigest,
        ...(inputs.registryCredentialName ? { registryCredentialName: inputs.registryCredentialName } : {}),
        now: new Date()
      },
      reads
    )
    report.plan = plan
    logPlan(plan)
    if (inputs.mode === 'verify') {
      const credentialId = plan.credential.kind === 'refresh' ? plan.credential.current.id : undefined
      report.deployments.push(...plan.targets.map((step) => stepRecord(step, plan.deployImage, step.change === 'patch' ? 'planned' : 'unchanged', credentialId)))
    } else {
      const written = await core.group('Write', () => write(inputs, image, plan, { ecr, login, registries: reads.registries ?? [] }, runpod, report))
      await finishRollouts(inputs, plan, written, runpod, report)
      // Without the wait, targets may still be pulling with an older credential: keep them all.
      if (inputs.wait) await cleanUpCredentials(plan, written.steps, runpod, report)
    }
  } catch (error) {
    report.failure = errorMessage(error)
    throw error
  } finally {
    setOutputs(report)
    // Reporting must never replace the error that ended the run.
    await Promise.all([
      runpod.close().catch((error: unknown) => core.debug(`Closing the Runpod client: ${errorMessage(error)}`)),
      writeDeploySummary(report).catch((error: unknown) => core.warning(`Could not write the job summary: ${errorMessage(error)}`))
    ])
  }
}

interface ReadResult {
  readonly reads: DeployReads
  readonly ecr?: ECRClient
  /** token mode: the registry login from ECR (the password is masked). */
  readonly login?: RegistryLogin
}

async function readEverything(inputs: DeployInputs, image: ImageReference, runpod: RunpodClient): Promise<ReadResult> {
  const targetReads = [
    ...inputs.podIds.map((id) => readTarget(runpod, 'pod', id)),
    ...inputs.endpointIds.map((id) => readTarget(runpod, 'endpoint', id))
  ]
  const wantsDelegations = image.ecr !== undefined && inputs.registryAuth === 'delegation'
  const wantsRegistries = image.ecr !== undefined && inputs.registryAuth === 'token'
  // The AWS chain (OIDC → STS → {policy, image, token}) runs beside the Runpod reads; every failure is
  // collected so one run reports all of them.
  const [aws, delegations, registries, ...targets] = await Promise.allSettled([
    readAws(inputs, image),
    wantsDelegations ? runpod.listDelegations() : Promise.resolve(undefined),
    wantsRegistries ? runpod.listRegistries() : Promise.resolve(undefined),
    ...targetReads
  ])
  const problems = [aws, delegations, registries, ...targets].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []))
  if (problems.length === 1) throw problems[0]
  if (problems.length > 1) {
    throw new ActionError(`Found ${problems.length} problems before changing anything:\n${problems.map((p) => `- ${errorMessage(p)}`).join('\n')}`)
  }
  const awsReads = (aws as PromiseFulfilledResult<Awaited<ReturnType<typeof readAws>>>).value
  const delegationList = (delegations as PromiseFulfilledResult<Awaited<ReturnType<RunpodClient['listDelegations']>> | undefined>).value
  const registryList = (registries as PromiseFulfilledResult<RegistryCredential[] | undefined>).value
  const targetStates = targets.map((result) => (result as PromiseFulfilledResult<TargetState>).value)
  logReads(image, awsReads, delegationList, registryList, targetStates)
  return {
    reads: {
      image,
      ...(awsReads.digest ? { imageDigest: awsReads.digest } : {}),
      ...(awsReads.policy ? { policy: awsReads.policy } : {}),
      ...(delegationList ? { delegations: delegationList } : {}),
      ...(registryList ? { registries: registryList } : {}),
      targets: targetStates
    },
    ...(awsReads.client ? { ecr: awsReads.client } : {}),
    ...(awsReads.login ? { login: awsReads.login } : {})
  }
}

interface AwsReads {
  readonly client?: ECRClient
  readonly digest?: string
  readonly policy?: { readonly text: string | undefined }
  readonly login?: RegistryLogin
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
  const [found, policyText, login] = await Promise.all([
    describeImage(client, repo, { tag: image.tag, digest: image.digest }),
    inputs.policy === 'skip' ? Promise.resolve(undefined) : readRepositoryPolicy(client, repo),
    // Also in verify mode: a read that proves the role may get the token a deploy needs.
    inputs.registryAuth === 'token' ? getAuthorizationToken(client, repo.account) : Promise.resolve(undefined)
  ])
  return {
    client,
    digest: found.digest,
    ...(inputs.policy === 'skip' ? {} : { policy: { text: policyText } }),
    ...(login ? { login: { username: login.username, password: login.password } } : {})
  }
}

interface WriteContext {
  readonly ecr: ECRClient | undefined
  readonly login: RegistryLogin | undefined
  /** Registry credentials listed in the read phase. */
  readonly registries: readonly RegistryCredential[]
}

interface Written {
  /** The target steps as carried out (a credential rotation re-decides them). */
  readonly steps: readonly TargetStep[]
  readonly rollouts: readonly PatchedTarget[]
  /** One line per target whose PATCH was refused. */
  readonly patchFailures: readonly string[]
}

/** The writes, in order: repository policy → delegation or registry credential → targets, in parallel. */
async function write(
  inputs: DeployInputs,
  image: ImageReference,
  plan: DeployPlan,
  context: WriteContext,
  runpod: RunpodClient,
  report: DeployReport
): Promise<Written> {
  // Runpod validates the repository policy when a delegation is created, so the policy goes first.
  const repo = image.ecr
  const { ecr } = context
  if (plan.policy.kind === 'apply' && ecr && repo) {
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

  let steps = plan.targets
  let credentialId: string | undefined
  if (plan.credential.kind === 'create' || plan.credential.kind === 'refresh') {
    if (!context.login) throw new Error('registry-auth: token needs the ECR login read first')
    const existingIds = new Set(context.registries.map((registry) => registry.id))
    report.credential = await syncCredential(runpod, plan.credential, context.login, existingIds)
    credentialId = report.credential.id
    // The plan assumed the credential is refreshed in place; a new one changes what every target needs.
    if (report.credential.how === 'rotated') steps = planTargets(plan.targets.map((step) => step.target), plan.deployImage, { id: credentialId })
  }

  const toPatch = steps.filter((step) => step.change === 'patch')
  for (const step of steps) {
    if (step.change === 'unchanged') report.deployments.push(stepRecord(step, plan.deployImage, 'unchanged', credentialId))
  }
  if (toPatch.length === 0) {
    core.info(steps.length === 0 ? "No targets: set 'pod-id' or 'endpoint-id' to deploy the image." : 'Every target already runs this image: nothing to patch.')
    return { steps, rollouts: [], patchFailures: [] }
  }
  const patched = await Promise.allSettled(
    toPatch.map(async (step): Promise<PatchedTarget> => {
      const patchedAt = new Date()
      const registry = step.credential === 'set' ? credentialId : undefined
      await patchTargetImage(runpod, step.target, plan.deployImage, registry)
      const what = step.target.image === plan.deployImage ? `registry credential ${step.target.registry ?? '(none)'} → ${registry ?? ''}` : `${step.target.image} → ${plan.deployImage}`
      core.info(`Patched ${step.target.kind} ${step.target.id}: ${what}${registry && step.target.image !== plan.deployImage ? ` (registry credential ${registry})` : ''}`)
      return { target: step.target, image: plan.deployImage, patchedAt, ...(registry ? { registry } : {}) }
    })
  )
  const rollouts = patched.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const patchFailures = patched.flatMap((result, index) => {
    const step = toPatch[index]
    if (result.status === 'fulfilled' || !step) return []
    const reason = errorMessage(result.reason)
    report.deployments.push({ ...record(step.target, plan.deployImage, 'failed'), reason })
    return [`- ${step.target.kind} ${step.target.id}: the update was refused: ${reason}`]
  })
  return { steps, rollouts, patchFailures }
}

/** Waits for the patched targets (unless told not to) and fails the run when any did not roll out. */
async function finishRollouts(inputs: DeployInputs, plan: DeployPlan, written: Written, runpod: RunpodClient, report: DeployReport): Promise<void> {
  const { rollouts, patchFailures } = written
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

/**
 * After every target is on the credential: delete the older credentials of the name that none of the
 * targets uses any more. Runs only after a successful rollout, so a rollback can still find its credential.
 */
async function cleanUpCredentials(plan: DeployPlan, steps: readonly TargetStep[], runpod: RunpodClient, report: DeployReport): Promise<void> {
  const credential = report.credential
  if (plan.credential.kind !== 'refresh' || !credential) return
  const inUse = new Set(steps.flatMap((step) => (step.credential === 'set' ? [] : step.target.registry ? [step.target.registry] : [])))
  const stale = staleCredentials(plan.credential.family, credential.id, inUse)
  if (stale.length > 0) credential.cleanup = await removeCredentials(runpod, stale)
}

function record(target: TargetState, image: string, status: DeploymentRecord['status'], note?: string): DeploymentRecord {
  return { kind: target.kind, id: target.id, name: target.name, previousImage: target.image, image, status, ...(note ? { note } : {}) }
}

/** An unchanged (or, in verify mode, planned) target; a pod kept on another credential is warned about. */
function stepRecord(step: TargetStep, image: string, status: DeploymentRecord['status'], credentialId: string | undefined): DeploymentRecord {
  if (step.credential !== 'kept') return record(step.target, image, status)
  const note = keptNote(step.target, credentialId)
  core.warning(`${step.target.kind} ${step.target.id}: ${note}`)
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

function logReads(
  image: ImageReference,
  aws: AwsReads,
  delegations: readonly unknown[] | undefined,
  registries: readonly RegistryCredential[] | undefined,
  targets: readonly TargetState[]
): void {
  core.startGroup('Read')
  core.info(`Image: ${image.registry}/${image.repository}${image.tag ? `:${image.tag}` : ''}${aws.digest ? ` (${aws.digest})` : ''}`)
  if (aws.policy) core.info(`Repository policy: ${aws.policy.text === undefined ? 'none yet' : `present (${aws.policy.text.length} characters)`}`)
  if (delegations) core.info(`Runpod ECR delegations: ${delegations.length}`)
  if (registries) core.info(`Runpod registry credentials: ${registries.length}`)
  if (aws.login) core.info('ECR authorization token: received (masked)')
  for (const target of targets) {
    const registry = target.registry ? `, registry credential ${target.registry}` : ''
    core.info(`${target.kind} ${target.id} (${target.name}): ${target.image}${target.status ? `, ${target.status}` : ''}${registry}`)
  }
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
  if (plan.credential.kind !== 'skipped') core.info(`Registry credential: ${describeCredentialStep(plan.credential)}`)
  for (const step of plan.targets) core.info(`${step.target.kind} ${step.target.id}: ${describeTargetStep(step, plan.deployImage)}`)
  core.endGroup()
  for (const warning of plan.warnings) core.warning(warning)
}

function describeTargetStep(step: TargetStep, deployImage: string): string {
  const onImage = step.target.image === deployImage
  if (step.credential === 'kept') return 'already on this image; not patched to the credential (a patch restarts a pod)'
  if (step.change === 'unchanged') return 'already on this image'
  const credential = step.credential === 'set' ? ' with the registry credential' : ''
  return onImage ? 'already on this image: set the registry credential (a new release)' : `${step.target.image} → ${deployImage}${credential}`
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
  const registryId = report.credential?.id ?? (report.mode === 'verify' && plan?.credential.kind === 'refresh' ? plan.credential.current.id : undefined)
  if (registryId) core.setOutput('registry-id', registryId)
  core.setOutput(
    'deployments',
    JSON.stringify(report.deployments.map(({ kind, id, previousImage, image, status }) => ({ kind, id, previousImage, image, status })))
  )
}
