/** @type {import('jest').Config} */
export default {
  // Jest's node environment, each test file with a temp folder of its own, removed when it ends.
  testEnvironment: '<rootDir>/__tests__/support/temp-environment.mjs',
  // Jest's cache (the compiled test files) with the other tools' caches, not in the system's temp
  // folder, which the tests leave as they found it.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1'
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testTimeout: 30000,
  // Three test files at a time, whatever the cores. The end-to-end tests spend most of their time
  // waiting on the action's child process, the emulator and timeouts, so on the 2 cores this
  // project's machines have, jest's default (cores - 1 = 1 worker) left them idle: measured,
  // `jest` took 93 s with 1 worker, 64 s with 2, 37 s with 3 and 35 s with 4.
  maxWorkers: 3
}
