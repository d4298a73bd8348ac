// The part of fetch the Runpod transport uses, over node:http and node:https. Node's fetch is undici, which
// Node loads and compiles on the first call: about 40 ms before a deploy's first request could leave, and some
// MiB of memory. node:http is already part of every Node process, uses the same global agents (keep-alive, no
// limit per origin), and a runner's proxy reaches it the same way (runner-proxy.ts). Redirects are never
// followed here either: node:http does not follow them.
import type { IncomingMessage } from 'node:http'

export interface HttpRequestInit {
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  readonly signal?: AbortSignal
}

/** A response as the transport reads it: fetch's Response has this shape too (tests hand one in). */
export interface HttpAnswer {
  readonly status: number
  readonly headers: { get(name: string): string | null }
  readonly body: {
    getReader(): {
      read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>
      cancel(): Promise<void>
    }
  } | null
}

export type HttpFetch = (url: URL, init: HttpRequestInit) => Promise<HttpAnswer>

/** One request; the signal bounds the headers and the body alike, and its reason is what an abort throws. */
export function nodeFetch(url: URL, init: HttpRequestInit): Promise<HttpAnswer> {
  const { request } = process.getBuiltinModule(url.protocol === 'https:' ? 'node:https' : 'node:http')
  const { signal } = init
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const headers = {
      ...init.headers,
      ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) })
    }
    const outgoing = request(url, { method: init.method, headers, ...(signal ? { signal } : {}) }, (response) =>
      resolve(answerOf(response, signal))
    )
    outgoing.on('error', (error) => reject(signal?.aborted ? signal.reason : error))
    outgoing.end(init.body)
  })
}

function answerOf(response: IncomingMessage, signal: AbortSignal | undefined): HttpAnswer {
  const chunks = response[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  return {
    status: response.statusCode ?? 0,
    headers: {
      get: (name) => {
        const value = response.headers[name.toLowerCase()]
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
      }
    },
    body: {
      getReader: () => ({
        read: async () => {
          try {
            const chunk = await chunks.next()
            return chunk.done ? { done: true as const } : { done: false as const, value: new Uint8Array(chunk.value) }
          } catch (error) {
            throw signal?.aborted ? signal.reason : error
          }
        },
        cancel: () => {
          response.destroy()
          return Promise.resolve()
        }
      })
    }
  }
}
