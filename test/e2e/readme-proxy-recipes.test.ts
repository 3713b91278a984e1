// The README's Node recipes of "Recipes per SDK", run as written: each js block is saved as a module in the package
// (so 'bandwidth-sdk' and '@bandwidth/messaging' resolve) and run by node with only what the recipe says to set,
// HTTPS_PROXY at the emulator and NODE_EXTRA_CA_CERTS at its CA, every other proxy variable removed. The emulator is
// the embedded default account the recipes name, its application calling back to a receiver; the test waits on the
// journal for the callback of the message id the recipe printed. axios (1.16.1 and later) reaches https:// through
// a proxy by CONNECT, so these go through the tunnel and its TLS.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CA_CERT_FILE } from '../../src/proxy/certificate-authority.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Inside the package, so the recipes' bare imports resolve to this package's node_modules.
const WORK = join(ROOT, `.readme-proxy-recipes-${process.pid}`);
const { start, newSink } = useEmulators();
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const RECIPES = README.slice(README.indexOf('\n### Recipes per SDK\n'), README.indexOf('\n### The HTTPS listener\n'));
const [SDK_RECIPE, LEGACY_RECIPE] = [...RECIPES.matchAll(/```js\n([\s\S]*?)\n```/g)].map((m) => `${m[1]!}\n`);

/** The emulator with the embedded default account, its application calling back to a new receiver; the CA made. */
async function emulator(): Promise<{ running: RunningEmulator; caPath: string }> {
  const caDir = join(mkdtempSync(join(tmpdir(), 'bwe-readme-proxy-')), 'ca');
  const sink = await newSink();
  const running = await start({ caDir, callbackUrl: sink.url });
  // Before node starts: NODE_EXTRA_CA_CERTS is read once, at start-up.
  await running.proxy.caCertificate();
  return { running, caPath: join(caDir, CA_CERT_FILE) };
}

/** Run one README block as a module with the recipe's two variables and no other proxy setting; what it printed. */
async function runRecipe(code: string, name: string, running: RunningEmulator, caPath: string): Promise<string> {
  mkdirSync(WORK, { recursive: true });
  const file = join(WORK, name);
  writeFileSync(file, code);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/proxy/i.test(key)));
  const { stdout } = await run(process.execPath, [file], { env: { ...env, HTTPS_PROXY: running.proxyUrl, NODE_EXTRA_CA_CERTS: caPath }, timeout: 20_000 });
  return stdout.trim();
}

describe('README "Recipes per SDK", the Node recipes as written', () => {
  it('the blocks are there', () => {
    expect(SDK_RECIPE).toContain("from 'bandwidth-sdk'");
    expect(LEGACY_RECIPE).toContain("from '@bandwidth/messaging'");
  });

  it('bandwidth-sdk with client credentials and no basePath: the emulator issues the token, stores the message, calls back', async () => {
    const { running, caPath } = await emulator();
    const id = await runRecipe(SDK_RECIPE!, 'send.mjs', running, caPath);
    const message = await running.messages.get(id);
    expect(message?.text).toBe('hello through the proxy');
    const delivered = await running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, { timeoutMs: 10_000 });
    expect(delivered.outcome).toBe('delivered');
  });

  it('@bandwidth/messaging with its default environment: the message is stored and calls back', async () => {
    const { running, caPath } = await emulator();
    const id = await runRecipe(LEGACY_RECIPE!, 'send-legacy.mjs', running, caPath);
    expect((await running.messages.get(id))?.text).toBe('hello from the legacy SDK');
    const delivered = await running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, { timeoutMs: 10_000 });
    expect(delivered.outcome).toBe('delivered');
  });
});
