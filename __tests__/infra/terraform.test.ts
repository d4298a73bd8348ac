// The Terraform module (infra/terraform) is the CloudFormation template's twin: parsed with HashiCorp's own HCL
// parser (@cdktf/hcl2json), its variables and outputs named like the template's parameters and outputs, and
// for every combination of the switches its role may take exactly the actions the template's role may.
import { describe, expect, it } from '@jest/globals'
import { parse } from '@cdktf/hcl2json'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseTemplate, resolveTemplate } from '../../test-support/cloudformation.js'

const DIR = 'infra/terraform'
const template = parseTemplate(readFileSync('infra/cloudformation/runpod-ecr-deploy-role.yaml', 'utf8'))

interface Module {
  variable?: Record<string, unknown>
  output?: Record<string, unknown>
  locals?: Record<string, string>[]
  data?: Record<string, Record<string, unknown>>
  resource?: Record<string, Record<string, unknown>>
}

async function module(): Promise<Module> {
  const merged: Module = {}
  for (const file of readdirSync(DIR).filter((name) => name.endsWith('.tf'))) {
    const parsed = (await parse(file, readFileSync(path.join(DIR, file), 'utf8'))) as Module
    merged.variable = { ...merged.variable, ...parsed.variable }
    merged.output = { ...merged.output, ...parsed.output }
    merged.locals = [...(merged.locals ?? []), ...(parsed.locals ?? [])]
    merged.data = { ...merged.data, ...parsed.data }
    merged.resource = { ...merged.resource, ...parsed.resource }
  }
  return merged
}

const snake = (name: string) =>
  name
    .replace(/GitHub/g, 'Github')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()

/** A list local built as concat(...) of `[...]` and `flag ? [...] : []`, evaluated for the flags given. */
function actionsOf(expression: string, flags: Record<string, boolean>): string[] {
  const body = expression.replace(/#.*$/gm, '')
  const parts = [...body.matchAll(/(?:(?:local|var)\.(\w+) \? )?\[([^\]]*)\](?: : \[\])?/g)]
  return parts.flatMap(([, flag, list = '']) => {
    if (flag !== undefined && !(flag in flags)) throw new Error(`unknown switch ${flag}`)
    if (flag !== undefined && !flags[flag]) return []
    return [...list.matchAll(/"([^"]+)"/g)].map((match) => match[1] ?? '')
  })
}

describe('infra/terraform', () => {
  it('names its variables and outputs like the template’s parameters and outputs', async () => {
    const parsed = await module()
    expect(Object.keys(parsed.variable ?? {}).sort()).toEqual(Object.keys(template.Parameters).map(snake).sort())
    expect(Object.keys(parsed.output ?? {}).sort()).toEqual(Object.keys(template.Outputs).map(snake).sort())
  })

  it('lets the role take the template’s actions, switch for switch', async () => {
    const locals = Object.assign({}, ...((await module()).locals ?? [])) as Record<string, string>
    for (const policy of ['apply', 'verify', 'skip'])
      for (const token of [true, false])
        for (const push of [true, false])
          for (const kms of ['', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab']) {
            const flags = {
              reads_policy: policy !== 'skip',
              writes_policy: policy === 'apply',
              token_or_push: token || push,
              allow_push: push
            }
            const ours = [
              ...actionsOf(locals['repository_actions'] ?? '', flags),
              ...actionsOf(locals['registry_actions'] ?? '', flags),
              ...(kms ? ['kms:DescribeKey'] : [])
            ].sort()
            const stack = resolveTemplate(
              template,
              {
                GitHubRepository: 'octo/repo',
                EcrRepositoryNames: 'team/a',
                PolicyInput: policy,
                TokenMode: String(token),
                AllowPush: String(push),
                KmsKeyArn: kms
              },
              { account: '123456789012', region: 'us-east-1' }
            )
            const role = stack.resources['DeployRole']?.Properties as unknown as {
              Policies: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[]
            }
            const theirs = role.Policies.flatMap((entry) =>
              entry.PolicyDocument.Statement.flatMap((statement) => statement.Action)
            ).sort()
            expect([policy, token, push, kms, ours]).toEqual([policy, token, push, kms, theirs])
          }
  })

  it('trusts GitHub’s OIDC provider for sts.amazonaws.com and one repository’s subject, like the template', async () => {
    const text = JSON.stringify((await module()).data?.['aws_iam_policy_document']?.['trust'])
    expect(text).toContain('token.actions.githubusercontent.com:aud')
    expect(text).toContain('sts.amazonaws.com')
    expect(text).toContain('repo:${local.subject_repository}:${local.subject_scope}')
    expect(text).toContain('sts:AssumeRoleWithWebIdentity')
  })
})
