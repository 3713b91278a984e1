// The web inbox searches and pages on the server: with thousands of messages stored (imported as a state document)
// the header shows the true number of conversations, a search finds the oldest message, scrolling loads the next
// page, and a new message refreshes the list live. Waits are on page selectors, never on a timer.
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { useEmulators } from '../helpers/fixture.js';
import { bulkState } from '../helpers/bulk-state.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();
const ACCOUNT = '9904020';
const USER = 'search-user';
const PASS = 'search-password';
const APP = '1b0c5000-0000-4000-8000-000000000020';
const OURS = '+19195550520';
const COUNT = 2100;

const emulators = useEmulators();

describe.skipIf(skip)('web inbox search and paging in headless Chromium', () => {
  it('shows the true total, finds the oldest of 2,100 conversations, loads more on scroll, refreshes live', async (t) => {
    const running = await emulators.start({
      accounts: [{ id: ACCOUNT, users: [{ username: USER, password: PASS }], applications: [{ id: APP }], numbers: [{ number: OURS, applicationId: APP }] }],
    });
    await running.state.import(bulkState({ accountId: ACCOUNT, applicationId: APP, ours: OURS, count: COUNT, handsets: COUNT }));
    const browser = await launchBrowser();
    t.onTestFinished(() => browser.close());
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(8000);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    t.onTestFinished(async () => expect(pageErrors).toEqual([]));

    await page.goto(`${running.url}/`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Conversations' });
    await nav.getByRole('heading', { name: `Conversations (${COUNT})` }).waitFor();
    const buttons = nav.locator('button.conversation');
    await expect.poll(() => buttons.count()).toBe(50);

    // Scrolling to the end of the list loads the next page.
    await nav.locator('li.more').scrollIntoViewIfNeeded();
    await buttons.nth(99).waitFor();

    // The oldest message, far past the first page, is found by the server.
    const search = page.getByRole('searchbox');
    await search.fill('bulk message 0');
    await nav.getByRole('heading', { name: 'Conversations (1)' }).waitFor();
    await nav.getByRole('button', { name: /bulk message 0\b/ }).click();
    await page.getByRole('list', { name: 'Messages, oldest first' }).getByText('bulk message 0', { exact: true }).waitFor();

    // Nothing matching says so, not "No messages yet".
    await search.fill('no such message anywhere');
    await nav.getByText('No conversation matches “no such message anywhere”.').waitFor();

    // A new message refreshes the first page live, with the new total.
    await search.fill('');
    await nav.getByRole('heading', { name: `Conversations (${COUNT})` }).waitFor();
    const api = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
    const res = await api.createMessage(ACCOUNT, {
      applicationId: APP,
      to: ['+19195559876'] as unknown as Set<string>,
      from: OURS,
      text: 'a brand new one',
    } as MessageRequest);
    expect(res.status).toBe(202);
    await nav.getByRole('heading', { name: `Conversations (${COUNT + 1})` }).waitFor();
    await expect.poll(() => buttons.first().textContent()).toContain('a brand new one');
  });
});
