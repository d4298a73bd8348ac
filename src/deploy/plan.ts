import { ActionError } from '../errors.js'
import { findDelegation } from '../runpod/delegations.js'
import type { EcrRepository } from '../aws/arn.js'
import { formatImageReference, imageWithDigest, type ImageReference } from '../aws/image-reference.js'
import {
  judgeFit,
  type Capacity,
  type FitReport,
  type ImageChecks,
  type ImageFacts,
  type PlacementChange
} from '../image/fit.js'
import { judgeWayBack, type RepositoryFacts, type WayBackReport } from '../image/way-back.js'
import type { PolicyMode, RegistryAuth } from '../inputs.js'
import type { RegistryPolicyRead } from '../aws/ecr.js'
import { analyzePolicies, type PolicyInPlay } from '../policy/grant.js'
import { reviewPolicy, type PolicyReview } from '../policy/review.js'
import { mergeRunpodGrant, refuseDeniedPull, reviewStoredPolicy, type MergeResult } from '../policy/merge.js'
import { runpodStatement } from '../policy/runpod-statement.js'
import { defaultCredentialName, planCredential, type CredentialStep } from '../runpod/registries.js'
import type { ContainerEnv, EcrDelegation, RegistryCredential } from '../runpod/wire.js'
import type { TargetState } from '../runpod/targets.js'
import type { TemplateState } from '../runpod/templates.js'
import {
  applyEnvChange,
  isEmptyDiff,
  isSecretReference,
  looksLikeSecretKey,
  type EnvChange,
  type EnvDiff
} from '../runpod/env.js'

export interface DeploySettings {
  readonly policy: PolicyMode
  readonly principals: readonly string[]
  readonly registryAuth: RegistryAuth
  readonly pinDigest: boolean
  /** token mode; default ecr-ACCOUNT-REGION. */
  readonly registryCredentialName?: string
  /** token mode: names a rotated credential (kept out of the plan's logic so it stays pure). */
  readonly now?: Date
  /** `health-check`'s port: every pod must expose it as `PORT/http` for Runpod's proxy to reach it. */
  readonly healthPort?: number
  /** Whether (and how strictly) the image is judged against the targets; default off. */
  readonly imageChecks?: ImageChecks
  readonly minCudaVersion?: string
  /** The `env` input: changes sent with the image. */
  readonly env?: EnvChange
}

/** Everything the read phase found; the plan is decided from this alone. */
export interface DeployReads {
  readonly image: ImageReference
  /** Digest ECR reports for the image; absent for public images, which are not looked up. */
  readonly imageDigest?: string
  /** Present when the repository policy was read; `text` is undefined when the repository has none. */
  readonly policy?: { readonly text: string | undefined }
  /** The registry policy and its scope, read with the repository policy. */
  readonly registryPolicy?: RegistryPolicyRead
  /** Present when delegations were listed (registry-auth: delegation on a private image). */
  readonly delegations?: readonly EcrDelegation[]
  /** Present when registry credentials were listed (registry-auth: token on a private image). */
  readonly registries?: readonly RegistryCredential[]
  readonly targets: readonly TargetState[]
  /** What was read of the image's content (platforms, config, state): absent with `image-checks: off`. */
  readonly imageFacts?: ImageFacts
  /** Runpod's serverless GPU capacity at the image's CUDA floor, read when endpoints may get it. */
  readonly capacity?: Capacity
  /** The repositories of this registry that hold the targets' rollback images. */
  readonly rollbackRepositories?: readonly RepositoryFacts[]
  /** The templates of `template-id`, all owned by the key. */
  readonly templates?: readonly TemplateState[]
}

export type PolicyStep =
  | { readonly kind: 'skipped'; readonly reason: string }
  | ({ readonly kind: 'granted' } & PolicyFacts)
  | ({ readonly kind: 'apply'; readonly merge: MergeResult } & PolicyFacts)

/** What the plan says about a repository policy that lets Runpod pull (as it is, or once merged). */
export interface PolicyFacts {
  readonly supersededAccount: boolean
  /** RPD013: Deny statements that may still block the pull through what cannot be known offline. */
  readonly uncertain: readonly string[]
  /** RPD013 of the registry policy (V2), on this repository. */
  readonly registryUncertain: readonly string[]
  readonly registry: RegistryPolicyPart
}

/**
 * The registry policy's part in the verdict: none; present but not enforced on pulls (scope V1); judged with
 * the repository policy (V2), where no Deny of it applies (`grants`: its Allow is what grants the pull); or
 * unknown, with why. A registry Deny that applies fails the plan instead.
 */
export type RegistryPolicyPart =
  | { readonly kind: 'none' | 'not-enforced' | 'judged' | 'grants' }
  | { readonly kind: 'unknown'; readonly reason: string }

export type DelegationStep =
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'reuse'; readonly delegation: EcrDelegation }
  | { readonly kind: 'create'; readonly repository: EcrRepository }

export interface TargetStep {
  readonly target: TargetState
  readonly change: 'patch' | 'unchanged'
  /**
   * token mode: `set` puts the credential into the PATCH (with the image, one restart or release);
   * `kept` is a pod already on the image but on another credential, left alone so it is not restarted.
   */
  readonly credential?: 'set' | 'kept'
  /** An endpoint's CUDA placement raised to the image's floor in the same PATCH (image-checks: enforce). */
  readonly placement?: PlacementChange
  /** The env sent in the same PATCH (whole, as Runpod replaces it), when the `env` input changes it. */
  readonly env?: EnvStep
}

/** The env a target gets, and which keys that adds, changes and removes (names only). */
export interface EnvStep {
  readonly after: ContainerEnv
  readonly diff: EnvDiff
}

/** A template kept in step with the image: one PATCH with what changes, restored when the deploy fails. */
export interface TemplateStep {
  readonly template: TemplateState
  readonly change: 'patch' | 'unchanged'
  readonly env?: EnvStep
  /** token mode: the registry credential goes into the PATCH. */
  readonly credential?: 'set'
  /** `allowedCudaVersions` reduced to the image's floor (image-checks: enforce). */
  readonly placement?: { readonly before: readonly string[]; readonly after: readonly string[] }
}

export interface DeployPlan {
  /** The exact reference targets will run: a tag, or a digest with pin-digest. */
  readonly deployImage: string
  readonly digest?: string
  readonly policy: PolicyStep
  readonly delegation: DelegationStep
  readonly credential: CredentialStep
  readonly targets: readonly TargetStep[]
  readonly templates: readonly TemplateStep[]
  readonly warnings: readonly string[]
  /** The image judged against the targets (absent with image-checks: off or a public image). */
  readonly fit?: FitReport
  /** The image each patched target would be rolled back to, and whether it can still be pulled. */
  readonly wayBack?: WayBackReport
}

/**
 * Decides every write from what was read. Anything that would make the deploy fail throws here, before the
 * first write, so a bad run changes nothing.
 */
export function planDeploy(settings: DeploySettings, reads: DeployReads): DeployPlan {
  const { image } = reads
  const digest = reads.imageDigest ?? image.digest
  const deployImage = chooseDeployImage(settings, image, digest)
  const warnings: string[] = []
  if (image.tag === 'latest' && !settings.pinDigest && !image.digest) {
    warnings.push(
      `Input 'image' uses the ':latest' tag. Runpod caches images by reference, so a host that already pulled ':latest' may keep running the old image. Set 'pin-digest: true' (deploys ${image.repository}@sha256:…) or push a unique tag.`
    )
  }
  const policy = planPolicy(settings, reads)
  if (policy.kind !== 'skipped' && policy.supersededAccount) {
    warnings.push(
      `The repository policy of ${image.repository} still grants the superseded Runpod account 418399314813, which no longer pulls images. Remove that principal; Runpod's current deployment roles are in account 550005742258.`
    )
  }
  const pullRisk = 'The deploy goes on; if Runpod cannot pull the image, this Deny is why.'
  for (const uncertain of policy.kind === 'skipped' ? [] : policy.uncertain)
    warnings.push(`The repository policy of ${image.repository}: ${uncertain} ${pullRisk}`)
  for (const uncertain of policy.kind === 'skipped' ? [] : policy.registryUncertain)
    warnings.push(`The registry policy of account ${image.ecr?.account ?? ''}: ${uncertain} ${pullRisk}`)
  warnings.push(...literalSecretWarnings(settings.env))
  const credential = planRegistryCredential(settings, reads)
  // token mode: the credential each PATCH carries (its id unknown until a create).
  const sentCredential =
    credential.kind === 'refresh'
      ? { id: credential.current.id }
      : credential.kind === 'create'
        ? { id: undefined }
        : undefined
  const targets = planTargets(reads.targets, deployImage, sentCredential, settings.env)
  if (settings.healthPort !== undefined) checkHealthPort(settings.healthPort, targets)
  const templateSteps = planTemplates(reads.templates ?? [], deployImage, settings.env, sentCredential)
  const fit = judgeImage(settings, reads, targets, templateSteps)
  if (fit && fit.misfits.length > 0) {
    if (fit.checks === 'enforce') {
      throw new ActionError(
        `The image would not run where it is sent${fit.misfits.length === 1 ? '' : ` (${fit.misfits.length} problems)`}, so nothing was changed:\n${fit.misfits.map((misfit) => `- ${misfit}`).join('\n')}\nFix the image or the targets; 'image-checks: warn' deploys anyway.`
      )
    }
    warnings.push(...fit.misfits)
  }
  warnings.push(...(fit?.warnings ?? []))
  const wayBack = reads.rollbackRepositories
    ? judgeWayBack(
        targets
          .filter((step) => step.change === 'patch' && step.target.image !== '')
          .map(({ target }) => ({ kind: target.kind, id: target.id, image: target.image })),
        reads.rollbackRepositories,
        (settings.now ?? new Date()).getTime()
      )
    : undefined
  warnings.push(...(wayBack?.warnings ?? []))
  const placed = targets.map((step) => {
    const placement = fit?.targets.find(
      (judged) => judged.kind === step.target.kind && judged.id === step.target.id
    )?.placement
    return placement ? { ...step, placement } : step
  })
  for (const step of placed) {
    if (step.change === 'patch' && step.target.kind === 'endpoint' && step.target.workersMax === 0) {
      warnings.push(
        `Endpoint ${step.target.id} (input 'endpoint-id') has max workers 0, as Runpod sets it after 7 days without requests: no worker will run the new release until you raise max workers (Runpod console → the endpoint → Edit).`
      )
    }
  }
  const templates = templateSteps.map((step) => {
    const placement = fit?.templates.find((judged) => judged.id === step.template.id)?.placement
    return placement ? { ...step, placement } : step
  })
  return {
    deployImage,
    ...(digest ? { digest } : {}),
    policy,
    delegation: planDelegation(settings, reads),
    credential,
    targets: placed,
    templates,
    warnings,
    ...(fit ? { fit } : {}),
    ...(wayBack ? { wayBack } : {})
  }
}

/** The image's facts against every target, when they were read (private images, image-checks on). */
function judgeImage(
  settings: DeploySettings,
  reads: DeployReads,
  steps: readonly TargetStep[],
  templateSteps: readonly TemplateStep[]
): FitReport | undefined {
  const checks = settings.imageChecks ?? 'off'
  if (checks === 'off' || !reads.imageFacts) return undefined
  const targets = steps.map(({ target, change, env }) => ({
    kind: target.kind,
    id: target.id,
    patched: change === 'patch',
    // The runtime judges the env the container will start with: the one after the change.
    ...(env ? { env: env.after } : target.env === undefined ? {} : { env: target.env }),
    ...(target.kind === 'pod'
      ? { cudaVersion: target.cudaVersion ?? null, gpuId: target.gpuId ?? null }
      : { placement: target.placement ?? null })
  }))
  const templates = templateSteps.map(({ template, change, env }) => ({
    id: template.id,
    env: env ? env.after : template.env,
    allowedCudaVersions: template.allowedCudaVersions,
    patched: change === 'patch'
  }))
  return judgeFit(reads.imageFacts, targets, {
    checks,
    templates,
    ...(settings.minCudaVersion ? { minCudaVersion: settings.minCudaVersion } : {}),
    ...(reads.capacity ? { capacity: reads.capacity } : {})
  })
}

/**
 * What each target needs. Without a managed credential only the image counts. With one (`id` undefined
 * while it is still to be created), a target moving to the image gets the credential in the same PATCH;
 * a target already on the image but on another credential gets a credential-only PATCH if it is an
 * endpoint (a new release that rolls out as workers cycle, which they do whenever they scale, and a
 * worker that starts must be able to pull), but not if it is a pod: any PATCH restarts the pod's
 * container, and a running pod needs no credential until its next pull.
 */
export function planTargets(
  targets: readonly TargetState[],
  deployImage: string,
  credential?: { readonly id: string | undefined },
  env?: EnvChange
): TargetStep[] {
  if (env) refuseUnknownEnv(targets)
  return targets.map((target): TargetStep => {
    const envStep = env ? envChangeOf(target, env) : undefined
    const withEnv = envStep ? { env: envStep } : {}
    const onImage = target.image === deployImage
    if (!credential)
      return onImage && !envStep ? { target, change: 'unchanged' } : { target, change: 'patch', ...withEnv }
    if (!onImage) return { target, change: 'patch', credential: 'set', ...withEnv }
    if (credential.id !== undefined && target.registry === credential.id)
      return envStep ? { target, change: 'patch', ...withEnv } : { target, change: 'unchanged' }
    // An env change restarts a pod anyway: the credential travels with it.
    if (envStep) return { target, change: 'patch', credential: 'set', ...withEnv }
    return target.kind === 'pod'
      ? { target, change: 'unchanged', credential: 'kept' }
      : { target, change: 'patch', credential: 'set' }
  })
}

/**
 * What each template needs: the image, and the env and (token mode) the credential with it. A template whose
 * answer carried no env object cannot take an env change, for the same reason as a target.
 */
export function planTemplates(
  templates: readonly TemplateState[],
  deployImage: string,
  env: EnvChange | undefined,
  credential: { readonly id: string | undefined } | undefined
): TemplateStep[] {
  if (env) {
    const unknown = templates.filter((template) => template.env === null)
    if (unknown.length > 0)
      throw new ActionError(
        `Input 'env' is set, but Runpod's answer for template ${unknown.map((template) => template.id).join(', ')} (input 'template-id') carries no env object, so its variables are unknown, and an update replaces env as a whole. Nothing was changed. Remove 'env' or that template, or check it in the Runpod console and rerun.`
      )
  }
  return templates.map((template): TemplateStep => {
    const envStep = env ? envChangeOf(template, env) : undefined
    const credentialMoves =
      credential !== undefined && (credential.id === undefined || template.registry !== credential.id)
    const changes = template.image !== deployImage || envStep !== undefined || credentialMoves
    return {
      template,
      change: changes ? 'patch' : 'unchanged',
      ...(envStep && changes ? { env: envStep } : {}),
      ...(credentialMoves && changes ? { credential: 'set' as const } : {})
    }
  })
}

/** The env a target or template gets from the change; undefined when the change leaves it as it is. */
function envChangeOf(target: { readonly env?: ContainerEnv | null }, change: EnvChange): EnvStep | undefined {
  const { env, diff } = applyEnvChange(target.env ?? {}, change)
  return isEmptyDiff(diff) ? undefined : { after: env, diff }
}

/**
 * Runpod replaces `env` as a whole: a target whose answer carried no env object has an env the action cannot
 * see, and a PATCH could wipe variables it never saw. That is refused before any write.
 */
function refuseUnknownEnv(targets: readonly TargetState[]): void {
  const unknown = targets.filter((target) => target.env === null)
  if (unknown.length === 0) return
  const which = unknown.map((target) => `${target.kind} ${target.id} (input '${target.kind}-id')`).join(', ')
  throw new ActionError(
    `Input 'env' is set, but Runpod's answer for ${which} carries no env object, so its current variables are unknown, and an update replaces env as a whole: it could remove variables nobody meant to. Nothing was changed. Remove 'env' for ${unknown.length === 1 ? 'that target' : 'those targets'} (deploy them in a step of their own), or check their env in the Runpod console and rerun.`
  )
}

/** A literal value under a key that names a secret: it is stored at Runpod in plain text. */
function literalSecretWarnings(env: EnvChange | undefined): string[] {
  return [...(env?.set ?? [])]
    .filter(([key, value]) => looksLikeSecretKey(key) && value !== '' && !isSecretReference(value))
    .map(
      ([key]) =>
        `Input 'env' sets ${key} to a literal value: it is stored with the pod or endpoint at Runpod in plain text, and anyone who can see it in the console can read it. Store it as a Runpod secret and write '${key}={{ RUNPOD_SECRET_name }}': Runpod puts the value in when the container starts.`
    )
}

function planRegistryCredential(settings: DeploySettings, reads: DeployReads): CredentialStep {
  const ecr = reads.image.ecr
  if (settings.registryAuth !== 'token')
    return { kind: 'skipped', reason: `input 'registry-auth' is ${settings.registryAuth}` }
  if (!ecr) return { kind: 'skipped', reason: 'public images need no registry credential' }
  if (!reads.registries || !settings.now)
    throw new Error('registry-auth: token needs the registry credentials and the time')
  return planCredential(
    settings.registryCredentialName ?? defaultCredentialName(ecr),
    reads.registries,
    reads.targets,
    settings.now
  )
}

function chooseDeployImage(settings: DeploySettings, image: ImageReference, digest: string | undefined): string {
  if (!settings.pinDigest) return formatImageReference(image)
  if (!digest) {
    throw new ActionError(
      `Input 'pin-digest' is true, but the digest of ${formatImageReference(image)} is unknown (public images are not looked up). Put the digest in 'image' (REPO@sha256:…) or set 'pin-digest: false'.`
    )
  }
  return imageWithDigest(image, digest)
}

function planPolicy(settings: DeploySettings, reads: DeployReads): PolicyStep {
  const ecr = reads.image.ecr
  if (!ecr) return { kind: 'skipped', reason: 'public images need no repository policy' }
  if (settings.policy === 'skip' || !reads.policy) return { kind: 'skipped', reason: "input 'policy' is skip" }
  const { principals } = settings
  const repositoryName = `the repository policy of ${ecr.repository}`
  // Each policy text is parsed, linted and judged once; every step below takes that review.
  const existing = reviewStoredPolicy(reads.policy.text, principals)
  const registry = registryInPlay(reads.registryPolicy, ecr.arn, principals)
  const inPlay = (repository: PolicyReview | undefined): PolicyInPlay[] => [
    ...(repository ? [{ name: repositoryName, doc: repository.doc }] : []),
    ...(registry.review
      ? [
          {
            name: `the registry policy of account ${ecr.account} in ${ecr.region}`,
            doc: registry.review.doc,
            resource: ecr.arn
          }
        ]
      : [])
  ]
  // Runpod's pull is judged over both policies, as IAM evaluates it; the action writes only the repository
  // policy, so only that text must also pass the lint.
  const facts = (repository: PolicyReview | undefined) => ({
    // The stored policy is what still grants the superseded account: a merged text may no longer name it.
    supersededAccount: existing?.grant.supersededAccount ?? false,
    uncertain: uncertainIn(repository),
    registryUncertain: uncertainIn(registry.review),
    registry:
      registry.part.kind === 'judged' && !repository?.grant.pullable ? { kind: 'grants' as const } : registry.part
  })
  if (settings.policy === 'apply') {
    // The merge refuses a denied pull (it never edits a Deny) and a policy that would stay unsafe, so a
    // granted but public policy fails here too; a registry Deny is refused with the merged text.
    const merge = mergeRunpodGrant(existing, principals, ecr.repository)
    refuseDeniedPull(inPlay(merge.review), principals)
    return merge.changed
      ? { kind: 'apply', merge, ...facts(merge.review) }
      : { kind: 'granted', ...facts(merge.review) }
  }
  // No statement could undo a Deny, and the action never edits one: a denied pull fails in verify mode too.
  refuseDeniedPull(inPlay(existing), principals)
  const analysis = analyzePolicies(inPlay(existing), principals)
  if (analysis.pullable) {
    // RPD001 is about the repository policy alone; the pull may be granted by the registry policy.
    const errors = (existing?.findings ?? []).filter(
      (finding) => finding.severity === 'error' && finding.rule !== 'RPD001'
    )
    if (errors.length === 0) return { kind: 'granted', ...facts(existing) }
    throw new ActionError(
      `The repository policy of ${ecr.repository} lets Runpod pull but is unsafe: ${errors.map((finding) => `${finding.rule} at line ${finding.line}: ${finding.message}`).join('; ')}. Fix those statements in the repository policy, then rerun.`
    )
  }
  const missing = existing
    ? analysis.missing.map((gap) => `${gap.principal} lacks ${gap.actions.join(', ')}`).join('; ')
    : 'the repository has no policy'
  throw new ActionError(
    `The repository policy of ${ecr.repository} does not let Runpod pull (${missing}). Add this statement to the policy, or set 'policy: apply' to let the action add it:\n${JSON.stringify(runpodStatement(principals), null, 2)}`
  )
}

/** The registry policy as it takes part in Runpod's pull: judged only under the V2 scope, and only when read. */
function registryInPlay(
  read: RegistryPolicyRead | undefined,
  repositoryArn: string,
  principals: readonly string[]
): { readonly review?: PolicyReview; readonly part: RegistryPolicyPart } {
  if (!read) return { part: { kind: 'none' } }
  if ('unknown' in read) return { part: { kind: 'unknown', reason: read.unknown } }
  if (read.text === undefined) return { part: { kind: 'none' } }
  if (read.scope === 'V1') return { part: { kind: 'not-enforced' } }
  const kind = { kind: 'registry', repository: repositoryArn } as const
  return { review: reviewPolicy(read.text, 'registry policy', principals, kind), part: { kind: 'judged' } }
}

/** RPD013 findings of a reviewed policy, each with its line. */
function uncertainIn(review: PolicyReview | undefined): string[] {
  return (review?.findings ?? [])
    .filter((finding) => finding.rule === 'RPD013')
    .map((finding) => `line ${finding.line}: ${finding.message}`)
}

function planDelegation(settings: DeploySettings, reads: DeployReads): DelegationStep {
  const ecr = reads.image.ecr
  if (!ecr) return { kind: 'skipped', reason: 'public images need no delegation' }
  if (settings.registryAuth !== 'delegation' || !reads.delegations) {
    return { kind: 'skipped', reason: `input 'registry-auth' is ${settings.registryAuth}` }
  }
  const existing = findDelegation(reads.delegations, ecr)
  return existing ? { kind: 'reuse', delegation: existing } : { kind: 'create', repository: ecr }
}

/** Runpod's proxy reaches only the ports a pod exposes as http: a health check on another one could never pass. */
function checkHealthPort(port: number, steps: readonly TargetStep[]): void {
  const unreachable = steps
    .filter((step) => step.target.kind === 'pod' && step.change === 'patch')
    .filter((step) => !(step.target.ports ?? []).includes(`${port}/http`))
  if (unreachable.length === 0) return
  const which = unreachable
    .map((step) => `${step.target.id} (exposes ${(step.target.ports ?? []).join(', ') || 'no port'})`)
    .join('; ')
  throw new ActionError(
    `Input 'health-check' asks port ${port}, which pod ${which} does not expose as ${port}/http, so Runpod's proxy cannot reach it. Add '${port}/http' to the pod's exposed ports (Runpod console → the pod → Edit), or set 'health-check' to a port the pod serves over http.`
  )
}
