// A stand-in for GitHub's REST API, the issue comments of pull requests only, that checks every request
// against GitHub's official OpenAPI description (@octokit/openapi) the way the Runpod simulator checks
// against Runpod's: an operation the description does not have, a parameter or body it does not allow, is
// refused with 4xx as GitHub would; the stand-in's own answers are checked against the description too.
import { createRequire } from 'node:module'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'

interface Parameter {
  readonly name: string
  readonly in: 'path' | 'query' | 'header'
  readonly required?: boolean
  readonly schema: Record<string, unknown>
}

interface Operation {
  readonly operationId: string
  readonly parameters?: readonly (Parameter | { $ref: string })[]
  readonly requestBody?: { readonly required?: boolean; readonly content: Record<string, { schema: unknown }> }
  readonly responses: Record<string, { content?: Record<string, { schema: unknown }> } | { $ref: string }>
}

interface Description {
  readonly paths: Record<string, Record<string, Operation>>
  readonly components: { readonly parameters: Record<string, Parameter> }
}

export interface IssueComment {
  readonly id: number
  readonly issueNumber: number
  readonly owner: string
  readonly repo: string
  body: string
  /** Who wrote it: the token's identity (`github-actions[bot]`) unless a test plants someone else's. */
  readonly author: string
  readonly createdAt: string
  updatedAt: string
}

export interface RecordedGitHubRequest {
  readonly method: string
  readonly path: string
  readonly operationId: string | undefined
  readonly status: number
}

export interface GitHubStandIn {
  readonly url: string
  readonly token: string
  readonly comments: IssueComment[]
  readonly requests: RecordedGitHubRequest[]
  /** A read-only token, as pull requests from forks get: writes answer 403. */
  readOnly: boolean
  /** Requests the stand-in refused as the description would, with why. */
  readonly invalid: string[]
  /** A comment written by someone else (a contributor who may copy the plan's marker). */
  addComment(comment: Pick<IssueComment, 'owner' | 'repo' | 'issueNumber' | 'body' | 'author'>): IssueComment
  close(): Promise<void>
}

const require = createRequire(import.meta.url)
let description: Description | undefined
let ajv: Ajv | undefined

/** The description is 13 MB: parsed once a process, its schemas compiled as requests need them. */
function loaded(): { description: Description; ajv: Ajv } {
  if (!description || !ajv) {
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json')
    description = JSON.parse(readFileSync(file, 'utf8')) as Description
    // OpenAPI 3.0 adds keywords (nullable, example, x-github) that JSON Schema does not know: not strict.
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
    ajv.addSchema(description as object, 'github')
  }
  return { description, ajv }
}

const validators = new Map<string, ValidateFunction>()

/** A schema of the description, compiled with its $refs pointing into the whole document. */
function validatorAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer)
  if (!validate) {
    validate = loaded().ajv.compile({ $ref: `github#${pointer}` })
    validators.set(pointer, validate)
  }
  return validate
}

interface Route {
  readonly template: string
  readonly operation: Operation
  readonly params: Record<string, string>
}

function findRoute(method: string, path: string): Route | undefined {
  for (const [template, operations] of Object.entries(loaded().description.paths)) {
    const operation = operations[method.toLowerCase()]
    if (!operation) continue
    const names: string[] = []
    const pattern = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
        names.push(name)
        return '([^/]+)'
      })}$`
    )
    const match = pattern.exec(path)
    if (match)
      return {
        template,
        operation,
        params: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]))
      }
  }
  return undefined
}

function parametersOf(operation: Operation): Parameter[] {
  const components = loaded().description.components.parameters
  return (operation.parameters ?? []).map((parameter) =>
    '$ref' in parameter ? (components[parameter.$ref.split('/').pop() ?? ''] as Parameter) : parameter
  )
}

/** Path and query values arrive as strings: an integer parameter takes only digits, as GitHub's router does. */
function coerce(value: string, schema: Record<string, unknown>): unknown {
  if (schema['type'] === 'integer' && /^-?\d+$/.test(value)) return Number(value)
  if (schema['type'] === 'boolean' && /^(true|false)$/.test(value)) return value === 'true'
  return value
}

function checkParameters(route: Route, query: URLSearchParams): string[] {
  const problems: string[] = []
  const declared = parametersOf(route.operation)
  for (const parameter of declared.filter((p) => p.in === 'path' || p.in === 'query')) {
    const raw = parameter.in === 'path' ? route.params[parameter.name] : (query.get(parameter.name) ?? undefined)
    if (raw === undefined) {
      if (parameter.required) problems.push(`${parameter.in} parameter '${parameter.name}' is required`)
      continue
    }
    const validate = loaded().ajv.compile(parameter.schema)
    if (!validate(coerce(raw, parameter.schema)))
      problems.push(
        `${parameter.in} parameter '${parameter.name}' = '${raw}': ${loaded().ajv.errorsText(validate.errors)}`
      )
  }
  for (const name of query.keys()) {
    if (!declared.some((p) => p.in === 'query' && p.name === name))
      problems.push(`query parameter '${name}' is not one of ${route.operation.operationId}'s`)
  }
  return problems
}

function checkBody(route: Route, method: string, body: unknown): string[] {
  const request = route.operation.requestBody
  if (!request) return body === undefined ? [] : [`${route.operation.operationId} takes no request body`]
  if (body === undefined) return request.required ? ['a JSON request body is required'] : []
  const pointer = `/paths/${escapePointer(route.template)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`
  const validate = validatorAt(pointer)
  return validate(body) ? [] : [`request body: ${loaded().ajv.errorsText(validate.errors)}`]
}

/** The stand-in's answer must be one GitHub could give: its schema for that status. */
function checkResponse(route: Route, method: string, status: number, body: unknown): void {
  const response = route.operation.responses[String(status)]
  if (!response) throw new Error(`the stand-in answered ${status}, which ${route.operation.operationId} never does`)
  if (!('content' in response) || !response.content?.['application/json']) return
  const pointer = `/paths/${escapePointer(route.template)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`
  const validate = validatorAt(pointer)
  if (!validate(body))
    throw new Error(
      `the stand-in's ${status} answer to ${route.operation.operationId} does not match GitHub's schema: ${loaded().ajv.errorsText(validate.errors)}`
    )
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1')
}

const TOKEN_LOGIN = 'github-actions[bot]'

const BOT_USER = {
  login: TOKEN_LOGIN,
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
  gravatar_id: '',
  url: 'https://api.github.com/users/github-actions%5Bbot%5D',
  html_url: 'https://github.com/apps/github-actions',
  followers_url: 'https://api.github.com/users/github-actions%5Bbot%5D/followers',
  following_url: 'https://api.github.com/users/github-actions%5Bbot%5D/following{/other_user}',
  gists_url: 'https://api.github.com/users/github-actions%5Bbot%5D/gists{/gist_id}',
  starred_url: 'https://api.github.com/users/github-actions%5Bbot%5D/starred{/owner}{/repo}',
  subscriptions_url: 'https://api.github.com/users/github-actions%5Bbot%5D/subscriptions',
  organizations_url: 'https://api.github.com/users/github-actions%5Bbot%5D/orgs',
  repos_url: 'https://api.github.com/users/github-actions%5Bbot%5D/repos',
  events_url: 'https://api.github.com/users/github-actions%5Bbot%5D/events{/privacy}',
  received_events_url: 'https://api.github.com/users/github-actions%5Bbot%5D/received_events',
  type: 'Bot',
  site_admin: false
}

function userJson(login: string): Record<string, unknown> {
  if (login === TOKEN_LOGIN) return BOT_USER
  const url = `https://api.github.com/users/${login}`
  return {
    ...BOT_USER,
    login,
    id: 1_000_000 + login.length,
    node_id: `U_${login}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${login}`,
    url,
    html_url: `https://github.com/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: 'User'
  }
}

function commentJson(comment: IssueComment): Record<string, unknown> {
  const repo = `${comment.owner}/${comment.repo}`
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `https://api.github.com/repos/${repo}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `https://api.github.com/repos/${repo}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userJson(comment.author),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'NONE'
  }
}

export async function startGitHubStandIn(
  options: { readOnly?: boolean; pageSize?: number } = {}
): Promise<GitHubStandIn> {
  loaded()
  const token = 'ghs_standin_token'
  const comments: IssueComment[] = []
  const requests: RecordedGitHubRequest[] = []
  const invalid: string[] = []
  let nextId = 1000

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      invalid.push(String(error))
      send(response, 500, { message: String(error) })
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in')
    const method = request.method ?? 'GET'
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const route = findRoute(method, url.pathname)
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      // Error answers are GitHub's usual ones, often not listed per operation: the 2xx ones are checked.
      if (route && status < 300) checkResponse(route, method, status, body)
      requests.push({ method, path: url.pathname, operationId: route?.operation.operationId, status })
      send(response, status, body, headers)
    }
    if (!route) {
      invalid.push(`${method} ${url.pathname}: no such operation`)
      requests.push({ method, path: url.pathname, operationId: undefined, status: 404 })
      send(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' })
      return
    }
    const auth = request.headers.authorization ?? ''
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`) {
      reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' })
      return
    }
    let body: unknown
    try {
      body = raw === '' ? undefined : JSON.parse(raw)
    } catch {
      invalid.push(`${method} ${url.pathname}: body is not JSON`)
      send(response, 400, { message: 'Problems parsing JSON' })
      return
    }
    const problems = [...checkParameters(route, url.searchParams), ...checkBody(route, method, body)]
    if (problems.length > 0) {
      invalid.push(`${method} ${url.pathname}: ${problems.join('; ')}`)
      send(response, 422, { message: 'Validation Failed', errors: problems, status: '422' })
      return
    }
    const { owner = '', repo = '' } = route.params
    const operationId = route.operation.operationId
    const forbidden = {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/issues/comments',
      status: '403'
    }
    if (operationId === 'users/get-authenticated') {
      // What GitHub answers an installation token such as the default GITHUB_TOKEN.
      reply(403, forbidden)
      return
    }
    if (operationId === 'issues/list-comments') {
      const issueNumber = Number(route.params['issue_number'])
      const all = comments.filter((c) => c.owner === owner && c.repo === repo && c.issueNumber === issueNumber)
      const perPage = Number(url.searchParams.get('per_page') ?? options.pageSize ?? 30)
      const page = Number(url.searchParams.get('page') ?? 1)
      const items = all.slice((page - 1) * perPage, page * perPage)
      const headers: Record<string, string> = {}
      if (page * perPage < all.length) {
        const next = new URL(url.href.replace('http://stand-in', `http://${request.headers.host ?? ''}`))
        next.searchParams.set('page', String(page + 1))
        headers['link'] = `<${next.href}>; rel="next"`
      }
      reply(200, items.map(commentJson), headers)
      return
    }
    if (operationId === 'issues/create-comment') {
      if (stand.readOnly) return reply(403, forbidden)
      const now = new Date().toISOString()
      const comment: IssueComment = {
        id: nextId++,
        issueNumber: Number(route.params['issue_number']),
        owner,
        repo,
        body: (body as { body: string }).body,
        author: TOKEN_LOGIN,
        createdAt: now,
        updatedAt: now
      }
      comments.push(comment)
      reply(201, commentJson(comment), { location: String(commentJson(comment)['url']) })
      return
    }
    if (operationId === 'issues/update-comment') {
      const comment = comments.find((c) => c.id === Number(route.params['comment_id']) && c.owner === owner)
      if (!comment) {
        invalid.push(`${method} ${url.pathname}: no comment ${route.params['comment_id']}`)
        send(response, 404, { message: 'Not Found', status: '404' })
        return
      }
      if (stand.readOnly) return reply(403, forbidden)
      comment.body = (body as { body: string }).body
      comment.updatedAt = new Date().toISOString()
      reply(200, commentJson(comment))
      return
    }
    invalid.push(`${method} ${url.pathname}: ${operationId} is valid but the stand-in does not serve it`)
    send(response, 501, { message: `${operationId} is not served by the stand-in` })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const stand: GitHubStandIn = {
    url: `http://127.0.0.1:${port}`,
    token,
    comments,
    requests,
    readOnly: options.readOnly ?? false,
    invalid,
    addComment(seed) {
      const now = new Date().toISOString()
      const comment: IssueComment = { ...seed, id: nextId++, createdAt: now, updatedAt: now }
      comments.push(comment)
      return comment
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
  return stand
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  response.end(JSON.stringify(body))
}
