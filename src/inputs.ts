import { isIamPrincipalArn, isIamRoleArn } from './aws/arn.js'
import { AWS_REGION_PATTERN } from './aws/image-reference.js'
import { ActionError } from './errors.js'
import { isCudaVersion } from './image/cuda.js'
import type { ImageChecks } from './image/fit.js'
import { RUNPOD_DEPLOYMENT_ROLES } from './policy/runpod-statement.js'
import { parseEnvInput, type EnvChange } from './runpod/env.js'
import {
  DEFAULT_RUNPOD_API_URL,
  DEFAULT_RUNPOD_PROXY_URL,
  DEFAULT_RUNPOD_SERVERLESS_URL,
  parseApiUrl,
  parseProxyUrlTemplate
} from './runpod/api-url.js'

export type Mode = 'deploy' | 'verify' | 'lint'
export type PolicyMode = 'apply' | 'verify' | 'skip'
export type RegistryAuth = 'delegation' | 'token' | 'none'

export interface LintInputs {
  readonly mode: 'lint'
  readonly policyFiles: readonly string[]
  /** Registry policies (V2 scope): their Deny statements take part in every pull; they grant nothing needed. */
  readonly registryPolicyFiles: readonly string[]
  /** The principals that must be able to pull: the lint judges the policies for them. */
  readonly runpodPrincipals: readonly string[]
  readonly sarifFile?: string
  readonly failOn: 'error' | 'warning'
}

export interface DeployInputs {
  readonly mode: 'deploy' | 'verify'
  readonly image: string
  readonly podIds: readonly string[]
  readonly endpointIds: readonly string[]
  readonly runpodApiKey: string
  readonly runpodApiUrl: URL
  readonly policy: PolicyMode
  readonly runpodPrincipals: readonly string[]
  readonly registryAuth: RegistryAuth
  readonly registryCredentialName?: string
  readonly roleToAssume?: string
  readonly roleSessionName: string
  readonly audience: string
  readonly awsRegion?: string
  readonly pinDigest: boolean
  readonly wait: boolean
  readonly waitTimeoutSeconds: number
  readonly rollback: boolean
  /** verify mode on a pull request: comment the plan on it. */
  readonly prComment: 'auto' | 'off'
  readonly githubToken?: string
  /** A job sent to each endpoint once it rolled out; it must complete (and match `expect`) or it is rolled back. */
  readonly smoke?: SmokeInputs
  /** Where Serverless endpoints take jobs. */
  readonly runpodServerlessUrl: URL
  /** The target patched and waited for (and smoke-tested) first; the rest only when it passes. */
  readonly canary?: string
  /** What the image needs against where it is sent: fail on a misfit, warn, or read nothing more. */
  readonly imageChecks: ImageChecks
  /** A CUDA floor (`major.minor`) beyond what the image's config declares. */
  readonly minCudaVersion?: string
  /** A pod counts as rolled out once its container has run the new image this long without a restart. */
  readonly minReadySeconds: number
  /** Pods: an HTTP check through Runpod's proxy that must answer 2xx before the pod counts as rolled out. */
  readonly healthCheck?: HealthSettings
  /** Env changes sent with the image, in the same PATCH. */
  readonly env?: EnvChange
  /** Runpod templates kept in step with the image. */
  readonly templateIds: readonly string[]
}

/** `health-check: PORT/PATH` with `health-timeout` and `runpod-proxy-url`. */
export interface HealthSettings {
  readonly port: number
  /** Starts with `/`. */
  readonly path: string
  /** `runpod-proxy-url`, with `{id}` and `{port}`. */
  readonly urlTemplate: string
  readonly timeoutSeconds: number
}

export interface SmokeInputs {
  readonly body: unknown
  /** The JSON the job's output must contain; absent: any output of a COMPLETED job passes. */
  readonly expect?: unknown
  readonly timeoutSeconds: number
}

export type Inputs = LintInputs | DeployInputs

/** Reads one raw input the way `core.getInput` does: trimmed, '' when unset. */
export type InputReader = (name: string) => string

/**
 * Parses and checks every input before anything else happens, so a typo fails the run at once with the
 * input's name instead of half-way through a deploy.
 */
export function parseInputs(read: InputReader, env: NodeJS.ProcessEnv): Inputs {
  const mode = oneOf(read, 'mode', ['deploy', 'verify', 'lint'] as const, 'deploy')
  if (mode === 'lint') return parseLintInputs(read)
  return parseDeployInputs(mode, read, env)
}

function parseLintInputs(read: InputReader): LintInputs {
  const policyFiles = lines(read('policy-file'))
  const registryPolicyFiles = lines(read('registry-policy-file'))
  if (policyFiles.length === 0 && registryPolicyFiles.length === 0) {
    throw new ActionError(
      "Input 'policy-file' is required in lint mode: list the repository policy files or globs to lint, one per line (for example 'policies/*.json'), and registry policies in 'registry-policy-file'."
    )
  }
  const sarifFile = read('sarif-file')
  return {
    mode: 'lint',
    policyFiles,
    registryPolicyFiles,
    runpodPrincipals: principals(read('runpod-principals')),
    ...(sarifFile ? { sarifFile } : {}),
    failOn: oneOf(read, 'fail-on', ['error', 'warning'] as const, 'error')
  }
}

function parseDeployInputs(mode: 'deploy' | 'verify', read: InputReader, env: NodeJS.ProcessEnv): DeployInputs {
  const image = read('image')
  if (!image) {
    throw new ActionError(
      `Input 'image' is required in ${mode} mode: set it to the ECR image reference you pushed, for example '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-worker:v1'.`
    )
  }
  const runpodApiKey = read('runpod-api-key') || env['RUNPOD_API_KEY']?.trim() || ''
  if (!runpodApiKey) {
    throw new ActionError(
      `Input 'runpod-api-key' is required in ${mode} mode: pass a Runpod API key from a secret ('runpod-api-key: \${{ secrets.RUNPOD_API_KEY }}') or set the RUNPOD_API_KEY environment variable. Secrets are empty in pull requests from forks and in Dependabot runs.`
    )
  }
  const registryAuth = oneOf(read, 'registry-auth', ['delegation', 'token', 'none'] as const, 'delegation')
  const registryCredentialName = read('registry-credential-name')
  const roleToAssume = read('role-to-assume')
  const awsRegion = read('aws-region')
  const githubToken = read('github-token') || env['GITHUB_TOKEN']?.trim() || ''
  const podIds = ids(read, 'pod-id')
  const endpointIds = ids(read, 'endpoint-id')
  const wait = bool(read, 'wait', true)
  const smoke = smokeInputs(read, wait)
  const canary = canaryTarget(read('canary'), podIds, endpointIds, wait)
  const minCudaVersion = read('min-cuda-version')
  if (minCudaVersion && !isCudaVersion(minCudaVersion)) {
    throw new ActionError(
      `Input 'min-cuda-version' is '${minCudaVersion}': give a CUDA version as major.minor, for example '12.8'.`
    )
  }
  const healthCheck = healthCheckInputs(read)
  const envInput = read('env')
  const envChange = envInput.trim() ? parseEnvInput(envInput) : undefined
  return {
    mode,
    image,
    podIds,
    endpointIds,
    runpodApiKey,
    runpodApiUrl: parseApiUrl(read('runpod-api-url') || DEFAULT_RUNPOD_API_URL),
    policy: oneOf(read, 'policy', ['apply', 'verify', 'skip'] as const, registryAuth === 'token' ? 'skip' : 'apply'),
    runpodPrincipals: principals(read('runpod-principals')),
    registryAuth,
    ...(registryCredentialName ? { registryCredentialName } : {}),
    ...(roleToAssume ? { roleToAssume: roleArn(roleToAssume) } : {}),
    roleSessionName: roleSessionName(read('role-session-name') || 'runpod-ecr-deploy'),
    audience: read('audience') || 'sts.amazonaws.com',
    ...(awsRegion ? { awsRegion: region(awsRegion) } : {}),
    pinDigest: bool(read, 'pin-digest', false),
    wait,
    waitTimeoutSeconds: positiveSeconds('wait-timeout', read('wait-timeout') || '900'),
    rollback: bool(read, 'rollback', true),
    prComment: oneOf(read, 'pr-comment', ['auto', 'off'] as const, 'auto'),
    ...(githubToken ? { githubToken } : {}),
    ...(smoke ? { smoke } : {}),
    runpodServerlessUrl: parseApiUrl(
      read('runpod-serverless-url') || DEFAULT_RUNPOD_SERVERLESS_URL,
      'runpod-serverless-url',
      DEFAULT_RUNPOD_SERVERLESS_URL
    ),
    ...(canary ? { canary } : {}),
    imageChecks: oneOf(read, 'image-checks', ['enforce', 'warn', 'off'] as const, 'enforce'),
    ...(minCudaVersion ? { minCudaVersion } : {}),
    minReadySeconds: wholeSeconds('min-ready-seconds', read('min-ready-seconds') || '10'),
    ...(healthCheck ? { healthCheck } : {}),
    ...(envChange ? { env: envChange } : {}),
    templateIds: ids(read, 'template-id')
  }
}

/** `health-check: PORT/PATH` with its timeout and the proxy URL template; undefined when not set. */
function healthCheckInputs(read: InputReader): HealthSettings | undefined {
  const raw = read('health-check')
  if (!raw) return undefined
  const match = /^(\d{1,5})(\/.*)$/.exec(raw)
  const port = Number(match?.[1])
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ActionError(
      `Input 'health-check' is '${raw}': give the pod's HTTP port and the path to ask, as PORT/PATH, for example '8000/health'.`
    )
  }
  return {
    port,
    path: match[2] ?? '/',
    urlTemplate: parseProxyUrlTemplate(read('runpod-proxy-url') || DEFAULT_RUNPOD_PROXY_URL),
    timeoutSeconds: positiveSeconds('health-timeout', read('health-timeout') || '300')
  }
}

function wholeSeconds(name: string, raw: string): number {
  const seconds = Number(raw)
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new ActionError(`Input '${name}' is '${raw}': give a whole number of seconds, 0 or more, for example 10.`)
  }
  return seconds
}

function oneOf<T extends string>(read: InputReader, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(name)
  if (!raw) return fallback
  const value = raw.toLowerCase()
  const match = allowed.find((option) => option === value)
  if (match === undefined) {
    throw new ActionError(
      `Input '${name}' is '${raw}', which is not one of: ${allowed.join(', ')}. Set it to one of those or remove it to use '${fallback}'.`
    )
  }
  return match
}

// Same truthy/falsy words as core.getBooleanInput (YAML 1.2 core schema), with a default for empty.
function bool(read: InputReader, name: string, fallback: boolean): boolean {
  const raw = read(name)
  if (!raw) return fallback
  if (['true', 'True', 'TRUE'].includes(raw)) return true
  if (['false', 'False', 'FALSE'].includes(raw)) return false
  throw new ActionError(`Input '${name}' is '${raw}', which is not a boolean: use 'true' or 'false'.`)
}

function lines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}

function ids(read: InputReader, name: string): string[] {
  const seen = new Set<string>()
  for (const id of read(name)
    .split(/[,\n\r]/)
    .map((part) => part.trim())) {
    if (/\s/.test(id)) {
      throw new ActionError(
        `Input '${name}' has '${id}', which holds a space: ids are separated by commas or new lines. Write them as '${id.split(/\s+/).join(', ')}' or one per line.`
      )
    }
    if (id !== '') seen.add(id)
  }
  return [...seen]
}

function principals(raw: string): string[] {
  const given = lines(raw)
  if (given.length === 0) return [...RUNPOD_DEPLOYMENT_ROLES]
  for (const arn of given) {
    if (!isIamPrincipalArn(arn)) {
      throw new ActionError(
        `Input 'runpod-principals' has '${arn}', which is not an IAM principal ARN (arn:aws:iam::ACCOUNT:role/NAME). List one ARN per line, or remove the input to use Runpod's documented deployment roles.`
      )
    }
  }
  return given
}

function roleArn(raw: string): string {
  if (!isIamRoleArn(raw)) {
    throw new ActionError(
      `Input 'role-to-assume' is '${raw}', which is not an IAM role ARN. Use the full ARN, for example 'arn:aws:iam::123456789012:role/github-runpod-deploy'.`
    )
  }
  return raw
}

function roleSessionName(raw: string): string {
  if (!/^[\w+=,.@-]{2,64}$/.test(raw)) {
    throw new ActionError(
      `Input 'role-session-name' is '${raw}': AWS allows 2 to 64 characters of letters, digits and +=,.@_- only.`
    )
  }
  return raw
}

function region(raw: string): string {
  if (!AWS_REGION_PATTERN.test(raw)) {
    throw new ActionError(`Input 'aws-region' is '${raw}', which is not an AWS region name such as 'us-east-1'.`)
  }
  return raw
}

function positiveSeconds(name: string, raw: string): number {
  const seconds = Number(raw)
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new ActionError(
      `Input '${name}' is '${raw}': give a whole number of seconds greater than 0, for example ${name === 'wait-timeout' ? 900 : 300}.`
    )
  }
  return seconds
}

/** Runpod's limit on a job's payload (runsync). */
const JOB_PAYLOAD_MAX_BYTES = 20 * 1024 * 1024

function smokeInputs(read: InputReader, wait: boolean): SmokeInputs | undefined {
  const raw = read('smoke-test')
  const expectRaw = read('smoke-expect')
  if (!raw) {
    if (expectRaw)
      throw new ActionError(
        "Input 'smoke-expect' is set without 'smoke-test': add the job to send in 'smoke-test', or remove 'smoke-expect'."
      )
    return undefined
  }
  const body = json('smoke-test', raw, `for example '{"input": {"prompt": "ping"}}'`)
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('input' in body)) {
    throw new ActionError(
      `Input 'smoke-test' must be a JSON object with an "input" field, the job body Runpod's runsync takes, for example '{"input": {"prompt": "ping"}}'.`
    )
  }
  if (Buffer.byteLength(JSON.stringify(body)) > JOB_PAYLOAD_MAX_BYTES) {
    throw new ActionError("Input 'smoke-test' is larger than Runpod's 20 MB job payload limit: send a small job.")
  }
  if (!wait) {
    throw new ActionError(
      "Input 'smoke-test' needs 'wait: true': the job is sent once an endpoint is seen rolled out. Remove 'wait: false' or 'smoke-test'."
    )
  }
  const expected = expectRaw ? json('smoke-expect', expectRaw, `for example '{"status": "ok"}'`) : undefined
  return {
    body,
    ...(expectRaw ? { expect: expected } : {}),
    timeoutSeconds: positiveSeconds('smoke-timeout', read('smoke-timeout') || '300')
  }
}

function json(name: string, raw: string, example: string): unknown {
  try {
    return JSON.parse(raw)
  } catch (error) {
    throw new ActionError(`Input '${name}' is not valid JSON (${(error as Error).message}): ${example}.`)
  }
}

function canaryTarget(
  raw: string,
  podIds: readonly string[],
  endpointIds: readonly string[],
  wait: boolean
): string | undefined {
  if (!raw) return undefined
  if (!podIds.includes(raw) && !endpointIds.includes(raw)) {
    throw new ActionError(
      `Input 'canary' is '${raw}', which is none of the targets: name one id from 'pod-id' or 'endpoint-id' (${[...podIds, ...endpointIds].join(', ') || 'both are empty'}).`
    )
  }
  if (!wait) {
    throw new ActionError(
      "Input 'canary' needs 'wait: true': the other targets are deployed only once the canary is seen rolled out. Remove 'wait: false' or 'canary'."
    )
  }
  return raw
}
