// The action runs on node24 (action.yml): tests on another Node would prove nothing about it, so they stop here.
const major = Number(process.versions.node.split('.')[0])
if (major !== 24) {
  console.error(
    `The tests need Node 24, which the action runs on (action.yml: node24), but this is Node ${process.version} (${process.execPath}).\n` +
      "Run 'npm ci' and then the tests through npm ('npm test'): npm puts the 'node' dev dependency, Node 24, first on PATH. " +
      "If it is missing, npm skipped its install script: package.json's allowScripts must approve 'node'."
  )
  process.exit(1)
}
