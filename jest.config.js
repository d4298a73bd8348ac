// ESM jest: @actions/core 3 is ESM-only, so tests load real ES modules (node --experimental-vm-modules).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  reporters: ['default', '<rootDir>/test-support/summary-reporter.cjs'],
  testTimeout: 60000
}
