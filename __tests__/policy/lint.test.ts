import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { LINT_RULES, lintPolicy, type Finding } from '../../src/policy/lint.js'
import { PULL_ACTIONS, RUNPOD_DEPLOYMENT_ROLES } from '../../src/policy/runpod-statement.js'

const ROLES = [...RUNPOD_DEPLOYMENT_ROLES]
const RUNPOD = {
  Sid: 'AllowRunpodPull',
  Effect: 'Allow',
  Principal: '*',
  Action: [...PULL_ACTIONS],
  Condition: { StringEquals: { 'aws:PrincipalArn': ROLES } }
}

function text(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2)
}

/** Line and column of the n-th occurrence of `needle`, the way findings report them. */
function at(source: string, needle: string, nth = 0): { line: number; column: number } {
  let index = -1
  for (let i = 0; i <= nth; i++) {
    index = source.indexOf(needle, index + 1)
    if (index === -1) throw new Error(`${needle} not in text`)
  }
  const before = source.slice(0, index).split('\n')
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }
}

function rules(findings: readonly Finding[]): string[] {
  return findings.map((finding) => finding.rule)
}

function only(source: string, rule: string): Finding[] {
  return lintPolicy(source, 'policy.json').filter((finding) => finding.rule === rule)
}

describe('lintPolicy', () => {
  it('has no findings for the Runpod statement', () => {
    expect(lintPolicy(text(RUNPOD), 'p.json')).toEqual([])
  })

  it('describes all thirteen rules with the SPEC severities', () => {
    expect(LINT_RULES.map((rule) => `${rule.id}:${rule.severity}`)).toEqual([
      'RPD001:error',
      'RPD002:error',
      'RPD003:error',
      'RPD004:warning',
      'RPD005:error',
      'RPD006:error',
      'RPD007:error',
      'RPD008:error',
      'RPD009:warning',
      'RPD010:note',
      'RPD011:error',
      'RPD012:warning',
      'RPD013:warning'
    ])
    expect(new Set(LINT_RULES.map((rule) => rule.name)).size).toBe(13)
  })

  describe('RPD001 pull not granted', () => {
    it('hits when one role is missing, at the Statement element, naming the role and what to add', () => {
      const source = text({ ...RUNPOD, Condition: { StringEquals: { 'aws:PrincipalArn': ROLES[0] } } })
      const [finding] = only(source, 'RPD001')
      expect(finding).toMatchObject({ severity: 'error', file: 'policy.json', ...at(source, '"Statement"') })
      expect(finding?.message).toContain(ROLES[1])
      expect(finding?.message).toContain('AllowRunpodPull')
    })

    it('misses when the roles get the actions through other forms', () => {
      expect(
        only(
          text(
            { Effect: 'Allow', Principal: { AWS: '550005742258' }, Action: 'ecr:Batch*' },
            { Effect: 'Allow', Principal: { AWS: ROLES }, Action: 'ecr:GetDownloadUrlForLayer' }
          ),
          'RPD001'
        )
      ).toEqual([])
    })

    it('checks the principals it is given', () => {
      const other = 'arn:aws:iam::111111111111:role/puller'
      expect(rules(lintPolicy(text(RUNPOD), 'p', [other]))).toEqual(['RPD001'])
      expect(
        lintPolicy(text({ ...RUNPOD, Condition: { StringEquals: { 'aws:PrincipalArn': other } } }), 'p', [other])
      ).toEqual([])
    })
  })

  describe('RPD002 public access', () => {
    it('hits Principal "*" without a condition, at the Principal element', () => {
      const source = text({ Sid: 'Open', Effect: 'Allow', Principal: '*', Action: [...PULL_ACTIONS] })
      expect(only(source, 'RPD002')).toEqual([
        expect.objectContaining({ ...at(source, '"Principal"'), severity: 'error' })
      ])
    })

    it.each([
      ['a negated operator', { StringNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/x' } }],
      ['an IfExists operator', { StringEqualsIfExists: { 'aws:PrincipalArn': ROLES } }],
      ['ForAllValues:', { 'ForAllValues:StringEquals': { 'aws:PrincipalArn': ROLES } }],
      ['a wildcard-only value', { StringLike: { 'aws:PrincipalArn': '*' } }],
      ['a key that does not name the caller', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }],
      ['Null on the key', { Null: { 'aws:PrincipalArn': 'false' } }]
    ])('hits {"AWS": "*"} with only %s', (_name, Condition) => {
      expect(rules(only(text({ ...RUNPOD, Principal: { AWS: '*' }, Condition }), 'RPD002'))).toEqual(['RPD002'])
    })

    it.each([
      ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }],
      ['aws:PrincipalAccount', { StringEquals: { 'AWS:PrincipalAccount': '550005742258' } }],
      ['aws:SourceAccount with ArnLike on another key', { StringEquals: { 'aws:SourceAccount': '111111111111' } }],
      [
        'ForAnyValue:StringLike on aws:PrincipalArn',
        { 'ForAnyValue:StringLike': { 'aws:PrincipalArn': 'arn:aws:iam::550005742258:role/*' } }
      ]
    ])('misses a condition pinning the caller with %s', (_name, Condition) => {
      expect(only(text({ ...RUNPOD, Condition }), 'RPD002')).toEqual([])
    })

    it('misses a Deny with Principal "*"', () => {
      expect(only(text(RUNPOD, { Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' }), 'RPD002')).toEqual(
        []
      )
    })
  })

  describe('RPD003 write access', () => {
    it('hits ecr:* for the Runpod roles, at the action value', () => {
      const source = text({ Effect: 'Allow', Principal: { AWS: ROLES }, Action: ['ecr:*'] })
      expect(only(source, 'RPD003')).toEqual([expect.objectContaining({ ...at(source, '"ecr:*"'), severity: 'error' })])
    })

    it.each([['ecr:PutImage'], ['ECR:put*'], ['*'], ['ecr:*Layer*'], ['ecr:SetRepositoryPolicy']])(
      'hits %s in the Runpod statement',
      (action) => {
        expect(rules(only(text({ ...RUNPOD, Action: [...PULL_ACTIONS, action] }), 'RPD003'))).toEqual(['RPD003'])
      }
    )

    it('hits write access for everyone', () => {
      expect(rules(only(text(RUNPOD, { Effect: 'Allow', Principal: '*', Action: 'ecr:PutImage' }), 'RPD003'))).toEqual([
        'RPD003'
      ])
    })

    it('misses push granted to another principal, directly or through a pinned condition', () => {
      const ci = 'arn:aws:iam::123456789012:role/ci'
      const push = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']
      expect(only(text(RUNPOD, { Effect: 'Allow', Principal: { AWS: ci }, Action: push }), 'RPD003')).toEqual([])
      expect(
        only(
          text(RUNPOD, {
            Effect: 'Allow',
            Principal: '*',
            Action: push,
            Condition: { ArnEquals: { 'aws:PrincipalArn': ci } }
          }),
          'RPD003'
        )
      ).toEqual([])
    })

    it('misses read-only extras such as DescribeImages', () => {
      expect(only(text({ ...RUNPOD, Action: [...PULL_ACTIONS, 'ecr:DescribeImages', 'ecr:List*'] }), 'RPD003')).toEqual(
        []
      )
    })
  })

  describe('RPD004 superseded account', () => {
    it('hits the old role ARN in a condition, at the value', () => {
      const old = 'arn:aws:iam::418399314813:role/prod-us-east-1-deployment-role'
      const source = text({ ...RUNPOD, Condition: { StringEquals: { 'aws:PrincipalArn': [...ROLES, old] } } })
      expect(only(source, 'RPD004')).toEqual([
        expect.objectContaining({ ...at(source, `"${old}"`), severity: 'warning' })
      ])
    })

    it('hits the old account as a principal', () => {
      expect(
        rules(
          only(
            text(RUNPOD, { Effect: 'Allow', Principal: { AWS: '418399314813' }, Action: 'ecr:BatchGetImage' }),
            'RPD004'
          )
        )
      ).toEqual(['RPD004'])
    })

    it('misses other accounts and a Deny of the old account', () => {
      expect(
        only(
          text(
            RUNPOD,
            { Effect: 'Deny', Principal: { AWS: '418399314813' }, Action: 'ecr:*' },
            { Effect: 'Allow', Principal: { AWS: '418399314814' }, Action: 'ecr:BatchGetImage' }
          ),
          'RPD004'
        )
      ).toEqual([])
    })
  })

  describe('RPD005 Deny blocks the pull', () => {
    it('hits a Deny of everyone, at the statement, naming the actions', () => {
      const source = text(RUNPOD, { Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: 'ecr:Get*' })
      const findings = only(source, 'RPD005')
      expect(findings).toHaveLength(2)
      expect(findings[0]).toMatchObject({ ...at(source, '{', 4), severity: 'error' })
      expect(findings[0]?.message).toContain('"DenyAll" denies ecr:GetDownloadUrlForLayer')
    })

    it('misses a Deny that excludes the Runpod roles', () => {
      const deny = {
        Effect: 'Deny',
        Principal: '*',
        Action: 'ecr:*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': ROLES } }
      }
      expect(only(text(RUNPOD, deny), 'RPD005')).toEqual([])
    })
  })

  describe('RPD006 NotPrincipal / NotAction in an Allow', () => {
    it('hits NotAction, at the element', () => {
      const source = text(RUNPOD, {
        Sid: 'Odd',
        Effect: 'Allow',
        Principal: { AWS: '123456789012' },
        NotAction: 'ecr:DeleteRepository'
      })
      expect(only(source, 'RPD006')).toEqual([expect.objectContaining({ ...at(source, '"NotAction"') })])
    })

    it('hits NotPrincipal', () => {
      expect(
        rules(
          only(
            text(RUNPOD, { Effect: 'Allow', NotPrincipal: { AWS: '123456789012' }, Action: 'ecr:BatchGetImage' }),
            'RPD006'
          )
        )
      ).toEqual(['RPD006'])
    })

    it('misses NotPrincipal in a Deny', () => {
      expect(only(text(RUNPOD, { Effect: 'Deny', NotPrincipal: { AWS: ROLES }, Action: 'ecr:*' }), 'RPD006')).toEqual(
        []
      )
    })
  })

  describe('RPD007 invalid document', () => {
    it('hits a syntax error at its position and reports nothing else', () => {
      const findings = lintPolicy('{\n  "Version": "2012-10-17",\n  "Statement": [}\n}', 'p.json')
      expect(findings).toEqual([expect.objectContaining({ rule: 'RPD007', line: 3, column: 17 })])
    })

    it('hits an unknown condition operator at the operator, and skips RPD001', () => {
      const source = text({ ...RUNPOD, Condition: { StringEqualz: { 'aws:PrincipalArn': ROLES } } })
      expect(lintPolicy(source, 'p')).toEqual([
        expect.objectContaining({ rule: 'RPD007', ...at(source, '"StringEqualz"') })
      ])
    })

    it('misses a valid policy', () => {
      expect(only(text(RUNPOD), 'RPD007')).toEqual([])
    })
  })

  describe('RPD008 duplicate Sid', () => {
    it('hits the second Sid', () => {
      const source = text(RUNPOD, {
        Sid: 'AllowRunpodPull',
        Effect: 'Allow',
        Principal: { AWS: '123456789012' },
        Action: 'ecr:BatchGetImage'
      })
      expect(only(source, 'RPD008')).toEqual([expect.objectContaining({ ...at(source, '"Sid"', 1) })])
    })

    it('misses Sids that differ in case only', () => {
      expect(
        only(
          text(RUNPOD, {
            Sid: 'allowrunpodpull',
            Effect: 'Allow',
            Principal: { AWS: '123456789012' },
            Action: 'ecr:BatchGetImage'
          }),
          'RPD008'
        )
      ).toEqual([])
    })
  })

  describe('RPD009 Version', () => {
    it('hits a missing Version at 1:1', () => {
      expect(only(JSON.stringify({ Statement: [RUNPOD] }), 'RPD009')).toEqual([
        expect.objectContaining({ line: 1, column: 1, severity: 'warning' })
      ])
    })

    it('hits 2008-10-17 at the value', () => {
      const source = JSON.stringify({ Version: '2008-10-17', Statement: [RUNPOD] }, null, 2)
      expect(only(source, 'RPD009')).toEqual([expect.objectContaining(at(source, '"2008-10-17"'))])
    })

    it('leaves an unknown Version to RPD007', () => {
      expect(rules(lintPolicy(JSON.stringify({ Version: '2012-10-18', Statement: [RUNPOD] }), 'p'))).toEqual(['RPD007'])
    })

    it('misses 2012-10-17', () => {
      expect(only(text(RUNPOD), 'RPD009')).toEqual([])
    })
  })

  describe('RPD010 GetAuthorizationToken', () => {
    it('notes it at the action value', () => {
      const source = text({ ...RUNPOD, Action: ['ecr:GetAuthorizationToken', ...PULL_ACTIONS] })
      expect(lintPolicy(source, 'p')).toEqual([
        expect.objectContaining({ rule: 'RPD010', severity: 'note', ...at(source, '"ecr:GetAuthorizationToken"') })
      ])
    })

    it('misses ecr:Get* which merely covers it', () => {
      expect(
        only(
          text({ ...RUNPOD, Action: ['ecr:Get*', 'ecr:BatchGetImage', 'ecr:BatchCheckLayerAvailability'] }),
          'RPD010'
        )
      ).toEqual([])
    })
  })

  describe('RPD011 length', () => {
    const padded = (length: number) => {
      const base = text(RUNPOD)
      return base.replace(/\n}$/, `${' '.repeat(length - base.length)}\n}`)
    }

    it('hits 10,241 characters', () => {
      const source = padded(10_241)
      expect(source).toHaveLength(10_241)
      expect(lintPolicy(source, 'p')).toEqual([
        expect.objectContaining({ rule: 'RPD011', line: 1, column: 1, severity: 'error' })
      ])
    })

    it('misses exactly 10,240 characters', () => {
      expect(lintPolicy(padded(10_240), 'p')).toEqual([])
    })
  })

  describe('RPD012 wildcard in an Equals operator', () => {
    it.each([
      'StringEquals',
      'StringNotEquals',
      'StringEqualsIgnoreCase',
      'StringNotEqualsIgnoreCase',
      'StringEqualsIfExists',
      'ForAnyValue:StringEquals'
    ])('hits %s with *, at the value', (operator) => {
      const value = 'arn:aws:iam::550005742258:role/prod-*'
      const source = text(RUNPOD, {
        Sid: 'W',
        Effect: 'Allow',
        Principal: '*',
        Action: 'ecr:BatchGetImage',
        Condition: { [operator]: { 'aws:PrincipalArn': value } }
      })
      const findings = only(source, 'RPD012')
      expect(findings).toEqual([expect.objectContaining({ ...at(source, `"${value}"`), severity: 'warning' })])
      expect(findings[0]?.message).toContain(operator.replace(/Equals(IgnoreCase)?/, 'Like'))
    })

    it.each(['ArnEquals', 'ArnNotEquals', 'ForAnyValue:ArnEquals', 'ArnEqualsIfExists'])(
      'misses %s with *: IAM gives ARN operators wildcards',
      (operator) => {
        const source = text(RUNPOD, {
          Effect: 'Allow',
          Principal: '*',
          Action: 'ecr:BatchGetImage',
          Condition: { [operator]: { 'aws:PrincipalArn': 'arn:aws:iam::550005742258:role/prod-*' } }
        })
        expect(only(source, 'RPD012')).toEqual([])
      }
    )

    it('misses the same values with StringLike and StringNotLike', () => {
      const source = text(RUNPOD, {
        Effect: 'Allow',
        Principal: '*',
        Action: 'ecr:BatchGetImage',
        Condition: { StringLike: { 'aws:PrincipalArn': 'a*' }, StringNotLike: { 'aws:userid': 'b?' } }
      })
      expect(only(source, 'RPD012')).toEqual([])
    })
  })
})

describe('examples/policies', () => {
  const lint = (name: string) => rules(lintPolicy(readFileSync(`examples/policies/${name}`, 'utf8'), name))

  it('reports what examples/policies/README.md says', () => {
    expect(lint('runpod-current.json')).toEqual(['RPD010'])
    expect(lint('merged-with-push.json')).toEqual([])
    expect(lint('public.json')).toEqual(['RPD002'])
    expect(lint('ecr-star.json')).toEqual(['RPD003'])
    expect(lint('org-perimeter.json')).toEqual(['RPD005', 'RPD005'])
    expect(lint('org-perimeter-runpod-exempt.json')).toEqual([])
    expect(lint('runpod-superseded-account.json').sort()).toEqual(['RPD001', 'RPD004', 'RPD010'])
  })
})

describe('a registry policy', () => {
  const REPOSITORY = 'arn:aws:ecr:us-east-1:123456789012:repository/prod-worker'
  const perimeter = (resource: string) => ({
    Sid: 'OrganizationOnly',
    Effect: 'Deny',
    Principal: '*',
    Action: 'ecr:*',
    Resource: resource,
    Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } }
  })
  const replication = {
    Sid: 'Replicate',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::210987654321:root' },
    Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
    Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/*'
  }
  const lintRegistry = (source: string, repository?: string) =>
    lintPolicy(source, 'registry.json', ROLES, { kind: 'registry', ...(repository ? { repository } : {}) })

  it('need not grant the pull (no RPD001), and its notes about repository policies do not apply', () => {
    expect(rules(lintRegistry(text(replication)))).toEqual([])
    expect(rules(lintPolicy(text(replication), 'repository.json'))).toEqual(['RPD001'])
  })

  it('reports a Deny on Runpod, naming the repositories its Resource admits when no repository is given', () => {
    const findings = lintRegistry(text(replication, perimeter('arn:aws:ecr:us-east-1:123456789012:repository/prod-*')))
    expect(rules(findings)).toEqual(['RPD005', 'RPD005'])
    expect(findings[0]?.message).toContain('on the repositories its "Resource" admits')
  })

  it('judges a Deny on the named repository only where its Resource admits that repository', () => {
    const source = text(perimeter('arn:aws:ecr:us-east-1:123456789012:repository/prod-*'))
    expect(rules(lintRegistry(source, REPOSITORY))).toEqual(['RPD005', 'RPD005'])
    expect(rules(lintRegistry(source, 'arn:aws:ecr:us-east-1:123456789012:repository/dev-worker'))).toEqual([])
    expect(rules(lintRegistry(text(perimeter('*')), REPOSITORY))).toEqual(['RPD005', 'RPD005'])
    // A short ARN with a wildcard is padded with *; without one it names no repository.
    expect(rules(lintRegistry(text(perimeter('arn:aws:ecr:*')), REPOSITORY))).toEqual(['RPD005', 'RPD005'])
    expect(rules(lintRegistry(text(perimeter('arn:aws:ecr')), REPOSITORY))).toEqual([])
    const notResource = { ...perimeter(''), Resource: undefined, NotResource: 'arn:aws:ecr:*:*:repository/prod-*' }
    expect(rules(lintRegistry(text(notResource), REPOSITORY))).toEqual([])
    // Without Resource a statement is about the registry it is attached to: a Deny is not overlooked.
    const everywhere = { ...perimeter(''), Resource: undefined }
    expect(rules(lintRegistry(text(everywhere), REPOSITORY))).toEqual(['RPD005', 'RPD005'])
  })

  it('still reports public access and write access for Runpod', () => {
    const push = { ...RUNPOD, Sid: 'Push', Action: 'ecr:PutImage', Resource: '*' }
    expect(rules(lintRegistry(text(push)))).toEqual(['RPD003'])
    const everyone = { Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage', Resource: '*' }
    expect(rules(lintRegistry(text(everyone)))).toEqual(['RPD002'])
  })

  it('reports what examples/policies/README.md says of registry-perimeter.json', () => {
    const source = readFileSync('examples/policies/registry-perimeter.json', 'utf8')
    expect(rules(lintRegistry(source))).toEqual(['RPD005', 'RPD005'])
    expect(rules(lintRegistry(source, REPOSITORY))).toEqual(['RPD005', 'RPD005'])
    expect(rules(lintRegistry(source, 'arn:aws:ecr:us-east-1:123456789012:repository/dev-worker'))).toEqual([])
  })
})
