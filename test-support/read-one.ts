import type { RunpodClient } from '../src/runpod/client.js'
import { readTargets, type TargetKind, type TargetState } from '../src/runpod/targets.js'

/** One target, read as the read phase reads it: through its kind's list, else on its own. */
export function readOne(client: RunpodClient, kind: TargetKind, id: string): Promise<TargetState> {
  const [read] = readTargets(client, kind === 'pod' ? [id] : [], kind === 'endpoint' ? [id] : [])
  return read ?? Promise.reject(new Error('readTargets returned no read'))
}
