// Will it run there: the bundled action reads the image from the local ECR (moto behind the ECR stand-in,
// which serves GetDownloadUrlForLayer and the blobs) and judges it against simulated pods and endpoints
// before any write.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import type { ImageSpec } from '../../test-support/oci-image.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { runnerCommands } from '../../test-support/runner-commands.js'
import { DEFAULT_CATALOG } from '../../test-support/runpod-simulator/index.js'

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

beforeEach(async () => {
  repository = `team/fit-${++seq}`
  await stack.createRepository(repository)
  started = Date.now()
})

const CUDA_12_8 = [
  'NVIDIA_REQUIRE_CUDA=cuda>=12.8 brand=unknown,driver>=470,driver<471 brand=grid,driver>=470,driver<471 brand=tesla,driver>=525,driver<526',
  'CUDA_VERSION=12.8.1',
  'NVIDIA_VISIBLE_DEVICES=all'
]

interface Deployment {
  kind: string
  id: string
  status: string
  placement?: { before: unknown; after: unknown }
}

const oldImage = () => `${stack.registryHost()}/${repository}:v1`
const newImage = () => `${stack.registryHost()}/${repository}:v2`
const logOf = (run: ActionRun) => `${run.stdout}\n${run.stderr}`
const deployments = (run: ActionRun) => JSON.parse(run.outputs['deployments'] ?? '[]') as Deployment[]
/** This test's writes to the shared simulator. */
const writes = () => stack.runpod.writes().filter((request) => request.time.getTime() >= started)
const notices = (run: ActionRun) =>
  runnerCommands(run.stdout)
    .filter((command) => command.name === 'notice')
    .map((command) => command.data)

async function push(spec: ImageSpec = {}): Promise<void> {
  await stack.pushImage(repository, 'v2', spec)
}

function pod(
  cudaVersion: string | null,
  rollout: 'succeed' | 'fail' = 'succeed',
  more: { gpuId?: string; env?: Record<string, string> } = {}
): string {
  const id = `pod-fit-${seq}`
  stack.runpod.addPod({ id, image: oldImage(), pollsToStart: 1, cudaVersion, rollout, ...more })
  return id
}

// nvidia/cuda:12.8.1's requirement: the floor, or a datacenter or RTX-pro brand on a listed driver branch.
const FULL_12_8 = [
  `NVIDIA_REQUIRE_CUDA=${[
    'cuda>=12.8',
    ...[470, 535, 550, 560, 565].flatMap((branch) =>
      [
        'unknown',
        'grid',
        'tesla',
        'nvidia',
        'quadro',
        'quadrortx',
        'nvidiartx',
        'vapps',
        'vpc',
        'vcs',
        'vws',
        'cloudgaming'
      ].map((brand) => `brand=${brand},driver>=${branch},driver<${branch + 1}`)
    )
  ].join(' ')}`,
  'CUDA_VERSION=12.8.1',
  'NVIDIA_VISIBLE_DEVICES=all'
]

function endpoint(
  gpu?: { minCudaVersion?: string | null; allowedCudaVersions?: string[] },
  rollout: 'succeed' | 'fail' = 'succeed'
): string {
  const id = `ep-fit-${seq}`
  stack.runpod.addEndpoint({ id, image: oldImage(), workers: 1, rollout, ...(gpu ? { gpu } : {}) })
  return id
}

function deploy(inputs: Record<string, string>): Promise<ActionRun> {
  return runAction({ inputs: { ...stack.deployInputs(repository, 'v2'), ...inputs }, env: stack.env })
}

describe('platform', () => {
  it('an arm64-only image fails deploy and verify before any write, naming the platform', async () => {
    await push({ platforms: ['linux/arm64'] })
    const id = pod('12.8')
    for (const mode of ['deploy', 'verify']) {
      const run = await deploy({ 'pod-id': id, mode })
      expect(run.exitCode).toBe(1)
      expect(logOf(run)).toContain(
        `::error::The image would not run where it is sent, so nothing was changed:%0A- ${newImage()} has no linux/amd64 image (it offers linux/arm64)`
      )
    }
    expect(writes()).toEqual([])
    expect(await stack.policy(repository)).toBeUndefined()
  })

  it('an index with amd64, arm64 and attestation entries deploys, and says which platforms it found', async () => {
    await push({ platforms: ['linux/amd64', 'linux/arm64'], attestations: true, oci: true, env: CUDA_12_8 })
    const id = pod('12.8')
    const run = await deploy({ 'pod-id': id })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(
      'Image checks (enforce): platforms linux/amd64, linux/arm64, ACTIVE in ECR, needs CUDA 12.8 or later (NVIDIA_REQUIRE_CUDA (cuda>=12.8))'
    )
    expect(run.summary).toContain('Image checks (enforce)')
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-out' })])
    expect(stack.ecr.operations).toEqual(expect.arrayContaining(['BatchGetImage', 'GetDownloadUrlForLayer']))
  })
})

describe('CUDA floor against pods', () => {
  it('a 12.8 image and a pod on a 12.4 host fails before any write; on a 12.9 host it deploys', async () => {
    await push({ env: CUDA_12_8 })
    const old = pod('12.4')
    const refused = await deploy({ 'pod-id': old })
    expect(refused.exitCode).toBe(1)
    expect(logOf(refused)).toMatch(
      /pod pod-fit-\d+ \(input 'pod-id'\) runs on a host \(NVIDIA GeForce RTX 4090, CUDA 12\.4, driver 550\) where NVIDIA's container runtime would refuse the container: 'unsatisfied condition: cuda>=12\.8/
    )
    expect(logOf(refused)).toContain("Recreate the pod with 'gpu.minCudaVersion: 12.8'")
    expect(writes()).toEqual([])

    stack.runpod.addPod({ id: `${old}-new`, image: oldImage(), pollsToStart: 1, cudaVersion: '12.9' })
    const run = await deploy({ 'pod-id': `${old}-new` })
    expect(run.exitCode).toBe(0)
    expect(deployments(run)).toEqual([expect.objectContaining({ status: 'rolled-out' })])
  })

  it('a pod whose host reports no CUDA version deploys, with a notice', async () => {
    await push({ env: CUDA_12_8 })
    const run = await deploy({ 'pod-id': pod(null) })
    expect(run.exitCode).toBe(0)
    expect(notices(run)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /whether NVIDIA's container runtime starts the image on its host .* is unknown: its host reports no CUDA version/
        )
      ])
    )
  })

  it("min-cuda-version raises the floor above the image's own", async () => {
    await push()
    const run = await deploy({ 'pod-id': pod('12.8'), 'min-cuda-version': '12.10' })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toMatch(
      /\(NVIDIA GeForce RTX 4090, CUDA 12\.8, driver 570\) below the CUDA 12\.10 the image needs \(input 'min-cuda-version'\)/
    )
    expect(writes()).toEqual([])
  })

  it('an nvidia/cuda 12.8 image on an H100 with driver 535 deploys with a warning; on a GeForce with driver 550 it fails before any write', async () => {
    await push({ env: FULL_12_8 })
    const h100 = pod('12.2', 'succeed', { gpuId: 'NVIDIA H100 80GB HBM3' })
    const run = await deploy({ 'pod-id': h100 })
    expect(run.exitCode).toBe(0)
    expect(deployments(run)).toEqual([expect.objectContaining({ id: h100, status: 'rolled-out' })])
    expect(logOf(run)).toContain(
      `::warning::pod ${h100} (input 'pod-id'): its host (NVIDIA H100 80GB HBM3, CUDA 12.2, driver 535) is below the image's cuda>=12.8 (NVIDIA_REQUIRE_CUDA); NVIDIA's runtime starts it only through the driver-branch alternative 'brand=nvidia,driver>=535,driver<536'`
    )
    expect(run.stdout).toContain(
      `pod ${h100}: NVIDIA H100 80GB HBM3, CUDA 12.2, driver 535: fits (NVIDIA_REQUIRE_CUDA: starts through 'brand=nvidia,driver>=535,driver<536'`
    )

    seq++
    const started = Date.now()
    const rtx = pod('12.4', 'succeed', { gpuId: 'NVIDIA GeForce RTX 4090' })
    const refused = await deploy({ 'pod-id': rtx })
    expect(refused.exitCode).toBe(1)
    expect(logOf(refused)).toContain(
      `pod ${rtx} (input 'pod-id') runs on a host (NVIDIA GeForce RTX 4090, CUDA 12.4, driver 550) where NVIDIA's container runtime would refuse the container: 'unsatisfied condition: cuda>=12.8, please update your driver to a newer version, or use an earlier cuda container' (NVIDIA_REQUIRE_CUDA)`
    )
    expect(stack.runpod.writes().filter((request) => request.time.getTime() >= started)).toEqual([])
  })

  it("the pod's own env counts: NVIDIA_DISABLE_REQUIRE=true on the pod lets a refused image deploy", async () => {
    await push({ env: FULL_12_8 })
    const id = pod('12.4', 'succeed', { env: { NVIDIA_DISABLE_REQUIRE: 'true' } })
    const run = await deploy({ 'pod-id': id })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain("NVIDIA_DISABLE_REQUIRE=true switches NVIDIA's requirement checks off")
  })

  it('NVIDIA_DISABLE_REQUIRE turns the image requirement off', async () => {
    await push({ env: [...CUDA_12_8, 'NVIDIA_DISABLE_REQUIRE=1'] })
    const run = await deploy({ 'pod-id': pod('12.4') })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('no CUDA floor declared')
  })
})

describe('CUDA floor against endpoints', () => {
  it('an endpoint with no floor gets the image and the floor in one PATCH, and says so in deployments', async () => {
    await push({ env: CUDA_12_8 })
    const id = endpoint()
    const run = await deploy({ 'endpoint-id': id })
    expect(run.exitCode).toBe(0)
    const patches = writes().filter((request) => request.method === 'PATCH')
    expect(patches.map((request) => request.body)).toEqual([{ image: newImage(), gpu: { minCudaVersion: '12.8' } }])
    expect(stack.runpod.endpoint(id).minCudaVersion).toBe('12.8')
    expect(deployments(run)).toEqual([
      expect.objectContaining({
        id,
        status: 'rolled-out',
        placement: {
          before: { minCudaVersion: null, allowedCudaVersions: [] },
          after: { minCudaVersion: '12.8', allowedCudaVersions: [] }
        }
      })
    ])
  })

  it('allowedCudaVersions are reduced to those at or above the floor', async () => {
    await push({ env: CUDA_12_8 })
    const id = endpoint({ allowedCudaVersions: ['12.4', '12.8', '12.9'] })
    const run = await deploy({ 'endpoint-id': id })
    expect(run.exitCode).toBe(0)
    expect(writes().map((request) => request.body)).toContainEqual({
      image: newImage(),
      gpu: { allowedCudaVersions: ['12.8', '12.9'] }
    })
    expect(stack.runpod.endpoint(id).allowedCudaVersions).toEqual(['12.8', '12.9'])
  })

  it('an endpoint with no allowed version left fails before any write', async () => {
    await push({ env: CUDA_12_8 })
    const run = await deploy({ 'endpoint-id': endpoint({ allowedCudaVersions: ['12.4', '12.6'] }) })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toMatch(/allows only CUDA 12\.4, 12\.6, all below the CUDA 12\.8 the image needs/)
    expect(writes()).toEqual([])
  })

  it('a rolled-back endpoint gets its old placement back with its old image', async () => {
    await push({ env: CUDA_12_8 })
    const id = endpoint({ minCudaVersion: '12.1' }, 'fail')
    const run = await deploy({ 'endpoint-id': id })
    expect(run.exitCode).toBe(1)
    expect(deployments(run)).toEqual([expect.objectContaining({ id, status: 'rolled-back' })])
    expect(
      writes()
        .filter((request) => request.method === 'PATCH')
        .map((request) => request.body)
    ).toEqual([
      { image: newImage(), gpu: { minCudaVersion: '12.8' } },
      { image: oldImage(), gpu: { minCudaVersion: '12.1' } }
    ])
    expect(stack.runpod.endpoint(id).minCudaVersion).toBe('12.1')
  })

  it("warns when Runpod's catalog has no capacity at the floor in the endpoint's pools", async () => {
    await push({ env: CUDA_12_8 })
    stack.runpod.setCatalog([
      {
        id: 'NVIDIA GeForce RTX 4090',
        pool: 'ADA_24',
        cudaVersions: [
          { version: '12.4', available: true },
          { version: '12.8', available: false }
        ]
      }
    ])
    try {
      const run = await deploy({ 'endpoint-id': endpoint(), mode: 'verify' })
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toMatch(
        /::warning::endpoint ep-fit-\d+: Runpod's catalog shows no capacity now at CUDA 12\.8 or later in its GPU pools \(ADA_24\)/
      )
      const asked = stack.runpod.requests.filter((request) => request.path === '/v2/catalog/gpus')
      expect(asked.at(-1)?.query).toBe('?include=AVAILABILITY&product=SERVERLESS&minCudaVersion=12.8')
    } finally {
      stack.runpod.setCatalog(DEFAULT_CATALOG)
    }
  })

  it('verify mode shows what a deploy would change of the placement', async () => {
    await push({ env: CUDA_12_8 })
    const id = endpoint()
    const run = await deploy({ 'endpoint-id': id, mode: 'verify' })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(
      'any CUDA version: fits (floor CUDA 12.8 from NVIDIA_REQUIRE_CUDA (cuda>=12.8): the highest cuda>=, since workers land on many hosts); the update raises its CUDA placement: any CUDA version → minCudaVersion 12.8'
    )
    expect(deployments(run)).toEqual([expect.objectContaining({ status: 'planned', placement: expect.anything() })])
    expect(writes()).toEqual([])
  })
})

describe('image-checks: warn and off', () => {
  it('warn deploys with warnings and changes no placement', async () => {
    await push({ platforms: ['linux/amd64'], env: CUDA_12_8 })
    const podId = pod('12.4')
    const id = endpoint()
    const run = await deploy({ 'pod-id': podId, 'endpoint-id': id, 'image-checks': 'warn' })
    expect(run.exitCode).toBe(0)
    const warnings = runnerCommands(run.stdout).filter((command) => command.name === 'warning')
    expect(warnings.map((command) => command.data).join('\n')).toMatch(
      /would refuse the container: 'unsatisfied condition: cuda>=12\.8/
    )
    expect(writes().map((request) => request.body)).toContainEqual({ image: newImage() })
    expect(stack.runpod.endpoint(id).minCudaVersion).toBeNull()
  })

  it('off reads nothing more of the image', async () => {
    await push({ platforms: ['linux/arm64'] })
    const before = stack.ecr.operations.length
    const run = await deploy({ 'pod-id': pod('12.8'), 'image-checks': 'off' })
    expect(run.exitCode).toBe(0)
    const asked = stack.ecr.operations.slice(before)
    expect(asked).not.toContain('BatchGetImage')
    expect(asked).not.toContain('GetDownloadUrlForLayer')
  })
})

describe('facts the role may not read, and images that cannot be pulled', () => {
  it.each(['BatchGetImage', 'GetDownloadUrlForLayer'])(
    'AccessDenied on %s is a notice naming the permission; the deploy goes on',
    async (operation) => {
      await push({ env: CUDA_12_8 })
      stack.ecr.denied.add(operation)
      try {
        const run = await deploy({ 'pod-id': pod('12.4') })
        expect(run.exitCode).toBe(0)
        expect(notices(run)).toEqual(
          expect.arrayContaining([expect.stringContaining(`give the deploy role 'ecr:${operation}'`)])
        )
      } finally {
        stack.ecr.denied.delete(operation)
      }
    }
  )

  it('an archived image fails before any write', async () => {
    const digest = await stack.pushImage(repository, 'v2')
    stack.ecr.status.set(digest, 'ARCHIVED')
    const run = await deploy({ 'pod-id': pod('12.8') })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toContain(`${newImage()} is ARCHIVED in ECR, and archived images cannot be pulled`)
    expect(writes()).toEqual([])
  })

  it('a config blob whose digest does not match is an error, never a pass', async () => {
    await push({ env: CUDA_12_8 })
    const blobs = [...stack.ecr.blobs.keys()]
    for (const digest of blobs) stack.ecr.corrupt.add(digest)
    try {
      const run = await deploy({ 'pod-id': pod('12.8') })
      expect(run.exitCode).toBe(1)
      expect(logOf(run)).toMatch(/The config blob of \S+ does not match its digest \(expected sha256:/)
      expect(writes()).toEqual([])
    } finally {
      for (const digest of blobs) stack.ecr.corrupt.delete(digest)
    }
  })
})
