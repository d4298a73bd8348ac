// Will the image run where it is sent: the image's facts judged against every target, purely. Runpod's hosts
// are linux/amd64; a pod keeps its host (and the host's CUDA driver) when its image changes; an endpoint
// places workers by its CUDA constraints, which the deploy can raise in the same PATCH as the image.
import type { ImageConfig } from './config.js'
import { compareCuda, cudaFloor, type CudaFloor } from './cuda.js'
import { podHost } from './gpu-host.js'
import { isHigherAmd64Level, RUNPOD_PLATFORM } from './manifest.js'
import { compareVersionParts, cudaFloorsOf, judgeRequirements, type RequirementJudgement } from './requirements.js'

export type ImageChecks = 'enforce' | 'warn' | 'off'

/** What was read of the image; an undefined fact could not be read (`unknown` says why). */
export interface ImageFacts {
  /** The reference, for messages. */
  readonly image: string
  readonly platforms?: readonly string[]
  /** The linux/amd64 config. */
  readonly config?: ImageConfig
  /** ECR's `imageStatus`. */
  readonly status?: string
  /** How the repository's layers are encrypted; undefined when it could not be read. */
  readonly encryption?: EncryptionFacts
  readonly unknown: readonly string[]
}

/** A repository's encryption, as far as a pull depends on it: a KMS key ECR must be able to decrypt with. */
export interface EncryptionFacts {
  readonly repository: string
  /** `AES256`, `KMS` or `KMS_DSSE`. */
  readonly type: string
  /** The key of KMS encryption, with its state when KMS told it. */
  readonly key?: { readonly arn: string; readonly state?: string; readonly manager?: string }
}

/** Key states in which KMS refuses to decrypt: ECR cannot serve a layer, to anyone. */
const UNUSABLE_KEY_STATES = new Set([
  'Disabled',
  'PendingDeletion',
  'PendingReplicaDeletion',
  'PendingImport',
  'Unavailable'
])

/** Where an endpoint's workers may be placed, as far as CUDA goes. */
export interface Placement {
  readonly minCudaVersion: string | null
  readonly allowedCudaVersions: readonly string[]
  /** Serverless GPU pools the endpoint draws workers from (for the capacity check). */
  readonly pools?: readonly string[]
}

/** Runpod's GPU catalog at the floor: which pools have capacity now at which CUDA versions. */
export type Capacity = readonly {
  readonly pool: string | null
  readonly cudaVersions: readonly { readonly version: string; readonly available: boolean }[]
}[]

/** The part of a target the fit is judged on. */
export interface FitTarget {
  readonly kind: 'pod' | 'endpoint'
  readonly id: string
  /** Pods: the CUDA version the host reports; null when it reports none. */
  readonly cudaVersion?: string | null
  /** Pods: the GPU model (`gpu.id`), which gives the brand NVIDIA's rules compare; null when unknown. */
  readonly gpuId?: string | null
  /** The env the target sets on the container (over the image's); null when Runpod did not report it. */
  readonly env?: Readonly<Record<string, string>> | null
  /** Endpoints: the GPU placement; null for an endpoint without GPUs. */
  readonly placement?: Placement | null
  /** Whether the deploy patches it (a placement changes only with the image). */
  readonly patched: boolean
}

/** A placement the deploy writes with the image, and the one a rollback restores. */
export interface PlacementChange {
  readonly before: Placement
  readonly after: Placement
  /** The `gpu` of the PATCH: only the field that changes (the two are exclusive when non-empty). */
  readonly patch: { readonly minCudaVersion: string } | { readonly allowedCudaVersions: readonly string[] }
  /** The `gpu` of the rollback's PATCH. */
  readonly restore: { readonly minCudaVersion: string } | { readonly allowedCudaVersions: readonly string[] }
}

export interface TargetFit {
  readonly kind: 'pod' | 'endpoint'
  readonly id: string
  /** What the target offers, in words (`host CUDA 12.4`, `minCudaVersion 12.8`). */
  readonly offers: string
  readonly verdict: 'fits' | 'misfit' | 'unknown'
  /** The rule that decided the verdict, in words (the requirement and the host, or the floor). */
  readonly rule?: string
  readonly reason?: string
  /** Something to know about a fit (a pod that starts only through a driver-branch alternative). */
  readonly warning?: string
  /** Endpoints: the floor their placement needs, from the container env. */
  readonly floor?: CudaFloor
  readonly placement?: PlacementChange
}

/** A template as the fit judges it: its env after the change, and the CUDA versions it allows. */
export interface FitTemplate {
  readonly id: string
  readonly env?: Readonly<Record<string, string>> | null
  readonly allowedCudaVersions: readonly string[]
  /** Whether the deploy writes it: a placement changes only with the image. */
  readonly patched: boolean
}

export interface TemplateFit {
  readonly id: string
  readonly verdict: 'fits' | 'misfit'
  readonly rule: string
  readonly reason?: string
  /** `allowedCudaVersions` reduced to the floor in the same PATCH, and what a rollback restores. */
  readonly placement?: { readonly before: readonly string[]; readonly after: readonly string[] }
}

export interface FitReport {
  readonly checks: ImageChecks
  readonly platforms?: readonly string[]
  readonly floor?: CudaFloor
  readonly status?: string
  readonly encryption?: EncryptionFacts
  readonly targets: readonly TargetFit[]
  readonly templates: readonly TemplateFit[]
  /** Each misfit in a sentence that says what to do: `enforce` fails on them, `warn` warns. */
  readonly misfits: readonly string[]
  /** Facts that could not be read: notices, never a pass or a failure. */
  readonly notices: readonly string[]
  /** Risks that do not stop the deploy (no capacity at the floor now). */
  readonly warnings: readonly string[]
}

export function judgeFit(
  facts: ImageFacts,
  targets: readonly FitTarget[],
  settings: {
    /** Templates kept in step with the image: their allowed CUDA versions against the floor. */
    readonly templates?: readonly FitTemplate[]
    readonly checks: Exclude<ImageChecks, 'off'>
    readonly minCudaVersion?: string
    /** The catalog read at the floor, when an endpoint's placement is raised. */
    readonly capacity?: Capacity
  }
): FitReport {
  const misfits: string[] = []
  const notices = [...facts.unknown]
  const levels = facts.platforms?.filter(isHigherAmd64Level) ?? []
  if (facts.platforms && !facts.platforms.includes(RUNPOD_PLATFORM) && levels.length > 0) {
    notices.push(
      `${facts.image} offers amd64 only for a higher micro-architecture level (${levels.join(', ')}), and Runpod does not publish which CPU levels its hosts have: whether it runs there is unknown. Build for plain ${RUNPOD_PLATFORM} as well ('docker buildx build --platform ${RUNPOD_PLATFORM}').`
    )
  } else if (facts.platforms && !facts.platforms.includes(RUNPOD_PLATFORM)) {
    misfits.push(
      `${facts.image} has no ${RUNPOD_PLATFORM} image (it offers ${facts.platforms.join(', ') || 'no platform'}), and Runpod's hosts are ${RUNPOD_PLATFORM}: the container would fail with 'exec format error' or 'no matching manifest'. Build for it: 'docker buildx build --platform ${RUNPOD_PLATFORM}' (or add it to the platforms you build).`
    )
  }
  if (facts.status === undefined) {
    if (facts.platforms)
      notices.push(`ECR did not say whether ${facts.image} is ACTIVE or archived: its state is unknown.`)
  } else if (facts.status !== 'ACTIVE') {
    misfits.push(
      `${facts.image} is ${facts.status} in ECR, and archived images cannot be pulled. Restore it to ACTIVE (ECR console → the image → Restore) and rerun once it is, or push it again.`
    )
  }
  const key = keyProblem(facts.encryption)
  if (key?.misfit) misfits.push(key.misfit)
  if (key?.notice) notices.push(key.notice)
  const imageEnv = facts.config?.env ?? new Map<string, string>()
  const floor = cudaFloor(imageEnv, settings.minCudaVersion)
  const enforce = settings.checks === 'enforce'
  const judged = targets.map((target) =>
    target.kind === 'pod'
      ? judgePod(target, imageEnv, settings.minCudaVersion)
      : judgeEndpoint(target, cudaFloor(containerEnv(imageEnv, target.env), settings.minCudaVersion), enforce)
  )
  const warnings: string[] = []
  for (const fit of judged) {
    if (fit.verdict === 'misfit' && fit.reason) misfits.push(fit.reason)
    if (fit.verdict === 'unknown' && fit.reason) notices.push(fit.reason)
    if (fit.warning) warnings.push(fit.warning)
  }
  if (settings.capacity) warnings.push(...capacityWarnings(judged, targets, settings.capacity))
  const templates = (settings.templates ?? []).map((template) =>
    judgeTemplate(template, cudaFloor(containerEnv(imageEnv, template.env), settings.minCudaVersion), enforce)
  )
  for (const template of templates) {
    if (template.verdict === 'misfit' && template.reason) misfits.push(template.reason)
    if (template.verdict === 'fits' && template.reason) warnings.push(template.reason)
  }
  return {
    templates,
    checks: settings.checks,
    warnings,
    ...(facts.platforms ? { platforms: facts.platforms } : {}),
    ...(floor ? { floor } : {}),
    ...(facts.status ? { status: facts.status } : {}),
    ...(facts.encryption ? { encryption: facts.encryption } : {}),
    targets: judged,
    misfits,
    notices
  }
}

/** The container's env as Docker merges it: the target's variables over the image's, name by name. */
export function containerEnv(
  imageEnv: ReadonlyMap<string, string>,
  targetEnv: Readonly<Record<string, string>> | null | undefined
): Map<string, string> {
  return new Map([...imageEnv, ...Object.entries(targetEnv ?? {})])
}

/**
 * A pod keeps its host when its image changes, so it is judged as NVIDIA's runtime will judge it there: the
 * container's requirements against the host's CUDA version, driver branch and GPU brand, and the plain floors
 * (RUNPOD_MIN_CUDA_VERSION, `min-cuda-version`) against its CUDA version.
 */
function judgePod(target: FitTarget, imageEnv: ReadonlyMap<string, string>, minCudaVersion?: string): TargetFit {
  const label = `pod ${target.id} (input 'pod-id')`
  const cuda = target.cudaVersion ?? null
  const host = podHost(cuda, target.gpuId ?? null)
  const base = { kind: 'pod' as const, id: target.id, offers: host.label }
  // A pod left alone already runs the image: only a pod that gets it is judged.
  if (!target.patched) return { ...base, verdict: 'fits', rule: 'not patched: it already runs the image' }
  const env = containerEnv(imageEnv, target.env)
  const judged = judgeRequirements(env, host)
  const plain = plainFloor(env, minCudaVersion)
  const unknownEnv = target.env === null
  if (judged.verdict === 'refused' && judged.refusal && !unknownEnv) {
    const { requirement, message } = judged.refusal
    const needs = highestFloor(requirement.text)
    return {
      ...base,
      verdict: 'misfit',
      rule: `${requirement.source}: ${message} on ${host.label}`,
      reason: `${label} runs on a host (${host.label}) where NVIDIA's container runtime would refuse the container: '${message}' (${requirement.source}). A new image keeps the pod on its host.${needs ? ` Recreate the pod with 'gpu.minCudaVersion: ${needs}' so it lands on a host that meets it, or build the image on an older CUDA base.` : ' Fix the requirement in the image, or recreate the pod on a host that meets it.'}`
    }
  }
  if (plain && cuda !== null && compareCuda(cuda, plain.version) < 0) {
    return {
      ...base,
      verdict: 'misfit',
      rule: `${plain.source}: CUDA ${plain.version} or later, and the host reports ${cuda}`,
      reason: `${label} runs on a host (${host.label}) below the CUDA ${plain.version} the image needs (${plain.source}), and a new image keeps the pod on its host. Recreate the pod with 'gpu.minCudaVersion: ${plain.version}' so it lands on a newer host, or build the image on a CUDA ${cuda} base.`
    }
  }
  if (judged.verdict !== 'starts' || (plain && cuda === null)) {
    const why = unknownEnv
      ? "Runpod did not report the pod's env, which can switch NVIDIA's checks off or change what they require"
      : undecidedWhy(judged, host, cuda, plain)
    return {
      ...base,
      verdict: 'unknown',
      rule: why,
      reason: `${label}: whether NVIDIA's container runtime starts the image on its host (${host.label}) is unknown: ${why}.`
    }
  }
  const compat = compatibility(judged, cuda)
  return {
    ...base,
    verdict: 'fits',
    rule: describeStart(judged, host.label, compat),
    ...(compat
      ? {
          warning: `${label}: its host (${host.label}) is below the image's cuda>=${compat.floor} (${compat.source}); NVIDIA's runtime starts it only through the driver-branch alternative '${compat.alternative}', so CUDA ${compat.floor} then relies on NVIDIA's forward-compatibility package (cuda-compat) in the image, which NVIDIA supports on datacenter GPUs and select RTX cards only. If CUDA fails to initialise, recreate the pod with 'gpu.minCudaVersion: ${placementFloorOf(compat.floor)}'.`
        }
      : {})
  }
}

/** RUNPOD_MIN_CUDA_VERSION and `min-cuda-version`: floors with no alternatives. */
function plainFloor(env: ReadonlyMap<string, string>, minCudaVersion?: string): CudaFloor | undefined {
  const plain = new Map([...env].filter(([name]) => name === 'RUNPOD_MIN_CUDA_VERSION'))
  return cudaFloor(plain, minCudaVersion)
}

/** The highest `cuda>=` of a requirement, as a placement floor. */
function highestFloor(requirement: string): string | undefined {
  const values = cudaFloorsOf(requirement).sort(compareVersionParts)
  const highest = values[values.length - 1]
  return highest === undefined ? undefined : placementFloorOf(highest)
}

function placementFloorOf(value: string): string {
  return cudaFloor(new Map([['NVIDIA_REQUIRE_CUDA', `cuda>=${value}`]]))?.version ?? value
}

/** Why a pod's verdict could not be reached: what of the host the undecided requirements need. */
function undecidedWhy(
  judged: RequirementJudgement,
  host: ReturnType<typeof podHost>,
  cuda: string | null,
  plain: CudaFloor | undefined
): string {
  if (cuda === null)
    return `its host reports no CUDA version${plain ? `, and the image needs CUDA ${plain.version} (${plain.source})` : ''}`
  const texts = judged.undecided.map((requirement) => requirement.text).join(' ')
  const missing = [
    /\barch[<>=!]/i.test(texts) ? "the GPU's compute capability (arch), which Runpod does not report" : '',
    /\bdriver[<>=!]/i.test(texts)
      ? host.driverBranch === undefined
        ? `the driver version (CUDA ${cuda} maps to no known driver branch)`
        : 'the exact driver version within its branch'
      : '',
    /\bbrand[<>=!]/i.test(texts) && host.brand === undefined
      ? "the GPU's brand (its model is not one this action places)"
      : ''
  ].filter(Boolean)
  const which = judged.undecided.map((requirement) => requirement.source).join(', ')
  return `${which} depends on ${missing.join(' and ') || 'what Runpod does not report of the host'}`
}

interface Compatibility {
  readonly floor: string
  readonly source: string
  readonly alternative: string
}

/** A container that starts although the host's CUDA is below a `cuda>=` of its requirements. */
function compatibility(judged: RequirementJudgement, cuda: string | null): Compatibility | undefined {
  if (cuda === null) return undefined
  for (const outcome of judged.outcomes) {
    const below = cudaFloorsOf(outcome.requirement.text).filter((value) => compareVersionParts(cuda, value) < 0)
    if (below.length > 0 && outcome.holdsBy && !outcome.holdsBy.split(',').some((clause) => /^cuda/i.test(clause)))
      return {
        floor: below.sort(compareVersionParts)[below.length - 1] ?? '',
        source: outcome.requirement.source,
        alternative: outcome.holdsBy
      }
  }
  return undefined
}

function describeStart(judged: RequirementJudgement, hostLabel: string, compat: Compatibility | undefined): string {
  if (judged.list.disabledBy !== undefined)
    return `NVIDIA_DISABLE_REQUIRE=${judged.list.disabledBy} switches NVIDIA's requirement checks off`
  if (judged.outcomes.length === 0) return 'the image declares no NVIDIA requirement'
  if (compat) return `${compat.source}: starts through '${compat.alternative}' on ${hostLabel}`
  const held = judged.outcomes.map(
    (outcome) => `${outcome.requirement.source}${outcome.holdsBy ? ` '${outcome.holdsBy}'` : ''}`
  )
  return `${held.join(', ')} holds on ${hostLabel}`
}

function judgeEndpoint(target: FitTarget, floor: CudaFloor | undefined, enforce: boolean): TargetFit {
  const label = `endpoint ${target.id} (input 'endpoint-id')`
  const placement = target.placement ?? null
  if (placement === null) {
    return {
      kind: 'endpoint',
      id: target.id,
      offers: 'no GPU placement',
      verdict: floor ? 'unknown' : 'fits',
      ...(floor
        ? {
            reason: `${label} reports no GPU placement, so the image's floor of CUDA ${floor.version} (${floor.source}) could not be checked against it.`
          }
        : {})
    }
  }
  const allowed = placement.allowedCudaVersions
  const offers =
    allowed.length > 0
      ? `allowedCudaVersions ${allowed.join(', ')}`
      : placement.minCudaVersion
        ? `minCudaVersion ${placement.minCudaVersion}`
        : 'any CUDA version'
  if (!floor)
    return { kind: 'endpoint', id: target.id, offers, verdict: 'fits', rule: 'the container declares no CUDA floor' }
  const fits: TargetFit = {
    kind: 'endpoint',
    id: target.id,
    offers,
    verdict: 'fits',
    floor,
    // Workers land on many hosts: a driver-branch alternative holds on some and not on others, so the
    // placement takes the floor itself and no worker depends on NVIDIA's compatibility packages.
    rule: `floor CUDA ${floor.version} from ${floor.source}: the highest cuda>=, since workers land on many hosts`
  }
  const needs = `the CUDA ${floor.version} the image needs (${floor.source})`
  // enforce raises the placement in the image's PATCH; warn changes nothing and says what enforce would do.
  const raise = (change: Omit<PlacementChange, 'before'>, warning: string): TargetFit =>
    enforce ? { ...fits, placement: { before: placement, ...change } } : { ...fits, verdict: 'misfit', reason: warning }
  if (allowed.length > 0) {
    const kept = allowed.filter((version) => compareCuda(version, floor.version) >= 0)
    if (kept.length === 0) {
      return {
        ...fits,
        verdict: 'misfit',
        reason: `${label} allows only CUDA ${allowed.join(', ')}, all below ${needs}: no worker could start it. Add CUDA ${floor.version} or later to the endpoint's allowed CUDA versions (Runpod console → the endpoint → Edit), or build the image on an older CUDA base.`
      }
    }
    if (kept.length === allowed.length || !target.patched) return fits
    return raise(
      {
        after: { minCudaVersion: placement.minCudaVersion, allowedCudaVersions: kept },
        patch: { allowedCudaVersions: kept },
        restore: { allowedCudaVersions: allowed }
      },
      `${label} allows CUDA ${allowed.filter((version) => !kept.includes(version)).join(', ')}, below ${needs}: workers placed there would not start. With 'image-checks: enforce' the deploy keeps only ${kept.join(', ')}.`
    )
  }
  if (!admitsBelow(placement, floor.version) || !target.patched) return fits
  return raise(
    {
      after: { minCudaVersion: floor.version, allowedCudaVersions: [] },
      patch: { minCudaVersion: floor.version },
      restore: { minCudaVersion: placement.minCudaVersion ?? '' }
    },
    `${label} places workers on ${placement.minCudaVersion === null ? 'hosts of any CUDA version' : `hosts from CUDA ${placement.minCudaVersion}`}, below ${needs}: a worker on an older host would not start. With 'image-checks: enforce' the deploy raises the endpoint's minCudaVersion to ${floor.version} in the same update.`
  )
}

/**
 * A template's `allowedCudaVersions` against the floor of the image with its env: entries below it are dropped
 * in the same PATCH (enforce), none left is a misfit; a template with no constraint gets a warning naming the
 * floor, since templates have no minCudaVersion and its placement is the user's to set.
 */
function judgeTemplate(template: FitTemplate, floor: CudaFloor | undefined, enforce: boolean): TemplateFit {
  const label = `template ${template.id} (input 'template-id')`
  const allowed = template.allowedCudaVersions
  if (!floor || !template.patched) return { id: template.id, verdict: 'fits', rule: 'no CUDA floor to place' }
  const rule = `floor CUDA ${floor.version} from ${floor.source}`
  if (allowed.length === 0)
    return {
      id: template.id,
      verdict: 'fits',
      rule,
      reason: `${label} allows any CUDA version, so pods and endpoints created from it may land on hosts below the CUDA ${floor.version} the image needs (${floor.source}). Templates have no minCudaVersion: set its allowed CUDA versions to ${floor.version} and later (Runpod console → the template → Edit); the action leaves an unconstrained template's placement alone.`
    }
  const kept = allowed.filter((version) => compareCuda(version, floor.version) >= 0)
  if (kept.length === allowed.length) return { id: template.id, verdict: 'fits', rule }
  if (kept.length === 0)
    return {
      id: template.id,
      verdict: 'misfit',
      rule,
      reason: `${label} allows only CUDA ${allowed.join(', ')}, all below the CUDA ${floor.version} the image needs (${floor.source}): nothing created from it could start the image. Add CUDA ${floor.version} or later to the template's allowed CUDA versions (Runpod console → the template → Edit), or build the image on an older CUDA base.`
    }
  if (enforce) return { id: template.id, verdict: 'fits', rule, placement: { before: allowed, after: kept } }
  return {
    id: template.id,
    verdict: 'misfit',
    rule,
    reason: `${label} allows CUDA ${allowed.filter((version) => !kept.includes(version)).join(', ')}, below the CUDA ${floor.version} the image needs (${floor.source}). With 'image-checks: enforce' the deploy keeps only ${kept.join(', ')}.`
  }
}

/** An endpoint whose floor is raised where Runpod has no capacity at it now: its workers may wait to start. */
function capacityWarnings(judged: readonly TargetFit[], targets: readonly FitTarget[], capacity: Capacity): string[] {
  return judged.flatMap((fit) => {
    const pools = targets.find((target) => target.kind === fit.kind && target.id === fit.id)?.placement?.pools ?? []
    const floor = fit.floor?.version
    if (!fit.placement || pools.length === 0 || floor === undefined) return []
    const available = capacity.some(
      (gpu) =>
        gpu.pool !== null &&
        pools.includes(gpu.pool) &&
        gpu.cudaVersions.some((entry) => entry.available && compareCuda(entry.version, floor) >= 0)
    )
    return available
      ? []
      : [
          `endpoint ${fit.id}: Runpod's catalog shows no capacity now at CUDA ${floor} or later in its GPU pools (${pools.join(', ')}), so after the deploy raises its floor new workers may wait to start. Add GPU pools with newer hosts to the endpoint, or build the image on an older CUDA base.`
        ]
  })
}

/** A customer managed key KMS will not decrypt with is a misfit; one in a state this code does not know, a notice. */
function keyProblem(encryption: EncryptionFacts | undefined): { misfit?: string; notice?: string } | undefined {
  const key = encryption?.key
  if (!encryption || !key?.state || key.state === 'Enabled' || key.manager === 'AWS') return undefined
  const { arn, state } = key
  const what = `ECR repository ${encryption.repository} is encrypted with KMS key ${arn}, which is ${state}`
  if (!UNUSABLE_KEY_STATES.has(state))
    return {
      notice: `${what}: whether KMS decrypts with it now is unknown, and no image of the repository can be pulled until it does.`
    }
  const remedy =
    state === 'Disabled'
      ? `Enable the key ('aws kms enable-key --key-id ${arn}')`
      : state === 'PendingDeletion'
        ? `Cancel its deletion ('aws kms cancel-key-deletion --key-id ${arn}', then 'aws kms enable-key --key-id ${arn}')`
        : 'Make the key usable again (KeyState Enabled)'
  return {
    misfit: `${what}: KMS refuses to decrypt with it, so ECR cannot serve the image's layers and no pull (Runpod's included) can succeed. ${remedy}, then rerun.`
  }
}

/** Whether a placement lets workers start on hosts below `floor`: what the deploy raises under enforce. */
export function admitsBelow(placement: Placement, floor: string): boolean {
  if (placement.allowedCudaVersions.length > 0)
    return placement.allowedCudaVersions.some((version) => compareCuda(version, floor) < 0)
  return placement.minCudaVersion === null || compareCuda(placement.minCudaVersion, floor) < 0
}
