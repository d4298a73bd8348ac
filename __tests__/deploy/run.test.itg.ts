// The bundled action as a real process against moto (STS, ECR), the OIDC stand-in and the Runpod simulator.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  createRepository,
  MOTO_DEFAULT_ACCOUNT,
  pushImage,
  setRepositoryPolicy
} from '../../test-support/moto-server.js'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { startForwardProxy } from '../../test-support/http-proxy.js'
import { startLatencyProxy } from '../../test-support/latency-proxy.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { analyzeGrant } from '../../src/policy/grant.js'
import { RUNPOD_DEPLOYMENT_ROLES } from '../../src/policy/runpod-statement.js'

let stack: LocalStack
let repoSeq = 0
let repository: string

beforeAll(async () => {
  stack = await startLocalStack()
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(async () => {
  // A fresh repository per test keeps tests independent without resetting the shared services.
  repository = `team/worker-${++repoSeq}`
  await stack.createRepository(repository)
})

interface Deployment {
  kind: string
  id: string
  previousImage: string
  image: string
  status: string
}

function deployments(run: ActionRun): Deployment[] {
  return JSON.parse(run.outputs['deployments'] ?? '[]') as Deployment[]
}

function deploy(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({ inputs, env: { ...stack.env, ...env } })
}

function logOf(run: ActionRun): string {
  return `${run.stdout}\n${run.stderr}`
}

function addTargets(
  suffix: string,
  oldImage: string,
  pod: Parameters<LocalStack['runpod']['addPod']>[0]['rollout'] = 'succeed'
) {
  stack.runpod.addPod({ id: `pod-${suffix}`, image: oldImage, rollout: pod, pollsToStart: 1 })
  stack.runpod.addEndpoint({ id: `ep-${suffix}`, image: oldImage, workers: 1 })
  return { 'pod-id': `pod-${suffix}`, 'endpoint-id': `ep-${suffix}` }
}

describe('deploy end to end', () => {
  it('sets up a fresh repository, rolls out, and a re-run changes nothing', async () => {
    const digest = await stack.pushImage(repository, 'v2')
    const oldImage = `${stack.registryHost()}/${repository}:v1`
    const targets = addTargets('fresh', oldImage)
    const inputs = { ...stack.deployInputs(repository, 'v2'), ...targets }
    const newImage = `${stack.registryHost()}/${repository}:v2`

    const first = await deploy(inputs)
    expect(first.exitCode).toBe(0)
    expect(first.outputs).toMatchObject({ image: newImage, 'image-digest': digest, 'policy-changed': 'true' })
    expect(first.outputs['delegation-id']).toMatch(/\S/)
    expect(deployments(first)).toEqual([
      { kind: 'pod', id: 'pod-fresh', previousImage: oldImage, image: newImage, status: 'rolled-out' },
      { kind: 'endpoint', id: 'ep-fresh', previousImage: oldImage, image: newImage, status: 'rolled-out' }
    ])
    const stored = await stack.policy(repository)
    expect(stored && analyzeGrant(stored, RUNPOD_DEPLOYMENT_ROLES).granted).toBe(true)
    expect(stack.runpod.pod('pod-fresh').image).toBe(newImage)
    expect(first.summary).toContain('applied: added the AllowRunpodPull statement')
    expect(first.summary).toContain(`created: ${first.outputs['delegation-id']}`)
    expect(first.summary).toContain('https://console.runpod.io/pods?id=pod-fresh')
    expect(first.outputs['url']).toBe('https://console.runpod.io/pods?id=pod-fresh')
    expect(first.summary).toMatch(
      /```mermaid\ngantt\n[\s\S]*section pod pod-fresh pod-pod-fresh\n {2}rolled out :done, t0, \d+, \d+\n/
    )

    const writesBefore = stack.runpod.writes().length
    const second = await deploy(inputs)
    expect(second.exitCode).toBe(0)
    expect(second.outputs).toMatchObject({ 'policy-changed': 'false', 'delegation-id': first.outputs['delegation-id'] })
    expect(deployments(second).map((d) => d.status)).toEqual(['unchanged', 'unchanged'])
    expect(stack.runpod.writes().length).toBe(writesBefore)
    expect(await stack.policy(repository)).toBe(stored)
    expect(second.summary).toContain('already grants Runpod pull')
  })

  it('keeps every unrelated statement of an existing, oddly formatted policy', async () => {
    await stack.pushImage(repository, 'v1')
    const existing = `{"Version":"2012-10-17","Statement":{"Sid":"CiPush","Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::${stack.account}:role/ci"},
      "Action":["ecr:PutImage","ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload","ecr:BatchCheckLayerAvailability"]}}`
    await setRepositoryPolicy(stack.moto, { account: stack.account, region: stack.region, repository }, existing)
    const run = await deploy({ ...stack.deployInputs(repository, 'v1'), 'registry-auth': 'none' })
    expect(run.exitCode).toBe(0)
    const stored = JSON.parse((await stack.policy(repository)) ?? '{}') as {
      Statement: { Sid: string; Action: unknown }[]
    }
    expect(stored.Statement.map((statement) => statement.Sid).sort()).toEqual(['AllowRunpodPull', 'CiPush'])
    expect(stored.Statement.find((statement) => statement.Sid === 'CiPush')?.Action).toHaveLength(5)
  })

  it('rolls a failed pod back to its previous image and shows why it failed', async () => {
    await stack.pushImage(repository, 'bad')
    const oldImage = `${stack.registryHost()}/${repository}:good`
    stack.runpod.addPod({
      id: 'pod-rb',
      image: oldImage,
      rollout: 'fail',
      pollsToStart: 1,
      failureLog: ['CUDA error: no kernel image is available']
    })
    const run = await deploy({ ...stack.deployInputs(repository, 'bad'), 'pod-id': 'pod-rb' })
    expect(run.exitCode).toBe(1)
    expect(deployments(run)).toEqual([
      {
        kind: 'pod',
        id: 'pod-rb',
        previousImage: oldImage,
        image: `${stack.registryHost()}/${repository}:bad`,
        status: 'rolled-back'
      }
    ])
    expect(stack.runpod.pod('pod-rb').image).toBe(oldImage)
    expect(run.stdout).toMatch(/::error::.*pod pod-rb/)
    expect(run.stdout).toContain('CUDA error: no kernel image is available')
    expect(run.summary).toContain('rolled back')
    expect(run.summary).toContain('CUDA error: no kernel image is available')
  })

  it('in verify mode reads everything, prints the plan and changes nothing', async () => {
    await stack.pushImage(repository, 'v3')
    const oldImage = `${stack.registryHost()}/${repository}:v1`
    const targets = addTargets('verify', oldImage)
    const writesBefore = stack.runpod.writes().length
    const run = await deploy({ ...stack.deployInputs(repository, 'v3'), ...targets, mode: 'verify' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['policy-changed']).toBe('false')
    expect(deployments(run).map((d) => d.status)).toEqual(['planned', 'planned'])
    expect(await stack.policy(repository)).toBeUndefined()
    expect(stack.runpod.writes().length).toBe(writesBefore)
    expect(run.summary).toContain('plan (verify mode, nothing changed)')
    expect(run.summary).toContain('missing: deploy would add the AllowRunpodPull statement')
    expect(run.summary).toContain('missing: deploy would create one for')
    expect(run.stdout).toContain('add the AllowRunpodPull statement')
  })

  it('with policy: verify fails on a missing grant, printing the statement, and writes nothing', async () => {
    await stack.pushImage(repository, 'v1')
    const targets = addTargets('pv', `${stack.registryHost()}/${repository}:v0`)
    const writesBefore = stack.runpod.writes().length
    const run = await deploy({ ...stack.deployInputs(repository, 'v1'), ...targets, policy: 'verify' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::The repository policy of team\/worker-\d+ does not let Runpod pull/)
    expect(run.stdout).toContain('AllowRunpodPull')
    expect(await stack.policy(repository)).toBeUndefined()
    expect(stack.runpod.writes().length).toBe(writesBefore)
  })

  it.each(['apply', 'verify'])(
    'with policy: %s fails behind an organization perimeter, naming the Deny and the exemption, and writes nothing',
    async (policy) => {
      await stack.pushImage(repository, 'v1')
      const targets = addTargets(`perimeter-${policy}`, `${stack.registryHost()}/${repository}:v0`)
      const perimeter = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OrgPerimeter',
            Effect: 'Deny',
            Principal: '*',
            Action: 'ecr:*',
            Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }
          }
        ]
      })
      await setRepositoryPolicy(stack.moto, { account: stack.account, region: stack.region, repository }, perimeter)
      const writesBefore = stack.runpod.writes().length
      const run = await deploy({ ...stack.deployInputs(repository, 'v1'), ...targets, policy })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toMatch(/::error::The repository policy of team\/worker-\d+ denies Runpod's pull/)
      expect(run.stdout).toContain('statement "OrgPerimeter" (line 1) denies')
      expect(run.stdout).toContain('"ArnNotLike": {"aws:PrincipalArn": [')
      expect(await stack.policy(repository)).toBe(perimeter)
      expect(stack.runpod.writes().length).toBe(writesBefore)
    }
  )

  it('warns about a Deny it cannot judge offline, says so in the summary, and deploys', async () => {
    await stack.pushImage(repository, 'v1')
    const targets = addTargets('uncertain', `${stack.registryHost()}/${repository}:v0`)
    const office = {
      Sid: 'OfficeOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }
    }
    await setRepositoryPolicy(
      stack.moto,
      { account: stack.account, region: stack.region, repository },
      JSON.stringify({ Version: '2012-10-17', Statement: [office] }, null, 2)
    )
    const run = await deploy({ ...stack.deployInputs(repository, 'v1'), ...targets })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(
      /::warning::The repository policy of team\/worker-\d+: line \d+: Statement "OfficeOnly" may deny .*"aws:SourceIp"/
    )
    expect(run.summary).toContain('Statement &quot;OfficeOnly&quot; may deny')
    expect(deployments(run).map((entry) => entry.status)).toEqual(['rolled-out', 'rolled-out'])
    const stored = await stack.policy(repository)
    expect(stored).toContain('"Sid": "OfficeOnly"')
    expect(stored).toContain('"Sid": "AllowRunpodPull"')
  })

  it('keeps a statement another writer adds between its read and its write', async () => {
    await stack.pushImage(repository, 'v1')
    const ref = { account: stack.account, region: stack.region, repository }
    const other = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OtherWriter',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${stack.account}:role/other` },
          Action: 'ecr:ListImages'
        }
      ]
    })
    let policyReads = 0
    const proxy = await startLatencyProxy({
      service: 'ECR',
      target: stack.moto.url,
      latencyMs: 0,
      log: [],
      // Right after the action's read phase, before its write: the other writer's statement lands.
      beforeRespond: async (operation) => {
        if (operation === 'GetRepositoryPolicy' && ++policyReads === 1)
          await setRepositoryPolicy(stack.moto, ref, other)
      }
    })
    try {
      const run = await deploy(
        { ...stack.deployInputs(repository, 'v1'), 'registry-auth': 'none' },
        { AWS_ENDPOINT_URL_ECR: proxy.url }
      )
      expect(run.exitCode).toBe(0)
      const stored = JSON.parse((await stack.policy(repository)) ?? '{}') as { Statement: { Sid: string }[] }
      expect(stored.Statement.map((statement) => statement.Sid).sort()).toEqual(['AllowRunpodPull', 'OtherWriter'])
      expect(policyReads).toBeGreaterThanOrEqual(3)
    } finally {
      await proxy.close()
    }
  })

  it.each([
    ['through the proxy', false],
    ['beside the proxy for a NO_PROXY host', true]
  ])('reaches Runpod and AWS %s a self-hosted runner sets', async (_name, bypassRunpod) => {
    await stack.pushImage(repository, 'v1')
    const targets = addTargets(`proxy-${bypassRunpod}`, `${stack.registryHost()}/${repository}:v0`)
    const proxy = await startForwardProxy()
    try {
      const runpodHost = new URL(stack.runpod.url).host
      // STS, ECR and KMS all go through the local AWS stand-in in front of moto.
      const awsHost = new URL(stack.ecr.url).host
      const env = { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, ...(bypassRunpod ? { NO_PROXY: runpodHost } : {}) }
      const run = await deploy({ ...stack.deployInputs(repository, 'v1'), ...targets }, env)
      expect(run.exitCode).toBe(0)
      expect(proxy.carried).toContain(awsHost)
      if (bypassRunpod) expect(proxy.carried).not.toContain(runpodHost)
      else expect(proxy.carried).toContain(runpodHost)
    } finally {
      await proxy.close()
    }
  })

  it('reads the policy again after a write whose answer was lost, and does not write it twice', async () => {
    await stack.pushImage(repository, 'v1')
    const operations: string[] = []
    const proxy = await startLatencyProxy({
      service: 'ECR',
      target: stack.moto.url,
      latencyMs: 0,
      log: [],
      beforeRespond: async (operation) => {
        operations.push(operation)
        return operation === 'SetRepositoryPolicy' ? { status: 500 } : undefined
      }
    })
    try {
      const run = await deploy(
        { ...stack.deployInputs(repository, 'v1'), 'registry-auth': 'none' },
        { AWS_ENDPOINT_URL_ECR: proxy.url }
      )
      expect(run.exitCode).toBe(0)
      expect(operations.filter((operation) => operation === 'SetRepositoryPolicy')).toHaveLength(1)
      expect(run.stdout).toContain('took effect although its answer was lost')
      expect(run.outputs['policy-changed']).toBe('true')
      expect(analyzeGrant((await stack.policy(repository)) ?? '', RUNPOD_DEPLOYMENT_ROLES).granted).toBe(true)
    } finally {
      await proxy.close()
    }
  })

  it('leaves one delegation and one grant when two runs deploy a fresh repository at once', async () => {
    await stack.pushImage(repository, 'v1')
    const inputs = stack.deployInputs(repository, 'v1')
    const [first, second] = await Promise.all([deploy(inputs), deploy(inputs)])
    expect([first.exitCode, second.exitCode]).toEqual([0, 0])
    const ours = stack.runpod.delegations.filter((delegation) => delegation['repository'] === repository)
    expect(ours).toHaveLength(1)
    expect(first.outputs['delegation-id']).toBe(ours[0]?.['id'])
    expect(second.outputs['delegation-id']).toBe(ours[0]?.['id'])
    const stored = JSON.parse((await stack.policy(repository)) ?? '{}') as { Statement: { Sid: string }[] }
    expect(stored.Statement.map((statement) => statement.Sid)).toEqual(['AllowRunpodPull'])
  })

  it.each([
    ['true', 'rolled-back', 'v0'],
    ['false', 'updated', 'v1']
  ])(
    'on the runner’s cancel mid-wait (rollback: %s) reports every target as %s within 5 s',
    async (rollback, status, podTag) => {
      await stack.pushImage(repository, 'v1')
      const oldImage = `${stack.registryHost()}/${repository}:v0`
      const suffix = `cancel-${rollback}`
      stack.runpod.addPod({ id: `pod-${suffix}`, image: oldImage, rollout: 'stall' })
      stack.runpod.addEndpoint({ id: `ep-${suffix}`, image: oldImage, workers: 1, rollout: 'stall' })
      const run = await runAction({
        inputs: {
          ...stack.deployInputs(repository, 'v1'),
          'pod-id': `pod-${suffix}`,
          'endpoint-id': `ep-${suffix}`,
          'wait-timeout': '120',
          rollback
        },
        env: stack.env,
        cancelWhen: /::group::Rollout/
      })
      expect(run.cancelledAt).toBeDefined()
      expect(run.closedAt - (run.cancelledAt ?? 0)).toBeLessThan(5_000)
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toContain('::warning::The workflow was cancelled (SIGINT)')
      expect(run.stdout).toMatch(
        /::error::The run was cancelled while waiting for the rollout\. Where each target stands:/
      )
      expect(deployments(run).map((entry) => entry.status)).toEqual([status, status])
      expect(run.summary).toContain('The run was cancelled while waiting for the rollout')
      expect(stack.runpod.pod(`pod-${suffix}`).image).toBe(`${stack.registryHost()}/${repository}:${podTag}`)
    }
  )

  it.each([
    ['a tag that was never pushed', { tag: 'never-pushed' }, /never-pushed/],
    ['a repository that does not exist', { repository: 'team/missing' }, /team\/missing/],
    ['an unknown pod', { 'pod-id': 'pod-nope' }, /pod-nope.*'pod-id'|'pod-id'.*pod-nope/]
  ])('fails on %s before any write', async (_name, change, message) => {
    await stack.pushImage(repository, 'v1')
    const writesBefore = stack.runpod.writes().length
    const inputs = stack.deployInputs(
      'repository' in change ? change.repository : repository,
      'tag' in change ? change.tag : 'v1'
    )
    const run = await deploy({ ...inputs, ...('pod-id' in change ? { 'pod-id': change['pod-id'] } : {}) })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(message)
    expect(await stack.policy(repository)).toBeUndefined()
    expect(stack.runpod.writes().length).toBe(writesBefore)
    // The summary of a failed run names the whole reference, tag included.
    expect(run.summary).toContain(`/${(inputs['image'] ?? '').split('/').slice(1).join('/')}</code>`)
  })

  it('finds an aws-region that contradicts the image before sending any request', async () => {
    const requestsBefore = stack.runpod.requests.length
    const run = await deploy({ ...stack.deployInputs(repository, 'v1'), 'aws-region': 'eu-west-1' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::Input 'aws-region' is 'eu-west-1' but input 'image' is in region/)
    expect(stack.runpod.requests.length).toBe(requestsBefore)
  })

  it('a first run without targets prepares the repository and says what to do next', async () => {
    await stack.pushImage(repository, 'v1')
    const run = await deploy(stack.deployInputs(repository, 'v1'))
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/::notice title=No target yet::Neither 'pod-id' nor 'endpoint-id' is set/)
    expect(run.stdout).not.toContain('::warning::')
    // What Runpod needs before an endpoint for a private image can be created: the policy and the delegation.
    expect(JSON.stringify(await stack.policy(repository))).toContain('AllowRunpodPull')
    expect(run.outputs['delegation-id']).toMatch(/./)
    expect(JSON.parse(run.outputs['deployments'] ?? '')).toEqual([])
    expect(run.summary).toContain('<h3>Next steps</h3>')
    expect(run.summary).toContain(
      `Create a Serverless endpoint (or a pod) in Runpod's console with the image ${stack.registryHost()}/${repository}:v1`
    )
    expect(run.summary).toContain("Put its id in the step's 'endpoint-id'")
    // A rerun finds everything in place and changes nothing.
    const writes = stack.runpod.writes().length
    const again = await deploy(stack.deployInputs(repository, 'v1'))
    expect(again.exitCode).toBe(0)
    expect(again.outputs['policy-changed']).toBe('false')
    expect(stack.runpod.writes().length).toBe(writes)
  })

  it('explains the missing id-token permission', async () => {
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }
    const run = await deploy(stack.deployInputs(repository, 'v1'), env)
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('id-token: write')
    expect(run.stdout).toMatch(/fork/)
  })

  it('deploys the digest with pin-digest, and takes the tag from a release event', async () => {
    const digest = await stack.pushImage(repository, 'v4.0.0')
    stack.runpod.addPod({ id: 'pod-pin', image: 'old', pollsToStart: 1 })
    const eventDir = await mkdtemp(path.join(tmpdir(), 'rpd-event-'))
    const eventPath = path.join(eventDir, 'event.json')
    await writeFile(eventPath, JSON.stringify({ action: 'published', release: { tag_name: 'v4.0.0' } }))
    try {
      const run = await deploy(
        {
          ...stack.deployInputs(repository, 'ignored'),
          image: `${stack.registryHost()}/${repository}`,
          'pod-id': 'pod-pin',
          'pin-digest': 'true'
        },
        { GITHUB_EVENT_NAME: 'release', GITHUB_EVENT_PATH: eventPath }
      )
      expect(run.exitCode).toBe(0)
      expect(run.outputs['image']).toBe(`${stack.registryHost()}/${repository}@${digest}`)
      expect(stack.runpod.pod('pod-pin').image).toBe(`${stack.registryHost()}/${repository}@${digest}`)
    } finally {
      await rm(eventDir, { recursive: true, force: true })
    }
  })

  it('with wait: false reports updated targets without polling them', async () => {
    await stack.pushImage(repository, 'v1')
    stack.runpod.addPod({ id: 'pod-nowait', image: 'old', rollout: 'stall' })
    const start = stack.runpod.requests.length
    const run = await deploy({ ...stack.deployInputs(repository, 'v1'), 'pod-id': 'pod-nowait', wait: 'false' })
    expect(run.exitCode).toBe(0)
    expect(deployments(run).map((d) => d.status)).toEqual(['updated'])
    // Read through the list of pods, patched, and never read again.
    const asked = stack.runpod.requests
      .slice(start)
      .filter((request) => request.path === '/v2/pods/pod-nowait' || request.path === '/v2/pods')
      .map((request) => `${request.method} ${request.path}`)
    expect(asked.at(-1)).toBe('PATCH /v2/pods/pod-nowait')
    expect(asked.filter((request) => request === 'GET /v2/pods/pod-nowait')).toEqual([])
    expect(asked.filter((request) => request === 'GET /v2/pods').length).toBeGreaterThan(0)
  })

  it('without rollback leaves a failed endpoint on the new image and reports failed with its unhealthy workers', async () => {
    await stack.pushImage(repository, 'broken')
    stack.runpod.addEndpoint({ id: 'ep-nrb', image: 'old', workers: 1, rollout: 'fail' })
    const run = await deploy({
      ...stack.deployInputs(repository, 'broken'),
      'endpoint-id': 'ep-nrb',
      rollback: 'false'
    })
    expect(run.exitCode).toBe(1)
    expect(deployments(run).map((d) => d.status)).toEqual(['failed'])
    expect(stack.runpod.endpoint('ep-nrb').image).toBe(`${stack.registryHost()}/${repository}:broken`)
    expect(run.stdout).toMatch(/UNHEALTHY/)
  })

  it('with registry-auth: none and a :latest tag: no delegation, and a warning that suggests pin-digest', async () => {
    await stack.pushImage(repository, 'latest')
    const posts = () => stack.runpod.requests.filter((request) => request.method === 'POST').length
    const before = posts()
    const run = await deploy({ ...stack.deployInputs(repository, 'latest'), 'registry-auth': 'none' })
    expect(run.exitCode).toBe(0)
    expect(posts()).toBe(before)
    expect(run.outputs['delegation-id']).toBeUndefined()
    expect(run.stdout).toMatch(/^::warning::Input 'image' uses the ':latest' tag.*pin-digest: true/m)
  })

  it('works with the default AWS credential chain (no role-to-assume)', async () => {
    const repo = { account: MOTO_DEFAULT_ACCOUNT, region: stack.region, repository: `team/chain-${repoSeq}` }
    await createRepository(stack.moto, repo)
    await pushImage(stack.moto, { ...repo, tag: 'v1' })
    const env = { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }
    const tokensBefore = stack.oidc.requests.length
    const run = await deploy(
      {
        image: `${MOTO_DEFAULT_ACCOUNT}.dkr.ecr.${stack.region}.amazonaws.com/${repo.repository}:v1`,
        'runpod-api-key': stack.runpod.apiKey,
        'runpod-api-url': stack.runpod.url
      },
      env
    )
    expect(run.exitCode).toBe(0)
    expect(run.outputs['policy-changed']).toBe('true')
    expect(stack.oidc.requests.length).toBe(tokensBefore)
  })

  it('deploys a public.ecr.aws image with no AWS access at all', async () => {
    stack.runpod.addPod({ id: 'pod-public', image: 'old', pollsToStart: 1 })
    const run = await runAction({
      inputs: {
        image: 'public.ecr.aws/runpod/worker:v1',
        'pod-id': 'pod-public',
        'runpod-api-key': stack.runpod.apiKey,
        'runpod-api-url': stack.runpod.url
      }
    })
    expect(run.exitCode).toBe(0)
    expect(deployments(run).map((d) => d.status)).toEqual(['rolled-out'])
    expect(run.summary).toContain('skipped: public images need no repository policy')
  })

  it('reports every read problem at once and writes nothing (bad endpoint id and a missing tag)', async () => {
    const writesBefore = stack.runpod.writes().length
    const run = await deploy({ ...stack.deployInputs(repository, 'nope'), 'endpoint-id': 'ep-missing' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/Found 2 problems before changing anything/)
    expect(run.stdout).toMatch(/ep-missing/)
    expect(run.stdout).toMatch(/nope/)
    expect(stack.runpod.writes().length).toBe(writesBefore)
    expect(await stack.policy(repository)).toBeUndefined()
  })

  it('names runpod-api-key when Runpod refuses the key, before any write', async () => {
    await stack.pushImage(repository, 'v1')
    const run = await deploy({ ...stack.deployInputs(repository, 'v1'), 'runpod-api-key': 'rpa_wrong' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/'runpod-api-key'/)
    expect(await stack.policy(repository)).toBeUndefined()
  })

  it('rides out a 429 with Retry-After and a 503 from Runpod', async () => {
    await stack.pushImage(repository, 'v1')
    stack.runpod.addPod({ id: 'pod-busy', image: 'old', pollsToStart: 1 })
    stack.runpod.addFault({ kind: 'status', status: 429, retryAfter: '1', path: '/v2/pods/pod-busy', method: 'GET' })
    stack.runpod.addFault({ kind: 'status', status: 503, path: '/v2/pods/pod-busy', method: 'PATCH' })
    const run = await deploy({ ...stack.deployInputs(repository, 'v1'), 'pod-id': 'pod-busy' })
    expect(run.exitCode).toBe(0)
    expect(deployments(run).map((d) => d.status)).toEqual(['rolled-out'])
  })

  it('never prints a secret, even with step debug logging on', async () => {
    await stack.pushImage(repository, 'v1')
    const targets = addTargets('secret', 'old')
    const run = await deploy(
      { ...stack.deployInputs(repository, 'v1'), ...targets },
      { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' }
    )
    expect(run.exitCode).toBe(0)
    // The runner hides values announced with ::add-mask:: (those lines themselves never reach the log).
    const masked = [...run.stdout.matchAll(/^::add-mask::(.+)$/gm)].map((match) => match[1] ?? '')
    const visible = (logOf(run) + run.summary + JSON.stringify(run.outputs)).replace(/^::add-mask::.*$/gm, '')
    expect(visible).toContain('::debug::')
    const secrets = [stack.runpod.apiKey, stack.oidc.issued.at(-1) ?? 'no token issued']
    for (const secret of secrets) expect(masked).toContain(secret)
    // The key, the OIDC token and the three parts of the assumed-role credentials.
    expect(masked.length).toBeGreaterThanOrEqual(5)
    for (const value of [...secrets, ...masked]) expect(visible).not.toContain(value)
  })
})
