import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A local stand-in for GitHub's OIDC token endpoint, as `core.getIDToken` calls it:
 * `GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=…` with `Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`,
 * answered with `{"value": "<JWT>"}`. The JWT carries realistic claims and a dummy signature (moto's STS
 * does not verify it).
 */
export interface OidcStandIn {
  /** Variables a job with `permissions: id-token: write` gets from the runner. */
  readonly env: { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string }
  /** Audiences of the token requests served so far, in order (requests with a wrong bearer are not served). */
  readonly requests: { audience: string | null; authorized: boolean }[]
  /** Every token issued, so tests can check that none of them reaches the logs. */
  readonly issued: string[]
  close(): Promise<void>
}

export interface OidcStandInOptions {
  /** Claims to add or override; by default a push to main of octo-org/octo-repo. */
  readonly claims?: Record<string, unknown>
  /** Answer every request with this status and no token (for failure tests). */
  readonly failWithStatus?: number
}

export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
}

export async function startOidcStandIn(options: OidcStandInOptions = {}): Promise<OidcStandIn> {
  const requestToken = randomBytes(16).toString('hex')
  const requests: OidcStandIn['requests'] = []
  const issued: string[] = []
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const authorized = req.headers.authorization === `Bearer ${requestToken}`
    requests.push({ audience: url.searchParams.get('audience'), authorized })
    if (!authorized) return reply(res, 401, { message: 'bad request token' })
    if (options.failWithStatus) return reply(res, options.failWithStatus, { message: 'stand-in failure' })
    const token = jwt(url.searchParams.get('audience') ?? 'https://github.com/octo-org', options.claims ?? {})
    issued.push(token)
    return reply(res, 200, { count: 1, value: token })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    env: {
      // The runner's URL already has a query string; core.getIDToken appends '&audience=…'.
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/_apis/distributedtask/oidc/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken
    },
    requests,
    issued,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
  }
}

function reply(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

function jwt(audience: string, extra: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    jti: randomBytes(8).toString('hex'),
    sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
    aud: audience,
    ref: 'refs/heads/main',
    sha: 'a'.repeat(40),
    repository: 'octo-org/octo-repo',
    repository_id: '74',
    repository_owner: 'octo-org',
    repository_owner_id: '65',
    run_id: '1',
    run_number: '1',
    run_attempt: '1',
    actor: 'octocat',
    workflow: 'deploy',
    event_name: 'push',
    ref_type: 'branch',
    job_workflow_ref: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
    iss: 'https://token.actions.githubusercontent.com',
    nbf: now - 5,
    iat: now,
    exp: now + 300,
    ...extra
  }
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${encode({ alg: 'RS256', typ: 'JWT', kid: 'stand-in' })}.${encode(claims)}.${randomBytes(32).toString('base64url')}`
}
