import type { ResourceKind } from './errors.js'

/** Where a person opens a target in Runpod's console. */
export function runpodConsoleUrl(kind: ResourceKind, id: string): string {
  const encoded = encodeURIComponent(id)
  if (kind === 'template') return 'https://console.runpod.io/user/templates'
  return kind === 'pod'
    ? `https://console.runpod.io/pods?id=${encoded}`
    : `https://console.runpod.io/serverless/user/endpoint/${encoded}`
}
