// The way back: the image each target would be rolled back to, judged before any write. It must exist in ECR,
// be ACTIVE (archived images cannot be pulled), and not be expired or archived by the repository's lifecycle
// policy once this push is counted. A threat is a warning: the deploy goes on, and the user learns now, not
// when a rollback pulls a 404.
import {
  describeDecision,
  describeRule,
  simulateLifecycle,
  type LifecycleDecision,
  type LifecycleRule,
  type RepositoryImage
} from './lifecycle.js'

/** What was read of one repository that holds rollback images. */
export interface RepositoryFacts {
  /** `REGISTRY/REPOSITORY`, as image references name it. */
  readonly name: string
  /** Every image, archived ones included (`imageStatus: ANY`); undefined: could not be read (`unknown` says why). */
  readonly images?: readonly RepositoryImage[]
  /** null: no lifecycle policy; undefined: could not be read. */
  readonly rules?: readonly LifecycleRule[] | null
  readonly unknown: readonly string[]
}

/** A target and the image a rollback would put back. */
export interface WayBackTarget {
  readonly kind: 'pod' | 'endpoint'
  readonly id: string
  readonly image: string
}

export interface WayBack {
  readonly kind: 'pod' | 'endpoint'
  readonly id: string
  readonly image: string
  /** `ACTIVE, kept by the lifecycle policy`, `not in ECR`, … */
  readonly state: string
  readonly warning?: string
}

export interface WayBackReport {
  readonly targets: readonly WayBack[]
  readonly warnings: readonly string[]
  readonly notices: readonly string[]
}

export function judgeWayBack(
  targets: readonly WayBackTarget[],
  repositories: readonly RepositoryFacts[],
  now: number
): WayBackReport {
  const notices = repositories.flatMap((repository) => repository.unknown)
  const threatsOf = new Map(
    repositories.map((repository) => [
      repository.name,
      repository.images && repository.rules ? simulateLifecycle(repository.rules, repository.images, now) : undefined
    ])
  )
  const judged = targets.flatMap((target): WayBack[] => {
    const at = target.image.search(/[@:][^/]*$/)
    const name = at < 0 ? target.image : target.image.slice(0, at)
    const repository = repositories.find((candidate) => candidate.name === name)
    if (!repository) return []
    const found = repository.images && findImage(repository.images, target.image, name)
    const label = `${target.kind} ${target.id}`
    const base = { kind: target.kind, id: target.id, image: target.image }
    if (!repository.images) return [{ ...base, state: 'unknown' }]
    if (!found)
      return [
        {
          ...base,
          state: 'not in ECR',
          warning: `${label}: its previous image ${target.image} is not in ECR any more, so a rollback would leave the target on an image it cannot pull. Push that image again (or deploy knowing a failed rollout cannot be undone).`
        }
      ]
    const decision = threatsOf.get(name)?.get(found.digest)
    if (found.status === 'ARCHIVED') {
      const purge =
        decision && decision.action === 'expire'
          ? ` and ${describeRule(decision.rule)} would delete it within a day (${describeDecision(decision)})`
          : ''
      return [
        {
          ...base,
          state:
            decision && decision.action === 'expire'
              ? `ARCHIVED, expired within a day by lifecycle rule ${decision.rule.priority}`
              : 'ARCHIVED',
          warning: `${label}: its previous image ${target.image} is archived in ECR${purge}, and archived images cannot be pulled, so a rollback could not start it. Restore it to ACTIVE before you need it: 'aws ecr update-image-storage-class --repository-name ${name.slice(name.indexOf('/') + 1)} --image-id imageDigest=${found.digest} --target-storage-class STANDARD' (or the ECR console → the image → Restore).`
        }
      ]
    }
    if (found.status !== undefined && found.status !== 'ACTIVE')
      return [
        {
          ...base,
          state: found.status,
          warning: `${label}: its previous image ${target.image} is ${found.status} in ECR and cannot be pulled until it is ACTIVE, so a rollback could not start it now. Wait until the restore completes, then rerun.`
        }
      ]
    if (!decision || decision.action === 'keep') return [{ ...base, state: keptState(repository.rules, decision) }]
    const does = decision.action === 'archive' ? 'archive' : 'expire'
    return [
      {
        ...base,
        state: `ACTIVE, ${does}d within a day by lifecycle rule ${decision.rule.priority}`,
        warning: `${label}: its previous image ${target.image}, the one a rollback puts back, would be ${does}d within a day by the repository's lifecycle policy, ${describeRule(decision.rule)}, with this push counted (${describeDecision(decision)}). Keep rollback images out of that rule (a tag prefix of their own, or a higher count), or the way back may be gone when it is needed; the action never edits a lifecycle policy.`
      }
    ]
  })
  return { targets: judged, warnings: judged.flatMap((entry) => (entry.warning ? [entry.warning] : [])), notices }
}

/** An ACTIVE image the policy leaves alone, and which rule says so. */
function keptState(
  rules: readonly LifecycleRule[] | null | undefined,
  decision: LifecycleDecision | undefined
): string {
  if (rules === null) return 'ACTIVE, no lifecycle policy'
  if (!decision) return 'ACTIVE, selected by no lifecycle rule'
  return `ACTIVE, kept by lifecycle rule ${decision.rule.priority} (${describeDecision(decision)})`
}

function findImage(images: readonly RepositoryImage[], reference: string, name: string): RepositoryImage | undefined {
  const rest = reference.slice(name.length)
  if (rest.startsWith('@')) return images.find((image) => image.digest === rest.slice(1))
  const [tag, digest] = rest.slice(1).split('@')
  return images.find((image) => (digest ? image.digest === digest : image.tags.includes(tag ?? '')))
}
