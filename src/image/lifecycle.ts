// An ECR lifecycle policy applied, as a simulation, to a repository's images: which images its rules would
// expire or archive. ECR evaluates rules by priority, lowest number first; an image that matches a rule's tag
// selection is decided by that rule alone (kept or not), and `tagStatus: any` must come last. A rollback needs
// the image each target ran before, so the action warns when a rule would take it away.
import { ActionError } from '../errors.js'

export interface RepositoryImage {
  readonly digest: string
  readonly tags: readonly string[]
  /** Epoch ms. */
  readonly pushedAt: number
  /** Epoch ms of the last recorded pull, when ECR has one. */
  readonly lastPulledAt?: number
  /** `ACTIVE`, `ARCHIVED`, `ACTIVATING`; undefined when ECR did not say. */
  readonly status?: string
}

export interface LifecycleRule {
  readonly priority: number
  readonly description?: string
  readonly tagStatus: 'tagged' | 'untagged' | 'any'
  readonly tagPrefixList: readonly string[]
  readonly tagPatternList: readonly string[]
  readonly countType: 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled'
  /** Images for imageCountMoreThan; days otherwise. */
  readonly countNumber: number
  readonly action: 'expire' | 'transition'
}

export interface LifecycleThreat {
  readonly rule: LifecycleRule
  /** What the rule does to the image. */
  readonly action: 'expire' | 'archive'
}

const DAY_MS = 24 * 60 * 60 * 1000
/** ECR applies a policy within 24 hours of an image becoming eligible: one due within that margin counts. */
export const LIFECYCLE_MARGIN_MS = DAY_MS

export function parseLifecyclePolicy(text: string): LifecycleRule[] {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ActionError('The repository lifecycle policy is not JSON.')
  }
  const rules = (body as { rules?: unknown } | null)?.rules
  if (!Array.isArray(rules)) throw new ActionError('The repository lifecycle policy has no rules list.')
  return rules
    .map((rule: unknown): LifecycleRule => {
      const record = (rule ?? {}) as Record<string, unknown>
      const selection = (record['selection'] ?? {}) as Record<string, unknown>
      const action = (record['action'] ?? {}) as Record<string, unknown>
      const strings = (value: unknown) =>
        Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
      const tagStatus = selection['tagStatus']
      const countType = selection['countType']
      return {
        priority: Number(record['rulePriority']),
        ...(typeof record['description'] === 'string' ? { description: record['description'] } : {}),
        tagStatus: tagStatus === 'tagged' || tagStatus === 'untagged' ? tagStatus : 'any',
        tagPrefixList: strings(selection['tagPrefixList']),
        tagPatternList: strings(selection['tagPatternList']),
        countType:
          countType === 'sinceImagePushed' || countType === 'sinceImagePulled' ? countType : 'imageCountMoreThan',
        countNumber: Number(selection['countNumber']),
        action: action['type'] === 'transition' ? 'transition' : 'expire'
      }
    })
    .sort((a, b) => a.priority - b.priority)
}

/** Whether a rule's tag selection takes the image: every listed prefix (or pattern) matched by one of its tags. */
function selects(rule: LifecycleRule, image: RepositoryImage): boolean {
  if (rule.tagStatus === 'untagged') return image.tags.length === 0
  if (rule.tagStatus === 'any') return true
  if (image.tags.length === 0) return false
  const prefixes = rule.tagPrefixList.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix)))
  const patterns = rule.tagPatternList.every((pattern) => image.tags.some((tag) => wildcard(pattern).test(tag)))
  return prefixes && patterns
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`
  )
}

/**
 * What the policy would do to each image within the margin, by digest. `now` is the moment of the run; the
 * images are the repository's with this push already in it.
 */
export function simulateLifecycle(
  rules: readonly LifecycleRule[],
  images: readonly RepositoryImage[],
  now: number,
  marginMs = LIFECYCLE_MARGIN_MS
): Map<string, LifecycleThreat> {
  const decided = new Set<string>()
  const threats = new Map<string, LifecycleThreat>()
  for (const rule of rules) {
    const matched = images.filter((image) => !decided.has(image.digest) && selects(rule, image))
    for (const image of matched) decided.add(image.digest)
    const due =
      rule.countType === 'imageCountMoreThan'
        ? [...matched].sort((a, b) => b.pushedAt - a.pushedAt).slice(Math.max(0, rule.countNumber))
        : matched.filter((image) => {
            const since =
              rule.countType === 'sinceImagePulled' ? (image.lastPulledAt ?? image.pushedAt) : image.pushedAt
            return now + marginMs - since > rule.countNumber * DAY_MS
          })
    for (const image of due)
      threats.set(image.digest, { rule, action: rule.action === 'transition' ? 'archive' : 'expire' })
  }
  return threats
}

/** A rule in words, for the warning. */
export function describeRule(rule: LifecycleRule): string {
  const what =
    rule.countType === 'imageCountMoreThan'
      ? `keeps the newest ${rule.countNumber}`
      : `${rule.action === 'transition' ? 'archives' : 'expires'} after ${rule.countNumber} days since ${rule.countType === 'sinceImagePulled' ? 'the last pull' : 'the push'}`
  const tags =
    rule.tagStatus === 'tagged'
      ? ` images tagged ${[...rule.tagPrefixList.map((prefix) => `${prefix}*`), ...rule.tagPatternList].join(' and ')}`
      : rule.tagStatus === 'untagged'
        ? ' untagged images'
        : ' images'
  return `rule ${rule.priority}${rule.description ? ` ("${rule.description}")` : ''}, which ${what}${rule.countType === 'imageCountMoreThan' ? tags : ` for${tags}`}`
}
