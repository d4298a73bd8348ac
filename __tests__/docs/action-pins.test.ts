// Every `uses:` a reader copies (README, docs, examples) or the project runs (.github/workflows) pins the current major
// that docs/action-pins.md lists; a pin older than that, or of an action the table does not know, fails here.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const table = new Map(
  [...readFileSync('docs/action-pins.md', 'utf8').matchAll(/^\| `([^`]+)` \| v(\d+) \|/gm)].map(
    (match) => [match[1] ?? '', Number(match[2])] as const
  )
)

function filesUnder(dir: string, extension: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && extension.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
}

const files = [
  'README.md',
  ...filesUnder('docs', /\.md$/),
  ...filesUnder('.github/workflows', /\.ya?ml$/),
  ...filesUnder('examples/workflows', /\.ya?ml$/)
]

interface Pin {
  readonly file: string
  readonly action: string
  readonly ref: string
  /** The release a commit SHA pin names in its comment (`@<SHA> # v7.0.1`). */
  readonly comment?: string
}

const pins: Pin[] = files.flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/uses:\s*([^\s@#`]+)@([^\s#`]+)(?:[ \t]+#[ \t]*(\S+))?/g)].map((match) => ({
    file,
    action: match[1] ?? '',
    ref: match[2] ?? '',
    ...(match[3] ? { comment: match[3] } : {})
  }))
)

describe('action pins', () => {
  it('the table lists the majors named in the issue that introduced it', () => {
    expect(table.get('actions/checkout')).toBe(7)
    expect(table.get('aws-actions/configure-aws-credentials')).toBe(6)
    expect(table.get('github/codeql-action/upload-sarif')).toBe(4)
  })

  it('finds the pins of the README, the docs and the workflows', () => {
    expect(pins.filter((pin) => pin.file === 'README.md').length).toBeGreaterThan(5)
    expect(pins.some((pin) => pin.file.startsWith('.github'))).toBe(true)
  })

  it.each(files)('%s pins every action on its current major', (file) => {
    for (const pin of pins.filter((candidate) => candidate.file === file)) {
      const current = table.get(pin.action)
      const where = `${pin.file}: uses: ${pin.action}@${pin.ref}`
      expect({ where, listed: current !== undefined }).toEqual({ where, listed: true })
      // A full commit SHA tells its release in the comment beside it.
      const version = /^[0-9a-f]{40}$/.test(pin.ref) ? pin.comment : pin.ref
      const major = /^v(\d+)(\.\d+){0,2}$/.exec(version ?? '')?.[1]
      expect({ where, major: Number(major) }).toEqual({ where, major: current })
    }
  })
})
