// The policies real teams write where the old verdict differed from IAM's documented evaluation (issue
// "Judge repository policies exactly as IAM does"): each case here failed on the engine before it.
import { describe, expect, it } from '@jest/globals'
import { analyzeGrant } from '../../src/policy/grant.js'
import { lintPolicy } from '../../src/policy/lint.js'
import { PULL_ACTIONS, RUNPOD_DEPLOYMENT_ROLES, runpodStatement } from '../../src/policy/runpod-statement.js'

const ROLES = RUNPOD_DEPLOYMENT_ROLES
const [EAST = '', WEST = ''] = ROLES
const ORG = 'o-a1b2c3d4e5'

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2)
}

const rules = (text: string) => lintPolicy(text, 'p.json').map((finding) => finding.rule)
const grantOf = (operator: string, value: string | string[]) => ({
  Sid: 'Pull',
  Effect: 'Allow',
  Principal: '*',
  Action: [...PULL_ACTIONS],
  Condition: { [operator]: { 'aws:PrincipalArn': value } }
})

const PERIMETER = {
  Sid: 'OrgPerimeter',
  Effect: 'Deny',
  Principal: '*',
  Action: 'ecr:*',
  Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG } }
}

describe('a data-perimeter Deny on aws:PrincipalOrgID', () => {
  it('denies Runpod: its roles are never in the customer organization', () => {
    const text = policy(runpodStatement(ROLES), PERIMETER)
    expect(analyzeGrant(text, ROLES)).toMatchObject({ granted: false, pullable: false, deniedBy: ['OrgPerimeter'] })
    const denials = lintPolicy(text, 'p.json').filter((finding) => finding.rule === 'RPD005')
    expect(denials).toHaveLength(2)
    expect(denials[0]?.message).toContain(`"ArnNotLike": {"aws:PrincipalArn": ${JSON.stringify(ROLES)}}`)
  })

  it('denies Runpod in its IfExists form too, whether the key is absent or another organization', () => {
    const ifExists = { ...PERIMETER, Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG } } }
    expect(analyzeGrant(policy(runpodStatement(ROLES), ifExists), ROLES).deniedBy).toEqual(['OrgPerimeter'])
  })

  it('grants, with no finding about the Deny, once the Deny exempts the roles with ArnNotLike', () => {
    const exempt = { ...PERIMETER, Condition: { ...PERIMETER.Condition, ArnNotLike: { 'aws:PrincipalArn': ROLES } } }
    const text = policy(runpodStatement(ROLES), exempt)
    expect(analyzeGrant(text, ROLES)).toMatchObject({ granted: true, deniedBy: [], uncertainBy: [] })
    expect(rules(text)).toEqual([])
  })

  it('denies through a VPC-endpoint guard: Runpod never pulls through the customer network', () => {
    const vpce = {
      Sid: 'OnlyVpce',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } }
    }
    expect(analyzeGrant(policy(runpodStatement(ROLES), vpce), ROLES).deniedBy).toEqual(['OnlyVpce'])
  })
})

describe('ARN operators', () => {
  it('exempts Runpod from a Deny with ArnNotEquals and a wildcard pattern (IAM gives ArnEquals wildcards)', () => {
    const deny = {
      Sid: 'OnlyOurs',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::550005742258:role/prod-*' } }
    }
    const text = policy(runpodStatement(ROLES), deny)
    expect(analyzeGrant(text, ROLES)).toMatchObject({ granted: true, deniedBy: [] })
    expect(rules(text)).not.toContain('RPD005')
  })

  it('grants through ArnEquals with a wildcard, and RPD012 stays silent', () => {
    const text = policy(grantOf('ArnEquals', 'arn:aws:iam::550005742258:role/prod-*-deployment-role'))
    expect(analyzeGrant(text, ROLES).granted).toBe(true)
    expect(rules(text)).toEqual([])
  })

  it('matches each of the six parts on its own: a * never spans colons', () => {
    for (const pattern of ['arn:aws:*:role/prod-us-east-1-deployment-role', 'arn:*:role/prod-*']) {
      const text = policy(grantOf('ArnLike', pattern))
      expect(analyzeGrant(text, ROLES).granted).toBe(false)
      expect(rules(text)).toContain('RPD001')
    }
    expect(analyzeGrant(policy(grantOf('ArnLike', 'arn:aws:iam::550005742258:role/*')), ROLES).granted).toBe(true)
  })
})

describe('NotPrincipal in a Deny', () => {
  const denyAllBut = (...listed: string[]) => ({
    Sid: 'AllBut',
    Effect: 'Deny',
    NotPrincipal: { AWS: listed },
    Action: 'ecr:*'
  })

  it('denies when it lists only the role ARNs: the session and the account are missing', () => {
    const text = policy(runpodStatement(ROLES), denyAllBut(...ROLES))
    expect(analyzeGrant(text, ROLES).deniedBy).toEqual(['AllBut'])
    expect(rules(text)).toContain('RPD005')
  })

  it('is uncertain when it lists a session, the role and the account: Runpod session names are not known', () => {
    const text = policy(
      runpodStatement([EAST]),
      denyAllBut(
        `arn:aws:sts::550005742258:assumed-role/prod-us-east-1-deployment-role/deploy`,
        EAST,
        'arn:aws:iam::550005742258:root'
      )
    )
    expect(analyzeGrant(text, [EAST])).toMatchObject({ granted: false, pullable: true, uncertainBy: ['AllBut'] })
    const [finding] = lintPolicy(text, 'p.json', [EAST]).filter((f) => f.rule === 'RPD013')
    expect(finding?.message).toContain('"NotPrincipal"')
  })

  it('denies a role it does not name at all', () => {
    expect(analyzeGrant(policy(runpodStatement(ROLES), denyAllBut(EAST)), [WEST]).deniedBy).toEqual(['AllBut'])
  })
})

describe('uncertain: a Deny that depends on a key unknown offline (RPD013)', () => {
  it('warns, names the key and the exemption, and still counts the pull as possible', () => {
    const ip = {
      Sid: 'Office',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }
    }
    const text = policy(runpodStatement(ROLES), ip)
    expect(analyzeGrant(text, ROLES)).toMatchObject({ pullable: true, granted: false, uncertainBy: ['Office'] })
    const findings = lintPolicy(text, 'p.json').filter((finding) => finding.rule === 'RPD013')
    expect(findings.map((finding) => finding.severity)).toEqual(['warning', 'warning'])
    expect(findings[0]?.message).toMatch(/"aws:SourceIp".*"ArnNotLike": \{"aws:PrincipalArn"/)
  })
})

describe('RPD002: a pattern that admits any account is public access', () => {
  it.each(['arn:aws:iam::*:role/*', 'arn:aws:iam::*', '*'])('hits StringLike %s on aws:PrincipalArn', (pattern) => {
    const text = policy(runpodStatement(ROLES), { ...grantOf('StringLike', pattern), Sid: 'AnyRole' })
    expect(rules(text)).toContain('RPD002')
  })

  it('hits ArnLike with a wildcard account, and a wildcard account id', () => {
    expect(
      rules(policy(runpodStatement(ROLES), { ...grantOf('ArnLike', 'arn:aws:iam::*:role/x'), Sid: 'A' }))
    ).toContain('RPD002')
    const anyAccount = {
      Sid: 'B',
      Effect: 'Allow',
      Principal: '*',
      Action: 'ecr:BatchGetImage',
      Condition: { StringLike: { 'aws:PrincipalAccount': '5500*' } }
    }
    expect(rules(policy(runpodStatement(ROLES), anyAccount))).toContain('RPD002')
  })

  it('misses patterns inside a named account', () => {
    const text = policy({ ...grantOf('StringLike', 'arn:aws:iam::550005742258:role/prod-*'), Sid: 'Ours' })
    expect(rules(text)).not.toContain('RPD002')
  })
})
