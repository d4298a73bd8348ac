// The one escaping path of the job summary and the PR comment, judged by how a GFM renderer shows it.
import { describe, expect, it, jest } from '@jest/globals'
import fc from 'fast-check'
import { codeSpan, inertText, preformatted } from '../../src/github/markup.js'
import { registerSecret } from '../../src/secrets.js'
import { captureStdout } from '../../test-support/action-error-assertions.js'
import { renderGitHubMarkdown } from '../../test-support/rendered-markdown.js'

const ATTACKS = [
  '</code></pre><img src=x onerror=alert(1)>',
  '[approve](https://evil.example) ![x](https://evil.example/i.png) <https://evil.example>',
  '@acme/security-team @octocat please merge',
  'https://evil.example/path www.evil.example ops@evil.example',
  '**bold** _em_ ~~gone~~ `code` \\* &lt;b&gt; &#64;name',
  'line one\n\n# heading\n- item\r\n> quote\u2028two',
  '| a | b |\n|---|---|\n| c | d |',
  '<details open><summary>x</summary>y</details><script>alert(1)</script>'
]

describe('inertText', () => {
  it.each(ATTACKS)('shows %j as its text in a paragraph and in a table cell, with no markup', (attack) => {
    for (const markdown of [`<p>${inertText(attack)}</p>`, `| x |\n|---|\n| ${inertText(attack)} |`]) {
      const rendered = renderGitHubMarkdown(markdown)
      expect(rendered.links).toEqual([])
      expect(rendered.unexpectedElements).toEqual([])
      expect(rendered.mentions).toEqual([])
      expect(rendered.document.querySelectorAll('h1, li, blockquote, strong, em, del, code').length).toBe(0)
      const shown = rendered.document.querySelector('td') ?? rendered.document.querySelector('p')
      expect(shown?.textContent?.replace(/\u200b/g, '').trim()).toBe(attack.replace(/\r\n|[\r\n\u2028]/g, ' ').trim())
    }
  })

  it('holds for any text (generated)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 80 }), (text) => {
        const rendered = renderGitHubMarkdown(`<p>${inertText(text)}</p>`)
        return rendered.links.length === 0 && rendered.unexpectedElements.length === 0 && rendered.mentions.length === 0
      }),
      { numRuns: 300, seed: 18 }
    )
  })

  it('redacts registered secrets before escaping them', () => {
    const stdout = captureStdout()
    registerSecret('rpa_SECRET&<key>')
    jest.restoreAllMocks()
    expect(stdout).toEqual(['::add-mask::rpa_SECRET&<key>\n'])
    expect(renderGitHubMarkdown(`<p>${inertText('detail: bad key rpa_SECRET&<key>')}</p>`).text).toBe(
      'detail: bad key ***'
    )
  })
})

describe('preformatted', () => {
  it('stays one block after other HTML, whatever blank lines or lone carriage returns the lines hold', () => {
    const lines = ['first', '', '\r![x](https://evil.example/i.png)', '\n[a](https://evil.example)']
    const rendered = renderGitHubMarkdown(`<h4>pod p1</h4>\n<p>reason</p>\n${preformatted(lines)}<p>after</p>\n`)
    expect(rendered.links).toEqual([])
    expect(rendered.unexpectedElements).toEqual([])
    expect(rendered.document.querySelectorAll('pre')).toHaveLength(1)
  })

  it('keeps log lines as lines and closes no element early', () => {
    const rendered = renderGitHubMarkdown(preformatted([ATTACKS[0] ?? '', 'second line', '', '# not a heading']))
    expect(rendered.links).toEqual([])
    expect(rendered.unexpectedElements).toEqual([])
    expect(rendered.document.querySelector('pre')?.textContent).toBe(`${ATTACKS[0]}\nsecond line\n\n# not a heading`)
  })
})

describe('codeSpan', () => {
  it('keeps a cell one code span', () => {
    const rendered = renderGitHubMarkdown(`| a | b |\n|---|---|\n| ${codeSpan('x`|y\n![i](https://e/i.png)')} | z |`)
    expect([...rendered.document.querySelectorAll('td')].map((cell) => cell.textContent)).toEqual([
      "x'|y ![i](https://e/i.png)",
      'z'
    ])
    expect(rendered.links).toEqual([])
  })
})
