// The files a user checks before trusting an action: the licence package.json names, how to report a
// vulnerability, how to contribute, and the update and analysis set-up of the repository.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

describe('repository files', () => {
  it('LICENSE is the MIT licence that package.json declares', () => {
    expect((JSON.parse(readFileSync('package.json', 'utf8')) as { license: string }).license).toBe('MIT')
    expect(readFileSync('LICENSE', 'utf8')).toMatch(/^MIT License\n/)
  })

  it('SECURITY.md says how to report privately and what the action treats as data', () => {
    const security = readFileSync('SECURITY.md', 'utf8')
    expect(security).toContain('## Reporting a vulnerability')
    expect(security).toContain('## What the action trusts, and what it treats as data')
    expect(readFileSync('README.md', 'utf8')).toContain('[SECURITY.md](SECURITY.md)')
  })

  it('CONTRIBUTING.md gives the two commands of the README', () => {
    const contributing = readFileSync('CONTRIBUTING.md', 'utf8')
    expect(contributing).toContain('npm ci && npm run demo')
    expect(contributing).toContain('npm test')
  })

  it('Dependabot updates npm and the actions, grouped, after a cooldown', () => {
    const config = parse(readFileSync('.github/dependabot.yml', 'utf8')) as {
      updates: { 'package-ecosystem': string; cooldown?: object; groups?: Record<string, object> }[]
    }
    expect(config.updates.map((update) => update['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
    for (const update of config.updates) {
      expect(update.cooldown).toBeDefined()
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0)
    }
    const npm = config.updates.find((update) => update['package-ecosystem'] === 'npm')
    expect(Object.keys(npm?.groups ?? {}).sort()).toEqual(['aws-sdk', 'dev-tools', 'toolkit'])
  })
})
