import type { TargetKind } from './targets.js'

/** Where a person opens a target in Runpod's console. */
export function runpodConsoleUrl(kind: TargetKind, id: string): string {
  const encoded = encodeURIComponent(id)
  return kind === 'pod'
    ? `https://console.runpod.io/pods?id=${encoded}`
    : `https://console.runpod.io/serverless/user/endpoint/${encoded}`
}
