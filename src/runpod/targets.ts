// Runpod Pods and Serverless endpoints as deploy targets: read the current image, patch a new one.
import { ActionError } from '../errors.js'
import type { ContainerEnv, Endpoint, EndpointPlacement, Pod, PodStatus } from './wire.js'
import type { GpuPatch, ImagePatch, RunpodClient } from './client.js'
import type { RequestBudget } from './http.js'
import type { ResourceKind } from './errors.js'

/** What a deploy rolls out to and waits for; templates are written beside them (see templates.ts). */
export type TargetKind = Exclude<ResourceKind, 'template'>

export interface TargetState {
  readonly kind: TargetKind
  readonly id: string
  readonly name: string
  /** '' for an endpoint that reports no image. */
  readonly image: string
  readonly registry?: string | null
  /** Pods only. */
  readonly status?: PodStatus
  /** Pods only: when the container last started. */
  readonly startedAt?: string | null
  /** Endpoints only: the configuration version before the deploy, so a rollout waits for a newer one. */
  readonly version?: number | null
  /** Endpoints only: `workers.max`, 0 when Runpod scaled the endpoint down after days without requests. */
  readonly workersMax?: number | null
  /** Pods only: the CUDA version the host reports (null: none). */
  readonly cudaVersion?: string | null
  /** Pods only: exposed ports, `8000/http` or `22/tcp`. */
  readonly ports?: readonly string[]
  /** Endpoints only: where workers may be placed by CUDA version (null: no GPUs). */
  readonly placement?: EndpointPlacement | null
  /** Pods only: the GPU model (`gpu.id`); null for a CPU pod. */
  readonly gpuId?: string | null
  /** The env Runpod reports (null: the answer carried none, so it is unknown). Values are secrets. */
  readonly env?: ContainerEnv | null
  /** Endpoints only: the data centers its workers may be placed in. */
  readonly dataCenterIds?: readonly string[]
}

/**
 * The current state of every target, one promise each, in the order given. Pods come from one paged
 * `GET /v2/pods` and endpoints from one paged `GET /v2/serverless` (the reads a large deploy would otherwise
 * spend Runpod's rate limit on); a target missing from its list, or every target of a list that failed, is
 * read on its own, so an unknown id still fails naming its `pod-id`/`endpoint-id` input. An endpoint's
 * releases (the version its rollout must pass) are in no list: they are read beside the lists.
 */
export function readTargets(
  client: RunpodClient,
  podIds: readonly string[],
  endpointIds: readonly string[]
): Promise<TargetState>[] {
  // A failed list is not the run's failure: the single reads that follow say what is wrong, per target.
  const pods = podIds.length > 0 ? client.listPods().catch(() => []) : Promise.resolve([])
  const endpoints = endpointIds.length > 0 ? client.listEndpoints().catch(() => []) : Promise.resolve([])
  return [
    ...podIds.map(async (id) => podTarget(id, (await pods).find((pod) => pod.id === id) ?? (await client.getPod(id)))),
    ...endpointIds.map(async (id) => {
      const [listed, releases] = await Promise.all([endpoints, client.listEndpointReleases(id)])
      const endpoint = listed.find((candidate) => candidate.id === id) ?? (await client.getEndpoint(id))
      return { ...endpointState(endpoint), version: releases.endpointVersion }
    })
  ]
}

/** A pod as a target: found in the read phase, so an undeployable pod fails the run before anything is written. */
function podTarget(id: string, pod: Pod): TargetState {
  if (pod.status === 'TERMINATED') {
    throw new ActionError(
      `Pod ${id} (input 'pod-id') is TERMINATED: a deleted pod cannot run a new image. Remove it from 'pod-id', or create a new pod and use its id.`
    )
  }
  if (pod.inCluster) {
    throw new ActionError(
      `Pod ${id} (input 'pod-id') belongs to a Runpod cluster, and cluster pods cannot be changed through the pod API. Remove it from 'pod-id' and update the cluster instead.`
    )
  }
  return podState(pod)
}

/** What a PATCH carries besides the image; each field is sent only when given. */
export interface PatchExtras {
  /** The registry credential (`null` clears it). */
  readonly registry?: string | null
  readonly budget?: RequestBudget
  /** Endpoints: the CUDA placement field that changes. */
  readonly gpu?: GpuPatch
  /** The whole env: Runpod replaces it as a whole. */
  readonly env?: ContainerEnv
}

/**
 * Points a target at an image. Sends only `image` and what `extras` gives: Runpod's update schemas reject fields
 * they do not name, and a PATCH changes only what it carries.
 */
export async function patchTargetImage(
  client: RunpodClient,
  target: Pick<TargetState, 'kind' | 'id'>,
  image: string,
  extras: PatchExtras = {}
): Promise<TargetState> {
  const { registry, budget, gpu, env } = extras
  const body: ImagePatch = {
    image,
    ...(registry === undefined ? {} : { registry }),
    ...(gpu && target.kind === 'endpoint' ? { gpu } : {}),
    ...(env ? { env } : {})
  }
  return target.kind === 'pod'
    ? podState(await client.patchPod(target.id, body, budget))
    : endpointState(await client.patchEndpoint(target.id, body, budget))
}

function podState(pod: Pod): TargetState {
  const { id, name, image, registry, status, startedAt, cudaVersion, ports, gpuId, env } = pod
  return { kind: 'pod', id, name, image, registry, status, startedAt, cudaVersion, ports, gpuId, env }
}

function endpointState(endpoint: Endpoint): TargetState {
  return {
    kind: 'endpoint',
    id: endpoint.id,
    name: endpoint.name,
    image: endpoint.image ?? '',
    registry: endpoint.registry,
    workersMax: endpoint.workersMax,
    placement: endpoint.gpu,
    env: endpoint.env,
    dataCenterIds: endpoint.dataCenterIds
  }
}
