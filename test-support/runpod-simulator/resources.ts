// The simulator's pods, endpoints and delegations, shaped like Runpod v2 responses (every field the
// OpenAPI document marks required), with scripted rollouts that advance one step per poll.

import { DEFAULT_JOB_SCRIPT, SimJob, type JobScript } from './jobs.js'

export type PodStatus = 'PROVISIONING' | 'STARTING' | 'RUNNING' | 'EXITED' | 'ERROR' | 'TERMINATED'
export type WorkerStatus = 'RUNNING' | 'IDLE' | 'INITIALIZING' | 'THROTTLED' | 'UNHEALTHY'

/**
 * How a target reacts to a new image: `succeed` starts it, `fail` ends in ERROR / UNHEALTHY workers,
 * `stall` never finishes, `throttled` (endpoints) gets new workers that wait THROTTLED for GPU capacity beside
 * the old ones. The image a target was seeded with always starts, so a rollback succeeds.
 */
export type RolloutScript = 'succeed' | 'fail' | 'stall' | 'throttled'

export interface PodSeed {
  readonly id: string
  readonly name?: string
  readonly image: string
  readonly status?: PodStatus
  readonly registry?: string | null
  readonly rollout?: RolloutScript
  /** How the pod's original image starts again after a rollback; default succeed. */
  readonly rollbackRollout?: RolloutScript
  /** Instead of pollsToStart: the pod runs the new image this long after the PATCH (a known moment). */
  readonly readyAfterMs?: number
  /** GETs after a PATCH before the pod reaches its final state. */
  readonly pollsToStart?: number
  /** System log lines written when the rollout fails. */
  readonly failureLog?: readonly string[]
  /** A cluster member (managed through /v2/clusters; the pod endpoints may not change it). */
  readonly clusterId?: string
  /** The CUDA version the host reports; null: none reported. Default 12.8. */
  readonly cudaVersion?: string | null
  /**
   * How the container of a new image behaves once RUNNING: `up` (default) stays up; `never` never comes up
   * (RUNNING without runtime); `restartEveryMs` crashes and is restarted that often (a crash loop).
   */
  readonly container?: 'up' | 'never' | { readonly restartEveryMs: number }
  /** Exposed ports; default 8888/http and 22/tcp. */
  readonly ports?: readonly string[]
  /** The GPU model (`gpu.id`); default NVIDIA GeForce RTX 4090. */
  readonly gpuId?: string
  /** The container's env; default none. */
  readonly env?: Readonly<Record<string, string>>
  /** A new start leaves `startedAt` as it was: only `runtime.uptime` shows it. */
  readonly keepStartedAt?: boolean
  /** Answers carry no `env` object (its env is unknown to a reader). */
  readonly omitEnv?: boolean
}

export interface EndpointSeed {
  readonly id: string
  readonly name?: string
  readonly image: string
  readonly workers?: number
  readonly registry?: string | null
  readonly rollout?: RolloutScript
  /** Every worker runs the new release, ready, this long after the PATCH (a known moment). */
  readonly readyAfterMs?: number
  /** How the endpoint's jobs end while it runs a new image (on its first image they complete). */
  readonly jobs?: JobScript
  /** Where workers may be placed by CUDA version; default any. */
  readonly gpu?: { readonly minCudaVersion?: string | null; readonly allowedCudaVersions?: readonly string[] }
  /** The workers' env; default none. */
  readonly env?: Readonly<Record<string, string>>
  /** Answers carry no `env` object. */
  readonly omitEnv?: boolean
}

export interface DelegationSeed {
  readonly id?: string
  readonly name?: string | null
  readonly tag?: string
  readonly account: string
  readonly region: string
  readonly repository: string
}

const iso = (time = Date.now()) => new Date(time).toISOString()
/** An env with its keys in order, to compare two by value. */
const sorted = (env: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(env).sort())
let sequence = 0
const nextId = (prefix: string) => `${prefix}${(++sequence).toString(36).padStart(6, '0')}`

export class SimPod {
  readonly id: string
  name: string
  image: string
  registry: string | null
  status: PodStatus
  startedAt: string | null
  readonly createdAt = iso()
  readonly systemLog: string[] = []
  private readonly initialImage: string
  private readonly script: RolloutScript
  private readonly rollbackScript: RolloutScript
  private readonly pollsToStart: number
  private readonly readyAfterMs: number | undefined
  /** When a rollout started with readyAfterMs is ready. */
  readyAt: number | undefined
  private readonly failureLog: readonly string[]
  readonly clusterId: string | undefined
  readonly cudaVersion: string | null
  private readonly container: NonNullable<PodSeed['container']>
  private readonly ports: readonly string[]
  readonly gpuId: string
  env: Record<string, string>
  private readonly keepStartedAt: boolean
  private readonly omitEnv: boolean
  /** When the container of the current image first started. */
  private runningSince: number | undefined
  private pollsLeft = 0

  constructor(seed: PodSeed) {
    this.id = seed.id
    this.name = seed.name ?? `pod-${seed.id}`
    this.image = seed.image
    this.initialImage = seed.image
    this.registry = seed.registry ?? null
    this.status = seed.status ?? 'RUNNING'
    this.startedAt = this.status === 'RUNNING' ? iso(Date.now() - 3_600_000) : null
    this.script = seed.rollout ?? 'succeed'
    this.rollbackScript = seed.rollbackRollout ?? 'succeed'
    this.pollsToStart = seed.pollsToStart ?? 2
    this.readyAfterMs = seed.readyAfterMs
    this.clusterId = seed.clusterId
    this.cudaVersion = seed.cudaVersion === undefined ? '12.8' : seed.cudaVersion
    this.container = seed.container ?? 'up'
    this.ports = seed.ports ?? ['8888/http', '22/tcp']
    this.gpuId = seed.gpuId ?? 'NVIDIA GeForce RTX 4090'
    this.env = { ...(seed.env ?? {}) }
    this.keepStartedAt = seed.keepStartedAt ?? false
    this.omitEnv = seed.omitEnv ?? false
    this.failureLog = seed.failureLog ?? [
      `Error response from daemon: pull access denied for ${seed.image.split(':')[0]}, repository does not exist or may require 'docker login'`,
      'Container failed to start: image pull failed'
    ]
    this.systemLog.push(`Pod ${this.id} created`, `Pulling image ${this.image}`, 'Container started')
  }

  /** A PATCH: a new image, registry or env restarts the container; `env` replaces the env as a whole. */
  update(body: Record<string, unknown>): void {
    const { image, registry, name } = body
    const env = body['env'] as Record<string, string> | undefined
    if (typeof name === 'string') this.name = name
    const restart =
      (typeof image === 'string' && image !== this.image) ||
      (registry !== undefined && registry !== this.registry) ||
      (env !== undefined && JSON.stringify(sorted(env)) !== JSON.stringify(sorted(this.env)))
    if (typeof image === 'string') this.image = image
    if (registry !== undefined) this.registry = registry as string | null
    if (env !== undefined) this.env = { ...env }
    // A stopped pod keeps its new settings for its next start.
    if (!restart || this.status === 'EXITED') return
    this.status = 'STARTING'
    this.runningSince = undefined
    this.pollsLeft = this.pollsToStart
    if (this.readyAfterMs !== undefined) this.readyAt = Date.now() + this.readyAfterMs
    this.systemLog.push('Stopping container for update', `Pulling image ${this.image}`)
  }

  /** A GET: the scripted rollout advances. */
  poll(): void {
    if (this.status !== 'STARTING') return
    if (this.readyAt !== undefined) {
      if (Date.now() < this.readyAt) return
    } else {
      if (this.pollsLeft <= 0) return
      if (--this.pollsLeft > 0) return
    }
    const script = this.image === this.initialImage ? this.rollbackScript : this.script
    if (script === 'stall') return
    if (script === 'fail') {
      this.status = 'ERROR'
      this.systemLog.push(...this.failureLog)
      return
    }
    this.status = 'RUNNING'
    if (!this.keepStartedAt || this.startedAt === null) this.startedAt = iso()
    this.runningSince = Date.now()
    this.systemLog.push('Container started')
  }

  /** The container as Runpod reports it: `runtime` and `startedAt`, with the scripted crash loop applied. */
  private containerState(): { runtime: { uptime: number } | null; startedAt: string | null } {
    if (this.status !== 'RUNNING') return { runtime: null, startedAt: this.startedAt }
    const script = this.image === this.initialImage || this.runningSince === undefined ? 'up' : this.container
    if (script === 'never') return { runtime: null, startedAt: this.startedAt }
    const since = this.runningSince ?? Date.parse(this.startedAt ?? iso())
    if (script === 'up')
      return { runtime: { uptime: Math.max(0, Math.floor((Date.now() - since) / 1000)) }, startedAt: this.startedAt }
    const elapsed = Date.now() - since
    const start = since + Math.floor(elapsed / script.restartEveryMs) * script.restartEveryMs
    if (start > since && !this.systemLog.includes(`Container restarted at ${iso(start)}`))
      this.systemLog.push(
        'Traceback (most recent call last): ModuleNotFoundError: No module named vllm',
        `Container restarted at ${iso(start)}`
      )
    return { runtime: { uptime: Math.floor((Date.now() - start) / 1000) }, startedAt: iso(start) }
  }

  toJSON(): Record<string, unknown> {
    const running = this.status === 'RUNNING'
    const container = this.containerState()
    return {
      id: this.id,
      name: this.name,
      status: this.status,
      actions: running
        ? ['stop', 'restart', 'terminate']
        : this.status === 'EXITED'
          ? ['start', 'terminate']
          : ['terminate'],
      image: this.image,
      args: '',
      disk: 50,
      mounts: { persistent: { size: 20, path: '/workspace' } },
      ports: this.ports,
      ...(this.omitEnv ? {} : { env: this.env }),
      registry: this.registry,
      gpu: { id: this.gpuId, count: 1 },
      cloud: 'SECURE',
      dataCenterId: 'US-KS-2',
      cudaVersion: this.cudaVersion,
      ssh: {
        proxy: {
          host: 'ssh.runpod.io',
          port: 22,
          username: `${this.id}-64411eb2`,
          command: `ssh ${this.id}-64411eb2@ssh.runpod.io`
        },
        direct: running
          ? { host: '192.0.2.10', port: 34446, username: 'root', command: 'ssh root@192.0.2.10 -p 34446' }
          : null
      },
      template: null,
      cost: running ? 0.44 : 0,
      locked: false,
      globalNetworking: { enabled: false },
      runtime: container.runtime,
      createdAt: this.createdAt,
      startedAt: container.startedAt,
      ...(this.clusterId ? { cluster: { id: this.clusterId, rank: 0 } } : {})
    }
  }
}

interface SimWorker {
  readonly id: string
  readonly version: number
  readonly image: string
  status: WorkerStatus
  readonly startedAt: string
}

interface SimRelease {
  readonly id: string
  readonly version: number
  readonly createdAt: string
  readonly diff: { field: string; old: unknown; new: unknown }[]
}

export class SimEndpoint {
  readonly id: string
  name: string
  image: string
  registry: string | null
  version = 1
  workers: SimWorker[]
  readonly releases: SimRelease[]
  readonly createdAt = iso()
  private readonly initialImage: string
  private readonly script: RolloutScript
  private readonly readyAfterMs: number | undefined
  /** When a rollout started with readyAfterMs is ready. */
  readyAt: number | undefined
  private readonly jobScript: JobScript
  /** The jobs it was sent, oldest first. */
  readonly jobs: SimJob[] = []
  minCudaVersion: string | null
  allowedCudaVersions: string[]
  env: Record<string, string>
  private readonly omitEnv: boolean

  constructor(seed: EndpointSeed) {
    this.jobScript = seed.jobs ?? DEFAULT_JOB_SCRIPT
    this.id = seed.id
    this.name = seed.name ?? `endpoint-${seed.id}`
    this.image = seed.image
    this.initialImage = seed.image
    this.registry = seed.registry ?? null
    this.script = seed.rollout ?? 'succeed'
    this.readyAfterMs = seed.readyAfterMs
    this.workers = Array.from({ length: seed.workers ?? 2 }, () => this.newWorker('IDLE'))
    this.releases = [{ id: nextId('rel'), version: 1, createdAt: this.createdAt, diff: [] }]
    this.minCudaVersion = seed.gpu?.minCudaVersion ?? null
    this.allowedCudaVersions = [...(seed.gpu?.allowedCudaVersions ?? [])]
    this.env = { ...(seed.env ?? {}) }
    this.omitEnv = seed.omitEnv ?? false
  }

  /**
   * Why a `gpu` patch is refused, as Runpod's 400 says it: a floor and a non-empty list are exclusive, whether
   * sent together or one sent while the endpoint carries the other.
   */
  gpuConflict(gpu: { minCudaVersion?: string; allowedCudaVersions?: string[] } | undefined): string | undefined {
    if (!gpu) return undefined
    const min = gpu.minCudaVersion !== undefined ? gpu.minCudaVersion || null : this.minCudaVersion
    const allowed = gpu.allowedCudaVersions ?? this.allowedCudaVersions
    return min !== null && allowed.length > 0
      ? 'gpu.minCudaVersion and a non-empty gpu.allowedCudaVersions are mutually exclusive'
      : undefined
  }

  /** A PATCH: container changes create a new release that rolls out as workers cycle. */
  update(body: Record<string, unknown>): void {
    const { image, registry, name } = body
    if (typeof name === 'string') this.name = name
    const diff: SimRelease['diff'] = []
    if (typeof image === 'string' && image !== this.image) {
      diff.push({ field: 'template.imageName', old: this.image, new: image })
      this.image = image
    }
    if (registry !== undefined && registry !== this.registry) {
      diff.push({ field: 'template.containerRegistryAuthId', old: this.registry, new: registry })
      this.registry = registry as string | null
    }
    // `env` replaces the env as a whole; the release's diff carries the values, as Runpod's does.
    const env = body['env'] as Record<string, string> | undefined
    if (env !== undefined && JSON.stringify(sorted(env)) !== JSON.stringify(sorted(this.env))) {
      diff.push({ field: 'template.env', old: this.env, new: env })
      this.env = { ...env }
    }
    const gpu = body['gpu'] as { minCudaVersion?: string; allowedCudaVersions?: string[] } | undefined
    if (gpu?.minCudaVersion !== undefined && (gpu.minCudaVersion || null) !== this.minCudaVersion) {
      diff.push({ field: 'gpu.minCudaVersion', old: this.minCudaVersion, new: gpu.minCudaVersion || null })
      this.minCudaVersion = gpu.minCudaVersion || null
    }
    if (gpu?.allowedCudaVersions && gpu.allowedCudaVersions.join() !== this.allowedCudaVersions.join()) {
      diff.push({ field: 'gpu.allowedCudaVersions', old: this.allowedCudaVersions, new: gpu.allowedCudaVersions })
      this.allowedCudaVersions = [...gpu.allowedCudaVersions]
    }
    if (diff.length === 0) return
    if (this.readyAfterMs !== undefined) this.readyAt = Date.now() + this.readyAfterMs
    this.version += 1
    this.releases.unshift({ id: nextId('rel'), version: this.version, createdAt: iso(), diff })
  }

  /** A job for the endpoint: it ends as scripted while the endpoint runs a new image. */
  submit(body: { input: unknown }): SimJob {
    const job = new SimJob(this.id, body, this.image === this.initialImage ? DEFAULT_JOB_SCRIPT : this.jobScript)
    this.jobs.push(job)
    return job
  }

  /** A read of the releases or workers: a new worker finishes starting, and one stale worker is replaced. */
  poll(): void {
    const script = this.image === this.initialImage ? 'succeed' : this.script
    if (script === 'stall') return
    if (script === 'throttled') {
      // The release's workers wait for capacity; the old ones keep serving until they could be replaced.
      if (!this.workers.some((worker) => worker.version === this.version))
        this.workers.push(...this.workers.map(() => this.newWorker('THROTTLED')))
      return
    }
    if (this.readyAt !== undefined) {
      if (Date.now() >= this.readyAt)
        this.workers = this.workers.map(() => this.newWorker(script === 'fail' ? 'UNHEALTHY' : 'IDLE'))
      return
    }
    for (const worker of this.workers) {
      if (worker.status === 'INITIALIZING' && worker.version === this.version)
        worker.status = script === 'fail' ? 'UNHEALTHY' : 'IDLE'
    }
    const stale = this.workers.findIndex((worker) => worker.version !== this.version)
    if (stale >= 0) this.workers[stale] = this.newWorker('INITIALIZING')
  }

  private newWorker(status: WorkerStatus): SimWorker {
    return { id: nextId('wrk'), version: this.version, image: this.image, status, startedAt: iso() }
  }

  toJSON(): Record<string, unknown> {
    const base = `https://api.runpod.ai/v2/${this.id}`
    return {
      id: this.id,
      name: this.name,
      type: 'QUEUE',
      requestUrls: {
        run: `${base}/run`,
        runSync: `${base}/runsync`,
        status: `${base}/status/{job_id}`,
        stream: `${base}/stream/{job_id}`,
        cancel: `${base}/cancel/{job_id}`,
        retry: `${base}/retry/{job_id}`,
        purgeQueue: `${base}/purge-queue`,
        health: `${base}/health`
      },
      image: this.image,
      args: '',
      disk: 20,
      ports: ['8000/http'],
      ...(this.omitEnv ? {} : { env: this.env }),
      registry: this.registry,
      gpu: {
        pools: ['ADA_24'],
        count: 1,
        allowedCudaVersions: this.allowedCudaVersions,
        minCudaVersion: this.minCudaVersion
      },
      workers: { min: 0, max: 5, idleTimeout: 5 },
      scaling: { type: 'QUEUE_DELAY', queueDelay: 4 },
      dataCenterIds: ['US-KS-2'],
      networkVolumes: [],
      timeout: 300_000,
      flashboot: 'OFF',
      createdAt: this.createdAt
    }
  }

  releasesJSON(): Record<string, unknown> {
    const total = this.workers.length
    const onLatest = this.workers.filter((worker) => worker.version === this.version).length
    return {
      endpointVersion: this.version,
      rollout: {
        inProgress: onLatest < total,
        workersOnLatest: onLatest,
        workersTotal: total,
        percentOnLatest: total === 0 ? 0 : Math.round((100 * onLatest) / total)
      },
      releases: this.releases.map((release) => ({
        id: release.id,
        version: release.version,
        source: 'MANUAL',
        buildId: null,
        createdByUserId: 'user_simulated',
        workerCount: this.workers.filter((worker) => worker.version === release.version).length,
        createdAt: release.createdAt,
        diff: release.diff
      }))
    }
  }

  workersJSON(): Record<string, unknown> {
    const count = (status: WorkerStatus) => this.workers.filter((worker) => worker.status === status).length
    return {
      endpointVersion: this.version,
      summary: {
        running: count('RUNNING'),
        idle: count('IDLE'),
        initializing: count('INITIALIZING'),
        throttled: count('THROTTLED'),
        unhealthy: count('UNHEALTHY'),
        total: this.workers.length
      },
      workers: this.workers.map((worker) => ({
        id: worker.id,
        status: worker.status,
        isStale: worker.version !== this.version,
        version: worker.version,
        gpuCount: 1,
        image: worker.image,
        uptimeSeconds:
          worker.status === 'INITIALIZING' ? null : Math.round((Date.now() - Date.parse(worker.startedAt)) / 1000),
        gpuTypeId: 'NVIDIA GeForce RTX 4090',
        dataCenterId: 'US-KS-2',
        startedAt: worker.startedAt
      }))
    }
  }
}

export function delegationJSON(seed: DelegationSeed): Record<string, unknown> {
  return {
    id: seed.id ?? nextId('deleg_'),
    name: seed.name ?? null,
    delegatorUserId: 'user_simulated',
    awsUser: seed.account,
    repository: seed.repository,
    tag: seed.tag ?? 'latest',
    awsRegion: seed.region,
    dockerRegistryUri: `${seed.account}.dkr.ecr.${seed.region}.amazonaws.com`,
    createdAt: iso()
  }
}

export interface RegistrySeed {
  readonly id?: string
  readonly name: string
  readonly username?: string
  readonly password?: string
}

/** A container registry credential. Runpod never returns username or password: only id and name go out. */
export class SimRegistry {
  readonly id: string
  readonly name: string
  username: string
  password: string
  /** How often updateRegistryAuth (GraphQL) replaced username and password. */
  updates = 0

  constructor(seed: RegistrySeed) {
    this.id = seed.id ?? nextId('reg_')
    this.name = seed.name
    this.username = seed.username ?? 'AWS'
    this.password = seed.password ?? 'expired-ecr-token'
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, name: this.name }
  }
}

export interface TemplateSeed {
  readonly id: string
  readonly name?: string
  readonly image: string
  readonly env?: Readonly<Record<string, string>>
  readonly registry?: string | null
  readonly allowedCudaVersions?: readonly string[]
  readonly serverless?: boolean
  /** false: a public catalog template of someone else, readable by id but not listed or patchable. */
  readonly owned?: boolean
  /** Answers carry no `env` object. */
  readonly omitEnv?: boolean
}

/**
 * A template: a snapshot applied when a pod or endpoint is created from it. A PATCH changes only what it
 * carries (`env` replaced as a whole) and no pod or endpoint created from it before.
 */
export class SimTemplate {
  readonly id: string
  readonly name: string
  image: string
  env: Record<string, string>
  registry: string | null
  allowedCudaVersions: string[]
  readonly serverless: boolean
  readonly owned: boolean
  private readonly omitEnv: boolean

  constructor(seed: TemplateSeed) {
    this.id = seed.id
    this.name = seed.name ?? `template-${seed.id}`
    this.image = seed.image
    this.env = { ...(seed.env ?? {}) }
    this.registry = seed.registry ?? null
    this.allowedCudaVersions = [...(seed.allowedCudaVersions ?? [])]
    this.serverless = seed.serverless ?? false
    this.owned = seed.owned ?? true
    this.omitEnv = seed.omitEnv ?? false
  }

  update(body: Record<string, unknown>): void {
    if (typeof body['image'] === 'string') this.image = body['image']
    if (body['env'] !== undefined) this.env = { ...(body['env'] as Record<string, string>) }
    if (body['registry'] !== undefined) this.registry = body['registry'] as string | null
    if (Array.isArray(body['allowedCudaVersions']))
      this.allowedCudaVersions = [...(body['allowedCudaVersions'] as string[])]
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      name: this.name,
      image: this.image,
      args: '',
      disk: 50,
      mounts: {},
      ports: ['8888/http'],
      ...(this.omitEnv ? {} : { env: this.env }),
      // Runpod gives no registry for templates the key does not own.
      registry: this.owned ? this.registry : null,
      serverless: this.serverless,
      public: !this.owned,
      category: 'NVIDIA',
      startSsh: true,
      startJupyter: false,
      allowedCudaVersions: this.allowedCudaVersions
    }
  }
}
