// ESM jest: @actions/core 3 is ESM-only, so tests load real ES modules (node --experimental-vm-modules).
// Projects: `unit` opens no socket and starts no process (seconds); `oracle` checks the policy verdicts
// against a second IAM engine; `integration` runs real HTTP, moto and the bundled dist/.
const shared = {
  testEnvironment: '<rootDir>/test-support/quiet-environment.cjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }]
  }
}

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.oracle\\.test\\.ts$']
    },
    // A second IAM engine judges thousands of generated policies: in-process like a unit test, but slower.
    { ...shared, displayName: 'oracle', testMatch: ['<rootDir>/__tests__/**/*.oracle.test.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/__tests__/**/*.test.itg.ts'] }
  ],
  reporters: ['default', '<rootDir>/test-support/summary-reporter.cjs'],
  testTimeout: 60000
}
