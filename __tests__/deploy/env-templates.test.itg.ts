// Settings travel with the image, end to end: `env` merged into each target's env and sent in the same PATCH
// as the image (one restart, one release), restored by a rollback, never printed; and Runpod templates kept in
// step (`template-id`), restored when a target fails, a public one refused before any write.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'

let stack: LocalStack
let seq = 0
let repository: string
let started: number

beforeAll(async () => {
  stack = await startLocalStack()
})

afterAll(async () => {
  await stack?.stop()
})

beforeEach(async () => {
  repository = `team/env-${++seq}`
  await stack.createRepository(repository)
  await stack.pushImage(repository, 'v2')
  started = Date.now()
})

interface Deployment {
  kind: string
  id: string
  status: string
  previousImage: string
  image: string
  env?: { added: string[]; changed: string[]; removed: string[] }
  placement?: unknown
}

const oldImage = () => `${stack.registryHost()}/${repository}:v1`
const newImage = () => `${stack.registryHost()}/${repository}:v2`
const deployments = (run: ActionRun) => JSON.parse(run.outputs['deployments'] ?? '[]') as Deployment[]
const writes = () => stack.runpod.writes().filter((request) => request.time.getTime() >= started)
/** This test's updates of pods, endpoints and templates (the delegation a first deploy creates left out). */
const patches = () => writes().filter((request) => request.method === 'PATCH')
const logOf = (run: ActionRun) => `${run.stdout}\n${run.stderr}`

/** Everything a person or a later step could see: the log as the runner shows it, the summary, the outputs. */
const visible = (run: ActionRun) =>
  (`${run.stdout}\n${run.stderr}` + run.summary + JSON.stringify(run.outputs)).replace(/^::add-mask::.*$/gm, '')

function deploy(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({ inputs: { ...stack.deployInputs(repository, 'v2'), ...inputs }, env: { ...stack.env, ...env } })
}

const RUNPOD_TOKEN = 'hf_runpod_console_pasted_0123456789'
const LITERAL = 'rev-2026-12-01-literal'

describe('env with the image', () => {
  it('goes in the same PATCH as the image: merged, one restart and one release, key names only in the outputs', async () => {
    const pod = `pod-env-${seq}`
    const endpoint = `ep-env-${seq}`
    const before = { KEEP: 'kept-value', HF_TOKEN: RUNPOD_TOKEN, OLD_FLAG: '1', MODEL_REVISION: 'rev-2026-11' }
    stack.runpod.addPod({ id: pod, image: oldImage(), pollsToStart: 1, env: before })
    stack.runpod.addEndpoint({ id: endpoint, image: oldImage(), workers: 1, env: before })
    const versionBefore = stack.runpod.endpoint(endpoint).version
    const run = await deploy({
      'pod-id': pod,
      'endpoint-id': endpoint,
      env: `MODEL_REVISION=${LITERAL}\nNEW_SETTING=on\n-OLD_FLAG\n-NOT_THERE`
    })
    expect(logOf(run)).not.toContain('::error::')
    expect(run.exitCode).toBe(0)
    const after = { KEEP: 'kept-value', HF_TOKEN: RUNPOD_TOKEN, MODEL_REVISION: LITERAL, NEW_SETTING: 'on' }
    // One PATCH each, the image and the whole merged env together.
    expect(patches().map((request) => [request.path, request.body])).toEqual(
      expect.arrayContaining([
        [`/v2/pods/${pod}`, { image: newImage(), env: after }],
        [`/v2/serverless/${endpoint}`, { image: newImage(), env: after }]
      ])
    )
    expect(patches()).toHaveLength(2)
    expect(stack.runpod.pod(pod).env).toEqual(after)
    expect(stack.runpod.endpoint(endpoint).version).toBe(versionBefore + 1)
    const diff = { added: ['NEW_SETTING'], changed: ['MODEL_REVISION'], removed: ['OLD_FLAG'] }
    expect(deployments(run)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'pod', id: pod, status: 'rolled-out', env: diff }),
        expect.objectContaining({ kind: 'endpoint', id: endpoint, status: 'rolled-out', env: diff })
      ])
    )
    expect(run.summary).toContain('added NEW_SETTING; changed MODEL_REVISION; removed OLD_FLAG')

    // A rerun finds image and env in place: nothing is sent.
    const writesBefore = writes().length
    const again = await deploy({
      'pod-id': pod,
      'endpoint-id': endpoint,
      env: `MODEL_REVISION=${LITERAL}\nNEW_SETTING=on\n-OLD_FLAG\n-NOT_THERE`
    })
    expect(again.exitCode).toBe(0)
    expect(writes()).toHaveLength(writesBefore)
    expect(deployments(again).map((entry) => entry.status)).toEqual(['unchanged', 'unchanged'])
  })

  it('an env-only change is a rollout of its own: the pod restarts and is waited for', async () => {
    const pod = `pod-env-only-${seq}`
    stack.runpod.addPod({ id: pod, image: newImage(), pollsToStart: 1, env: { MODEL_REVISION: 'rev-2026-11' } })
    const startedBefore = stack.runpod.pod(pod).startedAt
    const run = await deploy({ 'pod-id': pod, env: `MODEL_REVISION=${LITERAL}` })
    expect(run.exitCode).toBe(0)
    expect(patches().map((request) => request.body)).toEqual([{ image: newImage(), env: { MODEL_REVISION: LITERAL } }])
    expect(deployments(run)).toEqual([
      expect.objectContaining({
        id: pod,
        status: 'rolled-out',
        env: { added: [], changed: ['MODEL_REVISION'], removed: [] }
      })
    ])
    expect(stack.runpod.pod(pod).startedAt).not.toBe(startedBefore)
  })

  it('a rollback restores the image and the env in one PATCH', async () => {
    const pod = `pod-env-back-${seq}`
    const before = { MODEL_REVISION: 'rev-2026-11' }
    stack.runpod.addPod({ id: pod, image: oldImage(), pollsToStart: 1, env: before, rollout: 'fail' })
    const run = await deploy({ 'pod-id': pod, env: `MODEL_REVISION=${LITERAL}` })
    expect(run.exitCode).toBe(1)
    expect(deployments(run)).toEqual([expect.objectContaining({ id: pod, status: 'rolled-back' })])
    expect(patches().map((request) => request.body)).toEqual([
      { image: newImage(), env: { MODEL_REVISION: LITERAL } },
      { image: oldImage(), env: before }
    ])
    expect(stack.runpod.pod(pod)).toMatchObject({ image: oldImage(), env: before })
  })

  it('never shows a value, from the input or from Runpod, even with step debug logging on', async () => {
    const pod = `pod-env-secret-${seq}`
    stack.runpod.addPod({ id: pod, image: oldImage(), pollsToStart: 1, env: { HF_TOKEN: RUNPOD_TOKEN } })
    const run = await deploy(
      { 'pod-id': pod, env: `API_KEY=${LITERAL}\nMODEL_REVISION=${LITERAL}-2` },
      { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' }
    )
    expect(run.exitCode).toBe(0)
    const masked = [...run.stdout.matchAll(/^::add-mask::(.+)$/gm)].map((match) => match[1] ?? '')
    expect(masked).toEqual(expect.arrayContaining([LITERAL, `${LITERAL}-2`, RUNPOD_TOKEN]))
    const shown = visible(run)
    expect(shown).toContain('::debug::')
    for (const value of [LITERAL, RUNPOD_TOKEN]) expect(shown).not.toContain(value)
    // The literal value under a key that names a secret: a warning that names the key, not the value.
    expect(run.stdout).toContain("::warning::Input 'env' sets API_KEY to a literal value")
    expect(run.summary).toContain('added API_KEY, MODEL_REVISION')
  })

  it('refuses, before any write, to replace an env Runpod did not report', async () => {
    const pod = `pod-env-unknown-${seq}`
    stack.runpod.addPod({ id: pod, image: oldImage(), pollsToStart: 1, omitEnv: true })
    const run = await deploy({ 'pod-id': pod, env: 'A=1' })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toContain(
      `Input 'env' is set, but Runpod's answer for pod ${pod} (input 'pod-id') carries no env object`
    )
    expect(writes()).toEqual([])
    expect(await stack.policy(repository)).toBeUndefined()
  })

  it('names a bad line by its number, never by its value', async () => {
    const run = await deploy({ 'pod-id': 'any', env: `GOOD=1\n\nBAD LINE ${LITERAL}` })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toContain("Input 'env', line 3, is not KEY=VALUE or -KEY")
    expect(visible(run)).not.toContain(LITERAL)
    expect(stack.runpod.requests.filter((request) => request.time.getTime() >= started)).toEqual([])
  })
})

describe('templates kept in step', () => {
  it('a template is updated with the image and the env, and verify mode plans it', async () => {
    const template = `tpl-${seq}`
    stack.runpod.addTemplate({ id: template, image: oldImage(), env: { KEEP: 'x' } })
    const planned = await deploy({ 'template-id': template, env: 'NEW_SETTING=on', mode: 'verify' })
    expect(planned.exitCode).toBe(0)
    expect(deployments(planned)).toEqual([
      expect.objectContaining({ kind: 'template', id: template, status: 'planned', env: expect.anything() })
    ])
    expect(planned.summary).toContain('template')
    expect(writes()).toEqual([])
    const run = await deploy({ 'template-id': template, env: 'NEW_SETTING=on' })
    expect(run.exitCode).toBe(0)
    expect(patches().map((request) => [request.path, request.body])).toEqual([
      [`/v2/templates/${template}`, { image: newImage(), env: { KEEP: 'x', NEW_SETTING: 'on' } }]
    ])
    expect(deployments(run)).toEqual([
      {
        kind: 'template',
        id: template,
        previousImage: oldImage(),
        image: newImage(),
        status: 'updated',
        env: { added: ['NEW_SETTING'], changed: [], removed: [] }
      }
    ])
    const again = await deploy({ 'template-id': template, env: 'NEW_SETTING=on' })
    expect(deployments(again).map((entry) => entry.status)).toEqual(['unchanged'])
  })

  it('restores the template when a target of the run does not roll out', async () => {
    const template = `tpl-back-${seq}`
    const endpoint = `ep-tpl-${seq}`
    stack.runpod.addTemplate({ id: template, image: oldImage(), env: { KEEP: 'x' } })
    stack.runpod.addEndpoint({ id: endpoint, image: oldImage(), workers: 1, rollout: 'fail' })
    const run = await deploy({ 'template-id': template, 'endpoint-id': endpoint, env: 'NEW_SETTING=on' })
    expect(run.exitCode).toBe(1)
    expect(deployments(run)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'endpoint', id: endpoint, status: 'rolled-back' }),
        expect.objectContaining({ kind: 'template', id: template, status: 'rolled-back' })
      ])
    )
    expect(stack.runpod.template(template)).toMatchObject({ image: oldImage(), env: { KEEP: 'x' } })
  })

  it('narrows a template’s allowed CUDA versions to the image’s floor, and warns for one with none', async () => {
    await stack.pushImage(repository, 'v2', { env: ['NVIDIA_REQUIRE_CUDA=cuda>=12.8'] })
    const narrowed = `tpl-cuda-${seq}`
    const open = `tpl-open-${seq}`
    stack.runpod.addTemplate({ id: narrowed, image: oldImage(), allowedCudaVersions: ['12.4', '12.8', '12.9'] })
    stack.runpod.addTemplate({ id: open, image: oldImage() })
    const run = await deploy({ 'template-id': `${narrowed}\n${open}` })
    expect(run.exitCode).toBe(0)
    expect(stack.runpod.template(narrowed).allowedCudaVersions).toEqual(['12.8', '12.9'])
    expect(stack.runpod.template(open).allowedCudaVersions).toEqual([])
    expect(run.stdout).toContain(`::warning::template ${open} (input 'template-id') allows any CUDA version`)
    expect(deployments(run)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: narrowed,
          placement: {
            before: { allowedCudaVersions: ['12.4', '12.8', '12.9'] },
            after: { allowedCudaVersions: ['12.8', '12.9'] }
          }
        })
      ])
    )
  })

  it('refuses a public template the key does not own, before any write', async () => {
    const template = `tpl-public-${seq}`
    stack.runpod.addTemplate({ id: template, image: 'runpod/pytorch:2.8', owned: false })
    stack.runpod.addPod({ id: `pod-tpl-${seq}`, image: oldImage(), pollsToStart: 1 })
    const run = await deploy({ 'template-id': template, 'pod-id': `pod-tpl-${seq}` })
    expect(run.exitCode).toBe(1)
    expect(logOf(run)).toContain(
      `Template ${template} (input 'template-id') is a public template of Runpod's catalog the API key does not own`
    )
    expect(writes()).toEqual([])
    expect(await stack.policy(repository)).toBeUndefined()
  })
})
