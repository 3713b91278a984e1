// The Webhooks view in a real headless Chromium: a failing webhook shows as failing (red, "Failing only"), a row
// expands to its request and response (headers and bodies), and Resend from the page reaches the receiver with the
// identical body while its new journal entry (replayOf) appears. Waits are on page selectors, the sink and the journal.
import { describe, expect, it } from 'vitest';
import { screenshot } from '../helpers/screenshots.js';
import type { RunningEmulator } from '../../src/start.js';
import type { CallbackSink } from '../helpers/sink.js';
import { useEmulators } from '../helpers/fixture.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import type { Page } from 'playwright-core';

const skip = browserSkipReason();

const ACCOUNT = '9904301';
const APP = '1b0c5300-0000-4000-8000-000000000001';
const OURS = '+19195550530';
const HANDSET = '+19195557301';
const WAIT = { timeoutMs: 10_000 };

const emulators = useEmulators();

async function open(t: { onTestFinished(fn: () => Promise<void>): void }): Promise<{ running: RunningEmulator; sink: CallbackSink; page: Page }> {
  // Bodies mentioning "break me" are refused with a 500 (and a header to see in the page) until told otherwise.
  const sink = await emulators.newSink((req, res) => {
    if (JSON.stringify(req.body).includes('break me')) res.writeHead(500, { 'x-sink-said': 'no thanks' }).end('receiver exploded');
  });
  const running = await emulators.start({
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: 'u', password: 'p' }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [{ number: OURS, applicationId: APP }],
      },
    ],
    callbacks: { retryDelays: ['20ms'], timeout: '2s' },
  });
  const browser = await launchBrowser();
  t.onTestFinished(() => browser.close());
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(8000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  t.onTestFinished(async () => expect(pageErrors).toEqual([]));
  return { running, sink, page };
}

describe.skipIf(skip)('the Webhooks view in headless Chromium', () => {
  it('shows a failing webhook as failing, filters, expands to headers and bodies, and resends from the page', async (t) => {
    const { running, sink, page } = await open(t);
    await running.inbound({ from: HANDSET, to: [OURS], text: 'all good' });
    await running.inbound({ from: HANDSET, to: [OURS], text: 'break me' });
    const exhausted = await running.callbacks.waitFor({ outcome: 'exhausted' }, WAIT);
    await running.callbacks.waitFor({ outcome: 'delivered' }, WAIT);

    await page.goto(running.url);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await page.locator('.views').getByRole('button', { name: 'Webhooks' }).click();
    const list = page.getByRole('list', { name: 'Callback attempts' });
    await list.locator('li[data-outcome="delivered"]').waitFor();
    // The first page came in one answer: the failing rows are there with the delivered one.
    expect(await list.locator('li.failing').count()).toBe(2);
    expect(await list.locator(`li[data-seq="${exhausted.seq}"] .outcome`).evaluate((el) => getComputedStyle(el).color)).not.toBe('rgb(0, 0, 0)');

    // Live: a new attempt appears without reload.
    await running.inbound({ from: HANDSET, to: [OURS], text: 'live one' });
    await list.locator('li[data-outcome="delivered"]').nth(1).waitFor();

    await page.getByLabel('Failing only').check();
    await list.locator('li:not(.failing)').first().waitFor({ state: 'detached' });
    expect(await list.locator('li').count()).toBe(2);

    const row = list.locator(`li[data-seq="${exhausted.seq}"]`);
    await row.getByRole('button', { name: `#${exhausted.seq}` }).click();
    const details = row.locator('.webhook-details');
    await details.locator('.response-body').filter({ hasText: 'receiver exploded' }).waitFor();
    expect(await details.locator('.response-headers').textContent()).toContain('x-sink-said: no thanks');
    expect(await details.locator('.request-headers').textContent()).toContain('content-type: application/json');
    expect(await details.locator('.request-body').textContent()).toContain('break me');

    // The receiver is fixed; Resend from the page delivers the same body, and the new entry shows up.
    sink.respond(() => undefined);
    await page.getByLabel('Failing only').uncheck();
    await row.getByRole('button', { name: 'Resend' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Resent #${exhausted.seq}` })
      .waitFor();
    const replay = await running.callbacks.waitFor({ replayOf: exhausted.seq }, WAIT);
    expect(replay.outcome).toBe('delivered');
    const got = await sink.waitFor((r) => r.length === 5);
    expect(got[4]!.body).toEqual(exhausted.request.body);
    await list
      .locator(`li[data-seq="${replay.seq}"]`)
      .filter({ hasText: `resend of #${exhausted.seq}` })
      .waitFor();
    await screenshot(page, 'webhooks');
  });

  it('pages back with Load more: the newest 100 first, then the rest, and the button goes when none is left', async (t) => {
    const { running, page } = await open(t);
    for (let i = 0; i < 105; i++) await running.inbound({ from: HANDSET, to: [OURS], text: `n${i}` });
    await running.callbacks.waitFor({ outcome: 'delivered', afterSeq: 104 }, WAIT);
    await page.goto(running.url);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await page.locator('.views').getByRole('button', { name: 'Webhooks' }).click();
    const list = page.getByRole('list', { name: 'Callback attempts' });
    await list.locator('li[data-seq="105"]').waitFor();
    expect(await list.locator('li').count()).toBe(100);
    expect(await list.locator('li').last().getAttribute('data-seq')).toBe('6');
    await page.getByRole('button', { name: 'Load more' }).click();
    await list.locator('li[data-seq="1"]').waitFor();
    expect(await list.locator('li').count()).toBe(105);
    await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });
    await page.getByText('105 of 105 shown').waitFor();
  });
});
