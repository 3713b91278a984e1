// Media in the web inbox, in a real headless Chromium: a handset's MMS attachments are read through
// GET /__emulator/messages/{id}/media/{index} with the control token and shown from blob: URLs: a PNG renders inline,
// audio gets a player, a PDF and a vCard are download links, a hostile SVG is a download that runs nothing, and a URL
// the emulator does not hold stays a link with a note. Waits are on page selectors, never on a timer.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ConfigFile } from '../../src/config/schema.js';
import type { RunningEmulator } from '../../src/start.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { useEmulators } from '../helpers/fixture.js';

const skip = browserSkipReason();

const ACCOUNT = '9904300';
const APP = '1b0c5000-0000-4000-8000-000000000301';
const OURS = '+19195550530';
const HANDSET = '+19195557301';
const TOKEN = 'media-page-token-1';
// A 1x1 PNG, the smallest real image.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"><script>window.__pwned=2;parent.__pwned=3</script><circle r="5"/></svg>',
);
const VCARD = Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n');

const emulators = useEmulators();

const attachment = (filename: string, contentType: string, bytes: Buffer) => ({ filename, contentType, contentBase64: bytes.toString('base64') });

async function open(t: { onTestFinished(fn: () => Promise<void>): void }, overrides: ConfigFile = {}): Promise<{ running: RunningEmulator; page: Page }> {
  const running = await emulators.start({
    accounts: [{ id: ACCOUNT, users: [{ username: 'media-user', password: 'media-pass' }], applications: [{ id: APP }], numbers: [OURS] }],
    ...overrides,
  });
  const browser = await launchBrowser();
  t.onTestFinished(() => browser.close());
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(8000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  t.onTestFinished(async () => expect(pageErrors).toEqual([]));
  return { running, page };
}

async function sendFiles(running: RunningEmulator, media: Parameters<RunningEmulator['inbound']>[0]['media']): Promise<string> {
  const [message] = await running.inbound({ from: HANDSET, to: [OURS], text: 'Files for you', media });
  return message!.id;
}

// Whether a URL loads as an image in the page (img-src allows blob:; connect-src does not, so fetch cannot read it).
const loadsAsImage = (page: Page, href: string) =>
  page.evaluate(
    (src) =>
      new Promise<boolean>((resolve) => {
        const img = new Image();
        img.onload = () => resolve(true);
        img.onerror = () => resolve(false);
        img.src = src;
      }),
    href,
  );

const naturalWidth = (page: Page, id: string) =>
  page.locator(`[data-message-id="${id}"] img[alt="cat.png"]`).evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0));

describe.skipIf(skip)('media in the web inbox', () => {
  it('a PNG renders inline, audio gets a player, a PDF and a vCard are downloads, a hostile SVG runs nothing, an external URL stays a link', async (t) => {
    const { running, page } = await open(t);
    const id = await sendFiles(running, [
      attachment('cat.png', 'image/png', PNG),
      attachment('voice.ogg', 'audio/ogg', Buffer.from('OggS')),
      attachment('doc.pdf', 'application/pdf', Buffer.from('%PDF-1.4\n')),
      attachment('ada.vcf', 'text/vcard', VCARD),
      attachment('evil.svg', 'image/svg+xml', SVG),
      'https://cdn.example/elsewhere.jpg',
    ]);
    await page.goto(`${running.url}/`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await page.locator('.conversation').first().click();
    const card = page.locator(`[data-message-id="${id}"]`);

    const image = card.getByRole('img', { name: 'cat.png' });
    await image.waitFor();
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    await expect.poll(() => naturalWidth(page, id)).toBeGreaterThan(0);

    const audio = card.locator('audio[controls]');
    await audio.waitFor();
    expect(await audio.getAttribute('src')).toMatch(/^blob:/);

    for (const name of ['doc.pdf', 'ada.vcf', 'evil.svg']) {
      const link = card.getByRole('link', { name: `Download ${name}` });
      await link.waitFor();
      expect(await link.getAttribute('download'), name).toBe(name);
      expect(await link.getAttribute('href'), name).toMatch(/^blob:/);
    }

    const external = card.getByRole('link', { name: 'elsewhere.jpg' });
    await external.waitFor();
    expect(await external.getAttribute('href')).toBe('https://cdn.example/elsewhere.jpg');
    await card.getByText('(external URL: the emulator does not hold it)').waitFor();

    // The SVG is nowhere rendered: one image in the thread (the PNG), no svg, object, embed or frame; nothing ran.
    expect(await page.locator('.thread img').count()).toBe(1);
    expect(await page.locator('.thread svg:not(.icon), .thread object, .thread embed, .thread iframe').count()).toBe(0);
    // Its blob is plain bytes (application/octet-stream): not even an <img> of it renders as an SVG.
    const svgHref = (await card.getByRole('link', { name: 'Download evil.svg' }).getAttribute('href'))!;
    expect(await loadsAsImage(page, svgHref)).toBe(false);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // No paperclip emoji: the icon is drawn by CSS.
    expect(await card.locator('.media').first().textContent()).not.toContain('\u{1F4CE}');
  });

  it('with a control token set, the image still renders (the media route carries the token)', async (t) => {
    const { running, page } = await open(t, { control: { token: TOKEN } });
    const id = await sendFiles(running, [attachment('cat.png', 'image/png', PNG)]);
    const answers: number[] = [];
    page.on('response', (res) => {
      if (res.url().includes('/__emulator/messages/') && res.url().includes('/media/')) answers.push(res.status());
    });
    await page.goto(`${running.url}/`);
    await page.getByLabel('Control token').fill(TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await page.locator('.conversation').first().click();
    await page.locator(`[data-message-id="${id}"]`).getByRole('img', { name: 'cat.png' }).waitFor();
    await expect.poll(() => naturalWidth(page, id)).toBeGreaterThan(0);
    expect(answers).toEqual([200]);
  });

  it('media the emulator no longer holds says so and keeps a link; blob URLs are revoked when the message leaves', async (t) => {
    const { running, page } = await open(t);
    const id = await sendFiles(running, [attachment('cat.png', 'image/png', PNG)]);
    running.emulator.parts.media.remove(ACCOUNT, `${id}/0/cat.png`);
    const kept = await sendFiles(running, [attachment('cat.png', 'image/png', PNG)]);
    await page.goto(`${running.url}/`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await page.locator('.conversation').first().click();
    const gone = page.locator(`[data-message-id="${id}"]`);
    await gone.getByText(/no longer stored: deleted, evicted or past media.retention/).waitFor();
    await gone.getByRole('link', { name: 'cat.png' }).waitFor();
    const image = page.locator(`[data-message-id="${kept}"]`).getByRole('img', { name: 'cat.png' });
    await image.waitFor();
    const src = (await image.getAttribute('src'))!;
    expect(await loadsAsImage(page, src)).toBe(true);
    // The page's Reset forgets the messages: the cards unmount, and their blob URLs with them.
    await page.getByRole('button', { name: `Reset account ${ACCOUNT}` }).click();
    await page
      .getByRole('dialog', { name: `Reset account ${ACCOUNT}?` })
      .getByRole('button', { name: `Reset account ${ACCOUNT}` })
      .click();
    await page.locator(`[data-message-id="${kept}"]`).waitFor({ state: 'detached' });
    expect(await loadsAsImage(page, src)).toBe(false);
  });
});
