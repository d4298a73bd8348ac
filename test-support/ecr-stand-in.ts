// A thin stand-in in front of moto for what moto's ECR lacks, answering in ECR's own shape (JSON 1.1, errors
// as `__type` with the x-amzn-errortype header): GetDownloadUrlForLayer (moto: NotImplemented) with the blob
// served from a loopback URL, `imageStatus` on DescribeImages (and its filter), GetAccountSetting (moto:
// none), and registry policies of the V2 scope (moto accepts only V1's actions). Everything else, STS and KMS
// included, passes through to moto, and every AWS call is recorded with the resource IAM authorises it on.
// Tests can deny an operation (AccessDeniedException), archive an image, or corrupt a blob.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** An AWS call as IAM authorises it: the action, the resource ARN (or `*`), and the request's region. */
export interface AwsCall {
  readonly action: string
  readonly resource: string
  readonly region: string
  /** AssumeRoleWithWebIdentity: the role asked for and the claims of the web identity token. */
  readonly webIdentity?: { readonly roleArn: string; readonly claims: Record<string, unknown> }
}

export interface EcrStandIn {
  readonly url: string
  /** Config blobs by digest, as pushed. */
  readonly blobs: Map<string, Buffer>
  /** Operations (`BatchGetImage`, `GetDownloadUrlForLayer`…) answered with AccessDeniedException. */
  readonly denied: Set<string>
  /** `imageStatus` by image digest; ACTIVE when not set. */
  readonly status: Map<string, string>
  /** `imagePushedAt` by image digest (epoch ms), where a test needs an order moto's one-second clock cannot give. */
  readonly pushedAt: Map<string, number>
  /** `lastArchivedAt` by image digest (epoch ms), for archived images. */
  readonly archivedAt: Map<string, number>
  /** Blob digests served with other bytes than they name. */
  readonly corrupt: Set<string>
  /** Blob digests ECR reports as inaccessible. */
  readonly inaccessible: Set<string>
  /** The registry policy scope GetAccountSetting reports, and a registry policy of any scope (else moto's). */
  readonly registry: { scope: 'V1' | 'V2'; policy?: string }
  /** Every operation asked of ECR, in order. */
  readonly operations: string[]
  /** Every AWS call that passed through (ECR, KMS, STS), in order. */
  readonly calls: AwsCall[]
  /** Where download URLs point (default: the stand-in itself), so a latency proxy can sit in front of the blobs. */
  setBlobBase(url: string): void
  close(): Promise<void>
}

const TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.'
const KMS_PREFIX = 'TrentService.'

/** The call a request makes, from its target (ECR, KMS) or its Action (STS), its body and its signature. */
function awsCall(incoming: IncomingMessage, body: Buffer, account: string): AwsCall | undefined {
  const scope = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(incoming.headers['authorization'] ?? ''))
  const region = scope?.[1] ?? 'us-east-1'
  const target = String(incoming.headers['x-amz-target'] ?? '')
  const text = body.toString('utf8')
  if (target.startsWith(TARGET_PREFIX)) {
    const request = JSON.parse(text || '{}') as {
      repositoryName?: string
      repositoryNames?: string[]
      registryId?: string
    }
    const name = request.repositoryName ?? request.repositoryNames?.[0]
    const resource = name ? `arn:aws:ecr:${region}:${request.registryId ?? account}:repository/${name}` : '*'
    return { action: `ecr:${target.slice(TARGET_PREFIX.length)}`, resource, region }
  }
  if (target.startsWith(KMS_PREFIX)) {
    const { KeyId: key = '' } = JSON.parse(text || '{}') as { KeyId?: string }
    const resource = key.startsWith('arn:') ? key : `arn:aws:kms:${region}:${account}:key/${key}`
    return { action: `kms:${target.slice(KMS_PREFIX.length)}`, resource, region }
  }
  const form = new URLSearchParams(text)
  const action = form.get('Action')
  if (!action) return undefined
  const roleArn = form.get('RoleArn') ?? ''
  const token = form.get('WebIdentityToken')
  const claims = token
    ? (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>)
    : undefined
  return {
    action: `sts:${action}`,
    resource: roleArn || '*',
    region,
    ...(claims ? { webIdentity: { roleArn, claims } } : {})
  }
}

export async function startEcrStandIn(motoUrl: string, account: string): Promise<EcrStandIn> {
  const blobs = new Map<string, Buffer>()
  const denied = new Set<string>()
  const status = new Map<string, string>()
  const pushedAt = new Map<string, number>()
  const archivedAt = new Map<string, number>()
  const corrupt = new Set<string>()
  const inaccessible = new Set<string>()
  const operations: string[] = []
  const calls: AwsCall[] = []
  const registry: EcrStandIn['registry'] = { scope: 'V2' }
  let base = ''
  let blobBase = ''

  const fail = (response: ServerResponse, type: string, message: string) => {
    response
      .writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type })
      .end(JSON.stringify({ __type: type, message }))
  }

  const server = createServer((incoming, response) => {
    void handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error))
    })
  })

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const blob = /^\/blobs\/(sha256:[0-9a-f]{64})$/.exec(new URL(incoming.url ?? '/', 'http://x').pathname)
    if (blob?.[1] && incoming.method === 'GET') {
      const bytes = blobs.get(blob[1])
      if (!bytes) return void response.writeHead(404).end()
      const served = corrupt.has(blob[1]) ? Buffer.concat([bytes, Buffer.from(' ')]) : bytes
      return void response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(served)
    }
    const target = String(incoming.headers['x-amz-target'] ?? '')
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
    if (operation) operations.push(operation)
    const call = awsCall(incoming, body, account)
    if (call) calls.push(call)
    if (denied.has(operation)) {
      return fail(
        response,
        'AccessDeniedException',
        `User: arn:aws:sts::111122223333:assumed-role/github-runpod-deploy/runpod-ecr-deploy is not authorized to perform: ecr:${operation} because no identity-based policy allows the ecr:${operation} action`
      )
    }
    if (operation === 'GetAccountSetting') {
      const { name } = JSON.parse(body.toString('utf8')) as { name: string }
      if (name !== 'REGISTRY_POLICY_SCOPE') return fail(response, 'ValidationException', `Unknown setting ${name}.`)
      return void response
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ name, value: registry.scope }))
    }
    if (operation === 'GetRegistryPolicy' && registry.policy !== undefined) {
      return void response
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ registryId: account, policyText: registry.policy }))
    }
    if (operation === 'GetDownloadUrlForLayer') {
      const { layerDigest } = JSON.parse(body.toString('utf8')) as { layerDigest: string }
      if (inaccessible.has(layerDigest))
        return fail(response, 'LayerInaccessibleException', `The specified layer ${layerDigest} is not accessible.`)
      if (!blobs.has(layerDigest))
        return fail(response, 'LayersNotFoundException', `The specified layer ${layerDigest} does not exist.`)
      // Shaped like S3's presigned URLs; the stand-in checks nothing of the query.
      const downloadUrl = `${blobBase || base}/blobs/${layerDigest}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=stand-in`
      return void response
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ downloadUrl, layerDigest }))
    }
    const upstream = await forward(incoming, body)
    if (operation === 'DescribeImages' && upstream.status === 200) {
      const parsed = JSON.parse(upstream.body.toString('utf8')) as { imageDetails?: Record<string, unknown>[] }
      const asked = JSON.parse(body.toString('utf8') || '{}') as {
        imageIds?: unknown[]
        filter?: { imageStatus?: string }
      }
      for (const details of parsed.imageDetails ?? []) {
        const digest = String(details['imageDigest'])
        details['imageStatus'] = status.get(digest) ?? 'ACTIVE'
        const pushed = pushedAt.get(digest)
        if (pushed !== undefined) details['imagePushedAt'] = pushed / 1000
        const archived = archivedAt.get(digest)
        if (archived !== undefined) details['lastArchivedAt'] = archived / 1000
      }
      // A listing (no imageIds) holds ACTIVE images only unless filter.imageStatus asks for others, as ECR's
      // API reference says of DescribeImagesFilter.
      if (!asked.imageIds) {
        const wanted = asked.filter?.imageStatus ?? 'ACTIVE'
        parsed.imageDetails = (parsed.imageDetails ?? []).filter(
          (details) => wanted === 'ANY' || details['imageStatus'] === wanted
        )
      }
      upstream.body = Buffer.from(JSON.stringify(parsed))
      delete upstream.headers['content-length']
    }
    response.writeHead(upstream.status, upstream.headers).end(upstream.body)
  }

  function forward(
    incoming: IncomingMessage,
    body: Buffer
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const to = new URL(incoming.url ?? '/', motoUrl)
      const outgoing = request(to, { method: incoming.method, headers: incoming.headers }, (reply) => {
        const parts: Buffer[] = []
        reply.on('data', (chunk: Buffer) => parts.push(chunk))
        reply.on('end', () =>
          resolve({ status: reply.statusCode ?? 502, headers: { ...reply.headers }, body: Buffer.concat(parts) })
        )
        reply.on('error', reject)
      })
      outgoing.on('error', reject)
      outgoing.end(body)
    })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    blobs,
    denied,
    status,
    pushedAt,
    archivedAt,
    corrupt,
    inaccessible,
    registry,
    operations,
    calls,
    setBlobBase: (url) => {
      blobBase = url
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
