import { defineConfig } from 'vitest/config';

// `npm run test:hostile`: the hostile-load suite at full size (test/hostile), one test at a time, so each load has
// the machine to itself. Each test bounds its own time (test/hostile/suite.ts).
export default defineConfig({
  test: {
    include: ['test/hostile/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 200_000,
    hookTimeout: 20_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
