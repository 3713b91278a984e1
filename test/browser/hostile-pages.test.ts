// The web inbox and the control API against hostile values and hostile pages, in a real headless Chromium: stored
// values that are HTML, malformed percent-escapes, `javascript:` URLs and long unbroken strings render as text without
// breaking the page; a page on another site cannot reset or flush the emulator (the browser's own CSRF requests are
// refused), and a page that rebinds its name to 127.0.0.1 reads nothing. Waits are on selectors and responses.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { useCallbackHarness } from '../helpers/harness.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();

const ACCOUNT = '9904101';
const APP = '1b0c5000-0000-4000-8000-000000000101';
const OURS = '+19195550510';
const HANDSET = '+19195557101';
// Magic number: delivered after an hour, so it stays in flight for the whole test.
const SLOW = '+15553003600';
const BASIC = `Basic ${Buffer.from('hostile-user:hostile-pass').toString('base64')}`;

const harness = useCallbackHarness();

async function emulator(): Promise<RunningEmulator> {
  const running = await startEmulator({
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: 'hostile-user', password: 'hostile-pass' }],
        applications: [{ id: APP }],
        numbers: [{ number: OURS, applicationId: APP }],
      },
    ],
  });
  harness.emulators.push(running);
  return running;
}

/** A fresh browser for the test, closed after it; the test fails on any error the page throws. */
async function browserPage(t: { onTestFinished(fn: () => Promise<void>): void }, extraArgs: string[] = []): Promise<Page> {
  const browser = await launchBrowser(undefined, extraArgs);
  t.onTestFinished(() => browser.close());
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(8000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  t.onTestFinished(async () => expect(pageErrors).toEqual([]));
  return page;
}

async function createMessage(running: RunningEmulator, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${running.url}/users/${ACCOUNT}/messages`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/json' },
    body: JSON.stringify({ applicationId: APP, from: OURS, to: [HANDSET], ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/** A plain HTTP server on 127.0.0.1 serving one HTML page: another site, when opened as localhost. */
async function attackerSite(html: string): Promise<{ port: number; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

describe.skipIf(skip)('hostile values and hostile pages in headless Chromium', () => {
  it('stored HTML, malformed %-escapes, javascript: URLs and long unbroken strings render as text; the page keeps working', async (t) => {
    const running = await emulator();
    // Through Bandwidth's API: %E0%A4 is a valid URI escape but a cut UTF-8 sequence (decodeURIComponent throws).
    const html = await createMessage(running, {
      text: '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>',
      tag: 'T'.repeat(1024),
      media: ['https://cdn.example/media/%E0%A4.jpg', `https://cdn.example/${'u'.repeat(4000)}`],
    });
    const long = await createMessage(running, { text: 'W'.repeat(2048) });
    // Through the control API, media strings are passed through as they are: a stray %, a javascript: URL, junk.
    await running.inbound({
      from: HANDSET,
      to: [OURS],
      text: '<svg onload="window.__pwned=3"></svg>',
      media: ['https://cdn.example/100%', 'javascript:window.__pwned=4', '%%%'],
    });

    const page = await browserPage(t);
    await page.goto(`${running.url}/`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await page.locator('.conversation').first().click();
    const card = page.locator(`[data-message-id="${html}"]`);
    await card.getByText('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>', { exact: true }).waitFor();
    await card.getByRole('link', { name: '%E0%A4.jpg' }).waitFor();
    await page.getByText('<svg onload="window.__pwned=3"></svg>', { exact: true }).waitFor();
    await page.getByRole('link', { name: '100%' }).waitFor();
    await page.getByText('javascript:window.__pwned=4', { exact: true }).waitFor();
    await page.locator(`[data-message-id="${long}"]`).getByText('W'.repeat(2048)).waitFor();

    // Nothing stored became markup or script, no value became a javascript: link, and no card gave up.
    // (The page's own icons are inline SVG with class "icon"; a stored <svg> would have none.)
    expect(await page.locator('.thread img, .thread script, .thread svg:not(.icon)').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('.message.broken').count()).toBe(0);
    // Long words wrap inside their bubble: the page never scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    // The page still works: a timeline opens.
    await card.getByRole('button', { name: 'Timeline' }).click();
    await card.getByText('Accepted (202)').waitFor();
  });

  it("another site's page cannot reset or flush the emulator; the inbox's own Reset still works", async (t) => {
    const running = await emulator();
    const inFlight = await createMessage(running, { to: [SLOW], text: 'in flight for an hour' });
    await running.scenarios.use({ version: 1, name: 'kept', rules: [{ name: 'r', match: { to: '+15550000001' }, events: [{ type: 'message-delivered' }] }] });
    const control = `${running.url}/__emulator`;
    // What a malicious page can send without a preflight: a no-cors fetch with a text body, one with none, a beacon, a form.
    const attack = await attackerSite(`<!doctype html><body><iframe name="sink"></iframe><script>
      fetch(${JSON.stringify(`${control}/reset`)}, { method: 'POST', mode: 'no-cors', body: 'x' });
      fetch(${JSON.stringify(`${control}/time/flush`)}, { method: 'POST', mode: 'no-cors' });
      navigator.sendBeacon(${JSON.stringify(`${control}/scenarios`)}, new Blob([JSON.stringify({ version: 1, name: 'evil' })], { type: 'text/plain' }));
      const form = document.createElement('form');
      form.method = 'POST'; form.action = ${JSON.stringify(`${control}/messages/${inFlight}/carrier`)}; form.target = 'sink';
      form.innerHTML = '<input name="action" value="fail">';
      document.body.append(form); form.submit();
    </script></body>`);
    t.onTestFinished(() => new Promise<void>((resolve) => attack.server.close(() => resolve())));

    const page = await browserPage(t);
    const answers: Array<{ url: string; status: number }> = [];
    page.on('response', (res) => {
      if (res.url().startsWith(control)) answers.push({ url: res.url().slice(control.length), status: res.status() });
    });
    // localhost and 127.0.0.1 are different sites: the browser marks these requests cross-site.
    await page.goto(`http://localhost:${attack.port}/`);
    await expect.poll(() => answers.length, { timeout: 8000 }).toBe(4);
    expect(answers.sort((a, b) => a.url.localeCompare(b.url))).toEqual([
      { url: `/messages/${inFlight}/carrier`, status: 403 },
      { url: '/reset', status: 403 },
      { url: '/scenarios', status: 403 },
      { url: '/time/flush', status: 403 },
    ]);
    expect((await running.messages.get(inFlight))!.recipients[0]!.status).not.toBe('FAILED');
    expect((await running.scenarios.list()).scenarios.map((s) => s.name)).toEqual(['kept']);
    expect(running.emulator.stats().pendingSteps).toBeGreaterThan(0);

    // The inbox (same origin) resets with a bodyless POST: the browser's own headers pass.
    await page.goto(`${running.url}/`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await page.getByRole('button', { name: `Reset account ${ACCOUNT}` }).click();
    // The reset asks first (confirm.tsx).
    await page
      .getByRole('dialog')
      .getByRole('button', { name: `Reset account ${ACCOUNT}` })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: `Account ${ACCOUNT} reset` })
      .waitFor();
    expect(await running.messages.list()).toEqual([]);
  });

  it('a page that rebinds its own name to 127.0.0.1 (DNS rebinding) gets 421 and reads nothing', async (t) => {
    const running = await emulator();
    const id = await createMessage(running, { text: 'a secret message' });
    const port = new URL(running.url).port;
    // Chromium resolves rebind.test to 127.0.0.1, as an attacker's DNS would after the page loaded.
    const page = await browserPage(t, ['--host-resolver-rules=MAP rebind.test 127.0.0.1']);
    for (const path of ['/__emulator/state', '/__emulator/messages', '/']) {
      const res = await page.goto(`http://rebind.test:${port}${path}`);
      expect(res?.status(), path).toBe(421);
      const text = await res!.text();
      expect(text, path).toContain('host-not-allowed');
      expect(text, path).not.toContain(id);
      expect(text, path).not.toContain('a secret message');
    }
    // The same emulator by a loopback name serves the inbox.
    await page.goto(`http://localhost:${port}/`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await page.getByRole('button', { name: /a secret message/ }).waitFor();
  });
});
