// Deploy and verify modes, in the SPEC's order of work: read everything (concurrently where independent),
// then apply.ts decides (any problem fails there, before a single write), writes, waits and reports. The reads
// start before the code of the later phases is loaded, so the first requests leave at once.
import { checkRegion, formatImageReference, parseImageReference } from '../aws/image-reference.js'
import { errorMessage } from '../errors.js'
import type { DeployInputs } from '../inputs.js'
import { RunpodClient } from '../runpod/client.js'
import { JobClient } from '../runpod/jobs.js'
import type { Logger } from './log.js'
import { readEverything } from './read.js'
import type { DeployReport } from './report.js'

export interface DeployContext {
  readonly log: Logger
  /** Aborted when the workflow is cancelled. */
  readonly signal?: AbortSignal
  /** The release's tag name on a `release` event: the tag of an `image` that names none. */
  readonly releaseTag?: string
}

/** The report is always returned, also when the run failed (`error`), so outputs and summary show how far it got. */
export interface DeployOutcome {
  readonly report: DeployReport
  readonly error?: unknown
}

export async function runDeploy(
  inputs: DeployInputs,
  { log, releaseTag, signal }: DeployContext
): Promise<DeployOutcome> {
  const image = parseImageReference(inputs.image, releaseTag ? { releaseTag } : {})
  // Offline checks first: a contradiction in the inputs must not cost a request.
  const region = checkRegion(image, inputs.awsRegion)
  // A first run has no target yet: it prepares what Runpod needs to create one, and the summary says what next.
  if (inputs.podIds.length === 0 && inputs.endpointIds.length === 0 && inputs.templateIds.length === 0) {
    log.notice(
      `Neither 'pod-id' nor 'endpoint-id' is set, so no pod or endpoint will run the image: the run only ${inputs.mode === 'verify' ? 'checks' : 'prepares'} the repository policy and Runpod's access. Create the endpoint or pod with this image in Runpod's console, then set 'endpoint-id' or 'pod-id' to deploy to it.`,
      { title: 'No target yet' }
    )
  }
  const report: DeployReport = { mode: inputs.mode, image, deployments: [] }
  if (!image.ecr && inputs.imageChecks !== 'off')
    log.notice(
      `${formatImageReference(image)} is a public image: its platform and CUDA needs are not checked (image-checks covers private ECR images).`
    )
  const runpod = new RunpodClient({ baseUrl: inputs.runpodApiUrl, apiKey: inputs.runpodApiKey, log })
  // Verify mode only reports the smoke test: no job is ever sent.
  const jobs =
    inputs.smoke && inputs.mode === 'deploy'
      ? new JobClient({ baseUrl: inputs.runpodServerlessUrl, apiKey: inputs.runpodApiKey, log })
      : undefined
  try {
    // The code of the later phases loads while the reads are under way: they leave first.
    const applying = import('./apply.js')
    applying.catch(() => undefined)
    const read = await readEverything(inputs, image, region, runpod, log)
    await (await applying).applyPlan({ inputs, image, read, runpod, jobs, report, log, ...(signal ? { signal } : {}) })
    return { report }
  } catch (error) {
    report.failure = errorMessage(error)
    return { report, error }
  }
}
