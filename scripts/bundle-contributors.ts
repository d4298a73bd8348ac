// What makes dist/index.js big: ncc's (webpack's) --stats-out modules grouped by npm package.
// Sizes are of the module sources before minification, so they rank contributors rather than add up
// to the size of the minified file.

export interface Contributor {
  /** `pkg`, `pkg/nested-pkg` for a second copy inside another package, or `src` for our own code. */
  readonly name: string
  readonly bytes: number
  readonly modules: number
}

interface StatsModule {
  readonly name?: string
  readonly nameForCondition?: string
  readonly size?: number
  /** Modules webpack concatenated into this one (ES modules). */
  readonly modules?: readonly StatsModule[]
}

function packageOf(path: string): string {
  const packages = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((match) => match[1])
  if (packages.length > 0) return packages.join('/')
  return /(^|\/)src\//.test(path) ? 'src' : path
}

export function bundleContributors(stats: { readonly modules?: readonly StatsModule[] }): Contributor[] {
  const totals = new Map<string, { bytes: number; modules: number }>()
  const add = (module: StatsModule) => {
    if (module.modules?.length) {
      module.modules.forEach(add)
      return
    }
    const name = packageOf(module.nameForCondition ?? module.name ?? '')
    const entry = totals.get(name) ?? { bytes: 0, modules: 0 }
    entry.bytes += module.size ?? 0
    entry.modules += 1
    totals.set(name, entry)
  }
  stats.modules?.forEach(add)
  return [...totals].map(([name, { bytes, modules }]) => ({ name, bytes, modules })).sort((a, b) => b.bytes - a.bytes)
}
