// A pod's HTTP port through Runpod's proxy (`https://{id}-{port}.proxy.runpod.net` by default), asked the way a
// client of the pod would be: a plain GET with no credential (never the Runpod API key), no redirect followed,
// bounded in time and in how much of the answer is read.
import type { Dispatcher } from 'undici'
import { errorCode, errorMessage } from '../errors.js'

/** What one probe saw: an HTTP status with the start of the body, or no answer. */
export type ProbeResult =
  { readonly status: number; readonly excerpt: string } | { readonly status?: undefined; readonly error: string }

/** Only this much of a health answer is read: enough to say why it failed. */
const EXCERPT_BYTES = 2_048

/** The URL of `path` on a pod's port, from the `runpod-proxy-url` template. */
export function proxyUrl(template: string, podId: string, port: number, path: string): URL {
  const base = template.replaceAll('{id}', encodeURIComponent(podId)).replaceAll('{port}', String(port))
  return new URL(`${base.replace(/\/+$/, '')}${path}`)
}

/** One GET of the health URL; `dispatcher`: a test's MockAgent (the runner's proxy is Node's own: runner-proxy.ts). */
export async function probe(
  url: URL,
  timeoutMs: number,
  signal?: AbortSignal,
  dispatcher?: Dispatcher
): Promise<ProbeResult> {
  try {
    const response = await fetch(url, {
      ...(dispatcher ? { dispatcher } : {}),
      method: 'GET',
      headers: { accept: '*/*', 'user-agent': 'runpod-ecr-deploy health check' },
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])])
    })
    return { status: response.status, excerpt: await excerptOf(response) }
  } catch (error) {
    const code = errorCode(error)
    return { error: code ?? errorMessage(error) }
  }
}

async function excerptOf(response: Response): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) return ''
  const decoder = new TextDecoder()
  let text = ''
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    text += decoder.decode(chunk.value, { stream: true })
    if (text.length >= EXCERPT_BYTES) {
      await reader.cancel().catch(() => undefined)
      break
    }
  }
  return text.slice(0, EXCERPT_BYTES)
}
