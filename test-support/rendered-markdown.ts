// How GitHub shows a job summary or a comment, near enough to find markup that outside text would create:
// CommonMark with the GFM extensions (tables, autolinks, strikethrough) and raw HTML let through, as GitHub
// renders before sanitising, then read as a DOM.
import { JSDOM } from 'jsdom'
import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'

export interface Rendered {
  readonly html: string
  readonly document: Document
  /** The visible text, with zero-width spaces removed (what a reader sees). */
  readonly text: string
  /** `href`s of every link and `src`s of every image, script or frame. */
  readonly links: string[]
  /** Elements that are neither plain structure nor formatting the action writes itself. */
  readonly unexpectedElements: string[]
  /** `@name` sequences GitHub would turn into a mention (a text `@` directly followed by a name). */
  readonly mentions: string[]
}

/** What the action's own summary and comment markup uses. */
const OWN_ELEMENTS = new Set([
  'HTML',
  'HEAD',
  'BODY',
  'H1',
  'H2',
  'H3',
  'H4',
  'P',
  'TABLE',
  'THEAD',
  'TBODY',
  'TR',
  'TH',
  'TD',
  'CODE',
  'PRE',
  'STRONG',
  'EM',
  'SUB',
  'BLOCKQUOTE',
  'DETAILS',
  'SUMMARY',
  'BR',
  'A'
])

export function renderGitHubMarkdown(markdown: string): Rendered {
  const html = micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()]
  })
  const { document } = new JSDOM(`<!doctype html><body>${html}</body>`).window
  const links = [...document.querySelectorAll('a[href], img, script, iframe, [src]')].map(
    (element) => element.getAttribute('href') ?? element.getAttribute('src') ?? element.tagName
  )
  const unexpectedElements = [...document.querySelectorAll('*')]
    .filter((element) => !OWN_ELEMENTS.has(element.tagName) || [...element.attributes].some((a) => /^on/i.test(a.name)))
    .map((element) => element.outerHTML.slice(0, 80))
  const text = (document.body.textContent ?? '').replace(/\u200b/g, '')
  // GitHub links mentions in text outside code, preformatted blocks and links.
  const walker = document.createTreeWalker(document.body, 4 /* NodeFilter.SHOW_TEXT */)
  const mentions: string[] = []
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement?.closest('code, pre, a')) continue
    const found = (node.textContent ?? '').matchAll(/(?<!\w)@[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9][\w-]*)?/g)
    mentions.push(...[...found].map((match) => match[0]))
  }
  return { html, document, text, links, unexpectedElements, mentions }
}
