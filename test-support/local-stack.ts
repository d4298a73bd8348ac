import { GetRepositoryPolicyCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr'
import { CreateKeyCommand, DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms'
import { analyzeGrant } from '../src/policy/grant.js'
import { RUNPOD_DEPLOYMENT_ROLES } from '../src/policy/runpod-statement.js'
import {
  createRepository,
  pushImage,
  seedClient,
  seedCredentials,
  startMotoServer,
  type MotoServer,
  type SeedRepository
} from './moto-server.js'
import { startEcrStandIn, type EcrStandIn } from './ecr-stand-in.js'
import { buildImage, type ImageSpec } from './oci-image.js'
import { startOidcStandIn, type OidcStandIn } from './oidc-stand-in.js'
import { startRunpodSimulator, type RunpodSimulator, type SimulatorOptions } from './runpod-simulator/index.js'

/**
 * moto (STS, ECR), the OIDC stand-in and the Runpod simulator together, wired like the real services:
 * Runpod refuses a delegation unless the repository policy in (moto's) ECR grants its deployment roles.
 * Used by the end-to-end tests, `npm run demo` and `npm run bench`.
 */
export interface LocalStack {
  readonly moto: MotoServer
  /** In front of moto for ECR (GetDownloadUrlForLayer, the blobs, imageStatus, injected denials), STS and KMS. */
  readonly ecr: EcrStandIn
  readonly oidc: OidcStandIn
  readonly runpod: RunpodSimulator
  /** The environment the bundled action needs to reach the stand-ins (as a runner with id-token: write). */
  readonly env: Record<string, string>
  /** The role the action assumes; moto acts as its account, so repositories live in that account. */
  readonly roleArn: string
  readonly account: string
  readonly region: string
  registryHost(): string
  /** Inputs for a deploy of `repository:tag` with OIDC, on top of which a test sets its own. */
  deployInputs(repository: string, tag: string): Record<string, string>
  /** With `kmsKey` (an ARN from createKmsKey), the repository is encrypted with that customer managed key. */
  createRepository(repository: string, options?: { readonly kmsKey?: string }): Promise<void>
  /** A customer managed KMS key of the account (moto), its ARN. */
  createKmsKey(): Promise<string>
  /** Puts the key in a state KMS will not decrypt with. */
  breakKmsKey(arn: string, state: 'Disabled' | 'PendingDeletion'): Promise<void>
  /** Pushes an image (default: linux/amd64, no CUDA requirement) with its config blob; returns its digest. */
  pushImage(repository: string, tag: string, spec?: ImageSpec): Promise<string>
  policy(repository: string): Promise<string | undefined>
  setLifecyclePolicy(repository: string, policy: object): Promise<void>
  stop(): Promise<void>
}

export interface LocalStackOptions {
  readonly account?: string
  readonly region?: string
  readonly runpod?: Omit<SimulatorOptions, 'policyGrantsRunpod'>
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const account = options.account ?? '111122223333'
  const region = options.region ?? 'us-east-1'
  const started: { stop(): Promise<void> }[] = []
  try {
    const moto = await startMotoServer()
    started.push(moto)
    const oidc = await startOidcStandIn()
    started.push({ stop: () => oidc.close() })
    const ecr = await startEcrStandIn(moto.url, account)
    started.push({ stop: () => ecr.close() })
    const repoRef = (repository: string): SeedRepository => ({ account, region, repository })
    const policy = async (repository: string, owner = account): Promise<string | undefined> => {
      const client = await seedClient(moto, owner, region)
      try {
        const response = await client.send(
          new GetRepositoryPolicyCommand({ registryId: owner, repositoryName: repository })
        )
        return response.policyText
      } catch (error) {
        if ((error as Error).name === 'RepositoryPolicyNotFoundException') return undefined
        throw error
      } finally {
        client.destroy()
      }
    }
    const runpod = await startRunpodSimulator({
      ...options.runpod,
      policyGrantsRunpod: async (resourceArn) => {
        const [, , , , owner = account, resource = ''] = resourceArn.split(':')
        const text = await policy(resource.replace(/^repository\//, ''), owner)
        return text !== undefined && analyzeGrant(text, RUNPOD_DEPLOYMENT_ROLES).pullable
      }
    })
    started.push({ stop: () => runpod.close() })
    const roleArn = `arn:aws:iam::${account}:role/github-runpod-deploy`
    const withKms = async <T>(use: (kms: KMSClient) => Promise<T>): Promise<T> => {
      const kms = new KMSClient({
        region,
        endpoint: moto.url,
        credentials: await seedCredentials(moto, account, region)
      })
      try {
        return await use(kms)
      } finally {
        kms.destroy()
      }
    }
    const registryHost = () => `${account}.dkr.ecr.${region}.amazonaws.com`
    return {
      moto,
      ecr,
      oidc,
      runpod,
      // STS and KMS pass through the ECR stand-in too, so every AWS call the action makes is recorded.
      env: {
        ...moto.env,
        AWS_ENDPOINT_URL_ECR: ecr.url,
        AWS_ENDPOINT_URL_STS: ecr.url,
        AWS_ENDPOINT_URL_KMS: ecr.url,
        ...oidc.env,
        AWS_REGION: region
      },
      roleArn,
      account,
      region,
      registryHost,
      deployInputs: (repository, tag) => ({
        image: `${registryHost()}/${repository}:${tag}`,
        'role-to-assume': roleArn,
        'runpod-api-key': runpod.apiKey,
        'runpod-api-url': runpod.url,
        // A stalled rollout ends well inside a test's time instead of polling the shared simulator on.
        'wait-timeout': '30',
        // The simulator's containers age in real time: readiness has tests of its own that set it.
        'min-ready-seconds': '0'
      }),
      createRepository: async (repository, options = {}) => {
        await createRepository(moto, { ...repoRef(repository), ...options })
      },
      createKmsKey: () =>
        withKms(async (kms) => {
          const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({ Description: 'ECR repository key' }))
          if (!key?.Arn) throw new Error('moto created no KMS key')
          return key.Arn
        }),
      breakKmsKey: (arn, state) =>
        withKms(async (kms) => {
          // moto takes the key id here, not the ARN.
          const keyId = arn.split('/').at(-1) ?? arn
          if (state === 'Disabled') await kms.send(new DisableKeyCommand({ KeyId: keyId }))
          else await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }))
        }),
      pushImage: async (repository, tag, spec = {}) => {
        const image = buildImage({ label: `${repository}:${tag}`, ...spec })
        for (const [digest, bytes] of image.blobs) ecr.blobs.set(digest, bytes)
        for (const child of image.children)
          await pushImage(moto, { ...repoRef(repository), digest: child.digest, manifest: child })
        return pushImage(moto, { ...repoRef(repository), tag, digest: image.top.digest, manifest: image.top })
      },
      policy,
      setLifecyclePolicy: async (repository, lifecycle) => {
        const client = await seedClient(moto, account, region)
        try {
          await client.send(
            new PutLifecyclePolicyCommand({
              registryId: account,
              repositoryName: repository,
              lifecyclePolicyText: JSON.stringify(lifecycle)
            })
          )
        } finally {
          client.destroy()
        }
      },
      stop: () => stopAll(started)
    }
  } catch (error) {
    await stopAll(started)
    throw error
  }
}

/**
 * Last started, first stopped, one after the other: the Runpod simulator finishes what it is handling (it may
 * be asking moto about a policy) while moto is still up. A service that fails to stop does not keep the
 * others running.
 */
async function stopAll(started: readonly { stop(): Promise<void> }[]): Promise<void> {
  for (const service of [...started].reverse()) await service.stop().catch(() => undefined)
}
