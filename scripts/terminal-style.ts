// Shared by the terminal renderers: optional styling, and the width a string takes in a terminal.
import type { styleText } from 'node:util'

export type StyleFormat = Parameters<typeof styleText>[0]
/** Wraps text in a style; the renderers stay pure and default to plain text. */
export type Style = (format: StyleFormat, text: string) => string

export const plain: Style = (_format, text) => text

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

/** Columns `text` occupies: no ANSI codes, emoji two columns wide, joiners and selectors none. */
export function displayWidth(text: string): number {
  let width = 0
  const chars = [...text.replace(ANSI, '')]
  chars.forEach((char, index) => {
    if (char === '\u200d' || /\p{Mn}/u.test(char)) return
    const emoji = /\p{Emoji_Presentation}/u.test(char) || chars[index + 1] === '\ufe0f'
    width += emoji ? 2 : 1
  })
  return width
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)))
}
