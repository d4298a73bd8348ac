import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { ecrRepository } from '../../src/aws/arn.js'
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAccountSettingCommand,
  GetRegistryPolicyCommand,
  GetAuthorizationTokenCommand,
  GetRepositoryPolicyCommand,
  ImageNotFoundException,
  InvalidParameterException,
  RepositoryNotFoundException,
  RegistryPolicyNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand
} from '@aws-sdk/client-ecr'
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import { mockClient } from 'aws-sdk-client-mock'
import { actionErrorFrom, captureStdout } from '../../test-support/action-error-assertions.js'
import {
  createEcrClient,
  describeImage,
  getAuthorizationToken,
  readRegistryPolicy,
  readRepositoryEncryption,
  readRepositoryPolicy,
  writeRepositoryPolicy
} from '../../src/aws/ecr.js'
import { createKmsClient, describeKey } from '../../src/aws/kms.js'

const repo = ecrRepository('111122223333', 'eu-west-1', 'team/worker')
const ARN = 'arn:aws:ecr:eu-west-1:111122223333:repository/team/worker'
const DIGEST = `sha256:${'c'.repeat(64)}`
const $metadata = {}

const ecr = mockClient(ECRClient)
const kms = mockClient(KMSClient)
const client = await createEcrClient('eu-west-1', { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' })

function named(name: string, message = `${name} happened`): Error {
  return Object.assign(new Error(message), { name })
}

let stdout: string[]
beforeEach(() => {
  ecr.reset()
  kms.reset()
  stdout = captureStdout()
})
afterEach(() => {
  jest.restoreAllMocks()
})

describe('createEcrClient', () => {
  it('sets the region, standard retries and bounded requests', async () => {
    const fresh = await createEcrClient('ap-south-1')
    expect(await fresh.config.region()).toBe('ap-south-1')
    expect(await fresh.config.maxAttempts()).toBe(4)
    expect(await fresh.config.retryStrategy()).toMatchObject({ mode: 'standard' })
    // The Node handler resolves its options lazily, behind this promise.
    const handler = fresh.config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }
    expect(await handler.configProvider).toMatchObject({
      connectionTimeout: 5_000,
      requestTimeout: 30_000,
      throwOnRequestTimeout: true
    })
    fresh.destroy()
  })
})

describe('errors every call shares', () => {
  it.each([
    [
      new RepositoryNotFoundException({ message: 'no repo', $metadata }),
      ["'team/worker' does not exist in account 111122223333, region eu-west-1", 'create the repository']
    ],
    [named('AccessDeniedException'), ['ecr:GetRepositoryPolicy', ARN]],
    [
      named('UnrecognizedClientException', 'The security token included in the request is invalid'),
      ['rejected the credentials', 'configure-aws-credentials']
    ],
    [named('ExpiredTokenException'), ['rejected the credentials', 'expired']],
    [
      named('CredentialsProviderError', 'Could not load credentials from any providers'),
      ['No AWS credentials', "'role-to-assume'", 'configure-aws-credentials']
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      ['Could not reach AWS ECR', 'ECONNREFUSED']
    ],
    [named('TimeoutError', 'Connection timed out after 5000 ms'), ['Could not reach AWS ECR', "region 'eu-west-1'"]],
    [
      named('ThrottlingException', 'Rate exceeded'),
      ['ecr:GetRepositoryPolicy on ' + ARN, 'ThrottlingException: Rate exceeded']
    ]
  ])('maps %p on a read', async (error, fragments) => {
    ecr.on(GetRepositoryPolicyCommand).rejects(error)
    const failure = await actionErrorFrom(readRepositoryPolicy(client, repo))
    for (const fragment of fragments) expect(failure.message).toContain(fragment)
  })

  it('names the endpoint override when the endpoint cannot be reached', async () => {
    process.env['AWS_ENDPOINT_URL_ECR'] = 'http://127.0.0.1:9'
    try {
      ecr
        .on(GetRepositoryPolicyCommand)
        .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      expect((await actionErrorFrom(readRepositoryPolicy(client, repo))).message).toContain(
        'at http://127.0.0.1:9 (set by AWS_ENDPOINT_URL_ECR)'
      )
    } finally {
      delete process.env['AWS_ENDPOINT_URL_ECR']
    }
  })
})

describe('readRepositoryPolicy', () => {
  it('returns the policy text, asking the image account', async () => {
    ecr.on(GetRepositoryPolicyCommand).resolves({ policyText: '{"Statement":[]}' })
    expect(await readRepositoryPolicy(client, repo)).toBe('{"Statement":[]}')
    expect(ecr.commandCalls(GetRepositoryPolicyCommand)[0]?.args[0].input).toEqual({
      registryId: '111122223333',
      repositoryName: 'team/worker'
    })
  })

  it('returns undefined when the repository has no policy', async () => {
    ecr.on(GetRepositoryPolicyCommand).rejects(new RepositoryPolicyNotFoundException({ message: 'none', $metadata }))
    expect(await readRepositoryPolicy(client, repo)).toBeUndefined()
  })
})

describe('describeImage', () => {
  it('looks up a tag and returns its digest', async () => {
    const pushedAt = new Date('2026-01-02T03:04:05Z')
    ecr
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1', 'latest'], imagePushedAt: pushedAt }] })
    expect(await describeImage(client, repo, { tag: 'v1' })).toEqual({ digest: DIGEST })
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      registryId: '111122223333',
      repositoryName: 'team/worker',
      imageIds: [{ imageTag: 'v1' }]
    })
  })

  it('needs only the digest: tags and push time may be missing', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] })
    expect(await describeImage(client, repo, { tag: 'v1' })).toEqual({ digest: DIGEST })
  })

  it('looks up a digest', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] })
    expect(await describeImage(client, repo, { digest: DIGEST })).toEqual({ digest: DIGEST })
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input.imageIds).toEqual([{ imageDigest: DIGEST }])
  })

  it('fails when the tag has moved away from the digest in the reference', async () => {
    ecr
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: `sha256:${'d'.repeat(64)}`, imageTags: ['v1'] }] })
    const failure = await actionErrorFrom(describeImage(client, repo, { tag: 'v1', digest: DIGEST }))
    expect(failure.message).toContain(`tag 'v1' with digest ${DIGEST}`)
    expect(failure.message).toContain("Input 'image'")
  })

  it.each([
    [{ tag: 'v9' }, "tag 'v9'"],
    [{ digest: DIGEST }, `digest ${DIGEST}`]
  ])('reports a missing image %p', async (selector, what) => {
    ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: 'not found', $metadata }))
    const failure = await actionErrorFrom(describeImage(client, repo, selector))
    expect(failure.message).toContain(`image with ${what} was not found in ECR repository ${ARN}`)
    expect(failure.message).toContain('docker push')
  })

  it('treats an empty answer as a missing image', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [] })
    expect((await actionErrorFrom(describeImage(client, repo, { tag: 'v1' }))).message).toContain('was not found')
  })

  it('names ecr:DescribeImages when access is denied', async () => {
    ecr.on(DescribeImagesCommand).rejects(named('AccessDeniedException'))
    const failure = await actionErrorFrom(describeImage(client, repo, { tag: 'v1' }))
    expect(failure.message).toContain(`ecr:DescribeImages on ${ARN}`)
  })
})

describe('writeRepositoryPolicy', () => {
  it('returns the text AWS stored', async () => {
    ecr.on(SetRepositoryPolicyCommand).resolves({ policyText: '{ "Version" : "2012-10-17" }' })
    expect(await writeRepositoryPolicy(client, repo, '{"Version":"2012-10-17"}')).toBe('{ "Version" : "2012-10-17" }')
    expect(ecr.commandCalls(SetRepositoryPolicyCommand)[0]?.args[0].input).toEqual({
      registryId: '111122223333',
      repositoryName: 'team/worker',
      policyText: '{"Version":"2012-10-17"}'
    })
  })

  it('says which permission is missing, and the verify alternative', async () => {
    ecr.on(SetRepositoryPolicyCommand).rejects(named('AccessDeniedException'))
    const failure = await actionErrorFrom(writeRepositoryPolicy(client, repo, '{}'))
    expect(failure.message).toContain("'ecr:SetRepositoryPolicy'")
    expect(failure.message).toContain(ARN)
    expect(failure.message).toContain("input 'policy' to 'verify'")
  })

  it("shows AWS's reason for an invalid policy", async () => {
    ecr.on(SetRepositoryPolicyCommand).rejects(
      new InvalidParameterException({
        message: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'",
        $metadata
      })
    )
    const failure = await actionErrorFrom(writeRepositoryPolicy(client, repo, '{}'))
    expect(failure.message).toContain(`rejected the new repository policy for ${ARN}`)
    expect(failure.message).toContain('Principal not found')
  })

  it('maps a missing repository like the reads do', async () => {
    ecr.on(SetRepositoryPolicyCommand).rejects(new RepositoryNotFoundException({ message: 'x', $metadata }))
    expect((await actionErrorFrom(writeRepositoryPolicy(client, repo, '{}'))).message).toContain('does not exist')
  })
})

describe('getAuthorizationToken', () => {
  it('decodes the login and masks token and password', async () => {
    const expiresAt = new Date('2026-05-05T12:00:00Z')
    const token = Buffer.from('AWS:very-secret-password').toString('base64')
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: token, expiresAt, proxyEndpoint: 'https://111122223333.dkr.ecr.eu-west-1.amazonaws.com' }
      ]
    })
    expect(await getAuthorizationToken(client, '111122223333')).toEqual({
      username: 'AWS',
      password: 'very-secret-password'
    })
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)[0]?.args[0].input).toEqual({ registryIds: ['111122223333'] })
    expect(stdout).toContain(`::add-mask::${token}\n`)
    expect(stdout).toContain('::add-mask::very-secret-password\n')
  })

  it('needs only the token: expiry and proxy endpoint may be missing', async () => {
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolves({ authorizationData: [{ authorizationToken: Buffer.from('AWS:pw').toString('base64') }] })
    expect(await getAuthorizationToken(client, '111122223333')).toEqual({ username: 'AWS', password: 'pw' })
  })

  it('names ecr:GetAuthorizationToken when access is denied', async () => {
    ecr.on(GetAuthorizationTokenCommand).rejects(named('AccessDeniedException'))
    const failure = await actionErrorFrom(getAuthorizationToken(client, '111122223333'))
    expect(failure.message).toContain("'ecr:GetAuthorizationToken' on resource '*'")
  })
})

describe('readRegistryPolicy', () => {
  const POLICY = '{"Version":"2012-10-17","Statement":[]}'

  it('returns the policy and its scope, read together', async () => {
    ecr.on(GetRegistryPolicyCommand).resolves({ registryId: '111122223333', policyText: POLICY })
    ecr.on(GetAccountSettingCommand).resolves({ name: 'REGISTRY_POLICY_SCOPE', value: 'V1' })
    expect(await readRegistryPolicy(client, repo, '111122223333')).toEqual({ scope: 'V1', text: POLICY })
    expect(ecr.commandCalls(GetAccountSettingCommand)[0]?.args[0].input).toEqual({ name: 'REGISTRY_POLICY_SCOPE' })
  })

  it('is none when the registry has no policy, whatever the scope read says', async () => {
    ecr.on(GetRegistryPolicyCommand).rejects(new RegistryPolicyNotFoundException({ message: 'none', $metadata }))
    ecr.on(GetAccountSettingCommand).rejects(named('AccessDeniedException'))
    expect(await readRegistryPolicy(client, repo, undefined)).toEqual({ scope: 'V2', text: undefined })
  })

  it('is unknown, naming the permission, when either read is denied and a policy exists', async () => {
    ecr.on(GetRegistryPolicyCommand).resolves({ registryId: '111122223333', policyText: POLICY })
    ecr.on(GetAccountSettingCommand).rejects(named('AccessDeniedException'))
    expect(await readRegistryPolicy(client, repo, undefined)).toEqual({
      unknown: expect.stringContaining("Give the deploy role 'ecr:GetAccountSetting' to have it judged.")
    })
    ecr.on(GetRegistryPolicyCommand).rejects(named('AccessDeniedException'))
    expect(await readRegistryPolicy(client, repo, undefined)).toEqual({
      unknown: expect.stringContaining("'ecr:GetRegistryPolicy'")
    })
  })

  it("is unknown for a registry of another account than the caller's, without asking", async () => {
    expect(await readRegistryPolicy(client, repo, '999999999999')).toEqual({
      unknown: expect.stringContaining('the deploy role is of account 999999999999')
    })
    expect(ecr.commandCalls(GetRegistryPolicyCommand)).toHaveLength(0)
    ecr.on(GetRegistryPolicyCommand).resolves({ registryId: '999999999999', policyText: POLICY })
    ecr.on(GetAccountSettingCommand).resolves({ name: 'REGISTRY_POLICY_SCOPE', value: 'V2' })
    expect(await readRegistryPolicy(client, repo, undefined)).toEqual({
      unknown: expect.stringContaining('can be read only by a role of that account')
    })
  })

  it('is unknown for a scope it does not know', async () => {
    ecr.on(GetRegistryPolicyCommand).resolves({ registryId: '111122223333', policyText: POLICY })
    ecr.on(GetAccountSettingCommand).resolves({ name: 'REGISTRY_POLICY_SCOPE', value: 'V3' })
    expect(await readRegistryPolicy(client, repo, undefined)).toEqual({
      unknown: expect.stringContaining("scope 'V3'")
    })
  })
})

describe('readRepositoryEncryption and describeKey', () => {
  const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'

  it('returns the encryption type and the key of KMS encryption', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({
      repositories: [{ encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KEY } }]
    })
    expect(await readRepositoryEncryption(client, repo)).toEqual({ type: 'KMS', kmsKey: KEY })
    expect(ecr.commandCalls(DescribeRepositoriesCommand)[0]?.args[0].input).toEqual({
      registryId: '111122223333',
      repositoryNames: ['team/worker']
    })
  })

  it("reads the key's state and manager, in the key's region", async () => {
    kms.on(DescribeKeyCommand).resolves({
      KeyMetadata: { KeyId: 'k', Arn: KEY, KeyState: 'PendingDeletion', KeyManager: 'CUSTOMER' }
    })
    const keys = await createKmsClient(KEY.replace('eu-west-1', 'us-west-2'), 'eu-west-1')
    expect(await keys.config.region()).toBe('us-west-2')
    expect(await describeKey(keys, KEY)).toEqual({ arn: KEY, state: 'PendingDeletion', manager: 'CUSTOMER' })
    kms.on(DescribeKeyCommand).rejects(named('AccessDeniedException'))
    await expect(describeKey(keys, KEY)).rejects.toThrow('AccessDeniedException happened')
    keys.destroy()
  })
})
