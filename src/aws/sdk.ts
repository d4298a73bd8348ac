import type { ECRClientConfig } from '@aws-sdk/client-ecr'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { ActionError, errorCode, errorMessage } from '../errors.js'
import { proxyVariable } from '../runner-proxy.js'

/** The services the action calls; each endpoint can be overridden with AWS_ENDPOINT_URL_<SERVICE>. */
export type AwsService = 'ECR' | 'STS' | 'KMS'

/** Static credentials or a provider, as every AWS SDK client accepts them. */
export type AwsCredentials = NonNullable<ECRClientConfig['credentials']>

/**
 * Settings shared by our AWS clients: bounded connection and request times (the SDK only warns about a
 * slow request unless told to throw), the SDK's standard retry mode (jittered backoff, only for throttling,
 * 5xx and transient network errors), and the runner's proxy: the SDK makes agents of its own, which
 * Node's global proxy switch does not reach, so with a proxy set they are Node's proxy-aware agents
 * (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), kept alive as the SDK's would be.
 */
export function awsClientSettings(maxAttempts = 4) {
  const agent =
    proxyVariable() === undefined
      ? {}
      : {
          httpAgent: new HttpAgent({ keepAlive: true, proxyEnv: process.env }),
          httpsAgent: new HttpsAgent({ keepAlive: true, proxyEnv: process.env })
        }
  return {
    maxAttempts,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true, ...agent }
  } as const
}

const REJECTED_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch'
])
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH'
])

export const NO_CREDENTIALS_HELP =
  "Either set input 'role-to-assume' to an IAM role that trusts GitHub's OIDC provider (the job needs 'permissions: id-token: write'), or run aws-actions/configure-aws-credentials in a step before this one."

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'ServerException',
  'InternalServerException',
  'TimeoutError',
  'RequestTimeout'
])

/**
 * A failure after which the call may have taken effect and may succeed when repeated: a 5xx, throttling, a
 * timeout, a reset. Looks through the ActionError this module wraps SDK errors in.
 */
export function isTransientAwsError(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause
  const inner = error instanceof ActionError && cause !== undefined ? cause : error
  const status = (inner as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode
  const code = errorCode(inner)
  return (
    TRANSIENT_NAMES.has(errorName(inner)) ||
    (status !== undefined && status >= 500) ||
    (code !== undefined && NETWORK_CODES.has(code))
  )
}

/** The error code of an SDK error (service errors carry it as `name`). */
export function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name
  return typeof name === 'string' ? name : 'Error'
}

/**
 * Failures every AWS call can hit, whatever the operation: no or rejected credentials, an unreachable
 * endpoint. Returns undefined for anything specific to the operation.
 */
export function commonAwsError(error: unknown, service: AwsService, region: string): ActionError | undefined {
  const name = errorName(error)
  const message = errorMessage(error)
  if (name === 'CredentialsProviderError') {
    return new ActionError(`No AWS credentials were found (${message}). ${NO_CREDENTIALS_HELP}`, { cause: error })
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return new ActionError(
      `AWS ${service} rejected the credentials (${name}: ${message}). If 'role-to-assume' is empty, the credentials come from the environment: check that aws-actions/configure-aws-credentials ran earlier in this job, that its session has not expired, and that it is for the partition of input 'image' (China and GovCloud accounts need their own credentials).`,
      { cause: error }
    )
  }
  const code = errorCode(error)
  if (name === 'TimeoutError' || (code !== undefined && NETWORK_CODES.has(code))) {
    const variable = [`AWS_ENDPOINT_URL_${service}`, 'AWS_ENDPOINT_URL'].find((name) => process.env[name])
    const detail = `${code === undefined ? '' : `${code} `}${message}`
    return new ActionError(
      variable
        ? `Could not reach AWS ${service} at ${process.env[variable]} (set by ${variable}): ${detail}. Check that this endpoint is up, or unset ${variable} to use AWS.`
        : `Could not reach AWS ${service} in region '${region}': ${detail}. Check that the region in input 'image' exists and is enabled for your account, and that the runner can reach AWS.`,
      { cause: error }
    )
  }
  return undefined
}
