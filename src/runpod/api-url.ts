// Where the Runpod API key may be sent. Kept apart from the transport so that checking inputs (also in
// lint mode) loads no HTTP client.
import { ActionError } from '../errors.js'

export const DEFAULT_RUNPOD_API_URL = 'https://api.runpod.io'
/** Where Serverless endpoints take jobs (runsync, status): another host than the REST API. */
export const DEFAULT_RUNPOD_SERVERLESS_URL = 'https://api.runpod.ai'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

/** https://, or plain http:// to a loopback test server: the API key never crosses a network in clear text. */
export function isSafeApiUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
}

/** A Runpod URL input, refused before any client exists when the key would travel in clear. */
export function parseApiUrl(raw: string, input = 'runpod-api-url', fallback = DEFAULT_RUNPOD_API_URL): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ActionError(`Input '${input}' is '${raw}', which is not a URL. Remove it to use ${fallback}.`)
  }
  if (isSafeApiUrl(url)) return url
  throw new ActionError(
    `Input '${input}' is '${raw}': the API key may only be sent over https:// (plain http:// is allowed for loopback test servers only). Use an https:// URL or remove the input to use ${fallback}.`
  )
}

/** Runpod's proxy in front of a pod's HTTP ports. */
export const DEFAULT_RUNPOD_PROXY_URL = 'https://{id}-{port}.proxy.runpod.net'

/**
 * `runpod-proxy-url`: a template with `{id}` and `{port}`, https:// unless loopback (the health check sends no
 * credential, but its answer decides a rollout).
 */
export function parseProxyUrlTemplate(raw: string): string {
  let url: URL
  try {
    url = new URL(raw.replaceAll('{id}', 'podid').replaceAll('{port}', '8000'))
  } catch {
    throw new ActionError(
      `Input 'runpod-proxy-url' is '${raw}', which is not a URL template. Remove it to use ${DEFAULT_RUNPOD_PROXY_URL}.`
    )
  }
  if (!raw.includes('{id}') || !raw.includes('{port}'))
    throw new ActionError(
      `Input 'runpod-proxy-url' is '${raw}': it must hold {id} and {port}, which the action fills with the pod id and the port of 'health-check', as in ${DEFAULT_RUNPOD_PROXY_URL}.`
    )
  if (!isSafeApiUrl(url))
    throw new ActionError(
      `Input 'runpod-proxy-url' is '${raw}': it must be https:// (plain http:// only for loopback test servers). Remove it to use ${DEFAULT_RUNPOD_PROXY_URL}.`
    )
  return raw
}
