// The plan comment as text: what a reviewer reads, and the marker that finds it again.
import { describe, expect, it } from '@jest/globals'
import { parseImageReference } from '../../src/aws/image-reference.js'
import type { DeployPlan } from '../../src/deploy/plan.js'
import type { DeployReport } from '../../src/deploy/report.js'
import { commentMarker, planChangesNothing, planComment } from '../../src/github/pr-comment.js'
import type { TargetState } from '../../src/runpod/targets.js'
import { renderGitHubMarkdown } from '../../test-support/rendered-markdown.js'

const IMAGE = parseImageReference('111122223333.dkr.ecr.us-east-1.amazonaws.com/worker:v2')
const OLD = '111122223333.dkr.ecr.us-east-1.amazonaws.com/worker:v1'
const TARGETS = ['pod:p1']
const POD: TargetState = { kind: 'pod', id: 'p1', name: 'trainer | big', image: OLD }
const PLAN: DeployPlan = {
  deployImage: '111122223333.dkr.ecr.us-east-1.amazonaws.com/worker:v2',
  policy: {
    kind: 'granted',
    supersededAccount: false,
    uncertain: [],
    registry: { kind: 'none' },
    registryUncertain: []
  },
  delegation: { kind: 'create', repository: IMAGE.ecr! },
  credential: { kind: 'skipped', reason: "input 'registry-auth' is delegation" },
  targets: [{ target: POD, change: 'patch' }],
  templates: [],
  warnings: ['Endpoint e9 <b>is</b> scaled to zero']
}

function report(plan: DeployPlan, status: 'planned' | 'unchanged' = 'planned'): DeployReport {
  return {
    mode: 'verify',
    image: IMAGE,
    plan,
    deployments: [{ kind: 'pod', id: 'p1', name: POD.name, previousImage: OLD, image: plan.deployImage, status }]
  }
}

describe('planComment', () => {
  it('starts with the marker and shows each step, each target old → new, and the warnings, escaped for Markdown', () => {
    const text = planComment(report(PLAN), {
      targets: TARGETS,
      runUrl: 'https://github.com/o/r/actions/runs/1',
      pullRequest: { owner: 'o', repo: 'r', number: 3, headSha: '0123456789abcdef' }
    })
    expect(text.startsWith(commentMarker(report(PLAN), TARGETS))).toBe(true)
    expect(text).toContain(
      '| ECR delegation | missing: deploy would create one for arn:aws:ecr:us-east-1:111122223333:repository/worker |'
    )
    const rendered = renderGitHubMarkdown(text)
    const cells = [...rendered.document.querySelectorAll('tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent)
    )
    expect(cells).toContainEqual(['pod p1 trainer | big', OLD, PLAN.deployImage])
    expect(rendered.text).toContain('⚠️ Endpoint e9 <b>is</b> scaled to zero')
    expect(rendered.document.querySelector('b')).toBeNull()
    expect(text).toContain(
      '<sub>runpod-ecr-deploy, verify mode: commit 0123456, [run](https://github.com/o/r/actions/runs/1)</sub>'
    )
    expect(text).not.toContain('changes nothing')
  })

  it("shows the registry policy's part in the verdict", () => {
    const withRegistry = (registry: DeployPlan['policy'] & { kind: 'granted' }) =>
      planComment(report({ ...PLAN, policy: registry }), { targets: TARGETS })
    const granted = PLAN.policy as DeployPlan['policy'] & { kind: 'granted' }
    expect(withRegistry({ ...granted, registry: { kind: 'not-enforced' } })).toContain(
      '| Registry policy | not enforced on pulls (scope V1) |'
    )
    expect(withRegistry({ ...granted, registry: { kind: 'unknown', reason: 'denied' } })).toContain(
      '| Registry policy | unknown (see the notice) |'
    )
  })

  it('says so when the plan changes nothing', () => {
    const settled: DeployPlan = {
      ...PLAN,
      delegation: { kind: 'skipped', reason: "input 'registry-auth' is none" },
      targets: [{ target: { ...POD, image: PLAN.deployImage }, change: 'unchanged' }]
    }
    expect(planChangesNothing(settled)).toBe(true)
    expect(planChangesNothing(PLAN)).toBe(false)
    expect(planComment(report(settled, 'unchanged'), { targets: TARGETS })).toContain('This plan changes nothing')
  })

  it('shows the failure when no plan could be made', () => {
    const failed: DeployReport = { mode: 'verify', image: IMAGE, deployments: [], failure: 'Image v2 is not in ECR' }
    expect(planComment(failed, { targets: TARGETS })).toContain(
      '❌ **The plan could not be made:** Image v2 is not in ECR'
    )
  })
})

describe('commentMarker', () => {
  it('is one per image repository and set of targets, whatever the tag, the order, or how far the run got', () => {
    const a = report(PLAN)
    const b: DeployReport = {
      mode: 'verify',
      image: parseImageReference('111122223333.dkr.ecr.us-east-1.amazonaws.com/worker:v3'),
      deployments: [],
      failure: 'Image v3 is not in ECR'
    }
    expect(commentMarker(a, ['pod:p1', 'endpoint:e1'])).toBe(commentMarker(b, ['endpoint:e1', 'pod:p1']))
    expect(commentMarker(a, ['pod:p1'])).not.toBe(commentMarker(a, ['pod:p1', 'endpoint:e1']))
  })
})

describe('outside text in the plan comment', () => {
  const HOSTILE_NAME = '@acme/security-team [approve](https://evil.example/x) ![x](https://evil.example/i.png)'
  const HOSTILE_WARNING = 'see www.evil.example or mail ops@evil.example <img src=x onerror=alert(1)>\n\n# pwned'

  it('renders no mention, link, image or HTML from a pod name, a warning or a failure', () => {
    const hostile: DeployReport = {
      ...report({ ...PLAN, warnings: [HOSTILE_WARNING] }),
      deployments: [
        { kind: 'pod', id: 'p1', name: HOSTILE_NAME, previousImage: 'x`|y', image: PLAN.deployImage, status: 'planned' }
      ]
    }
    for (const text of [
      planComment(hostile, { targets: TARGETS }),
      planComment({ ...hostile, failure: `Runpod said: ${HOSTILE_NAME}` }, { targets: TARGETS })
    ]) {
      const rendered = renderGitHubMarkdown(text)
      expect(rendered.links).toEqual([])
      expect(rendered.unexpectedElements).toEqual([])
      expect(rendered.mentions).toEqual([])
      expect(rendered.document.querySelector('h1')).toBeNull()
    }
    // Still readable: the reader sees the text as it was sent.
    const rendered = renderGitHubMarkdown(planComment(hostile, { targets: TARGETS }))
    expect(rendered.text).toContain(HOSTILE_NAME)
    expect(rendered.text).toContain('<img src=x onerror=alert(1)>')
  })

  it('the renderer used here would show the markup if it were not escaped', () => {
    const raw = renderGitHubMarkdown(`| a |\n|---|\n| ${HOSTILE_NAME} |\n\n${HOSTILE_WARNING}`)
    expect(raw.links.length).toBeGreaterThan(2)
    expect(raw.mentions).toContain('@acme/security-team')
    expect(raw.unexpectedElements.join()).toContain('img')
  })
})
