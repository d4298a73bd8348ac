import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import { actionErrorFrom, captureStdout } from '../../test-support/action-error-assertions.js'
import { resolveAwsCredentials } from '../../src/aws/credentials.js'
import { startOidcStandIn, type OidcStandIn } from '../../test-support/oidc-stand-in.js'

const ROLE = 'arn:aws:iam::111122223333:role/github-runpod-deploy'
const options = {
  roleToAssume: ROLE,
  roleSessionName: 'runpod-ecr-deploy',
  audience: 'sts.amazonaws.com',
  region: 'eu-west-1'
}
const sts = mockClient(STSClient)

// Every variable these tests change, restored afterwards.
const TOUCHED = [
  'GITHUB_ACTIONS',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI'
]
const saved = Object.fromEntries(TOUCHED.map((name) => [name, process.env[name]]))

function clearEnv(): void {
  for (const name of TOUCHED) delete process.env[name]
  // No profile files, no instance metadata: the default chain has nothing to find.
  process.env['AWS_CONFIG_FILE'] = '/nonexistent/aws-config'
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent/aws-credentials'
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true'
}

let stdout: string[]
beforeEach(() => {
  clearEnv()
  sts.reset()
  stdout = captureStdout()
})
afterEach(() => {
  jest.restoreAllMocks()
})
afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

describe('with role-to-assume', () => {
  let oidc: OidcStandIn
  beforeAll(async () => {
    oidc = await startOidcStandIn({
      claims: { environment: 'production', sub: 'repo:octo-org/octo-repo:environment:production' }
    })
  })
  afterAll(async () => {
    await oidc.close()
  })
  beforeEach(() => {
    Object.assign(process.env, oidc.env)
  })

  it('explains id-token permission when the job cannot request a token', async () => {
    delete process.env['ACTIONS_ID_TOKEN_REQUEST_URL']
    process.env['GITHUB_ACTIONS'] = 'true'
    const failure = await actionErrorFrom(resolveAwsCredentials(options))
    expect(failure.message).toContain("'role-to-assume'")
    expect(failure.message).toContain('permissions: id-token: write')
    expect(failure.message).toContain('forks')
    expect(failure.message).toContain('aws-actions/configure-aws-credentials')
  })

  it('off a runner (local-action) advises static keys instead of a permission', async () => {
    delete process.env['ACTIONS_ID_TOKEN_REQUEST_URL']
    delete process.env['GITHUB_ACTIONS']
    const failure = await actionErrorFrom(resolveAwsCredentials(options))
    expect(failure.message).toMatch(/not on a GitHub Actions runner/)
    expect(failure.message).toMatch(/leave 'role-to-assume' empty and give static AWS credentials/)
    expect(failure.message).not.toMatch(/id-token: write/)
  })

  it('exchanges the OIDC token for a masked one-hour session', async () => {
    const expiration = new Date('2026-06-01T00:00:00Z')
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 'secret-key',
        SessionToken: 'session-token',
        Expiration: expiration
      }
    })
    const credentials = await resolveAwsCredentials(options)
    expect(credentials).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret-key',
      sessionToken: 'session-token',
      expiration
    })
    const token = oidc.issued.at(-1) ?? ''
    expect(oidc.requests.at(-1)).toEqual({ audience: 'sts.amazonaws.com', authorized: true })
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'runpod-ecr-deploy',
      WebIdentityToken: token,
      DurationSeconds: 3600
    })
    for (const secret of [token, 'ASIAEXAMPLE', 'secret-key', 'session-token']) {
      expect(stdout).toContain(`::add-mask::${secret}\n`)
    }
  })

  it.each(['AccessDenied', 'InvalidIdentityToken'])('explains the trust policy from the claims on %s', async (name) => {
    sts
      .on(AssumeRoleWithWebIdentityCommand)
      .rejects(Object.assign(new Error('Not authorized to perform sts:AssumeRoleWithWebIdentity'), { name }))
    const failure = await actionErrorFrom(resolveAwsCredentials(options))
    const message = failure.message
    expect(message).toContain(`${name}: Not authorized`)
    expect(message).toContain(`'role-to-assume' ${ROLE}`)
    expect(message).toContain('sub="repo:octo-org/octo-repo:environment:production"')
    expect(message).toContain('aud="sts.amazonaws.com"')
    expect(message).toContain('repository="octo-org/octo-repo"')
    expect(message).toContain('ref="refs/heads/main"')
    expect(message).toContain('environment="production"')
    expect(message).toContain('arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com')
    expect(message).toContain('"token.actions.githubusercontent.com:aud" equal to "sts.amazonaws.com"')
    expect(message).toContain('repo:OWNER/REPO:environment:NAME')
    expect(message).toContain('repo:OWNER-OWNER_ID/REPO-REPO_ID')
    const token = oidc.issued.at(-1) ?? 'no token'
    expect(message).not.toContain(token)
    expect(message).not.toContain(token.split('.')[1])
    const logged = stdout.filter((line) => !line.startsWith('::add-mask::')).join('')
    expect(logged).not.toContain(token.split('.')[1])
  })

  it('maps an expired OIDC token and credential-free STS failures', async () => {
    sts
      .on(AssumeRoleWithWebIdentityCommand)
      .rejects(Object.assign(new Error('Token expired'), { name: 'ExpiredTokenException' }))
    expect((await actionErrorFrom(resolveAwsCredentials(options))).message).toContain('OIDC token expired')
    sts
      .on(AssumeRoleWithWebIdentityCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
    expect((await actionErrorFrom(resolveAwsCredentials(options))).message).toContain(
      "Could not reach AWS STS in region 'eu-west-1'"
    )
  })

  it('reports an OIDC endpoint that refuses the request, naming the audience', async () => {
    const refusing = await startOidcStandIn({ failWithStatus: 403 })
    try {
      Object.assign(process.env, refusing.env)
      const failure = await actionErrorFrom(resolveAwsCredentials({ ...options, audience: 'custom-aud' }))
      expect(failure.message).toContain("audience 'custom-aud' (input 'audience')")
      expect(failure.message).toContain('403')
      expect(refusing.requests).toEqual([{ audience: 'custom-aud', authorized: true }])
    } finally {
      await refusing.close()
    }
  })
})

describe('an OIDC endpoint that never answers', () => {
  it('gives up after the timeout', async () => {
    const silent = createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] =
        `http://127.0.0.1:${(silent.address() as AddressInfo).port}/token?api-version=2.0`
      process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-token'
      const failure = await actionErrorFrom(resolveAwsCredentials({ ...options, oidcTimeoutMs: 200 }))
      expect(failure.message).toContain('no answer within 0.2 s')
    } finally {
      silent.closeAllConnections()
      await new Promise((resolve) => silent.close(resolve))
    }
  })
})

describe('without role-to-assume', () => {
  it('uses the default chain, e.g. keys from aws-actions/configure-aws-credentials', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIDFROMENV'
    process.env['AWS_SECRET_ACCESS_KEY'] = 'secret-from-env'
    const credentials = await resolveAwsCredentials({ ...options, roleToAssume: undefined })
    expect(typeof credentials).toBe('function')
    if (typeof credentials !== 'function') return
    expect(await credentials()).toMatchObject({ accessKeyId: 'AKIDFROMENV', secretAccessKey: 'secret-from-env' })
    expect(sts.calls()).toHaveLength(0)
  })

  it('fails up front naming both ways to provide credentials', async () => {
    const failure = await actionErrorFrom(resolveAwsCredentials({ ...options, roleToAssume: '' }))
    expect(failure.message).toContain('No AWS credentials were found')
    expect(failure.message).toContain("'role-to-assume'")
    expect(failure.message).toContain('id-token: write')
    expect(failure.message).toContain('aws-actions/configure-aws-credentials')
  })
})
