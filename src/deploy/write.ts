// The write phase, in order: repository policy → delegation or registry credential → targets, in parallel.
import type { ECRClient } from '@aws-sdk/client-ecr'
import { readRepositoryPolicy, writeRepositoryPolicy, type EcrAuthorization } from '../aws/ecr.js'
import { isTransientAwsError } from '../aws/sdk.js'
import type { ImageReference } from '../aws/image-reference.js'
import { ActionError, errorMessage } from '../errors.js'
import { analyzeGrant } from '../policy/grant.js'
import { applyRunpodGrant, keepsWrittenPolicy } from '../policy/merge.js'
import { RUNPOD_STATEMENT_SID } from '../policy/runpod-statement.js'
import type { RunpodClient } from '../runpod/client.js'
import type { RequestBudget } from '../runpod/http.js'
import { postDelegation, settleDelegation } from '../runpod/delegations.js'
import { removeCredentials, staleCredentials, syncCredential } from '../runpod/registries.js'
import { describeEnvDiff } from '../runpod/env.js'
import { patchTargetImage } from '../runpod/targets.js'
import { patchTemplate } from '../runpod/templates.js'
import type { RegistryCredential } from '../runpod/wire.js'
import { afterGrace, stopIfCancelled } from './cancel.js'
import type { Logger } from './log.js'
import { planTargets, type DeployPlan, type TargetStep, type TemplateStep } from './plan.js'
import { record, stepRecord, templateRecord, type DeployReport } from './report.js'
import type { PatchedTarget } from './rollout.js'

export interface WriteContext {
  readonly image: ImageReference
  readonly plan: DeployPlan
  readonly principals: readonly string[]
  readonly runpod: RunpodClient
  readonly ecr: ECRClient | undefined
  readonly policyWriter: (() => Promise<ECRClient>) | undefined
  /** token mode: the registry login read from ECR. */
  readonly login: EcrAuthorization | undefined
  /** Registry credentials listed in the read phase. */
  readonly registries: readonly RegistryCredential[]
  readonly log: Logger
  /** Aborted when the workflow is cancelled: no write starts after it, and one in flight gets a grace. */
  readonly signal?: AbortSignal
}

export interface Written {
  /** The target steps as carried out (a credential rotation re-decides them). */
  readonly steps: readonly TargetStep[]
  /** The templates written, with what a restore puts back. */
  readonly templates: readonly WrittenTemplate[]
  readonly rollouts: readonly PatchedTarget[]
  /** One line per target whose PATCH was refused. */
  readonly patchFailures: readonly string[]
  /** The steps not yet carried out: with a canary, every target but the canary, until it passes. */
  readonly held: readonly TargetStep[]
  readonly credentialId: string | undefined
}

/** A template the run wrote: as it was before, to restore it when the deploy fails. */
export interface WrittenTemplate {
  readonly step: TemplateStep
  readonly registry?: string
}

/** A request budget whose signal cuts the request a grace after a cancel (none without a signal). */
function graceBudget(signal: AbortSignal | undefined): { budget?: RequestBudget } {
  return signal ? { budget: { signal: afterGrace(signal) } } : {}
}

/** With `first`, only the steps it picks are patched now; the rest are `held` for patchHeld. */
export async function writeEverything(
  context: WriteContext,
  report: DeployReport,
  first?: (step: TargetStep) => boolean
): Promise<Written> {
  // Runpod validates the repository policy when a delegation is created, so the policy goes first.
  await writePolicy(context, report)
  const delegation = await writeDelegation(context, report)
  const credentialId = await writeCredential(context, report)
  const { plan } = context
  // The plan assumed the credential is refreshed in place; a new one changes what every target needs.
  const steps =
    report.credential?.how === 'rotated' && credentialId !== undefined
      ? planTargets(
          plan.targets.map((step) => step.target),
          plan.deployImage,
          { id: credentialId }
        ).map((step, index) => {
          // What the plan sends with the image stays: the placement and the env.
          const { placement, env } = plan.targets[index] ?? {}
          if (step.change !== 'patch') return step
          return { ...step, ...(placement ? { placement } : {}), ...(env ? { env } : {}) }
        })
      : plan.targets
  const now = first ? steps.filter(first) : steps
  const held = first ? steps.filter((step) => !first(step)) : []
  // The targets do not depend on which delegation serves the repository: they are patched meanwhile. Templates
  // go with every target but a canary: they follow only an image that passed it.
  const [patched, templates] = await Promise.all([
    patchTargets(context, now, credentialId, report),
    first ? [] : patchTemplates(context, credentialId, report),
    delegation.settled
  ])
  return { steps, ...patched, templates, held, credentialId }
}

/** The held steps, patched once the canary passed. */
export async function patchHeld(context: WriteContext, written: Written, report: DeployReport): Promise<Written> {
  stopIfCancelled(context.signal, 'the other targets were patched')
  const [patched, templates] = await Promise.all([
    patchTargets(context, written.held, written.credentialId, report),
    patchTemplates(context, written.credentialId, report)
  ])
  return { ...written, ...patched, templates, held: [] }
}

/**
 * Each template that needs it gets one PATCH with only what changes: the image, the env (whole), the registry
 * credential (token mode) and its allowed CUDA versions. A template is no target: nothing runs it, so there is
 * nothing to wait for. One whose PATCH is refused is recorded failed, and fails the run with the targets.
 */
async function patchTemplates(
  { plan, runpod, log, signal }: WriteContext,
  credentialId: string | undefined,
  report: DeployReport
): Promise<WrittenTemplate[]> {
  for (const step of plan.templates)
    if (step.change === 'unchanged') report.deployments.push(templateRecord(step, plan.deployImage, 'unchanged'))
  const toPatch = plan.templates.filter((step) => step.change === 'patch')
  if (toPatch.length === 0) return []
  stopIfCancelled(signal, `${toPatch.length} template(s) were written`)
  const { budget } = graceBudget(signal)
  const written = await Promise.all(
    toPatch.map(async (step): Promise<WrittenTemplate | undefined> => {
      const registry = step.credential === 'set' ? credentialId : undefined
      try {
        await patchTemplate(
          runpod,
          step.template.id,
          {
            image: plan.deployImage,
            ...(step.env ? { env: step.env.after } : {}),
            ...(registry ? { registry } : {}),
            ...(step.placement ? { allowedCudaVersions: step.placement.after } : {})
          },
          budget
        )
      } catch (error) {
        report.deployments.push({ ...templateRecord(step, plan.deployImage, 'failed'), reason: errorMessage(error) })
        return undefined
      }
      const settings = step.env ? ` (env: ${describeEnvDiff(step.env.diff)})` : ''
      log.info(`Updated template ${step.template.id}: ${step.template.image} → ${plan.deployImage}${settings}`)
      report.deployments.push(templateRecord(step, plan.deployImage, 'updated'))
      return { step, ...(registry ? { registry } : {}) }
    })
  )
  return written.filter((entry): entry is WrittenTemplate => entry !== undefined)
}

/**
 * Puts each written template back as it was (image, env, credential, allowed CUDA versions), so no template
 * points at an image that failed to roll out. Bounded by its own budget, like a target's rollback.
 */
export async function restoreTemplates(
  { plan, runpod, log }: Pick<WriteContext, 'plan' | 'runpod' | 'log'>,
  templates: readonly WrittenTemplate[],
  report: DeployReport,
  budget: RequestBudget
): Promise<void> {
  await Promise.all(
    templates.map(async ({ step, registry }) => {
      const { template } = step
      const index = report.deployments.findIndex((entry) => entry.kind === 'template' && entry.id === template.id)
      let record = templateRecord(step, plan.deployImage, 'rolled-back')
      try {
        await patchTemplate(
          runpod,
          template.id,
          {
            image: template.image,
            ...(step.env && template.env ? { env: template.env } : {}),
            ...(registry ? { registry: template.registry } : {}),
            ...(step.placement ? { allowedCudaVersions: step.placement.before } : {})
          },
          budget
        )
        log.info(`Template ${template.id}: restored to ${template.image}, as a target did not roll out.`)
      } catch (error) {
        record = {
          ...templateRecord(step, plan.deployImage, 'failed'),
          reason: `a target did not roll out, and restoring the template to ${template.image} failed: ${errorMessage(error)}`
        }
      }
      if (index >= 0) report.deployments[index] = record
      else report.deployments.push(record)
    })
  )
}

/** How often the policy is merged again when another writer replaced it in between. */
const POLICY_WRITE_ATTEMPTS = 3

/**
 * SetRepositoryPolicy has no version check (the last writer wins), so the merge is made into a copy read
 * right before the write, and the policy read back afterwards must still hold everything written; when
 * another writer came in between, it is merged again.
 */
async function writePolicy(
  { image, plan, principals, ecr, policyWriter, log, signal }: WriteContext,
  report: DeployReport
): Promise<void> {
  const repo = image.ecr
  if (plan.policy.kind !== 'apply' || !ecr || !repo || !policyWriter) return
  const writer = await policyWriter()
  let sent = false
  try {
    for (let attempt = 1; attempt <= POLICY_WRITE_ATTEMPTS; attempt++) {
      const merge = applyRunpodGrant(await readRepositoryPolicy(ecr, repo), principals, repo.repository)
      if (!merge.changed) {
        log.info(
          sent
            ? `The earlier write of the policy of ${repo.repository} took effect although its answer was lost.`
            : `The policy of ${repo.repository} already grants Runpod pull (written by another run): left as it is.`
        )
        report.policyChanged = sent
        return
      }
      let stored: string
      stopIfCancelled(signal, `the policy of ${repo.repository} was written`)
      try {
        sent = true
        stored = await writeRepositoryPolicy(writer, repo, merge.policyText, signal && afterGrace(signal))
      } catch (error) {
        if (!isTransientAwsError(error) || attempt === POLICY_WRITE_ATTEMPTS) throw error
        log.info(
          `Writing the policy of ${repo.repository} failed (${errorMessage(error)}); reading it again before any new write.`
        )
        continue
      }
      // AWS rewrites what it stores, so the grant is confirmed by meaning, not by comparing text.
      if (!analyzeGrant(stored, principals).pullable) {
        throw new ActionError(
          `The repository policy of ${repo.repository} was written, but the copy AWS stored does not grant Runpod pull. Check the policy in the ECR console (${repo.arn}) and report this as a bug.`
        )
      }
      const readBack = await readRepositoryPolicy(ecr, repo)
      if (readBack !== undefined && keepsWrittenPolicy(readBack, merge.policyText, principals)) {
        log.info(`Added the ${RUNPOD_STATEMENT_SID} statement to the policy of ${repo.repository}.`)
        report.policyChanged = true
        return
      }
      log.info(`Another writer replaced the policy of ${repo.repository} while it was written: merging again.`)
    }
  } finally {
    writer.destroy()
  }
  throw new ActionError(
    `The repository policy of ${repo.repository} kept changing while the action wrote it (${POLICY_WRITE_ATTEMPTS} attempts): another job or tool edits it at the same time. Let deploys of this repository run one at a time (a 'concurrency:' group), then rerun.`
  )
}

/** Creates the delegation when the plan says so; `settled` ends when concurrent creates are settled (see settleDelegation). */
async function writeDelegation(
  { image, plan, runpod, log, signal }: WriteContext,
  report: DeployReport
): Promise<{ readonly settled: Promise<void> }> {
  if (plan.delegation.kind === 'reuse') report.delegationId = plan.delegation.delegation.id
  if (plan.delegation.kind !== 'create') return { settled: Promise.resolve() }
  const { repository } = plan.delegation
  const reference = image.tag === undefined ? (image.digest === undefined ? '' : `@${image.digest}`) : `:${image.tag}`
  const imageUri = `${image.registry}/${image.repository}${reference}`
  stopIfCancelled(signal, `the Runpod delegation for ${repository.arn} was created`)
  const created = await postDelegation(runpod, repository, { imageUri, log, ...graceBudget(signal) }).catch(
    (error: unknown) => {
      throw signal?.aborted
        ? new ActionError(
            `The workflow was cancelled while the Runpod delegation for ${repository.arn} was being created, and the create did not answer within the grace: it may exist at Runpod (the next run finds and reuses it). No target was patched.`,
            { cause: error }
          )
        : error
    }
  )
  log.info(`Created Runpod ECR delegation ${created.id} for ${repository.arn}.`)
  report.delegationId = created.id
  const settled = settleDelegation(runpod, repository, created, log).then((kept) => {
    report.delegationId = kept.id
  })
  // Awaited after the PATCHes; a failure before then must not surface as an unhandled rejection.
  settled.catch(() => undefined)
  return { settled }
}

/** token mode: the id of the credential the targets should use from now on. */
async function writeCredential(
  { plan, runpod, login, registries, log, signal }: WriteContext,
  report: DeployReport
): Promise<string | undefined> {
  if (plan.credential.kind !== 'create' && plan.credential.kind !== 'refresh') return undefined
  if (!login) throw new Error('registry-auth: token needs the ECR login read first')
  const existingIds = new Set(registries.map((registry) => registry.id))
  stopIfCancelled(signal, 'the Runpod registry credential was written')
  const { budget } = graceBudget(signal)
  report.credential = await syncCredential(runpod, log, plan.credential, login, existingIds, budget)
  return report.credential.id
}

async function patchTargets(
  { plan, runpod, log, signal }: WriteContext,
  steps: readonly TargetStep[],
  credentialId: string | undefined,
  report: DeployReport
): Promise<Pick<Written, 'rollouts' | 'patchFailures'>> {
  const toPatch = steps.filter((step) => step.change === 'patch')
  for (const step of steps) {
    if (step.change === 'unchanged')
      report.deployments.push(stepRecord(step, plan.deployImage, 'unchanged', credentialId, log))
  }
  if (toPatch.length === 0) {
    // No targets at all was a warning before the reads.
    if (steps.length > 0) log.info('Every target already runs this image: nothing to patch.')
    return { rollouts: [], patchFailures: [] }
  }
  stopIfCancelled(signal, `${toPatch.length} target(s) were patched`)
  const { budget } = graceBudget(signal)
  const patched = await Promise.allSettled(
    toPatch.map(async (step): Promise<PatchedTarget> => {
      const patchedAt = new Date()
      const registry = step.credential === 'set' ? credentialId : undefined
      await patchTargetImage(runpod, step.target, plan.deployImage, {
        ...(registry === undefined ? {} : { registry }),
        ...(budget ? { budget } : {}),
        ...(step.placement ? { gpu: step.placement.patch } : {}),
        ...(step.env ? { env: step.env.after } : {})
      })
      const answeredAt = new Date()
      const what =
        step.target.image === plan.deployImage
          ? `registry credential ${step.target.registry ?? '(none)'} → ${registry ?? ''}`
          : `${step.target.image} → ${plan.deployImage}`
      const placed = step.placement ? ` (CUDA placement ${JSON.stringify(step.placement.patch)})` : ''
      const settings = step.env ? ` (env: ${describeEnvDiff(step.env.diff)})` : ''
      log.info(
        `Patched ${step.target.kind} ${step.target.id}: ${what}${registry && step.target.image !== plan.deployImage ? ` (registry credential ${registry})` : ''}${placed}${settings}`
      )
      return {
        target: step.target,
        image: plan.deployImage,
        patchedAt,
        answeredAt,
        ...(registry ? { registry } : {}),
        ...(step.placement ? { placement: step.placement } : {}),
        ...(step.env && step.target.env ? { restoreEnv: step.target.env } : {})
      }
    })
  )
  const rollouts = patched.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const patchFailures = patched.flatMap((result, index) => {
    const step = toPatch[index]
    if (result.status === 'fulfilled' || !step) return []
    const reason = signal?.aborted
      ? `the workflow was cancelled while the update was sent, and it did not answer within the grace: it may have taken effect, so check the ${step.target.kind} in the Runpod console (${errorMessage(result.reason)})`
      : errorMessage(result.reason)
    report.deployments.push({ ...record(step.target, plan.deployImage, 'failed'), reason })
    return [`- ${step.target.kind} ${step.target.id}: the update was refused: ${reason}`]
  })
  return { rollouts, patchFailures }
}

/**
 * After every target is on the credential: delete the older credentials of the name that none of the
 * targets uses any more. Runs only after a successful rollout, so a rollback can still find its credential.
 */
export async function cleanUpCredentials(
  plan: DeployPlan,
  steps: readonly TargetStep[],
  runpod: RunpodClient,
  log: Logger,
  report: DeployReport
): Promise<void> {
  const credential = report.credential
  if (plan.credential.kind !== 'refresh' || !credential) return
  const inUse = new Set(
    steps.flatMap((step) => (step.credential === 'set' ? [] : step.target.registry ? [step.target.registry] : []))
  )
  const stale = staleCredentials(plan.credential.family, credential.id, inUse)
  if (stale.length > 0) credential.cleanup = await removeCredentials(runpod, log, stale)
}
