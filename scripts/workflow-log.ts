// Renders an action's stdout as the Actions log viewer shows it: workflow commands become headings
// and marked annotations; masked values, the ::add-mask:: lines themselves and debug lines stay hidden.
import { plain, type Style } from './terminal-style.js'

const COMMAND = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/

const ANNOTATIONS: Record<string, { mark: string; format: 'red' | 'yellow' | 'cyan' }> = {
  error: { mark: '✖ error', format: 'red' },
  warning: { mark: '▲ warning', format: 'yellow' },
  notice: { mark: '● notice', format: 'cyan' }
}

/** Undoes @actions/core's escaping of command data (and, with `property`, of property values). */
function unescape(text: string, property = false): string {
  const decoded = property ? text.replace(/%3A/gi, ':').replace(/%2C/gi, ',') : text
  return decoded.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

function properties(text: string | undefined): Record<string, string> {
  const result: Record<string, string> = {}
  for (const pair of text ? text.split(',') : []) {
    const [key, ...value] = pair.split('=')
    if (key) result[key.trim()] = unescape(value.join('='), true)
  }
  return result
}

export function renderWorkflowLog(log: string, style: Style = plain): string {
  const lines = log.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n')
  // The runner masks a value wherever it appears, so collect every mask first.
  const masks = lines.flatMap((line) => {
    const command = COMMAND.exec(line)
    return command?.[1] === 'add-mask' && command[3] ? [unescape(command[3])] : []
  })
  const mask = (text: string) => masks.reduce((masked, secret) => masked.split(secret).join('***'), text)
  const out: string[] = []
  let indent = ''
  for (const line of lines) {
    const command = COMMAND.exec(line)
    if (!command) {
      out.push(indent + mask(line))
      continue
    }
    const [, name = '', props, data = ''] = command
    if (name === 'add-mask' || name === 'debug') continue
    if (name === 'group') {
      out.push(style('bold', `▸ ${mask(unescape(data))}`))
      indent = '  '
    } else if (name === 'endgroup') {
      indent = ''
    } else if (ANNOTATIONS[name]) {
      const { mark, format } = ANNOTATIONS[name]
      const title = properties(props)['title']
      const [first = '', ...rest] = mask(unescape(data)).split('\n')
      out.push(`${indent}${style(['bold', format], `${mark}${title ? ` (${title})` : ''}:`)} ${first}`)
      for (const next of rest) out.push(`${indent}    ${next}`)
    } else {
      out.push(indent + style('dim', mask(line)))
    }
  }
  return out.join('\n')
}
