// What a release tag means, from its name, package.json and CHANGELOG.md: pure, so the release script's
// decisions are tested without git.

export interface ReleaseTag {
  readonly tag: string
  readonly version: string
  /** `v1` for `v1.2.3`; none for a pre-release, which must not move the tag users pin. */
  readonly majorTag?: string
  readonly prerelease: boolean
}

/** `vX.Y.Z` or `vX.Y.Z-pre`; anything else is not a release tag. */
export function parseReleaseTag(tag: string): ReleaseTag {
  const match = /^v((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?)$/.exec(tag)
  if (!match?.[1]) {
    throw new Error(
      `'${tag}' is not a release tag: push a tag of the form vX.Y.Z (v1.2.3), or vX.Y.Z-rc.1 for a pre-release.`
    )
  }
  const prerelease = match[5] !== undefined
  return { tag, version: match[1], prerelease, ...(prerelease ? {} : { majorTag: `v${match[2]}` }) }
}

/** The body of the `## [version]` section of a Keep a Changelog file, without its heading. */
export function changelogSection(changelog: string, version: string): string {
  const lines = changelog.split('\n')
  const heading = new RegExp(`^## \\[${version.replace(/[.+]/g, '\\$&')}\\](\\s|$)`)
  const start = lines.findIndex((line) => heading.test(line))
  if (start < 0) {
    throw new Error(
      `CHANGELOG.md has no section for ${version}: add '## [${version}] - YYYY-MM-DD' (move the Unreleased entries under it), commit, and tag again.`
    )
  }
  const rest = lines.slice(start + 1)
  const end = rest.findIndex((line) => line.startsWith('## ') || /^\[[^\]]+\]:\s/.test(line))
  const body = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim()
  if (body === '') throw new Error(`CHANGELOG.md's section for ${version} is empty: say what changed, then tag again.`)
  return body
}

/** The tag must release the version package.json declares, so `dist/` and the notes describe the same thing. */
export function checkPackageVersion(release: ReleaseTag, packageVersion: string): void {
  if (packageVersion !== release.version) {
    throw new Error(
      `The tag ${release.tag} releases ${release.version}, but package.json says ${packageVersion}: set "version": "${release.version}" in package.json (npm version ${release.version} --no-git-tag-version), commit, and tag that commit.`
    )
  }
}
