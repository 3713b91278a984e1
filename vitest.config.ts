import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The full hostile-load suite runs on its own (`npm run test:hostile`, vitest.hostile.config.ts); its reduced
    // sizes are in test/e2e/hostile-load-reduced.test.ts.
    exclude: [...configDefaults.exclude, 'test/hostile/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
