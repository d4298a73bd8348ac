// The rollout chart is valid Mermaid, read back by Mermaid's own gantt parser and database (under jsdom,
// as Mermaid expects a DOM): every bar in its target's section, from the patch to the outcome.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { JSDOM } from 'jsdom'
import type { DeploymentRecord } from '../../src/deploy/report.js'
import { rolloutGantt } from '../../src/github/timeline.js'

interface GanttTask {
  readonly task: string
  readonly section: string
  readonly startTime: Date
  readonly endTime: Date
  readonly done?: boolean
  readonly crit?: boolean
  readonly active?: boolean
}

let mermaid: (typeof import('mermaid'))['default']

beforeAll(async () => {
  const { window } = new JSDOM('<!doctype html><html><body></body></html>')
  Object.assign(globalThis, { window, document: window.document })
  mermaid = (await import('mermaid')).default
})

/** What Mermaid itself makes of the text: it must parse, and its gantt database holds the bars. */
async function readBack(text: string): Promise<GanttTask[]> {
  expect(await mermaid.parse(text)).toMatchObject({ diagramType: 'gantt' })
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text)
  return (diagram.db as unknown as { getTasks(): GanttTask[] }).getTasks()
}

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0)

function deployment(
  id: string,
  status: DeploymentRecord['status'],
  timeline?: DeploymentRecord['timeline']
): DeploymentRecord {
  return {
    kind: id.startsWith('ep') ? 'endpoint' : 'pod',
    id,
    previousImage: 'old',
    image: 'new',
    status,
    ...(timeline ? { timeline } : {})
  }
}

describe('rolloutGantt', () => {
  it('draws each target: rolled out, rolled back after a failed rollout, and a rollback not seen', async () => {
    const text = rolloutGantt([
      { ...deployment('p1', 'rolled-out', { patchedAt: T0, endedAt: T0 + 12_000 }), name: 'trainer: big; #1' },
      deployment('ep1', 'rolled-back', { patchedAt: T0, rollbackAt: T0 + 30_000, endedAt: T0 + 41_000 }),
      deployment('ep2', 'failed', { patchedAt: T0 + 500, rollbackAt: T0 + 20_000, endedAt: T0 + 80_000 })
    ])
    expect(text).toBeDefined()
    const tasks = await readBack(text ?? '')
    expect(
      tasks.map((task) => [task.section, task.task.trim(), task.startTime.getTime(), task.endTime.getTime()])
    ).toEqual([
      ['pod p1 trainer big 1', 'rolled out', T0, T0 + 12_000],
      ['endpoint ep1', 'did not roll out', T0, T0 + 30_000],
      ['endpoint ep1', 'rolled back', T0 + 30_000, T0 + 41_000],
      ['endpoint ep2', 'did not roll out', T0 + 500, T0 + 20_000],
      ['endpoint ep2', 'rollback not seen', T0 + 20_000, T0 + 80_000]
    ])
    expect(tasks.map((task) => (task.crit ? 'crit' : task.done ? 'done' : 'other'))).toEqual([
      'done',
      'crit',
      'done',
      'crit',
      'crit'
    ])
  })

  it('gives a target seen at once a bar one millisecond long', async () => {
    const tasks = await readBack(rolloutGantt([deployment('p2', 'rolled-out', { patchedAt: T0, endedAt: T0 })]) ?? '')
    expect(tasks[0]?.endTime.getTime()).toBe(T0 + 1)
  })

  it('is left out when nothing was waited for', () => {
    expect(rolloutGantt([deployment('p3', 'updated'), deployment('p4', 'unchanged')])).toBeUndefined()
  })

  it('would notice a bar Mermaid cannot place', async () => {
    const tasks = await readBack('gantt\n  dateFormat x\n  section a\n  bad :done, t0, 1764669600000, banana\n')
    expect(tasks[0]?.endTime.getTime()).toBe(tasks[0]?.startTime.getTime())
  })
})

describe('rolloutGantt with readiness', () => {
  it('splits a health-checked pod at its ready moment, rolled out or rolled back', async () => {
    const health = { passed: true, url: 'https://p1-8000.proxy.runpod.net/health', tries: 3, last: 'HTTP 200' }
    const text =
      rolloutGantt([
        { ...deployment('p1', 'rolled-out', { patchedAt: T0, readyAt: T0 + 12_000, endedAt: T0 + 16_000 }), health },
        {
          ...deployment('p2 @team [x](https://e) <b>', 'rolled-back', {
            patchedAt: T0,
            readyAt: T0 + 10_000,
            rollbackAt: T0 + 40_000,
            endedAt: T0 + 45_000
          }),
          health: { ...health, passed: false, last: 'HTTP 503' }
        }
      ]) ?? ''
    const tasks = await readBack(text)
    expect(
      tasks.map((task) => [task.section, task.task.trim(), task.endTime.getTime() - task.startTime.getTime()])
    ).toEqual([
      ['pod p1', 'until ready', 12_000],
      ['pod p1', 'health check', 4_000],
      ['pod p2 team x https //e b', 'until ready', 10_000],
      ['pod p2 team x https //e b', 'health check failed', 30_000],
      ['pod p2 team x https //e b', 'rolled back', 5_000]
    ])
  })
})
