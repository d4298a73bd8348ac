import * as core from '@actions/core'
import { ActionError, errorMessage } from '../errors.js'
import { registerSecret } from '../secrets.js'
import { parseArn } from './arn.js'
import { ecrSdk } from './ecr.js'
import { awsClientSettings, NO_CREDENTIALS_HELP, commonAwsError, errorName, type AwsCredentials } from './sdk.js'

export interface AwsCredentialOptions {
  /** IAM role to assume with GitHub's OIDC token; empty or absent: the SDK's default credential chain. */
  readonly roleToAssume?: string | undefined
  readonly roleSessionName: string
  readonly audience: string
  readonly region: string
  /** Bound on the OIDC token request, which @actions/core makes without a timeout of its own. */
  readonly oidcTimeoutMs?: number
}

const SESSION_SECONDS = 3600
const GITHUB_ISSUER_HOST = 'token.actions.githubusercontent.com'
const REPORTED_CLAIMS = [
  'sub',
  'aud',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'ref',
  'environment'
]

/**
 * AWS credentials for the ECR calls: a session for `roleToAssume` from GitHub OIDC, or else the default
 * chain (environment, web identity token file, profile), checked here so that a missing setup fails
 * with advice before any other work.
 */
export async function resolveAwsCredentials(options: AwsCredentialOptions): Promise<AwsCredentials> {
  if (options.roleToAssume) return assumeRoleWithGitHubOidc({ ...options, roleToAssume: options.roleToAssume })
  return defaultChain(options.region)
}

async function defaultChain(region: string): Promise<AwsCredentials> {
  // The ECR client's own default provider, so the check resolves exactly what the ECR calls will use.
  const { ECRClient } = await ecrSdk()
  const client = new ECRClient({ region, ...awsClientSettings() })
  const provider = client.config.credentials
  try {
    await provider()
  } catch (error) {
    throw new ActionError(
      `No AWS credentials were found: input 'role-to-assume' is empty and the default AWS credential chain found nothing (${errorMessage(error)}). ${NO_CREDENTIALS_HELP}`,
      { cause: error }
    )
  } finally {
    client.destroy()
  }
  return provider
}

async function assumeRoleWithGitHubOidc(
  options: AwsCredentialOptions & { roleToAssume: string }
): Promise<AwsCredentials> {
  const token = await gitHubIdToken(options.audience, options.oidcTimeoutMs ?? 60_000)
  // Loaded once the token is here, not beside its request: compiling the SDK would hold back the first
  // requests, and with the token in hand the wall time is the same (npm run bench -- cold round-trips).
  const { AssumeRoleWithWebIdentityCommand, STSClient } = await import('@aws-sdk/client-sts')
  const sts = new STSClient({ region: options.region, ...awsClientSettings() })
  try {
    const response = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: options.roleToAssume,
        RoleSessionName: options.roleSessionName,
        WebIdentityToken: token,
        DurationSeconds: SESSION_SECONDS
      })
    )
    const credentials = response.Credentials
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new Error(`STS returned no credentials for ${options.roleToAssume}`)
    }
    registerSecret(credentials.AccessKeyId)
    registerSecret(credentials.SecretAccessKey)
    registerSecret(credentials.SessionToken)
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {})
    }
  } catch (error) {
    throw stsError(error, options, token)
  } finally {
    sts.destroy()
  }
}

async function gitHubIdToken(audience: string, timeoutMs: number): Promise<string> {
  if (!process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] || !process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
    // Off a runner (@github/local-action, a script) there is no token to be had, whatever the permissions.
    if (process.env['GITHUB_ACTIONS'] !== 'true') {
      throw new ActionError(
        "Input 'role-to-assume' is set, but this run is not on a GitHub Actions runner (GITHUB_ACTIONS is not 'true', as under @github/local-action), and only a runner can issue a GitHub OIDC token. To run locally, leave 'role-to-assume' empty and give static AWS credentials instead: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the .env file."
      )
    }
    throw new ActionError(
      "Input 'role-to-assume' is set but this job cannot request a GitHub OIDC token. Add 'permissions: id-token: write' to the job or workflow (pull requests from forks never get a token). Alternatively leave 'role-to-assume' empty and configure AWS credentials with aws-actions/configure-aws-credentials in an earlier step."
    )
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)
  })
  try {
    // getIDToken masks the token in the log as soon as it arrives; registered, it is redacted from files too.
    const token = await Promise.race([core.getIDToken(audience), timeout])
    registerSecret(token)
    return token
  } catch (error) {
    throw new ActionError(
      `Could not get a GitHub OIDC token for audience '${audience}' (input 'audience'): ${errorMessage(error)}. Check that the job has 'permissions: id-token: write' and re-run the job.`,
      { cause: error }
    )
  } finally {
    clearTimeout(timer)
  }
}

function stsError(error: unknown, options: AwsCredentialOptions & { roleToAssume: string }, token: string): Error {
  if (error instanceof ActionError) return error
  const name = errorName(error)
  const message = errorMessage(error)
  const role = options.roleToAssume
  if (name === 'AccessDenied' || name === 'InvalidIdentityToken' || name === 'IDPRejectedClaim') {
    return new ActionError(
      `AWS STS refused to let this workflow assume input 'role-to-assume' ${role} (${name}: ${message}). ${trustPolicyHelp(role, options.audience, token)}`,
      { cause: error }
    )
  }
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken') {
    return new ActionError(
      `The GitHub OIDC token expired before AWS STS accepted it for ${role} (${message}). Re-run the job; if it keeps happening, check the runner's clock.`,
      { cause: error }
    )
  }
  if (name === 'ValidationError') {
    return new ActionError(
      `AWS STS rejected the request to assume ${role}: ${message}. Check inputs 'role-to-assume' (a role ARN in the image's partition) and 'role-session-name'.`,
      { cause: error }
    )
  }
  return (
    commonAwsError(error, 'STS', options.region) ??
    new ActionError(`AWS STS AssumeRoleWithWebIdentity for ${role} failed: ${name}: ${message}`, { cause: error })
  )
}

/** Explains what the role's trust policy must match, from the token's non-secret claims (never the token). */
function trustPolicyHelp(role: string, audience: string, token: string): string {
  const claims = tokenClaims(token)
  const shown = REPORTED_CLAIMS.filter((key) => claims[key] !== undefined)
    .map((key) => `${key}=${JSON.stringify(claims[key])}`)
    .join(', ')
  const { partition = 'aws', account = 'ACCOUNT' } = parseArn(role) ?? {}
  return [
    shown
      ? `The GitHub OIDC token carried these claims: ${shown}.`
      : 'The GitHub OIDC token carried no readable claims.',
    `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal arn:${partition}:iam::${account}:oidc-provider/${GITHUB_ISSUER_HOST} (that IAM OIDC identity provider must exist in the account, with audience '${audience}'),`,
    `with conditions that match these claims: "${GITHUB_ISSUER_HOST}:aud" equal to "${audience}" (input 'audience'),`,
    `and "${GITHUB_ISSUER_HOST}:sub" matching the sub above, for example "repo:OWNER/REPO:ref:refs/heads/main", "repo:OWNER/REPO:environment:NAME" for jobs that use an environment, or StringLike "repo:OWNER/REPO:*".`,
    `Repositories created or renamed after 18 June 2026 (or opted in) get GitHub's immutable sub, with the owner and repository ids appended to their names, "repo:OWNER-OWNER_ID/REPO-REPO_ID:ref:refs/heads/main" (the repository_owner_id and repository_id claims), which name-only patterns do not match. See docs/aws-setup.md.`
  ].join(' ')
}

/** The JWT payload, decoded without verification: only used to explain a refusal. */
function tokenClaims(token: string): Record<string, unknown> {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
