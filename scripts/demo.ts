// `npm run demo`: the action's main job on this machine, with no accounts. Starts moto (STS, ECR), the
// GitHub OIDC stand-in and the Runpod simulator on loopback, pushes an image, runs the bundled action as
// GitHub would (role-to-assume via OIDC), shows its log and job summary, then runs it again to show that
// a re-run changes nothing. Exits non-zero when the rollout or the idempotent re-run does not happen.
import { styleText } from 'node:util'
import { startLocalStack, type LocalStack } from '../test-support/local-stack.js'
import { runAction, type ActionRun } from '../test-support/run-action.js'
import { renderJobSummary } from './job-summary-text.js'
import type { Style } from './terminal-style.js'
import { renderWorkflowLog } from './workflow-log.js'

const REPOSITORY = 'team/worker'
const OLD_TAG = 'v1'
const NEW_TAG = 'v2'
const POD = 'demo-pod'
const ENDPOINT = 'demo-endpoint'

const style: Style = (format, text) => styleText(format, text)
const width = Math.min(process.stdout.columns ?? 120, 160)

interface Deployment {
  readonly kind: string
  readonly id: string
  readonly previousImage: string
  readonly image: string
  readonly status: string
}

function step(text: string): void {
  console.log(`\n${style(['bold', 'magenta'], `▶ ${text}`)}`)
}

function section(title: string, body: string): void {
  const rule = '─'.repeat(Math.max(4, Math.min(width, 100) - title.length - 4))
  console.log(`\n${style('dim', `── ${title} ${rule}`)}\n${body}`)
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

function deploymentsOf(run: ActionRun): Deployment[] {
  return JSON.parse(run.outputs['deployments'] ?? '[]') as Deployment[]
}

function show(run: ActionRun): void {
  const log =
    renderWorkflowLog(run.stdout, style) + (run.stderr.trim() ? `\n${style('dim', run.stderr.trimEnd())}` : '')
  section('action log (debug lines and masked values hidden, as GitHub shows them)', log)
  section('job summary', renderJobSummary(run.summary, { style, width }))
  const outputs = Object.entries(run.outputs).map(
    ([name, value]) => `${style('bold', name)} = ${readableOutput(value)}`
  )
  section('outputs', outputs.join('\n'))
}

/** JSON array outputs one element a line, so each deployment reads on its own. */
function readableOutput(value: string): string {
  if (!value.startsWith('[')) return value
  const items = JSON.parse(value) as unknown[]
  return items.length === 0 ? '[]' : `[\n${items.map((item) => `  ${JSON.stringify(item)}`).join(',\n')}\n]`
}

/** The action's inputs as a workflow would write them, the key hidden. */
function workflowStep(inputs: Record<string, string>): string {
  const lines = Object.entries(inputs).map(
    ([name, value]) => `    ${name}: ${name === 'runpod-api-key' ? '${{ secrets.RUNPOD_API_KEY }}' : value}`
  )
  return ['- uses: OWNER/runpod-ecr-deploy@v1', '  with:', ...lines].join('\n')
}

function fail(message: string): never {
  throw new Error(message)
}

async function main(stack: LocalStack, signal: AbortSignal): Promise<void> {
  const registry = stack.registryHost()
  const oldImage = `${registry}/${REPOSITORY}:${OLD_TAG}`
  const newImage = `${registry}/${REPOSITORY}:${NEW_TAG}`

  step(
    `Setting up: ECR repository ${REPOSITORY} in account ${stack.account} (${stack.region}) with images :${OLD_TAG} and :${NEW_TAG}`
  )
  await stack.createRepository(REPOSITORY)
  await stack.pushImage(REPOSITORY, OLD_TAG)
  const digest = await stack.pushImage(REPOSITORY, NEW_TAG)
  stack.runpod.addPod({ id: POD, name: 'demo pod', image: oldImage, pollsToStart: 1 })
  stack.runpod.addEndpoint({ id: ENDPOINT, name: 'demo endpoint', image: oldImage, workers: 2 })
  console.log(`  pushed ${newImage} (${digest})`)
  console.log(`  Runpod pod ${POD} and Serverless endpoint ${ENDPOINT} (2 workers) run ${oldImage}`)
  console.log('  the repository has no policy and Runpod has no ECR delegation yet')

  const inputs = { ...stack.deployInputs(REPOSITORY, NEW_TAG), 'pod-id': POD, 'endpoint-id': ENDPOINT }
  step('Running dist/index.js as GitHub would run this step (job with permissions: id-token: write):')
  console.log(style('dim', workflowStep(inputs)))
  const first = await runAction({ inputs, env: stack.env, signal })
  signal.throwIfAborted()
  console.log(`  exit code ${first.exitCode} after ${seconds(first.closedAt - first.spawnedAt)}`)
  show(first)
  const rolledOut = deploymentsOf(first).filter((d) => d.status === 'rolled-out' && d.image === newImage)
  if (
    first.exitCode !== 0 ||
    rolledOut.length !== 2 ||
    stack.runpod.pod(POD).image !== newImage ||
    stack.runpod.endpoint(ENDPOINT).image !== newImage
  ) {
    fail(`the first run did not roll ${newImage} out to ${POD} and ${ENDPOINT} (exit code ${first.exitCode}).`)
  }

  const policyBefore = await stack.policy(REPOSITORY)
  const writesBefore = stack.runpod.writes().length
  const requestsBefore = stack.runpod.requests.length
  step('Running the same step again: a re-run must change nothing')
  const second = await runAction({ inputs, env: stack.env, signal })
  signal.throwIfAborted()
  console.log(`  exit code ${second.exitCode} after ${seconds(second.closedAt - second.spawnedAt)}`)
  show(second)
  const writes = stack.runpod.writes().length - writesBefore
  const unchanged = deploymentsOf(second).every((d) => d.status === 'unchanged')
  const policyKept = (await stack.policy(REPOSITORY)) === policyBefore
  console.log(
    `\n  Runpod requests: ${stack.runpod.requests.length - requestsBefore}, of them writes: ${writes}; repository policy ${policyKept ? 'unchanged' : 'CHANGED'}; targets ${unchanged ? 'unchanged' : 'CHANGED'}; policy-changed=${second.outputs['policy-changed']}`
  )
  if (
    second.exitCode !== 0 ||
    writes !== 0 ||
    !unchanged ||
    !policyKept ||
    second.outputs['policy-changed'] !== 'false'
  ) {
    fail('the second run was not idempotent.')
  }
  step(
    style(
      'green',
      'Done: the first run set up the repository policy and the delegation and rolled the image out; the re-run changed nothing.'
    )
  )
}

const controller = new AbortController()
let stack: LocalStack | undefined
let stopping: Promise<void> | undefined
const stopStack = () => (stopping ??= stack?.stop() ?? Promise.resolve())

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the action and the local services…`)
    controller.abort()
    // moto is stopped by stopStack, or by its own exit hook if it was still starting.
    void stopStack().finally(() => process.exit(130))
  })
}

const started = performance.now()
try {
  step('Starting moto (STS, ECR), the GitHub OIDC stand-in and the Runpod simulator on 127.0.0.1')
  stack = await startLocalStack()
  console.log(
    `  moto ${stack.moto.url}, Runpod simulator ${stack.runpod.url} (${seconds(performance.now() - started)})`
  )
  await main(stack, controller.signal)
} catch (error) {
  if (!controller.signal.aborted) {
    console.error(
      `\n${style(['bold', 'red'], 'Demo failed:')} ${error instanceof Error ? error.message : String(error)}`
    )
    process.exitCode = 1
  }
} finally {
  await stopStack()
  if (!controller.signal.aborted)
    console.log(style('dim', `\nStopped every local service (${seconds(performance.now() - started)} in all).`))
}
