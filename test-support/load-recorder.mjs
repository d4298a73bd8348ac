// Preloaded (NODE_OPTIONS=--import) into a run of dist/index.js: at exit, writes to LOAD_RECORD_FILE the
// built-in modules loaded after this point, and every module file the run imported. No static imports, so
// the recorder's own needs are loaded after the list is taken and show among them (node:module, its hooks).
const atStart = new Set(process.moduleLoadList)
const files = []
process.getBuiltinModule('node:module').registerHooks({
  load(url, context, nextLoad) {
    files.push(url)
    return nextLoad(url, context)
  }
})
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((name) => !atStart.has(name))
  process.getBuiltinModule('node:fs').writeFileSync(process.env.LOAD_RECORD_FILE, JSON.stringify({ builtins, files }))
})
