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
  it('does not import undici at load', () => {
    const source = readFileSync('node_modules/@actions/http-client/lib/index.js', 'utf8')
    expect(source).not.toMatch(/^import .* from 'undici'/m)
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

describe('@actions/core patch', () => {
  it('loads its OIDC client when a token is asked for, not at import', () => {
    const source = readFileSync('node_modules/@actions/core/lib/core.js', 'utf8')
    expect(source).not.toMatch(/^import .*oidc-utils/m)
    expect(source).toMatch(/yield import\('\.\/oidc-utils\.js'\)/)
  })
})
