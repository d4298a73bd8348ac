import { describe, expect, it } from '@jest/globals'
import { planTargets } from '../../src/deploy/plan.js'
import {
  credentialFamily,
  defaultCredentialName,
  planCredential,
  rotatedName,
  staleCredentials
} from '../../src/runpod/registries.js'
import type { TargetState } from '../../src/runpod/targets.js'

const NOW = new Date('2026-03-04T05:06:07.890Z')
const reg = (id: string, name: string) => ({ id, name })

describe('registry credential names', () => {
  it('defaults to ecr-ACCOUNT-REGION and rotates to NAME-YYYYMMDDHHMMSS (UTC)', () => {
    expect(defaultCredentialName({ account: '111122223333', region: 'eu-west-1' })).toBe('ecr-111122223333-eu-west-1')
    expect(rotatedName('ecr-1-us-east-1', NOW)).toBe('ecr-1-us-east-1-20260304050607')
  })

  it('a family is the bare name and its rotations, oldest first; look-alike names are not in it', () => {
    const registries = [
      reg('c', 'app-20260101000000'),
      reg('x', 'app-staging'),
      reg('a', 'app'),
      reg('y', 'app-2026'),
      reg('b', 'app-20250101000000'),
      reg('z', 'other-20250101000000'),
      reg('r', 'a.p-20250101000000')
    ]
    expect(credentialFamily(registries, 'app').map((registry) => registry.id)).toEqual(['a', 'b', 'c'])
    // Regex characters in the name are literal.
    expect(credentialFamily(registries, 'a.p').map((registry) => registry.id)).toEqual(['r'])
  })
})

describe('planCredential', () => {
  it('creates under the bare name when none of the family exists', () => {
    expect(planCredential('app', [reg('x', 'app-staging')], [], NOW)).toEqual({ kind: 'create', name: 'app' })
  })

  it('refreshes the newest of the family, naming the rotation for the fallback', () => {
    const family = [reg('a', 'app'), reg('b', 'app-20250101000000')]
    expect(planCredential('app', [...family, reg('x', 'other')], [], NOW)).toEqual({
      kind: 'refresh',
      name: 'app',
      current: family[1],
      family,
      rotationName: 'app-20260304050607'
    })
  })

  it('among same-named credentials prefers the one more targets use', () => {
    const step = planCredential('app', [reg('a', 'app'), reg('b', 'app')], [{ registry: 'b' }, { registry: null }], NOW)
    expect(step.kind === 'refresh' && step.current.id).toBe('b')
  })
})

describe('staleCredentials', () => {
  it('are the family except the kept credential and those still in use', () => {
    const family = [reg('a', 'app'), reg('b', 'app-20250101000000'), reg('c', 'app-20260101000000')]
    expect(staleCredentials(family, 'c', new Set(['b'])).map((registry) => registry.id)).toEqual(['a'])
    expect(staleCredentials(family, 'c', new Set())).toHaveLength(2)
  })
})

describe('planTargets', () => {
  const image = 'repo:v2'
  const pod = (image: string, registry: string | null): TargetState => ({
    kind: 'pod',
    id: 'p',
    name: 'p',
    image,
    registry,
    status: 'RUNNING'
  })
  const endpoint = (image: string, registry: string | null): TargetState => ({
    kind: 'endpoint',
    id: 'e',
    name: 'e',
    image,
    registry
  })
  const changes = (targets: TargetState[], credential?: { id: string | undefined }) =>
    planTargets(targets, image, credential).map(({ change, credential }) => ({ change, credential }))

  it('without a managed credential only the image counts', () => {
    expect(changes([pod('repo:v1', null), endpoint(image, 'r')])).toEqual([
      { change: 'patch', credential: undefined },
      { change: 'unchanged', credential: undefined }
    ])
  })

  it('sets the credential with the image, and leaves targets already on both alone', () => {
    expect(
      changes([pod('repo:v1', 'r'), endpoint('repo:v1', null), pod(image, 'r'), endpoint(image, 'r')], { id: 'r' })
    ).toEqual([
      { change: 'patch', credential: 'set' },
      { change: 'patch', credential: 'set' },
      { change: 'unchanged', credential: undefined },
      { change: 'unchanged', credential: undefined }
    ])
  })

  it('on the image but another credential: an endpoint gets a credential-only patch, a pod is kept (a patch restarts it)', () => {
    expect(changes([endpoint(image, 'old'), pod(image, 'old')], { id: 'new' })).toEqual([
      { change: 'patch', credential: 'set' },
      { change: 'unchanged', credential: 'kept' }
    ])
    // A credential still to be created is on no target yet.
    expect(changes([endpoint(image, 'old'), pod(image, null)], { id: undefined })).toEqual([
      { change: 'patch', credential: 'set' },
      { change: 'unchanged', credential: 'kept' }
    ])
  })
})
