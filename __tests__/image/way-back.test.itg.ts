// The way back stays open: before any write, the bundled action checks the image each target would be rolled
// back to (moto's ECR with its lifecycle policies, behind the ECR stand-in for imageStatus and push times).
import { BatchDeleteImageCommand } from '@aws-sdk/client-ecr'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { seedClient } from '../../test-support/moto-server.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { runnerCommands } from '../../test-support/runner-commands.js'

let stack: LocalStack
let seq = 0
let repository: string

beforeAll(async () => {
  stack = await startLocalStack()
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(async () => {
  repository = `team/back-${++seq}`
  await stack.createRepository(repository)
})

const image = (tag: string) => `${stack.registryHost()}/${repository}:${tag}`
const commands = (run: ActionRun, name: string) =>
  runnerCommands(run.stdout)
    .filter((command) => command.name === name)
    .map((command) => command.data)

/** Pushes the tags oldest first, a day apart, so their order does not rest on moto's one-second clock. */
async function pushInOrder(...tags: string[]): Promise<string[]> {
  const now = Date.now()
  const digests: string[] = []
  for (const [index, tag] of tags.entries()) {
    const digest = await stack.pushImage(repository, tag)
    stack.ecr.pushedAt.set(digest, now - (tags.length - index) * 86_400_000)
    digests.push(digest)
  }
  return digests
}

function pod(previous: string, rollout: 'succeed' | 'fail' = 'succeed', pollsToStart = 1): string {
  const id = `pod-back-${seq}`
  stack.runpod.addPod({ id, image: previous, pollsToStart, rollout })
  return id
}

function deploy(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction({ inputs: { ...stack.deployInputs(repository, 'v2'), ...inputs }, env: stack.env })
}

describe('the image a rollback puts back', () => {
  it('missing from ECR: a warning before the write, and the deploy goes on', async () => {
    await pushInOrder('v2')
    const run = await deploy({ 'pod-id': pod(image('v0')) })
    expect(run.exitCode).toBe(0)
    expect(commands(run, 'warning').join('\n')).toContain(
      `its previous image ${image('v0')} is not in ECR any more, so a rollback would leave the target on an image it cannot pull`
    )
    expect(run.stdout).toContain(`way back ${image('v0')}: not in ECR`)
  })

  it('archived: listed with imageStatus ANY, so reported archived with how to restore it, never gone', async () => {
    const [digest = ''] = await pushInOrder('v1', 'v2')
    stack.ecr.status.set(digest, 'ARCHIVED')
    const run = await deploy({ 'pod-id': pod(image('v1')) })
    expect(run.exitCode).toBe(0)
    const warnings = commands(run, 'warning').join('\n')
    expect(warnings).toContain(`its previous image ${image('v1')} is archived in ECR`)
    expect(warnings).toContain(`--image-id imageDigest=${digest} --target-storage-class STANDARD`)
    expect(warnings).not.toContain('not in ECR any more')
    expect(run.stdout).toContain(`way back ${image('v1')}: ARCHIVED`)
  })

  it('expired by imageCountMoreThan once this push is counted: a warning naming the rule', async () => {
    await stack.setLifecyclePolicy(repository, {
      rules: [
        {
          rulePriority: 1,
          description: 'keep the last two releases',
          selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 },
          action: { type: 'expire' }
        }
      ]
    })
    await pushInOrder('v1', 'v1.5', 'v2')
    const run = await deploy({ 'pod-id': pod(image('v1')) })
    expect(run.exitCode).toBe(0)
    expect(commands(run, 'warning').join('\n')).toContain(
      `its previous image ${image('v1')}, the one a rollback puts back, would be expired within a day by the repository's lifecycle policy, rule 1 ("keep the last two releases"), which keeps the newest 2 images tagged v*, with this push counted`
    )
    expect(run.stdout).toContain(`way back ${image('v1')}: ACTIVE, expired within a day by lifecycle rule 1`)
  })

  it('no lifecycle policy: no warning', async () => {
    await pushInOrder('v1', 'v2')
    const run = await deploy({ 'pod-id': pod(image('v1')) })
    expect(run.exitCode).toBe(0)
    expect(commands(run, 'warning')).toEqual([])
    expect(run.stdout).toContain(`way back ${image('v1')}: ACTIVE, no lifecycle policy`)
  })

  it('AccessDenied on GetLifecyclePolicy is a notice naming the permission; the deploy goes on', async () => {
    await pushInOrder('v1', 'v2')
    stack.ecr.denied.add('GetLifecyclePolicy')
    try {
      const run = await deploy({ 'pod-id': pod(image('v1')) })
      expect(run.exitCode).toBe(0)
      expect(commands(run, 'notice').join('\n')).toContain(`Give the deploy role 'ecr:GetLifecyclePolicy'`)
    } finally {
      stack.ecr.denied.delete('GetLifecyclePolicy')
    }
  })

  it('the rollback checks its image first, and says so when it cannot be pulled any more', async () => {
    const [digest = ''] = await pushInOrder('v1', 'v2')
    // The new image fails on the third reading (about 4 s in); the old one is archived after the plan read it.
    const id = pod(image('v1'), 'fail', 3)
    setTimeout(() => stack.ecr.status.set(digest, 'ARCHIVED'), 2_000)
    try {
      const run = await deploy({ 'pod-id': id })
      expect(run.exitCode).toBe(1)
      expect(commands(run, 'warning').join('\n')).toContain(
        `rolling back, but its previous image ${image('v1')} is ARCHIVED in ECR and cannot be pulled`
      )
    } finally {
      stack.ecr.status.delete(digest)
    }
  })

  it('says so too when the image it rolls back to was deleted meanwhile (ECR answers ImageNotFoundException)', async () => {
    await pushInOrder('v1', 'v2')
    const id = pod(image('v1'), 'fail', 3)
    const ecr = await seedClient(stack.moto, stack.account, stack.region)
    const deleted = new Promise<unknown>((resolve) =>
      setTimeout(() => {
        resolve(ecr.send(new BatchDeleteImageCommand({ repositoryName: repository, imageIds: [{ imageTag: 'v1' }] })))
      }, 2_000)
    )
    const run = await deploy({ 'pod-id': id })
    await deleted
    expect(run.exitCode).toBe(1)
    expect(commands(run, 'warning').join('\n')).toContain(
      `rolling back, but its previous image ${image('v1')} is not in ECR as an ACTIVE image any more`
    )
  })
})
