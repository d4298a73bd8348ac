// Images as a registry holds them, for the local ECR: config blobs with real digests, single-platform
// manifests, and indexes with attestation entries as BuildKit writes them.
import { createHash } from 'node:crypto'

export interface ImageSpec {
  /** `os/arch[/variant]` of each image; more than one, or `index: true`, makes an index. Default linux/amd64. */
  readonly platforms?: readonly string[]
  readonly index?: boolean
  /** BuildKit's provenance entries (`unknown/unknown`) beside the images. */
  readonly attestations?: boolean
  /** The container's ENV lines, `NAME=value` (NVIDIA_REQUIRE_CUDA=…). */
  readonly env?: readonly string[]
  /** OCI media types instead of Docker's. */
  readonly oci?: boolean
  /** A label that makes this image's digests its own (two tags of one repository differ). */
  readonly label?: string
}

export interface StoredManifest {
  readonly digest: string
  readonly mediaType: string
  readonly text: string
}

export interface BuiltImage {
  /** Pushed first, by digest: the platform manifests of an index. */
  readonly children: readonly StoredManifest[]
  /** Pushed with the tag. */
  readonly top: StoredManifest
  readonly blobs: ReadonlyMap<string, Buffer>
}

const sha256 = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

export function buildImage(spec: ImageSpec = {}): BuiltImage {
  const platforms = spec.platforms ?? ['linux/amd64']
  const blobs = new Map<string, Buffer>()
  const types = spec.oci
    ? {
        manifest: 'application/vnd.oci.image.manifest.v1+json',
        index: 'application/vnd.oci.image.index.v1+json',
        config: 'application/vnd.oci.image.config.v1+json'
      }
    : {
        manifest: 'application/vnd.docker.distribution.manifest.v2+json',
        index: 'application/vnd.docker.distribution.manifest.list.v2+json',
        config: 'application/vnd.docker.container.image.v1+json'
      }
  const manifestFor = (platform: string): StoredManifest => {
    const [os = 'linux', architecture = 'amd64', variant] = platform.split('/')
    const config = Buffer.from(
      JSON.stringify({
        architecture,
        os,
        ...(variant ? { variant } : {}),
        config: {
          Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...(spec.env ?? [])],
          Labels: { build: spec.label ?? '' }
        },
        rootfs: { type: 'layers', diff_ids: [] }
      })
    )
    const configDigest = sha256(config)
    blobs.set(configDigest, config)
    const text = JSON.stringify({
      schemaVersion: 2,
      mediaType: types.manifest,
      config: { mediaType: types.config, size: config.length, digest: configDigest },
      layers: []
    })
    return { digest: sha256(text), mediaType: types.manifest, text }
  }
  if (platforms.length === 1 && !spec.index) return { children: [], top: manifestFor(platforms[0] ?? ''), blobs }
  const children = platforms.map(manifestFor)
  const entries = children.map((child, index) => {
    const [os, architecture, variant] = (platforms[index] ?? '').split('/')
    return {
      mediaType: child.mediaType,
      digest: child.digest,
      size: child.text.length,
      platform: { os, architecture, ...(variant ? { variant } : {}) }
    }
  })
  const attestations = spec.attestations
    ? children.map((child) => {
        const text = JSON.stringify({
          schemaVersion: 2,
          mediaType: types.manifest,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest: sha256('{}') },
          layers: []
        })
        return {
          mediaType: types.manifest,
          digest: sha256(text + child.digest),
          size: text.length,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': child.digest
          }
        }
      })
    : []
  const text = JSON.stringify({ schemaVersion: 2, mediaType: types.index, manifests: [...entries, ...attestations] })
  return { children, top: { digest: sha256(text), mediaType: types.index, text }, blobs }
}
