// The demo's terminal renderers of an action's log and job summary (scripts/).
import { afterEach, describe, expect, it } from '@jest/globals'
import * as core from '@actions/core'
import { renderJobSummary } from '../../scripts/job-summary-text.js'
import { displayWidth } from '../../scripts/terminal-style.js'
import { renderWorkflowLog } from '../../scripts/workflow-log.js'

describe('renderWorkflowLog', () => {
  it('shows groups as headings with indented lines, and hides debug and add-mask lines', () => {
    const log = ['::debug::internal detail', '::group::Read', 'Image: x:v1', '::endgroup::', 'after the group'].join(
      '\n'
    )
    expect(renderWorkflowLog(log)).toBe(['▸ Read', '  Image: x:v1', 'after the group'].join('\n'))
  })

  it('masks every masked value, also in lines printed before the mask was announced', () => {
    const log = ['token is s3cr%et', '::add-mask::s3cr%25et', '::error::bad s3cr%25et'].join('\n')
    const rendered = renderWorkflowLog(log)
    expect(rendered).not.toContain('s3cr%et')
    expect(rendered).toBe(['token is ***', '✖ error: bad ***'].join('\n'))
  })

  it('marks annotations, with their title and multi-line messages decoded', () => {
    const log = [
      '::error title=pod p1%3A failed::did not roll out%0ACUDA error',
      '::warning::latest tag',
      '::notice::rolled back'
    ].join('\n')
    expect(renderWorkflowLog(log).split('\n')).toEqual([
      '✖ error (pod p1: failed): did not roll out',
      '    CUDA error',
      '▲ warning: latest tag',
      '● notice: rolled back'
    ])
  })

  it('applies the given style to headings and marks', () => {
    const rendered = renderWorkflowLog('::group::Plan\n::warning::w', (format, text) => `[${String(format)}]${text}`)
    expect(rendered).toBe('[bold]▸ Plan\n  [bold,yellow]▲ warning: w')
  })
})

describe('renderJobSummary', () => {
  afterEach(() => {
    core.summary.emptyBuffer()
  })

  it('renders headings, key/value tables aligned, links as text <url>, and decodes entities', () => {
    const html = core.summary
      .addHeading('Runpod ECR deploy', 2)
      .addTable([
        [{ data: 'Image', header: true }, { data: '<code>repo:v1 &amp; more</code>' }],
        [
          { data: 'Repository', header: true },
          { data: '<a href="https://console.example/r?a=1&amp;b=2">team/worker</a>' }
        ]
      ])
      .stringify()
    expect(renderJobSummary(html)).toBe(
      [
        '■ Runpod ECR deploy',
        '',
        'Image       repo:v1 & more',
        'Repository  team/worker <https://console.example/r?a=1&b=2>'
      ].join('\n')
    )
  })

  it('aligns a table with a header row under a rule, keeping empty cells', () => {
    const html = core.summary
      .addTable([
        [
          { data: 'Target', header: true },
          { data: 'Time', header: true },
          { data: 'Status', header: true }
        ],
        ['pod a', '', '✅ rolled out'],
        ['endpoint bb', '3s', '➖ unchanged']
      ])
      .stringify()
    expect(renderJobSummary(html).split('\n')).toEqual([
      'Target       Time  Status',
      '───────────  ────  ─────────────',
      'pod a              ✅ rolled out',
      'endpoint bb  3s    ➖ unchanged'
    ])
  })

  it('shows a table too wide for the terminal as one block per row, without empty cells', () => {
    const html = core.summary
      .addTable([
        [
          { data: 'Target', header: true },
          { data: 'New image', header: true },
          { data: 'Time', header: true }
        ],
        ['pod a', `<code>${'x'.repeat(50)}</code>`, '']
      ])
      .stringify()
    expect(renderJobSummary(html, { width: 40 }).split('\n')).toEqual(['pod a', `  New image  ${'x'.repeat(50)}`])
  })

  it('renders details with their markdown code fences dropped, and code blocks indented', () => {
    const html = core.summary
      .addDetails('Added this statement', '\n\n```json\n{\n  "Sid": "A"\n}\n```\n\n')
      .addCodeBlock('line 1\nline 2')
      .addRaw('<p><strong>Failed:</strong> because</p>', true)
      .stringify()
    expect(renderJobSummary(html).split('\n')).toEqual([
      '▸ Added this statement',
      '  {',
      '    "Sid": "A"',
      '  }',
      '',
      '    line 1',
      '    line 2',
      '',
      'Failed: because'
    ])
  })
})

describe('displayWidth', () => {
  it('counts emoji as two columns and ignores ANSI codes and variation selectors', () => {
    expect(displayWidth('✅ ok')).toBe(5)
    expect(displayWidth('↩️ back')).toBe(7)
    expect(displayWidth('\u001b[1mbold\u001b[22m')).toBe(4)
  })
})
