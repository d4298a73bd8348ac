// `npm run bench`: figures to watch for regressions, printed, never asserted.
//  1. dist/ size, and what in it is big (ncc's stats, by npm package);
//  2. cold start of dist/index.js: process start to first request, and to exit (lint mode); peak RSS;
//  3. with a fixed latency on every request to every stand-in: requests, sequential round trips (the
//     critical path) and wall time for a deploy to a configured repository, to a fresh one, and to ten
//     targets, against the floor each could reach;
//  4. noticing a finished rollout; 5. scale: 10, 40 and 100 targets under Runpod's 60 requests a minute,
//     waited for, and what each polling round costs.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { applyRunpodGrant } from '../src/policy/merge.js'
import { RUNPOD_DEPLOYMENT_ROLES } from '../src/policy/runpod-statement.js'
import { startLatencyProxy, type LatencyProxy, type ProxiedRequest } from '../test-support/latency-proxy.js'
import { startLocalStack, type LocalStack } from '../test-support/local-stack.js'
import { setRepositoryPolicy } from '../test-support/moto-server.js'
import { DIST_ENTRY, runAction, type ActionRun } from '../test-support/run-action.js'
import { bundleContributors } from './bundle-contributors.js'
import { roundTripWaves } from './round-trips.js'
import { padEnd } from './terminal-style.js'

const COLD_RUNS = 7
const LATENCY_MS = 100
const LATENCY_RUNS = 3
const LINT_POLICY = 'examples/policies/runpod-current.json'

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2
}
const ms = (value: number) => `${Math.round(value)} ms`
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? padEnd(cell, widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

function heading(text: string): void {
  console.log(`\n## ${text}\n`)
}

// ---- 1. bundle -------------------------------------------------------------------------------------

async function directorySize(dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size
  }
  return total
}

/** Every .js file of dist/ (the entry and each lazily loaded chunk), without licenses.txt and package.json. */
async function javascriptSize(dir: string): Promise<number> {
  let total = 0
  for (const name of (await readdir(dir)).filter((file) => file.endsWith('.js')))
    total += (await stat(path.join(dir, name))).size
  return total
}

async function bundle(scratch: string): Promise<void> {
  const statsFile = path.join(scratch, 'bundle-stats.json')
  // The project's own bundle command, so dist/ is exactly what gets committed; plus ncc's stats.
  const built = spawnSync('npm', ['run', 'bundle', '--silent', '--', '--stats-out', statsFile], { stdio: 'inherit' })
  if (built.status !== 0) throw new Error(`npm run bundle failed (exit code ${built.status})`)
  const code = await readFile(DIST_ENTRY)
  const lines = code.toString('utf8').split('\n').length
  heading('Bundle')
  console.log(`dist/index.js  ${kib(code.length)} (${kib(gzipSync(code).length)} gzipped), ${lines} lines (minified)`)
  console.log(`dist/ in all   ${kib(await directorySize(path.dirname(DIST_ENTRY)))}`)
  const javascript = await javascriptSize(path.dirname(DIST_ENTRY))
  console.log(
    `dist/ JavaScript  ${(javascript / 1e6).toFixed(2)} MB (goal ≤ 1.0 MB: ${javascript <= 1e6 ? 'met' : 'not met'})`
  )
  const contributors = bundleContributors(
    JSON.parse(await readFile(statsFile, 'utf8')) as Parameters<typeof bundleContributors>[0]
  )
  const total = contributors.reduce((sum, c) => sum + c.bytes, 0)
  console.log('\nBiggest contributors (module sources before minification):\n')
  console.log(
    table(
      ['package', 'source', 'share', 'modules'],
      contributors
        .slice(0, 12)
        .map((c) => [c.name, kib(c.bytes), `${((100 * c.bytes) / total).toFixed(0)} %`, String(c.modules)])
    )
  )
}

// ---- 2. cold start ---------------------------------------------------------------------------------

function nodeBaseline(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' })
    child.on('error', reject)
    child.on('close', () => resolve(performance.now() - started))
  })
}

/** Deploy against a server that notes when the first request arrives, then stops the action. */
async function timeToFirstRequest(): Promise<{ ms: number; request: string }> {
  let arrival: { at: number; request: string } | undefined
  const controller = new AbortController()
  const server = createServer((request, response) => {
    arrival ??= { at: performance.now(), request: `${request.method} ${request.url?.split('?')[0]}` }
    controller.abort()
    response.writeHead(503).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    const run = await runAction({
      inputs: {
        image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/team/worker:v1',
        'role-to-assume': 'arn:aws:iam::111122223333:role/github-runpod-deploy',
        'runpod-api-key': 'rpa_bench',
        'runpod-api-url': url,
        'pod-id': 'pod-1'
      },
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: `${url}/token?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bench',
        AWS_ENDPOINT_URL_STS: url,
        AWS_ENDPOINT_URL_ECR: url
      },
      signal: controller.signal
    })
    if (!arrival) throw new Error(`the action made no request (exit code ${run.exitCode}):\n${run.stdout}${run.stderr}`)
    return { ms: arrival.at - run.spawnedAt, request: arrival.request }
  } finally {
    server.closeAllConnections()
    server.close()
  }
}

async function coldStart(): Promise<void> {
  const baseline: number[] = []
  const lint: number[] = []
  const first: number[] = []
  const firstRequests = new Set<string>()
  for (let i = 0; i < COLD_RUNS; i++) {
    baseline.push(await nodeBaseline())
    const run = await runAction({ inputs: { mode: 'lint', 'policy-file': LINT_POLICY } })
    if (run.exitCode !== 0) throw new Error(`lint of ${LINT_POLICY} failed:\n${run.stdout}${run.stderr}`)
    lint.push(run.closedAt - run.spawnedAt)
    const arrival = await timeToFirstRequest()
    first.push(arrival.ms)
    firstRequests.add(arrival.request)
  }
  heading(
    `Cold start (${path.basename(process.execPath)} ${process.version}, median of ${COLD_RUNS}, ${new Date().toISOString().slice(0, 10)})`
  )
  console.log(
    table(
      ['measure', 'median', 'min', 'max'],
      [
        ['node -e 0: start to exit (the floor)', baseline],
        ['dist/index.js lint of one policy: start to exit', lint],
        ['dist/index.js deploy: start to first request', first]
      ].map(([name, values]) => [
        name as string,
        ms(median(values as number[])),
        ms(Math.min(...(values as number[]))),
        ms(Math.max(...(values as number[])))
      ])
    )
  )
  console.log(`\nFirst request seen: ${[...firstRequests].join(', ')}`)
  // Ratios of medians taken in the same run: the machine's noise largely cancels out.
  const floor = median(baseline)
  for (const [name, value, goal] of [
    ['lint cold start ÷ node -e 0', median(lint) / floor, 2.0],
    ['deploy, start to first request ÷ node -e 0', median(first) / floor, 3.0]
  ] as const) {
    console.log(`${name}: ${value.toFixed(1)}× (goal ≤ ${goal.toFixed(1)}×: ${value <= goal ? 'met' : 'not met'})`)
  }
}

/** A repository with tag v2 pushed whose policy and delegation are in place already; its v1 reference. */
async function configuredRepository(stack: LocalStack, repository: string): Promise<string> {
  await stack.createRepository(repository)
  await stack.pushImage(repository, 'v2')
  const seed = { account: stack.account, region: stack.region, repository }
  await setRepositoryPolicy(stack.moto, seed, applyRunpodGrant(undefined, RUNPOD_DEPLOYMENT_ROLES).policyText)
  stack.runpod.addDelegation(seed)
  return `${stack.registryHost()}/${repository}:v1`
}

// ---- 2b. peak memory --------------------------------------------------------------------------------

const MEMORY_RUNS = 3

/** Runs `start` with a preload that notes the process's peak RSS at exit; the largest of MEMORY_RUNS, in MiB. */
async function peakRss(scratch: string, start: (env: Record<string, string>) => Promise<void>): Promise<number> {
  const preload = path.join(scratch, 'peak-rss.cjs')
  const file = path.join(scratch, 'peak-rss')
  await writeFile(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(file)}, String(process.resourceUsage().maxRSS)))\n`
  )
  let peak = 0
  for (let i = 0; i < MEMORY_RUNS; i++) {
    await rm(file, { force: true })
    await start({ NODE_OPTIONS: `--require ${preload}` })
    peak = Math.max(peak, Number(await readFile(file, 'utf8')) / 1024)
  }
  return peak
}

/** scripts/aws-sdk-floor.ts bundled by ncc into the scratch directory, as dist/ is bundled; its entry file. */
function bundleAwsSdkFloor(scratch: string): string {
  const out = path.join(scratch, 'aws-sdk-floor')
  const ncc = path.resolve('node_modules/.bin/ncc')
  const built = spawnSync(ncc, ['build', 'scripts/aws-sdk-floor.ts', '--out', out, '--minify', '--quiet'], {
    stdio: 'inherit'
  })
  if (built.status !== 0) throw new Error(`ncc could not bundle scripts/aws-sdk-floor.ts (exit code ${built.status})`)
  return path.join(out, 'index.js')
}

async function memory(scratch: string): Promise<void> {
  const floor = await peakRss(scratch, (env) => {
    spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, ...env }, stdio: 'ignore' })
    return Promise.resolve()
  })
  const awsSdkFloor = bundleAwsSdkFloor(scratch)
  const lint = await peakRss(scratch, async (env) => {
    const run = await runAction({ inputs: { mode: 'lint', 'policy-file': LINT_POLICY }, env })
    if (run.exitCode !== 0) throw new Error(`lint of ${LINT_POLICY} failed:\n${run.stdout}${run.stderr}`)
  })
  const stack = await startLocalStack({ runpod: { pageSize: 100 } })
  let deploy: number
  const sdkAlone: number[] = []
  try {
    for (const args of [[], ['--fetch']]) {
      sdkAlone.push(
        // Asynchronously: the ECR stand-in and the Runpod simulator answer from this process.
        await peakRss(
          scratch,
          (env) =>
            new Promise<void>((resolve, reject) => {
              const child = spawn(process.execPath, [awsSdkFloor, ...args], {
                env: { ...process.env, ...stack.env, FLOOR_FETCH_URL: `${stack.runpod.url}/v2/pods`, ...env },
                stdio: ['ignore', 'ignore', 'pipe']
              })
              let stderr = ''
              child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
              child.on('error', reject)
              child.on('close', (code) =>
                code === 0 ? resolve() : reject(new Error(`the AWS SDK floor failed (exit code ${code}):\n${stderr}`))
              )
            })
        )
      )
    }
    let index = 0
    deploy = await peakRss(scratch, async (env) => {
      const repository = `bench/memory-${index++}`
      const oldImage = await configuredRepository(stack, repository)
      const pod = stack.runpod.addPod({ id: `pod-memory-${index}`, image: oldImage, readyAfterMs: 1_000 })
      const endpoint = stack.runpod.addEndpoint({ id: `ep-memory-${index}`, image: oldImage, readyAfterMs: 1_000 })
      const run = await runAction({
        inputs: { ...stack.deployInputs(repository, 'v2'), 'pod-id': pod.id, 'endpoint-id': endpoint.id },
        env: { ...stack.env, ...env }
      })
      if (run.exitCode !== 0) throw new Error(`the deploy for the memory figure failed:\n${run.stdout}${run.stderr}`)
    })
  } finally {
    await stack.stop()
  }
  const mib = (value: number) => `${value.toFixed(1)} MiB`
  // The deploy's goal is relative to the AWS SDK's own figure, measured in the same run and environment.
  const deployGoal = (sdkAlone[0] ?? NaN) + 15
  heading(`Peak RSS (largest of ${MEMORY_RUNS} runs, ${process.version})`)
  console.log(
    table(
      ['process', 'peak RSS', 'goal'],
      [
        ['node -e 0 (the floor)', mib(floor), ''],
        ['lint of one policy', mib(lint), `≤ 55 MiB: ${lint <= 55 ? 'met' : 'not met'}`],
        [
          'deploy: 1 pod + 1 endpoint, waited for',
          mib(deploy),
          `≤ AWS SDK alone + 15 = ${mib(deployGoal)}: ${deploy <= deployGoal ? 'met' : 'not met'}`
        ],
        ['reference: the AWS SDK alone (ECR + STS, bundled, one call each)', mib(sdkAlone[0] ?? NaN), ''],
        ['reference: the same and one request with Node fetch', mib(sdkAlone[1] ?? NaN), '']
      ]
    )
  )
}

// ---- 3. round trips under latency ------------------------------------------------------------------

interface Scenario {
  readonly name: string
  readonly configured: boolean
  readonly pods: number
  readonly endpoints: number
  /** OIDC, STS, the reads, the PATCHes; a fresh repository adds SetRepositoryPolicy and the delegation. */
  readonly floor: number
}

// The image is a multi-platform index (linux/amd64 and arm64) built on CUDA 12.8, as buildx pushes one, so the
// reads before any write are: OIDC → STS → the index → its linux/amd64 manifest → the config's download URL →
// the config blob (the repository policy, the Runpod reads and the delegations run beside them).
const SCENARIOS: readonly Scenario[] = [
  // … → the PATCHes: the endpoints already have the image's CUDA floor.
  { name: 'configured repository, 1 pod + 1 endpoint', configured: true, pods: 1, endpoints: 1, floor: 7 },
  // … → Runpod's GPU capacity at the floor (the endpoint gets it raised) → read the policy again right before the
  // write → write → read it back → create the delegation → the PATCHes (beside the delegation list that settles
  // concurrent creates).
  { name: 'fresh repository, 1 pod + 1 endpoint', configured: false, pods: 1, endpoints: 1, floor: 12 },
  { name: 'configured repository, 5 pods + 5 endpoints', configured: true, pods: 5, endpoints: 5, floor: 7 }
]

const BENCH_IMAGE = {
  platforms: ['linux/amd64', 'linux/arm64'],
  attestations: true,
  env: ['NVIDIA_REQUIRE_CUDA=cuda>=12.8 brand=tesla,driver>=535,driver<536']
}

interface Measured {
  readonly requests: ProxiedRequest[]
  readonly run: ActionRun
}

interface Proxied {
  readonly env: Record<string, string>
  readonly runpodUrl: string
  readonly log: ProxiedRequest[]
  readonly proxies: LatencyProxy[]
}

/**
 * A delaying proxy in front of each stand-in: STS (moto), ECR (the stand-in in front of moto), the blob
 * downloads ECR's presigned URLs point to (S3 for real), and Runpod.
 */
async function proxyEverything(stack: LocalStack): Promise<Proxied> {
  const log: ProxiedRequest[] = []
  const tokenUrl = new URL(stack.oidc.env.ACTIONS_ID_TOKEN_REQUEST_URL)
  const start = (service: string, target: string) => startLatencyProxy({ service, target, latencyMs: LATENCY_MS, log })
  const proxies = await Promise.all([
    start('OIDC', tokenUrl.origin),
    start('STS', stack.moto.url),
    start('ECR', stack.ecr.url),
    start('Runpod', stack.runpod.url),
    start('S3', stack.ecr.url)
  ])
  const [oidc, sts, ecr, runpod, s3] = proxies as [LatencyProxy, LatencyProxy, LatencyProxy, LatencyProxy, LatencyProxy]
  stack.ecr.setBlobBase(s3.url)
  return {
    env: {
      ...stack.env,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${oidc.url}${tokenUrl.pathname}${tokenUrl.search}`,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ENDPOINT_URL_ECR: ecr.url
    },
    runpodUrl: runpod.url,
    log,
    proxies
  }
}

async function measure(stack: LocalStack, proxied: Proxied, scenario: Scenario, runIndex: number): Promise<Measured> {
  const repository = `bench/${scenario.configured ? 'configured' : 'fresh'}-${scenario.pods + scenario.endpoints}-${runIndex}`
  await stack.createRepository(repository)
  await stack.pushImage(repository, 'v2', BENCH_IMAGE)
  if (scenario.configured) {
    const seed = { account: stack.account, region: stack.region, repository }
    await setRepositoryPolicy(stack.moto, seed, applyRunpodGrant(undefined, RUNPOD_DEPLOYMENT_ROLES).policyText)
    stack.runpod.addDelegation(seed)
  }
  const oldImage = `${stack.registryHost()}/${repository}:v1`
  const ids = (kind: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${kind}-${repository.replace(/\W/g, '-')}-${i}`)
  const pods = ids('pod', scenario.pods)
  const endpoints = ids('ep', scenario.endpoints)
  for (const id of pods) stack.runpod.addPod({ id, image: oldImage })
  for (const id of endpoints)
    stack.runpod.addEndpoint({
      id,
      image: oldImage,
      ...(scenario.configured ? { gpu: { minCudaVersion: '12.8' } } : {})
    })

  proxied.log.length = 0
  const run = await runAction({
    inputs: {
      ...stack.deployInputs(repository, 'v2'),
      'runpod-api-url': proxied.runpodUrl,
      'pod-id': pods.join(','),
      'endpoint-id': endpoints.join(','),
      wait: 'false'
    },
    env: proxied.env
  })
  const statuses = (JSON.parse(run.outputs['deployments'] ?? '[]') as { status: string }[]).map((d) => d.status)
  if (
    run.exitCode !== 0 ||
    statuses.length !== pods.length + endpoints.length ||
    statuses.some((s) => s !== 'updated')
  ) {
    throw new Error(
      `deploy for '${scenario.name}' did not update every target (exit code ${run.exitCode}):\n${run.stdout}${run.stderr}`
    )
  }
  return { requests: [...proxied.log], run }
}

function describeRequest(request: ProxiedRequest): string {
  const operation = request.operation.replace(/\/(pods|serverless)\/[^/\s]+/, '/$1/{id}')
  return request.service === 'OIDC' ? 'OIDC token' : `${request.service} ${operation}`
}

/** Each round trip's requests, with when it ran (ms after the first request started). */
function describeWaves(waves: readonly ProxiedRequest[][], origin: number): string[] {
  return waves.map((wave, i) => {
    const counts = new Map<string, number>()
    for (const request of wave) counts.set(describeRequest(request), (counts.get(describeRequest(request)) ?? 0) + 1)
    const from = Math.min(...wave.map((r) => r.start)) - origin
    const to = Math.max(...wave.map((r) => r.end)) - origin
    const requests = [...counts].map(([name, count]) => (count > 1 ? `${count}× ${name}` : name)).join(', ')
    return `  ${i + 1}. ${`${Math.round(from)}–${Math.round(to)} ms`.padStart(12)}  ${requests}`
  })
}

async function roundTrips(): Promise<void> {
  // Runpod's pages hold up to 100 items; the tests' small pages would add round trips no real deploy has.
  const stack = await startLocalStack({ runpod: { pageSize: 100 } })
  const proxied = await proxyEverything(stack)
  try {
    const rows: string[][] = []
    const details: string[] = []
    for (const scenario of SCENARIOS) {
      const runs: Measured[] = []
      for (let i = 0; i < LATENCY_RUNS; i++) runs.push(await measure(stack, proxied, scenario, i))
      const waves = runs.map((m) => roundTripWaves(m.requests))
      const network = runs.map(
        (m) => Math.max(...m.requests.map((r) => r.end)) - Math.min(...m.requests.map((r) => r.start))
      )
      const trips = median(waves.map((w) => w.length))
      rows.push([
        scenario.name,
        String(median(runs.map((m) => m.requests.length))),
        String(trips),
        String(scenario.floor),
        trips > scenario.floor ? `+${trips - scenario.floor}` : 'at floor',
        String(Math.round(median(network) / LATENCY_MS)),
        ms(median(network)),
        ms(median(runs.map((m) => m.run.closedAt - m.run.spawnedAt)))
      ])
      const last = runs.at(-1)
      const counts = new Map<string, number>()
      for (const request of last?.requests ?? []) counts.set(request.service, (counts.get(request.service) ?? 0) + 1)
      details.push(
        `${scenario.name}:`,
        `  requests: ${[...counts].map(([service, count]) => `${service} ${count}`).join(', ')}`,
        ...describeWaves(waves.at(-1) ?? [], Math.min(...(last?.requests ?? []).map((r) => r.start)))
      )
    }
    heading(`Round trips with ${LATENCY_MS} ms added to every request (wait: false; median of ${LATENCY_RUNS})`)
    console.log(
      table(
        ['deploy to', 'requests', 'round trips', 'floor', 'vs floor', 'network/latency', 'network', 'process wall'],
        rows
      )
    )
    console.log(
      [
        '\nround trips: the longest chain of requests each starting only after the previous one ended; below, each request',
        'is listed in the round trip it ended up in. network: first request to last response. network/latency also counts',
        "the action's own time between round trips (the gaps between the time ranges below).\n"
      ].join('\n')
    )
    console.log(details.join('\n'))
  } finally {
    await Promise.allSettled(proxied.proxies.map((proxy) => proxy.close()))
    await stack.stop()
  }
}

// `npm run bench -- cold memory` runs only the named sections (after the bundle, which every figure needs).
const SECTIONS: Record<string, (scratch: string) => Promise<void>> = {
  cold: coldStart,
  memory,
  'round-trips': roundTrips,
  detection,
  scale
}
const chosen = process.argv.slice(2)
const unknown = chosen.filter((name) => !(name in SECTIONS))
if (unknown.length > 0) {
  console.error(`Unknown section(s) ${unknown.join(', ')}: choose from ${Object.keys(SECTIONS).join(', ')}.`)
  process.exit(2)
}
const scratch = await mkdtemp(path.join(tmpdir(), 'rpd-bench-'))
try {
  await bundle(scratch)
  for (const [name, section] of Object.entries(SECTIONS))
    if (chosen.length === 0 || chosen.includes(name)) await section(scratch)
} catch (error) {
  console.error(`\nBenchmark failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await rm(scratch, { recursive: true, force: true })
}

// ---- 4. scale under Runpod's rate limit --------------------------------------------------------------

/** From a waiting deploy's Runpod requests: what a polling round cost, pods and endpoints apart. */
function pollingRounds(
  requests: readonly { method: string; path: string }[],
  pods: number,
  endpoints: number
): string[] {
  const waiting = requests
    .slice(requests.findLastIndex((request) => request.method === 'PATCH') + 1)
    .filter((request) => request.method === 'GET')
  // The pods' rounds are the lists (one page each at 100 a page); endpoints are polled at the same cadence.
  const rounds = Math.max(1, waiting.filter((request) => request.path === '/v2/pods').length)
  const podReads = waiting.filter((request) => /^\/v2\/pods(\/[^/]+)?$/.test(request.path)).length
  const endpointReads = waiting.filter((request) => /^\/v2\/serverless\/[^/]+\/(releases|workers)$/.test(request.path))
  return [
    `${pods} pods + ${endpoints} endpoints`,
    String(rounds),
    (podReads / rounds).toFixed(1),
    (endpointReads.length / endpoints / rounds).toFixed(2),
    '1 and 1'
  ]
}

async function scale(): Promise<void> {
  // Runpod's example policy, in real time: 60 requests a minute. Rollouts finish 10 s after each PATCH, and
  // min-ready-seconds is 0, so the wall time is the requests' and the polls', not the readiness window's.
  const POLICY = { quota: 60, windowSeconds: 60 }
  const SIZES = [
    { pods: 7, endpoints: 3, goalMs: 30_000 },
    { pods: 30, endpoints: 10, goalMs: 130_000 },
    { pods: 75, endpoints: 25, goalMs: undefined }
  ]
  const rows: string[][] = []
  const rounds: string[][] = []
  const stack = await startLocalStack({ runpod: { pageSize: 100, rateLimit: POLICY } })
  try {
    for (const { pods, endpoints, goalMs } of SIZES) {
      const count = pods + endpoints
      const repository = `bench/scale-${count}`
      const oldImage = await configuredRepository(stack, repository)
      const ids = (kind: string, n: number) => Array.from({ length: n }, (_, i) => `${kind}-${count}-${i}`)
      for (const id of ids('pod', pods)) stack.runpod.addPod({ id, image: oldImage, readyAfterMs: 10_000 })
      for (const id of ids('ep', endpoints)) stack.runpod.addEndpoint({ id, image: oldImage, readyAfterMs: 10_000 })
      // Each size starts in a fresh window, as a deploy that follows others by a minute would.
      await new Promise((resolve) => setTimeout(resolve, POLICY.windowSeconds * 1000))
      const before = { requests: stack.runpod.requests.length, throttled: stack.runpod.throttled() }
      const run = await runAction({
        inputs: {
          ...stack.deployInputs(repository, 'v2'),
          'pod-id': ids('pod', pods).join(','),
          'endpoint-id': ids('ep', endpoints).join(','),
          'wait-timeout': '900'
        },
        env: stack.env,
        timeoutMs: 1_200_000
      })
      if (run.exitCode !== 0) throw new Error(`the deploy to ${count} targets failed:\n${run.stdout}${run.stderr}`)
      const requests = stack.runpod.requests.slice(before.requests)
      const wall = run.closedAt - run.spawnedAt
      const reads = requests.slice(
        0,
        requests.findIndex((request) => request.method === 'PATCH')
      )
      rows.push([
        `${count} (${pods} pods, ${endpoints} endpoints)`,
        String(reads.length),
        String(requests.length),
        String(stack.runpod.throttled() - before.throttled),
        ms(wall),
        goalMs === undefined ? '0 × 429' : `0 × 429, ≤ ${goalMs / 1000} s: ${wall <= goalMs ? 'met' : 'not met'}`
      ])
      rounds.push(pollingRounds(requests, pods, endpoints))
    }
  } finally {
    await stack.stop()
  }
  heading(
    `Scale under Runpod's rate limit (${POLICY.quota} per ${POLICY.windowSeconds} s; each target ready 10 s after its PATCH)`
  )
  console.log(
    table(
      ['targets', 'Runpod reads before the first PATCH', 'Runpod requests', '429 answers', 'process wall', 'goal'],
      rows
    )
  )
  heading('Runpod requests per polling round')
  console.log(
    table(['targets', 'rounds (pod lists)', 'pod requests a round', 'requests per endpoint a round', 'goal'], rounds)
  )
  console.log(
    "\nAn endpoint's releases are read until the patch's release shows, then its workers: two requests in that one round."
  )
  console.log(
    `\nThe action keeps to half of each window's quota, so ${POLICY.quota} per ${POLICY.windowSeconds} s paces it to ${POLICY.quota / 2} per ${POLICY.windowSeconds} s: the wall time grows with the targets, the 429s do not.`
  )
}

// ---- 5. noticing a finished rollout ----------------------------------------------------------------

/**
 * Targets that are ready at a known moment after their PATCH (a pod after 1.5 s, an endpoint's workers after
 * 2 s, both later by up to one poll cycle from run to run): how long after the last one is ready the action
 * exits, having seen it (process exit included).
 */
async function detection(): Promise<void> {
  const DETECTION_RUNS = 8
  const stack = await startLocalStack({ runpod: { pageSize: 100 } })
  const delays: number[] = []
  try {
    for (let i = 0; i < DETECTION_RUNS; i++) {
      const repository = `bench/detect-${i}`
      const oldImage = await configuredRepository(stack, repository)
      // Ready moments spread over one 2 s poll cycle, so the runs sample every phase of it.
      const offset = i * 260
      const pod = stack.runpod.addPod({ id: `pod-detect-${i}`, image: oldImage, readyAfterMs: 1_500 + offset })
      const endpoint = stack.runpod.addEndpoint({
        id: `ep-detect-${i}`,
        image: oldImage,
        workers: 2,
        readyAfterMs: 2_000 + offset
      })
      const run = await runAction({
        inputs: { ...stack.deployInputs(repository, 'v2'), 'pod-id': pod.id, 'endpoint-id': endpoint.id },
        env: stack.env
      })
      const exited = Date.now()
      if (run.exitCode !== 0) throw new Error(`the rollout ${i} failed:\n${run.stdout}${run.stderr}`)
      const ready = Math.max(pod.readyAt ?? Number.NaN, endpoint.readyAt ?? Number.NaN)
      delays.push(exited - ready)
    }
  } finally {
    await stack.stop()
  }
  const sorted = [...delays].sort((a, b) => a - b)
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN
  const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length
  heading(`Noticing a finished rollout (1 pod + 1 endpoint, ${DETECTION_RUNS} runs)`)
  console.log(
    `from the last target ready to the action's exit: mean ${ms(mean)}, p95 ${ms(p95)}, max ${ms(Math.max(...delays))}`
  )
  console.log(`goal p95 ≤ 2 s: ${p95 <= 2_000 ? 'met' : 'not met'}`)
}
