import { describe, expect, it } from '@jest/globals'
import { changelogSection, checkPackageVersion, parseReleaseTag } from '../../scripts/release-notes.js'

const CHANGELOG = `# Changelog

## [Unreleased]

- something not yet released

## [1.1.0] - 2026-12-10

### Fixed

- the thing

## [1.0.0] - 2026-12-02

### Added

- everything

[Unreleased]: https://github.com/OWNER/runpod-ecr-deploy/compare/v1.1.0...HEAD
[1.1.0]: https://github.com/OWNER/runpod-ecr-deploy/releases/tag/v1.1.0
`

describe('parseReleaseTag', () => {
  it('moves the major tag for a release and not for a pre-release', () => {
    expect(parseReleaseTag('v1.2.3')).toEqual({ tag: 'v1.2.3', version: '1.2.3', prerelease: false, majorTag: 'v1' })
    expect(parseReleaseTag('v2.0.0-rc.1')).toEqual({ tag: 'v2.0.0-rc.1', version: '2.0.0-rc.1', prerelease: true })
  })

  it.each(['v1', 'v1.2', '1.2.3', 'v01.2.3', 'v1.2.3.4', 'release-1'])('refuses %s, saying the form', (tag) => {
    expect(() => parseReleaseTag(tag)).toThrow(/push a tag of the form vX\.Y\.Z/)
  })
})

describe('changelogSection', () => {
  it('is the section of that version, up to the next one', () => {
    expect(changelogSection(CHANGELOG, '1.1.0')).toBe('### Fixed\n\n- the thing')
  })

  it('stops at the link references after the last section', () => {
    expect(changelogSection(CHANGELOG, '1.0.0')).toBe('### Added\n\n- everything')
  })

  it('says what to add when the version has no section, and does not match a longer version', () => {
    expect(() => changelogSection(CHANGELOG, '1.1')).toThrow(/no section for 1\.1: add '## \[1\.1\] - YYYY-MM-DD'/)
    expect(() => changelogSection(CHANGELOG, '2.0.0')).toThrow(/no section for 2\.0\.0/)
  })

  it('refuses an empty section', () => {
    expect(() => changelogSection('## [3.0.0] - 2027-01-01\n\n## [2.0.0]\n- x\n', '3.0.0')).toThrow(/is empty/)
  })
})

describe('checkPackageVersion', () => {
  it('names both versions and the fix when they differ', () => {
    expect(() => checkPackageVersion(parseReleaseTag('v1.0.1'), '1.0.0')).toThrow(
      /v1\.0\.1 releases 1\.0\.1, but package\.json says 1\.0\.0: set "version": "1\.0\.1"/
    )
    expect(() => checkPackageVersion(parseReleaseTag('v1.0.1'), '1.0.1')).not.toThrow()
  })
})
