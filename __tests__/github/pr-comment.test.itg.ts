// verify mode on a pull request, the bundled action against the local stack and the GitHub API stand-in
// (every request checked against GitHub's OpenAPI description): the plan comment is created, edited on the
// next run, and a read-only token (a pull request from a fork) yields one notice and a green run.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startGitHubStandIn, type GitHubStandIn } from '../../test-support/github-api.js'
import { startLocalStack, type LocalStack } from '../../test-support/local-stack.js'
import { runAction, type ActionRun } from '../../test-support/run-action.js'

let stack: LocalStack
let github: GitHubStandIn
let scratch: string
let seq = 0
let repository: string

beforeAll(async () => {
  ;[stack, github] = await Promise.all([startLocalStack(), startGitHubStandIn()])
  scratch = await mkdtemp(path.join(tmpdir(), 'rpd-pr-'))
})

afterAll(async () => {
  await Promise.all([stack?.stop(), github?.close(), rm(scratch, { recursive: true, force: true })])
})

beforeEach(async () => {
  repository = `team/pr-${++seq}`
  await stack.createRepository(repository)
  await stack.pushImage(repository, 'v2')
  github.readOnly = false
})

async function verifyOnPullRequest(number: number, inputs: Record<string, string> = {}): Promise<ActionRun> {
  const eventPath = path.join(scratch, `event-${number}-${seq}.json`)
  await writeFile(
    eventPath,
    JSON.stringify({ action: 'synchronize', number, pull_request: { number, head: { sha: 'abcdef1234567890' } } })
  )
  return runAction({
    inputs: {
      ...stack.deployInputs(repository, 'v2'),
      'pod-id': `pod-${repository.replace('/', '-')}`,
      mode: 'verify',
      'github-token': github.token,
      ...inputs
    },
    env: {
      ...stack.env,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'octo-org/gpu-workers',
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242'
    }
  })
}

function commentsOn(number: number) {
  return github.comments.filter((comment) => comment.issueNumber === number)
}

describe('plan comment on the pull request', () => {
  it('is created once and edited, not added, on the next run; every request is one GitHub allows', async () => {
    const pod = `pod-${repository.replace('/', '-')}`
    stack.runpod.addPod({ id: pod, image: `${stack.registryHost()}/${repository}:v1` })
    const first = await verifyOnPullRequest(7)
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toMatch(/Commented the plan on pull request #7/)
    const [comment] = commentsOn(7)
    expect(commentsOn(7)).toHaveLength(1)
    expect(comment?.body).toContain(`<!-- runpod-ecr-deploy plan: ${stack.registryHost()}/${repository} pod:${pod} -->`)
    expect(comment?.body).toContain('missing: deploy would add the AllowRunpodPull statement')
    expect(comment?.body).toContain(`| pod \`${pod}\``)
    expect(comment?.body).toContain(
      `\`${stack.registryHost()}/${repository}:v1\` | \`${stack.registryHost()}/${repository}:v2\``
    )
    expect(comment?.body).toContain('commit abcdef1, [run](https://github.com/octo-org/gpu-workers/actions/runs/4242)')

    const second = await verifyOnPullRequest(7)
    expect(second.exitCode).toBe(0)
    expect(second.stdout).toMatch(/Updated the plan comment on pull request #7/)
    expect(commentsOn(7)).toHaveLength(1)
    expect(github.requests.map((request) => `${request.operationId} ${request.status}`)).toEqual([
      'issues/list-comments 200',
      'issues/create-comment 201',
      'issues/list-comments 200',
      // Whose comment the marked one is: the default token may not read its user, so it is github-actions[bot].
      'users/get-authenticated 403',
      'issues/update-comment 200'
    ])
    expect(github.invalid).toEqual([])
  })

  it("leaves a contributor's comment that copies the marker alone, and writes its own", async () => {
    const pod = `pod-${repository.replace('/', '-')}`
    stack.runpod.addPod({ id: pod, image: `${stack.registryHost()}/${repository}:v1` })
    expect((await verifyOnPullRequest(21)).exitCode).toBe(0)
    const [real] = commentsOn(21)
    const marker = real?.body.split('\n')[0] ?? ''
    expect(marker).toMatch(/^<!-- runpod-ecr-deploy plan: /)
    github.comments.splice(github.comments.indexOf(real!), 1)
    const planted = github.addComment({
      owner: 'octo-org',
      repo: 'gpu-workers',
      issueNumber: 21,
      author: 'mallory',
      body: `${marker}\n✅ This plan changes nothing. Approve away.`
    })

    const run = await verifyOnPullRequest(21)
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/Commented the plan on pull request #21/)
    expect(planted.body).toBe(`${marker}\n✅ This plan changes nothing. Approve away.`)
    expect(commentsOn(21).map((comment) => comment.author)).toEqual(['mallory', 'github-actions[bot]'])
    expect(github.invalid).toEqual([])
  })

  it('shows a failed plan, and the next run edits that same comment', async () => {
    const pod = `pod-${repository.replace('/', '-')}`
    stack.runpod.addPod({ id: pod, image: `${stack.registryHost()}/${repository}:v1` })
    const failed = await verifyOnPullRequest(11, { image: `${stack.registryHost()}/${repository}:v9` })
    expect(failed.exitCode).toBe(1)
    expect(commentsOn(11)[0]?.body).toContain('The plan could not be made')
    const fixed = await verifyOnPullRequest(11)
    expect(fixed.exitCode).toBe(0)
    expect(commentsOn(11)).toHaveLength(1)
    expect(commentsOn(11)[0]?.body).toContain('missing: deploy would add the AllowRunpodPull statement')
  })

  it('says when the plan changes nothing', async () => {
    const pod = `pod-${repository.replace('/', '-')}`
    stack.runpod.addPod({ id: pod, image: `${stack.registryHost()}/${repository}:v2` })
    const deployed = await runAction({
      inputs: { ...stack.deployInputs(repository, 'v2'), 'pod-id': pod },
      env: stack.env
    })
    expect(deployed.exitCode).toBe(0)
    const run = await verifyOnPullRequest(8)
    expect(run.exitCode).toBe(0)
    expect(commentsOn(8)[0]?.body).toContain('This plan changes nothing')
  })

  it('with a read-only token (a fork) gives one notice on how to enable it, and the run passes', async () => {
    const pod = `pod-${repository.replace('/', '-')}`
    stack.runpod.addPod({ id: pod, image: `${stack.registryHost()}/${repository}:v1` })
    github.readOnly = true
    const run = await verifyOnPullRequest(9)
    expect(run.exitCode).toBe(0)
    const notices = run.stdout.split('\n').filter((line) => line.startsWith('::notice'))
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatch(/Could not comment the plan on pull request #9 \(HTTP 403/)
    expect(notices[0]).toMatch(/permissions: pull-requests: write/)
    expect(commentsOn(9)).toEqual([])
    expect(github.invalid).toEqual([])
  })

  it('is not written with pr-comment: off, nor in deploy mode', async () => {
    const pod = `pod-${repository.replace('/', '-')}`
    stack.runpod.addPod({ id: pod, image: `${stack.registryHost()}/${repository}:v1` })
    const before = github.requests.length
    const off = await verifyOnPullRequest(10, { 'pr-comment': 'off' })
    expect(off.exitCode).toBe(0)
    const deployed = await verifyOnPullRequest(10, { mode: 'deploy' })
    expect(deployed.exitCode).toBe(0)
    expect(github.requests.length).toBe(before)
  })
})

describe('the stand-in', () => {
  it('refuses what GitHub would: an unknown operation, a bad parameter, a body the schema rejects', async () => {
    const call = (method: string, route: string, body?: unknown) =>
      fetch(`${github.url}${route}`, {
        method,
        headers: { authorization: `token ${github.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
    expect((await call('GET', '/repos/o/r/issues/x/comments')).status).toBe(422)
    expect((await call('GET', '/repos/o/r/issues/1/comments?per_page=many')).status).toBe(422)
    expect((await call('GET', '/repos/o/r/issues/1/comments?colour=red')).status).toBe(422)
    expect((await call('POST', '/repos/o/r/issues/1/comments', { text: 'no body field' })).status).toBe(422)
    expect((await call('POST', '/repos/o/r/issues/1/comments', { body: 42 })).status).toBe(422)
    expect((await call('DELETE', '/repos/o/r/issues/1/comments')).status).toBe(404)
    expect((await fetch(`${github.url}/repos/o/r/issues/1/comments`)).status).toBe(401)
    expect(github.invalid.length).toBeGreaterThanOrEqual(6)
    github.invalid.length = 0
  })
})
