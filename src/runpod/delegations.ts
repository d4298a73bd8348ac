// Runpod ECR delegations: which one serves a repository, and creating one when none does.
import { ActionError } from '../errors.js'
import type { EcrRepositoryRef } from '../aws/ecr.js'
import type { PrivateEcrRepository } from '../aws/image-reference.js'
import type { EcrDelegation } from './wire.js'
import type { RunpodClient } from './client.js'
import { RunpodApiError } from './errors.js'
import { RUNPOD_STATEMENT_SID } from '../policy/runpod-statement.js'

/** The delegation for this repository, if Runpod has one (account, region and repository all match). */
export function findDelegation(delegations: readonly EcrDelegation[], repo: EcrRepositoryRef): EcrDelegation | undefined {
  return delegations.find(
    (delegation) =>
      delegation.awsUser === repo.account && delegation.awsRegion === repo.region && delegation.repository === repo.repository
  )
}

export function parseRepositoryArn(arn: string): EcrRepositoryRef | undefined {
  const match = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/.exec(arn)
  if (!match?.[1] || !match[2] || !match[3]) return undefined
  return { region: match[1], account: match[2], repository: match[3] }
}

/**
 * Creates the delegation for a repository. Runpod checks the repository policy at this call, so a
 * rejection almost always means the policy does not (yet) grant Runpod's deployment roles.
 */
export async function createDelegation(client: RunpodClient, repo: PrivateEcrRepository, name?: string): Promise<EcrDelegation> {
  const arn = repo.arn
  try {
    return await client.createDelegation(arn, name)
  } catch (error) {
    if (error instanceof RunpodApiError && (error.status === 400 || error.status === 403 || error.status === 422)) {
      throw new ActionError(
        `Runpod refused to create an ECR delegation for ${arn} (${error.summary}): the repository policy of '${repo.repository}' does not grant Runpod's deployment roles pull access. ` +
          `Run the action with 'policy: apply' to add the '${RUNPOD_STATEMENT_SID}' statement, or add it to the repository policy yourself (see docs/aws-setup.md), then rerun. If the policy was just changed, AWS may still be propagating it: rerun in a minute. If 'runpod-principals' is set, check that it lists Runpod's current deployment roles.` +
          (error.status === 403 ? " If the policy is in place, check that the key in 'runpod-api-key' may manage registry delegations." : '')
      )
    }
    throw error
  }
}
