// Where the Runpod API key may be sent. Kept apart from the transport so that checking inputs (also in
// lint mode) loads no HTTP client.
import { ActionError } from '../errors.js'

export const DEFAULT_RUNPOD_API_URL = 'https://api.runpod.io'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

/** https://, or plain http:// to a loopback test server: the API key never crosses a network in clear text. */
export function isSafeApiUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
}

/** The `runpod-api-url` input as a URL, refused before any client exists when the key would travel in clear. */
export function parseApiUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ActionError(
      `Input 'runpod-api-url' is '${raw}', which is not a URL. Remove it to use ${DEFAULT_RUNPOD_API_URL}.`
    )
  }
  if (isSafeApiUrl(url)) return url
  throw new ActionError(
    `Input 'runpod-api-url' is '${raw}': the API key may only be sent over https:// (plain http:// is allowed for loopback test servers only). Use an https:// URL or remove the input to use ${DEFAULT_RUNPOD_API_URL}.`
  )
}
