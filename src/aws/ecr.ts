import { registerSecret } from '../secrets.js'
import type { ECRClient } from '@aws-sdk/client-ecr'
import { ActionError, errorMessage } from '../errors.js'
import { awsClientSettings, commonAwsError, errorName, type AwsCredentials } from './sdk.js'
import type { RepositoryImage } from '../image/lifecycle.js'
import type { EcrRepository } from './arn.js'

/** The SDK loads on first use, while the OIDC token and the Runpod reads are in flight, not at start-up. */
export function ecrSdk(): Promise<typeof import('@aws-sdk/client-ecr')> {
  return import('@aws-sdk/client-ecr')
}

export interface EcrImage {
  readonly digest: string
  /** `ACTIVE`, `ARCHIVED` or `ACTIVATING`; undefined when ECR did not say. */
  readonly status?: string
}

/** A registry login from an ECR authorization token; the password is masked. */
export interface EcrAuthorization {
  readonly username: string
  readonly password: string
}

/**
 * Without credentials the client uses the SDK's default chain. Endpoints honour AWS_ENDPOINT_URL_ECR.
 * `maxAttempts: 1` for a write the caller repeats itself, after reading the state again.
 */
export async function createEcrClient(
  region: string,
  credentials?: AwsCredentials,
  maxAttempts?: number
): Promise<ECRClient> {
  const { ECRClient } = await ecrSdk()
  return new ECRClient({
    region,
    ...awsClientSettings(maxAttempts),
    ...(credentials ? { credentials } : {})
  })
}

/** The repository's policy text, or undefined when the repository has none. */
export async function readRepositoryPolicy(client: ECRClient, repo: EcrRepository): Promise<string | undefined> {
  try {
    const { GetRepositoryPolicyCommand } = await ecrSdk()
    const response = await client.send(
      new GetRepositoryPolicyCommand({ registryId: repo.account, repositoryName: repo.repository })
    )
    return response.policyText
  } catch (error) {
    if (errorName(error) === 'RepositoryPolicyNotFoundException') return undefined
    throw ecrError(error, repo, 'ecr:GetRepositoryPolicy')
  }
}

/**
 * Looks an image up by tag or digest. With both, the tag is looked up and must point at the digest, so
 * a moved tag is reported instead of deploying something else.
 */
export async function describeImage(
  client: ECRClient,
  repo: EcrRepository,
  selector: { readonly tag?: string | undefined; readonly digest?: string | undefined }
): Promise<EcrImage> {
  const { tag, digest } = selector
  if (tag === undefined && digest === undefined) throw new Error('describeImage needs a tag or a digest')
  const imageId = tag !== undefined ? { imageTag: tag } : { imageDigest: digest }
  let details
  try {
    const { DescribeImagesCommand } = await ecrSdk()
    const response = await client.send(
      new DescribeImagesCommand({ registryId: repo.account, repositoryName: repo.repository, imageIds: [imageId] })
    )
    details = response.imageDetails?.[0]
  } catch (error) {
    if (errorName(error) === 'ImageNotFoundException') throw imageNotFound(repo, selector, error)
    throw ecrError(error, repo, 'ecr:DescribeImages')
  }
  if (!details?.imageDigest) throw imageNotFound(repo, selector)
  if (tag !== undefined && digest !== undefined && details.imageDigest !== digest) {
    throw new ActionError(
      `Input 'image' names tag '${tag}' with digest ${digest}, but in ECR repository ${repo.arn} the tag now points to ${details.imageDigest}. Use the digest that was pushed with this tag, or drop one of them from input 'image'.`
    )
  }
  return { digest: details.imageDigest, ...(details.imageStatus ? { status: details.imageStatus } : {}) }
}

/** Stores the policy and returns the text AWS kept (AWS may rewrite it: key order, whitespace, account ids). */
export async function writeRepositoryPolicy(
  client: ECRClient,
  repo: EcrRepository,
  policyText: string,
  abortSignal?: AbortSignal
): Promise<string> {
  try {
    const { SetRepositoryPolicyCommand } = await ecrSdk()
    const response = await client.send(
      new SetRepositoryPolicyCommand({ registryId: repo.account, repositoryName: repo.repository, policyText }),
      abortSignal ? { abortSignal } : {}
    )
    return response.policyText ?? policyText
  } catch (error) {
    const name = errorName(error)
    if (isAccessDenied(name)) {
      throw new ActionError(
        `Not allowed to change the repository policy of ${repo.arn} (${name}: ${errorMessage(error)}). Give the AWS role 'ecr:SetRepositoryPolicy' on that repository ARN, or set input 'policy' to 'verify' and add the Runpod statement to the repository policy by hand.`,
        { cause: error }
      )
    }
    if (name === 'InvalidParameterException') {
      throw new ActionError(
        `ECR rejected the new repository policy for ${repo.arn}: ${errorMessage(error)}. Check the existing statements of that policy and input 'runpod-principals'.`,
        { cause: error }
      )
    }
    throw ecrError(error, repo, 'ecr:SetRepositoryPolicy')
  }
}

/** A registry login for the account's registry; the token and password are masked at once. */
export async function getAuthorizationToken(client: ECRClient, account: string): Promise<EcrAuthorization> {
  const region = await client.config.region()
  let data
  try {
    const { GetAuthorizationTokenCommand } = await ecrSdk()
    const response = await client.send(new GetAuthorizationTokenCommand({ registryIds: [account] }))
    data = response.authorizationData?.[0]
  } catch (error) {
    const name = errorName(error)
    if (isAccessDenied(name)) {
      throw new ActionError(
        `Not allowed to get an ECR authorization token for account ${account} in ${region} (${name}: ${errorMessage(error)}). Give the AWS role 'ecr:GetAuthorizationToken' on resource '*'.`,
        { cause: error }
      )
    }
    throw (
      commonAwsError(error, 'ECR', region) ??
      unexpected(error, `ecr:GetAuthorizationToken for account ${account} in ${region}`)
    )
  }
  if (!data?.authorizationToken) {
    throw new Error(`ECR returned incomplete authorization data for account ${account} in ${region}`)
  }
  registerSecret(data.authorizationToken)
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8')
  const separator = decoded.indexOf(':')
  if (separator < 0) throw new Error('ECR returned an authorization token that is not USER:PASSWORD')
  const password = decoded.slice(separator + 1)
  registerSecret(password)
  return { username: decoded.slice(0, separator), password }
}

export function isAccessDenied(name: string): boolean {
  return name === 'AccessDeniedException' || name === 'AccessDenied'
}

/** No image with that tag or digest in the repository: a caller may take that as an answer, not a failure. */
export class ImageNotFoundError extends ActionError {}

function imageNotFound(
  repo: EcrRepository,
  selector: { tag?: string | undefined; digest?: string | undefined },
  cause?: unknown
): ImageNotFoundError {
  const what = selector.tag !== undefined ? `tag '${selector.tag}'` : `digest ${selector.digest ?? ''}`
  return new ImageNotFoundError(
    `The image with ${what} was not found in ECR repository ${repo.arn}. It was never pushed, or was pushed to another repository, account or region: run this action after 'docker push' of exactly the reference in input 'image'.`,
    cause === undefined ? undefined : { cause }
  )
}

/** Errors shared by the repository reads and writes; `permission` names the IAM action that was called. */
function ecrError(error: unknown, repo: EcrRepository, permission: string): Error {
  const name = errorName(error)
  const arn = repo.arn
  if (name === 'RepositoryNotFoundException') {
    return new ActionError(
      `ECR repository '${repo.repository}' does not exist in account ${repo.account}, region ${repo.region}. Check the account and region in input 'image' (repositories are regional), or create the repository there before pushing.`,
      { cause: error }
    )
  }
  if (isAccessDenied(name)) {
    return new ActionError(
      `Not allowed to call ${permission} on ${arn} (${name}: ${errorMessage(error)}). Give the AWS role '${permission}' on that repository ARN.`,
      { cause: error }
    )
  }
  return commonAwsError(error, 'ECR', repo.region) ?? unexpected(error, `${permission} on ${arn}`)
}

function unexpected(error: unknown, call: string): ActionError {
  return new ActionError(`AWS ${call} failed: ${errorName(error)}: ${errorMessage(error)}`, { cause: error })
}

/** Every image of a repository (paged), for the lifecycle simulation. */
export async function listRepositoryImages(client: ECRClient, repo: EcrRepository): Promise<RepositoryImage[]> {
  const { DescribeImagesCommand } = await ecrSdk()
  const images: RepositoryImage[] = []
  let nextToken: string | undefined
  for (let page = 0; page < 100; page++) {
    const response = await client.send(
      new DescribeImagesCommand({
        registryId: repo.account,
        repositoryName: repo.repository,
        // Without the filter ECR lists ACTIVE images only, and an archived rollback image would look gone.
        filter: { imageStatus: 'ANY' },
        maxResults: 1000,
        ...(nextToken ? { nextToken } : {})
      })
    )
    for (const details of response.imageDetails ?? []) {
      if (!details.imageDigest) continue
      images.push({
        digest: details.imageDigest,
        tags: details.imageTags ?? [],
        pushedAt: details.imagePushedAt?.getTime() ?? 0,
        ...(details.lastRecordedPullTime ? { lastPulledAt: details.lastRecordedPullTime.getTime() } : {}),
        ...(details.lastArchivedAt ? { archivedAt: details.lastArchivedAt.getTime() } : {}),
        ...(details.imageStatus ? { status: details.imageStatus } : {})
      })
    }
    nextToken = response.nextToken
    if (!nextToken) return images
  }
  return images
}

/** The repository's lifecycle policy text, or undefined when it has none. */
export async function readLifecyclePolicy(client: ECRClient, repo: EcrRepository): Promise<string | undefined> {
  const { GetLifecyclePolicyCommand } = await ecrSdk()
  try {
    const response = await client.send(
      new GetLifecyclePolicyCommand({ registryId: repo.account, repositoryName: repo.repository })
    )
    return response.lifecyclePolicyText
  } catch (error) {
    if (errorName(error) === 'LifecyclePolicyNotFoundException') return undefined
    throw error
  }
}

/** The registry policy as ECR enforces it on a pull; `unknown` says what could not be read, and why. */
export type RegistryPolicyRead =
  { readonly scope: 'V1' | 'V2'; readonly text: string | undefined } | { readonly unknown: string }

/**
 * The registry policy of the repository's registry and its scope (GetRegistryPolicy and GetAccountSetting
 * REGISTRY_POLICY_SCOPE, which ECR answers for the caller's own registry only). `callerAccount`, when known,
 * tells whether that registry is the image's: a registry policy of another account cannot be read from here.
 */
export async function readRegistryPolicy(
  client: ECRClient,
  repo: EcrRepository,
  callerAccount: string | undefined
): Promise<RegistryPolicyRead> {
  const { GetAccountSettingCommand, GetRegistryPolicyCommand } = await ecrSdk()
  const otherAccount = (account: string) => ({
    unknown: `The registry policy of account ${repo.account} can be read only by a role of that account, and the deploy role is of account ${account}: whether that policy denies Runpod's pull of ${repo.repository} is unknown. Deploy with a role of account ${repo.account} to have it judged.`
  })
  if (callerAccount !== undefined && callerAccount !== repo.account) return otherAccount(callerAccount)
  const unread = (permission: string) => (error: unknown) => {
    const name = errorName(error)
    const why = isAccessDenied(name) ? `Give the deploy role '${permission}' to have it judged.` : 'It is not judged.'
    return {
      unknown: `Could not read the registry policy of account ${repo.account} in ${repo.region} (${permission}: ${name}: ${errorMessage(error)}): whether it denies Runpod's pull is unknown. ${why}`
    }
  }
  const [policy, scope] = await Promise.all([
    client.send(new GetRegistryPolicyCommand({})).then(
      (response) => ({ registryId: response.registryId, text: response.policyText }),
      (error: unknown) =>
        errorName(error) === 'RegistryPolicyNotFoundException'
          ? { registryId: undefined, text: undefined }
          : unread('ecr:GetRegistryPolicy')(error)
    ),
    client.send(new GetAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE' })).then(
      (response) => response.value,
      (error: unknown) => unread('ecr:GetAccountSetting')(error)
    )
  ])
  if ('unknown' in policy) return policy
  if (policy.registryId !== undefined && policy.registryId !== repo.account) return otherAccount(policy.registryId)
  if (typeof scope === 'object') {
    // Without the scope, a policy that exists may or may not take part: unknown. No policy is none either way.
    return policy.text === undefined ? { scope: 'V2', text: undefined } : scope
  }
  if (scope !== 'V1' && scope !== 'V2') {
    return {
      unknown: `ECR reported registry policy scope '${scope ?? ''}', which this action does not know: the registry policy of account ${repo.account} is not judged.`
    }
  }
  return { scope, text: policy.text }
}

/** How the repository is encrypted: `kmsKey` is the key's ARN for KMS encryption with a key of its own. */
export interface RepositoryEncryptionRead {
  readonly type: string
  readonly kmsKey?: string
}

/** The repository's encryption settings (DescribeRepositories). Failures are thrown, for the caller to report. */
export async function readRepositoryEncryption(
  client: ECRClient,
  repo: EcrRepository
): Promise<RepositoryEncryptionRead | undefined> {
  const { DescribeRepositoriesCommand } = await ecrSdk()
  const response = await client.send(
    new DescribeRepositoriesCommand({ registryId: repo.account, repositoryNames: [repo.repository] })
  )
  const configuration = response.repositories?.[0]?.encryptionConfiguration
  if (!configuration?.encryptionType) return undefined
  return {
    type: configuration.encryptionType,
    ...(configuration.kmsKey ? { kmsKey: configuration.kmsKey } : {})
  }
}
