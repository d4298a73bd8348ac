// The lowest CUDA version an image needs, and CUDA versions compared as numbers (12.10 is above 12.9).
// NVIDIA's container runtime refuses to start a container whose NVIDIA_REQUIRE_CUDA the host's driver does
// not meet ("unsatisfied condition: cuda>=12.8"); Runpod places pods and workers by the pod's or endpoint's
// CUDA constraints, never by the image, so the action compares the two before any write.

/** `major.minor`, as Runpod's `cudaVersion` and `gpu.minCudaVersion` carry it. */
const VERSION = /^(\d+)\.(\d+)$/

export function isCudaVersion(text: string): boolean {
  return VERSION.test(text)
}

/** Negative when `a` is lower, 0 when equal, positive when higher; by major, then minor, as numbers. */
export function compareCuda(a: string, b: string): number {
  const [, aMajor = '0', aMinor = '0'] = VERSION.exec(a) ?? []
  const [, bMajor = '0', bMinor = '0'] = VERSION.exec(b) ?? []
  return Number(aMajor) - Number(bMajor) || Number(aMinor) - Number(bMinor)
}

/** Where a floor comes from, as the summary shows it. */
export interface CudaRequirement {
  readonly version: string
  readonly source: string
}

/** The floor (the highest requirement) and every requirement found. */
export interface CudaFloor extends CudaRequirement {
  readonly requirements: readonly CudaRequirement[]
}

/**
 * The CUDA floor of an image: the highest of the `cuda>=X.Y` clauses of NVIDIA_REQUIRE_CUDA (unless
 * NVIDIA_DISABLE_REQUIRE turns the runtime's check off), RUNPOD_MIN_CUDA_VERSION, and the `min-cuda-version`
 * input. Undefined when none says anything.
 */
export function cudaFloor(env: ReadonlyMap<string, string>, minCudaVersion?: string): CudaFloor | undefined {
  const requirements: CudaRequirement[] = []
  const required = env.get('NVIDIA_REQUIRE_CUDA')
  if (required !== undefined && !requireDisabled(env.get('NVIDIA_DISABLE_REQUIRE'))) {
    const clauses = [...required.matchAll(/(?:^|[\s,])cuda>=(\d+\.\d+)/g)].map((match) => match[1] ?? '')
    const highest = highestOf(clauses)
    if (highest) requirements.push({ version: highest, source: `NVIDIA_REQUIRE_CUDA (cuda>=${highest})` })
  }
  const runpodMin = env.get('RUNPOD_MIN_CUDA_VERSION')?.trim()
  if (runpodMin && isCudaVersion(runpodMin))
    requirements.push({ version: runpodMin, source: 'RUNPOD_MIN_CUDA_VERSION in the image' })
  if (minCudaVersion) requirements.push({ version: minCudaVersion, source: "input 'min-cuda-version'" })
  const floor = highestOf(requirements.map((requirement) => requirement.version))
  if (!floor) return undefined
  const source = requirements.filter((requirement) => requirement.version === floor)
  return { version: floor, source: source.map((requirement) => requirement.source).join(', '), requirements }
}

/** NVIDIA's runtime skips the check when the variable is set to anything but empty, `false` or `0`. */
function requireDisabled(value: string | undefined): boolean {
  if (value === undefined) return false
  const normalized = value.trim().toLowerCase()
  return normalized !== '' && normalized !== 'false' && normalized !== '0'
}

function highestOf(versions: readonly string[]): string | undefined {
  return versions
    .filter(isCudaVersion)
    .reduce<string | undefined>(
      (highest, version) => (highest === undefined || compareCuda(version, highest) > 0 ? version : highest),
      undefined
    )
}
