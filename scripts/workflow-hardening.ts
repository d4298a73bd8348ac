// What OpenSSF Scorecard asks of a project's own workflows, checked by `npm run lint`: every third-party
// action pinned to a full commit SHA with its version in a comment (a tag can be moved to other code), every
// job with least-privilege `permissions:` of its own (so none inherits what another job needs), and
// `persist-credentials: false` on
// every checkout (so later steps, npm install scripts among them, cannot read the token from .git/config).
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml'

/** The problems of one workflow file, each a sentence that names the job or step and what to change. */
export function hardeningProblems(file: string, text: string): string[] {
  const lines = text.split('\n')
  const doc = parseDocument(text)
  const root = doc.contents
  if (!isMap(root)) return [`${file}: not a workflow (no mapping at the top).`]
  const problems: string[] = []
  const jobs = root.get('jobs', true)
  if (!isMap(jobs)) return [`${file}: has no jobs.`]
  for (const pair of jobs.items as Pair<Node, Node>[]) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '?'
    const job = pair.value
    if (!isMap(job)) continue
    if (!job.has('permissions')) {
      problems.push(
        `${file}: job '${name}' has no 'permissions:' of its own, so it gets the workflow's or the repository's default token permissions. Add 'permissions:' to the job with only what it needs (for example 'contents: read').`
      )
    }
    const steps = job.get('steps', true)
    if (!isSeq(steps)) continue
    steps.items.forEach((step, index) => {
      if (!isMap(step)) return
      const uses = step.get('uses')
      if (typeof uses !== 'string' || uses.startsWith('./') || uses.startsWith('docker://')) return
      const where = `${file}: job '${name}', step ${index + 1} (${uses})`
      const [, ref = ''] = uses.split('@')
      if (!/^[0-9a-f]{40}$/.test(ref)) {
        problems.push(
          `${where} is not pinned to a full commit SHA: a tag can be moved to other code. Write 'uses: ${uses.split('@')[0] ?? uses}@<40-hex SHA> # ${ref || 'vX.Y.Z'}'.`
        )
      } else if (!versionComment(lines, step)) {
        problems.push(
          `${where} is pinned without its version: add '# vX.Y.Z' after the SHA, for readers and Dependabot.`
        )
      }
      if (/^actions\/checkout@/.test(uses) && !checkoutDropsCredentials(step)) {
        problems.push(
          `${where} keeps the token in .git/config for every later step. Add 'with: persist-credentials: false' (a step that pushes sets its own credentials).`
        )
      }
    })
  }
  return problems
}

/** The comment after `uses: owner/repo@SHA` on its own line, as `# v7.0.1`. */
function versionComment(lines: readonly string[], step: YAMLMap): boolean {
  const uses = step.items.find((pair) => isScalar(pair.key) && pair.key.value === 'uses')
  const range = isScalar(uses?.value) ? uses.value.range : undefined
  if (!range) return false
  const offset = range[0]
  let position = 0
  for (const line of lines) {
    if (offset < position + line.length + 1) return /@[0-9a-f]{40}\s+#\s*v\d/.test(line)
    position += line.length + 1
  }
  return false
}

function checkoutDropsCredentials(step: YAMLMap): boolean {
  const options = step.get('with', true)
  return isMap(options) && String(options.get('persist-credentials')) === 'false'
}
