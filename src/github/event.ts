// The workflow event, through the toolkit's github.context: the release a deploy takes its tag from, or the
// pull request a verify run comments its plan on.
import { ActionError, errorMessage } from '../errors.js'

export interface PullRequestRef {
  readonly owner: string
  readonly repo: string
  readonly number: number
  /** The commit the author pushed (GITHUB_SHA is the merge commit on a pull request). */
  readonly headSha?: string
}

export interface RunEvent {
  readonly name: string
  /** The release's tag on a `release` event. */
  readonly releaseTag?: string
  /** The pull request of a `pull_request` or `pull_request_target` event. */
  readonly pullRequest?: PullRequestRef
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target'])

export async function readEvent(env: NodeJS.ProcessEnv): Promise<RunEvent> {
  const name = env['GITHUB_EVENT_NAME'] ?? ''
  // Only these events carry what a run uses: any other skips loading Octokit along with the context.
  if (name !== 'release' && !PULL_REQUEST_EVENTS.has(name)) return { name }
  let context: (typeof import('@actions/github'))['context']
  try {
    ;({ context } = await import('@actions/github'))
  } catch (error) {
    throw new ActionError(
      `Could not read the ${name} event payload at GITHUB_EVENT_PATH (${env['GITHUB_EVENT_PATH'] ?? 'unset'}): ${errorMessage(error)}. ${name === 'release' ? "Give 'image' an explicit tag instead." : "Set 'pr-comment: off' to run without it."}`,
      { cause: error }
    )
  }
  const payload = context.payload
  if (name === 'release') {
    const tag: unknown = payload.release?.['tag_name']
    return { name, ...(typeof tag === 'string' && tag !== '' ? { releaseTag: tag } : {}) }
  }
  const number = payload.pull_request?.number
  if (typeof number !== 'number' || !env['GITHUB_REPOSITORY']) return { name }
  const { owner, repo } = context.repo
  const headSha: unknown = payload.pull_request?.['head']?.sha
  return { name, pullRequest: { owner, repo, number, ...(typeof headSha === 'string' ? { headSha } : {}) } }
}
