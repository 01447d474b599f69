// Jest in native-ESM mode (NestJS 12 ships ES modules only); @swc/jest keeps decorator
// metadata, without which Nest's DI by type silently injects undefined.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'es6' },
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@app/contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^@app/elp$': '<rootDir>/libs/elp/src/index.ts',
    '^@app/platform$': '<rootDir>/libs/platform/src/index.ts',
    '^@app/platform/queues$': '<rootDir>/libs/platform/src/queues/generation-queue.ts',
    '^@app/guardrails$': '<rootDir>/libs/guardrails/src/index.ts',
    '^@app/stream-store$': '<rootDir>/libs/stream-store/src/index.ts',
    '^@app/knowledge$': '<rootDir>/libs/knowledge/src/index.ts',
    '^@app/pacing$': '<rootDir>/libs/pacing/src/index.ts',
    '^@app/turn-events$': '<rootDir>/libs/turn-events/src/index.ts',
    '^@app/reply-cache$': '<rootDir>/libs/reply-cache/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

/** Specs without processes that check what `npm run build` produced. */
const needsBuild = ['<rootDir>/test/deploy/compose-file.spec.ts'];

export default {
  projects: [
    // Fast specs beside the code: pure logic, no processes, nothing built.
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/*/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...needsBuild],
    },
    // Real Redis / database / child processes, and the specs that read dist/ (`npm test` builds
    // first): one file at a time so timings stay honest.
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', ...needsBuild] },
  ],
};
