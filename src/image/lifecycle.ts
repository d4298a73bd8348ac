// An ECR lifecycle policy applied, as a simulation, to a repository's images: which images its rules would
// expire or archive. ECR evaluates rules by priority, lowest number first. Each rule counts every image it
// selects, also the ones a higher-priority rule selected, but it never expires or archives those: "rules can
// never mark images that are marked by higher priority rules, but can still identify them as if they haven't
// been expired". A rule selects by tag status, tag prefixes or patterns, and storage class: `standard` rules
// (the default) see active images, `archive` rules only archived ones. A rollback needs the image each target
// ran before, so the action warns when a rule would take it away.
import { ActionError } from '../errors.js'

export interface RepositoryImage {
  readonly digest: string
  readonly tags: readonly string[]
  /** Epoch ms. */
  readonly pushedAt: number
  /** Epoch ms of the last recorded pull, when ECR has one. */
  readonly lastPulledAt?: number
  /** Epoch ms of the last transition to the archive, when ECR has one. */
  readonly archivedAt?: number
  /** `ACTIVE`, `ARCHIVED`, `ACTIVATING`; undefined when ECR did not say. */
  readonly status?: string
}

export type StorageClass = 'standard' | 'archive'

export interface LifecycleRule {
  readonly priority: number
  readonly description?: string
  readonly tagStatus: 'tagged' | 'untagged' | 'any'
  readonly tagPrefixList: readonly string[]
  readonly tagPatternList: readonly string[]
  readonly storageClass: StorageClass
  readonly countType: 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned'
  /** Images for imageCountMoreThan; days otherwise. */
  readonly countNumber: number
  readonly action: 'expire' | 'transition'
}

/** What the policy does to one image: the rule that decides it (the first that selects it), and how. */
export interface LifecycleDecision {
  readonly rule: LifecycleRule
  readonly action: 'keep' | 'expire' | 'archive'
  /** How many images the rule counts (every image it selects). */
  readonly counted: number
  /** Count rules: the image's place among them, newest first (1 is the newest). */
  readonly rank?: number
  /** Age rules: the image's age in days on the rule's clock (push, last pull, or transition). */
  readonly ageDays?: number
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
        storageClass: selection['storageClass'] === 'archive' ? 'archive' : 'standard',
        countType:
          countType === 'sinceImagePushed' || countType === 'sinceImagePulled' || countType === 'sinceImageTransitioned'
            ? countType
            : 'imageCountMoreThan',
        countNumber: Number(selection['countNumber']),
        action: action['type'] === 'transition' ? 'transition' : 'expire'
      }
    })
    .sort((a, b) => a.priority - b.priority)
}

/** The storage class an image is in: archived images are the archive's; the rest (and the unknown) standard. */
function storageOf(image: RepositoryImage): StorageClass {
  return image.status === 'ARCHIVED' ? 'archive' : 'standard'
}

/** Whether a rule selects the image: its storage class, then every listed prefix (or pattern) matched by a tag. */
function selects(rule: LifecycleRule, image: RepositoryImage): boolean {
  if (storageOf(image) !== rule.storageClass) return false
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

/** When the rule's age clock started for an image: its push, its last pull (else its push), or its archiving. */
function clockOf(rule: LifecycleRule, image: RepositoryImage): number {
  if (rule.countType === 'sinceImagePulled') return image.lastPulledAt ?? image.pushedAt
  if (rule.countType === 'sinceImageTransitioned') return image.archivedAt ?? image.pushedAt
  return image.pushedAt
}

/**
 * What the policy does to each image it selects within the margin, by digest; an image no rule selects is not
 * in the map (nothing touches it). `now` is the moment of the run; the images are the repository's with this
 * push already in it.
 */
export function simulateLifecycle(
  rules: readonly LifecycleRule[],
  images: readonly RepositoryImage[],
  now: number,
  marginMs = LIFECYCLE_MARGIN_MS
): Map<string, LifecycleDecision> {
  const decisions = new Map<string, LifecycleDecision>()
  for (const rule of rules) {
    const selected = images.filter((image) => selects(rule, image))
    const act = rule.action === 'transition' ? 'archive' : 'expire'
    const rankOf = new Map(
      [...selected].sort((a, b) => b.pushedAt - a.pushedAt).map((image, index) => [image.digest, index + 1])
    )
    for (const image of selected) {
      // Identified by a higher-priority rule: counted here, never marked here.
      if (decisions.has(image.digest)) continue
      if (rule.countType === 'imageCountMoreThan') {
        const rank = rankOf.get(image.digest) ?? 0
        const action = rank > Math.max(0, rule.countNumber) ? act : 'keep'
        decisions.set(image.digest, { rule, action, counted: selected.length, rank })
      } else {
        const age = now + marginMs - clockOf(rule, image)
        const action = age > rule.countNumber * DAY_MS ? act : 'keep'
        const ageDays = Math.floor((now - clockOf(rule, image)) / DAY_MS)
        decisions.set(image.digest, { rule, action, counted: selected.length, ageDays })
      }
    }
  }
  return decisions
}

/** The images the policy would expire or archive within the margin, by digest. */
export function lifecycleThreats(
  rules: readonly LifecycleRule[],
  images: readonly RepositoryImage[],
  now: number,
  marginMs = LIFECYCLE_MARGIN_MS
): Map<string, LifecycleDecision> {
  return new Map(
    [...simulateLifecycle(rules, images, now, marginMs)].filter(([, decision]) => decision.action !== 'keep')
  )
}

/** A rule in words, for the warning. */
export function describeRule(rule: LifecycleRule): string {
  const since =
    rule.countType === 'sinceImagePulled'
      ? 'the last pull'
      : rule.countType === 'sinceImageTransitioned'
        ? 'it was archived'
        : 'the push'
  const what =
    rule.countType === 'imageCountMoreThan'
      ? `keeps the newest ${rule.countNumber}`
      : `${rule.action === 'transition' ? 'archives' : 'expires'} after ${rule.countNumber} days since ${since}`
  const stored = rule.storageClass === 'archive' ? 'archived ' : ''
  const tags =
    rule.tagStatus === 'tagged'
      ? ` ${stored}images tagged ${[...rule.tagPrefixList.map((prefix) => `${prefix}*`), ...rule.tagPatternList].join(' and ')}`
      : rule.tagStatus === 'untagged'
        ? ` untagged ${stored}images`
        : ` ${stored}images`
  return `rule ${rule.priority}${rule.description ? ` ("${rule.description}")` : ''}, which ${what}${rule.countType === 'imageCountMoreThan' ? tags : ` for${tags}`}`
}

/** How a rule reaches its decision on one image, in words: the images it counts and where this one stands. */
export function describeDecision(decision: LifecycleDecision): string {
  const { rule } = decision
  if (decision.rank !== undefined)
    return `rule ${rule.priority} counts ${decision.counted} image${decision.counted === 1 ? '' : 's'} and this one is the ${ordinal(decision.rank)} newest; it keeps ${rule.countNumber}`
  return `rule ${rule.priority} counts ${decision.counted} image${decision.counted === 1 ? '' : 's'}; this one is ${decision.ageDays ?? 0} days old on its clock, the limit ${rule.countNumber}`
}

function ordinal(n: number): string {
  const suffixes = ['th', 'st', 'nd', 'rd']
  const tens = n % 100
  return `${n}${suffixes[(tens - 20) % 10] ?? suffixes[tens] ?? 'th'}`
}
