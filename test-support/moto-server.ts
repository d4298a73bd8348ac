import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { CreateRepositoryCommand, ECRClient, PutImageCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'

/**
 * A real moto server (https://github.com/getmoto/moto) standing in for AWS STS and ECR.
 *
 * Accounts: moto keeps one backend per calling account. Static keys (AWS_ACCESS_KEY_ID=testing) call as
 * MOTO_DEFAULT_ACCOUNT; credentials from STS AssumeRole/AssumeRoleWithWebIdentity call as the account in
 * the role ARN. `registryId` only filters inside the caller's backend. So: with the default credential
 * chain use images in MOTO_DEFAULT_ACCOUNT; with role-to-assume use a role in the image's account. The
 * seed helpers below call as the repository's account, which fits both.
 *
 * moto's STS accepts any web identity token and needs no IAM role to exist. It stores repository
 * policies verbatim (real ECR rewrites them) and returns GetAuthorizationToken data with a fixed
 * expiry in 2015.
 */
export const MOTO_DEFAULT_ACCOUNT = '123456789012'

export interface MotoServer {
  readonly url: string
  /** Environment that points the AWS SDK (and so the bundled action) at this server. */
  readonly env: Record<string, string>
  reset(): Promise<void>
  stop(): Promise<void>
}

export interface MotoOptions {
  readonly readyTimeoutMs?: number
}

const VENV = path.resolve('.venv')

// moto runs in its own process group, so a signal to ours does not reach it. It watches its stdin
// instead: when this process dies in any way (even SIGKILL) the pipe closes and moto exits with it.
const MOTO_WITH_LIFELINE = [
  'import os, sys, threading',
  'threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()',
  'from moto.server import main',
  "main(['-H', '127.0.0.1', '-p', '0'])"
].join('\n')

/** Starts moto on a free 127.0.0.1 port; `stop()` (in afterAll) ends it and its process group. */
export async function startMotoServer(options: MotoOptions = {}): Promise<MotoServer> {
  const python = motoPython()
  // Own process group, so stop() also ends anything moto starts.
  const child = spawn(python, ['-c', MOTO_WITH_LIFELINE], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' }
  })
  const killOnExit = () => killGroup(child, 'SIGKILL')
  process.once('exit', killOnExit)
  let url: string
  try {
    url = await announcedUrl(child, options.readyTimeoutMs ?? 30_000)
  } catch (error) {
    process.removeListener('exit', killOnExit)
    await stopChild(child)
    throw error
  }
  const server: MotoServer = {
    url,
    env: {
      AWS_ENDPOINT_URL_STS: url,
      AWS_ENDPOINT_URL_ECR: url,
      AWS_ENDPOINT_URL_KMS: url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true'
    },
    async reset() {
      const response = await fetch(`${url}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(10_000) })
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`)
    },
    async stop() {
      process.removeListener('exit', killOnExit)
      await stopChild(child)
    }
  }
  return server
}

/** A Python with moto's server, installing `moto[server]` into the git-ignored .venv when none has it. */
function motoPython(): string {
  const venvPython = path.join(VENV, 'bin', 'python')
  for (const candidate of [venvPython, 'python3']) {
    if ((candidate === 'python3' || existsSync(candidate)) && hasMotoServer(candidate)) return candidate
  }
  const steps = [
    ['python3', ['-m', 'venv', VENV]],
    [path.join(VENV, 'bin', 'pip'), ['install', '--quiet', 'moto[server]']]
  ] as const
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 300_000 })
    if (result.status !== 0) {
      throw new Error(
        `moto's server is not installed and installing it failed (${command} ${args.join(' ')}: ${result.stderr || result.error?.message}). Install it yourself: python3 -m venv .venv && .venv/bin/pip install 'moto[server]'`
      )
    }
  }
  return venvPython
}

function hasMotoServer(python: string): boolean {
  return spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore', timeout: 30_000 }).status === 0
}

/** Waits for werkzeug's "Running on http://127.0.0.1:PORT" line, then for the API to answer. */
async function announcedUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`moto did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`moto exited with code ${code} before it was ready:\n${output}`))
    })
  })
  // Keep draining its request log so the pipe never fills up.
  child.stdout?.resume()
  child.stderr?.resume()
  const response = await fetch(`${url}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(10_000) })
  if (!response.ok) throw new Error(`moto at ${url} is not answering: HTTP ${response.status}`)
  return url
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  killGroup(child, 'SIGTERM')
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000)
  await exited
  clearTimeout(timer)
}

// ---- Seeding, with the real AWS SDK pointed at moto -------------------------------------------------

export interface SeedRepository {
  readonly account: string
  readonly region: string
  readonly repository: string
}

/** An ECR client for `repo.account`'s backend in moto (static keys for the default account, else a role). */
export async function seedClient(server: MotoServer, account: string, region: string): Promise<ECRClient> {
  return new ECRClient({ region, endpoint: server.url, credentials: await seedCredentials(server, account, region) })
}

/** Credentials of `account` in moto: its default account's keys, or a session of a role in the account. */
export async function seedCredentials(
  server: MotoServer,
  account: string,
  region: string
): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }> {
  const staticKeys = { accessKeyId: 'testing', secretAccessKey: 'testing' }
  if (account === MOTO_DEFAULT_ACCOUNT) return staticKeys
  const sts = new STSClient({ region, endpoint: server.url, credentials: staticKeys })
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/moto-seed`, RoleSessionName: 'seed' })
  )
  sts.destroy()
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error('moto AssumeRole returned no credentials')
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }
}

async function withSeedClient<T>(
  server: MotoServer,
  repo: SeedRepository,
  use: (client: ECRClient) => Promise<T>
): Promise<T> {
  const client = await seedClient(server, repo.account, repo.region)
  try {
    return await use(client)
  } finally {
    client.destroy()
  }
}

export async function createRepository(
  server: MotoServer,
  repo: SeedRepository & { readonly kmsKey?: string }
): Promise<string> {
  return withSeedClient(server, repo, async (client) => {
    const response = await client.send(
      new CreateRepositoryCommand({
        registryId: repo.account,
        repositoryName: repo.repository,
        ...(repo.kmsKey ? { encryptionConfiguration: { encryptionType: 'KMS', kmsKey: repo.kmsKey } } : {})
      })
    )
    return response.repository?.repositoryArn ?? ''
  })
}

/**
 * Pushes a manifest-only image and returns its digest. moto stores the explicit `imageDigest` as given;
 * by default it is the manifest's real sha256, as a registry would compute it.
 */
export async function pushImage(
  server: MotoServer,
  repo: SeedRepository & {
    readonly tag?: string
    readonly digest?: string
    /** A manifest of one's own (test-support/oci-image.ts); default a manifest-only image. */
    readonly manifest?: { readonly text: string; readonly mediaType: string }
  }
): Promise<string> {
  const manifest =
    repo.manifest?.text ??
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: 2,
        digest: `sha256:${createHash('sha256')
          .update(`${repo.repository}:${repo.tag ?? ''}`)
          .digest('hex')}`
      },
      layers: []
    })
  const digest = repo.digest ?? `sha256:${createHash('sha256').update(manifest).digest('hex')}`
  await withSeedClient(server, repo, (client) =>
    client.send(
      new PutImageCommand({
        registryId: repo.account,
        repositoryName: repo.repository,
        imageManifest: manifest,
        ...(repo.manifest ? { imageManifestMediaType: repo.manifest.mediaType } : {}),
        imageDigest: digest,
        ...(repo.tag !== undefined ? { imageTag: repo.tag } : {})
      })
    )
  )
  return digest
}

export async function setRepositoryPolicy(server: MotoServer, repo: SeedRepository, policyText: string): Promise<void> {
  await withSeedClient(server, repo, (client) =>
    client.send(
      new SetRepositoryPolicyCommand({ registryId: repo.account, repositoryName: repo.repository, policyText })
    )
  )
}
