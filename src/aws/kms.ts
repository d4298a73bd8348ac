// The KMS key a repository is encrypted with: ECR decrypts a layer for any pull through its own grant on the
// key, so the key's state, not its policy, decides whether Runpod's pull can succeed.
import type { KMSClient } from '@aws-sdk/client-kms'
import { parseArn } from './arn.js'
import { awsClientSettings, type AwsCredentials } from './sdk.js'

export interface KmsKeyRead {
  readonly arn: string
  /** `Enabled`, `Disabled`, `PendingDeletion`, …; undefined when KMS did not say. */
  readonly state?: string
  /** `AWS` for an AWS managed key, `CUSTOMER` for a key of the account's own. */
  readonly manager?: string
}

/** A KMS client for the key's region (a repository may use a key of another region only by its ARN). */
export async function createKmsClient(
  keyArn: string,
  region: string,
  credentials?: AwsCredentials
): Promise<KMSClient> {
  const { KMSClient } = await import('@aws-sdk/client-kms')
  const keyRegion = parseArn(keyArn)?.region || region
  return new KMSClient({
    region: keyRegion,
    ...awsClientSettings(),
    ...(credentials ? { credentials } : {})
  })
}

/** kms:DescribeKey. Failures are thrown, for the caller to report as unknown. */
export async function describeKey(client: KMSClient, keyArn: string): Promise<KmsKeyRead> {
  const { DescribeKeyCommand } = await import('@aws-sdk/client-kms')
  const { KeyMetadata: metadata } = await client.send(new DescribeKeyCommand({ KeyId: keyArn }))
  return {
    arn: metadata?.Arn ?? keyArn,
    ...(metadata?.KeyState ? { state: metadata.KeyState } : {}),
    ...(metadata?.KeyManager ? { manager: metadata.KeyManager } : {})
  }
}
