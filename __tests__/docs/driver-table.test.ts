// The driver-branch table users read (README, docs/how-it-works.md) is the one the image checks use.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { DRIVER_BRANCHES } from '../../src/image/gpu-host.js'

function tableRow(file: string, heading: string): string[] {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((candidate) => candidate.trim().startsWith(`| ${heading} |`))
  if (line === undefined) throw new Error(`${file} has no '${heading}' row`)
  return line
    .trim()
    .split('|')
    .map((cell) => cell.trim())
    .filter(Boolean)
    .slice(1)
}

describe.each(['README.md', 'docs/how-it-works.md'])('the driver-branch table in %s', (file) => {
  it('lists every branch the image checks know, with the CUDA version it reports', () => {
    expect(tableRow(file, 'driver branch')).toEqual(DRIVER_BRANCHES.map((entry) => String(entry.branch)))
    expect(tableRow(file, 'host reports CUDA')).toEqual(DRIVER_BRANCHES.map((entry) => entry.cuda))
  })
})
