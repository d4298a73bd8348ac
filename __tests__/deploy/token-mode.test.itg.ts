// registry-auth: token end to end: the bundled action against moto (ECR GetAuthorizationToken), the OIDC
// stand-in and the Runpod simulator (registry credentials and GraphQL updateRegistryAuth).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'

let stack: LocalStack
let seq = 0
let repository: string
let oldImage: string
let newImage: string
/** What moto's GetAuthorizationToken hands out: base64 of `AWS:<account>-auth-token`. */
let ecrPassword: string
let ecrToken: string

beforeAll(async () => {
  stack = await startLocalStack()
  ecrPassword = `${stack.account}-auth-token`
  ecrToken = Buffer.from(`AWS:${ecrPassword}`).toString('base64')
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(async () => {
  repository = `team/token-${++seq}`
  await stack.createRepository(repository)
  await stack.pushImage(repository, 'v2')
  oldImage = `${stack.registryHost()}/${repository}:v1`
  newImage = `${stack.registryHost()}/${repository}:v2`
  stack.runpod.setGraphqlRegistryAuth('available')
})

function deploy(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({
    inputs: { ...stack.deployInputs(repository, 'v2'), 'registry-auth': 'token', ...inputs },
    env: { ...stack.env, ...env }
  })
}

function deployments(run: ActionRun): { id: string; status: string }[] {
  return JSON.parse(run.outputs['deployments'] ?? '[]') as { id: string; status: string }[]
}

/** Requests since `from` that could change something, as `METHOD path` plus the body where it matters. */
function writesSince(from: number): { call: string; body: unknown }[] {
  // Targets are patched concurrently: sorted, so that their order of arrival does not matter.
  const rank = (call: string) =>
    ['POST /graphql', 'POST /v2/registries', 'PATCH', 'DELETE'].findIndex((prefix) => call.startsWith(prefix))
  return stack.runpod.requests
    .slice(from)
    .filter((request) => request.method !== 'GET')
    .map((request) => ({ call: `${request.method} ${request.path}`, body: request.body }))
    .sort((a, b) => rank(a.call) - rank(b.call) || a.call.localeCompare(b.call))
}

function family(name: string) {
  return stack.runpod.registries.filter((registry) => registry.name === name || registry.name.startsWith(`${name}-`))
}

describe('registry-auth: token', () => {
  it('creates the credential and points the targets at it; a scheduled re-run refreshes it in place and touches no target', async () => {
    stack.runpod.addPod({ id: 'pod-create', image: oldImage, pollsToStart: 1 })
    stack.runpod.addEndpoint({ id: 'ep-create', image: oldImage, workers: 1 })
    const targets = { 'pod-id': 'pod-create', 'endpoint-id': 'ep-create' }
    const from = stack.runpod.requests.length

    const first = await deploy(targets)
    expect(first.exitCode).toBe(0)
    const name = `ecr-${stack.account}-${stack.region}`
    const [credential] = family(name)
    if (!credential) throw new Error(`no credential ${name} was created`)
    expect(family(name)).toHaveLength(1)
    expect(credential).toMatchObject({ name, username: 'AWS', password: ecrPassword })
    expect(first.outputs['registry-id']).toBe(credential.id)
    // One PATCH per target, carrying the image and the credential together; no policy, no delegation.
    expect(writesSince(from)).toEqual([
      { call: 'POST /v2/registries', body: { name, username: 'AWS', password: ecrPassword } },
      { call: 'PATCH /v2/pods/pod-create', body: { image: newImage, registry: credential.id } },
      { call: 'PATCH /v2/serverless/ep-create', body: { image: newImage, registry: credential.id } }
    ])
    expect(deployments(first).map((d) => d.status)).toEqual(['rolled-out', 'rolled-out'])
    expect(await stack.policy(repository)).toBeUndefined()
    expect(first.summary).toContain(`created: ${credential.id} (${name})`)

    credential.password = 'an-expired-token'
    const startedAt = stack.runpod.pod('pod-create').startedAt
    const again = stack.runpod.requests.length
    const second = await deploy(targets)
    expect(second.exitCode).toBe(0)
    expect(writesSince(again).map((write) => write.call)).toEqual(['POST /graphql'])
    expect(credential).toMatchObject({ password: ecrPassword, updates: 1 })
    expect(second.outputs['registry-id']).toBe(credential.id)
    expect(deployments(second).map((d) => d.status)).toEqual(['unchanged', 'unchanged'])
    expect(stack.runpod.pod('pod-create').startedAt).toBe(startedAt)
    expect(second.summary).toContain(`refreshed in place: ${credential.id}`)
  })

  it('rotates when GraphQL is retired: new credential in the same PATCH as the image, unused older ones deleted, a running pod left alone', async () => {
    stack.runpod.setGraphqlRegistryAuth('gone')
    const oldest = stack.runpod.addRegistry({ name: 'rot' })
    const current = stack.runpod.addRegistry({ name: 'rot-20250101000000' })
    stack.runpod.addPod({ id: 'pod-rot', image: oldImage, registry: current.id, pollsToStart: 1 })
    stack.runpod.addEndpoint({ id: 'ep-rot', image: newImage, registry: current.id, workers: 1 })
    stack.runpod.addPod({ id: 'pod-kept', image: newImage, registry: current.id })
    const from = stack.runpod.requests.length

    const run = await deploy({
      'pod-id': 'pod-rot\npod-kept',
      'endpoint-id': 'ep-rot',
      'registry-credential-name': 'rot'
    })
    expect(run.exitCode).toBe(0)
    const rotated = family('rot').find((registry) => /^rot-\d{14}$/.test(registry.name) && registry.id !== current.id)
    expect(rotated).toMatchObject({ username: 'AWS', password: ecrPassword })
    expect(run.outputs['registry-id']).toBe(rotated?.id)
    expect(writesSince(from).map((write) => write.call)).toEqual([
      'POST /graphql',
      'POST /v2/registries',
      'PATCH /v2/pods/pod-rot',
      'PATCH /v2/serverless/ep-rot',
      `DELETE /v2/registries/${oldest.id}`
    ])
    const patches = writesSince(from).filter((write) => write.call.startsWith('PATCH'))
    expect(patches.map((patch) => patch.body)).toEqual([
      { image: newImage, registry: rotated?.id },
      { image: newImage, registry: rotated?.id }
    ])
    expect(stack.runpod.pod('pod-kept').registry).toBe(current.id)
    expect(family('rot').map((registry) => registry.id)).toEqual([current.id, rotated?.id])
    expect(run.stdout).toMatch(/::warning::pod pod-kept: Already runs the image but uses registry credential/)
    expect(run.summary).toContain(`rotated: created ${rotated?.id}`)
    expect(run.summary).toContain(`deleted ${oldest.id} (rot)`)
  })

  it('keeps an older credential that a pod still uses, and says so', async () => {
    stack.runpod.setGraphqlRegistryAuth('unknown-field')
    const used = stack.runpod.addRegistry({ name: 'inuse' })
    stack.runpod.addPod({ id: 'pod-elsewhere', image: 'someone/else:v1', registry: used.id })
    stack.runpod.addPod({ id: 'pod-inuse', image: oldImage, pollsToStart: 1 })

    const run = await deploy({ 'pod-id': 'pod-inuse', 'registry-credential-name': 'inuse' })
    expect(run.exitCode).toBe(0)
    const rotated = family('inuse').find((registry) => registry.id !== used.id)
    expect(stack.runpod.pod('pod-inuse')).toMatchObject({ image: newImage, registry: rotated?.id })
    expect(family('inuse').map((registry) => registry.id)).toEqual([used.id, rotated?.id])
    expect(run.stdout).toContain(`Kept the older registry credential ${used.id} (inuse): still in use`)
    expect(run.stdout).toContain('pod-elsewhere')
    expect(run.summary).toContain(`kept ${used.id} (inuse): still in use`)
  })

  it('creates exactly one credential when the response to the POST is lost', async () => {
    stack.runpod.addFault({ kind: 'lose-response', method: 'POST', path: '/v2/registries' })
    stack.runpod.addPod({ id: 'pod-lost', image: oldImage, pollsToStart: 1 })
    const from = stack.runpod.requests.length

    const run = await deploy({ 'pod-id': 'pod-lost', 'registry-credential-name': 'lost' })
    expect(run.exitCode).toBe(0)
    expect(family('lost')).toHaveLength(1)
    expect(run.outputs['registry-id']).toBe(family('lost')[0]?.id)
    expect(writesSince(from).filter((write) => write.call === 'POST /v2/registries')).toHaveLength(1)
    expect(run.stdout).toContain('although the response to the request was lost')
  })

  it('in verify mode says what it would do and changes nothing', async () => {
    const current = stack.runpod.addRegistry({ name: 'verify' })
    stack.runpod.addPod({ id: 'pod-verify', image: oldImage, registry: current.id })
    const from = stack.runpod.requests.length

    const run = await deploy({ 'pod-id': 'pod-verify', 'registry-credential-name': 'verify', mode: 'verify' })
    expect(run.exitCode).toBe(0)
    expect(writesSince(from)).toEqual([])
    expect(current.updates).toBe(0)
    expect(run.outputs['registry-id']).toBe(current.id)
    expect(run.summary).toContain(`plan: refresh ${current.id} (verify) in place`)
    expect(deployments(run).map((d) => d.status)).toEqual(['planned'])
  })

  it('never prints the ECR token, even with step debug logging on', async () => {
    stack.runpod.addPod({ id: 'pod-secret', image: oldImage, pollsToStart: 1 })
    const run = await deploy(
      { 'pod-id': 'pod-secret', 'registry-credential-name': 'secret' },
      { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' }
    )
    expect(run.exitCode).toBe(0)
    expect(family('secret')[0]?.password).toBe(ecrPassword)
    const masked = [...run.stdout.matchAll(/^::add-mask::(.+)$/gm)].map((match) => match[1] ?? '')
    expect(masked).toEqual(expect.arrayContaining([ecrToken, ecrPassword]))
    const visible = (`${run.stdout}\n${run.stderr}` + run.summary + JSON.stringify(run.outputs)).replace(
      /^::add-mask::.*$/gm,
      ''
    )
    expect(visible).toContain('::debug::')
    for (const secret of [ecrToken, ecrPassword]) expect(visible).not.toContain(secret)
  })
})
