// The read phase: everything the plan needs, concurrently where independent, and every problem at once.
import type { ECRClient } from '@aws-sdk/client-ecr'
import { resolveAwsCredentials } from '../aws/credentials.js'
import {
  createEcrClient,
  describeImage,
  getAuthorizationToken,
  listRepositoryImages,
  readLifecyclePolicy,
  readRegistryPolicy,
  readRepositoryEncryption,
  readRepositoryPolicy,
  type EcrAuthorization,
  type RegistryPolicyRead
} from '../aws/ecr.js'
import { createKmsClient, describeKey } from '../aws/kms.js'
import { parseArn, type EcrRepository } from '../aws/arn.js'
import { errorName, type AwsCredentials } from '../aws/sdk.js'
import { parseLifecyclePolicy } from '../image/lifecycle.js'
import type { RepositoryFacts } from '../image/way-back.js'
import { readImage } from '../aws/image.js'
import { formatImageReference, parseImageReference, type ImageReference } from '../aws/image-reference.js'
import { ActionError, errorMessage } from '../errors.js'
import { compareCuda, cudaFloor } from '../image/cuda.js'
import { admitsBelow, containerEnv, type EncryptionFacts, type ImageFacts } from '../image/fit.js'
import type { DeployInputs } from '../inputs.js'
import type { RunpodClient } from '../runpod/client.js'
import { isSecretReference, looksLikeSecretKey } from '../runpod/env.js'
import { readTargets, type TargetState } from '../runpod/targets.js'
import { readTemplates } from '../runpod/templates.js'
import type { CatalogGpu, ContainerEnv } from '../runpod/wire.js'
import type { Logger } from './log.js'
import type { DeployReads } from './plan.js'
import { logReads } from './report.js'

export interface ReadResult {
  readonly reads: DeployReads
  readonly ecr?: ECRClient
  /** A client for SetRepositoryPolicy that makes one attempt: the write phase reads before any repeat. */
  readonly policyWriter?: () => Promise<ECRClient>
  /** token mode: the registry login from ECR (the password is masked). */
  readonly login?: EcrAuthorization
}

interface AwsReads {
  readonly client?: ECRClient
  readonly policyWriter?: () => Promise<ECRClient>
  readonly digest?: string
  readonly imageFacts?: ImageFacts
  readonly policy?: { readonly text: string | undefined }
  readonly registryPolicy?: RegistryPolicyRead
  readonly login?: EcrAuthorization
}

/** Several read failures together, so one run names all of them before anything is changed. */
class ReadProblems extends ActionError {
  constructor(readonly problems: readonly unknown[]) {
    super(
      `Found ${problems.length} problems before changing anything:\n${problems.map((problem) => `- ${errorMessage(problem)}`).join('\n')}`
    )
  }
}

/** Like Promise.all, but waits for every read and throws all their failures together (nested lists flattened). */
async function allOrProblems<T extends readonly unknown[] | []>(
  reads: T
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(reads)
  const all = results.flatMap((result) =>
    result.status === 'fulfilled'
      ? []
      : result.reason instanceof ReadProblems
        ? result.reason.problems
        : [result.reason as unknown]
  )
  // One failure several reads share (a list they all wait for) is one problem.
  const problems = all.filter((problem, index) => all.indexOf(problem) === index)
  if (problems.length === 1) throw problems[0]
  if (problems.length > 1) throw new ReadProblems(problems)
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>
  }
}

export async function readEverything(
  inputs: DeployInputs,
  image: ImageReference,
  region: string,
  runpod: RunpodClient,
  log: Logger
): Promise<ReadResult> {
  const wantsDelegations = image.ecr !== undefined && inputs.registryAuth === 'delegation'
  const wantsRegistries = image.ecr !== undefined && inputs.registryAuth === 'token'
  // The AWS chain (OIDC → STS → {policy, image, token}) runs beside the Runpod reads; the way back (the
  // images a rollback would put back) is read once both the ECR client and the targets are there.
  const access = awsAccess(inputs, image, region)
  const targetReads = allOrProblems(readTargets(runpod, inputs.podIds, inputs.endpointIds))
  const templateReads =
    inputs.templateIds.length > 0 ? allOrProblems(readTemplates(runpod, inputs.templateIds)) : undefined
  const wayBack = access
    ? Promise.all([access, targetReads]).then(
        ([{ client }, read]) => readWayBack(client, image, read),
        // A failure of either is reported by its own read.
        () => undefined
      )
    : undefined
  const [aws, delegations, registries, targets, repositories, templates] = await allOrProblems([
    readAws(inputs, image, access),
    wantsDelegations ? runpod.listDelegations() : undefined,
    wantsRegistries ? runpod.listRegistries() : undefined,
    targetReads,
    wayBack,
    templateReads
  ])
  maskEnvValues([...targets, ...(templates ?? [])], log)
  const capacity = await readCapacity(inputs, aws.imageFacts, targets, runpod, log)
  const reads: DeployReads = {
    image,
    ...(aws.digest ? { imageDigest: aws.digest } : {}),
    ...(aws.imageFacts ? { imageFacts: aws.imageFacts } : {}),
    ...(capacity ? { capacity } : {}),
    ...(repositories ? { rollbackRepositories: repositories } : {}),
    ...(aws.policy ? { policy: aws.policy } : {}),
    ...(aws.registryPolicy ? { registryPolicy: aws.registryPolicy } : {}),
    ...(delegations ? { delegations } : {}),
    ...(registries ? { registries } : {}),
    targets,
    ...(templates ? { templates } : {})
  }
  logReads(log, reads, aws.login !== undefined)
  return {
    reads,
    ...(aws.client ? { ecr: aws.client } : {}),
    ...(aws.policyWriter ? { policyWriter: aws.policyWriter } : {}),
    ...(aws.login ? { login: aws.login } : {})
  }
}

/**
 * Env values read from Runpod may hold tokens someone pasted in the console: nothing prints them, and those that
 * could be one (a key that names a secret, or a long value) are masked as well, before the first line that
 * could hold them. Short values of other keys (`true`, `8000`) are left alone: masking them would blank those
 * words all over the log.
 */
function maskEnvValues(targets: readonly { readonly env?: ContainerEnv | null }[], log: Logger): void {
  for (const target of targets)
    for (const [key, value] of Object.entries(target.env ?? {}))
      if (!isSecretReference(value) && (value.length >= 16 || (looksLikeSecretKey(key) && value.length >= 4)))
        log.secret(value)
}

interface AwsAccess {
  readonly client: ECRClient
  readonly policyWriter: () => Promise<ECRClient>
  readonly credentials: AwsCredentials
  /** The deploy role's account, when 'role-to-assume' names it. */
  readonly callerAccount?: string
}

/** OIDC → STS → an ECR client, for a private image. */
function awsAccess(inputs: DeployInputs, image: ImageReference, region: string): Promise<AwsAccess> | undefined {
  if (!image.ecr) return undefined
  return resolveAwsCredentials({
    ...(inputs.roleToAssume ? { roleToAssume: inputs.roleToAssume } : {}),
    roleSessionName: inputs.roleSessionName,
    audience: inputs.audience,
    region
  }).then(async (credentials) => {
    const callerAccount = inputs.roleToAssume ? parseArn(inputs.roleToAssume)?.account : undefined
    return {
      client: await createEcrClient(region, credentials),
      policyWriter: () => createEcrClient(region, credentials, 1),
      credentials,
      ...(callerAccount ? { callerAccount } : {})
    }
  })
}

async function readAws(
  inputs: DeployInputs,
  image: ImageReference,
  access: ReturnType<typeof awsAccess>
): Promise<AwsReads> {
  const repo = image.ecr
  if (!repo || !access) return {}
  const { client, policyWriter, credentials, callerAccount } = await access
  // The exact image: by digest when the reference pins one, so a tag moved meanwhile is not what is judged.
  const imageId = image.digest !== undefined ? { imageDigest: image.digest } : { imageTag: image.tag ?? 'latest' }
  const checked = inputs.imageChecks !== 'off'
  const [found, policyText, registryPolicy, login, content, encryption] = await Promise.all([
    describeImage(client, repo, { tag: image.tag, digest: image.digest }),
    inputs.policy === 'skip' ? undefined : readRepositoryPolicy(client, repo),
    inputs.policy === 'skip' ? undefined : readRegistryPolicy(client, repo, callerAccount),
    // Also in verify mode: a read that proves the role may get the token a deploy needs.
    inputs.registryAuth === 'token' ? getAuthorizationToken(client, repo.account) : undefined,
    checked ? readImage(client, repo, imageId) : undefined,
    checked ? readEncryption(client, repo, credentials) : undefined
  ])
  const imageFacts: ImageFacts | undefined = content &&
    encryption && {
      image: formatImageReference(image),
      ...content,
      ...(found.status ? { status: found.status } : {}),
      ...(encryption.facts ? { encryption: encryption.facts } : {}),
      unknown: [...content.unknown, ...encryption.unknown]
    }
  return {
    client,
    policyWriter,
    digest: found.digest,
    ...(imageFacts ? { imageFacts } : {}),
    ...(inputs.policy === 'skip' ? {} : { policy: { text: policyText } }),
    ...(registryPolicy ? { registryPolicy } : {}),
    ...(login ? { login } : {})
  }
}

/**
 * The repository's encryption and, for a KMS key, its state: what decides whether ECR can decrypt the layers
 * for any pull. What the role may not read is unknown, with the permission that would reveal it.
 */
async function readEncryption(
  client: ECRClient,
  repo: EcrRepository,
  credentials: AwsCredentials
): Promise<{ facts?: EncryptionFacts; unknown: string[] }> {
  const unread = (permission: string, resource: string) => (error: unknown) => ({
    unknown: [
      `Could not read ${permission === 'kms:DescribeKey' ? `the state of KMS key ${resource}` : `the encryption of ${repo.repository}`} (${errorName(error)}: ${errorMessage(error)}): whether ECR can decrypt the image's layers is unknown. Give the deploy role '${permission}' on ${resource} to check it.`
    ]
  })
  let settings
  try {
    settings = await readRepositoryEncryption(client, repo)
  } catch (error) {
    return unread('ecr:DescribeRepositories', repo.arn)(error)
  }
  if (!settings) return { unknown: [] }
  const base = { repository: repo.repository, type: settings.type }
  // Without a key of its own, the repository uses AES256 or the AWS managed key: nothing can disable them.
  if (!settings.kmsKey) return { facts: base, unknown: [] }
  const keyArn = settings.kmsKey
  const kms = await createKmsClient(keyArn, repo.region, credentials)
  try {
    const key = await describeKey(kms, keyArn)
    return { facts: { ...base, key }, unknown: [] }
  } catch (error) {
    return { facts: { ...base, key: { arn: keyArn } }, ...unread('kms:DescribeKey', keyArn)(error) }
  } finally {
    kms.destroy()
  }
}

/**
 * Runpod's serverless capacity at the CUDA floor an endpoint may get: one catalog read after the image's config,
 * which is where the floor comes from, at the lowest floor a raised endpoint gets (the catalog lists the
 * versions at or above it). A failure leaves the capacity unknown.
 */
async function readCapacity(
  inputs: DeployInputs,
  facts: ImageFacts | undefined,
  targets: readonly TargetState[],
  runpod: RunpodClient,
  log: Logger
): Promise<CatalogGpu[] | undefined> {
  if (inputs.imageChecks !== 'enforce' || !facts) return undefined
  const imageEnv = facts.config?.env ?? new Map<string, string>()
  // Only an endpoint that admits hosts below its floor gets it raised, and only then is capacity a question.
  const raised = targets.flatMap((target) => {
    if (target.kind !== 'endpoint' || !target.placement) return []
    const floor = cudaFloor(containerEnv(imageEnv, target.env), inputs.minCudaVersion)
    return floor && admitsBelow(target.placement, floor.version) ? [floor.version] : []
  })
  const lowest = raised.sort(compareCuda)[0]
  if (lowest === undefined) return undefined
  try {
    return await runpod.serverlessCapacity(lowest)
  } catch (error) {
    log.notice(
      `Could not read Runpod's GPU capacity at CUDA ${lowest} (${errorMessage(error)}): whether endpoints can get workers at that floor now is unknown.`,
      { title: 'Image check unknown' }
    )
    return undefined
  }
}

/**
 * The repositories of this registry that hold the images a rollback would put back: their images and lifecycle
 * policy, for judgeWayBack. What the role may not read is unknown, with the permission that would reveal it.
 */
async function readWayBack(
  client: ECRClient,
  image: ImageReference,
  targets: readonly TargetState[]
): Promise<RepositoryFacts[]> {
  const registry = image.ecr
  if (!registry) return []
  const repositories = new Map<string, EcrRepository>()
  for (const target of targets) {
    let previous: ImageReference
    try {
      previous = parseImageReference(target.image)
    } catch {
      continue
    }
    const repo = previous.ecr
    if (repo && repo.account === registry.account && repo.region === registry.region)
      repositories.set(`${previous.registry}/${previous.repository}`, repo)
  }
  return Promise.all(
    [...repositories].map(async ([name, repo]): Promise<RepositoryFacts> => {
      const unknown: string[] = []
      const unread = (permission: string, what: string) => (error: unknown) => {
        unknown.push(
          `Could not read ${what} of ${repo.repository} (${errorName(error)}: ${errorMessage(error)}): whether rollback images there are kept is unknown. Give the deploy role '${permission}' on ${repo.arn} to check it.`
        )
        return undefined
      }
      const [images, policy] = await Promise.all([
        listRepositoryImages(client, repo).catch(unread('ecr:DescribeImages', 'the images')),
        readLifecyclePolicy(client, repo).then(
          (text) => {
            if (text === undefined) return null
            try {
              return parseLifecyclePolicy(text)
            } catch (error) {
              unknown.push(
                `${errorMessage(error)} The lifecycle policy of ${repo.repository} was not simulated: whether rollback images there are kept is unknown.`
              )
              return undefined
            }
          },
          unread('ecr:GetLifecyclePolicy', 'the lifecycle policy')
        )
      ])
      return { name, ...(images ? { images } : {}), ...(policy === undefined ? {} : { rules: policy }), unknown }
    })
  )
}
