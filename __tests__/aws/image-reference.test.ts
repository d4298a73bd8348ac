import { describe, expect, it } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import {
  checkRegion,
  formatImageReference,
  imageWithDigest,
  parseImageReference
} from '../../src/aws/image-reference.js'

const DIGEST = `sha256:${'ab12'.repeat(16)}`

function failure(raw: string, context?: { releaseTag?: string }): ActionError {
  try {
    parseImageReference(raw, context)
  } catch (error) {
    if (error instanceof ActionError) return error
    throw error
  }
  throw new Error(`expected '${raw}' to be rejected`)
}

describe('parseImageReference', () => {
  it('parses a commercial registry with tag', () => {
    expect(parseImageReference('123456789012.dkr.ecr.us-east-1.amazonaws.com/my-worker:v1')).toEqual({
      registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      repository: 'my-worker',
      tag: 'v1',
      ecr: {
        account: '123456789012',
        region: 'us-east-1',
        partition: 'aws',
        repository: 'my-worker',
        arn: 'arn:aws:ecr:us-east-1:123456789012:repository/my-worker'
      }
    })
  })

  it.each([
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', 'cn-north-1', 'aws-cn'],
    ['123456789012.dkr.ecr-fips.us-east-2.amazonaws.com', 'us-east-2', 'aws'],
    ['123456789012.dkr-ecr.eu-west-1.on.aws', 'eu-west-1', 'aws'],
    ['123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn', 'cn-northwest-1', 'aws-cn'],
    ['123456789012.dkr.ecr.us-gov-west-1.amazonaws.com', 'us-gov-west-1', 'aws-us-gov'],
    ['123456789012.dkr.ecr-fips.us-gov-east-1.amazonaws.com', 'us-gov-east-1', 'aws-us-gov']
  ])('parses host %s', (host, region, partition) => {
    const ref = parseImageReference(`${host}/team/worker:1.0`)
    expect(ref.registry).toBe(host)
    expect(ref.ecr).toEqual({
      account: '123456789012',
      region,
      partition,
      repository: 'team/worker',
      arn: `arn:${partition}:ecr:${region}:123456789012:repository/team/worker`
    })
  })

  it('keeps repository names with several slashes and separators', () => {
    const ref = parseImageReference('123456789012.dkr.ecr.us-east-1.amazonaws.com/org/team__a/my.worker-x:latest')
    expect(ref.repository).toBe('org/team__a/my.worker-x')
    expect(ref.tag).toBe('latest')
  })

  it('parses a digest alone and a tag with a digest', () => {
    const host = '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    const byDigest = parseImageReference(`${host}/worker@${DIGEST}`, { releaseTag: 'v9' })
    expect(byDigest).toMatchObject({ repository: 'worker', digest: DIGEST })
    expect(byDigest).not.toHaveProperty('tag')
    expect(parseImageReference(`${host}/worker:v2@${DIGEST}`)).toMatchObject({ tag: 'v2', digest: DIGEST })
  })

  it('recognises public.ecr.aws as public, without an ECR repository', () => {
    const ref = parseImageReference('public.ecr.aws/my-alias/worker:v1')
    expect(ref).toEqual({ registry: 'public.ecr.aws', repository: 'my-alias/worker', tag: 'v1' })
  })

  it('normalises the host to lowercase and trims', () => {
    expect(parseImageReference('  123456789012.DKR.ECR.us-east-1.AMAZONAWS.com/worker:v1 ').registry).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com'
    )
  })

  it('takes the release tag when the reference has no tag or digest', () => {
    expect(
      parseImageReference('123456789012.dkr.ecr.us-east-1.amazonaws.com/worker', { releaseTag: 'v1.2.3' }).tag
    ).toBe('v1.2.3')
    expect(
      parseImageReference('123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1', { releaseTag: 'v2' }).tag
    ).toBe('v1')
  })

  it('asks for a tag or a release event when there is neither', () => {
    const message = failure('123456789012.dkr.ecr.us-east-1.amazonaws.com/worker').message
    expect(message).toContain("Input 'image'")
    expect(message).toContain('neither a tag nor a digest')
    expect(message).toContain('release event')
  })

  it('rejects a release tag that is not an image tag, naming the release', () => {
    const message = failure('123456789012.dkr.ecr.us-east-1.amazonaws.com/worker', {
      releaseTag: 'release/1.0'
    }).message
    expect(message).toContain("release's tag name 'release/1.0'")
    expect(message).toContain("input 'image'")
  })

  it.each([
    ['docker.io/library/nginx:1', 'not an Amazon ECR registry host'],
    ['nginx:1', 'no registry host'],
    ['12345.dkr.ecr.us-east-1.amazonaws.com/worker:v1', 'not an Amazon ECR registry host'],
    ['123456789012.dkr.ecr.useast.amazonaws.com/worker:v1', "'useast'"],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com.cn/worker:v1', 'not a China region'],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com/worker:v1', "'.amazonaws.com.cn'"],
    ['https://123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1', 'URL scheme'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/Worker:v1', "repository name 'Worker'"],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/team//worker:v1', "repository name 'team//worker'"],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/a:v1', '2 to 256'],
    [`123456789012.dkr.ecr.us-east-1.amazonaws.com/${'a'.repeat(257)}:v1`, '2 to 256'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:-v1', "tag '-v1'"],
    [`123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:${'a'.repeat(129)}`, 'not a valid image tag'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:', "The tag after ':' is empty"],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/worker@sha256:ABC', "digest 'sha256:ABC'"],
    [`123456789012.dkr.ecr.us-east-1.amazonaws.com/worker@sha512:${'a'.repeat(64)}`, 'digest'],
    ['public.ecr.aws/worker:v1', 'ALIAS/REPOSITORY'],
    ['', 'empty']
  ])('rejects %s', (raw, problem) => {
    const error = failure(raw)
    expect(error.message).toContain("Input 'image'")
    expect(error.message).toContain(problem)
    expect(error.message).toContain('ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG][@sha256:DIGEST]')
    if (raw.trim()) expect(error.message).toContain(`'${raw.trim()}'`)
  })
})

describe('formatting', () => {
  const ref = parseImageReference(`123456789012.dkr.ecr.us-east-1.amazonaws.com/team/worker:v3@${DIGEST}`)
  it('writes the canonical form and the digest form', () => {
    expect(formatImageReference(ref)).toBe(`123456789012.dkr.ecr.us-east-1.amazonaws.com/team/worker:v3@${DIGEST}`)
    expect(
      formatImageReference(
        parseImageReference('123456789012.dkr.ecr.us-east-1.amazonaws.com/worker', { releaseTag: 'v9' })
      )
    ).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v9')
    expect(imageWithDigest(ref, DIGEST)).toBe(`123456789012.dkr.ecr.us-east-1.amazonaws.com/team/worker@${DIGEST}`)
  })
})

describe('checkRegion', () => {
  const ref = parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:v1')
  it('defaults to the image region and accepts the same value', () => {
    expect(checkRegion(ref)).toBe('eu-west-1')
    expect(checkRegion(ref, 'eu-west-1')).toBe('eu-west-1')
  })
  it('rejects a conflicting aws-region, naming both inputs', () => {
    expect(() => checkRegion(ref, 'us-east-1')).toThrow(ActionError)
    expect(() => checkRegion(ref, 'us-east-1')).toThrow(
      /'aws-region' is 'us-east-1' but input 'image' is in region 'eu-west-1'/
    )
  })
  it('lets public images use aws-region or us-east-1', () => {
    const publicRef = parseImageReference('public.ecr.aws/alias/worker:v1')
    expect(checkRegion(publicRef)).toBe('us-east-1')
    expect(checkRegion(publicRef, 'eu-west-1')).toBe('eu-west-1')
  })
})
