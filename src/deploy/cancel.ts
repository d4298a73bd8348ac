// A cancelled workflow: the runner sends SIGINT, then SIGTERM 7.5 s later, and kills the process 2.5 s after
// that. The run stops starting writes at once, gives what is in flight a short grace, rolls back and
// reports: within 5 s of the first signal.
import { ActionError } from '../errors.js'

/** What is in flight at the cancel (a PATCH, a create, a runsync) may finish within this. */
export const CANCEL_GRACE_MS = 1_500
/** The rollback PATCHes after a cancel get this long. */
export const CANCEL_ROLLBACK_MS = 3_000

/** A signal that aborts CANCEL_GRACE_MS after `signal` does: for requests that should finish if they can. */
export function afterGrace(signal: AbortSignal): AbortSignal {
  const controller = new AbortController()
  const start = () => setTimeout(() => controller.abort(signal.reason), CANCEL_GRACE_MS).unref()
  if (signal.aborted) start()
  else signal.addEventListener('abort', start, { once: true })
  return controller.signal
}

/** Before each write: after a cancel, no new write starts. `next` names what would have been written. */
export function stopIfCancelled(signal: AbortSignal | undefined, next: string): void {
  if (signal?.aborted)
    throw new ActionError(
      `The workflow was cancelled before ${next}: nothing more was changed. Rerun the workflow to deploy; what is already in place is kept.`
    )
}
