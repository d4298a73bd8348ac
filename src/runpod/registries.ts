// Token mode (registry-auth: token): which Runpod registry credentials carry the configured name, which
// one the targets should use and which older ones may go (pure decisions), then the writes: put a fresh
// ECR token into the credential (in place where Runpod still allows it, else by rotation), and delete the
// older credentials of the name that nothing uses.
import type { EcrRepository } from '../aws/arn.js'
import { ActionError, errorMessage } from '../errors.js'
import type { RunpodClient } from './client.js'
import { RunpodApiError } from './errors.js'
import type { RequestBudget, RequestLog } from './http.js'
import type { TargetState } from './targets.js'
import type { RegistryCredential } from './wire.js'

export type CredentialStep =
  | { readonly kind: 'skipped'; readonly reason: string }
  /** No credential of the name yet: create it under the bare name. */
  | { readonly kind: 'create'; readonly name: string }
  /**
   * Put the fresh token into `current` in place (GraphQL); where that API is retired, create
   * `rotationName` instead and move the targets to it. `family` is every credential of the name.
   */
  | {
      readonly kind: 'refresh'
      readonly name: string
      readonly current: RegistryCredential
      readonly family: readonly RegistryCredential[]
      readonly rotationName: string
    }

export function defaultCredentialName(repo: Pick<EcrRepository, 'account' | 'region'>): string {
  return `ecr-${repo.account}-${repo.region}`
}

/**
 * The name of a credential created by rotation: `NAME-YYYYMMDDHHMMSS` (UTC). Runpod's schema does not say
 * that names may repeat, so a rotated credential never reuses the bare name, and the suffix orders by age.
 */
export function rotatedName(name: string, now: Date): string {
  return `${name}-${now.toISOString().replace(/\D/g, '').slice(0, 14)}`
}

/** The credentials of a name: the bare name and its rotations, oldest first (the bare name is the oldest). */
export function credentialFamily(registries: readonly RegistryCredential[], name: string): RegistryCredential[] {
  const rotation = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{14})$`)
  const stamp = (registry: RegistryCredential) =>
    registry.name === name ? '' : (rotation.exec(registry.name)?.[1] ?? undefined)
  return (
    registries
      .filter((registry) => stamp(registry) !== undefined)
      .map((registry, index) => ({ registry, index, stamp: stamp(registry) ?? '' }))
      // Fixed-width digits (or '' for the bare name): their order as text is their order in time.
      .sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.index - b.index))
      .map(({ registry }) => registry)
  )
}

/**
 * Decides the credential step from the listed credentials. The current credential is the newest of the
 * name; where Runpod allowed two with that same name, the one more targets already use wins, so a
 * refresh in place leaves those targets alone.
 */
export function planCredential(
  name: string,
  registries: readonly RegistryCredential[],
  targets: readonly Pick<TargetState, 'registry'>[],
  now: Date
): CredentialStep {
  const family = credentialFamily(registries, name)
  const newest = family.at(-1)
  if (!newest) return { kind: 'create', name }
  const candidates = family.filter((registry) => registry.name === newest.name)
  const users = (registry: RegistryCredential) => targets.filter((target) => target.registry === registry.id).length
  const current = candidates.reduce((best, registry) => (users(registry) > users(best) ? registry : best))
  return { kind: 'refresh', name, current, family, rotationName: rotatedName(name, now) }
}

/** Credentials of the name, other than the one kept, that none of the given registries (targets' final state) use. */
export function staleCredentials(
  family: readonly RegistryCredential[],
  keepId: string,
  inUse: ReadonlySet<string>
): RegistryCredential[] {
  return family.filter((registry) => registry.id !== keepId && !inUse.has(registry.id))
}

/** The step in words, for the log's plan and the summary of verify mode. */
export function describeCredentialStep(step: CredentialStep): string {
  switch (step.kind) {
    case 'skipped':
      return `skipped (${step.reason})`
    case 'create':
      return `create '${step.name}' holding a fresh ECR token`
    case 'refresh': {
      const older = step.family.length - 1
      return (
        `refresh ${step.current.id} (${step.current.name}) in place with a fresh ECR token; if Runpod's GraphQL updateRegistryAuth is retired, create '${step.rotationName}' instead and move the targets to it` +
        (older > 0 ? `; ${older} older credential(s) of the name to delete once nothing uses them` : '')
      )
    }
  }
}

export interface RegistryLogin {
  readonly username: string
  readonly password: string
}

export interface CredentialResult {
  readonly id: string
  readonly name: string
  /** refreshed: same credential, new token; created: the first of its name; rotated: a new one replaced it. */
  readonly how: 'refreshed' | 'created' | 'rotated'
  /** Why the in-place refresh was not possible, for `rotated`. */
  readonly retiredReason?: string
  /** Filled in after the targets are on the credential. */
  cleanup?: CleanupResult
}

export interface CleanupResult {
  readonly deleted: readonly RegistryCredential[]
  readonly kept: readonly { readonly registry: RegistryCredential; readonly reason: string }[]
}

/**
 * Makes the credential of the step hold `login`. `existingIds` are the ids listed in the read phase: a
 * create whose response was lost is recognised by a new id with the requested name, never repeated blindly.
 */
export async function syncCredential(
  client: RunpodClient,
  log: RequestLog,
  step: Extract<CredentialStep, { kind: 'create' | 'refresh' }>,
  login: RegistryLogin,
  existingIds: ReadonlySet<string>,
  budget?: RequestBudget
): Promise<CredentialResult> {
  if (step.kind === 'create') {
    const created = await create(client, step.name, login, existingIds, budget)
    log.info(`Created Runpod registry credential ${created.id} (${created.name}) holding a fresh ECR token.`)
    return { id: created.id, name: created.name, how: 'created' }
  }
  const { current } = step
  const update = await client.updateRegistryAuth(current.id, login.username, login.password, budget)
  if (update.kind === 'updated') {
    log.info(`Refreshed Runpod registry credential ${current.id} (${current.name}) in place with a fresh ECR token.`)
    return { id: current.id, name: current.name, how: 'refreshed' }
  }
  log.info(
    `Runpod's GraphQL updateRegistryAuth is retired (${update.reason}): creating registry credential ${step.rotationName} to replace ${current.id} (${current.name}).`
  )
  const created = await create(client, step.rotationName, login, existingIds, budget)
  log.info(`Created Runpod registry credential ${created.id} (${created.name}).`)
  return { id: created.id, name: created.name, how: 'rotated', retiredReason: update.reason }
}

/**
 * Never twice: after a failure that may have taken effect, a credential with this name whose id is not in
 * `existingIds` (the credentials read before) is the one the lost request created.
 */
async function create(
  client: RunpodClient,
  name: string,
  login: RegistryLogin,
  existingIds: ReadonlySet<string>,
  budget: RequestBudget | undefined
): Promise<RegistryCredential> {
  try {
    return await client.createRegistry(
      { name, username: login.username, password: login.password },
      async () =>
        (await client.listRegistries()).find((registry) => registry.name === name && !existingIds.has(registry.id)),
      budget
    )
  } catch (error) {
    if (error instanceof RunpodApiError && (error.status === 400 || error.status === 422)) {
      throw new ActionError(
        `Runpod refused to create the registry credential '${name}' (${error.summary}). Check input 'registry-credential-name' (a name Runpod accepts, not used by another credential), or delete the conflicting credential in the Runpod console (Settings → Container Registry Auth), then rerun.`
      )
    }
    throw error
  }
}

/**
 * Deletes credentials that nothing should use any more. Runpod refuses (400) while a pod uses one: it is
 * kept and said so; any other failure is kept with its reason too, since the deploy itself succeeded.
 */
export async function removeCredentials(
  client: RunpodClient,
  log: RequestLog,
  stale: readonly RegistryCredential[]
): Promise<CleanupResult> {
  const outcomes = await Promise.all(stale.map((registry) => removeCredential(client, log, registry)))
  return {
    deleted: outcomes.flatMap((outcome) => (outcome.reason === undefined ? [outcome.registry] : [])),
    kept: outcomes.flatMap(({ registry, reason }) => (reason === undefined ? [] : [{ registry, reason }]))
  }
}

/** `reason` is set when the credential was kept. */
async function removeCredential(
  client: RunpodClient,
  log: RequestLog,
  registry: RegistryCredential
): Promise<{ registry: RegistryCredential; reason?: string }> {
  try {
    await client.deleteRegistry(registry.id)
    log.info(`Deleted the older registry credential ${registry.id} (${registry.name}).`)
    return { registry }
  } catch (error) {
    if (error instanceof RunpodApiError && error.status === 404) {
      log.info(`The older registry credential ${registry.id} (${registry.name}) is already gone.`)
      return { registry }
    }
    const inUse = error instanceof RunpodApiError && error.status === 400
    const reason = inUse
      ? `still in use (${error.problem?.detail || error.summary})`
      : `could not be deleted (${errorMessage(error)})`
    log.info(
      `Kept the older registry credential ${registry.id} (${registry.name}): ${reason}. A later run deletes it once nothing uses it.`
    )
    return { registry, reason }
  }
}
