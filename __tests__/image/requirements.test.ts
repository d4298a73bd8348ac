// NVIDIA's requirement rules against NVIDIA's own evaluator: every case of ../shared/nvidia-require-cases.json
// (judged by libnvidia-container's evaluator, not by reasoning) twice: with the host fully known, where the
// verdict and the runtime's message must be the same, and with the host as Runpod reports it (CUDA version →
// driver branch, GPU model → brand), where a verdict the action cannot reach must be unknown, never the opposite.
// The file is read from ../shared (it is not part of the project).
import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { brandOf, DRIVER_BRANCHES, driverBranchOf, podHost } from '../../src/image/gpu-host.js'
import {
  evaluateRequirement,
  judgeRequirements,
  legacyMajorMinor,
  requirementsOf,
  runtimeMessage,
  type GpuHost
} from '../../src/image/requirements.js'

interface OracleCase {
  readonly id: string
  readonly image_env: Record<string, string>
  readonly container_env: Record<string, string>
  readonly host: { gpu: string; driver: string; cuda: string; brand: string; arch: string }
  readonly requirements: string[]
  readonly starts: boolean
  readonly unsatisfied: string | null
  readonly message: string | null
}

const FILE = path.resolve('..', 'shared', 'nvidia-require-cases.json')
const present = existsSync(FILE)
if (!present) console.warn(`Skipping NVIDIA's requirement cases: ${FILE} is not there.`)
const oracle = present
  ? (JSON.parse(readFileSync(FILE, 'utf8')) as {
      cases: OracleCase[]
      driver_branches: { branches: { branch: number; reports_cuda: string }[] }
    })
  : undefined
const cases = oracle?.cases ?? []
const describeCases = present ? describe : describe.skip

/** The container's env as Docker merges it: the container's variables over the image's. */
const containerEnv = (entry: OracleCase) => new Map(Object.entries({ ...entry.image_env, ...entry.container_env }))

const CLI_PREFIX = 'nvidia-container-cli: requirement error: '

describeCases("NVIDIA's requirement cases", () => {
  it('holds every case of the file', () => {
    expect(cases.length).toBeGreaterThanOrEqual(45)
  })

  it.each(cases.map((entry) => [entry.id, entry] as const))(
    '%s: the requirement list the toolkit builds',
    (_, entry) => {
      const list = requirementsOf(containerEnv(entry))
      expect(list.requirements.map((requirement) => requirement.text).sort()).toEqual([...entry.requirements].sort())
    }
  )

  it.each(cases.map((entry) => [entry.id, entry] as const))(
    '%s: with the host fully known, the runtime verdict and message',
    (_, entry) => {
      const host: GpuHost = {
        cuda: entry.host.cuda,
        driver: entry.host.driver,
        brand: entry.host.brand,
        arch: entry.host.arch
      }
      const judged = judgeRequirements(containerEnv(entry), host)
      expect(judged.verdict).toBe(entry.starts ? 'starts' : 'refused')
      if (entry.message === null) return
      const failing = judged.outcomes.filter((outcome) => !outcome.satisfied)
      // With one failing requirement the runtime's message is fixed; with several it names any one of them.
      const possible = failing.map((outcome) =>
        outcome.invalid ? `${CLI_PREFIX}invalid expression` : `${CLI_PREFIX}${runtimeMessage(outcome.requirement.text)}`
      )
      expect(possible).toContain(entry.message)
      if (failing.length === 1) expect(`${CLI_PREFIX}${judged.refusal?.message ?? ''}`).toBe(entry.message)
    }
  )

  it.each(cases.map((entry) => [entry.id, entry] as const))(
    '%s: with the host as Runpod reports it, the same verdict or unknown',
    (_, entry) => {
      const host = podHost(entry.host.cuda, entry.host.gpu)
      const judged = judgeRequirements(containerEnv(entry), host)
      expect([entry.starts ? 'starts' : 'refused', 'unknown']).toContain(judged.verdict)
    }
  )

  it('decides every case the action can decide from Runpod’s facts', () => {
    // Only a clause on arch (compute capability), which Runpod does not report, leaves a case unknown.
    const unknown = cases
      .filter(
        (entry) =>
          judgeRequirements(containerEnv(entry), podHost(entry.host.cuda, entry.host.gpu)).verdict === 'unknown'
      )
      .map((entry) => entry.id)
    expect(unknown).toEqual(['require-arch-t4'])
  })

  it("agrees with the file's driver branch table", () => {
    const table = oracle?.driver_branches.branches ?? []
    expect(DRIVER_BRANCHES.map((entry) => [entry.branch, entry.cuda])).toEqual(
      table.map((entry) => [entry.branch, entry.reports_cuda])
    )
  })

  it("places each case's GPU where its brand is a modern toolkit's", () => {
    for (const entry of cases) {
      const brand = brandOf(entry.host.gpu)
      if (entry.host.gpu.includes('reports Unknown') || entry.host.gpu.startsWith('hypothetical')) continue
      expect([entry.id, brand]).toEqual([entry.id, entry.host.brand])
    }
  })
})

describe('the requirement grammar, beyond the cases', () => {
  const host: GpuHost = { cuda: '12.4', driver: '550.127.05', brand: 'nvidia', arch: '9.0' }
  const judge = (text: string, on: GpuHost = host) => evaluateRequirement({ source: 'NVIDIA_REQUIRE_X', text }, on)

  it.each([
    ['cuda>=12.4', true],
    ['cuda>=12.4.1', false],
    ['cuda>12.3.9', true],
    ['cuda=12.4.0', true],
    ['cuda!=12.4', false],
    ['CUDA>=12.0', true],
    ['brand=NVIDIA', true],
    ['brand!=geforce', true],
    ['driver>=550,driver<551', true],
    ['driver>=551 brand=nvidia', true],
    ['', true],
    ['   ', true]
  ])('%j on CUDA 12.4, driver 550.127.05, brand nvidia: satisfied %s', (text, satisfied) => {
    const outcome = judge(text)
    expect(outcome.satisfied).toBe(satisfied)
    expect(outcome.unsatisfied).toBe(!satisfied)
    expect(outcome.invalid).toBe(false)
  })

  it.each(['cuda', 'cuda>=', 'cuda=>12', 'cuda==12', 'gpu>=1', 'brand>=nvidia', 'cuda>=12.x', 'cuda>=.5', '>=12'])(
    '%j is an invalid expression',
    (text) => {
      expect(judge(text)).toMatchObject({ satisfied: false, invalid: true })
    }
  )

  it('stops at the first false clause and the first true alternative, as the runtime does', () => {
    // The malformed clause after a false one is never reached; the one after a true alternative neither.
    expect(judge('cuda>=13.0,bogus cuda>=12.0')).toMatchObject({ satisfied: true, invalid: false })
    expect(judge('cuda>=12.0 bogus')).toMatchObject({ satisfied: true, invalid: false })
    expect(judge('cuda>=13.0 bogus')).toMatchObject({ satisfied: false, invalid: true })
  })

  it('carries the last result over an alternative of commas alone', () => {
    expect(judge('cuda>=13.0 , cuda>=12.0')).toMatchObject({ satisfied: false, unsatisfied: true })
    expect(judge(', cuda>=13.0')).toMatchObject({ satisfied: true, unsatisfied: false })
  })

  it('leaves an arch clause undecided when the compute capability is unknown, and decides what does not need it', () => {
    const runpod = podHost('12.4', 'NVIDIA H100 80GB HBM3')
    expect(judge('arch>=8.0', runpod)).toMatchObject({ satisfied: true, unsatisfied: true })
    expect(judge('cuda>=12.0 arch>=8.0', runpod)).toMatchObject({ satisfied: true, unsatisfied: false })
    expect(judge('cuda>=13.0,arch>=8.0', runpod)).toMatchObject({ satisfied: false, unsatisfied: true })
  })

  it('decides driver clauses from the branch where the branch settles them', () => {
    const runpod = podHost('12.2', 'NVIDIA A100 80GB PCIe')
    expect(runpod).toMatchObject({ driverBranch: 535, brand: 'nvidia' })
    expect(judge('driver>=535,driver<536', runpod)).toMatchObject({ satisfied: true, unsatisfied: false })
    expect(judge('driver>=550', runpod)).toMatchObject({ satisfied: false, unsatisfied: true })
    expect(judge('driver>=535.104', runpod)).toMatchObject({ satisfied: true, unsatisfied: true })
    expect(judge('driver>534', runpod)).toMatchObject({ satisfied: true, unsatisfied: false })
  })

  it('maps CUDA versions to driver branches and GPU ids to brands, whatever prefix the id carries', () => {
    expect(driverBranchOf('12.8')).toBe(570)
    expect(driverBranchOf('12.10')).toBeUndefined()
    expect(
      [
        'NVIDIA GeForce RTX 4090',
        'NVIDIA RTX 4090',
        'NVIDIA RTX A6000',
        'NVIDIA RTX 6000 Ada Generation',
        'Quadro RTX 8000',
        'Tesla V100-SXM2-32GB',
        'Tesla T4',
        'NVIDIA L40S',
        'NVIDIA H200',
        'NVIDIA B200',
        'AMD Instinct MI300X OAM'
      ].map(brandOf)
    ).toEqual([
      'geforce',
      'geforce',
      'nvidiartx',
      'nvidiartx',
      'quadrortx',
      'tesla',
      'nvidia',
      'nvidia',
      'nvidia',
      'nvidia',
      undefined
    ])
  })
})

describe('the requirement list', () => {
  it.each([
    ['12.8.1', '12.8'],
    ['v12.8.1', '12.8'],
    ['12', '12.0'],
    ['12.4', '12.4'],
    ['12.8.1-rc.1+build.5', '12.8'],
    ['9.0.116.50', undefined],
    ['9.', undefined],
    ['foo', undefined],
    ['12.08', undefined],
    ['12.8-rc1', undefined],
    ['12.8.1-01', undefined]
  ])('reads legacy CUDA_VERSION %j as %j, as the toolkit does', (version, majorMinor) => {
    expect(legacyMajorMinor(version)).toBe(majorMinor)
  })

  it('refuses a legacy image whose CUDA_VERSION the toolkit cannot read, on every host', () => {
    const judged = judgeRequirements(new Map([['CUDA_VERSION', '9.0.116.50']]), { cuda: '13.0' })
    expect(judged.verdict).toBe('refused')
    expect(judged.refusal?.message).toContain('invalid CUDA version')
  })

  it.each(['no', 'off', 'yes', 'on', 'tRuE', ' true', ''])(
    'NVIDIA_DISABLE_REQUIRE=%j leaves the checks on',
    (value) => {
      const list = requirementsOf(
        new Map([
          ['NVIDIA_REQUIRE_CUDA', 'cuda>=12.8'],
          ['NVIDIA_DISABLE_REQUIRE', value]
        ])
      )
      expect(list.disabledBy).toBeUndefined()
      expect(list.requirements).toHaveLength(1)
    }
  )
})
