// The lifecycle simulation and the way-back judgement, pure: fixtures written after the examples of ECR's
// lifecycle policy documentation (count and age rules, tag prefixes and patterns, priorities, archiving).
import { describe, expect, it } from '@jest/globals'
import { parseLifecyclePolicy, simulateLifecycle, type RepositoryImage } from '../../src/image/lifecycle.js'
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
  [...simulateLifecycle(rules, images, NOW).keys()].sort()

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
    const threats = simulateLifecycle(
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
