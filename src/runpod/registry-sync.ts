// Token mode writes: put a fresh ECR token into the Runpod registry credential (in place where Runpod
// still allows it, else by rotation), and delete the older credentials of the name that nothing uses.
import * as core from '@actions/core'
import { ActionError, errorMessage } from '../errors.js'
import type { CredentialStep } from './registries.js'
import type { RegistryCredential } from './wire.js'
import type { RunpodClient } from './client.js'
import { RunpodApiError } from './errors.js'

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
  step: Extract<CredentialStep, { kind: 'create' | 'refresh' }>,
  login: RegistryLogin,
  existingIds: ReadonlySet<string>
): Promise<CredentialResult> {
  if (step.kind === 'create') {
    const created = await create(client, step.name, login, existingIds)
    core.info(`Created Runpod registry credential ${created.id} (${created.name}) holding a fresh ECR token.`)
    return { id: created.id, name: created.name, how: 'created' }
  }
  const { current } = step
  const update = await client.updateRegistryAuth(current.id, login.username, login.password)
  if (update.kind === 'updated') {
    core.info(`Refreshed Runpod registry credential ${current.id} (${current.name}) in place with a fresh ECR token.`)
    return { id: current.id, name: current.name, how: 'refreshed' }
  }
  core.info(
    `Runpod's GraphQL updateRegistryAuth is retired (${update.reason}): creating registry credential ${step.rotationName} to replace ${current.id} (${current.name}).`
  )
  const created = await create(client, step.rotationName, login, existingIds)
  core.info(`Created Runpod registry credential ${created.id} (${created.name}).`)
  return { id: created.id, name: created.name, how: 'rotated', retiredReason: update.reason }
}

async function create(client: RunpodClient, name: string, login: RegistryLogin, existingIds: ReadonlySet<string>): Promise<RegistryCredential> {
  try {
    return await client.createRegistry({ name, username: login.username, password: login.password }, existingIds)
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
export async function removeCredentials(client: RunpodClient, stale: readonly RegistryCredential[]): Promise<CleanupResult> {
  const outcomes = await Promise.all(stale.map((registry) => removeCredential(client, registry)))
  return {
    deleted: outcomes.flatMap((outcome) => (outcome.reason === undefined ? [outcome.registry] : [])),
    kept: outcomes.flatMap(({ registry, reason }) => (reason === undefined ? [] : [{ registry, reason }]))
  }
}

/** `reason` is set when the credential was kept. */
async function removeCredential(client: RunpodClient, registry: RegistryCredential): Promise<{ registry: RegistryCredential; reason?: string }> {
  try {
    await client.deleteRegistry(registry.id)
    core.info(`Deleted the older registry credential ${registry.id} (${registry.name}).`)
    return { registry }
  } catch (error) {
    if (error instanceof RunpodApiError && error.status === 404) {
      core.info(`The older registry credential ${registry.id} (${registry.name}) is already gone.`)
      return { registry }
    }
    const inUse = error instanceof RunpodApiError && error.status === 400
    const reason = inUse ? `still in use (${error.problem?.detail || error.summary})` : `could not be deleted (${errorMessage(error)})`
    core.info(`Kept the older registry credential ${registry.id} (${registry.name}): ${reason}. A later run deletes it once nothing uses it.`)
    return { registry, reason }
  }
}
