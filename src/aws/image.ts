// What the image needs, read from ECR before any write: its manifest or index (BatchGetImage), the
// linux/amd64 manifest of an index, and that manifest's config blob (GetDownloadUrlForLayer, then a GET of
// the presigned URL, bounded and checked against its digest). A read the role may not make (AccessDenied) or
// that the endpoint does not serve is unknown, with the permission that would reveal it: never a pass.
import type { ECRClient } from '@aws-sdk/client-ecr'
import { createHash } from 'node:crypto'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { ActionError, errorMessage } from '../errors.js'
import { parseImageConfig, type ImageConfig } from '../image/config.js'
import {
  ACCEPTED_MEDIA_TYPES,
  parseManifest,
  isHigherAmd64Level,
  platformsOf,
  runpodEntry,
  RUNPOD_PLATFORM,
  type Manifest
} from '../image/manifest.js'
import type { EcrRepository } from './arn.js'
import { ecrSdk, isAccessDenied } from './ecr.js'
import { commonAwsError, errorName } from './sdk.js'

/** A config blob is a few kilobytes (tens with a long history): past this it is not one. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024
const BLOB_TIMEOUT_MS = 30_000

/** What was read of the image; `unknown` says what could not be, and which permission would reveal it. */
export interface ImageRead {
  /** Platforms offered (attestations left out); undefined when the manifest could not be read. */
  readonly platforms?: readonly string[]
  /** The linux/amd64 config; undefined when there is none or it could not be read. */
  readonly config?: ImageConfig
  readonly unknown: readonly string[]
}

/** Reads the image's platforms and linux/amd64 config. Failures that are not the image's are thrown. */
export async function readImage(
  client: ECRClient,
  repo: EcrRepository,
  imageId: { readonly imageTag: string } | { readonly imageDigest: string }
): Promise<ImageRead> {
  const name =
    'imageTag' in imageId ? `${repo.repository}:${imageId.imageTag}` : `${repo.repository}@${imageId.imageDigest}`
  const top = await manifestOf(client, repo, imageId, name)
  if ('unknown' in top) return { unknown: [top.unknown] }
  let manifest: Manifest = top.manifest
  let platforms: string[] | undefined
  if (manifest.kind === 'index') {
    platforms = platformsOf(manifest)
    const entry = runpodEntry(manifest)
    if (!entry) return { platforms, unknown: [] }
    const child = await manifestOf(client, repo, { imageDigest: entry.digest }, `${name} (${RUNPOD_PLATFORM})`)
    if ('unknown' in child) return { platforms, unknown: [child.unknown] }
    manifest = child.manifest
    if (manifest.kind !== 'image')
      throw new ActionError(
        `The ${RUNPOD_PLATFORM} entry of ${name} is itself an index, which no registry client pulls.`
      )
  }
  const blob = await configBlob(client, repo, manifest.config.digest, name)
  if ('unknown' in blob) return { ...(platforms ? { platforms } : {}), unknown: [blob.unknown] }
  const config = parseImageConfig(blob.text, `The config blob of ${name}`)
  return {
    platforms: platforms ?? [config.platform],
    ...(config.platform === RUNPOD_PLATFORM || isHigherAmd64Level(config.platform) || platforms ? { config } : {}),
    unknown: []
  }
}

async function manifestOf(
  client: ECRClient,
  repo: EcrRepository,
  imageId: { readonly imageTag: string } | { readonly imageDigest: string },
  name: string
): Promise<{ manifest: Manifest } | { unknown: string }> {
  let response
  try {
    const { BatchGetImageCommand } = await ecrSdk()
    response = await client.send(
      new BatchGetImageCommand({
        registryId: repo.account,
        repositoryName: repo.repository,
        imageIds: [imageId],
        acceptedMediaTypes: [...ACCEPTED_MEDIA_TYPES]
      })
    )
  } catch (error) {
    return { unknown: unreadable(error, repo, 'ecr:BatchGetImage', `the manifest of ${name}`) }
  }
  const image = response.images?.[0]
  if (!image?.imageManifest) {
    const failure = response.failures?.[0]
    throw new ActionError(
      `ECR found no manifest for ${name} (${failure?.failureCode ?? 'no image'}: ${failure?.failureReason ?? 'BatchGetImage returned none'}). Push the image again, then rerun.`
    )
  }
  return { manifest: parseManifest(image.imageManifest, image.imageManifestMediaType, `The manifest of ${name}`) }
}

async function configBlob(
  client: ECRClient,
  repo: EcrRepository,
  digest: string,
  name: string
): Promise<{ text: string } | { unknown: string }> {
  let url: string | undefined
  try {
    const { GetDownloadUrlForLayerCommand } = await ecrSdk()
    const response = await client.send(
      new GetDownloadUrlForLayerCommand({
        registryId: repo.account,
        repositoryName: repo.repository,
        layerDigest: digest
      })
    )
    url = response.downloadUrl
  } catch (error) {
    const code = errorName(error)
    if (code === 'LayersNotFoundException' || code === 'LayerInaccessibleException') {
      return {
        unknown: `ECR has no readable config blob ${digest} for ${name} (${code}: ${errorMessage(error)}): its CUDA needs could not be read. Push the image again to restore it.`
      }
    }
    return { unknown: unreadable(error, repo, 'ecr:GetDownloadUrlForLayer', `the config of ${name}`) }
  }
  if (!url) return { unknown: `ECR gave no download URL for the config of ${name}: its CUDA needs could not be read.` }
  const bytes = await download(url, name)
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  if (actual !== digest) {
    throw new ActionError(
      `The config blob of ${name} does not match its digest (expected ${digest}, got ${actual}): what ECR served is not what the image names. Push the image again; if it persists, check the runner's proxy, which may alter downloads.`
    )
  }
  return { text: bytes.toString('utf8') }
}

/**
 * A GET of a presigned URL: https (plain http only to a loopback test server), through the runner's proxy
 * (Node's global agents, which runner-proxy.ts points at it), no redirect followed, bounded in size and time.
 */
function download(url: string, name: string): Promise<Buffer> {
  const target = new URL(url)
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && loopback)) {
    throw new ActionError(
      `ECR gave a download URL for the config of ${name} that is not https (${target.origin}): refusing it.`
    )
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<Buffer>((resolve, reject) => {
    const refuse = (why: string) =>
      reject(
        new ActionError(
          `Could not download the config blob of ${name} from ${target.origin}: ${why}. Rerun the job; check the runner's proxy if it persists.`
        )
      )
    const request = send(target, { method: 'GET', timeout: BLOB_TIMEOUT_MS }, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0
      if (status < 200 || status >= 300) {
        response.resume()
        refuse(
          status >= 300 && status < 400
            ? `HTTP ${status}, a redirect, which the action does not follow`
            : `HTTP ${status}`
        )
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_CONFIG_BYTES) {
          request.destroy()
          refuse(`it is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB, more than any config blob`)
          return
        }
        chunks.push(chunk)
      })
      response.on('end', () => resolve(Buffer.concat(chunks)))
      response.on('error', (error) => refuse(errorMessage(error)))
    })
    // The socket timeout catches silence; this one bounds the whole download, a slow trickle included.
    const overall = setTimeout(
      () => request.destroy(new Error(`not done within ${BLOB_TIMEOUT_MS / 1000} s`)),
      BLOB_TIMEOUT_MS
    )
    request.on('close', () => clearTimeout(overall))
    request.on('timeout', () => request.destroy(new Error(`no answer within ${BLOB_TIMEOUT_MS / 1000} s`)))
    request.on('error', (error) => refuse(errorMessage(error)))
    request.end()
  })
}

/** A read the role may not make, or that the endpoint does not serve: unknown, naming the permission. */
function unreadable(error: unknown, repo: EcrRepository, permission: string, what: string): string {
  const code = errorName(error)
  if (isAccessDenied(code)) {
    return `Could not read ${what} (${code}): give the deploy role '${permission}' on ${repo.arn} so the action can check the image's platform and CUDA needs before deploying.`
  }
  const common = commonAwsError(error, 'ECR', repo.region)
  if (common) throw common
  return `Could not read ${what} (${code}: ${errorMessage(error)}): ECR did not serve ${permission}, so the image's platform and CUDA needs are unknown.`
}
