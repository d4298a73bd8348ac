// A runner's proxy is switched on once, with Node's own support, or the run says why it cannot be.
import { describe, expect, it, jest } from '@jest/globals'
import { proxyVariable, useRunnerProxy } from '../src/runner-proxy.js'

describe('useRunnerProxy', () => {
  it('leaves Node alone when no proxy is set', () => {
    const setGlobalProxyFromEnv = jest.fn()
    useRunnerProxy({ NO_PROXY: 'example.com' }, { setGlobalProxyFromEnv })
    expect(setGlobalProxyFromEnv).not.toHaveBeenCalled()
  })

  it("hands the environment to Node's proxy switch when a proxy is set, lower case too", () => {
    const setGlobalProxyFromEnv = jest.fn()
    const env = { https_proxy: 'http://proxy.internal:3128', NO_PROXY: '.internal' }
    useRunnerProxy(env, { setGlobalProxyFromEnv })
    expect(setGlobalProxyFromEnv).toHaveBeenCalledWith(env)
    expect(proxyVariable(env)).toBe('https_proxy')
  })

  it('fails naming the variable and what to do on a Node without the switch, rather than bypass the proxy', () => {
    expect(() => useRunnerProxy({ HTTP_PROXY: 'http://proxy.internal:3128' }, {})).toThrow(
      /HTTP_PROXY is set, but this runner's Node\.js v[\d.]+ cannot send requests through a proxy \(Node\.js 24\.14 or later can\)\. Update the runner/
    )
  })
})
