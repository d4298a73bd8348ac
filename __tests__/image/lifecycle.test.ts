// The lifecycle simulation and the way-back judgement, pure: fixtures written after the examples of ECR's
// lifecycle policy documentation (count and age rules, tag prefixes and patterns, priorities, archiving).
import { describe, expect, it } from '@jest/globals'
import {
  lifecycleThreats,
  parseLifecyclePolicy,
  simulateLifecycle,
  type RepositoryImage
} from '../../src/image/lifecycle.js'
import { judgeWayBack } from '../../src/image/way-back.js'

const DAY = 86_400_000
const NOW = Date.UTC(2026, 11, 4, 12)
const img = (
  digest: string,
  tags: string[],
  daysAgo: number,
  more: Partial<RepositoryImage> = {}
): RepositoryImage => ({
  digest,
  tags,
  pushedAt: NOW - daysAgo * DAY,
  ...more
})
const policy = (...rules: object[]) => parseLifecyclePolicy(JSON.stringify({ rules }))
const rule = (priority: number, selection: object, action: object = { type: 'expire' }) => ({
  rulePriority: priority,
  description: `rule ${priority}`,
  selection,
  action
})
const due = (rules: ReturnType<typeof policy>, images: RepositoryImage[]) =>
  [...lifecycleThreats(rules, images, NOW).keys()].sort()

// Every example of ECR's "Examples of lifecycle policies in Amazon ECR" (user guide), with the outcome the page
// states. The page gives ages in days; ECR acts within 24 h of eligibility, so the examples run without margin.
describe("ECR's documented examples", () => {
  const outcome = (rules: ReturnType<typeof policy>, images: RepositoryImage[]) =>
    [...lifecycleThreats(rules, images, NOW, 0).keys()].sort()
  const countRule = (priority: number, selection: object, countNumber: number) =>
    rule(priority, { ...selection, countType: 'imageCountMoreThan', countNumber })

  it('filtering on image age: expires images tagged prod* older than 14 days', () => {
    const rules = policy(
      rule(1, {
        tagStatus: 'tagged',
        tagPatternList: ['prod*'],
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: 14
      })
    )
    expect(outcome(rules, [img('old', ['prod-1'], 20), img('new', ['prod-2'], 3), img('dev', ['dev-1'], 30)])).toEqual([
      'old'
    ])
  })

  it('filtering on image count: keeps one untagged image and expires the others', () => {
    const rules = policy(countRule(1, { tagStatus: 'untagged' }, 1))
    expect(outcome(rules, [img('a', [], 3), img('b', [], 2), img('c', [], 1), img('t', ['v1'], 9)])).toEqual(['a', 'b'])
  })

  const abc = [img('A', ['beta-1', 'prod-1'], 10), img('B', ['beta-2', 'prod-2'], 9), img('C', ['beta-3'], 8)]

  it('multiple rules, example A: rule 2 counts the images rule 1 saw but cannot mark them; A is expired', () => {
    const rules = policy(
      countRule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'] }, 1),
      countRule(2, { tagStatus: 'tagged', tagPrefixList: ['beta'] }, 1)
    )
    expect(outcome(rules, abc)).toEqual(['A'])
  })

  it('multiple rules, example B: with the priorities swapped, A and B are expired', () => {
    const rules = policy(
      countRule(1, { tagStatus: 'tagged', tagPrefixList: ['beta'] }, 1),
      countRule(2, { tagStatus: 'tagged', tagPrefixList: ['prod'] }, 1)
    )
    expect(outcome(rules, abc)).toEqual(['A', 'B'])
  })

  it('multiple tags in one rule, example A: images must match every prefix; C is expired', () => {
    const rules = policy(
      rule(1, {
        tagStatus: 'tagged',
        tagPrefixList: ['alpha', 'beta'],
        countType: 'sinceImagePushed',
        countNumber: 5,
        countUnit: 'days'
      })
    )
    const images = [
      img('A', ['alpha-1'], 12),
      img('B', ['beta-1'], 11),
      img('C', ['alpha-2', 'beta-2'], 10),
      img('D', ['alpha-3'], 4),
      img('E', ['beta-3'], 3),
      img('F', ['alpha-4', 'beta-4'], 2)
    ]
    expect(outcome(rules, images)).toEqual(['C'])
  })

  it('multiple tags in one rule, example B: tags are not exclusive; A and B are expired', () => {
    const rules = policy(countRule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'] }, 1))
    const images = [
      img('A', ['alpha-1', 'beta-1', 'gamma-1'], 10),
      img('B', ['alpha-2', 'beta-2'], 9),
      img('C', ['alpha-3', 'beta-3', 'gamma-2'], 8)
    ]
    expect(outcome(rules, images)).toEqual(['A', 'B'])
  })

  it('all images, example A: tagStatus any keeps the newest; A, B and C are expired', () => {
    const rules = policy(countRule(1, { tagStatus: 'any' }, 1))
    const images = [img('A', ['alpha-1'], 4), img('B', ['beta-1'], 3), img('C', [], 2), img('D', ['alpha-2'], 1)]
    expect(outcome(rules, images)).toEqual(['A', 'B', 'C'])
  })

  it('all images, example B: rule 3 counts every image but marks only D; A, B and D are expired', () => {
    const rules = policy(
      countRule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha'] }, 1),
      rule(2, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }),
      countRule(3, { tagStatus: 'any' }, 1)
    )
    const images = [
      img('A', ['alpha-1', 'beta-1'], 4),
      img('B', [], 3),
      img('C', ['alpha-2'], 2),
      img('D', ['git hash'], 1),
      // Pushed the same day as D, a little later: the newest image, which rule 3 keeps.
      img('E', [], 0.9)
    ]
    expect(outcome(rules, images)).toEqual(['A', 'B', 'D'])
  })
})

describe('the cases the review found', () => {
  it('a tagStatus any keep-3 rule after a release-* keep-50 rule counts the release images too', () => {
    const rules = policy(
      rule(1, { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'imageCountMoreThan', countNumber: 50 }),
      rule(2, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 })
    )
    const releases = Array.from({ length: 5 }, (_, n) => img(`release-${n}`, [`release-${n}`], n + 1))
    // The rollback image: the commit-tagged build the target ran before, older than three release images.
    const rollback = img('sha-abc', ['sha-abc'], 3.5)
    const pushed = img('sha-def', ['sha-def'], 0)
    const decisions = simulateLifecycle(rules, [...releases, rollback, pushed], NOW)
    expect(decisions.get('sha-abc')).toMatchObject({ action: 'expire', counted: 7, rank: 5 })
    expect(decisions.get('sha-abc')?.rule.priority).toBe(2)
    expect(decisions.get('sha-def')?.action).toBe('keep')
    expect(decisions.get('release-4')?.action).toBe('keep')
  })

  it("AWS's archive-then-purge pattern: standard images archived, archived ones expired, each by its own rule", () => {
    const rules = policy(
      rule(
        1,
        {
          tagStatus: 'any',
          storageClass: 'archive',
          countType: 'sinceImageTransitioned',
          countUnit: 'days',
          countNumber: 90
        },
        { type: 'expire' }
      ),
      rule(
        2,
        { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 },
        { type: 'transition', targetStorageClass: 'archive' }
      )
    )
    const images = [
      img('cold', ['v1'], 200, { lastPulledAt: NOW - 60 * DAY }),
      img('warm', ['v2'], 200, { lastPulledAt: NOW - 2 * DAY }),
      img('purged', ['v0'], 400, { status: 'ARCHIVED', archivedAt: NOW - 100 * DAY }),
      img('resting', ['v00'], 400, { status: 'ARCHIVED', archivedAt: NOW - 10 * DAY })
    ]
    const threats = lifecycleThreats(rules, images, NOW)
    // The archive rule at priority 1 neither hides nor takes the active images: they are the standard rule's.
    expect(threats.get('cold')).toMatchObject({ action: 'archive' })
    expect(threats.get('purged')).toMatchObject({ action: 'expire' })
    expect([...threats.keys()].sort()).toEqual(['cold', 'purged'])
  })
})

describe('simulateLifecycle', () => {
  it('expires untagged images older than 14 days', () => {
    const rules = policy(
      rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 })
    )
    expect(due(rules, [img('a', [], 20), img('b', [], 3), img('c', ['v1'], 30)])).toEqual(['a'])
  })

  it('counts the 24 h in which ECR acts: an image due tomorrow counts today', () => {
    const rules = policy(
      rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 })
    )
    expect(due(rules, [img('a', [], 13.5)])).toEqual(['a'])
    expect(due(rules, [img('b', [], 12.5)])).toEqual([])
  })

  it('keeps the newest images of a tag prefix, by push time', () => {
    const rules = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 2 })
    )
    const images = [
      img('old', ['prod-1'], 9),
      img('mid', ['prod-2'], 5),
      img('new', ['prod-3'], 1),
      img('dev', ['dev-1'], 20)
    ]
    expect(due(rules, images)).toEqual(['old'])
  })

  it('a prefix list selects images that match every prefix; a pattern takes wildcards', () => {
    const both = policy(
      rule(1, {
        tagStatus: 'tagged',
        tagPrefixList: ['alpha', 'beta'],
        countType: 'imageCountMoreThan',
        countNumber: 0
      })
    )
    expect(due(both, [img('a', ['alpha1'], 1), img('ab', ['alpha1', 'beta1'], 1)])).toEqual(['ab'])
    const pattern = policy(
      rule(1, {
        tagStatus: 'tagged',
        tagPatternList: ['release-*-rc'],
        countType: 'imageCountMoreThan',
        countNumber: 0
      })
    )
    expect(due(pattern, [img('rc', ['release-2-rc'], 1), img('ga', ['release-2'], 1)])).toEqual(['rc'])
  })

  it('a lower priority rule never decides an image a higher one selected, even one it keeps', () => {
    const rules = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 5 }),
      rule(2, { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 })
    )
    expect(due(rules, [img('v1', ['v1'], 30), img('x', ['nightly'], 30)])).toEqual(['x'])
  })

  it('a transition archives; sinceImagePulled falls back to the push time', () => {
    const rules = policy(
      rule(
        1,
        { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 },
        { type: 'transition', targetStorageClass: 'archive' }
      )
    )
    const threats = lifecycleThreats(
      rules,
      [img('pulled', ['a'], 90, { lastPulledAt: NOW - 2 * DAY }), img('never', ['b'], 90)],
      NOW
    )
    expect([...threats.keys()]).toEqual(['never'])
    expect(threats.get('never')?.action).toBe('archive')
  })
})

describe('judgeWayBack', () => {
  const name = '111122223333.dkr.ecr.us-east-1.amazonaws.com/worker'
  const images = [img('sha256:v1', ['v1'], 3), img('sha256:v2', ['v2'], 0)]
  const countTwo = policy(
    rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 })
  )

  it('warns for a rollback image that is gone, archived or due; says nothing of one that is kept', () => {
    const report = judgeWayBack(
      [
        { kind: 'pod', id: 'gone', image: `${name}:v0` },
        { kind: 'pod', id: 'due', image: `${name}:v1` },
        { kind: 'pod', id: 'elsewhere', image: 'docker.io/library/ubuntu:24.04' }
      ],
      [{ name, images, rules: countTwo, unknown: [] }],
      NOW
    )
    expect(report.targets.map((target) => [target.id, target.state])).toEqual([
      ['gone', 'not in ECR'],
      ['due', 'ACTIVE, expired within a day by lifecycle rule 1']
    ])
    expect(report.warnings[1]).toContain('rule 1 counts 2 images and this one is the 2nd newest; it keeps 1')
    expect(report.warnings).toHaveLength(2)
    const kept = judgeWayBack(
      [{ kind: 'pod', id: 'p', image: `${name}:v1` }],
      [{ name, images, rules: null, unknown: [] }],
      NOW
    )
    expect(kept.warnings).toEqual([])
    const archived = judgeWayBack(
      [{ kind: 'endpoint', id: 'e', image: `${name}@sha256:v1` }],
      [{ name, images: [img('sha256:v1', [], 3, { status: 'ARCHIVED' })], rules: null, unknown: [] }],
      NOW
    )
    expect(archived.targets[0]?.state).toBe('ARCHIVED')
    expect(archived.warnings[0]).toMatch(
      /is archived in ECR, and archived images cannot be pulled.*Restore it to ACTIVE/
    )
  })

  it('what could not be read is a notice, never a pass or a warning', () => {
    const report = judgeWayBack(
      [{ kind: 'pod', id: 'p', image: `${name}:v1` }],
      [{ name, unknown: ["Give the deploy role 'ecr:DescribeImages'"] }],
      NOW
    )
    expect(report.warnings).toEqual([])
    expect(report.notices).toEqual(["Give the deploy role 'ecr:DescribeImages'"])
    expect(report.targets[0]?.state).toBe('unknown')
  })
})
