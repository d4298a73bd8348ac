// The CUDA floor of a container: the lowest host CUDA version at which it starts without depending on a
// driver-branch alternative. Runpod places pods and workers by the pod's or endpoint's CUDA constraints,
// never by the image, so the action compares the two before any write. CUDA versions compare as numbers
// (12.10 is above 12.9).
import { compareVersionParts, cudaFloorsOf, requirementsOf } from './requirements.js'

/** `major.minor`, as Runpod's `cudaVersion` and `gpu.minCudaVersion` carry it. */
const VERSION = /^(\d+)\.(\d+)$/

/** The lowest CUDA version Runpod's hosts report: a floor at or below it changes no placement. */
export const RUNPOD_LOWEST_CUDA = '11.8'

export function isCudaVersion(text: string): boolean {
  return VERSION.test(text)
}

/** Negative when `a` is lower, 0 when equal, positive when higher; by major, then minor, as numbers. */
export function compareCuda(a: string, b: string): number {
  return compareVersionParts(a, b)
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
 * A `cuda>=` value as a placement floor. Placement is `major.minor` while the runtime compares every
 * component, so a patch level (`12.4.1`, which a 12.4 host fails) needs the next minor.
 */
export function placementFloor(value: string): string {
  const [major = 0, minor = 0, ...rest] = value
    .split('.')
    .filter((part) => part !== '')
    .map(Number)
  return rest.some((part) => part > 0) ? `${major}.${minor + 1}` : `${major}.${minor}`
}

/**
 * The CUDA floor of a container env: the highest `cuda>=` of the requirements NVIDIA's runtime checks (none
 * when NVIDIA_DISABLE_REQUIRE turns them off), RUNPOD_MIN_CUDA_VERSION, and the `min-cuda-version` input.
 * Floors every Runpod host meets are left out; undefined when none is left.
 */
export function cudaFloor(env: ReadonlyMap<string, string>, minCudaVersion?: string): CudaFloor | undefined {
  const requirements: CudaRequirement[] = []
  for (const requirement of requirementsOf(env).requirements) {
    const highest = highestOf(cudaFloorsOf(requirement.text))
    if (highest)
      requirements.push({ version: placementFloor(highest), source: `${requirement.source} (cuda>=${highest})` })
  }
  const runpodMin = env.get('RUNPOD_MIN_CUDA_VERSION')?.trim()
  if (runpodMin && isCudaVersion(runpodMin))
    requirements.push({ version: runpodMin, source: 'RUNPOD_MIN_CUDA_VERSION' })
  if (minCudaVersion) requirements.push({ version: minCudaVersion, source: "input 'min-cuda-version'" })
  const placing = requirements.filter((requirement) => compareCuda(requirement.version, RUNPOD_LOWEST_CUDA) > 0)
  const floor = highestOf(placing.map((requirement) => requirement.version))
  if (!floor) return undefined
  const source = placing.filter((requirement) => compareCuda(requirement.version, floor) === 0)
  return { version: floor, source: source.map((requirement) => requirement.source).join(', '), requirements: placing }
}

function highestOf(versions: readonly string[]): string | undefined {
  return versions.reduce<string | undefined>(
    (highest, version) => (highest === undefined || compareCuda(version, highest) > 0 ? version : highest),
    undefined
  )
}
