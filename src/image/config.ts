// An image's config blob (the JSON a manifest's `config` names): its platform and the environment the
// container starts with, which is where CUDA base images declare what they need.
import { ActionError } from '../errors.js'
import { normalizePlatform } from './manifest.js'

export interface ImageConfig {
  /** `os/architecture[/variant]` as the config states it. */
  readonly platform: string
  /** The image's ENV, by name (the last value wins, as in the container). */
  readonly env: ReadonlyMap<string, string>
}

export function parseImageConfig(text: string, where: string): ImageConfig {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ActionError(`${where} is not JSON: the image's config blob cannot be read.`)
  }
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const text_ = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined)
  const platform = normalizePlatform(text_('os') ?? 'unknown', text_('architecture') ?? 'unknown', text_('variant'))
  const config = (typeof record['config'] === 'object' && record['config'] !== null ? record['config'] : {}) as Record<
    string,
    unknown
  >
  const env = new Map<string, string>()
  for (const entry of Array.isArray(config['Env']) ? config['Env'] : []) {
    if (typeof entry !== 'string') continue
    const eq = entry.indexOf('=')
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1))
  }
  return { platform, env }
}
