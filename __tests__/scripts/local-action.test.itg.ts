// `npm run local-action` drives src/main.ts through GitHub's @github/local-action with the documented
// example env files: a lint, and a deploy against the local stand-ins the script starts.
import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

function localAction(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.resolve('node_modules/.bin/tsx'), ['scripts/local-action.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, output }))
  })
}

describe('npm run local-action', () => {
  it('lints the example policy with local-action/lint.env.example', async () => {
    const run = await localAction('lint')
    expect(run.output).toMatch(/::set-output name=findings::\[\{"rule":"RPD010"/)
    expect(run.output).toMatch(/Policy lint: 0 errors, 0 warnings, 1 note in 1 file/)
    expect(run.code).toBe(0)
  }, 90_000)

  it('fails when the action fails (local-action itself exits 0)', async () => {
    const env = path.join(tmpdir(), `rpd-lint-${process.pid}.env`)
    await writeFile(env, 'INPUT_MODE=lint\nINPUT_POLICY-FILE=nothing-here/*.json\nGITHUB_WORKSPACE=.\n')
    const run = await localAction('lint', env)
    expect(run.output).toMatch(/::error::Input 'policy-file': 'nothing-here\/\*\.json' matches no file/)
    expect(run.code).toBe(1)
  }, 90_000)

  it('deploys to the stand-ins with local-action/deploy.env.example and static keys', async () => {
    const run = await localAction('deploy')
    expect(run.output).toMatch(
      /pod local-pod .*rolled out to \d+\.dkr\.ecr\.us-east-1\.amazonaws\.com\/demo\/worker:v2/
    )
    expect(run.output).toMatch(/endpoint local-endpoint .*rolled out to/)
    expect(run.output).toMatch(/The simulator's pod local-pod now runs .*demo\/worker:v2 \(RUNNING\)/)
    expect(run.code).toBe(0)
  }, 120_000)
})
