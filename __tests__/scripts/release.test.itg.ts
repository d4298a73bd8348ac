// The release workflow's notes-and-tag step, run as the workflow runs it, against a scratch git repository
// with a bare "origin" to push the major tag to.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

const SCRIPT = path.resolve('scripts/release.ts')
const TSX = path.resolve('node_modules/.bin/tsx')

let dir: string
let work: string
let origin: string

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim()
}

async function commit(version: string, changelog: string): Promise<string> {
  await writeFile(path.join(work, 'package.json'), JSON.stringify({ name: 'scratch', version }))
  await writeFile(path.join(work, 'CHANGELOG.md'), changelog)
  git(work, 'add', '.')
  git(work, 'commit', '--quiet', '--message', `release ${version}`)
  return git(work, 'rev-parse', 'HEAD')
}

function release(...args: string[]) {
  return spawnSync(TSX, [SCRIPT, ...args], { cwd: work, encoding: 'utf8' })
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rpd-release-'))
  work = path.join(dir, 'work')
  origin = path.join(dir, 'origin.git')
  git(dir, 'init', '--quiet', '--bare', origin)
  git(dir, 'init', '--quiet', '--initial-branch', 'main', work)
  git(work, 'config', 'user.name', 'Release Test')
  git(work, 'config', 'user.email', 'release-test@example.com')
  git(work, 'remote', 'add', 'origin', origin)
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const CHANGELOG_010 = '# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-12-02\n\n### Added\n\n- the first release\n'

describe('scripts/release.ts', () => {
  it('a v0.1.0 tag yields its CHANGELOG section as notes and a v0 tag on the same commit, pushed', async () => {
    const head = await commit('0.1.0', CHANGELOG_010)
    git(work, 'tag', 'v0.1.0')
    const notes = path.join(dir, 'notes.md')
    const run = release('v0.1.0', '--notes-file', notes, '--push', 'origin')
    expect(run.stderr).toMatch(/v0 now points at v0\.1\.0/)
    expect(run.status).toBe(0)
    expect(await readFile(notes, 'utf8')).toBe('### Added\n\n- the first release\n')
    expect(git(work, 'rev-parse', 'v0^{commit}')).toBe(head)
    expect(git(origin, 'rev-parse', 'v0^{commit}')).toBe(head)
  })

  it('moves v0 to the next release', async () => {
    await commit('0.1.0', CHANGELOG_010)
    git(work, 'tag', 'v0.1.0')
    expect(release('v0.1.0', '--push', 'origin').status).toBe(0)
    const next = await commit(
      '0.2.0',
      CHANGELOG_010.replace('## [0.1.0]', '## [0.2.0] - 2026-12-09\n\n- more\n\n## [0.1.0]')
    )
    git(work, 'tag', 'v0.2.0')
    const run = release('v0.2.0', '--push', 'origin')
    expect(run.status).toBe(0)
    expect(run.stdout.trim()).toBe('- more')
    expect(git(origin, 'rev-parse', 'v0^{commit}')).toBe(next)
  })

  it('leaves the major tag alone for a pre-release', async () => {
    await commit('1.0.0-rc.1', '## [1.0.0-rc.1] - 2026-12-02\n\n- candidate\n')
    git(work, 'tag', 'v1.0.0-rc.1')
    const run = release('v1.0.0-rc.1')
    expect(run.status).toBe(0)
    expect(run.stderr).toMatch(/pre-release: the major tag stays where it is/)
    expect(git(work, 'tag', '--list')).toBe('v1.0.0-rc.1')
  })

  it('fails, tagging nothing, when package.json or CHANGELOG.md do not match the tag', async () => {
    await commit('0.1.0', CHANGELOG_010)
    git(work, 'tag', 'v0.2.0')
    const mismatch = release('v0.2.0')
    expect(mismatch.status).toBe(1)
    expect(mismatch.stderr).toMatch(/package\.json says 0\.1\.0/)
    await commit('0.2.0', CHANGELOG_010)
    git(work, 'tag', 'v0.2.1')
    expect(release('v0.2.1').stderr).toMatch(/package\.json says 0\.2\.0/)
    git(work, 'tag', '--force', 'v0.2.0')
    const missing = release('v0.2.0')
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/CHANGELOG\.md has no section for 0\.2\.0/)
    expect(git(work, 'tag', '--list', 'v0')).toBe('')
  })

  it('fails when the tag does not exist', async () => {
    await commit('0.1.0', CHANGELOG_010)
    const run = release('v0.1.0')
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/There is no tag v0\.1\.0 in this repository/)
  })
})
