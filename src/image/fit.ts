// Will the image run where it is sent: the image's facts judged against every target, purely. Runpod's hosts
// are linux/amd64; a pod keeps its host (and the host's CUDA driver) when its image changes; an endpoint
// places workers by its CUDA constraints, which the deploy can raise in the same PATCH as the image.
import type { ImageConfig } from './config.js'
import { compareCuda, cudaFloor, type CudaFloor } from './cuda.js'
import { RUNPOD_PLATFORM } from './manifest.js'

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
  readonly reason?: string
  readonly placement?: PlacementChange
}

export interface FitReport {
  readonly checks: ImageChecks
  readonly platforms?: readonly string[]
  readonly floor?: CudaFloor
  readonly status?: string
  readonly encryption?: EncryptionFacts
  readonly targets: readonly TargetFit[]
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
    readonly checks: Exclude<ImageChecks, 'off'>
    readonly minCudaVersion?: string
    /** The catalog read at the floor, when an endpoint's placement is raised. */
    readonly capacity?: Capacity
  }
): FitReport {
  const misfits: string[] = []
  const notices = [...facts.unknown]
  if (facts.platforms && !facts.platforms.includes(RUNPOD_PLATFORM)) {
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
  const floor = cudaFloor(facts.config?.env ?? new Map(), settings.minCudaVersion)
  const enforce = settings.checks === 'enforce'
  const judged = targets.map((target) => judgeTarget(target, floor, enforce))
  for (const fit of judged) {
    if (fit.verdict === 'misfit' && fit.reason) misfits.push(fit.reason)
    if (fit.verdict === 'unknown' && fit.reason) notices.push(fit.reason)
  }
  const warnings = floor && settings.capacity ? capacityWarnings(judged, targets, floor.version, settings.capacity) : []
  return {
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

function judgeTarget(target: FitTarget, floor: CudaFloor | undefined, enforce: boolean): TargetFit {
  const label = `${target.kind} ${target.id} (input '${target.kind}-id')`
  if (target.kind === 'pod') {
    const host = target.cudaVersion ?? null
    const offers = host === null ? 'host CUDA unknown' : `host CUDA ${host}`
    // A pod left alone already runs the image: only a pod that gets it is judged.
    if (!floor || !target.patched) return { kind: 'pod', id: target.id, offers, verdict: 'fits' }
    if (host === null) {
      return {
        kind: 'pod',
        id: target.id,
        offers,
        verdict: 'unknown',
        reason: `${label}: its host reports no CUDA version, so the image's floor of CUDA ${floor.version} (${floor.source}) could not be checked against it.`
      }
    }
    if (compareCuda(host, floor.version) >= 0) return { kind: 'pod', id: target.id, offers, verdict: 'fits' }
    return {
      kind: 'pod',
      id: target.id,
      offers,
      verdict: 'misfit',
      reason: `${label} runs on a host whose driver reports CUDA ${host}, below the CUDA ${floor.version} the image needs (${floor.source}): the container would be refused at start ('unsatisfied condition: cuda>=${floor.version}'), and a new image keeps the pod on its host. Recreate the pod with 'gpu.minCudaVersion: ${floor.version}' so it lands on a newer host, or build the image on a CUDA ${host} base.`
    }
  }
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
  const fits: TargetFit = { kind: 'endpoint', id: target.id, offers, verdict: 'fits' }
  if (!floor) return fits
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

/** An endpoint whose floor is raised where Runpod has no capacity at it now: its workers may wait to start. */
function capacityWarnings(
  judged: readonly TargetFit[],
  targets: readonly FitTarget[],
  floor: string,
  capacity: Capacity
): string[] {
  return judged.flatMap((fit) => {
    const pools = targets.find((target) => target.kind === fit.kind && target.id === fit.id)?.placement?.pools ?? []
    if (!fit.placement || pools.length === 0) return []
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

/** Whether a placement lets workers start on hosts below `floor`: what the deploy raises under enforce. */
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

export function admitsBelow(placement: Placement, floor: string): boolean {
  if (placement.allowedCudaVersions.length > 0)
    return placement.allowedCudaVersions.some((version) => compareCuda(version, floor) < 0)
  return placement.minCudaVersion === null || compareCuda(placement.minCudaVersion, floor) < 0
}
