import { defineConfig } from 'vitest/config';

// `npm run test:docker`: the Docker image built and run by a real engine (test/docker), the release check. A cold
// build compiles the SQLite binding and runs the TypeScript build, so its limits are minutes, not seconds.
export default defineConfig({
  test: {
    include: ['test/docker/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
