// The image's facts and the fit decision, pure: fixtures written from the ENV values that published CUDA
// base images declare (nvidia/cuda, PyTorch, vLLM), with their brand/driver alternatives.
import { describe, expect, it } from '@jest/globals'
import { parseImageConfig } from '../../src/image/config.js'
import { compareCuda, cudaFloor } from '../../src/image/cuda.js'
import { judgeFit, type FitTarget, type ImageFacts } from '../../src/image/fit.js'
import { normalizePlatform, parseManifest, platformsOf, runpodEntry } from '../../src/image/manifest.js'

const NVIDIA_CUDA_12_8 =
  'cuda>=12.8 brand=unknown,driver>=470,driver<471 brand=grid,driver>=470,driver<471 brand=tesla,driver>=470,driver<471 brand=nvidia,driver>=470,driver<471 brand=quadro,driver>=470,driver<471 brand=quadrortx,driver>=470,driver<471 brand=nvidiartx,driver>=470,driver<471 brand=vapps,driver>=470,driver<471 brand=vpc,driver>=470,driver<471 brand=vcs,driver>=470,driver<471 brand=vws,driver>=470,driver<471 brand=cloudgaming,driver>=470,driver<471 brand=unknown,driver>=535,driver<536 brand=grid,driver>=535,driver<536'
const PYTORCH_12_4 = 'cuda>=12.4 brand=tesla,driver>=470,driver<471 brand=tesla,driver>=525,driver<526'
const VLLM_12_6 = 'cuda>=12.6 brand=unknown,driver>=470,driver<471'

const env = (...lines: string[]) =>
  parseImageConfig(JSON.stringify({ os: 'linux', architecture: 'amd64', config: { Env: lines } }), 'config').env

describe('CUDA versions and floors', () => {
  it('compares versions as numbers', () => {
    expect(compareCuda('12.10', '12.9')).toBeGreaterThan(0)
    expect(compareCuda('11.8', '12.0')).toBeLessThan(0)
    expect(compareCuda('12.8', '12.8')).toBe(0)
  })

  it.each([
    ['nvidia/cuda 12.8', NVIDIA_CUDA_12_8, '12.8'],
    ['pytorch on CUDA 12.4', PYTORCH_12_4, '12.4'],
    ['vllm on CUDA 12.6', VLLM_12_6, '12.6']
  ])('reads the cuda>= clause of %s, not the driver alternatives', (_name, value, floor) => {
    expect(cudaFloor(env(`NVIDIA_REQUIRE_CUDA=${value}`))?.version).toBe(floor)
  })

  it('takes the highest of the image, RUNPOD_MIN_CUDA_VERSION and the input, and names where it comes from', () => {
    const found = cudaFloor(env(`NVIDIA_REQUIRE_CUDA=${PYTORCH_12_4}`, 'RUNPOD_MIN_CUDA_VERSION=12.6'), '12.10')
    expect(found).toMatchObject({ version: '12.10', source: "input 'min-cuda-version'" })
    expect(found?.requirements.map((requirement) => requirement.version)).toEqual(['12.4', '12.6', '12.10'])
  })

  it.each([
    ['1', undefined],
    ['true', undefined],
    ['false', '12.8'],
    ['0', '12.8'],
    ['', '12.8']
  ])('NVIDIA_DISABLE_REQUIRE=%j leaves floor %j', (value, floor) => {
    expect(cudaFloor(env(`NVIDIA_REQUIRE_CUDA=${NVIDIA_CUDA_12_8}`, `NVIDIA_DISABLE_REQUIRE=${value}`))?.version).toBe(
      floor
    )
  })

  it('has no floor for an image that declares none', () => {
    expect(cudaFloor(env('PATH=/usr/bin'))).toBeUndefined()
  })
})

describe('manifests', () => {
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { digest: `sha256:${'a'.repeat(64)}`, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { digest: `sha256:${'b'.repeat(64)}`, platform: { os: 'linux', architecture: 'amd64' } },
      {
        digest: `sha256:${'c'.repeat(64)}`,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' }
      }
    ]
  })

  it('finds the linux/amd64 entry of an index and leaves attestations out', () => {
    const parsed = parseManifest(index, undefined, 'the manifest')
    if (parsed.kind !== 'index') throw new Error('expected an index')
    expect(platformsOf(parsed)).toEqual(['linux/arm64', 'linux/amd64'])
    expect(runpodEntry(parsed)?.digest).toBe(`sha256:${'b'.repeat(64)}`)
  })

  const indexOf = (...platforms: Record<string, string>[]) =>
    parseManifest(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: platforms.map((platform, n) => ({ digest: `sha256:${String(n).repeat(64)}`, platform }))
      }),
      undefined,
      'the manifest'
    )

  it('matches platforms as containerd normalises them: amd64 v1 is amd64, x86_64 and aarch64 are aliases', () => {
    expect(normalizePlatform('Linux', 'x86_64', 'v1')).toBe('linux/amd64')
    expect(normalizePlatform('linux', 'aarch64', '8')).toBe('linux/arm64')
    expect(normalizePlatform('linux', 'arm')).toBe('linux/arm/v7')
    const v1 = indexOf({ os: 'linux', architecture: 'amd64', variant: 'v1' })
    if (v1.kind !== 'index') throw new Error('expected an index')
    expect(runpodEntry(v1)?.digest).toBe(`sha256:${'0'.repeat(64)}`)
  })

  it('an index whose amd64 entries all need a higher CPU level is unknown, not a misfit, and its config is still read', () => {
    const v3 = indexOf({ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'amd64', variant: 'v3' })
    if (v3.kind !== 'index') throw new Error('expected an index')
    expect(runpodEntry(v3)?.platform).toBe('linux/amd64/v3')
    const report = judgeFit({ image: 'repo:v3', platforms: platformsOf(v3), unknown: [] }, [], { checks: 'enforce' })
    expect(report.misfits).toEqual([])
    expect(report.notices[0]).toMatch(/amd64 only for a higher micro-architecture level \(linux\/amd64\/v3\)/)
  })

  it('reads the config of a Docker schema 2 manifest, and refuses schema 1', () => {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { digest: `sha256:${'d'.repeat(64)}`, size: 1234 }
    })
    expect(parseManifest(manifest, undefined, 'm')).toEqual({
      kind: 'image',
      config: { digest: `sha256:${'d'.repeat(64)}`, size: 1234 }
    })
    expect(() => parseManifest(JSON.stringify({ schemaVersion: 1, fsLayers: [] }), undefined, 'm')).toThrow(/schema 1/)
    expect(() => parseManifest('not json', undefined, 'm')).toThrow(/not JSON/)
  })
})

describe('judgeFit', () => {
  const facts = (lines: string[], more: Partial<ImageFacts> = {}): ImageFacts => ({
    image: 'repo:v2',
    platforms: ['linux/amd64'],
    config: parseImageConfig(JSON.stringify({ os: 'linux', architecture: 'amd64', config: { Env: lines } }), 'c'),
    status: 'ACTIVE',
    unknown: [],
    ...more
  })
  const cuda128 = facts([`NVIDIA_REQUIRE_CUDA=${NVIDIA_CUDA_12_8}`])
  const pod = (cudaVersion: string | null, patched = true): FitTarget => ({
    kind: 'pod',
    id: 'p1',
    cudaVersion,
    patched
  })
  const endpoint = (minCudaVersion: string | null, allowedCudaVersions: string[] = []): FitTarget => ({
    kind: 'endpoint',
    id: 'e1',
    placement: { minCudaVersion, allowedCudaVersions },
    patched: true
  })

  it('a pod host below the floor is a misfit; at or above it fits; unknown is a notice, never a pass', () => {
    expect(judgeFit(cuda128, [pod('12.4')], { checks: 'enforce' }).misfits).toHaveLength(1)
    expect(judgeFit(cuda128, [pod('12.10')], { checks: 'enforce' }).misfits).toEqual([])
    const unknown = judgeFit(cuda128, [pod(null)], { checks: 'enforce' })
    expect(unknown.targets[0]?.verdict).toBe('unknown')
    expect(unknown.notices).toHaveLength(1)
  })

  // nvidia/cuda:12.8.1's own requirement: the floor, or a datacenter/RTX-pro brand on a listed driver branch.
  const DATACENTER_BRANDS = ['unknown', 'grid', 'tesla', 'nvidia', 'quadro', 'quadrortx', 'nvidiartx', 'vapps', 'vpc']
  const FULL_12_8 = [
    'cuda>=12.8',
    ...[470, 535, 550, 560, 565].flatMap((branch) =>
      DATACENTER_BRANDS.map((brand) => `brand=${brand},driver>=${branch},driver<${branch + 1}`)
    )
  ].join(' ')
  const image128 = facts([`NVIDIA_REQUIRE_CUDA=${FULL_12_8}`, 'CUDA_VERSION=12.8.1'])
  const gpuPod = (cudaVersion: string, gpuId: string, env?: Record<string, string> | null): FitTarget => ({
    kind: 'pod',
    id: 'p1',
    cudaVersion,
    gpuId,
    patched: true,
    ...(env === undefined ? {} : { env })
  })

  it('an nvidia/cuda 12.8 image on an H100 with driver 535 starts, with a warning about forward compatibility', () => {
    const report = judgeFit(image128, [gpuPod('12.2', 'NVIDIA H100 80GB HBM3')], { checks: 'enforce' })
    expect(report.misfits).toEqual([])
    expect(report.targets[0]).toMatchObject({ verdict: 'fits', offers: 'NVIDIA H100 80GB HBM3, CUDA 12.2, driver 535' })
    expect(report.targets[0]?.rule).toContain("starts through 'brand=nvidia,driver>=535,driver<536'")
    expect(report.warnings).toHaveLength(1)
    expect(report.warnings[0]).toMatch(/forward-compatibility package \(cuda-compat\)/)
  })

  it('the same image on a GeForce host with driver 550 is a misfit naming cuda>=12.8 and the host', () => {
    const report = judgeFit(image128, [gpuPod('12.4', 'NVIDIA GeForce RTX 4090')], { checks: 'enforce' })
    expect(report.misfits).toHaveLength(1)
    expect(report.misfits[0]).toContain("'unsatisfied condition: cuda>=12.8, please update your driver")
    expect(report.misfits[0]).toContain('NVIDIA GeForce RTX 4090, CUDA 12.4, driver 550')
    expect(report.misfits[0]).toContain("'gpu.minCudaVersion: 12.8'")
    expect(report.targets[0]?.rule).toMatch(/^NVIDIA_REQUIRE_CUDA: unsatisfied condition: cuda>=12\.8/)
  })

  it("judges the container's env: the pod's own NVIDIA_DISABLE_REQUIRE counts, as Go's ParseBool reads it", () => {
    const rtx = (env: Record<string, string>) =>
      judgeFit(image128, [gpuPod('12.4', 'NVIDIA GeForce RTX 4090', env)], { checks: 'enforce' })
    expect(rtx({ NVIDIA_DISABLE_REQUIRE: 'true' }).misfits).toEqual([])
    expect(rtx({ NVIDIA_DISABLE_REQUIRE: 'true' }).targets[0]?.rule).toMatch(/switches NVIDIA's requirement checks off/)
    expect(rtx({ NVIDIA_DISABLE_REQUIRE: 'yes' }).misfits).toHaveLength(1)
    // Blanking NVIDIA_REQUIRE_CUDA makes it a legacy image: a bare cuda>=12.8, which an H100 on 535 fails.
    const legacy = judgeFit(image128, [gpuPod('12.2', 'NVIDIA H100 80GB HBM3', { NVIDIA_REQUIRE_CUDA: '' })], {
      checks: 'enforce'
    })
    expect(legacy.misfits).toHaveLength(1)
    expect(legacy.targets[0]?.rule).toMatch(/^CUDA_VERSION: unsatisfied condition: cuda>=12\.8/)
  })

  it('a pod whose env Runpod did not report is unknown rather than refused', () => {
    const report = judgeFit(image128, [gpuPod('12.4', 'NVIDIA GeForce RTX 4090', null)], { checks: 'enforce' })
    expect(report.misfits).toEqual([])
    expect(report.targets[0]?.verdict).toBe('unknown')
    expect(report.notices[0]).toMatch(/did not report the pod's env/)
  })

  it('an arch requirement Runpod gives no facts for is unknown, naming what is missing', () => {
    const arch = facts(['NVIDIA_REQUIRE_CUDA=cuda>=12.4', 'NVIDIA_REQUIRE_ARCH=arch>=8.0'])
    const report = judgeFit(arch, [gpuPod('12.4', 'Tesla T4')], { checks: 'enforce' })
    expect(report.targets[0]?.verdict).toBe('unknown')
    expect(report.notices[0]).toMatch(/NVIDIA_REQUIRE_ARCH depends on the GPU's compute capability/)
  })

  it('a legacy CUDA_VERSION image gets a floor; a patch-level floor places at the next minor; floors every host meets change nothing', () => {
    expect(
      judgeFit(facts(['CUDA_VERSION=12.8.1']), [endpoint(null)], { checks: 'enforce' }).targets[0]?.placement
    ).toMatchObject({ patch: { minCudaVersion: '12.8' } })
    expect(
      judgeFit(facts(['NVIDIA_REQUIRE_CUDA=cuda>=12.4.1']), [endpoint(null)], { checks: 'enforce' }).targets[0]
        ?.placement
    ).toMatchObject({ patch: { minCudaVersion: '12.5' } })
    expect(
      judgeFit(facts(['NVIDIA_REQUIRE_CUDA=cuda>=9.0']), [endpoint(null)], { checks: 'enforce' }).targets[0]?.placement
    ).toBeUndefined()
  })

  it("an endpoint's floor is the highest cuda>= of every requirement of its container env, and says why", () => {
    const judged = judgeFit(image128, [{ ...endpoint(null), env: { NVIDIA_REQUIRE_EXTRA: 'cuda>=12.9' } }], {
      checks: 'enforce'
    }).targets[0]
    expect(judged?.placement?.patch).toEqual({ minCudaVersion: '12.9' })
    expect(judged?.rule).toMatch(
      /floor CUDA 12\.9 from NVIDIA_REQUIRE_EXTRA \(cuda>=12\.9\): the highest cuda>=, since workers land on many hosts/
    )
    const disabled = judgeFit(image128, [{ ...endpoint(null), env: { NVIDIA_DISABLE_REQUIRE: '1' } }], {
      checks: 'enforce'
    }).targets[0]
    expect(disabled?.placement).toBeUndefined()
  })

  it('a pod that keeps its image is not judged: it already runs it', () => {
    expect(judgeFit(cuda128, [pod('12.4', false)], { checks: 'enforce' }).misfits).toEqual([])
  })

  it('raises an endpoint floor, or reduces its allowed versions, in the same PATCH, with what restores it', () => {
    const raised = judgeFit(cuda128, [endpoint(null)], { checks: 'enforce' }).targets[0]?.placement
    expect(raised).toMatchObject({ patch: { minCudaVersion: '12.8' }, restore: { minCudaVersion: '' } })
    const lowFloor = judgeFit(cuda128, [endpoint('12.1')], { checks: 'enforce' }).targets[0]?.placement
    expect(lowFloor?.restore).toEqual({ minCudaVersion: '12.1' })
    const reduced = judgeFit(cuda128, [endpoint(null, ['12.4', '12.8', '12.9'])], { checks: 'enforce' }).targets[0]
    expect(reduced?.placement).toMatchObject({
      patch: { allowedCudaVersions: ['12.8', '12.9'] },
      restore: { allowedCudaVersions: ['12.4', '12.8', '12.9'] }
    })
    expect(judgeFit(cuda128, [endpoint('12.9')], { checks: 'enforce' }).targets[0]?.placement).toBeUndefined()
    expect(judgeFit(cuda128, [endpoint(null, ['12.4', '12.6'])], { checks: 'enforce' }).misfits).toHaveLength(1)
  })

  it('warn changes no placement and reports the endpoint instead', () => {
    const warned = judgeFit(cuda128, [endpoint(null)], { checks: 'warn' })
    expect(warned.targets[0]?.placement).toBeUndefined()
    expect(warned.misfits).toHaveLength(1)
  })

  it('a platform without linux/amd64 and an archived image are misfits; unknown facts are notices', () => {
    expect(judgeFit(facts([], { platforms: ['linux/arm64'] }), [], { checks: 'enforce' }).misfits[0]).toMatch(
      /has no linux\/amd64 image \(it offers linux\/arm64\)/
    )
    expect(judgeFit(facts([], { status: 'ARCHIVED' }), [], { checks: 'enforce' }).misfits[0]).toMatch(/is ARCHIVED/)
    const unread: ImageFacts = { image: 'repo:v2', unknown: ["give the deploy role 'ecr:BatchGetImage'"] }
    const report = judgeFit(unread, [pod('11.0')], { checks: 'enforce' })
    expect(report.misfits).toEqual([])
    expect(report.notices).toEqual(["give the deploy role 'ecr:BatchGetImage'"])
  })
})
