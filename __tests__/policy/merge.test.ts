import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { ActionError } from '../../src/errors.js'
import { analyzeGrant } from '../../src/policy/grant.js'
import { lintPolicy } from '../../src/policy/lint.js'
import { applyRunpodGrant, mergeRunpodGrant } from '../../src/policy/merge.js'
import { reviewPolicy } from '../../src/policy/review.js'
import {
  PULL_ACTIONS,
  RUNPOD_DEPLOYMENT_ROLES,
  runpodStatement,
  SUPERSEDED_RUNPOD_ACCOUNT
} from '../../src/policy/runpod-statement.js'

const ROLES = [...RUNPOD_DEPLOYMENT_ROLES]
const CI = 'arn:aws:iam::123456789012:role/ci'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** A statement's meaning-preserving canonical form: key order, one-element arrays and account ids do not matter. */
function canonical(value: Json, key = ''): Json {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item, key))
    return items.every((item) => typeof item === 'string') ? [...(items as string[])].sort() : items
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((name) => [name, canonical(value[name] as Json, name)])
    )
  }
  if (typeof value === 'string' && key !== 'Sid' && key !== 'Effect' && key !== 'Version' && value !== '*') {
    return [key === 'AWS' && /^\d{12}$/.test(value) ? `arn:aws:iam::${value}:root` : value]
  }
  return value
}

function statementsOf(text: string): Json[] {
  const statement = (JSON.parse(text) as { Statement?: Json }).Statement
  return statement === undefined ? [] : Array.isArray(statement) ? statement : [statement]
}

function othersOf(text: string): Json[] {
  return statementsOf(text)
    .filter((statement) => (statement as { Sid?: string }).Sid !== 'AllowRunpodPull')
    .map((statement) => canonical(statement))
}

function refusal(existing: string | undefined): string {
  try {
    applyRunpodGrant(existing, ROLES)
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return (error as Error).message
  }
  throw new Error('expected applyRunpodGrant to refuse')
}

describe('runpodStatement', () => {
  it('is the documented statement without GetAuthorizationToken', () => {
    expect(runpodStatement(ROLES)).toEqual({
      Sid: 'AllowRunpodPull',
      Effect: 'Allow',
      Principal: '*',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Condition: { StringEquals: { 'aws:PrincipalArn': ROLES } }
    })
  })
})

describe('applyRunpodGrant', () => {
  it.each([[undefined], [''], ['  \n']])('creates a fresh policy from %j', (existing) => {
    const result = applyRunpodGrant(existing, ROLES)
    expect(result.changed).toBe(true)
    expect(JSON.parse(result.policyText)).toEqual({ Version: '2012-10-17', Statement: [runpodStatement(ROLES)] })
    expect(result.policyText).toBe(JSON.stringify(JSON.parse(result.policyText), null, 2))
    expect(lintPolicy(result.policyText, 'p')).toEqual([])
  })

  it('keeps unrelated statements in odd formatting by meaning, and adds Version', () => {
    const existing = [
      '{"Statement" :',
      '\t{ "Sid":"CiPush","Effect":"Allow",',
      '    "Principal":{"AWS":"123456789012"}, "Action":["ecr:PutImage" ,"ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload"],',
      '  "Condition": {"Bool": {"aws:SecureTransport": "true"}}}\r\n}'
    ].join('\r\n')
    const result = applyRunpodGrant(existing, ROLES)
    expect(result.changed).toBe(true)
    const merged = JSON.parse(result.policyText) as { Version: string; Statement: Json[] }
    expect(merged.Version).toBe('2012-10-17')
    expect(merged.Statement).toHaveLength(2)
    expect(othersOf(result.policyText)).toEqual(othersOf(existing))
    expect(merged.Statement[1]).toEqual(runpodStatement(ROLES))
    expect(analyzeGrant(result.policyText, ROLES).granted).toBe(true)
  })

  it('repairs an outdated AllowRunpodPull in place and keeps the legacy Version', () => {
    const existing = JSON.stringify({
      Version: '2008-10-17',
      Statement: [
        { Sid: 'First', Effect: 'Allow', Principal: { AWS: CI }, Action: 'ecr:*' },
        {
          Sid: 'AllowRunpodPull',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${SUPERSEDED_RUNPOD_ACCOUNT}:role/prod-us-east-1-deployment-role` },
          Action: ['ecr:GetAuthorizationToken', ...PULL_ACTIONS]
        },
        { Sid: 'Last', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' }
      ]
    })
    const result = applyRunpodGrant(existing, ROLES)
    const merged = JSON.parse(result.policyText) as { Version: string; Statement: { Sid: string }[] }
    expect(merged.Statement.map((statement) => statement.Sid)).toEqual(['First', 'AllowRunpodPull', 'Last'])
    expect(merged.Statement[1]).toEqual(runpodStatement(ROLES))
    expect(merged.Version).toBe('2008-10-17')
    expect(analyzeGrant(result.policyText, ROLES)).toMatchObject({ granted: true, supersededAccount: false })
  })

  it('is idempotent and leaves a policy that already grants pull untouched, byte for byte', () => {
    const current = readFileSync('examples/policies/runpod-current.json', 'utf8')
    expect(applyRunpodGrant(current, ROLES)).toMatchObject({
      changed: false,
      policyText: current,
      statement: runpodStatement(ROLES),
      // The review of the text as it is: what the plan hands on instead of parsing it again.
      review: { text: current, grant: { granted: true } }
    })
    const once = applyRunpodGrant(undefined, ROLES).policyText
    expect(applyRunpodGrant(once, ROLES)).toMatchObject({ changed: false, policyText: once })
  })

  it('falls back to compact JSON when the indented policy would be too long', () => {
    const filler = Array.from({ length: 40 }, (_, i) => ({
      Sid: `Ci${i}`,
      Effect: 'Allow',
      Principal: { AWS: CI },
      Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']
    }))
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: filler })
    expect(JSON.stringify(JSON.parse(existing), null, 2).length).toBeGreaterThan(10_240)
    const result = applyRunpodGrant(existing, ROLES)
    expect(result.policyText).not.toContain('\n')
    expect(result.policyText.length).toBeLessThanOrEqual(10_240)
  })

  it('refuses an invalid policy, naming the problem', () => {
    expect(refusal('{"Statement": [')).toMatch(/repository policy is not a valid policy document.*RPD007/)
    expect(refusal(JSON.stringify({ Statement: [{ Effect: 'Permit', Principal: '*', Action: 'ecr:*' }] }))).toContain(
      '"Effect" of statement 1 must be "Allow" or "Deny"'
    )
  })

  it('refuses when the result would exceed 10,240 characters', () => {
    // Just under the limit on its own, so only the added statement pushes it over.
    const filler: object[] = []
    let existing = ''
    for (let i = 0; JSON.stringify({ Version: '2012-10-17', Statement: filler }).length < 10_100; i++) {
      existing = JSON.stringify({ Version: '2012-10-17', Statement: filler })
      filler.push({ Sid: `C${i}`, Effect: 'Allow', Principal: { AWS: CI }, Action: 'ecr:PutImage' })
    }
    expect(existing.length).toBeGreaterThan(10_000)
    expect(lintPolicy(existing, 'p').map((finding) => finding.rule)).toEqual(['RPD001'])
    expect(refusal(existing)).toMatch(/over ECR's limit of 10,240/)
  })

  it.each([
    [
      'public',
      { Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' },
      /RPD002: Statement "Everyone"/
    ],
    [
      'Runpod write',
      { Sid: 'RunpodAll', Effect: 'Allow', Principal: { AWS: ROLES[0] }, Action: 'ecr:*' },
      /RPD003: Statement "RunpodAll"/
    ],
    [
      'Deny of the pull',
      { Sid: 'NoPull', Effect: 'Deny', Principal: { AWS: '550005742258' }, Action: 'ecr:BatchGetImage' },
      /statement "NoPull" \(line 1\) denies ecr:BatchGetImage to .*never edits a Deny.*"ArnNotLike": \{"aws:PrincipalArn"/
    ]
  ])('refuses to write a policy that would still be %s', (_name, statement, message) => {
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [statement] })
    expect(refusal(existing)).toMatch(message)
  })
})

describe('applyRunpodGrant properties', () => {
  const accountArn = fc.constantFrom(
    CI,
    'arn:aws:iam::210987654321:role/deployer',
    ...ROLES,
    `arn:aws:iam::${SUPERSEDED_RUNPOD_ACCOUNT}:role/prod-us-east-1-deployment-role`
  )
  const oneOrMany = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }))
  const action = fc.constantFrom(
    ...PULL_ACTIONS,
    'ecr:PutImage',
    'ecr:DescribeImages',
    'ecr:ListImages',
    'ecr:Get*',
    'ecr:*',
    '*',
    'ecr:GetAuthorizationToken',
    'ECR:batchgetimage'
  )
  const principal = fc.oneof(
    fc.constant<Json>('*'),
    oneOrMany(accountArn).map<Json>((AWS) => ({ AWS })),
    fc.constantFrom<Json>(
      { AWS: '123456789012' },
      { AWS: '550005742258' },
      { Service: 'codebuild.amazonaws.com' },
      { AWS: '*' }
    )
  )
  const condition = fc.oneof(
    oneOrMany(accountArn).map<Json>((arn) => ({ StringEquals: { 'aws:PrincipalArn': arn } })),
    accountArn.map<Json>((arn) => ({ StringNotEquals: { 'aws:PrincipalArn': arn } })),
    fc.constantFrom<Json>(
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/*' } },
      { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
      { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      { StringEquals: { 'aws:PrincipalAccount': '550005742258' } }
    )
  )
  const statement = fc.record(
    {
      Sid: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), fc.constant('AllowRunpodPull')),
      Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      Principal: principal,
      Action: oneOrMany(action),
      Condition: condition
    },
    { requiredKeys: ['Effect', 'Principal', 'Action'] }
  )
  const policyText = fc
    .record({
      version: fc.constantFrom<string | undefined>('2012-10-17', '2008-10-17', undefined),
      statements: fc.uniqueArray(statement, { maxLength: 5, selector: (s) => s.Sid ?? Symbol() }),
      single: fc.boolean(),
      indent: fc.constantFrom(0, 1, 2, 4, '\t')
    })
    .map(({ version, statements, single, indent }) => {
      const Statement = single && statements.length === 1 ? statements[0] : statements
      return JSON.stringify({ ...(version ? { Version: version } : {}), Statement }, null, indent)
    })

  it('keeps other statements, grants pull, is never public and is idempotent whenever it writes', () => {
    let written = 0
    fc.assert(
      fc.property(policyText, (existing) => {
        let result
        try {
          result = applyRunpodGrant(existing, ROLES)
        } catch (error) {
          expect(error).toBeInstanceOf(ActionError)
          return
        }
        written++
        if (!result.changed) expect(result.policyText).toBe(existing)
        else expect(othersOf(result.policyText)).toEqual(othersOf(existing))
        expect(analyzeGrant(result.policyText, ROLES).pullable).toBe(true)
        expect(lintPolicy(result.policyText, 'p').filter((finding) => finding.rule === 'RPD002')).toEqual([])
        expect(applyRunpodGrant(result.policyText, ROLES)).toMatchObject({
          changed: false,
          policyText: result.policyText
        })
      }),
      { numRuns: 300 }
    )
    // The property must not pass vacuously because every generated policy is refused.
    expect(written).toBeGreaterThan(60)
  })

  it('refuses only policies whose other statements keep a lint error', () => {
    let refused = 0
    fc.assert(
      fc.property(policyText, (existing) => {
        try {
          applyRunpodGrant(existing, ROLES)
        } catch (error) {
          expect(error).toBeInstanceOf(ActionError)
          refused++
          const others = statementsOf(existing).filter((s) => (s as { Sid?: string }).Sid !== 'AllowRunpodPull')
          const alone = JSON.stringify({ Version: '2012-10-17', Statement: [...others, runpodStatement(ROLES)] })
          // Justified: a lint error would remain beside our statement, or a Deny (the action never edits one,
          // whatever its Sid) takes the pull away.
          const deniedNow = analyzeGrant(existing, ROLES).deniedBy.length > 0
          expect(deniedNow || lintPolicy(alone, 'p', ROLES).some((finding) => finding.severity === 'error')).toBe(true)
        }
      }),
      { numRuns: 200 }
    )
    // Not vacuous: the generator does produce policies that must be refused.
    expect(refused).toBeGreaterThan(5)
  })
})

describe('applyRunpodGrant keeps every other byte', () => {
  const CI = `{
    "Sid":   "CiPush",
    "Principal": {"AWS": "arn:aws:iam::123456789012:role/ci"},
    "Effect": "Allow",
    "Action": ["ecr:PutImage"],
    "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 12345678901234567890}}
  }`

  it('inserts the statement and leaves the existing text, odd spacing, key order and big numbers as they were', () => {
    const existing = `{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${CI}\n  ]\n}\n`
    const merged = applyRunpodGrant(existing, ROLES)
    expect(merged.changed).toBe(true)
    expect(merged.policyText).toContain(CI)
    expect(merged.policyText.startsWith(`{\n  "Version": "2012-10-17",\n  "Statement": [\n    ${CI},\n`)).toBe(true)
    expect(merged.policyText).toContain('12345678901234567890')
    expect(analyzeGrant(merged.policyText, ROLES).granted).toBe(true)
  })

  it('indents the new statement with tabs in a tab-indented policy, and adds it compact to a one-line policy', () => {
    const tabbed = applyRunpodGrant(
      `{\n\t"Version": "2012-10-17",\n\t"Statement": [\n\t\t${CI}\n\t]\n}`,
      ROLES
    ).policyText
    expect(tabbed).toMatch(/\n\t\t\{\n\t\t\t"Sid": "AllowRunpodPull"/)
    const oneLine = `{"Version":"2012-10-17","Statement":[${CI.replace(/\n\s*/g, '')}]}`
    const compact = applyRunpodGrant(oneLine, ROLES).policyText
    expect(compact.startsWith(oneLine.slice(0, -2))).toBe(true)
    expect(compact).not.toContain('\n')
  })

  it('turns a single statement object into an array that keeps its text, and adds a missing Version first', () => {
    const merged = applyRunpodGrant(`{"Statement": ${CI}}`, ROLES).policyText
    expect(merged).toContain(`[${CI},`)
    expect(merged.indexOf('"Version"')).toBeLessThan(merged.indexOf('"Statement"'))
    expect(JSON.parse(merged)).toMatchObject({ Version: '2012-10-17' })
  })

  it('replaces an outdated AllowRunpodPull statement in place, before the statements after it', () => {
    const outdated =
      '{"Sid": "AllowRunpodPull", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::418399314813:root"}, "Action": "ecr:BatchGetImage"}'
    const existing = `{"Version": "2012-10-17", "Statement": [${outdated}, ${CI}]}`
    const merged = applyRunpodGrant(existing, ROLES).policyText
    expect(merged).not.toContain('418399314813')
    expect(merged.indexOf('AllowRunpodPull')).toBeLessThan(merged.indexOf('CiPush'))
    expect(merged).toContain(CI)
  })

  it('compacts the text only when ECR’s limit needs it, keeping every string and number as written', () => {
    const keep = (index: number) =>
      `    {"Sid": "Keep${index}", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/r${index}"}, "Action": "ecr:ListImages"}`
    const policyOf = (count: number) =>
      `{\n  "Version": "2012-10-17",\n  "Statement": [\n${[CI, ...Array.from({ length: count }, (_, index) => keep(index))].join(',\n')}\n  ]\n}`
    // As many statements as leave too little room for ours, indented.
    let count = 0
    while (policyOf(count + 1).length < 10_000) count++
    const existing = policyOf(count)
    const merged = applyRunpodGrant(existing, ROLES).policyText
    expect(merged.length).toBeLessThanOrEqual(10_240)
    expect(merged).not.toMatch(/\n/)
    expect(merged).toContain('12345678901234567890')
    expect(merged).toContain(`"Sid":"Keep${count - 1}"`)
    expect(analyzeGrant(merged, ROLES).granted).toBe(true)
  })
})

describe('mergeRunpodGrant', () => {
  it('takes a policy reviewed once and hands on the review of what it returns', () => {
    const current = readFileSync('examples/policies/runpod-current.json', 'utf8')
    const review = reviewPolicy(current, 'repository policy', ROLES)
    // The review is handed on as it is: nothing parses or judges the text again.
    expect(mergeRunpodGrant(review, ROLES).review).toBe(review)
    const merged = mergeRunpodGrant(undefined, ROLES)
    expect(merged.review).toMatchObject({ text: merged.policyText, grant: { granted: true }, findings: [] })
  })
})
