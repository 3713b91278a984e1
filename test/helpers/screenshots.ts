import { mkdirSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';

/** Take a screenshot (it must be a real image); with UPDATE_SCREENSHOTS=1 write it to docs/screenshots/{name}.png for the README. */
export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  const png = await target.screenshot();
  expect(png.length).toBeGreaterThan(1000);
  if (process.env.UPDATE_SCREENSHOTS) {
    mkdirSync('docs/screenshots', { recursive: true });
    writeFileSync(`docs/screenshots/${name}.png`, png);
  }
}
