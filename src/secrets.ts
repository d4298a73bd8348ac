// The run's secrets: masked in the log by the runner (add-mask), and redacted by the action itself from every
// text it writes where the runner's masking does not reach (job summary, outputs, PR comment, SARIF).
import * as core from '@actions/core'

const REDACTED = '***'
const secrets = new Set<string>()

/** Masks `value` in the log from now on and redacts it from everything the action writes itself. */
export function registerSecret(value: string | undefined): void {
  if (!value || value.trim() === '') return
  core.setSecret(value)
  secrets.add(value)
}

/**
 * `text` with every registered secret replaced, also where it stands JSON-escaped (an output, SARIF) or
 * HTML-escaped (the job summary): a key that Runpod echoes in a problem detail reaches those files encoded.
 */
export function redactSecrets(text: string): string {
  let redacted = text
  for (const secret of secrets) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), escapeForHtml(secret)])) {
      redacted = redacted.split(form).join(REDACTED)
    }
  }
  return redacted
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }

function escapeForHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => HTML_ENTITIES[char] ?? char)
}
