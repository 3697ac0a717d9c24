import type { Config } from 'jest';

// Tests import workspace packages by name; map them to their sources so a test run
// sees one copy of each module (error classes keep their identity) without a build.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/bench', '<rootDir>/docs', '<rootDir>/scripts'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: {
    '^@custodian/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    // A subpath entry point (`@custodian/core/store-kit`, `@custodian/sqlite/testing`) is
    // src/<subpath>.ts or src/<subpath>/index.ts, as the package's exports map says for dist.
    '^@custodian/([a-z-]+)/([a-z-]+)$': '<rootDir>/packages/$1/src/$2',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testTimeout: 60_000,
};

export default config;
