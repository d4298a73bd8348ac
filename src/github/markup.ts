// The one way outside text (Runpod names and details, container logs and job output, pull-request file names)
// enters the job summary and the PR comment: shown as the text it is, never as markup. Both are GitHub Markdown
// with HTML, so the same escapes hold in either, and every piece is redacted of the run's secrets first.
import { redactSecrets } from '../secrets.js'

/**
 * Characters that start HTML or Markdown inline syntax (emphasis, code, links, images, tables, escapes). An
 * underscore between letters or digits never makes emphasis (`deleg_0001`), so only one at a word's edge is.
 */
const MARKUP = /[&<>"\\`*[\]!~|]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu
/** Every line break GitHub or a browser may honour: a break would end the HTML block and start Markdown. */
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g
const ZERO_WIDTH_SPACE = '&#8203;'

/**
 * Text for a paragraph, a table cell or a heading: on one line, with markup characters as numeric character
 * references (CommonMark and HTML show them as the characters, never as syntax), and with what GitHub would
 * turn into a link or a notification broken by a zero-width space: `@name` mentions, `https://` and `www.`
 * autolinks, e-mail addresses.
 */
export function inertText(text: string): string {
  return redactSecrets(text)
    .replace(LINE_BREAKS, ' ')
    .replace(MARKUP, characterReference)
    .replace(/@/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`)
    .replace(/\b(www)\./gi, `$1${ZERO_WIDTH_SPACE}.`)
}

/**
 * Lines as a preformatted block (system log lines, a smoke job's error): nothing in them is markup. It opens
 * after a blank line, so `<pre` starts an HTML block of its own that only `</pre>` ends: a blank line in the
 * text (a lone `\r` included) cannot end it early and let the rest render as Markdown.
 */
export function preformatted(lines: readonly string[]): string {
  const text = redactSecrets(lines.join('\n')).replace(LINE_BREAKS, '\n').replace(/[&<>]/g, characterReference)
  return `\n<pre><code>${text}</code></pre>\n`
}

/** Text inside a Markdown code span in a table cell (the PR comment): one line, no backtick, no column break. */
export function codeSpan(text: string): string {
  const inner = redactSecrets(text).replace(LINE_BREAKS, ' ').replace(/`/g, "'").replace(/\|/g, '\\|')
  return `\`${inner}\``
}

/** A link the action makes itself (console URLs); its text may come from outside. */
export function link(url: string, text: string): string {
  return `<a href="${url.replace(/[&<>"']/g, characterReference)}">${inertText(text)}</a>`
}

const NAMED: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }

function characterReference(char: string): string {
  return NAMED[char] ?? `&#${char.charCodeAt(0)};`
}
