import { defineConfig } from 'vitest/config';

// `npm run test:package`: the packed tarball installed into an empty folder and into each runner fixture
// (test/package/consumers.test.ts). Slow (npm installs from the registry), so not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 360_000,
    hookTimeout: 180_000,
    // The fixtures install and run side by side: npm waits on the network, a runner on the CPU.
    maxConcurrency: 5,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
