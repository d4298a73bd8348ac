// Token mode (registry-auth: token): which Runpod registry credentials carry the configured name, which
// one the targets should use, and which older ones may go. Pure; the writes are in credential-sync.ts.
import type { EcrRepositoryRef } from '../aws/ecr.js'
import type { RegistryCredential } from './wire.js'
import type { TargetState } from './targets.js'

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

export function defaultCredentialName(repo: Pick<EcrRepositoryRef, 'account' | 'region'>): string {
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
  const stamp = (registry: RegistryCredential) => (registry.name === name ? '' : (rotation.exec(registry.name)?.[1] ?? undefined))
  return registries
    .filter((registry) => stamp(registry) !== undefined)
    .map((registry, index) => ({ registry, index, stamp: stamp(registry) ?? '' }))
    .sort((a, b) => a.stamp.localeCompare(b.stamp) || a.index - b.index)
    .map(({ registry }) => registry)
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
export function staleCredentials(family: readonly RegistryCredential[], keepId: string, inUse: ReadonlySet<string>): RegistryCredential[] {
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
