// `tsx scripts/release.ts vX.Y.Z [--notes-file FILE] [--push REMOTE]`, run by .github/workflows/release.yml on
// a pushed tag: checks the tag against package.json and CHANGELOG.md, writes the release notes, and points
// the major tag (v1) at the tag's commit, so `uses: OWNER/runpod-ecr-deploy@v1` gets this release.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { changelogSection, checkPackageVersion, parseReleaseTag } from './release-notes.js'

function git(...args: string[]): string {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name)
  return index < 0 ? undefined : process.argv[index + 1]
}

try {
  const tag = process.argv[2]
  if (tag === undefined || tag.startsWith('--'))
    throw new Error('Usage: tsx scripts/release.ts vX.Y.Z [--notes-file FILE] [--push REMOTE]')
  const release = parseReleaseTag(tag)
  let commit: string
  try {
    commit = git('rev-parse', '--verify', `refs/tags/${tag}^{commit}`)
  } catch {
    throw new Error(
      `There is no tag ${tag} in this repository: create it on the commit to release (git tag ${tag}), then run this again.`
    )
  }
  const show = (file: string) => git('show', `${commit}:${file}`)
  checkPackageVersion(release, (JSON.parse(show('package.json')) as { version: string }).version)
  const notes = changelogSection(show('CHANGELOG.md'), release.version)
  const notesFile = option('--notes-file')
  if (notesFile) writeFileSync(notesFile, `${notes}\n`)
  else console.log(notes)
  if (release.majorTag) {
    git('tag', '--force', '--annotate', release.majorTag, '--message', `${release.majorTag}: latest ${tag}`, commit)
    const remote = option('--push')
    if (remote) git('push', '--force', remote, `refs/tags/${release.majorTag}`)
    console.error(`${release.majorTag} now points at ${tag} (${commit.slice(0, 12)})${remote ? ` on ${remote}` : ''}.`)
  } else {
    console.error(`${tag} is a pre-release: the major tag stays where it is.`)
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
}
