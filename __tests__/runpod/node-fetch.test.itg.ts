// The transport's node:http adapter over real HTTP on loopback: the same answers fetch gives the transport
// (status, headers, a body read in chunks and cancelled), no redirect followed, and a signal that bounds the
// headers and the body alike, its reason (a TimeoutError) being what the caller sees.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { nodeFetch, type HttpAnswer } from '../../src/runpod/node-fetch.js'

let server: Server
let base: URL
const seen: { method: string | undefined; headers: Record<string, unknown>; body: string }[] = []

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      seen.push({ method: request.method, headers: request.headers, body: Buffer.concat(chunks).toString() })
      const path = request.url ?? '/'
      if (path === '/redirect') return void response.writeHead(302, { location: 'https://elsewhere.example/' }).end()
      // Late answers that the client gives up on first; their timers must not hold the test run open.
      if (path === '/slow-headers') return void later(() => response.writeHead(200).end('{}'))
      if (path === '/slow-body') {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.write('{"a":')
        return void later(() => response.end('1}'))
      }
      if (path === '/endless') {
        response.writeHead(200)
        const timer = setInterval(() => response.write('x'.repeat(1024)), 5)
        response.on('close', () => clearInterval(timer))
        return
      }
      response.writeHead(201, { 'ratelimit-policy': '"burst";q=10;w=1', 'set-cookie': ['a=1', 'b=2'] })
      response.end(JSON.stringify({ ok: true }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})

const lateAnswers = new Set<NodeJS.Timeout>()
function later(answer: () => void): void {
  const timer = setTimeout(() => {
    lateAnswers.delete(timer)
    answer()
  }, 2_000)
  lateAnswers.add(timer)
}

afterAll(async () => {
  for (const timer of lateAnswers) clearTimeout(timer)
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

async function text(answer: HttpAnswer): Promise<string> {
  const reader = answer.body?.getReader()
  let out = ''
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read())
    out += Buffer.from(chunk.value).toString()
  return out
}

describe('nodeFetch', () => {
  it('sends method, headers and body (with its length), and answers status, headers and body', async () => {
    const body = JSON.stringify({ image: 'repo:v2', note: 'ünïcode' })
    const answer = await nodeFetch(new URL('/v2/pods/p1', base), {
      method: 'PATCH',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body
    })
    expect(answer.status).toBe(201)
    expect(answer.headers.get('RateLimit-Policy')).toBe('"burst";q=10;w=1')
    expect(answer.headers.get('set-cookie')).toBe('a=1, b=2')
    expect(answer.headers.get('absent')).toBeNull()
    expect(JSON.parse(await text(answer))).toEqual({ ok: true })
    expect(seen.at(-1)).toMatchObject({
      method: 'PATCH',
      body,
      headers: { authorization: 'Bearer k', 'content-length': String(Buffer.byteLength(body)) }
    })
  })

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const answer = await nodeFetch(new URL('/redirect', base), { method: 'GET', headers: {} })
    expect(answer.status).toBe(302)
    expect(answer.headers.get('location')).toBe('https://elsewhere.example/')
    expect(seen.filter((request) => request.method === 'GET').length).toBeGreaterThan(0)
  })

  it('ends at the signal, before the headers or in the body, with its reason', async () => {
    await expect(
      nodeFetch(new URL('/slow-headers', base), { method: 'GET', headers: {}, signal: AbortSignal.timeout(200) })
    ).rejects.toMatchObject({ name: 'TimeoutError' })
    const answer = await nodeFetch(new URL('/slow-body', base), {
      method: 'GET',
      headers: {},
      signal: AbortSignal.timeout(300)
    })
    expect(answer.status).toBe(200)
    await expect(text(answer)).rejects.toMatchObject({ name: 'TimeoutError' })
    const aborted = new AbortController()
    aborted.abort(new Error('cancelled by the test'))
    await expect(nodeFetch(new URL('/', base), { method: 'GET', headers: {}, signal: aborted.signal })).rejects.toThrow(
      'cancelled by the test'
    )
  })

  it('stops an endless body when the reader is cancelled', async () => {
    const answer = await nodeFetch(new URL('/endless', base), { method: 'GET', headers: {} })
    const reader = answer.body?.getReader()
    let bytes = 0
    for (let chunk = await reader?.read(); chunk && !chunk.done && bytes < 64 * 1024; chunk = await reader?.read())
      bytes += chunk.value.byteLength
    await reader?.cancel()
    expect(bytes).toBeGreaterThanOrEqual(64 * 1024)
  })

  it('fails a refused connection as node:http does, for the transport to call it not sent', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await expect(nodeFetch(new URL(`http://127.0.0.1:${port}/`), { method: 'GET', headers: {} })).rejects.toMatchObject(
      {
        code: 'ECONNREFUSED'
      }
    )
  })
})
