// `npm run bundle`: ncc builds dist/ from src/index.ts (arguments after `--` go to ncc, e.g. --stats-out),
// then the chunks each mode loads on demand are minified, which ncc does only for the entry chunk.
// Terser's output depends only on its input and options, so dist/ stays reproducible for check-dist.
import { spawnSync } from 'node:child_process'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { minify } from 'terser'

const DIST = path.resolve('dist')

await rm(DIST, { recursive: true, force: true })
const ncc = path.resolve('node_modules/.bin/ncc')
const built = spawnSync(
  ncc,
  [
    'build',
    'src/index.ts',
    '--out',
    DIST,
    '--minify',
    '--license',
    'licenses.txt',
    '--quiet',
    ...process.argv.slice(2)
  ],
  { stdio: 'inherit' }
)
if (built.status !== 0) process.exit(built.status ?? 1)

for (const name of (await readdir(DIST)).filter((file) => /^\d+\.index\.js$/.test(file))) {
  const file = path.join(DIST, name)
  const result = await minify(await readFile(file, 'utf8'), {
    module: true,
    compress: { passes: 1 },
    mangle: true,
    // Keep the license comments ncc leaves in place; licenses.txt holds them all too.
    format: { comments: /@license|@preserve|^!/ }
  })
  if (result.code === undefined) throw new Error(`terser returned nothing for ${name}`)
  await writeFile(file, result.code)
}
