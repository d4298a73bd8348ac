// A forward proxy like a self-hosted runner's: CONNECT tunnels and absolute-form HTTP requests, to
// loopback targets only, recording which host:port each request went to.
import { createServer, request as forward } from 'node:http'
import { connect, type AddressInfo } from 'node:net'

export interface ForwardProxy {
  readonly url: string
  /** `host:port` of every request or tunnel it carried, in order. */
  readonly carried: string[]
  close(): Promise<void>
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/

export async function startForwardProxy(): Promise<ForwardProxy> {
  const carried: string[] = []
  const server = createServer((request, response) => {
    const target = new URL(request.url ?? '/')
    if (!LOOPBACK.test(target.hostname)) {
      response.writeHead(403).end('this test proxy only reaches loopback addresses')
      return
    }
    carried.push(target.host)
    const upstream = forward(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: `${target.pathname}${target.search}`,
        headers: request.headers
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      }
    )
    upstream.on('error', () => response.destroy())
    request.pipe(upstream)
  })
  server.on('connect', (request, socket, head) => {
    const [host = '', port = '80'] = (request.url ?? '').split(':')
    if (!LOOPBACK.test(host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    carried.push(`${host}:${port}`)
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    carried,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
  }
}
