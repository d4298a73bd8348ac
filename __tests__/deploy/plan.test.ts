import { describe, expect, it } from '@jest/globals'
import { planDeploy, type DeployReads, type DeploySettings } from '../../src/deploy/plan.js'
import { parseImageReference } from '../../src/aws/image-reference.js'
import { applyRunpodGrant } from '../../src/policy/merge.js'
import type { EcrDelegation } from '../../src/runpod/wire.js'
import { RUNPOD_DEPLOYMENT_ROLES } from '../../src/policy/runpod-statement.js'
import type { TargetState } from '../../src/runpod/targets.js'

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
const DIGEST = `sha256:${'a'.repeat(64)}`
const GRANTED = applyRunpodGrant(undefined, RUNPOD_DEPLOYMENT_ROLES).policyText

const settings: DeploySettings = {
  policy: 'apply',
  principals: RUNPOD_DEPLOYMENT_ROLES,
  registryAuth: 'delegation',
  pinDigest: false
}

const delegation: EcrDelegation = {
  id: 'deleg_1',
  name: null,
  createdAt: null,
  awsUser: '123456789012',
  repository: 'team/worker',
  awsRegion: 'us-east-1'
}

function pod(id: string, image: string): TargetState {
  return { kind: 'pod', id, name: id, image, status: 'RUNNING' }
}

function reads(overrides: Partial<DeployReads> = {}, image = `${REGISTRY}/team/worker:v1`): DeployReads {
  return {
    image: parseImageReference(image),
    imageDigest: DIGEST,
    policy: { text: GRANTED },
    delegations: [delegation],
    targets: [],
    ...overrides
  }
}

describe('planDeploy', () => {
  it('warns about an endpoint whose max workers Runpod set to 0, and only when it gets the new image', () => {
    const endpoint = (id: string, image: string, workersMax: number): TargetState => ({
      kind: 'endpoint',
      id,
      name: id,
      image,
      workersMax
    })
    const plan = planDeploy(
      settings,
      reads({
        targets: [
          endpoint('idle', `${REGISTRY}/team/worker:v0`, 0),
          endpoint('busy', `${REGISTRY}/team/worker:v0`, 3),
          endpoint('same', `${REGISTRY}/team/worker:v1`, 0)
        ]
      })
    )
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^Endpoint idle \(input 'endpoint-id'\) has max workers 0.*raise max workers/)
    ])
  })

  it('plans nothing but the patch for an already-configured repository', () => {
    const plan = planDeploy(
      settings,
      reads({ targets: [pod('p1', `${REGISTRY}/team/worker:v0`), pod('p2', `${REGISTRY}/team/worker:v1`)] })
    )
    expect(plan.deployImage).toBe(`${REGISTRY}/team/worker:v1`)
    expect(plan.digest).toBe(DIGEST)
    expect(plan.policy).toEqual({
      kind: 'granted',
      supersededAccount: false,
      uncertain: [],
      registry: { kind: 'none' },
      registryUncertain: []
    })
    expect(plan.delegation).toEqual({ kind: 'reuse', delegation })
    expect(plan.targets.map((step) => [step.target.id, step.change])).toEqual([
      ['p1', 'patch'],
      ['p2', 'unchanged']
    ])
    expect(plan.warnings).toEqual([])
  })

  it('plans the policy statement and a delegation for a fresh repository', () => {
    const plan = planDeploy(settings, reads({ policy: { text: undefined }, delegations: [] }))
    expect(plan.policy.kind).toBe('apply')
    expect(plan.policy.kind === 'apply' && plan.policy.merge.changed).toBe(true)
    expect(plan.delegation).toMatchObject({
      kind: 'create',
      repository: { arn: 'arn:aws:ecr:us-east-1:123456789012:repository/team/worker' }
    })
  })

  it('does not reuse a delegation of another region or repository', () => {
    const others = [
      { ...delegation, awsRegion: 'us-west-2' },
      { ...delegation, repository: 'team/other' }
    ]
    expect(planDeploy(settings, reads({ delegations: others })).delegation.kind).toBe('create')
  })

  it('with policy: verify fails on a missing grant and prints the statement to add', () => {
    expect(() => planDeploy({ ...settings, policy: 'verify' }, reads({ policy: { text: undefined } }))).toThrow(
      /does not let Runpod pull \(the repository has no policy\)[\s\S]*"Sid": "AllowRunpodPull"/
    )
    const partial = GRANTED.replace(RUNPOD_DEPLOYMENT_ROLES[1] ?? '', 'arn:aws:iam::550005742258:role/other')
    expect(() => planDeploy({ ...settings, policy: 'verify' }, reads({ policy: { text: partial } }))).toThrow(
      /prod-us-west-2-deployment-role lacks/
    )
  })

  it('fails on a policy that grants Runpod but is unsafe, in apply and in verify', () => {
    const open = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'ecr:*' }]
    })
    expect(() => planDeploy(settings, reads({ policy: { text: open } }))).toThrow(/would still be unsafe.*RPD00[23]/)
    expect(() => planDeploy({ ...settings, policy: 'verify' }, reads({ policy: { text: open } }))).toThrow(
      /lets Runpod pull but is unsafe: RPD00[23]/
    )
  })

  it('skips policy and delegation for public images and when told to', () => {
    const publicPlan = planDeploy(settings, {
      image: parseImageReference('public.ecr.aws/runpod/worker:v1'),
      targets: []
    })
    expect(publicPlan.policy).toEqual({ kind: 'skipped', reason: 'public images need no repository policy' })
    expect(publicPlan.delegation).toEqual({ kind: 'skipped', reason: 'public images need no delegation' })
    const none = planDeploy(
      { ...settings, policy: 'skip', registryAuth: 'none' },
      { image: parseImageReference(`${REGISTRY}/team/worker:v1`), targets: [] }
    )
    expect(none.policy.kind).toBe('skipped')
    expect(none.delegation).toEqual({ kind: 'skipped', reason: "input 'registry-auth' is none" })
  })

  it('pins the digest with pin-digest, and refuses when no digest is known', () => {
    expect(planDeploy({ ...settings, pinDigest: true }, reads()).deployImage).toBe(`${REGISTRY}/team/worker@${DIGEST}`)
    expect(() =>
      planDeploy(
        { ...settings, pinDigest: true },
        { image: parseImageReference('public.ecr.aws/runpod/worker:v1'), targets: [] }
      )
    ).toThrow(/Input 'pin-digest' is true, but the digest .* is unknown/)
  })

  it('deploys a reference with tag and digest exactly as given', () => {
    expect(planDeploy(settings, reads({}, `${REGISTRY}/team/worker:v1@${DIGEST}`)).deployImage).toBe(
      `${REGISTRY}/team/worker:v1@${DIGEST}`
    )
  })

  it('warns about :latest unless the digest is pinned', () => {
    expect(planDeploy(settings, reads({}, `${REGISTRY}/team/worker:latest`)).warnings).toEqual([
      expect.stringMatching(/':latest'.*pin-digest: true/)
    ])
    expect(planDeploy({ ...settings, pinDigest: true }, reads({}, `${REGISTRY}/team/worker:latest`)).warnings).toEqual(
      []
    )
  })

  it('warns when the policy still names the superseded Runpod account', () => {
    const policy = JSON.parse(GRANTED) as { Statement: unknown[] }
    policy.Statement.push({
      Sid: 'OldRunpod',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::418399314813:role/prod-us-east-1-deployment-role' },
      Action: 'ecr:BatchGetImage'
    })
    const plan = planDeploy(settings, reads({ policy: { text: JSON.stringify(policy) } }))
    expect(plan.warnings).toEqual([expect.stringMatching(/superseded Runpod account 418399314813/)])
  })

  it('warns of the superseded account in the stored policy even when the merge repairs that statement', () => {
    // Runpod's earlier documented statement: the old account's role alone. policy: apply replaces it, and the
    // merged text no longer names the account; the warning is about what is stored now.
    const OLD_ROLE = 'arn:aws:iam::418399314813:role/prod-us-east-1-deployment-role'
    const stored = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowRunpodPull',
          Effect: 'Allow',
          Principal: '*',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          Condition: { StringEquals: { 'aws:PrincipalArn': OLD_ROLE } }
        }
      ]
    })
    const plan = planDeploy({ ...settings, policy: 'apply' }, reads({ policy: { text: stored } }))
    expect(plan.policy.kind).toBe('apply')
    if (plan.policy.kind !== 'apply') return
    expect(plan.policy.merge.policyText).not.toContain('418399314813')
    expect(plan.warnings).toEqual([expect.stringMatching(/superseded Runpod account 418399314813/)])
  })
})

describe('the registry policy in the verdict on Runpod pull', () => {
  const REPOSITORY = 'arn:aws:ecr:us-east-1:123456789012:repository/team/worker'
  const registry = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements })
  const perimeter = (
    resource: string,
    condition: object = { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3' } }
  ) => ({
    Sid: 'OrgOnly',
    Effect: 'Deny',
    Principal: '*',
    Action: 'ecr:*',
    Resource: resource,
    Condition: condition
  })
  const plan = (read: DeployReads['registryPolicy'], policy: DeploySettings['policy'] = 'apply', text = GRANTED) =>
    planDeploy({ ...settings, policy }, reads({ policy: { text }, ...(read ? { registryPolicy: read } : {}) }))

  it('fails before any write on a V2 Deny that applies, naming the registry policy and the statement', () => {
    for (const mode of ['apply', 'verify'] as const) {
      expect(() =>
        plan({ scope: 'V2', text: registry(perimeter('arn:aws:ecr:us-east-1:123456789012:repository/*')) }, mode)
      ).toThrow(
        /^The registry policy of account 123456789012 in us-east-1 denies Runpod's pull, so the image could never be pulled: statement "OrgOnly" \(line 1\) denies ecr:BatchGetImage, .*ArnNotLike/
      )
    }
  })

  it('does not count the registry policy under scope V1, where ECR does not enforce it on pulls', () => {
    const result = plan({ scope: 'V1', text: registry(perimeter('*')) })
    expect(result.policy).toMatchObject({ kind: 'granted', registry: { kind: 'not-enforced' } })
  })

  it('judges only the repositories its Resource admits', () => {
    const result = plan({
      scope: 'V2',
      text: registry(perimeter('arn:aws:ecr:us-east-1:123456789012:repository/prod-*'))
    })
    expect(result.policy).toMatchObject({ kind: 'granted', registry: { kind: 'judged' } })
    expect(REPOSITORY).toContain('team/worker')
  })

  it('names both policies when both deny', () => {
    const repositoryDeny = JSON.parse(GRANTED) as { Statement: object[] }
    repositoryDeny.Statement.push(perimeter('*'))
    expect(() =>
      plan({ scope: 'V2', text: registry(perimeter('*')) }, 'verify', JSON.stringify(repositoryDeny))
    ).toThrow(
      /^The repository policy of team\/worker and the registry policy of account 123456789012 in us-east-1 deny Runpod's pull/
    )
  })

  it('warns about a V2 Deny that depends on what cannot be known offline', () => {
    const result = plan({
      scope: 'V2',
      text: registry(perimeter('*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }))
    })
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^The registry policy of account 123456789012: line 1: Statement "OrgOnly" may deny .* to arn:aws:iam::550005742258:role\/prod-us-east-1-deployment-role, depending on the condition key "aws:SourceIp"/
      ),
      expect.stringMatching(
        /^The registry policy of account 123456789012: line 1: Statement "OrgOnly" may deny .*aws:SourceIp.* The deploy goes on/
      )
    ])
  })

  it('counts an Allow of the registry policy as IAM does, and says that it is what grants the pull', () => {
    const grant = { ...JSON.parse(GRANTED).Statement[0], Resource: REPOSITORY }
    const result = plan({ scope: 'V2', text: registry(grant) }, 'verify', '{"Version":"2012-10-17","Statement":[]}')
    expect(result.policy).toMatchObject({ kind: 'granted', registry: { kind: 'grants' } })
  })

  it('carries an unreadable registry policy as unknown, never as a pass or a failure', () => {
    const result = plan({
      unknown:
        'Could not read the registry policy of account 123456789012 in us-east-1 (ecr:GetRegistryPolicy: AccessDeniedException: no)'
    })
    expect(result.policy).toMatchObject({
      kind: 'granted',
      registry: { kind: 'unknown', reason: expect.stringContaining('ecr:GetRegistryPolicy') }
    })
  })
})

describe('an empty stored repository policy', () => {
  it('is no policy: apply adds the statement, verify says the repository has none', () => {
    const plan = planDeploy(settings, reads({ policy: { text: '  \n' } }))
    expect(plan.policy).toMatchObject({ kind: 'apply', merge: { changed: true } })
    expect(() => planDeploy({ ...settings, policy: 'verify' }, reads({ policy: { text: '' } }))).toThrow(
      /does not let Runpod pull \(the repository has no policy\)/
    )
  })
})
