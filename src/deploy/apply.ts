// What follows the reads in deploy and verify modes: decide (any problem fails here, before a single write),
// write, wait, and record what happened in the report. Loaded while the reads are under way (run.ts).
import type { ECRClient } from '@aws-sdk/client-ecr'
import { describeImage, ImageNotFoundError } from '../aws/ecr.js'
import { parseImageReference, type ImageReference } from '../aws/image-reference.js'
import { ActionError, errorMessage } from '../errors.js'
import type { DeployInputs } from '../inputs.js'
import type { RunpodClient } from '../runpod/client.js'
import type { JobClient } from '../runpod/jobs.js'
import { CANCEL_ROLLBACK_MS, stopIfCancelled } from './cancel.js'
import { inGroup, type Logger } from './log.js'
import { planDeploy, type DeployPlan } from './plan.js'
import type { ReadResult } from './read.js'
import { logPlan, record, stepRecord, templateRecord, type DeployReport } from './report.js'
import { rolloutError, waitForRollouts } from './rollout.js'
import { shorten } from './smoke.js'
import { cleanUpCredentials, patchHeld, restoreTemplates, writeEverything, type Written } from './write.js'

/** What restoring the templates after a failed rollout may take, as a target's rollback has a budget of its own. */
const TEMPLATE_RESTORE_MS = 30_000

export interface Applying {
  readonly inputs: DeployInputs
  readonly image: ImageReference
  readonly read: ReadResult
  readonly runpod: RunpodClient
  readonly jobs: JobClient | undefined
  readonly report: DeployReport
  readonly log: Logger
  readonly signal?: AbortSignal
}

/** Plans from the reads, then (deploy mode) writes and waits; throws what ends the run, the report filled in as it goes. */
export async function applyPlan({ inputs, image, read, runpod, jobs, report, log, signal }: Applying): Promise<void> {
  const { reads, ecr, policyWriter, login } = read
  const plan = planDeploy(
    {
      policy: inputs.policy,
      principals: inputs.runpodPrincipals,
      registryAuth: inputs.registryAuth,
      pinDigest: inputs.pinDigest,
      ...(inputs.registryCredentialName ? { registryCredentialName: inputs.registryCredentialName } : {}),
      now: new Date(),
      imageChecks: inputs.imageChecks,
      ...(inputs.healthCheck ? { healthPort: inputs.healthCheck.port } : {}),
      ...(inputs.minCudaVersion ? { minCudaVersion: inputs.minCudaVersion } : {}),
      ...(inputs.env ? { env: inputs.env } : {})
    },
    reads
  )
  report.plan = plan
  logPlan(log, plan)
  const checks = describeChecks(inputs, plan, log)
  if (checks) report.checks = checks
  if (inputs.mode === 'verify') {
    const credentialId = plan.credential.kind === 'refresh' ? plan.credential.current.id : undefined
    report.deployments.push(
      ...plan.targets.map((step) =>
        stepRecord(step, plan.deployImage, step.change === 'patch' ? 'planned' : 'unchanged', credentialId, log)
      ),
      ...plan.templates.map((step) =>
        templateRecord(step, plan.deployImage, step.change === 'patch' ? 'planned' : 'unchanged')
      )
    )
    return
  }
  // A cancel stops every write not yet started; the wait is cut short and rolls back what was patched.
  stopIfCancelled(signal, 'anything was written')
  const context = {
    image,
    plan,
    principals: inputs.runpodPrincipals,
    runpod,
    ecr,
    policyWriter,
    login,
    registries: reads.registries ?? [],
    log,
    ...(signal ? { signal } : {})
  }
  const canary = inputs.canary
  const written = await inGroup(log, 'Write', () =>
    writeEverything(context, report, canary === undefined ? undefined : (step) => step.target.id === canary)
  )
  const rollout: Rollout = {
    inputs,
    plan,
    runpod,
    log,
    report,
    ...(jobs ? { jobs } : {}),
    ...(signal ? { signal } : {}),
    ...(ecr && image.ecr ? { rollbackImage: (previous: string) => rollbackImageProblem(ecr, image, previous) } : {})
  }
  let done = written
  if (canary !== undefined && written.held.length > 0) {
    try {
      await finishRollouts(rollout, written)
    } catch (error) {
      // The canary did not pass: nothing else was touched.
      for (const step of written.held) {
        report.deployments.push({
          ...record(step.target, plan.deployImage, 'unchanged'),
          reason: `not deployed: the canary ${canary} did not pass`
        })
      }
      for (const step of plan.templates) {
        report.deployments.push({
          ...templateRecord(step, plan.deployImage, 'unchanged'),
          reason: `not written: the canary ${canary} did not pass`
        })
      }
      throw new ActionError(
        `The canary ${canary} did not pass, so the other ${written.held.length} target(s) were not deployed and still run their images.\n${errorMessage(error)}`,
        { cause: error }
      )
    }
    log.info(`The canary ${canary} passed: deploying the other ${written.held.length} target(s).`)
    done = await inGroup(log, 'Write the other targets', () => patchHeld(context, written, report))
  }
  try {
    await finishRollouts(rollout, done)
  } catch (error) {
    // No template may point at an image that failed to roll out.
    if (inputs.rollback && done.templates.length > 0) {
      // A cancelled run has seconds before the runner kills it: the restore gets what a target's rollback gets.
      const budgetMs = signal?.aborted ? CANCEL_ROLLBACK_MS : TEMPLATE_RESTORE_MS
      await restoreTemplates(context, done.templates, report, { deadline: Date.now() + budgetMs })
    }
    throw error
  }
  const refused = report.deployments.filter((entry) => entry.kind === 'template' && entry.status === 'failed')
  if (refused.length > 0)
    throw new ActionError(
      `The targets rolled out, but ${refused.length} template(s) could not be updated to ${plan.deployImage}:\n${refused.map((entry) => `- template ${entry.id}: ${entry.reason ?? 'refused'}`).join('\n')}\nPods and endpoints created from ${refused.length === 1 ? 'it' : 'them'} still get the image ${refused.length === 1 ? 'it names' : 'they name'}: rerun the workflow to update ${refused.length === 1 ? 'it' : 'them'}.`
    )
  // Without the wait, targets may still be pulling with an older credential: keep them all.
  if (inputs.wait) await cleanUpCredentials(plan, done.steps, runpod, log, report)
}

/** The smoke test and the canary in words, for the log, the summary and the plan comment. */
function describeChecks(inputs: DeployInputs, plan: DeployPlan, log: Logger): DeployReport['checks'] {
  const checks: { smoke?: string; canary?: string; readiness?: string } = {}
  if (inputs.smoke) {
    const endpoints = plan.targets.filter((step) => step.target.kind === 'endpoint').map((step) => step.target.id)
    if (endpoints.length === 0)
      log.warning(
        "Input 'smoke-test' is set but no endpoint is a target: the smoke test runs on Serverless endpoints only."
      )
    const expected = inputs.smoke.expect === undefined ? '' : `, output must contain ${shorten(inputs.smoke.expect)}`
    checks.smoke = `${shorten(inputs.smoke.body)} to ${endpoints.length > 0 ? `endpoint ${endpoints.join(', ')}` : 'no endpoint'} once rolled out${expected}, within ${inputs.smoke.timeoutSeconds} s${inputs.mode === 'verify' ? ' (verify mode sends no job)' : ''}`
  }
  if (inputs.canary) {
    const step = plan.targets.find((candidate) => candidate.target.id === inputs.canary)
    checks.canary = `${step?.target.kind ?? 'target'} ${inputs.canary} is deployed and proven first; the others only when it passes`
  }
  const pods = plan.targets.filter((step) => step.target.kind === 'pod')
  if (pods.length > 0) {
    const health = inputs.healthCheck
    const ready =
      inputs.minReadySeconds > 0
        ? `once its container has run the new image ${inputs.minReadySeconds} s without a restart`
        : 'as soon as it runs the new image (min-ready-seconds: 0)'
    checks.readiness = `a pod counts as rolled out ${ready}${health ? `, and GET ${health.urlTemplate.replaceAll('{port}', String(health.port))}${health.path} answers 2xx within ${health.timeoutSeconds} s` : ''}`
    log.info(`Pod readiness: ${checks.readiness}`)
  } else if (inputs.healthCheck) {
    log.warning(
      "Input 'health-check' is set but no pod is a target: the health check runs on pods only; Serverless endpoints are proven with 'smoke-test'."
    )
  }
  if (checks.smoke) log.info(`Smoke test: ${checks.smoke}`)
  if (checks.canary) log.info(`Canary: ${checks.canary}`)
  return checks.smoke || checks.canary || checks.readiness ? checks : undefined
}

/** What the wait needs of the run. */
interface Rollout {
  readonly inputs: DeployInputs
  readonly plan: DeployPlan
  readonly runpod: RunpodClient
  readonly log: Logger
  readonly report: DeployReport
  readonly jobs?: JobClient
  readonly signal?: AbortSignal
  readonly rollbackImage?: (image: string) => Promise<string | undefined>
}

/** Waits for the patched targets (unless told not to) and fails the run when any did not roll out. */
async function finishRollouts(
  { inputs, plan, runpod, log, report, jobs, signal, rollbackImage }: Rollout,
  { rollouts, patchFailures }: Written
): Promise<void> {
  if (!inputs.wait) {
    report.deployments.push(...rollouts.map((rollout) => record(rollout.target, rollout.image, 'updated')))
  } else if (rollouts.length > 0) {
    const options = {
      timeoutMs: inputs.waitTimeoutSeconds * 1000,
      rollback: inputs.rollback,
      ...(rollbackImage ? { rollbackImage } : {}),
      readiness: {
        minReadySeconds: inputs.minReadySeconds,
        ...(inputs.healthCheck ? { health: inputs.healthCheck } : {})
      },
      ...(signal ? { signal } : {}),
      ...(jobs && inputs.smoke ? { smoke: { jobs, settings: inputs.smoke } } : {})
    }
    const outcomes = await inGroup(log, 'Rollout', () => waitForRollouts(runpod, rollouts, options, log))
    for (const outcome of outcomes) {
      const { kind, id, name, previousImage, image, status, durationMs, reason, note, diagnostics } = outcome
      const patchedAt = outcome.patchedAt.getTime()
      report.deployments.push({
        kind,
        id,
        name,
        previousImage,
        image,
        status,
        durationMs,
        ...(reason ? { reason } : {}),
        ...(note ? { note } : {}),
        ...(outcome.smoke ? { smoke: outcome.smoke } : {}),
        ...(outcome.health ? { health: outcome.health } : {}),
        diagnostics,
        timeline: {
          patchedAt,
          ...(outcome.readyAt ? { readyAt: outcome.readyAt.getTime() } : {}),
          ...(outcome.rollbackAt ? { rollbackAt: outcome.rollbackAt.getTime() } : {}),
          endedAt: patchedAt + durationMs
        }
      })
      if (note) log.notice(`${kind} ${id}: ${note}`)
      if (diagnostics.length > 0)
        log.error(`${kind} ${id} did not roll out: ${reason ?? ''}\n${diagnostics.join('\n')}`, {
          title: `${kind} ${id}`
        })
    }
    const rolloutFailure = rolloutError(outcomes)
    if (rolloutFailure)
      throw patchFailures.length > 0
        ? new ActionError(`${rolloutFailure.message}\n${patchFailures.join('\n')}`)
        : rolloutFailure
  }
  if (patchFailures.length > 0) {
    throw new ActionError(
      `${patchFailures.length} target(s) could not be updated to ${plan.deployImage}:\n${patchFailures.join('\n')}`
    )
  }
}

/**
 * Why a rollback image of this registry can no longer be pulled (gone, or not ACTIVE), or undefined when it can
 * or when that cannot be read: the rollback is then tried as before.
 */
async function rollbackImageProblem(
  ecr: ECRClient,
  deployed: ImageReference,
  previous: string
): Promise<string | undefined> {
  let reference: ImageReference
  try {
    reference = parseImageReference(previous)
  } catch {
    return undefined
  }
  const repo = reference.ecr
  if (!repo || repo.account !== deployed.ecr?.account || repo.region !== deployed.ecr.region) return undefined
  try {
    const found = await describeImage(ecr, repo, { tag: reference.tag, digest: reference.digest })
    if (found.status === undefined || found.status === 'ACTIVE') return undefined
    return `its previous image ${previous} is ${found.status} in ECR and cannot be pulled: unless a host still has it cached, restore it to ACTIVE (ECR console → the image → Restore).`
  } catch (error) {
    return error instanceof ImageNotFoundError
      ? `its previous image ${previous} is not in ECR as an ACTIVE image any more (expired or archived by a lifecycle rule, or deleted): unless a host still has it cached, restore it or push it again.`
      : undefined
  }
}
