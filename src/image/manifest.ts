// An image's manifest as ECR returns it (BatchGetImage): a single-platform manifest (Docker schema 2 or
// OCI) that names its config blob, or an index (Docker manifest list or OCI index) that names one manifest per
// platform. Pure parsing; the reads are aws/image.ts's.
import { ActionError } from '../errors.js'

export const INDEX_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json'
] as const
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json'
] as const
/** What BatchGetImage is asked to return: every form a pushed image may take. */
export const ACCEPTED_MEDIA_TYPES = [...MANIFEST_MEDIA_TYPES, ...INDEX_MEDIA_TYPES]

/** Where Runpod runs containers. */
export const RUNPOD_PLATFORM = 'linux/amd64'

/**
 * `os/architecture[/variant]` as containerd normalises a platform before matching it: names lowercased, the
 * aliases of an architecture folded (`x86_64` → amd64, `aarch64` → arm64), and a variant that is the
 * architecture's baseline dropped (`amd64/v1` is amd64, `arm64/v8` is arm64).
 */
export function normalizePlatform(os: string, architecture: string, variant?: string): string {
  let arch = architecture.toLowerCase()
  let level = (variant ?? '').toLowerCase()
  if (arch === 'x86_64' || arch === 'x86-64') arch = 'amd64'
  if (arch === 'aarch64') arch = 'arm64'
  if (arch === 'i386') arch = '386'
  if (arch === 'armhf') [arch, level] = ['arm', 'v7']
  if (arch === 'armel') [arch, level] = ['arm', 'v6']
  if (/^\d+$/.test(level)) level = `v${level}`
  if ((arch === 'amd64' && level === 'v1') || (arch === 'arm64' && level === 'v8') || arch === '386') level = ''
  if (arch === 'arm' && level === '') level = 'v7'
  return [os.toLowerCase(), arch, level].filter(Boolean).join('/')
}

/** amd64 builds for a higher micro-architecture level (v2–v4): whether Runpod's CPUs have it is not published. */
export function isHigherAmd64Level(platform: string): boolean {
  return /^linux\/amd64\/v[2-4]$/.test(platform)
}

export interface BlobRef {
  readonly digest: string
  readonly size: number
}

export interface IndexEntry {
  readonly digest: string
  /** `os/architecture[/variant]`, or `unknown/unknown` for an attestation. */
  readonly platform: string
  /** A build attestation (provenance, SBOM) stored beside the images: not an image. */
  readonly attestation: boolean
}

export type Manifest =
  | { readonly kind: 'image'; readonly config: BlobRef }
  | { readonly kind: 'index'; readonly entries: readonly IndexEntry[] }

const DIGEST = /^sha256:[0-9a-f]{64}$/

/** Parses a manifest or index; `where` names it in the error when it is neither. */
export function parseManifest(text: string, mediaType: string | undefined, where: string): Manifest {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw unreadable(where, 'it is not JSON')
  }
  if (typeof body !== 'object' || body === null) throw unreadable(where, 'it is not a JSON object')
  const record = body as Record<string, unknown>
  const type = mediaType ?? (typeof record['mediaType'] === 'string' ? record['mediaType'] : undefined)
  if (Array.isArray(record['manifests']) || (type && (INDEX_MEDIA_TYPES as readonly string[]).includes(type))) {
    const entries = (Array.isArray(record['manifests']) ? record['manifests'] : []).map((entry) =>
      indexEntry(entry, where)
    )
    return { kind: 'index', entries }
  }
  const config = record['config']
  if (typeof config === 'object' && config !== null) return { kind: 'image', config: blobRef(config, where) }
  if (record['schemaVersion'] === 1) {
    throw new ActionError(
      `${where} is a Docker schema 1 manifest, which names no config: rebuild and push the image with a current Docker (schema 2 or OCI).`
    )
  }
  throw unreadable(where, 'it names neither a config nor platform manifests')
}

function indexEntry(entry: unknown, where: string): IndexEntry {
  const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>
  const digest = record['digest']
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw unreadable(where, 'an entry has no sha256 digest')
  const platform = (record['platform'] ?? {}) as Record<string, unknown>
  const part = (key: string) => (typeof platform[key] === 'string' ? (platform[key] as string) : undefined)
  const name = normalizePlatform(part('os') ?? 'unknown', part('architecture') ?? 'unknown', part('variant'))
  const annotations = (record['annotations'] ?? {}) as Record<string, unknown>
  const attestation = annotations['vnd.docker.reference.type'] === 'attestation-manifest' || name === 'unknown/unknown'
  return { digest, platform: name, attestation }
}

function blobRef(value: object, where: string): BlobRef {
  const { digest, size } = value as Record<string, unknown>
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw unreadable(where, 'its config has no sha256 digest')
  return { digest, size: typeof size === 'number' && Number.isFinite(size) ? size : -1 }
}

/** The platforms an index offers, attestations left out. */
export function platformsOf(index: Extract<Manifest, { kind: 'index' }>): string[] {
  return index.entries.filter((entry) => !entry.attestation).map((entry) => entry.platform)
}

/**
 * The index entry Runpod's hosts would pull, if there is one: linux/amd64, or else an amd64 entry for a
 * higher micro-architecture level, whose config still tells what the container needs.
 */
export function runpodEntry(index: Extract<Manifest, { kind: 'index' }>): IndexEntry | undefined {
  const images = index.entries.filter((entry) => !entry.attestation)
  return (
    images.find((entry) => entry.platform === RUNPOD_PLATFORM) ??
    images.find((entry) => isHigherAmd64Level(entry.platform))
  )
}

function unreadable(where: string, why: string): ActionError {
  return new ActionError(
    `${where} cannot be read as an image manifest (${why}). Check that the reference names a container image pushed with Docker or a compatible tool.`
  )
}
