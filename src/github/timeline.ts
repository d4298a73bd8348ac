// The rollout as a picture: a Mermaid gantt chart (GitHub renders ```mermaid blocks in job summaries), one
// section per target, with its rollout and, where there was one, its rollback.
import type { DeploymentRecord } from '../deploy/report.js'

type Timed = DeploymentRecord & { readonly timeline: NonNullable<DeploymentRecord['timeline']> }

/** The chart's source, or undefined when no target was waited for. */
export function rolloutGantt(deployments: readonly DeploymentRecord[]): string | undefined {
  const timed = deployments.filter((deployment): deployment is Timed => deployment.timeline !== undefined)
  if (timed.length === 0) return undefined
  const lines = ['gantt', '  title Rollout', '  dateFormat x', '  axisFormat %H:%M:%S']
  timed.forEach((deployment, index) => {
    const { patchedAt, readyAt, rollbackAt, endedAt } = deployment.timeline
    const id = `t${index}`
    lines.push(
      `  section ${label(`${deployment.kind} ${deployment.id}${deployment.name ? ` ${deployment.name}` : ''}`)}`
    )
    // A pod with a health check: until its container was ready, then asked over HTTP.
    const checked = readyAt !== undefined && deployment.health !== undefined && readyAt < (rollbackAt ?? endedAt)
    const from = checked ? readyAt : patchedAt
    if (checked) lines.push(task('until ready', 'done', `${id}r`, patchedAt, readyAt))
    if (rollbackAt === undefined) {
      const [name, tag] = TASKS[deployment.status]
      lines.push(task(checked ? 'health check' : name, tag, id, from, endedAt))
      return
    }
    lines.push(task(checked ? 'health check failed' : 'did not roll out', 'crit', `${id}a`, from, rollbackAt))
    const back: [string, string] =
      deployment.status === 'rolled-back' ? ['rolled back', 'done'] : ['rollback not seen', 'crit']
    lines.push(task(back[0], back[1], `${id}b`, rollbackAt, endedAt))
  })
  return `${lines.join('\n')}\n`
}

const TASKS: Record<DeploymentRecord['status'], [string, string]> = {
  'rolled-out': ['rolled out', 'done'],
  updated: ['updated, not seen', 'active'],
  'rolled-back': ['rolled back', 'done'],
  failed: ['failed', 'crit'],
  unchanged: ['unchanged', 'done'],
  planned: ['planned', 'active']
}

function task(name: string, tag: string, id: string, from: number, to: number): string {
  // A bar needs a length to be drawn: a target seen at once still gets one millisecond.
  return `  ${name} :${tag}, ${id}, ${from}, ${Math.max(to, from + 1)}`
}

/**
 * Pod and endpoint names come from outside: Mermaid's gantt syntax gives `:`, `;` and `#` meanings and its
 * labels may hold HTML, so a section keeps letters, digits, spaces and `._-/` only.
 */
function label(text: string): string {
  return text.replace(/[^\p{L}\p{N}._\-/]+/gu, ' ').trim()
}
