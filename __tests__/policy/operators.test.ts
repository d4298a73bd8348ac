import { describe, expect, it } from '@jest/globals'
import { parseOperator, wildcardMatch } from '../../src/policy/operators.js'

describe('parseOperator', () => {
  it.each([
    ['StringEquals', { base: 'StringEquals', ifExists: false, negated: false }],
    ['arnlikeifexists', { base: 'ArnLike', ifExists: true, negated: false }],
    ['ForAllValues:ArnNotEquals', { base: 'ArnNotEquals', qualifier: 'ForAllValues', negated: true }]
  ])('knows %s', (operator, expected) => {
    expect(parseOperator(operator)).toMatchObject(expected)
  })

  it.each(['StringEqual', 'NullIfExists', 'ForSomeValues:StringLike', ''])('rejects %s', (operator) => {
    expect(parseOperator(operator)).toBeUndefined()
  })
})

describe('wildcardMatch', () => {
  it('treats regex characters literally', () => {
    expect(wildcardMatch('a.b', 'a.b', false)).toBe(true)
    expect(wildcardMatch('a.b', 'axb', false)).toBe(false)
    expect(wildcardMatch('role/(x)+', 'role/(x)+', false)).toBe(true)
    expect(wildcardMatch('ecr:Get*', 'ECR:GETX', true)).toBe(true)
    expect(wildcardMatch('ecr:Get*', 'ECR:GETX', false)).toBe(false)
  })
})
