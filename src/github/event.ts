import { readFile } from 'node:fs/promises'
import { ActionError } from '../errors.js'

/**
 * The release's tag on a `release` event, else undefined. Read straight from the event file: the whole
 * @actions/github client (Octokit) would add most of a megabyte to dist/ for this one field.
 */
export async function releaseTagFromEvent(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env['GITHUB_EVENT_NAME'] !== 'release') return undefined
  const eventPath = env['GITHUB_EVENT_PATH']
  if (!eventPath) return undefined
  let payload: unknown
  try {
    payload = JSON.parse(await readFile(eventPath, 'utf8'))
  } catch (error) {
    throw new ActionError(
      `Could not read the release event payload at GITHUB_EVENT_PATH (${eventPath}): ${(error as Error).message}. Give 'image' an explicit tag instead.`
    )
  }
  const tag = (payload as { release?: { tag_name?: unknown } }).release?.tag_name
  return typeof tag === 'string' && tag !== '' ? tag : undefined
}
