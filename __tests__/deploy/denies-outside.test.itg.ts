// No Deny hides outside the repository policy: the bundled action reads the registry policy and its scope
// (the ECR stand-in answers GetAccountSetting and V2 registry policies, which moto refuses) and the
// repository's KMS key (moto's KMS), and judges them before any write.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { runnerCommands } from '../../test-support/runner-commands.js'

let stack: LocalStack
let seq = 0
let repository: string
let started: number

beforeAll(async () => {
  stack = await startLocalStack()
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(() => {
  repository = `team/outside-${++seq}`
  started = Date.now()
  stack.ecr.registry.scope = 'V2'
  delete stack.ecr.registry.policy
  stack.ecr.denied.clear()
})

const image = (tag: string) => `${stack.registryHost()}/${repository}:${tag}`
const logOf = (run: ActionRun) => `${run.stdout}\n${run.stderr}`
/** This test's writes to the shared simulator. */
const writes = () => stack.runpod.writes().filter((request) => request.time.getTime() >= started)
const commands = (run: ActionRun, name: string) =>
  runnerCommands(run.stdout)
    .filter((command) => command.name === name)
    .map((command) => command.data)

/** An organization perimeter on the registry's repositories, as teams write it. */
function perimeter(resource: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OrganizationOnly',
        Effect: 'Deny',
        Principal: '*',
        Action: 'ecr:*',
        Resource: resource,
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }
      }
    ]
  })
}

async function setUp(options: { kmsKey?: string } = {}): Promise<string> {
  await stack.createRepository(repository, options)
  await stack.pushImage(repository, 'v2')
  const id = `pod-outside-${seq}`
  stack.runpod.addPod({ id, image: image('v1'), pollsToStart: 1 })
  return id
}

function deploy(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction({ inputs: { ...stack.deployInputs(repository, 'v2'), ...inputs }, env: stack.env })
}

describe('the registry policy', () => {
  it('a Deny under scope V2 that applies to Runpod fails deploy and verify before any write', async () => {
    const id = await setUp()
    stack.ecr.registry.policy = perimeter(`arn:aws:ecr:${stack.region}:${stack.account}:repository/team/*`)
    for (const mode of ['deploy', 'verify']) {
      const run = await deploy({ 'pod-id': id, mode })
      expect(run.exitCode).toBe(1)
      expect(logOf(run)).toContain(
        `::error::The registry policy of account ${stack.account} in ${stack.region} denies Runpod's pull, so the image could never be pulled: statement "OrganizationOnly" (line 1) denies ecr:BatchGetImage`
      )
      expect(logOf(run)).toContain('"ArnNotLike": {"aws:PrincipalArn"')
    }
    expect(writes()).toEqual([])
    expect(await stack.policy(repository)).toBeUndefined()
  })

  it('the same Deny is not counted under scope V1, and the plan says so', async () => {
    const id = await setUp()
    stack.ecr.registry.scope = 'V1'
    stack.ecr.registry.policy = perimeter(`arn:aws:ecr:${stack.region}:${stack.account}:repository/team/*`)
    const run = await deploy({ 'pod-id': id })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('Registry policy: not enforced on pulls (scope V1)')
    expect(run.summary).toMatch(/<th>Registry policy<\/th><td>not enforced on pulls \(scope V1\)<\/td>/)
    expect(JSON.parse(run.outputs['deployments'] ?? '[]')).toEqual([
      expect.objectContaining({ id, status: 'rolled-out' })
    ])
  })

  it('a V2 Deny on other repositories leaves this pull alone, and verify shows its part', async () => {
    const id = await setUp()
    stack.ecr.registry.policy = perimeter(`arn:aws:ecr:${stack.region}:${stack.account}:repository/prod-*`)
    const run = await deploy({ 'pod-id': id, mode: 'verify' })
    expect(run.exitCode).toBe(0)
    expect(run.summary).toContain('judged with the repository policy (scope V2): no Deny of it applies to Runpod')
  })

  it('AccessDenied on the registry reads is a notice naming each permission; the deploy goes on', async () => {
    const id = await setUp()
    stack.ecr.registry.policy = perimeter('*')
    stack.ecr.denied.add('GetRegistryPolicy')
    const run = await deploy({ 'pod-id': id })
    expect(run.exitCode).toBe(0)
    expect(commands(run, 'notice').join('\n')).toContain(
      `Could not read the registry policy of account ${stack.account} in ${stack.region} (ecr:GetRegistryPolicy: AccessDeniedException`
    )
    expect(commands(run, 'notice').join('\n')).toContain("Give the deploy role 'ecr:GetRegistryPolicy'")
    expect(run.stdout).toContain('Registry policy: unknown')

    stack.ecr.denied.delete('GetRegistryPolicy')
    stack.ecr.denied.add('GetAccountSetting')
    const again = await deploy({ 'pod-id': id, mode: 'verify' })
    expect(again.exitCode).toBe(0)
    expect(commands(again, 'notice').join('\n')).toContain("Give the deploy role 'ecr:GetAccountSetting'")
  })
})

describe('the repository KMS key', () => {
  it('a disabled customer managed key is a misfit before any write', async () => {
    const key = await stack.createKmsKey()
    const id = await setUp({ kmsKey: key })
    await stack.breakKmsKey(key, 'Disabled')
    const run = await deploy({ 'pod-id': id })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toContain(
      `ECR repository ${repository} is encrypted with KMS key ${key}, which is Disabled: KMS refuses to decrypt with it`
    )
    expect(logOf(run)).toContain(`aws kms enable-key --key-id ${key}`)
    expect(writes()).toEqual([])
    expect(await stack.policy(repository)).toBeUndefined()
  })

  it('a key pending deletion is a warning with image-checks: warn, and the deploy goes on', async () => {
    const key = await stack.createKmsKey()
    const id = await setUp({ kmsKey: key })
    await stack.breakKmsKey(key, 'PendingDeletion')
    const run = await deploy({ 'pod-id': id, 'image-checks': 'warn' })
    expect(run.exitCode).toBe(0)
    expect(commands(run, 'warning').join('\n')).toContain(`which is PendingDeletion`)
    expect(commands(run, 'warning').join('\n')).toContain(`aws kms cancel-key-deletion --key-id ${key}`)
  })

  it('an enabled key fits, and the plan names its state', async () => {
    const key = await stack.createKmsKey()
    const id = await setUp({ kmsKey: key })
    const run = await deploy({ 'pod-id': id, mode: 'verify' })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('KMS key Enabled')
  })

  it('AccessDenied on DescribeRepositories is a notice naming the permission; the deploy goes on', async () => {
    const id = await setUp()
    stack.ecr.denied.add('DescribeRepositories')
    const run = await deploy({ 'pod-id': id })
    expect(run.exitCode).toBe(0)
    expect(commands(run, 'notice').join('\n')).toContain(
      `Could not read the encryption of ${repository} (AccessDeniedException`
    )
    expect(commands(run, 'notice').join('\n')).toContain("Give the deploy role 'ecr:DescribeRepositories'")
  })

  it('a key the role may not describe is a notice naming kms:DescribeKey; the deploy goes on', async () => {
    // A key of another account, which moto's KMS does not hold for this role: KMS refuses DescribeKey.
    const foreign = `arn:aws:kms:${stack.region}:999988887777:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789`
    const id = await setUp({ kmsKey: foreign })
    const run = await deploy({ 'pod-id': id })
    expect(run.exitCode).toBe(0)
    expect(commands(run, 'notice').join('\n')).toContain(`Could not read the state of KMS key ${foreign} (`)
    expect(commands(run, 'notice').join('\n')).toContain(`Give the deploy role 'kms:DescribeKey' on ${foreign}`)
  })
})
