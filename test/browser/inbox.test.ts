// The web inbox in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): messages appear
// live without reload, the page's handset composer reaches a callback sink, the carrier console fails a message in
// flight, and a failed code says whether it is billable and whether a retry helps. Waits are on page selectors, the
// sink and the journal, never on a timer. With UPDATE_SCREENSHOTS=1 the screenshots these tests take are written to
// docs/screenshots/ (the README shows them).
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import type { Page } from 'playwright-core';
import type { RunningEmulator } from '../../src/start.js';
import type { ConfigFile } from '../../src/config/schema.js';
import type { CallbackSink } from '../helpers/sink.js';
import { useEmulators } from '../helpers/fixture.js';
import { events, settled } from '../helpers/harness.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { screenshot } from '../helpers/screenshots.js';

const skip = browserSkipReason();

const ACCOUNT = '9904001';
const USER = 'inbox-user';
const PASS = 'inbox-password';
const APP = '1b0c5000-0000-4000-8000-000000000001';
const OURS = '+19195550500';
const OURS_2 = '+19195550501';
const HANDSET = '+19195557001';
const FRIEND = '+19195557002';
// Magic number: delivered after an hour, so it is in flight for the whole test.
const SLOW = '+15553003600';
const TOKEN = 'inbox-token-1';
const WAIT = { timeoutMs: 10_000 };
// A 1x1 PNG, the smallest real image to upload.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const emulators = useEmulators();

interface Fixture {
  running: RunningEmulator;
  sink: CallbackSink;
  page: Page;
  send(to: string[], text: string, tag?: string): Promise<string>;
}

async function open(
  t: { onTestFinished(fn: () => Promise<void>): void },
  overrides: ConfigFile = {},
  viewport?: { width: number; height: number },
): Promise<Fixture> {
  const sink = await emulators.newSink();
  const running = await emulators.start({
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: USER, password: PASS }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [
          { number: OURS, applicationId: APP },
          { number: OURS_2, applicationId: APP },
        ],
      },
    ],
    callbacks: { deliveryDelay: '20ms', sendingDelay: '10ms', retryDelays: ['20ms'], timeout: '2s' },
    ...overrides,
  });
  const browser = await launchBrowser(viewport);
  t.onTestFinished(() => browser.close());
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  // Shorter than the test's own timeout, so a missing element fails with what was awaited.
  page.setDefaultTimeout(8000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  t.onTestFinished(async () => expect(pageErrors).toEqual([]));
  const api = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
  const send = async (to: string[], text: string, tag?: string) => {
    const res = await api.createMessage(ACCOUNT, {
      applicationId: APP,
      to: to as unknown as Set<string>,
      from: OURS,
      text,
      ...(tag ? { tag } : {}),
    } as MessageRequest);
    expect(res.status).toBe(202);
    return res.data.id!;
  };
  return { running, sink, page, send };
}

/** Open the page and wait until it follows the event stream. */
async function live(f: Fixture, path = '/'): Promise<void> {
  await f.page.goto(`${f.running.url}${path}`);
  await f.page.getByRole('status').filter({ hasText: 'live' }).waitFor();
}

describe.skipIf(skip)('web inbox in headless Chromium', () => {
  it('a message sent through bandwidth-sdk appears live, without reload, and its timeline shows the callbacks', async (t) => {
    const f = await open(t);
    await live(f);
    const before = await f.page.evaluate(() => performance.getEntriesByType('navigation').length);
    // The two-factor scenario: the code is delivered and the handset answers with it.
    await f.running.scenarios.use({
      version: 1,
      name: 'two-factor',
      rules: [
        {
          name: 'user answers with the code',
          match: { text: '/\\b\\d{6}\\b/' },
          events: [{ type: 'message-delivered', after: '20ms' }],
          reply: { after: '50ms', text: 'My code is {{text}}' },
        },
      ],
    });
    await f.page.getByRole('button', { name: 'Refresh' }).click();
    await f.page.locator('.scenarios').getByText('user answers with the code').waitFor();

    const id = await f.send([HANDSET], 'Your code is 314159', 'otp');
    const conversation = f.page.getByRole('button', { name: /Your code is 314159/ });
    await conversation.waitFor();
    await f.running.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    await f.running.callbacks.waitFor({ type: 'message-received', outcome: 'delivered' }, WAIT);
    await f.page.locator('.scenarios .hits').filter({ hasText: /^1$/ }).waitFor();
    // The handset answers; a second conversation comes from a group message to our other number.
    await f.running.inbound({ from: HANDSET, to: [OURS], text: 'Thanks, got it' });
    await f.running.inbound({ from: FRIEND, to: [OURS_2, HANDSET], text: 'Dinner at 8?' });
    await f.page.getByRole('button', { name: /Dinner at 8\?/ }).waitFor();

    await f.page.getByRole('button', { name: /Thanks, got it/ }).click();
    const card = f.page.locator(`[data-message-id="${id}"]`);
    await card.getByText('DELIVERED', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Timeline' }).click();
    await card.getByText(/Callback message-delivered to \+19195557001: attempt 1, HTTP 200/).waitFor();
    await card.getByText(/Scenario for \+19195557001: matched/).waitFor();
    // Still the first page load: everything arrived over the event stream.
    expect(await f.page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(before);
    expect(f.page.url()).toBe(`${f.running.url}/`);
    await screenshot(f.page, 'inbox');

    // Search narrows the conversations by text, number or tag.
    await f.page.getByLabel('Search').fill('dinner');
    await f.page.getByRole('heading', { name: 'Conversations (1)' }).waitFor();
    await f.page.getByLabel('Search').fill('otp');
    await f.page.getByRole('heading', { name: 'Conversations (1)' }).waitFor();
    await f.page.getByLabel('Search').fill('557002');
    await f.page.getByRole('button', { name: /Dinner at 8\?/ }).waitFor();
    await settled(f.running);
  });

  it('the handset composer sends an MMS with an uploaded image; message-received reaches the sink', async (t) => {
    const f = await open(t);
    await live(f, '/__emulator/ui');
    await f.page.getByLabel('From (handset)').fill(HANDSET);
    await f.page.getByLabel('To (our number)').selectOption(OURS_2);
    await f.page.getByLabel('Text').fill('Here is the photo');
    await f.page.getByLabel('Image (MMS, optional)').setInputFiles({ name: 'cat.png', mimeType: 'image/png', buffer: PNG });
    await f.page.getByRole('button', { name: 'Send to our number' }).click();

    const entry = await f.running.callbacks.waitFor({ type: 'message-received', outcome: 'delivered' }, WAIT);
    const received = events(f.sink).find((e) => e.type === 'message-received')!;
    expect(received).toMatchObject({ to: OURS_2, message: { from: HANDSET, text: 'Here is the photo', direction: 'in' } });
    expect(received.message.media).toEqual([expect.stringMatching(new RegExp(`/users/${ACCOUNT}/media/${entry.messageId}/0/cat\\.png$`))]);
    const stored = f.running.emulator.parts.media.get(ACCOUNT, `${entry.messageId}/0/cat.png`);
    expect(stored?.bytes.equals(PNG)).toBe(true);
    await f.page.getByRole('button', { name: /Here is the photo/ }).waitFor();

    // Reply in one click: the composer is addressed back to the handset's message, the text field focused.
    const id = await f.send([HANDSET], 'Nice photo!');
    await f.page.getByRole('button', { name: /Nice photo!/ }).click();
    await f.page.getByRole('button', { name: `Reply as ${HANDSET}` }).click();
    await expect.poll(() => f.page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('text');
    await f.page.keyboard.type('Thank you');
    await f.page.getByRole('button', { name: 'Send to our number' }).click();
    await f.sink.waitFor((reqs) => reqs.some((r) => (r.body as Array<{ type: string; message: { text: string } }>)[0]?.message.text === 'Thank you'));
    expect(events(f.sink).find((e) => e.message.text === 'Thank you')).toMatchObject({ type: 'message-received', to: OURS, message: { from: HANDSET } });
    expect(id).toBeTruthy();
    await settled(f.running);
  });

  it('the carrier console fails a message in flight with 4720, by keyboard; message-failed 4720 reaches the sink', async (t) => {
    const f = await open(t);
    await live(f);
    const id = await f.send([SLOW], 'Are you coming tonight?');
    await f.page.getByRole('button', { name: /Are you coming tonight\?/ }).click();
    const card = f.page.locator(`[data-message-id="${id}"]`);
    await card.getByRole('button', { name: 'Timeline' }).click();
    await card.getByText(/delivered after 3600 s/).waitFor();

    await card.getByLabel(`Error code for ${SLOW}`).selectOption('4720');
    await card
      .getByRole('group', { name: `Carrier actions for ${SLOW}` })
      .getByRole('button', { name: 'Fail' })
      .focus();
    await f.page.keyboard.press('Enter');

    await f.sink.waitFor((reqs) => reqs.some((r) => (r.body as Array<{ type: string }>)[0]?.type === 'message-failed'), WAIT.timeoutMs);
    expect(events(f.sink)).toEqual([
      expect.objectContaining({ type: 'message-failed', errorCode: 4720, to: SLOW, description: 'Invalid destination address' }),
    ]);
    await f.running.callbacks.waitFor({ messageId: id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    await card.getByText('FAILED', { exact: true }).waitFor();
    await card.getByText(/Carrier console for \+15553003600: message-failed 4720, replacing 1 scheduled step/).waitFor();
    await card.getByText(/Callback message-failed to \+15553003600: attempt 1, HTTP 200/).waitFor();
    await card.getByText('Bodies').last().click();
    await card.getByText('"errorCode": 4720').waitFor();
    // The carrier buttons go once the recipient is final; the hour-long delivery never comes.
    expect(await card.getByRole('button', { name: 'Deliver now' }).count()).toBe(0);
    await f.running.assertNoPending();
    await screenshot(card, 'timeline');
    await settled(f.running);
  });

  it("a handset's STOP to a toll-free number: the network's auto-reply is in the conversation, labelled, with no callback", async (t) => {
    const TOLL_FREE = '+18335550500';
    const f = await open(t, {
      accounts: [
        {
          id: ACCOUNT,
          users: [{ username: USER, password: PASS }],
          applications: [{ id: APP, callbackUrl: (await emulators.newSink()).url }],
          numbers: [{ number: TOLL_FREE, applicationId: APP }],
          traffic: { optOut: true },
        },
      ],
    });
    await live(f, '/__emulator/ui');
    await f.page.getByLabel('From (handset)').fill(HANDSET);
    await f.page.getByLabel('To (our number)').selectOption(TOLL_FREE);
    await f.page.getByLabel('Text').fill('STOP');
    await f.page.getByRole('button', { name: 'Send to our number' }).click();
    const auto = await f.running.callbacks.waitFor({ type: 'network-auto-reply', recipient: HANDSET }, WAIT);
    await f.page.getByRole('button', { name: /NETWORK MSG/ }).click();
    const card = f.page.locator(`[data-message-id="${auto.messageId}"]`);
    await card.getByText('network auto-reply').waitFor();
    await card.getByText(/You replied with the word "stop"/).waitFor();
    await card.getByRole('button', { name: 'Timeline' }).click();
    await card.getByText(/Sent by the toll-free network in answer to STOP/).waitFor();
    await card.getByText(/Network auto-reply to \+19195557001: no callback to the application/).waitFor();
    // The STOP itself is in the same conversation, its timeline naming what the network did.
    const stop = f.page.locator('.message.in').filter({ hasText: 'STOP' });
    await stop.getByRole('button', { name: 'Timeline' }).click();
    await stop.getByText(/Toll-free network: STOP recorded an opt-out and answered the handset/).waitFor();
    await settled(f.running);
  });

  it("a failed recipient's code shows whether it is billable and whether a retry can help, with the reason on hover", async (t) => {
    const f = await open(t);
    await live(f);
    // Magic numbers: 4785 (carrier volumetric violation: billable, retry later) and 5100 (Bandwidth: not billable, retry).
    const CARRIER_LIMIT = '+15551004785';
    const BANDWIDTH_ERROR = '+15551005100';
    const id = await f.send([CARRIER_LIMIT, BANDWIDTH_ERROR], 'Flash sale today');
    for (const recipient of [CARRIER_LIMIT, BANDWIDTH_ERROR])
      await f.running.callbacks.waitFor({ messageId: id, recipient, type: 'message-failed', outcome: 'delivered' }, WAIT);
    await f.page.getByRole('button', { name: /Flash sale today/ }).click();
    const row = (recipient: string) => f.page.locator(`[data-message-id="${id}"] .recipients li`).filter({ hasText: recipient });
    await row(CARRIER_LIMIT).getByText('FAILED', { exact: true }).waitFor();
    await row(CARRIER_LIMIT).getByText('(billable · retry later)').waitFor();
    await row(BANDWIDTH_ERROR).getByText('(not billable · a retry can help)').waitFor();
    expect(await row(CARRIER_LIMIT).locator('.error-facts').getAttribute('title')).toContain('4785 volumetric-violation');
    expect(await row(CARRIER_LIMIT).locator('.error-code').textContent()).toBe(' 4785');
    await settled(f.running);
  });

  it('with a control token the page asks for it, then works; the stream and calls carry it', async (t) => {
    const f = await open(t, { control: { token: TOKEN } });
    await f.page.goto(`${f.running.url}/`);
    await f.page.getByLabel('Control token').fill('wrong-token');
    await f.page.getByRole('button', { name: 'Open the inbox' }).click();
    await f.page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
    await f.page.getByLabel('Control token').fill(TOKEN);
    await f.page.keyboard.press('Enter');
    await f.page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await f.send([HANDSET], 'Behind a token');
    await f.page.getByRole('button', { name: /Behind a token/ }).waitFor();
    await settled(f.running);
  });

  it('on a phone-sized window: one column, no sideways scrolling, a way back from a conversation', async (t) => {
    const f = await open(t, {}, { width: 390, height: 844 });
    await live(f);
    await f.send([HANDSET], 'Small screens too');
    await f.page.getByRole('button', { name: /Small screens too/ }).click();
    await f.page.getByRole('button', { name: 'Timeline' }).waitFor();
    const overflow = () => f.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await f.page.getByRole('button', { name: '← Conversations' }).click();
    await f.page.getByRole('button', { name: /Small screens too/ }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(f.page, 'inbox-phone');
    await settled(f.running);
  });
});
