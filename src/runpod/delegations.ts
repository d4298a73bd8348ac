// Runpod ECR delegations: which one serves a repository, and creating one when none does.
import type { EcrRepository } from '../aws/arn.js'
import { ActionError } from '../errors.js'
import { RUNPOD_STATEMENT_SID } from '../policy/runpod-statement.js'
import type { RunpodClient } from './client.js'
import { RunpodApiError } from './errors.js'
import type { RequestBudget, RequestLog } from './http.js'
import type { EcrDelegation } from './wire.js'

export interface CreateDelegationOptions {
  readonly name?: string
  /**
   * `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG`: the resource to send once when Runpod refuses the
   * repository ARN (its console stores a tagged image URI; the OpenAPI document names the ARN).
   */
  readonly imageUri?: string
  readonly log?: RequestLog
  /** Bounds the create (a cancel cuts it after its grace). */
  readonly budget?: RequestBudget
}

/** The delegation for this repository, if Runpod has one (account, region and repository all match; never the tag). */
export function findDelegation(delegations: readonly EcrDelegation[], repo: EcrRepository): EcrDelegation | undefined {
  return oldest(delegations.filter((delegation) => serves(delegation, repo)))
}

function serves(delegation: EcrDelegation, repo: EcrRepository): boolean {
  return (
    delegation.awsUser === repo.account &&
    delegation.awsRegion === repo.region &&
    delegation.repository === repo.repository
  )
}

/**
 * The first created (by createdAt, then in Runpod's order): where two runs made one each, both keep this one.
 * Compared as instants, since `…:05Z` and `…:05.250Z` order wrongly as text; one without a readable time
 * counts as the oldest.
 */
function oldest(delegations: readonly EcrDelegation[]): EcrDelegation | undefined {
  const createdAt = (delegation: EcrDelegation) => {
    const time = Date.parse(delegation.createdAt ?? '')
    return Number.isNaN(time) ? -Infinity : time
  }
  // Equal instants (two unreadable ones too) keep Runpod's order: the sort is stable.
  return [...delegations].sort((a, b) => (createdAt(a) === createdAt(b) ? 0 : createdAt(a) - createdAt(b)))[0]
}

/**
 * Creates the delegation for a repository, never twice: after a failure that may have taken effect, the
 * delegations are listed again and one for this repository is the one the lost request created. Runpod
 * checks the repository policy at this call, so a rejection almost always means the policy does not (yet)
 * grant Runpod's deployment roles. Then settleDelegation.
 */
export async function createDelegation(
  client: RunpodClient,
  repo: EcrRepository,
  options: CreateDelegationOptions = {}
): Promise<EcrDelegation> {
  return settleDelegation(client, repo, await postDelegation(client, repo, options), options.log)
}

/** The create alone (never twice, the image URI once where the ARN is refused); see createDelegation. */
export async function postDelegation(
  client: RunpodClient,
  repo: EcrRepository,
  options: CreateDelegationOptions = {}
): Promise<EcrDelegation> {
  const { log } = options
  const create = (resource: string) =>
    client.createDelegation(
      options.name === undefined ? { resource } : { resource, name: options.name },
      async () => findDelegation(await client.listDelegations(), repo),
      options.budget
    )
  let created: EcrDelegation
  try {
    created = await create(repo.arn)
  } catch (error) {
    if (!options.imageUri || !refusesResource(error)) throw refusal(error, repo)
    log?.info(
      `Runpod did not take the repository ARN as the delegation's resource (${error.summary}): sending the image URI ${options.imageUri} instead.`
    )
    try {
      created = await create(options.imageUri)
    } catch (retryError) {
      throw refusal(retryError, repo)
    }
  }
  return created
}

/**
 * After a create: another run may have created one at the same moment, so the delegations are listed once
 * more and every run settles on the oldest, deleting its own if that is not it.
 */
export async function settleDelegation(
  client: RunpodClient,
  repo: EcrRepository,
  created: EcrDelegation,
  log?: RequestLog
): Promise<EcrDelegation> {
  const kept = findDelegation(await client.listDelegations(), repo) ?? created
  if (kept.id === created.id) return created
  log?.info(
    `Another run created delegation ${kept.id} for ${repo.arn} at the same time: using it and deleting ${created.id}.`
  )
  await client.deleteDelegation(created.id).catch((error: unknown) => {
    if (!(error instanceof RunpodApiError && error.status === 404)) throw error
  })
  return kept
}

/** A 400 or 422 whose problem is about the `resource` value itself, not about the repository policy. */
function refusesResource(error: unknown): error is RunpodApiError {
  if (!(error instanceof RunpodApiError) || (error.status !== 400 && error.status !== 422)) return false
  const text = [error.problem?.detail ?? error.summary, ...(error.problem?.errors ?? [])].join(' ')
  return /\bresource\b/i.test(text) && !/polic/i.test(text)
}

function refusal(error: unknown, repo: EcrRepository): unknown {
  if (!(error instanceof RunpodApiError) || (error.status !== 400 && error.status !== 403 && error.status !== 422))
    return error
  return new ActionError(
    `Runpod refused to create an ECR delegation for ${repo.arn} (${error.summary}): the repository policy of '${repo.repository}' does not grant Runpod's deployment roles pull access. ` +
      `Run the action with 'policy: apply' to add the '${RUNPOD_STATEMENT_SID}' statement, or add it to the repository policy yourself (see docs/aws-setup.md), then rerun. If the policy was just changed, AWS may still be propagating it: rerun in a minute. If 'runpod-principals' is set, check that it lists Runpod's current deployment roles.` +
      (error.status === 403
        ? " If the policy is in place, check that the key in 'runpod-api-key' may manage registry delegations."
        : '')
  )
}
