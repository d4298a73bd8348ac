// Every ARN this action reads or writes: its six parts, and the few shapes it builds or checks.

export type AwsPartition = 'aws' | 'aws-cn' | 'aws-us-gov'

/** `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; the resource keeps any further colons. */
export interface Arn {
  readonly partition: string
  readonly service: string
  readonly region: string
  readonly account: string
  readonly resource: string
}

/** A private ECR repository: where it lives and the ARN that names it in policies and at Runpod. */
export interface EcrRepository {
  readonly account: string
  readonly region: string
  readonly partition: AwsPartition
  readonly repository: string
  readonly arn: string
}

const ACCOUNT_ID = /^\d{12}$/
const ROLE_NAME_PATH = /^role\/[\w+=,.@/-]+$/
const PRINCIPAL_RESOURCE = /^(role|user)\/.+$|^root$/

/**
 * The six colon-separated parts of an ARN (or of an ARN pattern: `*` and `?` stay as they are), the last
 * keeping any further colons; undefined when there are fewer than six.
 */
export function arnParts(text: string): string[] | undefined {
  const parts = text.split(':')
  if (parts.length < 6) return undefined
  return [...parts.slice(0, 5), parts.slice(5).join(':')]
}

/** The parts of an ARN by name; undefined when the text is not one. */
export function parseArn(text: string): Arn | undefined {
  const parts = arnParts(text)
  if (parts?.[0] !== 'arn') return undefined
  const [, partition = '', service = '', region = '', account = '', resource = ''] = parts
  return { partition, service, region, account, resource }
}

export function partitionOf(region: string): AwsPartition {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

export function ecrRepository(account: string, region: string, repository: string): EcrRepository {
  const partition = partitionOf(region)
  return {
    account,
    region,
    partition,
    repository,
    arn: `arn:${partition}:ecr:${region}:${account}:repository/${repository}`
  }
}

/** The account's root principal, the form AWS stores a bare account id in a policy's Principal. */
export function accountRootArn(account: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:root`
}

export function isAccountId(text: string): boolean {
  return ACCOUNT_ID.test(text)
}

/** The 12-digit account of an IAM ARN (role, user, root); undefined for anything else. */
export function iamAccountOf(text: string): string | undefined {
  const arn = parseArn(text)
  return arn && arn.service === 'iam' && isAccountId(arn.account) ? arn.account : undefined
}

/** An account's root ARN (`arn:…:iam::ACCOUNT:root`): the account id, else undefined. */
export function rootArnAccount(text: string): string | undefined {
  const arn = parseArn(text)
  return arn && arn.service === 'iam' && arn.resource === 'root' && isAccountId(arn.account) ? arn.account : undefined
}

/** An IAM role, user or account root ARN, as a principal in a policy. */
export function isIamPrincipalArn(text: string): boolean {
  const arn = parseArn(text)
  return isIamArn(arn) && PRINCIPAL_RESOURCE.test(arn.resource)
}

/** An IAM role ARN that STS can assume. */
export function isIamRoleArn(text: string): boolean {
  const arn = parseArn(text)
  return isIamArn(arn) && ROLE_NAME_PATH.test(arn.resource)
}

function isIamArn(arn: Arn | undefined): arn is Arn {
  return (
    arn !== undefined &&
    /^aws[a-z-]*$/.test(arn.partition) &&
    arn.service === 'iam' &&
    arn.region === '' &&
    isAccountId(arn.account)
  )
}
