// The workflow check of `npm run lint` passes the project's files and fails a broken workflow or action.yml.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

let copy: string

beforeEach(async () => {
  copy = await mkdtemp(path.join(tmpdir(), 'rpd-workflows-'))
  await cp('.github', path.join(copy, '.github'), { recursive: true })
  await cp('action.yml', path.join(copy, 'action.yml'))
})

afterEach(async () => {
  await rm(copy, { recursive: true, force: true })
})

function validate(root: string) {
  return spawnSync(path.resolve('node_modules/.bin/tsx'), ['scripts/validate-workflows.ts', root], { encoding: 'utf8' })
}

describe('scripts/validate-workflows.ts', () => {
  it("passes the project's workflows and action.yml", () => {
    const run = validate(copy)
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/action-validator: action\.yml ok/)
  })

  it('fails a workflow with an expression on an unknown context property', async () => {
    const file = path.join(copy, '.github/workflows/ci.yml')
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace('- run: npm test', '- run: echo ${{ github.evnt_name }}')
    )
    const run = validate(copy)
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/evnt_name/)
  })

  it('fails a workflow job without runs-on, and an action.yml without a description or on another runtime', async () => {
    const file = path.join(copy, '.github/workflows/ci.yml')
    await writeFile(file, (await readFile(file, 'utf8')).replace('    runs-on: ubuntu-latest\n', ''))
    const action = path.join(copy, 'action.yml')
    await writeFile(
      action,
      (await readFile(action, 'utf8')).replace(/^description: .*\n/m, '').replace('using: node24', 'using: node20')
    )
    const run = validate(copy)
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/action-validator: \.github\/workflows\/ci\.yml is not valid/)
    expect(run.stderr).toMatch(/action-validator: action\.yml is not valid/)
    expect(run.stderr).toMatch(/runs\.using must be node24/)
  })

  it('fails an unpinned third-party action, a pin without its version, a job without permissions and a checkout that keeps the token', async () => {
    const file = path.join(copy, '.github/workflows/ci.yml')
    const original = await readFile(file, 'utf8')
    await writeFile(
      file,
      original
        .replace(/actions\/setup-node@[0-9a-f]{40} # v[\d.]+/, 'actions/setup-node@v7')
        .replace(/(actions\/setup-python@[0-9a-f]{40}) # v[\d.]+/, '$1')
        .replace(/ {4}permissions:\n {6}contents: read\n {4}steps:/, '    steps:')
        .replace('          persist-credentials: false\n', '          fetch-depth: 1\n')
    )
    const run = validate(copy)
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(
      /hardening: .*ci\.yml: job 'test', step 2 \(actions\/setup-node@v7\) is not pinned to a full commit SHA/
    )
    expect(run.stderr).toMatch(/hardening: .*\(actions\/setup-python@[0-9a-f]{40}\) is pinned without its version/)
    expect(run.stderr).toMatch(/hardening: .*ci\.yml: job 'test' has no 'permissions:' of its own/)
    expect(run.stderr).toMatch(/hardening: .*\(actions\/checkout@[0-9a-f]{40}\) keeps the token in \.git\/config/)
  })
})
