// The job summary file: what the summary built so far becomes, without any registered secret in it.
import * as core from '@actions/core'
import { redactSecrets } from '../secrets.js'

/** Appends the summary built so far to the job summary file, every registered secret redacted. */
export async function writeRedacted(): Promise<void> {
  const text = redactSecrets(core.summary.stringify())
  await core.summary.emptyBuffer().addRaw(text).write()
}
