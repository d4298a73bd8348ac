import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { ecrRepository } from '../../src/aws/arn.js'
import type { ECRClient } from '@aws-sdk/client-ecr'
import { resolveAwsCredentials } from '../../src/aws/credentials.js'
import {
  createEcrClient,
  describeImage,
  getAuthorizationToken,
  readRepositoryPolicy,
  writeRepositoryPolicy
} from '../../src/aws/ecr.js'
import { parseImageReference } from '../../src/aws/image-reference.js'
import { actionErrorFrom, captureStdout } from '../../test-support/action-error-assertions.js'
import {
  MOTO_DEFAULT_ACCOUNT,
  createRepository,
  pushImage,
  setRepositoryPolicy,
  startMotoServer,
  type MotoServer
} from '../../test-support/moto-server.js'
import { startOidcStandIn, type OidcStandIn } from '../../test-support/oidc-stand-in.js'

// Integration: the real SDK against a real moto server, credentials from the OIDC stand-in through STS.
const REGION = 'eu-west-1'
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowRunpodPull',
      Effect: 'Allow',
      Principal: '*',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Condition: {
        StringEquals: { 'aws:PrincipalArn': ['arn:aws:iam::550005742258:role/prod-us-east-1-deployment-role'] }
      }
    }
  ]
})

let moto: MotoServer
let oidc: OidcStandIn
const savedEnv = { ...process.env }

/** What the orchestrator does: credentials for the image's account, then an ECR client in its region. */
async function ecrFor(account: string, roleToAssume?: string): Promise<ECRClient> {
  const credentials = await resolveAwsCredentials({
    roleToAssume: roleToAssume ?? `arn:aws:iam::${account}:role/github-runpod-deploy`,
    roleSessionName: 'runpod-ecr-deploy',
    audience: 'sts.amazonaws.com',
    region: REGION
  })
  return await createEcrClient(REGION, credentials)
}

beforeAll(async () => {
  // One after the other, so that afterAll can stop whichever started if the other fails.
  moto = await startMotoServer()
  oidc = await startOidcStandIn()
  // The ambient environment of the action: endpoints and dummy keys for moto, the OIDC variables of a job.
  Object.assign(process.env, moto.env, oidc.env)
  // Keep the workflow commands (masks, debug) out of the test output.
  captureStdout()
})

afterAll(async () => {
  jest.restoreAllMocks()
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
  await Promise.all([moto?.stop(), oidc?.close()])
})

beforeEach(async () => {
  await moto.reset()
})

describe.each([MOTO_DEFAULT_ACCOUNT, '111122223333'])('account %s with role-to-assume', (account) => {
  const ref = parseImageReference(`${account}.dkr.ecr.${REGION}.amazonaws.com/team/worker:v1`)
  const repo = ecrRepository(account, REGION, 'team/worker')

  it('exchanges the OIDC token at STS and round-trips the repository policy', async () => {
    const audiencesBefore = oidc.requests.length
    await createRepository(moto, repo)
    const client = await ecrFor(account)
    expect(oidc.requests.slice(audiencesBefore)).toEqual([{ audience: 'sts.amazonaws.com', authorized: true }])

    expect(await readRepositoryPolicy(client, repo)).toBeUndefined()
    const stored = await writeRepositoryPolicy(client, repo, POLICY)
    // moto keeps the text verbatim; real ECR may rewrite it, which is why callers compare by meaning.
    expect(JSON.parse(stored)).toEqual(JSON.parse(POLICY))
    expect(await readRepositoryPolicy(client, repo)).toBe(stored)
    expect(ref.ecr?.arn).toBe(`arn:aws:ecr:${REGION}:${account}:repository/team/worker`)
    client.destroy()
  })

  it('finds an image by tag and by digest', async () => {
    await createRepository(moto, repo)
    const digest = await pushImage(moto, { ...repo, tag: 'v1' })
    const client = await ecrFor(account)
    const byTag = await describeImage(client, repo, { tag: 'v1' })
    expect(byTag.digest).toBe(digest)
    expect((await describeImage(client, repo, { digest })).digest).toBe(digest)
    expect((await describeImage(client, repo, { tag: 'v1', digest })).digest).toBe(digest)
    client.destroy()
  })
})

describe('failures against moto', () => {
  const repo = ecrRepository(MOTO_DEFAULT_ACCOUNT, REGION, 'team/worker')

  it('reports a missing repository and a missing tag', async () => {
    const client = await ecrFor(MOTO_DEFAULT_ACCOUNT)
    expect((await actionErrorFrom(readRepositoryPolicy(client, repo))).message).toContain(
      `'team/worker' does not exist in account ${MOTO_DEFAULT_ACCOUNT}, region ${REGION}`
    )
    await createRepository(moto, repo)
    await pushImage(moto, { ...repo, tag: 'v1' })
    expect((await actionErrorFrom(describeImage(client, repo, { tag: 'v2' }))).message).toContain(
      "image with tag 'v2' was not found"
    )
    expect(
      (await actionErrorFrom(describeImage(client, repo, { digest: `sha256:${'0'.repeat(64)}` }))).message
    ).toContain('was not found')
    client.destroy()
  })

  it('shows why ECR rejected a policy', async () => {
    await createRepository(moto, repo)
    const client = await ecrFor(MOTO_DEFAULT_ACCOUNT)
    const failure = await actionErrorFrom(writeRepositoryPolicy(client, repo, '{"Version":"2012-10-17"}'))
    expect(failure.message).toContain("Invalid parameter at 'PolicyText'")
    client.destroy()
  })

  it('honours a digest pushed with an explicit value', async () => {
    await createRepository(moto, repo)
    const digest = `sha256:${'e'.repeat(64)}`
    expect(await pushImage(moto, { ...repo, tag: 'v3', digest })).toBe(digest)
    const client = await ecrFor(MOTO_DEFAULT_ACCOUNT)
    expect((await describeImage(client, repo, { tag: 'v3' })).digest).toBe(digest)
    client.destroy()
  })
})

describe('default credential chain against moto', () => {
  it('uses the environment keys and reads a seeded policy', async () => {
    const repo = ecrRepository(MOTO_DEFAULT_ACCOUNT, REGION, 'worker')
    await createRepository(moto, repo)
    await setRepositoryPolicy(moto, repo, POLICY)
    const credentials = await resolveAwsCredentials({
      roleSessionName: 'runpod-ecr-deploy',
      audience: 'sts.amazonaws.com',
      region: REGION
    })
    const client = await createEcrClient(REGION, credentials)
    expect(await readRepositoryPolicy(client, repo)).toBe(POLICY)
    const login = await getAuthorizationToken(client, MOTO_DEFAULT_ACCOUNT)
    expect(login.username).toBe('AWS')
    expect(login.password.length).toBeGreaterThan(0)
    client.destroy()
  })
})

describe('endpoint overrides', () => {
  it('also honours the global AWS_ENDPOINT_URL', async () => {
    const repo = ecrRepository(MOTO_DEFAULT_ACCOUNT, REGION, 'worker')
    await createRepository(moto, repo)
    const { AWS_ENDPOINT_URL_ECR: ecrUrl, AWS_ENDPOINT_URL_STS: stsUrl } = process.env
    delete process.env['AWS_ENDPOINT_URL_ECR']
    delete process.env['AWS_ENDPOINT_URL_STS']
    process.env['AWS_ENDPOINT_URL'] = moto.url
    try {
      const client = await ecrFor(MOTO_DEFAULT_ACCOUNT)
      expect(await readRepositoryPolicy(client, repo)).toBeUndefined()
      client.destroy()
    } finally {
      delete process.env['AWS_ENDPOINT_URL']
      Object.assign(process.env, { AWS_ENDPOINT_URL_ECR: ecrUrl, AWS_ENDPOINT_URL_STS: stsUrl })
    }
  })
})
