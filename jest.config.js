/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  // A worker whose JS heap holds more than this after a test file is replaced by a fresh one. In
  // one process (jest's choice on a 2-core machine), every file's leftovers stayed reachable: the
  // heap grew by about 30 MB a file (--logHeapUsage) to over 3 GB, and garbage collection took about
  // a third of the CPU (perf). A limit also makes jest use a worker process where it would run in band.
  workerIdleMemoryLimit: '200MB',
};
