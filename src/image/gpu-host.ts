// What the action knows of a Runpod pod's GPU host, for NVIDIA's requirement rules: the CUDA version its driver
// reports (Runpod's `cudaVersion`), the driver branch that version comes from, and the brand NVIDIA's driver
// gives the GPU model (Runpod's `gpu.id`). The exact driver version and the compute capability are not
// reported, so clauses on them stay undecided.
import type { GpuHost } from './requirements.js'

/**
 * The CUDA version each driver branch reports (NVIDIA's CUDA toolkit release notes, "CUDA Toolkit and
 * Corresponding Driver Versions"; 565 reports 12.7, for which no toolkit was released).
 */
export const DRIVER_BRANCHES: readonly { readonly branch: number; readonly cuda: string }[] = [
  { branch: 470, cuda: '11.4' },
  { branch: 520, cuda: '11.8' },
  { branch: 525, cuda: '12.0' },
  { branch: 530, cuda: '12.1' },
  { branch: 535, cuda: '12.2' },
  { branch: 545, cuda: '12.3' },
  { branch: 550, cuda: '12.4' },
  { branch: 555, cuda: '12.5' },
  { branch: 560, cuda: '12.6' },
  { branch: 565, cuda: '12.7' },
  { branch: 570, cuda: '12.8' },
  { branch: 575, cuda: '12.9' },
  { branch: 580, cuda: '13.0' },
  { branch: 590, cuda: '13.1' },
  { branch: 595, cuda: '13.2' }
]

export function driverBranchOf(cudaVersion: string): number | undefined {
  return DRIVER_BRANCHES.find((entry) => entry.cuda === cudaVersion)?.branch
}

/**
 * The brand libnvidia-container reports for a GPU model, by the model's name whatever prefix the id carries
 * (`NVIDIA GeForce RTX 4090`, `Tesla T4`): GeForce cards `geforce`, RTX A-series and RTX Ada `nvidiartx`,
 * Quadro RTX `quadrortx`, V100 and older datacenter cards `tesla`, T4 and newer datacenter cards `nvidia`.
 * Undefined for a model this table does not place.
 */
const BRANDS: readonly (readonly [RegExp, string])[] = [
  [/\bTITAN\s*RTX\b/i, 'titanrtx'],
  [/\bTITAN\b/i, 'titan'],
  [/\bQuadro\s+RTX\b/i, 'quadrortx'],
  [/\bQuadro\b/i, 'quadro'],
  [/\bGeForce\b/i, 'geforce'],
  [/\bRTX\s*[2-5]0[5-9]0(?:\s*(?:Ti|SUPER))*\b/i, 'geforce'],
  [/\bRTX\s*A\d{3,4}\b/i, 'nvidiartx'],
  [/\bRTX\s*\d{4}\s*Ada\b/i, 'nvidiartx'],
  [/\b(?:V100|P100|P40|P4|K80|M60|M40)\b/i, 'tesla'],
  [/\b(?:T4|A2|A10G?|A16|A30|A40|A100|L4|L40S?|H100|H200|GH200|B100|B200|B300|GB200|GB300)\b/i, 'nvidia']
]

export function brandOf(gpuId: string): string | undefined {
  return BRANDS.find(([pattern]) => pattern.test(gpuId))?.[1]
}

/** A pod's host from what Runpod reports of it; `label` says it in words for messages. */
export function podHost(cudaVersion: string | null, gpuId: string | null): GpuHost & { readonly label: string } {
  const branch = cudaVersion === null ? undefined : driverBranchOf(cudaVersion)
  const brand = gpuId === null ? undefined : brandOf(gpuId)
  const label = [
    gpuId ?? 'GPU unknown',
    cudaVersion === null ? 'CUDA unknown' : `CUDA ${cudaVersion}`,
    branch === undefined ? 'driver branch unknown' : `driver ${branch}`
  ].join(', ')
  return {
    label,
    ...(cudaVersion === null ? {} : { cuda: cudaVersion }),
    ...(branch === undefined ? {} : { driverBranch: branch }),
    ...(brand === undefined ? {} : { brand })
  }
}
