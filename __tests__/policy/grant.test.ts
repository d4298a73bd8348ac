import { describe, expect, it } from '@jest/globals'
import { analyzeGrant } from '../../src/policy/grant.js'
import { PULL_ACTIONS } from '../../src/policy/runpod-statement.js'

const EAST = 'arn:aws:iam::550005742258:role/prod-us-east-1-deployment-role'
const WEST = 'arn:aws:iam::550005742258:role/prod-us-west-2-deployment-role'
const BOTH = [EAST, WEST]

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements })
}

function allow(extra: object): object {
  return { Effect: 'Allow', Action: [...PULL_ACTIONS], ...extra }
}

const byArn = (operator: string, values: string | string[], key = 'aws:PrincipalArn') => ({
  Principal: '*',
  Condition: { [operator]: { [key]: values } }
})

describe('analyzeGrant: principals', () => {
  it.each([
    ['the exact role ARNs', { Principal: { AWS: BOTH } }],
    ['the account root ARN', { Principal: { AWS: 'arn:aws:iam::550005742258:root' } }],
    ['the bare account id', { Principal: { AWS: ['550005742258'] } }],
    ['"*" with StringEquals on aws:PrincipalArn', byArn('StringEquals', BOTH)],
    ['{"AWS": "*"} with ArnEquals', { ...byArn('ArnEquals', BOTH), Principal: { AWS: '*' } }],
    ['StringLike with a wildcard', byArn('StringLike', 'arn:aws:iam::550005742258:role/prod-*-deployment-role')],
    ['ArnLike with ?', byArn('ArnLike', ['arn:aws:iam::550005742258:role/prod-us-????-?-deployment-role'])],
    ['a case-insensitive condition key', byArn('StringEquals', BOTH, 'AWS:PRINCIPALARN')],
    ['StringEqualsIfExists', byArn('StringEqualsIfExists', BOTH)],
    ['ForAnyValue:StringEquals', byArn('ForAnyValue:StringEquals', BOTH)],
    ['aws:PrincipalAccount', byArn('StringEquals', '550005742258', 'aws:PrincipalAccount')],
    ['a negated operator the roles do not match', byArn('StringNotEquals', 'arn:aws:iam::111111111111:role/other')],
    ['ArnNotLike another account', byArn('ArnNotLike', 'arn:aws:iam::111111111111:*')],
    ['public access (no condition)', { Principal: '*' }]
  ])('grants via %s', (_name, statement) => {
    const analysis = analyzeGrant(policy(allow(statement)), BOTH)
    expect(analysis).toEqual({
      valid: true,
      granted: true,
      pullable: true,
      missing: [],
      deniedBy: [],
      uncertainBy: [],
      supersededAccount: false
    })
  })

  it.each([
    ['another role', { Principal: { AWS: 'arn:aws:iam::550005742258:role/other' } }],
    ['another account root', { Principal: { AWS: '111111111111' } }],
    ['a Service principal', { Principal: { Service: 'ecr.amazonaws.com' } }],
    ['StringEquals with a wildcard (matched literally)', byArn('StringEquals', 'arn:aws:iam::550005742258:role/*')],
    [
      'StringEquals with different case',
      byArn(
        'StringEquals',
        BOTH.map((arn) => arn.toUpperCase())
      )
    ],
    ['a negated operator naming the roles', byArn('StringNotEquals', BOTH)],
    ['an unknown condition key', byArn('StringEquals', 'vpc-1', 'aws:SourceVpc')],
    ['NotPrincipal in an Allow', { NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' } }]
  ])('does not grant via %s', (_name, statement) => {
    const analysis = analyzeGrant(policy(allow(statement)), BOTH)
    expect(analysis.granted).toBe(false)
    expect(analysis.missing).toEqual(BOTH.map((principal) => ({ principal, actions: PULL_ACTIONS })))
  })

  it('needs every principal: one role only leaves the other missing', () => {
    const analysis = analyzeGrant(policy(allow({ Principal: { AWS: EAST } })), BOTH)
    expect(analysis.missing).toEqual([{ principal: WEST, actions: PULL_ACTIONS }])
  })

  it('ANDs condition operators: a second unknown condition makes the grant unprovable', () => {
    const statement = {
      Principal: '*',
      Condition: { StringEquals: { 'aws:PrincipalArn': BOTH }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }
    }
    expect(analyzeGrant(policy(allow(statement)), BOTH).granted).toBe(false)
  })
})

describe('analyzeGrant: actions', () => {
  it.each([
    ['ecr:*', 'ecr:*'],
    ['*', '*'],
    ['ecr:Batch* plus the layer action', ['ecr:Batch*', 'ecr:GetDownloadUrlForLayer']],
    ['lower case', PULL_ACTIONS.map((action) => action.toLowerCase())],
    ['? wildcards', ['ecr:BatchGetImag?', 'ecr:GetDownloadUrlFor?ayer', 'ECR:BATCHCHECKLAYERAVAILABILITY']]
  ])('counts %s', (_name, Action) => {
    expect(analyzeGrant(policy({ Effect: 'Allow', Principal: { AWS: BOTH }, Action }), BOTH).granted).toBe(true)
  })

  it('adds up actions across statements and string-vs-array forms', () => {
    const text = policy(
      { Effect: 'Allow', Principal: { AWS: EAST }, Action: 'ecr:BatchGetImage' },
      { Effect: 'Allow', Principal: { AWS: [WEST] }, Action: 'ecr:BatchGetImage' },
      {
        Effect: 'Allow',
        Principal: { AWS: '550005742258' },
        Action: ['ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']
      }
    )
    expect(analyzeGrant(text, BOTH).granted).toBe(true)
  })

  it('reports the missing actions', () => {
    const analysis = analyzeGrant(policy({ Effect: 'Allow', Principal: { AWS: BOTH }, Action: 'ecr:BatchGetImage' }), [
      EAST
    ])
    expect(analysis.missing).toEqual([
      { principal: EAST, actions: ['ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] }
    ])
  })

  it('does not count NotAction in an Allow', () => {
    expect(
      analyzeGrant(policy({ Effect: 'Allow', Principal: { AWS: BOTH }, NotAction: 'ecr:PutImage' }), BOTH).granted
    ).toBe(false)
  })
})

describe('analyzeGrant: Deny', () => {
  const grant = allow(byArn('StringEquals', BOTH))

  it.each([
    ['a Deny for everyone', { Sid: 'NoPull', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage' }, 'NoPull'],
    [
      'a Deny naming the account',
      { Effect: 'Deny', Principal: { AWS: '550005742258' }, Action: 'ecr:*' },
      'statement 2'
    ],
    [
      'a Deny with NotAction leaving pull uncovered',
      { Sid: 'D', Effect: 'Deny', Principal: '*', NotAction: 'ecr:PutImage' },
      'D'
    ],
    [
      'a Deny with NotPrincipal not naming the roles',
      { Sid: 'D', Effect: 'Deny', NotPrincipal: { AWS: '111111111111' }, Action: '*' },
      'D'
    ],
    [
      'a Deny with a matching StringLike condition',
      {
        Sid: 'D',
        Effect: 'Deny',
        Principal: '*',
        Action: 'ecr:*',
        Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::550005742258:*' } }
      },
      'D'
    ]
  ])('is blocked by %s', (_name, deny, label) => {
    const analysis = analyzeGrant(policy(grant, deny), BOTH)
    expect(analysis.granted).toBe(false)
    expect(analysis.deniedBy).toEqual([label])
  })

  it.each([
    ['a Deny for another principal', { Effect: 'Deny', Principal: { AWS: '111111111111' }, Action: 'ecr:*' }],
    ['a Deny of write actions only', { Effect: 'Deny', Principal: '*', Action: ['ecr:PutImage', 'ecr:Delete*'] }],
    [
      'a Deny excluding the roles with StringNotEquals',
      { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { StringNotEquals: { 'aws:PrincipalArn': BOTH } } }
    ]
  ])('is not blocked by %s', (_name, deny) => {
    expect(analyzeGrant(policy(grant, deny), BOTH)).toMatchObject({ granted: true, deniedBy: [] })
  })

  it('is uncertain, not granted, with a Deny that depends on a key unknown offline', () => {
    const deny = {
      Sid: 'TlsOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } }
    }
    expect(analyzeGrant(policy(grant, deny), BOTH)).toMatchObject({
      granted: false,
      pullable: true,
      missing: [],
      deniedBy: [],
      uncertainBy: ['TlsOnly']
    })
  })
})

describe('analyzeGrant: validity and the superseded account', () => {
  it('is not granted when the document is invalid', () => {
    expect(analyzeGrant('{"Statement": [', BOTH)).toMatchObject({ valid: false, granted: false })
    const unknownElement = JSON.stringify({ Statement: [{ ...allow({ Principal: '*' }), Extra: 1 }] })
    expect(analyzeGrant(unknownElement, BOTH)).toMatchObject({ valid: false, granted: false })
  })

  it.each([
    ['a principal ARN', { Principal: { AWS: 'arn:aws:iam::418399314813:role/prod-us-east-1-deployment-role' } }],
    ['the account id', { Principal: { AWS: '418399314813' } }],
    [
      'a condition value',
      byArn('StringEquals', [EAST, 'arn:aws:iam::418399314813:role/prod-us-east-1-deployment-role'])
    ]
  ])('sees the superseded account in %s', (_name, statement) => {
    expect(analyzeGrant(policy(allow(statement)), BOTH).supersededAccount).toBe(true)
  })

  it('ignores the superseded account in a Deny', () => {
    const deny = { Effect: 'Deny', Principal: { AWS: '418399314813' }, Action: 'ecr:*' }
    expect(analyzeGrant(policy(deny), BOTH).supersededAccount).toBe(false)
  })
})
