// The README's examples are meant to be pasted: every YAML block must parse, and each workflow must use
// only inputs action.yml declares and grant the OIDC permission whenever it asks the action to assume a role.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

interface Step {
  uses?: string
  with?: Record<string, unknown>
}
interface Workflow {
  on: unknown
  permissions?: Record<string, string>
  jobs: Record<string, { permissions?: Record<string, string>; steps: Step[] }>
}

const inputs = Object.keys((parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown> }).inputs)
const blocks: unknown[] = [...readFileSync('README.md', 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) =>
  parse(match[1] ?? '', { strict: true, uniqueKeys: true })
)
// Snippets (a lone `with:` block, say) are fine; whole workflows are checked.
const workflows = blocks.filter((block): block is Workflow => typeof block === 'object' && block !== null && 'jobs' in block)

describe('README workflow examples', () => {
  it('parse, and include the deploy, release, verify and lint workflows', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(4)
    for (const workflow of workflows) {
      expect(workflow.on).toBeDefined()
      expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0)
    }
  })

  it('use only declared inputs of the action, and id-token: write with role-to-assume', () => {
    for (const workflow of workflows) {
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps.filter((s) => s.uses?.startsWith('runpod-ecr-deploy/runpod-ecr-deploy@'))) {
          const given = Object.keys(step.with ?? {})
          expect(inputs).toEqual(expect.arrayContaining(given))
          if (given.includes('role-to-assume')) {
            expect({ ...workflow.permissions, ...job.permissions }['id-token']).toBe('write')
          }
        }
      }
    }
  })
})
