import { describe, expect, it } from '@jest/globals'
import { parsePolicy, positionFinder } from '../../src/policy/document.js'

describe('parsePolicy', () => {
  it('normalises a single Statement object and string Action/Principal forms, with positions', () => {
    const text = [
      '{',
      '  "Statement": {',
      '    "Effect": "Allow",',
      '    "Principal": {"AWS": "123456789012"},',
      '    "Action": "ecr:BatchGetImage"',
      '  }',
      '}'
    ].join('\n')
    const doc = parsePolicy(text)
    expect(doc.problems).toEqual([])
    expect(doc.statements).toHaveLength(1)
    const statement = doc.statements[0]!
    expect(statement).toMatchObject({
      line: 2,
      column: 16,
      label: 'statement 1',
      effect: { value: 'Allow', line: 3, column: 5 }
    })
    expect(statement.principal?.values).toEqual([
      { type: 'AWS', value: 'arn:aws:iam::123456789012:root', line: 4, column: 26 }
    ])
    expect(statement.action).toEqual({
      line: 5,
      column: 5,
      values: [{ value: 'ecr:BatchGetImage', line: 5, column: 15 }]
    })
  })

  it('reads "*" as {"AWS": "*"} and keeps Service and Federated principals apart', () => {
    const doc = parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'a', Effect: 'Allow', Principal: '*', Action: ['ecr:*'] },
          {
            Sid: 'b',
            Effect: 'Allow',
            Principal: {
              Service: 'codebuild.amazonaws.com',
              Federated: ['x'],
              AWS: ['arn:aws:iam::111111111111:role/r']
            },
            Action: 'ecr:*'
          }
        ]
      })
    )
    expect(doc.problems).toEqual([])
    expect(doc.statements[0]?.principal?.values.map(({ type, value }) => [type, value])).toEqual([['AWS', '*']])
    expect(doc.statements[1]?.principal?.values.map(({ type, value }) => [type, value])).toEqual([
      ['Service', 'codebuild.amazonaws.com'],
      ['Federated', 'x'],
      ['AWS', 'arn:aws:iam::111111111111:role/r']
    ])
    expect(doc.statements[1]?.label).toBe('b')
  })

  it('takes condition operators apart', () => {
    const doc = parsePolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: {
          Effect: 'Deny',
          Principal: '*',
          Action: 'ecr:*',
          Condition: {
            'ForAnyValue:StringNotLikeIfExists': { 'AWS:PrincipalArn': ['a', 'b'] },
            Bool: { 'aws:SecureTransport': false }
          }
        }
      })
    )
    expect(doc.problems).toEqual([])
    expect(
      doc.statements[0]?.conditions.map(({ base, ifExists, qualifier, negated, key, values }) => ({
        base,
        ifExists,
        qualifier,
        negated,
        key,
        values: values.map((v) => v.value)
      }))
    ).toEqual([
      {
        base: 'StringNotLike',
        ifExists: true,
        qualifier: 'ForAnyValue',
        negated: true,
        key: 'AWS:PrincipalArn',
        values: ['a', 'b']
      },
      {
        base: 'Bool',
        ifExists: false,
        qualifier: undefined,
        negated: false,
        key: 'aws:SecureTransport',
        values: ['false']
      }
    ])
  })

  it.each([
    ['{"Statement": [', 'not valid JSON: a closing bracket is expected here'],
    [
      '{"Version": "2012-10-17", // comment\n "Statement": []}',
      'not valid JSON: a comment, which a policy may not have'
    ],
    ['{"Version": "2012-10-17" "Statement": []}', 'not valid JSON: a comma is expected here'],
    [
      '{"Version": "2012-10-17", "Statement": [], }',
      'not valid JSON: a property name in double quotes is expected here'
    ],
    ['', 'not valid JSON: a value is expected here'],
    ['[]', 'must be a JSON object'],
    ['{"Version": "2012-10-17"}', 'no "Statement"'],
    ['{"Version": "2012-10-18", "Statement": []}', '"Version" must be'],
    [
      '{"Statement": [{"Effect": "allow", "Principal": "*", "Action": "ecr:*"}]}',
      '"Effect" of statement 1 must be "Allow" or "Deny"'
    ],
    ['{"Statement": [{"Principal": "*", "Action": "ecr:*"}]}', '"Effect" of statement 1 is missing'],
    ['{"Statement": [{"Effect": "Allow", "Action": "ecr:*"}]}', '"Principal" of statement 1 is missing'],
    ['{"Statement": [{"Effect": "Allow", "Principal": "*"}]}', '"Action" of statement 1 is missing'],
    [
      '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Actions": []}]}',
      'unknown element "Actions"'
    ],
    ['{"Statement": [], "Extra": 1}', 'unknown element "Extra"'],
    [
      '{"Statement": [{"Sid": "x", "Effect": "Allow", "Principal": {"Aws": "*"}, "Action": "ecr:*"}]}',
      'unknown principal type "Aws"'
    ],
    [
      '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Condition": {"StringEqual": {"aws:PrincipalArn": "x"}}}]}',
      'unknown condition operator "StringEqual"'
    ],
    ['{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": [1]}]}', 'strings only'],
    ['{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Principal": "*", "Action": "ecr:*"}]}', '"Effect" twice']
  ])('reports %s as a problem, not an exception', (text, message) => {
    const doc = parsePolicy(text)
    expect(doc.problems.map((problem) => problem.message).join('\n')).toContain(message)
  })

  it('points a JSON syntax error at its position', () => {
    const doc = parsePolicy('{\n  "Statement": [\n    {,}\n  ]\n}')
    expect(doc.problems[0]).toMatchObject({ line: 3, column: 6 })
  })
})

describe('positionFinder', () => {
  it('counts lines for \\n, \\r\\n and \\r', () => {
    const at = positionFinder('a\nb\r\nc\rd')
    expect([0, 2, 5, 7].map(at)).toEqual([
      { line: 1, column: 1 },
      { line: 2, column: 1 },
      { line: 3, column: 1 },
      { line: 4, column: 1 }
    ])
  })
})
