// `health-check: PORT/PATH`: once a pod's container is ready, its HTTP server must answer 2xx through Runpod's
// proxy within `health-timeout`. judgeProbe decides each answer; waitHealthy asks until it passes, fails or the
// time is up.
import { setTimeout as sleepFor } from 'node:timers/promises'
import { probe, proxyUrl, type ProbeResult } from '../runpod/pod-proxy.js'
import type { HealthSettings } from '../inputs.js'
import type { Logger } from './log.js'

export interface HealthResult {
  readonly passed: boolean
  readonly url: string
  readonly tries: number
  /** The last HTTP status, or what went wrong without one. */
  readonly last: string
  /** Why it failed, in a sentence. */
  readonly reason?: string
}

/** The proxy answers these while the pod's server is not listening yet (or restarting): try again. */
const NOT_YET = new Set([502, 503, 504])
const PROBE_TIMEOUT_MS = 10_000
const RETRY_MS = 2_000
const EXCERPT_SHOWN = 200

export type ProbeVerdict = 'healthy' | 'not-yet' | 'failed'

/** 2xx passes; 502/503/504 and no answer at all are "not yet"; any other status fails (a 3xx is not followed). */
export function judgeProbe(result: ProbeResult): ProbeVerdict {
  if (result.status === undefined) return 'not-yet'
  if (result.status >= 200 && result.status < 300) return 'healthy'
  return NOT_YET.has(result.status) ? 'not-yet' : 'failed'
}

function describeProbe(result: ProbeResult): string {
  if (result.status === undefined) return `no answer (${result.error})`
  const excerpt = result.excerpt.replace(/\s+/g, ' ').trim().slice(0, EXCERPT_SHOWN)
  return `HTTP ${result.status}${excerpt ? `: ${excerpt}` : ''}`
}

/** Asks the pod's health URL until it answers 2xx, answers a status that fails, or the time (or the wait) is over. */
export async function waitHealthy(
  podId: string,
  settings: HealthSettings,
  deadline: number,
  log: Logger,
  label: string,
  signal?: AbortSignal
): Promise<HealthResult> {
  const url = proxyUrl(settings.urlTemplate, podId, settings.port, settings.path)
  const until = Math.min(deadline, Date.now() + settings.timeoutSeconds * 1000)
  let tries = 0
  for (;;) {
    tries += 1
    const result = await probe(url, Math.max(1, Math.min(PROBE_TIMEOUT_MS, until - Date.now())), signal)
    const last = describeProbe(result)
    const verdict = judgeProbe(result)
    if (verdict === 'healthy') {
      log.info(`${label}: health check passed: GET ${url.href} answered ${result.status} (try ${tries}).`)
      return { passed: true, url: url.href, tries, last }
    }
    if (verdict === 'failed') {
      return {
        passed: false,
        url: url.href,
        tries,
        last,
        reason: `the health check GET ${url.href} answered ${last}, which is not 2xx (try ${tries})`
      }
    }
    log.info(`${label}: health check ${last.split(':')[0]}, try ${tries}; asking again.`)
    if (signal?.aborted || Date.now() + RETRY_MS >= until) {
      return {
        passed: false,
        url: url.href,
        tries,
        last,
        reason: `the health check GET ${url.href} did not answer 2xx within ${settings.timeoutSeconds} s (health-timeout) or the wait; the last answer was ${last} after ${tries} tries`
      }
    }
    try {
      await sleepFor(RETRY_MS, undefined, signal ? { signal } : {})
    } catch {
      // A cancel: the next turn sees it.
    }
  }
}
