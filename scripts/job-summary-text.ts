// Renders the HTML that @actions/core's summary writes (headings, tables, links, code, details) as
// terminal text. Only that subset: it is not a general HTML renderer.
import { displayWidth, padEnd, plain, type Style } from './terminal-style.js'

export interface SummaryTextOptions {
  readonly style?: Style
  /** Tables with a header row wider than this are shown as one block per row. */
  readonly width?: number
}

interface Cell {
  readonly text: string
  readonly header: boolean
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16))
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10))
    return ENTITIES[name.toLowerCase()] ?? entity
  })
}

const HEADING_MARKS: Record<string, string> = { h1: '█ ', h2: '■ ', h3: '▪ ', h4: '· ', h5: '· ', h6: '· ' }

export function renderJobSummary(html: string, options: SummaryTextOptions = {}): string {
  const style = options.style ?? plain
  const width = options.width ?? 120
  const lines: string[] = []
  let inline = ''
  let pre = false
  let bold = false
  let detailsDepth = 0
  let heading: string | undefined
  let table: Cell[][] | undefined
  let cell: { text: string; header: boolean } | undefined
  const links: string[] = []

  const append = (text: string) => {
    if (cell) cell.text += text
    else inline += text
  }
  const flush = () => {
    if (inline.trim() !== '') lines.push(inline.trimEnd())
    inline = ''
  }
  const blank = () => {
    flush()
    lines.push('')
  }

  for (const token of html.split(/(<[^>]*>)/)) {
    const tag = /^<(\/?)([a-z0-9]+)([^>]*)>$/i.exec(token)
    if (!tag) {
      if (token === '') continue
      const decoded = decodeEntities(token)
      const text = bold ? style('bold', decoded) : decoded
      if (cell) append(text.replace(/\s+/g, ' '))
      else if (pre) append(text)
      else appendMarkdownText(text)
      continue
    }
    const [, slash, rawName = '', attributes = ''] = tag
    const name = rawName.toLowerCase()
    const closing = slash === '/'
    if (/^h[1-6]$/.test(name)) {
      if (!closing) {
        blank()
        heading = name
      } else {
        const text = inline.trim()
        inline = ''
        lines.push(style(['bold', 'underline'], `${HEADING_MARKS[heading ?? name] ?? ''}${text}`), '')
        heading = undefined
      }
    } else if (name === 'table') {
      if (!closing) {
        flush()
        table = []
      } else if (table) {
        closeCell()
        lines.push(...renderTable(table, style, width), '')
        table = undefined
      }
    } else if (name === 'tr' && table) {
      closeCell()
      if (!closing) table.push([])
    } else if ((name === 'th' || name === 'td') && table) {
      closeCell()
      if (!closing) cell = { text: '', header: name === 'th' }
    } else if (name === 'a') {
      if (!closing) links.push(decodeEntities(/href="([^"]*)"/i.exec(attributes)?.[1] ?? ''))
      else {
        const href = links.pop()
        if (href) append(` ${style('blue', `<${href}>`)}`)
      }
    } else if (name === 'strong' || name === 'b') {
      bold = !closing
    } else if (name === 'pre') {
      if (closing) {
        lines.push(
          ...inline
            .replace(/\n$/, '')
            .split('\n')
            .map((line) => `    ${line}`),
          ''
        )
        inline = ''
      } else flush()
      pre = !closing
    } else if (name === 'summary') {
      if (closing) {
        lines.push(style('bold', `▸ ${inline.trim()}`))
        inline = ''
      } else flush()
    } else if (name === 'li') {
      if (closing) flush()
      else {
        flush()
        inline = '  • '
      }
    } else if (name === 'br') {
      flush()
    } else if (name === 'hr') {
      flush()
      lines.push('─'.repeat(Math.min(width, 60)))
    } else if (name === 'details') {
      detailsDepth += closing ? -1 : 1
      blank()
    } else if (['p', 'ul', 'ol', 'blockquote', 'div'].includes(name)) {
      blank()
    }
  }
  flush()
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()

  // @actions/core writes an empty cell as a lone `<td>`, so a cell also ends where the next one starts.
  function closeCell(): void {
    if (!cell) return
    table?.at(-1)?.push({ text: cell.text.trim(), header: cell.header })
    cell = undefined
  }

  /** Raw markdown between tags (addDetails content, addEOL): keep its lines, drop code fences. */
  function appendMarkdownText(text: string): void {
    const parts = text.split('\n')
    parts.forEach((part, index) => {
      if (index > 0) {
        if (inline.trim() === '' && part.trim() === '') return
        flush()
      }
      if (/^\s*```/.test(part)) return
      append(index > 0 && part.trim() !== '' ? '  '.repeat(detailsDepth) + part : part)
    })
  }
}

/**
 * Aligned columns. A table whose first row is all headers and that does not fit is shown as one
 * block per row instead (first cell as its title); key/value tables (headers down the first column)
 * always align, since only their last column can run long.
 */
function renderTable(rows: readonly Cell[][], style: Style, maxWidth: number): string[] {
  const cleaned = rows.filter((row) => row.length > 0)
  const headerRow = cleaned[0]?.every((cell) => cell.header) ? cleaned[0] : undefined
  const widths: number[] = []
  for (const row of cleaned)
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, displayWidth(cell.text))))
  const total = widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1)
  if (headerRow && total > maxWidth) {
    const keyWidth = Math.max(...headerRow.slice(1).map((cell) => displayWidth(cell.text)))
    return cleaned
      .slice(1)
      .flatMap((row) => [
        style('bold', row[0]?.text ?? ''),
        ...row
          .slice(1)
          .flatMap((cell, index) =>
            cell.text === ''
              ? []
              : [`  ${padEnd(style('dim', headerRow[index + 1]?.text ?? ''), keyWidth)}  ${cell.text}`]
          )
      ])
  }
  const lines = cleaned.map((row) =>
    row
      .map((cell, index) => {
        const text = cell.header ? style('bold', cell.text) : cell.text
        return index === row.length - 1 ? text : padEnd(text, widths[index] ?? 0)
      })
      .join('  ')
  )
  if (headerRow) lines.splice(1, 0, widths.map((w) => '─'.repeat(w)).join('  '))
  return lines
}
