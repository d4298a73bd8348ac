// A lint's start-up is what it loads. The bench times it (`npm run bench -- cold`); this test keeps what made
// it fast from coming back: no stream or network stack (the log is written to descriptor 1), no fs.promises,
// and of dist/ only the lint's own code, a small part of it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DIST_ENTRY, runAction } from '../../test-support/run-action.js'

const RECORDER = path.resolve('test-support/load-recorder.mjs')
/** What the runner's pipe would have cost to write through process.stdout, and what fs.promises brings. */
const HEAVY_BUILTINS = [
  'net',
  'stream',
  'fs/promises',
  'internal/readline/interface',
  'http',
  'https',
  'crypto',
  'child_process',
  'zlib',
  'worker_threads'
]
/** The lint's code in dist/ is ~85 KiB; the AWS SDK's chunk alone is 400 KiB. */
const LINT_DIST_BUDGET = 100 * 1024

interface LoadRecord {
  readonly builtins: string[]
  readonly files: string[]
  readonly stdoutNonBlocking: boolean
}

describe('what a lint loads, and how a run writes its log (bundled action)', () => {
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rpd-start-up-'))
  })

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('loads no stream, network or fs.promises module, and of dist/ only the lint code', async () => {
    const record = path.join(dir, 'loads.json')
    const run = await runAction({
      inputs: { mode: 'lint', 'policy-file': 'examples/policies/public.json' },
      env: { NODE_OPTIONS: `--import=${RECORDER}`, LOAD_RECORD_FILE: record }
    })
    expect(run.stdout).toContain('::error title=RPD002,file=examples/policies/public.json')
    expect(run.exitCode).toBe(1)

    const { builtins, files, stdoutNonBlocking } = JSON.parse(await readFile(record, 'utf8')) as LoadRecord
    expect(stdoutNonBlocking).toBe(false)
    const loaded = builtins.filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice(13))
    expect(loaded).toContain('os') // the recorder sees what the action loads
    expect(loaded.filter((name) => HEAVY_BUILTINS.includes(name))).toEqual([])

    const distDir = path.dirname(DIST_ENTRY)
    const distFiles = files
      .filter((url) => url.startsWith('file:'))
      .map((url) => fileURLToPath(url))
      .filter((file) => path.dirname(file) === distDir)
    expect(distFiles).toContain(DIST_ENTRY)
    const sizes = await Promise.all(
      distFiles.map(async (file) => [path.basename(file), (await stat(file)).size] as const)
    )
    const total = sizes.reduce((sum, [, size]) => sum + size, 0)
    expect({ total: total <= LINT_DIST_BUDGET, sizes }).toEqual({ total: true, sizes })
  })
  // The other side of writing the log to descriptor 1: a deploy, which waits on timers and signals, must not
  // block on a pipe the runner is slow to read, so it opens process.stdout, which makes the pipe non-blocking.
  it('leaves the pipe as it came, where a deploy makes it non-blocking', async () => {
    const record = path.join(dir, 'deploy-loads.json')
    const run = await runAction({
      inputs: {
        image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/team/worker:v1',
        'role-to-assume': 'arn:aws:iam::111122223333:role/github-runpod-deploy',
        'runpod-api-key': 'rpa_start_up',
        'pod-id': 'pod-1'
      },
      // No OIDC token endpoint: the deploy stops at its first step, having set up its log.
      env: { NODE_OPTIONS: `--import=${RECORDER}`, LOAD_RECORD_FILE: record }
    })
    expect(run.exitCode).toBe(1)
    expect((JSON.parse(await readFile(record, 'utf8')) as LoadRecord).stdoutNonBlocking).toBe(true)
  })
})
