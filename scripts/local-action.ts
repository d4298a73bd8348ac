// `npm run local-action -- lint|deploy [ENV_FILE]`: runs src/main.ts through GitHub's @github/local-action,
// with the inputs of local-action/lint.env.example or local-action/deploy.env.example (or ENV_FILE). For a
// deploy it first starts the local stand-ins (moto, the Runpod simulator), seeds them, and fills the
// example's __…__ placeholders with their addresses; everything it starts is stopped at the end.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startLocalStack } from '../test-support/local-stack.js'
import { MOTO_DEFAULT_ACCOUNT } from '../test-support/moto-server.js'

const [kind = 'deploy', given] = process.argv.slice(2)
if (kind !== 'lint' && kind !== 'deploy') {
  console.error(`Usage: npm run local-action -- lint|deploy [ENV_FILE] (not '${kind}')`)
  process.exit(2)
}
const envFile = path.resolve(given ?? `local-action/${kind}.env.example`)
const localAction = path.resolve('node_modules/.bin/local-action')

/**
 * Not spawnSync: the stand-ins answer from this process's event loop while the action runs. local-action
 * exits 0 even when the action fails, so a failure is told by the ::error:: line core.setFailed writes.
 */
function runLocalAction(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(localAction, ['run', '.', 'src/main.ts', file], { stdio: ['ignore', 'pipe', 'inherit'] })
    let failed = false
    let pending = ''
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk)
      const lines = (pending + chunk.toString('utf8')).split('\n')
      pending = lines.pop() ?? ''
      if (lines.some((line) => line.startsWith('::error::'))) failed = true
    })
    child.on('error', reject)
    child.on('close', (code) => resolve(failed || pending.startsWith('::error::') ? 1 : (code ?? 1)))
  })
}

if (kind === 'lint') {
  process.exitCode = await runLocalAction(envFile)
} else {
  // Static keys make moto act as its default account, so the repository is seeded there.
  const stack = await startLocalStack({ account: MOTO_DEFAULT_ACCOUNT })
  const scratch = await mkdtemp(path.join(tmpdir(), 'rpd-local-action-'))
  try {
    await stack.createRepository('demo/worker')
    await stack.pushImage('demo/worker', 'v1')
    await stack.pushImage('demo/worker', 'v2')
    const oldImage = `${stack.registryHost()}/demo/worker:v1`
    stack.runpod.addPod({ id: 'local-pod', image: oldImage })
    stack.runpod.addEndpoint({ id: 'local-endpoint', image: oldImage })
    const filled = (await readFile(envFile, 'utf8'))
      .replaceAll('__REGISTRY__', stack.registryHost())
      .replaceAll('__RUNPOD_URL__', stack.runpod.url)
      .replaceAll('__RUNPOD_API_KEY__', stack.runpod.apiKey)
      .replaceAll('__MOTO_URL__', stack.moto.url)
    const file = path.join(scratch, 'deploy.env')
    await writeFile(file, filled)
    process.exitCode = await runLocalAction(file)
    const pod = stack.runpod.pod('local-pod')
    console.log(`\nThe simulator's pod local-pod now runs ${pod.image} (${pod.status}).`)
  } finally {
    await stack.stop()
    await rm(scratch, { recursive: true, force: true })
  }
}
