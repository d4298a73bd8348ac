// The patches/ in node_modules (patch-package) keep the toolkit's behaviour and only change when code loads.
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import fs, { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { HttpClient } from '@actions/http-client'

const saved = process.env['HTTPS_PROXY']

afterEach(() => {
  if (saved === undefined) delete process.env['HTTPS_PROXY']
  else process.env['HTTPS_PROXY'] = saved
})

describe('@actions/http-client patch (actions/toolkit#1800)', () => {
  it('does not import undici at all: no ProxyAgent is bundled', () => {
    const source = readFileSync('node_modules/@actions/http-client/lib/index.js', 'utf8')
    expect(source).not.toMatch(/from 'undici'/)
    const loader = readFileSync('node_modules/@actions/http-client/lib/proxy-agent.cjs', 'utf8')
    expect(loader).not.toMatch(/require\(/)
  })

  it('says so if a proxy dispatcher is ever asked for, and gives none where no proxy is set', () => {
    process.env['HTTPS_PROXY'] = 'http://proxy.example:3128'
    expect(() => new HttpClient().getAgentDispatcher('https://api.github.com')).toThrow(/Node's own support/)
    delete process.env['HTTPS_PROXY']
    expect(new HttpClient().getAgentDispatcher('https://api.github.com')).toBeUndefined()
  })

  it('still tunnels its own requests (the OIDC token) through a proxy', () => {
    process.env['HTTPS_PROXY'] = 'http://proxy.example:3128'
    const agent = new HttpClient().getAgent('https://token.actions.githubusercontent.com') as object
    expect(agent.constructor.name).toBe('TunnelingAgent')
  })
})

describe('@actions/core patch', () => {
  it('loads no child_process (core.platform) and no node:crypto at import', () => {
    const core = readFileSync('node_modules/@actions/core/lib/core.js', 'utf8')
    expect(core).not.toMatch(/from '\.\/platform\.js'/)
    const fileCommand = readFileSync('node_modules/@actions/core/lib/file-command.js', 'utf8')
    expect(fileCommand).not.toMatch(/from 'crypto'/)
  })

  it('writes an output whose value holds what a delimiter looks like, without the delimiter it picks', async () => {
    const { prepareKeyValueMessage } = await import('../node_modules/@actions/core/lib/file-command.js')
    const value = 'line one\nghadelimiter_abc\nline three'
    const message = prepareKeyValueMessage('findings', value)
    const [first = '', ...rest] = message.split('\n')
    const delimiter = first.replace('findings<<', '')
    expect(rest.at(-1)).toBe(delimiter)
    expect(value).not.toContain(delimiter)
    expect(rest.slice(0, -1).join('\n')).toBe(value)
  })
})

describe('@actions/github patch', () => {
  it("fetches with Node's own fetch, so undici's fetch is not bundled", () => {
    const source = readFileSync('node_modules/@actions/github/lib/internal/utils.js', 'utf8')
    expect(source).not.toMatch(/from 'undici'/)
    expect(source).toMatch(/const fetch = globalThis\.fetch;/)
  })

  it("hands Node's fetch no dispatcher where a proxy is configured: Node's own proxy support carries it", async () => {
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
      await proxyFetch('https://api.github.com/user', { method: 'GET' })
      expect(calls).toEqual([{ method: 'GET' }])
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

describe('@actions/core patch: the log without process.stdout, the summary without fs.promises', () => {
  afterEach(() => {
    jest.restoreAllMocks()
  })

  it('loads neither at import', () => {
    const command = readFileSync('node_modules/@actions/core/lib/command.js', 'utf8')
    const core = readFileSync('node_modules/@actions/core/lib/core.js', 'utf8')
    expect(`${command}${core}`).not.toMatch(/process\.stdout\.write\(/)
    const summaryCode = readFileSync('node_modules/@actions/core/lib/summary.js', 'utf8').replace(/^\s*\/\/.*$/gm, '')
    expect(summaryCode).not.toMatch(/promises/)
  })

  it('appends the job summary to its file as before', async () => {
    const { summary } = await import('@actions/core')
    const dir = mkdtempSync(path.join(tmpdir(), 'rpd-summary-'))
    const file = path.join(dir, 'summary.md')
    writeFileSync(file, 'before\n')
    process.env['GITHUB_STEP_SUMMARY'] = file
    try {
      await summary.addRaw('after', true).write()
      expect(readFileSync(file, 'utf8')).toBe('before\nafter\n')
      await summary.addRaw('only', true).write({ overwrite: true })
      expect(readFileSync(file, 'utf8')).toBe('only\n')
    } finally {
      delete process.env['GITHUB_STEP_SUMMARY']
      rmSync(dir, { recursive: true, force: true })
    }
  })

  // One test, in this order: once a write has fallen back to process.stdout, every later one goes there.
  it('writes each line to descriptor 1 whole; a write that does not go through is finished by process.stdout, as is every later one', async () => {
    const { info, warning } = await import('@actions/core')
    const direct: string[] = []
    const streamed: string[] = []
    let refuseAfter: number | undefined
    jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: Uint8Array, offset?: number | null) => {
      expect(fd).toBe(1)
      const rest = Buffer.from(data).subarray(offset ?? 0)
      // A full non-blocking pipe takes part of a write, then refuses.
      const taken = refuseAfter === undefined ? rest : rest.subarray(0, refuseAfter)
      if (taken.length === 0)
        throw Object.assign(new Error('EAGAIN: resource temporarily unavailable'), { code: 'EAGAIN' })
      direct.push(taken.toString('utf8'))
      if (refuseAfter !== undefined) refuseAfter = 0
      return taken.length
    }) as typeof fs.writeSync)
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      streamed.push(Buffer.from(chunk).toString('utf8'))
      return true
    })

    info('first line')
    warning('a warning', { title: 'RPD001' })
    expect(direct).toEqual(['first line\n', '::warning title=RPD001::a warning\n'])
    expect(streamed).toEqual([])

    refuseAfter = 5
    info('second line')
    info('third line')
    expect(direct.slice(2)).toEqual(['secon'])
    expect(streamed).toEqual(['d line\n', 'third line\n'])
  })
})
