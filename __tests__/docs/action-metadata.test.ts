import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

interface ActionMetadata {
  runs: { using: string; main: string }
  inputs: Record<string, { default?: string }>
  outputs: Record<string, unknown>
}

const metadata = parse(readFileSync('action.yml', 'utf8')) as ActionMetadata
const readme = readFileSync('README.md', 'utf8')

function tableNames(heading: string): string[] {
  const section = readme.split(`## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
  return [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((match) => match[1] ?? '')
}

describe('action.yml', () => {
  it('runs the bundled entry point on node24', () => {
    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  it('is documented input by input and output by output in the README', () => {
    expect(tableNames('Inputs')).toEqual(Object.keys(metadata.inputs))
    expect(tableNames('Outputs')).toEqual(Object.keys(metadata.outputs))
  })

  it('declares the defaults the README and SPEC promise', () => {
    const defaults = Object.fromEntries(Object.entries(metadata.inputs).map(([name, input]) => [name, input.default]))
    expect(defaults).toMatchObject({
      mode: 'deploy',
      'runpod-api-url': 'https://api.runpod.io',
      'registry-auth': 'delegation',
      'role-session-name': 'runpod-ecr-deploy',
      audience: 'sts.amazonaws.com',
      'pin-digest': 'false',
      wait: 'true',
      'wait-timeout': '900',
      rollback: 'true',
      'fail-on': 'error'
    })
  })
})
