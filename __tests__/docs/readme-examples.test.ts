// The README's examples are meant to be pasted: every YAML block must parse, and each workflow must use
// only inputs action.yml declares and grant the OIDC permission whenever it asks the action to assume a role.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { lintPolicy } from '../../src/policy/lint.js'
import { parseTemplate, resolveTemplate } from '../../test-support/cloudformation.js'
import { RUNPOD_DEPLOYMENT_ROLES, RUNPOD_STATEMENT_SID, runpodStatement } from '../../src/policy/runpod-statement.js'

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
const workflows = blocks.filter(
  (block): block is Workflow => typeof block === 'object' && block !== null && 'jobs' in block
)

describe('README workflow examples', () => {
  it('parse, and include the deploy and pull request workflows', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(2)
    for (const workflow of workflows) {
      expect(workflow.on).toBeDefined()
      expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0)
    }
  })

  it('use only declared inputs of the action, and id-token: write with role-to-assume', () => {
    for (const workflow of workflows) {
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps.filter((s) => s.uses?.startsWith('OWNER/runpod-ecr-deploy@'))) {
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

describe('docs/aws-setup.md', () => {
  const jsonBlocks = [...readFileSync('docs/aws-setup.md', 'utf8').matchAll(/^```json\n([\s\S]*?)^```$/gm)].map(
    (match) => JSON.parse(match[1] ?? '') as Record<string, unknown>
  )

  it('shows the exact repository statement the action writes, and it passes the action’s own lint', () => {
    const statement = jsonBlocks.find((block) => block['Sid'] === RUNPOD_STATEMENT_SID)
    expect(statement).toEqual(JSON.parse(JSON.stringify(runpodStatement(RUNPOD_DEPLOYMENT_ROLES))))
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [statement] }, null, 2)
    expect(lintPolicy(policy, 'docs/aws-setup.md')).toEqual([])
  })

  it('shows an organization perimeter that lint denies, and its Runpod exemption that lint passes', () => {
    const perimeters = jsonBlocks.filter((block) => block['Sid'] === 'OrgPerimeter')
    expect(perimeters).toHaveLength(2)
    const withRunpod = (deny: object) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [runpodStatement(RUNPOD_DEPLOYMENT_ROLES), deny] }, null, 2)
    const rulesOf = (deny: object) => lintPolicy(withRunpod(deny), 'docs/aws-setup.md').map((finding) => finding.rule)
    expect(rulesOf(perimeters[0]!)).toEqual(['RPD005', 'RPD005'])
    expect(rulesOf(perimeters[1]!)).toEqual([])
  })

  it('gives the deploy role only the AWS permissions the action calls', () => {
    const actions = jsonBlocks
      .filter((block) => Array.isArray(block['Statement']) && JSON.stringify(block).includes('arn:aws:ecr:'))
      .flatMap((block) =>
        (block['Statement'] as { Action: string | string[] }[]).flatMap((statement) => statement.Action)
      )
    // What the deploy calls, read from the AWS adapters (token mode's GetAuthorizationToken is documented apart).
    const called = [
      ['src/aws/ecr.ts', 'ecr'],
      ['src/aws/image.ts', 'ecr'],
      ['src/aws/kms.ts', 'kms']
    ].flatMap(([file = '', service = '']) =>
      [...readFileSync(file, 'utf8').matchAll(/new (\w+)Command\(/g)].map((match) => `${service}:${match[1]}`)
    )
    const deployCalls = [...new Set(called)].filter((action) => action !== 'ecr:GetAuthorizationToken').sort()
    expect(deployCalls).toEqual(
      expect.arrayContaining([
        'ecr:BatchGetImage',
        'ecr:DescribeImages',
        'ecr:GetDownloadUrlForLayer',
        'kms:DescribeKey'
      ])
    )
    expect([...new Set(actions)].sort()).toEqual(deployCalls)
    // The template's role for the same setup (delegation, policy apply, a KMS key) takes the same actions.
    const role = resolveTemplate(
      parseTemplate(readFileSync('infra/cloudformation/runpod-ecr-deploy-role.yaml', 'utf8')),
      {
        GitHubRepository: 'octo/repo',
        EcrRepositoryNames: 'team/worker',
        KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'
      },
      { account: '123456789012', region: 'us-east-1' }
    ).resources['DeployRole']?.Properties as unknown as {
      Policies: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[]
    }
    const templateActions = role.Policies.flatMap((policy) =>
      policy.PolicyDocument.Statement.flatMap((statement) => statement.Action)
    )
    expect([...new Set(templateActions)].sort()).toEqual(deployCalls)
  })
})
