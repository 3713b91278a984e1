import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The full hostile-load suite runs on its own (`npm run test:hostile`, vitest.hostile.config.ts); its reduced
    // sizes are in test/e2e/hostile-load-reduced.test.ts. The Docker image test needs an engine and minutes
    // (`npm run test:docker`, vitest.docker.config.ts). The packed package (`npm run test:package`,
    // vitest.package.config.ts) too; the runner fixtures' own tests run only inside their projects.
    exclude: [...configDefaults.exclude, 'test/hostile/**', 'test/docker/**', 'test/package/**', 'test/fixtures/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
