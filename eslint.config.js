import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import importX from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

// Imports point one way: errors.ts, then policy/ and aws/ at the bottom, runpod/ above them, the modes
// (deploy/, lint/) above those, github/ (what a run reports) above the modes, and main.ts wiring them.
// Each zone names what a folder may import from src/; everything else in src/ is refused.
const layer = (folder, allowed, why) => ({
  target: `./src/${folder}`,
  from: './src',
  except: [`./${folder}`, ...allowed],
  message: why
})
const LAYERS = [
  layer('errors.ts', [], 'errors.ts is the bottom of src/ and imports nothing from it.'),
  layer('secrets.ts', [], 'secrets.ts is at the bottom beside errors.ts and imports nothing from src/.'),
  layer('runner-proxy.ts', ['./errors.ts'], 'runner-proxy.ts is at the bottom beside errors.ts: it may use only that.'),
  layer(
    'policy',
    ['./errors.ts', './aws/arn.ts'],
    'policy/ is pure analysis: it may use only errors.ts and aws/arn.ts.'
  ),
  layer('image', ['./errors.ts'], "image/ is pure judgement of an image's facts: it may use only errors.ts."),
  layer(
    'aws',
    ['./errors.ts', './secrets.ts', './runner-proxy.ts', './image'],
    'aws/ is at the bottom beside policy/ and image/: it may use errors.ts, secrets.ts, runner-proxy.ts and the image parsers.'
  ),
  layer(
    'runpod',
    ['./errors.ts', './aws', './policy', './image'],
    'runpod/ sits above aws/, policy/ and image/, below the modes.'
  ),
  layer(
    'inputs.ts',
    ['./errors.ts', './aws', './policy', './image', './runpod/api-url.ts', './runpod/env.ts'],
    'inputs.ts checks inputs; it must not load a mode.'
  ),
  layer(
    'deploy',
    ['./errors.ts', './inputs.ts', './aws', './policy', './image', './runpod'],
    'deploy/ is a mode: it reports through a Logger and its report, never through github/ or another mode.'
  ),
  layer(
    'lint',
    ['./errors.ts', './secrets.ts', './inputs.ts', './policy'],
    'lint/ is a mode: it returns a report; github/ publishes it.'
  ),
  { target: './src/github', from: './src/main.ts', message: 'github/ publishes reports; only main.ts wires it.' }
]

const IO_PACKAGES = [
  { group: ['@actions/*'], message: 'Pure code: take what it needs as arguments (a Logger, a report).' },
  { group: ['undici', 'undici/*'], message: 'Pure code: HTTP belongs in runpod/http.ts.' },
  { group: ['@aws-sdk/*'], message: 'Pure code: AWS calls belong in aws/.' }
]

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.venv/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // no-cycle reads every imported module: with which parser.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts']
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones: LAYERS }]
    }
  },
  {
    // The modes and the Runpod adapter log through a Logger passed in, so they run without the toolkit.
    files: ['src/runpod/**/*.ts', 'src/deploy/**/*.ts', 'src/lint/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@actions/core', message: 'Log through the Logger passed in; github/ publishes the report.' }]
        }
      ]
    }
  },
  {
    // Decisions are pure functions: no toolkit, no HTTP, no AWS SDK, not even their types.
    files: ['src/policy/**/*.ts', 'src/image/**/*.ts', 'src/deploy/plan.ts', 'src/deploy/rollout.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: IO_PACKAGES }] }
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  prettier
)
