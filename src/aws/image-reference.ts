import { ActionError } from '../errors.js'
import { ecrRepository, partitionOf, type EcrRepository } from './arn.js'

export interface ImageReference {
  readonly registry: string
  readonly repository: string
  readonly tag?: string
  readonly digest?: string
  /** Absent for public.ecr.aws images, which need neither a repository policy nor a delegation. */
  readonly ecr?: EcrRepository
}

const EXPECTED_FORM =
  "Expected ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG][@sha256:DIGEST], for example '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-worker:v1'."

const PUBLIC_REGISTRY = 'public.ecr.aws'

// Private ECR registry hosts: commercial, China, FIPS and dual-stack (IPv6) names.
const PRIVATE_HOSTS: readonly RegExp[] = [
  /^(?<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/,
  /^(?<account>\d{12})\.dkr-ecr(?:-fips)?\.(?<region>[a-z0-9-]+)\.on\.(?:aws|amazonwebservices\.com\.cn)$/
]
export const AWS_REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/
// OCI distribution rules; ECR additionally limits the whole name to 2..256 characters.
const REPOSITORY_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const DIGEST = /^sha256:[a-f0-9]{64}$/

/**
 * Parses the `image` input. Without tag and digest, `context.releaseTag` (the release's tag name on a
 * release event) becomes the tag.
 */
export function parseImageReference(raw: string, context: { releaseTag?: string | undefined } = {}): ImageReference {
  const value = raw.trim()
  const fail = (problem: string): never => {
    throw new ActionError(`Input 'image' is not a valid ECR image reference: '${value}'. ${problem} ${EXPECTED_FORM}`)
  }
  if (value === '') fail('It is empty.')
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    fail('Remove the URL scheme: an image reference starts with the registry host.')
  if (/\s/.test(value)) fail('It contains whitespace.')

  const slash = value.indexOf('/')
  if (slash < 0) fail('It has no registry host: prefix the repository with your ECR registry.')
  const registry = value.slice(0, slash).toLowerCase()
  let rest = value.slice(slash + 1)

  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) {
      fail(`The digest '${digest}' is not 'sha256:' followed by 64 lowercase hexadecimal characters.`)
    }
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon >= 0) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (tag === '') fail("The tag after ':' is empty: is the variable that should hold it set?")
    if (!TAG.test(tag)) {
      fail(
        `The tag '${tag}' is not a valid image tag: use 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.`
      )
    }
  }
  const repository = rest
  checkRepository(repository, fail)

  let ecr: EcrRepository | undefined
  if (registry !== PUBLIC_REGISTRY) ecr = privateRepository(registry, repository, fail)
  else if (!repository.includes('/')) fail(`Public images are named ${PUBLIC_REGISTRY}/ALIAS/REPOSITORY.`)

  if (tag === undefined && digest === undefined) tag = releaseTag(value, context.releaseTag)

  return {
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    ...(ecr ? { ecr } : {})
  }
}

function checkRepository(repository: string, fail: (problem: string) => never): void {
  if (repository.length < 2 || repository.length > 256) {
    fail(`The repository name '${repository}' must be 2 to 256 characters long.`)
  }
  if (!repository.split('/').every((component) => REPOSITORY_COMPONENT.test(component))) {
    fail(
      `The repository name '${repository}' is not valid: use lowercase letters and digits, separated by '.', '_', '__' or '-', with '/' between path components.`
    )
  }
}

function privateRepository(registry: string, repository: string, fail: (problem: string) => never): EcrRepository {
  const match = PRIVATE_HOSTS.map((host) => host.exec(registry)).find((m) => m !== null)
  const account = match?.groups?.['account']
  const region = match?.groups?.['region']
  if (!account || !region) {
    return fail(
      `'${registry}' is not an Amazon ECR registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com with a 12-digit account id, or ${PUBLIC_REGISTRY} for public images).`
    )
  }
  if (!AWS_REGION_PATTERN.test(region))
    fail(`'${region}' in the registry host is not an AWS region name such as 'us-east-1'.`)
  const partition = partitionOf(region)
  const chinaHost = registry.endsWith('.cn')
  if (chinaHost !== (partition === 'aws-cn')) {
    fail(
      chinaHost
        ? `The host ends in '.cn' but '${region}' is not a China region (cn-north-1, cn-northwest-1).`
        : `China regions such as '${region}' use hosts ending in '.amazonaws.com.cn'.`
    )
  }
  return ecrRepository(account, region, repository)
}

function releaseTag(value: string, releaseTag: string | undefined): string {
  if (releaseTag === undefined || releaseTag === '') {
    throw new ActionError(
      `Input 'image' has neither a tag nor a digest: '${value}'. Add the tag you pushed (for example '${value}:v1') or a digest ('@sha256:…'), or run the workflow on a release event so the release's tag name is used as the tag.`
    )
  }
  if (!TAG.test(releaseTag)) {
    throw new ActionError(
      `Input 'image' has no tag, so the release's tag name '${releaseTag}' would be used, but it is not a valid image tag (1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'). Add the tag you pushed to input 'image' explicitly.`
    )
  }
  return releaseTag
}

/** The reference in its canonical form, `registry/repository[:tag][@sha256:…]`. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`
}

/** `registry/repository@sha256:…`, the form that pins exactly one image. */
export function imageWithDigest(ref: ImageReference, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`
}

/**
 * The AWS region to call ECR in. ECR repositories are regional, so `aws-region` defaults to the image's
 * region and may only repeat it. Public images have no region; their API lives in us-east-1.
 */
export function checkRegion(ref: ImageReference, awsRegion?: string): string {
  const imageRegion = ref.ecr?.region
  if (imageRegion === undefined) return awsRegion ?? 'us-east-1'
  if (awsRegion !== undefined && awsRegion !== imageRegion) {
    throw new ActionError(
      `Input 'aws-region' is '${awsRegion}' but input 'image' is in region '${imageRegion}' (${ref.registry}). An ECR repository can only be reached in its own region: remove 'aws-region' or set it to '${imageRegion}'.`
    )
  }
  return imageRegion
}
