// The way back: the image each target would be rolled back to, judged before any write. It must exist in ECR,
// be ACTIVE (archived images cannot be pulled), and not be expired or archived by the repository's lifecycle
// policy once this push is counted. A threat is a warning: the deploy goes on, and the user learns now, not
// when a rollback pulls a 404.
import { describeRule, simulateLifecycle, type LifecycleRule, type RepositoryImage } from './lifecycle.js'

/** What was read of one repository that holds rollback images. */
export interface RepositoryFacts {
  /** `REGISTRY/REPOSITORY`, as image references name it. */
  readonly name: string
  /** undefined: could not be read (`unknown` says why). */
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
    if (found.status !== undefined && found.status !== 'ACTIVE')
      return [
        {
          ...base,
          state: found.status,
          warning: `${label}: its previous image ${target.image} is ${found.status} in ECR and cannot be pulled, so a rollback could not start it. Restore it to ACTIVE (ECR console → the image → Restore).`
        }
      ]
    const threat = threatsOf.get(name)?.get(found.digest)
    if (!threat)
      return [
        {
          ...base,
          state: repository.rules === null ? 'ACTIVE, no lifecycle policy' : 'ACTIVE, kept by the lifecycle policy'
        }
      ]
    const does = threat.action === 'archive' ? 'archive' : 'expire'
    return [
      {
        ...base,
        state: `ACTIVE, ${does}d within a day by lifecycle rule ${threat.rule.priority}`,
        warning: `${label}: its previous image ${target.image}, the one a rollback puts back, would be ${does}d within a day by the repository's lifecycle policy, ${describeRule(threat.rule)}, with this push counted. Keep rollback images out of that rule (a tag prefix of their own, or a higher count), or the way back may be gone when it is needed; the action never edits a lifecycle policy.`
      }
    ]
  })
  return { targets: judged, warnings: judged.flatMap((entry) => (entry.warning ? [entry.warning] : [])), notices }
}

function findImage(images: readonly RepositoryImage[], reference: string, name: string): RepositoryImage | undefined {
  const rest = reference.slice(name.length)
  if (rest.startsWith('@')) return images.find((image) => image.digest === rest.slice(1))
  const [tag, digest] = rest.slice(1).split('@')
  return images.find((image) => (digest ? image.digest === digest : image.tags.includes(tag ?? '')))
}
