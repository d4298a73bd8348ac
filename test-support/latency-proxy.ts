import { Agent, createServer, request as forward, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * An HTTP proxy in front of one local stand-in that holds every request for a fixed time before
 * forwarding it (a network round trip's worth of latency) and records when each request arrived and
 * when its response was complete, so a benchmark can see which requests ran one after another.
 */
export interface ProxiedRequest {
  readonly service: string
  readonly method: string
  readonly path: string
  /** The AWS operation (from X-Amz-Target or a query-protocol `Action=`), else `METHOD path`. */
  readonly operation: string
  readonly status: number
  /** `performance.now()` at arrival and when the response was fully sent. */
  readonly start: number
  readonly end: number
}

export interface LatencyProxy {
  readonly url: string
  close(): Promise<void>
}

export interface LatencyProxyOptions {
  /** Name recorded with each request, e.g. 'ECR'. */
  readonly service: string
  readonly target: string
  readonly latencyMs: number
  /** Every completed request is appended here. */
  readonly log: ProxiedRequest[]
  /**
   * Runs after the upstream answered and before the client gets the answer: another writer between two
   * calls, or (returning a status) an answer lost after the call took effect.
   */
  readonly beforeRespond?: (operation: string) => Promise<void | { readonly status: number }>
}

export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const target = new URL(options.target)
  const agent = new Agent({ keepAlive: true })
  const server = createServer((request, response) => {
    const start = performance.now()
    void readBody(request).then(
      async (body) => {
        await new Promise((resolve) => setTimeout(resolve, options.latencyMs))
        const upstream = forward(
          {
            host: target.hostname,
            port: target.port,
            method: request.method,
            path: request.url,
            headers: request.headers,
            agent
          },
          (answer) => {
            void (options.beforeRespond?.(operation(request, body)) ?? Promise.resolve()).then((replaced) => {
              if (replaced) {
                answer.resume()
                const error = JSON.stringify({
                  __type: 'ServerException',
                  message: 'simulated failure after the call took effect'
                })
                response.writeHead(replaced.status, { 'content-type': 'application/x-amz-json-1.1' }).end(error)
                return
              }
              response.writeHead(answer.statusCode ?? 502, answer.headers)
              answer.pipe(response)
            })
            response.once('finish', () =>
              options.log.push({
                service: options.service,
                method: request.method ?? 'GET',
                path: (request.url ?? '/').split('?')[0] ?? '/',
                operation: operation(request, body),
                status: answer.statusCode ?? 0,
                start,
                end: performance.now()
              })
            )
          }
        )
        upstream.on('error', () => response.destroy())
        // Closing a streaming response (server-sent events) from the client side ends the upstream one too.
        response.once('close', () => {
          if (!response.writableFinished) upstream.destroy()
        })
        upstream.end(body)
      },
      () => response.destroy()
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
        agent.destroy()
      })
  }
}

function operation(request: IncomingMessage, body: Buffer): string {
  const target = request.headers['x-amz-target']
  if (typeof target === 'string') return target.split('.').pop() ?? target
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'))?.[1]
  return action ?? `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0]}`
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}
