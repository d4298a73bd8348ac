// The patches/ in node_modules (patch-package) keep the toolkit's behaviour and only change when code loads.
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { HttpClient } from '@actions/http-client'

const saved = process.env['HTTPS_PROXY']

afterEach(() => {
  if (saved === undefined) delete process.env['HTTPS_PROXY']
  else process.env['HTTPS_PROXY'] = saved
})

describe('@actions/http-client patch (actions/toolkit#1800)', () => {
  it("does not import undici at load, and then only its ProxyAgent module, not undici's index", () => {
    const source = readFileSync('node_modules/@actions/http-client/lib/index.js', 'utf8')
    expect(source).not.toMatch(/^import .* from 'undici'/m)
    const loader = readFileSync('node_modules/@actions/http-client/lib/proxy-agent.cjs', 'utf8')
    expect(loader).toMatch(/require\('undici\/lib\/dispatcher\/proxy-agent\.js'\)/)
  })

  it('still gives a proxy dispatcher where a proxy is configured, and none where not', async () => {
    process.env['HTTPS_PROXY'] = 'http://proxy.example:3128'
    const dispatcher = new HttpClient().getAgentDispatcher('https://api.github.com')
    expect(dispatcher?.constructor.name).toBe('ProxyAgent')
    await dispatcher?.close()
    delete process.env['HTTPS_PROXY']
    expect(new HttpClient().getAgentDispatcher('https://api.github.com')).toBeUndefined()
  })
})

describe('@actions/github patch', () => {
  it("fetches with Node's own fetch, so undici's fetch is not bundled", () => {
    const source = readFileSync('node_modules/@actions/github/lib/internal/utils.js', 'utf8')
    expect(source).not.toMatch(/from 'undici'/)
    expect(source).toMatch(/const fetch = globalThis\.fetch;/)
  })

  it("hands Node's fetch the toolkit's proxy dispatcher where a proxy is configured", async () => {
    const calls: unknown[] = []
    const original = globalThis.fetch
    globalThis.fetch = ((_url: unknown, options: unknown) => {
      calls.push(options)
      return Promise.resolve(new Response('{}'))
    }) as typeof fetch
    try {
      // The toolkit makes Octokit's fetch when @actions/github/lib/utils loads, for GITHUB_API_URL.
      process.env['HTTPS_PROXY'] = 'http://proxy.example:3128'
      const { defaults } = await import('@actions/github/lib/utils')
      const proxyFetch = (defaults as { request: { fetch: (url: string, options: object) => Promise<Response> } })
        .request.fetch
      await proxyFetch('https://api.github.com/user', {})
      const dispatcher = (calls[0] as { dispatcher?: { constructor: { name: string }; close(): Promise<void> } })
        .dispatcher
      expect(dispatcher?.constructor.name).toBe('ProxyAgent')
      await dispatcher?.close()
    } finally {
      globalThis.fetch = original
    }
  })
})

describe('@actions/core patch', () => {
  it('loads its OIDC client when a token is asked for, not at import', () => {
    const source = readFileSync('node_modules/@actions/core/lib/core.js', 'utf8')
    expect(source).not.toMatch(/^import .*oidc-utils/m)
    expect(source).toMatch(/yield import\('\.\/oidc-utils\.js'\)/)
  })
})
