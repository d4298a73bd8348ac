// The AWS role template (infra/cloudformation) checked, not trusted: valid against CloudFormation's resource
// specification, created by moto's CloudFormation, and judged by an IAM engine nobody here wrote
// (@cloud-copilot/iam-simulate) against every AWS call the bundled action makes end to end (recorded by the
// local stand-in on their way to moto, with their real resource ARNs): each one allowed, nothing allowed
// that no call needs, and nothing allowed on another account's, region's or repository's resources.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate'
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation'
import { CreateOpenIDConnectProviderCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam'
import { readFileSync } from 'node:fs'
import { parseTemplate, resolveTemplate, specProblems, type ResolvedStack } from '../../test-support/cloudformation.js'
import type { AwsCall } from '../../test-support/ecr-stand-in.js'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { runAction } from '../../test-support/run-action.js'

const TEMPLATE_TEXT = readFileSync('infra/cloudformation/runpod-ecr-deploy-role.yaml', 'utf8')
const template = parseTemplate(TEMPLATE_TEXT)
/** The OIDC stand-in's token is for this repository. */
const GITHUB_REPOSITORY = 'octo-org/octo-repo'
const ROLE_NAME = 'github-runpod-deploy'

let stack: LocalStack
let providerArn: string

beforeAll(async () => {
  stack = await startLocalStack()
  providerArn = `arn:aws:iam::${stack.account}:oidc-provider/token.actions.githubusercontent.com`
})

afterAll(async () => {
  await stack?.stop()
})

type Policy = { Version: string; Statement: unknown[] }

function role(stackOf: ResolvedStack): { trust: Policy; permissions: Policy[]; arn: string } {
  const resource = stackOf.resources['DeployRole']
  if (!resource) throw new Error('no DeployRole')
  const properties = resource.Properties as unknown as {
    AssumeRolePolicyDocument: Policy
    Policies: { PolicyDocument: Policy }[]
  }
  return {
    trust: properties.AssumeRolePolicyDocument,
    permissions: properties.Policies.map((policy) => policy.PolicyDocument),
    arn: String(stackOf.outputs['RoleArn'])
  }
}

function resolved(parameters: Record<string, string>, region = stack.region): ResolvedStack {
  return resolveTemplate(
    template,
    { GitHubRepository: GITHUB_REPOSITORY, RoleName: ROLE_NAME, OidcProviderArn: providerArn, ...parameters },
    { account: stack.account, region }
  )
}

/**
 * A KMS key's default key policy (AWS KMS Developer Guide, "Default key policy"): it lets the account's IAM
 * policies grant access to the key, as keys created without a policy of their own have it.
 */
const defaultKeyPolicy = (account: string): Policy => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:*',
      Resource: '*'
    }
  ]
})

/** IAM's decision on one call of the role's session, with the keys IAM sets for it. */
async function decide(permissions: Policy[], call: AwsCall): Promise<string> {
  const resourceAccount = call.resource === '*' ? stack.account : (call.resource.split(':')[4] ?? '')
  const simulation: Simulation = {
    identityPolicies: permissions.map((policy, index) => ({ name: `inline-${index}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: call.action.startsWith('kms:') ? defaultKeyPolicy(resourceAccount) : undefined,
    request: {
      action: call.action,
      principal: `arn:aws:sts::${stack.account}:assumed-role/${ROLE_NAME}/runpod-ecr-deploy`,
      resource: { accountId: resourceAccount, resource: call.resource },
      contextVariables: {
        'aws:PrincipalArn': `arn:aws:iam::${stack.account}:role/${ROLE_NAME}`,
        'aws:PrincipalAccount': stack.account,
        'aws:ResourceAccount': resourceAccount,
        'aws:RequestedRegion': call.region
      }
    }
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType !== 'single') throw new Error(`iam-simulate: ${JSON.stringify(response).slice(0, 500)}`)
  return response.overallResult
}

/**
 * The trust policy's decision on AssumeRoleWithWebIdentity with these token claims. iam-simulate's key table
 * for that action lists no GitHub OIDC keys and ignores them, so they are renamed, in the policy and the
 * request alike, to keys it passes through; an operator compares values the same whatever its key is named.
 */
async function trusts(trust: Policy, claims: Record<string, unknown>, roleArn: string): Promise<string> {
  const renamed = JSON.parse(
    JSON.stringify(trust).replaceAll('token.actions.githubusercontent.com:', 'aws:PrincipalTag/github-')
  ) as Policy
  const simulation: Simulation = {
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: renamed,
    request: {
      action: 'sts:AssumeRoleWithWebIdentity',
      principal: providerArn,
      resource: { accountId: stack.account, resource: roleArn },
      contextVariables: {
        'aws:PrincipalTag/github-sub': String(claims['sub']),
        'aws:PrincipalTag/github-aud': String(claims['aud'])
      }
    }
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType !== 'single') throw new Error(`iam-simulate: ${JSON.stringify(response).slice(0, 500)}`)
  if (response.result.ignoredContextKeys?.length)
    throw new Error(`iam-simulate ignored ${response.result.ignoredContextKeys.join(', ')}`)
  return response.overallResult
}

/** The actions a policy set allows, as written (the statements name them one by one). */
function allowedActions(permissions: Policy[]): string[] {
  const actions = permissions.flatMap((policy) =>
    (policy.Statement as { Effect: string; Action: string | string[] }[])
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => statement.Action)
  )
  return [...new Set(actions)].sort()
}

/** Runs the bundled action end to end and returns the AWS calls it made. */
async function callsOf(repository: string, inputs: Record<string, string>): Promise<AwsCall[]> {
  const from = stack.ecr.calls.length
  const run = await runAction({ inputs: { ...stack.deployInputs(repository, 'v2'), ...inputs }, env: stack.env })
  expect(run.stderr + run.stdout).not.toContain('::error::')
  expect(run.exitCode).toBe(0)
  return stack.ecr.calls.slice(from)
}

describe('infra/cloudformation/runpod-ecr-deploy-role.yaml', () => {
  it('is valid against CloudFormation’s resource specification for every combination of its switches', () => {
    for (const PolicyInput of ['apply', 'verify', 'skip'])
      for (const TokenMode of ['true', 'false'])
        for (const AllowPush of ['true', 'false'])
          for (const OidcProviderArn of [
            '',
            `arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com`
          ])
            for (const KmsKeyArn of [
              '',
              'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'
            ]) {
              const created = resolveTemplate(
                template,
                {
                  GitHubRepository: GITHUB_REPOSITORY,
                  EcrRepositoryNames: 'team/a,team/b',
                  PolicyInput,
                  TokenMode,
                  AllowPush,
                  OidcProviderArn,
                  KmsKeyArn
                },
                { account: '123456789012', region: 'us-east-1' }
              )
              expect(specProblems(created)).toEqual([])
            }
  })

  it('is created by moto’s CloudFormation, with the trust policy this resolution gives', async () => {
    const config = {
      region: stack.region,
      endpoint: stack.moto.url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 1
    }
    const cloudformation = new CloudFormationClient(config)
    const iam = new IAMClient(config)
    try {
      await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['sts.amazonaws.com']
        })
      )
      const parameters = {
        GitHubRepository: GITHUB_REPOSITORY,
        GitHubBranch: 'main',
        EcrRepositoryNames: 'team/a,team/b',
        RoleName: 'moto-created-role',
        OidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com`
      }
      await cloudformation.send(
        new CreateStackCommand({
          StackName: 'runpod-ecr-deploy-role',
          TemplateBody: TEMPLATE_TEXT,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue
          }))
        })
      )
      const [created] =
        (await cloudformation.send(new DescribeStacksCommand({ StackName: 'runpod-ecr-deploy-role' }))).Stacks ?? []
      expect(created?.StackStatus).toBe('CREATE_COMPLETE')
      // moto acts as its default account 123456789012 with these keys.
      const ours = resolveTemplate(template, parameters, { account: '123456789012', region: stack.region })
      expect(created?.Outputs?.find((output) => output.OutputKey === 'RoleArn')?.OutputValue).toBe(
        ours.outputs['RoleArn']
      )
      const { Role: made } = await iam.send(new GetRoleCommand({ RoleName: 'moto-created-role' }))
      expect(JSON.parse(decodeURIComponent(made?.AssumeRolePolicyDocument ?? '{}'))).toEqual(role(ours).trust)
    } finally {
      cloudformation.destroy()
      iam.destroy()
    }
  })

  describe('judged against every AWS call of the action, end to end', () => {
    it('a deploy and a verify with registry-auth delegation: every call allowed, and nothing more', async () => {
      const repository = 'team/role-delegation'
      const key = await stack.createKmsKey()
      await stack.createRepository(repository, { kmsKey: key })
      await stack.pushImage(repository, 'v1')
      await stack.pushImage(repository, 'v2', {
        env: ['NVIDIA_REQUIRE_CUDA=cuda>=12.4', 'CUDA_VERSION=12.4.1']
      })
      await stack.setLifecyclePolicy(repository, {
        rules: [
          {
            rulePriority: 1,
            selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 },
            action: { type: 'expire' }
          }
        ]
      })
      const old = `${stack.registryHost()}/${repository}:v1`
      stack.runpod.addPod({ id: 'pod-role', image: old, pollsToStart: 1 })
      stack.runpod.addEndpoint({ id: 'ep-role', image: old, workers: 1 })
      const targets = { 'pod-id': 'pod-role', 'endpoint-id': 'ep-role' }
      const calls = [
        ...(await callsOf(repository, { ...targets, mode: 'verify' })),
        ...(await callsOf(repository, targets))
      ]
      const created = resolved({ EcrRepositoryNames: repository, KmsKeyArn: key })
      const { trust, permissions, arn } = role(created)

      const assumed = calls.filter((call) => call.action === 'sts:AssumeRoleWithWebIdentity')
      expect(assumed.length).toBeGreaterThan(0)
      for (const call of assumed) {
        expect(call.webIdentity?.roleArn).toBe(arn)
        expect(await trusts(trust, call.webIdentity?.claims ?? {}, arn)).toBe('Allowed')
      }
      const authorised = calls.filter((call) => !call.action.startsWith('sts:'))
      for (const call of authorised) expect([call, await decide(permissions, call)]).toEqual([call, 'Allowed'])
      // Nothing broader: every action the role may take is one the action took.
      expect(allowedActions(permissions)).toEqual([...new Set(authorised.map((call) => call.action))].sort())
    })

    it('a deploy with registry-auth token: every call allowed; beyond them only the pull Runpod makes with the token', async () => {
      const repository = 'team/role-token'
      await stack.createRepository(repository)
      await stack.pushImage(repository, 'v2')
      stack.runpod.addPod({ id: 'pod-role-token', image: `${stack.registryHost()}/${repository}:v1`, pollsToStart: 1 })
      const calls = await callsOf(repository, { 'pod-id': 'pod-role-token', 'registry-auth': 'token' })
      const { permissions } = role(resolved({ EcrRepositoryNames: repository, TokenMode: 'true', PolicyInput: 'skip' }))
      const authorised = calls.filter((call) => !call.action.startsWith('sts:'))
      for (const call of authorised) expect([call, await decide(permissions, call)]).toEqual([call, 'Allowed'])
      const runpodPull = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']
      expect(allowedActions(permissions)).toEqual(
        [...new Set([...authorised.map((call) => call.action), ...runpodPull])].sort()
      )
    })

    it('allows nothing on another account’s, region’s or repository’s resources', async () => {
      const repository = 'team/role-delegation'
      const { permissions } = role(resolved({ EcrRepositoryNames: repository, AllowPush: 'true', TokenMode: 'true' }))
      const arn = (account: string, region: string, name: string) =>
        `arn:aws:ecr:${region}:${account}:repository/${name}`
      for (const action of allowedActions(permissions).filter((name) => name !== 'ecr:GetAuthorizationToken')) {
        if (['ecr:GetRegistryPolicy', 'ecr:GetAccountSetting'].includes(action)) continue
        const own = { action, region: stack.region }
        expect(await decide(permissions, { ...own, resource: arn(stack.account, stack.region, repository) })).toBe(
          'Allowed'
        )
        expect(await decide(permissions, { ...own, resource: arn('999988887777', stack.region, repository) })).not.toBe(
          'Allowed'
        )
        expect(
          await decide(permissions, {
            action,
            region: 'eu-west-1',
            resource: arn(stack.account, 'eu-west-1', repository)
          })
        ).not.toBe('Allowed')
        expect(
          await decide(permissions, { ...own, resource: arn(stack.account, stack.region, 'team/other') })
        ).not.toBe('Allowed')
      }
    })

    it('trusts only the one repository’s tokens for sts.amazonaws.com, and the branch or environment given', async () => {
      const claims = (sub: string, aud = 'sts.amazonaws.com') => ({ sub, aud })
      const any = role(resolved({ EcrRepositoryNames: 'team/a' }))
      expect(await trusts(any.trust, claims('repo:octo-org/octo-repo:pull_request'), any.arn)).toBe('Allowed')
      expect(await trusts(any.trust, claims('repo:octo-org/octo-repo-fork:ref:refs/heads/main'), any.arn)).not.toBe(
        'Allowed'
      )
      expect(await trusts(any.trust, claims('repo:octo-org/octo-repo:ref:refs/heads/main', 'other'), any.arn)).not.toBe(
        'Allowed'
      )
      const main = role(resolved({ EcrRepositoryNames: 'team/a', GitHubBranch: 'main' }))
      expect(await trusts(main.trust, claims('repo:octo-org/octo-repo:ref:refs/heads/main'), main.arn)).toBe('Allowed')
      expect(await trusts(main.trust, claims('repo:octo-org/octo-repo:ref:refs/heads/dev'), main.arn)).not.toBe(
        'Allowed'
      )
      const production = role(resolved({ EcrRepositoryNames: 'team/a', GitHubEnvironment: 'production' }))
      expect(
        await trusts(production.trust, claims('repo:octo-org/octo-repo:environment:production'), production.arn)
      ).toBe('Allowed')
      const immutable = role(
        resolved({ EcrRepositoryNames: 'team/a', GitHubSubjectRepository: 'octo-org-65/octo-repo-74' })
      )
      expect(
        await trusts(immutable.trust, claims('repo:octo-org-65/octo-repo-74:ref:refs/heads/main'), immutable.arn)
      ).toBe('Allowed')
    })
  })
})
