// Preloaded (NODE_OPTIONS=--import) into a run of dist/index.js: at exit, writes to LOAD_RECORD_FILE the
// built-in modules loaded after this point, every module file the run imported, and whether its stdout was
// left non-blocking (Linux: the O_NONBLOCK flag in /proc/self/fdinfo/1). It has no static imports, so what
// the recorder itself needs loads after the list is taken and shows in it (node:module and its hooks).
const atStart = new Set(process.moduleLoadList)
const files = []
process.getBuiltinModule('node:module').registerHooks({
  load(url, context, nextLoad) {
    files.push(url)
    return nextLoad(url, context)
  }
})
process.on('exit', () => {
  const fs = process.getBuiltinModule('node:fs')
  const builtins = process.moduleLoadList.filter((name) => !atStart.has(name))
  const flags = /flags:\s*(\d+)/.exec(fs.readFileSync('/proc/self/fdinfo/1', 'utf8'))?.[1]
  const stdoutNonBlocking = flags === undefined ? undefined : (parseInt(flags, 8) & 0o4000) !== 0
  fs.writeFileSync(process.env.LOAD_RECORD_FILE, JSON.stringify({ builtins, files, stdoutNonBlocking }))
})
