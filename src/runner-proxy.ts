// A self-hosted runner's proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY): Node's own proxy support carries every
// request of the run, Runpod's and the pod probes' (fetch), GitHub's (Octokit's fetch) and AWS's (the agents
// of aws/sdk.ts), so no proxy client is bundled.
import { ActionError } from './errors.js'

/** The part of node:http used here, optional as it is before Node 24.14. */
interface NodeHttp {
  readonly setGlobalProxyFromEnv?: (proxyEnv: NodeJS.ProcessEnv) => unknown
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const

/** The proxy variable the environment sets, if any. */
export function proxyVariable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return PROXY_VARIABLES.find((name) => env[name])
}

/**
 * Sends fetch and Node's global agents through the proxy the environment names, before the first request.
 * Node 24.14 added the switch; on an older Node a proxy set would be bypassed without a word, so that fails.
 */
export function useRunnerProxy(env: NodeJS.ProcessEnv = process.env, node?: NodeHttp): void {
  const variable = proxyVariable(env)
  if (variable === undefined) return
  // node:http is loaded only when a proxy is set: a run without one starts without it.
  const { setGlobalProxyFromEnv } = node ?? process.getBuiltinModule('node:http')
  if (typeof setGlobalProxyFromEnv !== 'function') {
    throw new ActionError(
      `${variable} is set, but this runner's Node.js ${process.version} cannot send requests through a proxy (Node.js 24.14 or later can). Update the runner, whose release brings its own Node.js 24, or unset ${variable} if the runner reaches Runpod and AWS directly.`
    )
  }
  setGlobalProxyFromEnv(env)
}
