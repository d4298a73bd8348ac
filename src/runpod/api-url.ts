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
