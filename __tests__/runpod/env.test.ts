// The `env` input and the env it makes, pure: lines as the SPEC reads them, errors that name a line and never a
// value, and the merge Runpod's whole-object replace needs.
import { describe, expect, it } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import { planTargets, planTemplates } from '../../src/deploy/plan.js'
import {
  applyEnvChange,
  describeEnvDiff,
  isSecretReference,
  looksLikeSecretKey,
  parseEnvInput
} from '../../src/runpod/env.js'
import type { TargetState } from '../../src/runpod/targets.js'

describe('parseEnvInput', () => {
  it('reads KEY=VALUE (everything after the first =, empty allowed), -KEY, and skips blank lines', () => {
    const change = parseEnvInput('A=1\n\nB=x=y\nC=\n-D\n  E = spaced value ')
    expect([...change.set]).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
      ['C', ''],
      ['E', ' spaced value ']
    ])
    expect([...change.remove]).toEqual(['D'])
  })

  it('passes a Runpod secret reference as written', () => {
    expect(parseEnvInput('HF_TOKEN={{ RUNPOD_SECRET_hf }}').set.get('HF_TOKEN')).toBe('{{ RUNPOD_SECRET_hf }}')
    expect(isSecretReference('{{ RUNPOD_SECRET_hf }}')).toBe(true)
    expect(isSecretReference('prefix {{ RUNPOD_SECRET_hf }}')).toBe(false)
  })

  it.each([
    ['no equals sign', 'GOOD=1\nsecret-value-here', 2],
    ['a key starting with a digit', '1KEY=secret-value-here', 1],
    ['a removal with a value', '\n\n-KEY=secret-value-here', 3],
    ['a key with a dash', 'MY-KEY=secret-value-here', 1]
  ])('names the line of %s, never its value', (_name, raw, line) => {
    expect(() => parseEnvInput(raw)).toThrow(ActionError)
    try {
      parseEnvInput(raw)
    } catch (error) {
      expect((error as Error).message).toContain(`line ${line},`)
      expect((error as Error).message).not.toContain('secret-value-here')
    }
  })

  it('refuses a key given twice, naming both lines', () => {
    expect(() => parseEnvInput('A=1\n-B\nA=2')).toThrow(/names A twice, on lines 1 and 3/)
    expect(() => parseEnvInput('A=1\n-A')).toThrow(/names A twice/)
  })
})

describe('applyEnvChange', () => {
  it('sets over what Runpod reports, removes only what is there, and says which keys changed', () => {
    const { env, diff } = applyEnvChange(
      { KEEP: 'k', CHANGE: 'old', SAME: 's', DROP: 'd' },
      parseEnvInput('CHANGE=new\nSAME=s\nADD=a\n-DROP\n-ABSENT')
    )
    expect(env).toEqual({ KEEP: 'k', CHANGE: 'new', SAME: 's', ADD: 'a' })
    expect(diff).toEqual({ added: ['ADD'], changed: ['CHANGE'], removed: ['DROP'] })
    expect(describeEnvDiff(diff)).toBe('added ADD; changed CHANGE; removed DROP')
  })

  it.each([
    ['HF_TOKEN', true],
    ['API_KEY', true],
    ['OPENAI_APIKEY', true],
    ['DB_PASSWORD', true],
    ['AWS_CREDENTIALS', true],
    ['MODEL_REVISION', false],
    ['KEYBOARD', false],
    ['TOKENIZER', false]
  ])('%s names a secret: %s', (key, secret) => {
    expect(looksLikeSecretKey(key)).toBe(secret)
  })
})

describe('planning with env', () => {
  const pod = (env: Record<string, string> | null, image = 'repo:v1'): TargetState => ({
    kind: 'pod',
    id: 'p1',
    name: 'p',
    image,
    env
  })

  it('patches a target whose env changes even when it runs the image, and leaves one that matches', () => {
    const change = parseEnvInput('A=1')
    expect(planTargets([pod({ A: '0' }, 'repo:v2')], 'repo:v2', undefined, change)[0]).toMatchObject({
      change: 'patch',
      env: { after: { A: '1' }, diff: { changed: ['A'] } }
    })
    expect(planTargets([pod({ A: '1' }, 'repo:v2')], 'repo:v2', undefined, change)[0]).toEqual({
      target: pod({ A: '1' }, 'repo:v2'),
      change: 'unchanged'
    })
    // An image change without an env change sends no env.
    expect(planTargets([pod({ A: '1' })], 'repo:v2', undefined, change)[0]).toEqual({
      target: pod({ A: '1' }),
      change: 'patch'
    })
  })

  it('refuses a target or template whose env Runpod did not report, before any write', () => {
    expect(() => planTargets([pod(null)], 'repo:v2', undefined, parseEnvInput('A=1'))).toThrow(/carries no env object/)
    expect(planTargets([pod(null)], 'repo:v2')[0]?.change).toBe('patch')
    const template = { id: 't', name: 't', image: 'repo:v1', registry: null, env: null, allowedCudaVersions: [] }
    expect(() => planTemplates([template], 'repo:v2', parseEnvInput('A=1'), undefined)).toThrow(
      /template t \(input 'template-id'\) carries no env object/
    )
    expect(planTemplates([template], 'repo:v2', undefined, undefined)[0]?.change).toBe('patch')
  })

  it('gives a template the credential in token mode, and leaves one that has image, env and credential', () => {
    const template = { id: 't', name: 't', image: 'repo:v2', registry: 'cred1', env: {}, allowedCudaVersions: [] }
    expect(planTemplates([template], 'repo:v2', undefined, { id: 'cred1' })[0]?.change).toBe('unchanged')
    expect(planTemplates([template], 'repo:v2', undefined, { id: 'cred2' })[0]).toMatchObject({
      change: 'patch',
      credential: 'set'
    })
  })
})
