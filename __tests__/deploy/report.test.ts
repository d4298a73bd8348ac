// The outputs of a run, as data (github/publish.ts sets them), for what it did and for what it planned.
import { describe, expect, it } from '@jest/globals'
import { parseImageReference } from '../../src/aws/image-reference.js'
import type { DeployPlan } from '../../src/deploy/plan.js'
import { deployOutputs, type DeployReport } from '../../src/deploy/report.js'

const IMAGE = parseImageReference('111122223333.dkr.ecr.us-east-1.amazonaws.com/worker:v2')
const DIGEST = `sha256:${'a'.repeat(64)}`
const PLAN: DeployPlan = {
  deployImage: '111122223333.dkr.ecr.us-east-1.amazonaws.com/worker:v2',
  digest: DIGEST,
  policy: {
    kind: 'granted',
    supersededAccount: false,
    uncertain: [],
    registry: { kind: 'none' },
    registryUncertain: []
  },
  delegation: {
    kind: 'reuse',
    delegation: {
      id: 'deleg_1',
      name: null,
      createdAt: null,
      awsUser: '111122223333',
      awsRegion: 'us-east-1',
      repository: 'worker'
    }
  },
  credential: { kind: 'skipped', reason: "input 'registry-auth' is delegation" },
  targets: [],
  templates: [],
  warnings: []
}

describe('deployOutputs', () => {
  it('names the image, digest, delegation and every target', () => {
    const report: DeployReport = {
      mode: 'deploy',
      image: IMAGE,
      plan: PLAN,
      deployments: [
        {
          kind: 'pod',
          id: 'p1',
          name: 'x',
          previousImage: 'old',
          image: PLAN.deployImage,
          status: 'rolled-out',
          note: 'n'
        }
      ]
    }
    expect(deployOutputs(report)).toEqual({
      image: PLAN.deployImage,
      'image-digest': DIGEST,
      'policy-changed': 'false',
      'delegation-id': 'deleg_1',
      url: 'https://console.runpod.io/pods?id=p1',
      deployments: JSON.stringify([
        { kind: 'pod', id: 'p1', previousImage: 'old', image: PLAN.deployImage, status: 'rolled-out' }
      ])
    })
  })

  it('links the first target in the order of the inputs, pods first, endpoints by their console path', () => {
    const endpointOnly: DeployReport = {
      mode: 'deploy',
      image: IMAGE,
      deployments: [{ kind: 'endpoint', id: 'ep 1', previousImage: 'old', image: 'new', status: 'updated' }]
    }
    expect(deployOutputs(endpointOnly)['url']).toBe('https://console.runpod.io/serverless/user/endpoint/ep%201')
  })

  it('still says what it can when the run failed before planning', () => {
    expect(deployOutputs({ mode: 'deploy', image: IMAGE, deployments: [], failure: 'no' })).toEqual({
      'policy-changed': 'false',
      deployments: '[]'
    })
  })

  it('prefers the delegation the run created and reports a changed policy', () => {
    const plan: DeployPlan = { ...PLAN, delegation: { kind: 'create', repository: IMAGE.ecr! } }
    const report: DeployReport = {
      mode: 'deploy',
      image: IMAGE,
      plan,
      policyChanged: true,
      delegationId: 'deleg_9',
      deployments: []
    }
    expect(deployOutputs(report)).toMatchObject({ 'policy-changed': 'true', 'delegation-id': 'deleg_9' })
  })
})
