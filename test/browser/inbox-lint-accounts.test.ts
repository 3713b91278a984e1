// The message lint line and the Accounts view in a real headless Chromium: a UCS-2 message shows its encoding, its
// segments and the character that forced it; the Accounts view lists the numbers with their type and registration,
// a toll-free opt-out live after a handset's STOP (removed after a confirmation), and the production queue. Waits are
// on page selectors and the emulator's own state, never on a timer.
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot } from '../helpers/screenshots.js';
import type { ConfigFile } from '../../src/config/schema.js';
import type { RunningEmulator } from '../../src/start.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { useEmulators } from '../helpers/fixture.js';

const skip = browserSkipReason();

const ACCOUNT = '9904301';
const USER = 'lint-user';
const PASS = 'lint-password';
const APP = '1b0c5000-0000-4000-8000-000000000301';
const LOCAL = '+19195550530';
const TOLL_FREE = '+18335550530';
const HANDSET = '+19195557031';

const emulators = useEmulators();

async function open(t: { onTestFinished(fn: () => Promise<void>): void }, overrides: ConfigFile = {}) {
  const sink = await emulators.newSink();
  const running: RunningEmulator = await emulators.start({
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: USER, password: PASS }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [{ number: LOCAL, applicationId: APP }, TOLL_FREE],
        traffic: { optOut: true },
      },
    ],
    callbacks: { deliveryDelay: '20ms', sendingDelay: '10ms', retryDelays: ['20ms'], timeout: '2s' },
    ...overrides,
  });
  const browser = await launchBrowser();
  t.onTestFinished(() => browser.close());
  const page: Page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(8000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  t.onTestFinished(async () => expect(pageErrors).toEqual([]));
  const api = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
  const send = async (text: string) => {
    const res = await api.createMessage(ACCOUNT, { applicationId: APP, to: [HANDSET] as unknown as Set<string>, from: LOCAL, text } as MessageRequest);
    expect(res.status).toBe(202);
    return res.data.id!;
  };
  await page.goto(`${running.url}/`);
  await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  return { running, page, send };
}

describe.skipIf(skip)('message lint and the Accounts view in headless Chromium', () => {
  it('a UCS-2 message shows its encoding, segment count and the character that forced it, with a hint', async (t) => {
    const f = await open(t);
    const text = `We’re open ’til 9 tonight ${'x'.repeat(150)}`;
    const id = await f.send(text);
    await f.page.getByRole('button', { name: /We’re open/ }).click();
    const card = f.page.locator(`[data-message-id="${id}"]`);
    const summary = card.locator('.lint summary');
    await summary.getByText(`UCS-2 · 3 segments (${text.length}/201 units) — forced by ’ (U+2019) ×2`).waitFor();
    await summary.click();
    await card.getByText('’ (U+2019) RIGHT SINGLE QUOTATION MARK ×2, first at 2').waitFor();
    await card.getByText("Hint: ’ → ' would make it GSM-7: 2 segments instead of 3").waitFor();
    await screenshot(card, 'lint');
    expect((await f.running.messages.get(id))?.segmentCount).toBe(3);
  });

  it('the Accounts view lists numbers with type and registration, an opt-out after STOP (removed after confirming), the queue', async (t) => {
    // Frozen emulated time and the production profile: of two messages sent together, the second waits in the queue.
    const f = await open(t, { timeScale: 1e6, traffic: { profile: 'production' } });
    await f.page.getByRole('button', { name: 'Accounts' }).click();
    const account = f.page.getByRole('region', { name: `Account ${ACCOUNT}` });
    const local = account.locator(`tr[data-number="${LOCAL}"]`);
    await local.getByText('local', { exact: true }).waitFor();
    await local.getByText(/^campaign CEMULAT \(class T, ACTIVE\/APPROVED\)$/).waitFor();
    const tollFree = account.locator(`tr[data-number="${TOLL_FREE}"]`);
    await tollFree.getByText('tollFree', { exact: true }).waitFor();
    await tollFree.getByText(/^verification /).waitFor();
    await account.getByText(/Profile production/).waitFor();
    await account.getByText('Queue: 0 message(s) waiting, 0 of 900 segments').waitFor();

    // Live: the queue after two sends, the opt-out after the handset's STOP.
    await f.send('first');
    await f.send('second');
    await account.getByText(/^Queue: 1 message\(s\) waiting, 1 of 900 segments, oldest queued at /).waitFor();
    await f.running.inbound({ from: HANDSET, to: [TOLL_FREE], text: 'STOP' });
    const entry = account.locator(`li[data-handset="${HANDSET}"]`);
    await entry.getByText(`${HANDSET} opted out of ${TOLL_FREE} (texted STOP`).waitFor();
    await screenshot(f.page, 'accounts');

    // Remove asks first in the page's confirm dialog: cancelled, the opt-out stays; confirmed, it goes.
    const dialog = f.page.getByRole('dialog', { name: `Remove the opt-out of ${HANDSET}?` });
    await entry.getByRole('button', { name: 'Remove' }).click();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await f.running.optOuts.list(ACCOUNT))?.optOuts).toHaveLength(1);
    await entry.getByRole('button', { name: 'Remove' }).click();
    await dialog.getByRole('button', { name: 'Remove opt-out' }).click();
    await f.page.getByText(`Removed the opt-out of ${HANDSET} from ${TOLL_FREE}`).waitFor();
    await entry.waitFor({ state: 'detached' });
    expect((await f.running.optOuts.list(ACCOUNT))?.optOuts).toEqual([]);
  });
});
