// Text and bytes from outside are data: the bundled action against the local stack, where the Runpod account
// (pod names, problem details, system logs, job errors, redirects, endless or looping answers) is hostile.
// Each case asserts on what the runner, the job summary and the output files would show.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { renderGitHubMarkdown } from '../../test-support/rendered-markdown.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'
import { runnerCommands } from '../../test-support/runner-commands.js'

let stack: LocalStack
/** Another origin a redirect points to: it must never be asked anything. */
let elsewhere: { url: string; requests: string[]; server: Server }
let seq = 0
let repository: string

beforeAll(async () => {
  stack = await startLocalStack()
  const requests: string[] = []
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`)
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"delegations":[]}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  elsewhere = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server }
})

afterAll(async () => {
  await Promise.all([
    stack?.stop(),
    new Promise<void>((resolve) => {
      elsewhere?.server.closeAllConnections()
      elsewhere?.server.close(() => resolve())
    })
  ])
})

beforeEach(async () => {
  repository = `team/outside-${++seq}`
  await stack.createRepository(repository)
  await stack.pushImage(repository, 'v2')
  elsewhere.requests.length = 0
})

const FORGED = 'forged-by-runpod'
/** What someone who may rename a pod, or whose container writes the log, would print. */
const HOSTILE_LINES = [
  `worker\n::error title=x::${FORGED}`,
  `\r::add-mask::rolled`,
  `  ::stop-commands::silence`,
  `prefix ##[warning]${FORGED}`,
  `\u00a0::notice::${FORGED}`
]
const HOSTILE_MARKUP =
  '</code></pre><img src=x onerror=alert(1)> @acme/security-team [approve](https://evil.example) ![x](https://evil.example/i.png)'

const oldImage = () => `${stack.registryHost()}/${repository}:v1`
const logOf = (run: ActionRun) => `${run.stdout}\n${run.stderr}`
/** The simulator is shared: the writes this test's run made (to its pod or endpoint, or creates). */
const writesSince = (from: number) => stack.runpod.writes().filter((request) => request.time.getTime() >= from)
const suffix = () => repository.replace('/', '-')

function deploy(inputs: Record<string, string>, options: { cancelWhen?: RegExp } = {}): Promise<ActionRun> {
  return runAction({
    inputs: { ...stack.deployInputs(repository, 'v2'), ...inputs },
    env: stack.env,
    ...options
  })
}

/** No command the runner would carry out holds text from outside, and commands were not switched off for good. */
function expectNoForgedCommand(run: ActionRun): void {
  const commands = runnerCommands(run.stdout)
  const forged = commands.filter(
    (command) =>
      command.name !== 'stop-commands' &&
      (command.data === FORGED || command.data === 'rolled' || command.data.startsWith(FORGED))
  )
  expect(forged).toEqual([])
  expect(commands.filter((command) => command.name === 'stop-commands').map((c) => c.data)).not.toContain('silence')
  // The action's own annotations still reach the runner after the outside text was printed.
  expect(commands.some((command) => command.name === 'error')).toBe(true)
}

function expectInertSummary(run: ActionRun): void {
  const rendered = renderGitHubMarkdown(run.summary)
  expect(rendered.unexpectedElements).toEqual([])
  expect(rendered.mentions).toEqual([])
  expect(rendered.links.filter((href) => !href.startsWith('https://console.runpod.io/'))).toEqual(
    rendered.links.filter((href) => href.includes('console.aws.amazon.com'))
  )
}

describe('workflow commands and markup from outside', () => {
  it('a pod named like a command, its system log and a problem detail stay inert in the log and the summary', async () => {
    const podId = `pod-${suffix()}`
    stack.runpod.addPod({
      id: podId,
      name: `${HOSTILE_LINES[0]} ${HOSTILE_MARKUP}`,
      image: oldImage(),
      rollout: 'fail',
      pollsToStart: 1,
      failureLog: [...HOSTILE_LINES, HOSTILE_MARKUP]
    })
    const run = await deploy({ 'pod-id': podId })
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toContain(FORGED)
    expectNoForgedCommand(run)
    expectInertSummary(run)
    const rendered = renderGitHubMarkdown(run.summary)
    const logBlock = [...rendered.document.querySelectorAll('pre')].find((pre) =>
      pre.textContent?.includes(`::error title=x::${FORGED}`)
    )
    expect(logBlock?.textContent).toContain('</code></pre><img src=x')
    expect(rendered.text).toContain('@acme/security-team')
  })

  it('a Runpod problem detail that echoes the API key and carries commands: the key is in no file', async () => {
    const podId = `pod-${suffix()}`
    stack.runpod.addPod({ id: podId, image: oldImage(), pollsToStart: 1 })
    stack.runpod.addFault({
      method: 'PATCH',
      path: `/v2/pods/${podId}`,
      kind: 'status',
      status: 400,
      detail: `key ${stack.runpod.apiKey} may not do this\n::error::${FORGED}\n${HOSTILE_MARKUP}`
    })
    const run = await deploy({ 'pod-id': podId })
    expect(run.exitCode).not.toBe(0)
    expectNoForgedCommand(run)
    expectInertSummary(run)
    for (const file of [run.summary, JSON.stringify(run.outputs)]) expect(file).not.toContain(stack.runpod.apiKey)
    expect(renderGitHubMarkdown(run.summary).text).toContain('key *** may not do this')
    // The runner masks the log itself: the key is registered with it.
    expect(runnerCommands(run.stdout).map((c) => `${c.name}:${c.data}`)).toContain(`add-mask:${stack.runpod.apiKey}`)
  })

  it('a smoke job error with commands and markup stays inert', async () => {
    const id = `ep-${suffix()}`
    stack.runpod.addEndpoint({
      id,
      image: oldImage(),
      workers: 1,
      jobs: { outcome: 'fail', error: `Traceback\n::error::${FORGED}\n${HOSTILE_MARKUP}` }
    })
    const run = await deploy({
      'endpoint-id': id,
      'runpod-serverless-url': stack.runpod.url,
      'smoke-test': JSON.stringify({ input: { prompt: 'ping' } })
    })
    expect(run.exitCode).not.toBe(0)
    expect(logOf(run)).toContain('the smoke test failed')
    expectNoForgedCommand(run)
    expectInertSummary(run)
  })

  it('a smoke job whose output nests 20,000 levels deep is judged and shown, not an unexpected error', async () => {
    const id = `ep-${suffix()}`
    stack.runpod.addEndpoint({ id, image: oldImage(), workers: 1 })
    const deep = `${'{"d":'.repeat(20_000)}"bottom"${'}'.repeat(20_000)}`
    stack.runpod.addFault({
      method: 'POST',
      path: `/v2/${id}/runsync`,
      kind: 'raw',
      body: `{"id":"sync-deep","status":"COMPLETED","output":${deep}}`
    })
    const run = await deploy({
      'endpoint-id': id,
      'runpod-serverless-url': stack.runpod.url,
      'smoke-test': JSON.stringify({ input: {} }),
      'smoke-expect': JSON.stringify({ status: 'ok' })
    })
    expect(logOf(run)).not.toContain('Unexpected error')
    expect(logOf(run)).toMatch(/does not match 'smoke-expect'/)
    const deployments = JSON.parse(run.outputs['deployments'] ?? '[]') as { id: string; status: string }[]
    expect(deployments).toEqual([expect.objectContaining({ id, status: 'rolled-back' })])
  })
})

describe('Runpod lives at runpod-api-url only', () => {
  it('a redirect on the delegation list is refused; the other origin is never asked', async () => {
    const podId = `pod-${suffix()}`
    stack.runpod.addPod({ id: podId, image: oldImage(), pollsToStart: 1 })
    stack.runpod.addFault({
      method: 'GET',
      path: '/v2/registries/delegations',
      kind: 'redirect',
      status: 302,
      location: `${elsewhere.url}/v2/registries/delegations`
    })
    const started = Date.now()
    const run = await deploy({ 'pod-id': podId })
    expect(run.exitCode).not.toBe(0)
    expect(logOf(run)).toMatch(/with a redirect \(HTTP 302 to http:\/\/127\.0\.0\.1:\d+\/v2\/registries\/delegations\)/)
    expect(logOf(run)).toContain("set 'runpod-api-url' to the address that answers without one")
    expect(elsewhere.requests).toEqual([])
    expect(writesSince(started)).toEqual([])
  })

  it('a 307 on a PATCH is not replayed elsewhere', async () => {
    const podId = `pod-${suffix()}`
    stack.runpod.addPod({ id: podId, image: oldImage(), pollsToStart: 1 })
    stack.runpod.addFault({
      method: 'PATCH',
      path: `/v2/pods/${podId}`,
      kind: 'redirect',
      status: 307,
      location: `${elsewhere.url}/v2/pods/${podId}`
    })
    const started = Date.now()
    const run = await deploy({ 'pod-id': podId })
    expect(run.exitCode).not.toBe(0)
    expect(logOf(run)).toMatch(/PATCH \/v2\/pods\/\S+ with a redirect \(HTTP 307/)
    expect(elsewhere.requests).toEqual([])
    expect(stack.runpod.pod(podId).image).toBe(oldImage())
    expect(writesSince(started).filter((request) => request.method === 'PATCH')).toHaveLength(1)
  })

  it('token mode: the credential create, with the ECR password in its body, is not replayed elsewhere', async () => {
    const podId = `pod-${suffix()}`
    stack.runpod.addPod({ id: podId, image: oldImage(), pollsToStart: 1 })
    stack.runpod.addFault({
      method: 'POST',
      path: '/v2/registries',
      kind: 'redirect',
      status: 308,
      location: `${elsewhere.url}/v2/registries`
    })
    const started = Date.now()
    const run = await deploy({ 'pod-id': podId, 'registry-auth': 'token' })
    expect(run.exitCode).not.toBe(0)
    expect(logOf(run)).toMatch(/POST \/v2\/registries with a redirect \(HTTP 308/)
    expect(elsewhere.requests).toEqual([])
    expect(stack.runpod.pod(podId).registry ?? null).toBeNull()
    expect(writesSince(started).filter((request) => request.method === 'PATCH')).toEqual([])
  })
})

describe('bounded answers', () => {
  it('a 200 whose body never ends is cut at the cap and the run ends, naming the cap', async () => {
    const podId = `pod-${suffix()}`
    stack.runpod.addPod({ id: podId, image: oldImage(), pollsToStart: 1 })
    // The list of pods leaves the pod out, so the pod's own read follows: that answer never ends.
    stack.runpod.addFault({ method: 'GET', path: '/v2/pods', kind: 'raw', body: '{"pods":[]}', times: 1 })
    stack.runpod.addFault({ method: 'GET', path: `/v2/pods/${podId}`, kind: 'endless', times: 10 })
    const started = Date.now()
    const run = await deploy({ 'pod-id': podId })
    expect(run.exitCode).not.toBe(0)
    expect(logOf(run)).toMatch(/is larger than 4 MiB, far more than any Runpod answer/)
    expect(writesSince(started)).toEqual([])
  })

  it('a list whose cursor repeats is an error naming the list', async () => {
    const podId = `pod-${suffix()}`
    stack.runpod.addPod({ id: podId, image: oldImage(), pollsToStart: 1 })
    stack.runpod.addFault({
      method: 'GET',
      path: '/v2/registries/delegations',
      kind: 'raw',
      body: JSON.stringify({ delegations: [], pagination: { nextCursor: 'same', hasNextPage: true } }),
      // The first page and the one that repeats its cursor: faults outlive a test in the shared simulator.
      times: 2
    })
    const started = Date.now()
    const run = await deploy({ 'pod-id': podId })
    expect(run.exitCode).not.toBe(0)
    expect(logOf(run)).toContain("Runpod's list GET /v2/registries/delegations does not advance")
    const listed = stack.runpod.requests.filter(
      (request) => request.path === '/v2/registries/delegations' && request.time.getTime() >= started
    )
    expect(listed.length).toBe(2)
    expect(writesSince(started)).toEqual([])
  })
})

describe('faults the wait tells truthfully', () => {
  it('a smoke job whose status answers 404 fails the smoke test saying Runpod does not know the job', async () => {
    const id = `ep-${suffix()}`
    stack.runpod.addEndpoint({ id, image: oldImage(), workers: 1 })
    // runsync answers with the job still queued; its status is then unknown to Runpod.
    stack.runpod.addFault({
      method: 'POST',
      path: `/v2/${id}/runsync`,
      kind: 'raw',
      body: JSON.stringify({ id: 'sync-gone', status: 'IN_QUEUE' })
    })
    stack.runpod.addFault({ method: 'GET', path: `/v2/${id}/status/sync-gone`, kind: 'status', status: 404 })
    const run = await deploy({
      'endpoint-id': id,
      'runpod-serverless-url': stack.runpod.url,
      'smoke-test': JSON.stringify({ input: {} }),
      'smoke-timeout': '120'
    })
    expect(run.exitCode).not.toBe(0)
    expect(logOf(run)).toContain('Runpod does not know job sync-gone (HTTP 404 on its status)')
    expect(logOf(run)).not.toContain('still IN_QUEUE')
    // Told at the first status read, not at smoke-timeout.
    expect(run.closedAt - run.spawnedAt).toBeLessThan(30_000)
    expect(stack.runpod.endpoint(id).image).toBe(oldImage())
  })

  it('a cancel during runsync names the job whose id never came back, rolls back and reports within 5 s', async () => {
    const id = `ep-${suffix()}`
    stack.runpod.addEndpoint({ id, image: oldImage(), workers: 1, jobs: { outcome: 'queue' } })
    const run = await deploy(
      {
        'endpoint-id': id,
        'runpod-serverless-url': stack.runpod.url,
        'smoke-test': JSON.stringify({ input: {} }),
        'smoke-timeout': '30'
      },
      { cancelWhen: /sending the smoke job/ }
    )
    expect(run.cancelledAt).toBeDefined()
    expect(run.closedAt - (run.cancelledAt ?? 0)).toBeLessThan(5_000)
    expect(logOf(run)).toMatch(/the job's id never came back, so the action cannot cancel it/)
    expect(stack.runpod.endpoint(id).image).toBe(oldImage())
    expect(run.outputs['deployments']).toContain('rolled-back')
  })

  it('a cancel during a slow delegation create starts no write after it and reports within 5 s', async () => {
    const podId = `pod-${suffix()}`
    stack.runpod.addPod({ id: podId, image: oldImage(), pollsToStart: 1 })
    stack.runpod.addFault({ method: 'POST', path: '/v2/registries/delegations', kind: 'latency', ms: 20_000 })
    const started = Date.now()
    const run = await deploy({ 'pod-id': podId }, { cancelWhen: /Added the AllowRunpodPull statement/ })
    expect(run.cancelledAt).toBeDefined()
    expect(run.closedAt - (run.cancelledAt ?? 0)).toBeLessThan(5_000)
    expect(logOf(run)).toContain('The workflow was cancelled while the Runpod delegation for')
    expect(writesSince(started).filter((request) => request.method === 'PATCH')).toEqual([])
    expect(run.outputs['policy-changed']).toBe('true')
    expect(run.summary).toContain('Failed')
  })
})
