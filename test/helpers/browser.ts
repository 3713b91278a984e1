import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium package: the only browser the tests use (none is ever downloaded). */
const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why the browser tests cannot run here, or undefined when they can. Without chromium they skip with a printed
 * reason; under CI (CI set) a missing chromium is an error instead, so a CI run never passes without them.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium) to run the browser tests`;
  if (process.env.CI) throw new Error(`${reason}. CI is set, so the browser tests fail instead of skipping (.ci/run installs it).`);
  console.warn(`SKIPPING the web inbox browser tests: ${reason}`);
  return reason;
}

/**
 * A headless chromium with a fresh temporary profile (playwright passes it as --user-data-dir); `close()` ends it and
 * removes the profile. `extraArgs` adds switches, e.g. --host-resolver-rules to make a name resolve to 127.0.0.1.
 */
export async function launchBrowser(
  viewport = { width: 1280, height: 800 },
  extraArgs: readonly string[] = [],
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'bw-inbox-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...ARGS, ...extraArgs], viewport });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
