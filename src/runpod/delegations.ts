// Runpod ECR delegations: which one serves a repository, and creating one when none does.
import type { EcrRepository } from '../aws/arn.js'
import { ActionError } from '../errors.js'
import { RUNPOD_STATEMENT_SID } from '../policy/runpod-statement.js'
import type { RunpodClient } from './client.js'
import { RunpodApiError } from './errors.js'
import type { EcrDelegation } from './wire.js'

/** The delegation for this repository, if Runpod has one (account, region and repository all match). */
export function findDelegation(delegations: readonly EcrDelegation[], repo: EcrRepository): EcrDelegation | undefined {
  return delegations.find(
    (delegation) =>
      delegation.awsUser === repo.account &&
      delegation.awsRegion === repo.region &&
      delegation.repository === repo.repository
  )
}

/**
 * Creates the delegation for a repository, never twice: after a failure that may have taken effect, the
 * delegations are listed again and one for this repository is the one the lost request created. Runpod
 * checks the repository policy at this call, so a rejection almost always means the policy does not (yet)
 * grant Runpod's deployment roles.
 */
export async function createDelegation(
  client: RunpodClient,
  repo: EcrRepository,
  name?: string
): Promise<EcrDelegation> {
  const arn = repo.arn
  try {
    return await client.createDelegation(name === undefined ? { resource: arn } : { resource: arn, name }, async () =>
      findDelegation(await client.listDelegations(), repo)
    )
  } catch (error) {
    if (error instanceof RunpodApiError && (error.status === 400 || error.status === 403 || error.status === 422)) {
      throw new ActionError(
        `Runpod refused to create an ECR delegation for ${arn} (${error.summary}): the repository policy of '${repo.repository}' does not grant Runpod's deployment roles pull access. ` +
          `Run the action with 'policy: apply' to add the '${RUNPOD_STATEMENT_SID}' statement, or add it to the repository policy yourself (see docs/aws-setup.md), then rerun. If the policy was just changed, AWS may still be propagating it: rerun in a minute. If 'runpod-principals' is set, check that it lists Runpod's current deployment roles.` +
          (error.status === 403
            ? " If the policy is in place, check that the key in 'runpod-api-key' may manage registry delegations."
            : '')
      )
    }
    throw error
  }
}
