// A loopback stand-in for Runpod's pod proxy (`https://{id}-{port}.proxy.runpod.net`): the action's
// `runpod-proxy-url` points at `http://127.0.0.1:PORT/{id}-{port}`, and each pod's health path answers as a test
// scripts it. Every request is recorded with its headers, so a test can see that no credential was sent.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ProxiedHealthRequest {
  readonly podId: string
  readonly port: number
  readonly path: string
  readonly headers: Record<string, string | string[] | undefined>
  readonly time: number
}

export interface PodProxyStandIn {
  /** The `runpod-proxy-url` template that reaches this stand-in. */
  readonly template: string
  readonly requests: ProxiedHealthRequest[]
  /** The statuses a pod's port answers, in turn; the last one repeats. Unscripted pods answer 502. */
  script(podId: string, port: number, statuses: readonly number[]): void
  close(): Promise<void>
}

export async function startPodProxyStandIn(): Promise<PodProxyStandIn> {
  const scripts = new Map<string, number[]>()
  const requests: ProxiedHealthRequest[] = []
  const server = createServer((request, response) => {
    const match = /^\/([^/]+)-(\d+)(\/.*)?$/.exec(new URL(request.url ?? '/', 'http://x').pathname)
    if (!match) return void response.writeHead(404).end()
    const [, podId = '', port = '0', path = '/'] = match
    requests.push({
      podId: decodeURIComponent(podId),
      port: Number(port),
      path,
      headers: { ...request.headers },
      time: Date.now()
    })
    const script = scripts.get(`${decodeURIComponent(podId)}:${port}`)
    const status = script ? (script.length > 1 ? (script.shift() ?? 502) : (script[0] ?? 502)) : 502
    response
      .writeHead(status, { 'content-type': 'text/plain' })
      .end(status >= 200 && status < 300 ? 'ok' : `upstream answered ${status} <b>not ready</b>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    template: `http://127.0.0.1:${port}/{id}-{port}`,
    requests,
    script(podId, podPort, statuses) {
      scripts.set(`${podId}:${podPort}`, [...statuses])
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
