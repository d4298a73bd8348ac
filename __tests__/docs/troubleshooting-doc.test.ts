// Keeps docs/troubleshooting.md in step with the messages the action prints: a new error without a row
// fails here, while rewording the tail of a message does not.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { LINT_RULES } from '../../src/policy/lint.js'

const DOC = readFileSync('docs/troubleshooting.md', 'utf8')

/** Calls whose first argument is a message for the workflow author. */
const MESSAGE_CALLS = new Set(['fail', 'warnings.push', 'core.warning', 'core.notice', 'core.setFailed'])
const ERROR_CLASSES = new Set(['ActionError', 'RunpodApiError'])
/** How many constant words of a message's headline the doc must contain, in order. */
const KEY_WORDS = 6
/** A placeholder in the doc (`ROLE`, `METHOD PATH`, an example ARN) stands for an interpolation. */
const GAP = null

type Token = string | typeof GAP

interface Message {
  readonly file: string
  readonly line: number
  readonly key: readonly Token[]
}

/** Lowercase words only, so quotes, backticks, punctuation and capitalisation do not matter. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? []
}

const docText = ` ${words(DOC).join(' ')} `

function isDocumented(key: readonly Token[]): boolean {
  const pattern = key.map((token) => (token === GAP ? '(?: [a-z0-9]+){0,8}' : ` ${token}`)).join('')
  return new RegExp(`${pattern} `).test(docText)
}

function show(key: readonly Token[]): string {
  return key.map((token) => token ?? '…').join(' ')
}

/** The constant pieces of a message in order; a conditional message yields each branch separately. */
function variants(node: ts.Expression): string[][] {
  if (ts.isParenthesizedExpression(node)) return variants(node.expression)
  if (ts.isConditionalExpression(node)) return [...variants(node.whenTrue), ...variants(node.whenFalse)]
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [[node.text]]
  if (ts.isTemplateExpression(node)) return [[node.head.text, ...node.templateSpans.map((span) => span.literal.text)]]
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return variants(node.left).flatMap((left) => variants(node.right).map((right) => [...left, ...right]))
  }
  return [[]]
}

const SENTENCE_END = /[.:](\s|$)|\s\(|\n/

/**
 * What a user would search for: the message's headline (up to the first '. ', ': ' or ' ('), interpolations
 * as gaps, cut to KEY_WORDS words. A headline of fewer than 3 words (`Runpod refused ${where} (`) is
 * not distinctive: then the first constant piece of at least 3 words stands for the message.
 */
function keyOf(pieces: readonly string[]): Token[] | undefined {
  const headline: Token[] = []
  for (const [index, piece] of pieces.entries()) {
    const end = piece.search(SENTENCE_END)
    headline.push(...words(end < 0 ? piece : piece.slice(0, end)))
    if (end >= 0) break
    if (index < pieces.length - 1) headline.push(GAP)
  }
  const constant = (tokens: readonly Token[]) => tokens.filter((token) => token !== GAP).length
  if (constant(headline) >= 3) {
    const start = headline.findIndex((token) => token !== GAP)
    const key: Token[] = []
    for (const token of headline.slice(start)) {
      if (constant(key) === KEY_WORDS) break
      if (token !== GAP || key.at(-1) !== GAP) key.push(token)
    }
    return key.at(-1) === GAP ? key.slice(0, -1) : key
  }
  const piece = pieces.find((text) => words(text).length >= 3)
  return piece === undefined ? undefined : words(piece).slice(0, KEY_WORDS)
}

function messagesIn(file: string): Message[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const found: Message[] = []
  const visit = (node: ts.Node): void => {
    const argument =
      ts.isNewExpression(node) && ERROR_CLASSES.has(node.expression.getText(source))
        ? node.arguments?.[0]
        : ts.isCallExpression(node) && MESSAGE_CALLS.has(node.expression.getText(source))
          ? node.arguments[0]
          : undefined
    if (argument) {
      const line = source.getLineAndCharacterOfPosition(argument.getStart(source)).line + 1
      for (const pieces of variants(argument)) {
        const key = keyOf(pieces)
        if (key !== undefined) found.push({ file, line, key })
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

const messages = readdirSync('src', { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .flatMap((name) => messagesIn(path.join('src', name)))

describe('docs/troubleshooting.md', () => {
  it('finds the messages in src/ (the extraction itself works)', () => {
    expect(messages.length).toBeGreaterThan(60)
    expect(messages.map((message) => show(message.key))).toEqual(
      expect.arrayContaining([
        'runpod rejected the api key on',
        'input … is … which is not one',
        'the repository policy of … does not',
        'of … target s did not roll',
        'runpod refused to create an ecr'
      ])
    )
  })

  it('mentions the start of every error and warning the action prints', () => {
    const undocumented = messages
      .filter((message) => !isDocumented(message.key))
      .map((m) => `${m.file}:${m.line}: "${show(m.key)}"`)
    expect(undocumented).toEqual([])
  })

  it('would notice a message it does not mention', () => {
    const documented = (pieces: string[]) => isDocumented(keyOf(pieces) ?? [])
    expect(documented(['The repository policy of ', ' is owned by another account.'])).toBe(false)
    expect(documented(['Runpod could not find a GPU for pod ', '.'])).toBe(false)
    expect(documented(['The repository policy of ', ' does not let Runpod pull (', ').'])).toBe(true)
    expect(documented(['Runpod refused ', ' (', "). Check the key in the 'runpod-api-key' input."])).toBe(true)
  })

  it('explains every lint rule with its severity', () => {
    for (const rule of LINT_RULES) {
      expect(DOC).toMatch(new RegExp(`^\\| \`${rule.id}\` \\| ${rule.severity} \\| .+ \\| .+ \\|$`, 'm'))
    }
    const documented = [...DOC.matchAll(/^\| `(RPD\d{3})` \|/gm)].map((match) => match[1])
    expect(documented).toEqual(LINT_RULES.map((rule) => rule.id))
  })
})
