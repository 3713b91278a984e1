// GET /__emulator/messages/{id}/media/{index}: the bytes of a message's stored media with headers that keep them inert
// (nosniff, a sandbox CSP, a download for anything but raster images, audio and video); 404 with the reason for an
// external URL, an index out of range, an object gone; bounded path parameters; behind the control token; the same
// through the library and the remote client (messages.media).
import { describe, expect, it } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { MAX_MESSAGE_MEDIA } from '../../src/control/message-media.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { CONTROL_CONNECTIONS } from '../helpers/harness.js';

const ACCT = '9904200';
const USER = 'mm-user';
const PASS = 'mm-password';
const APP = '0a1b2c3d-0000-4000-8000-00000000e201';
const OURS = '+19195550900';
const HANDSET = '+15551239000';
const TOKEN = 'media-token-1';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

const emulators = useEmulators();

const start = (extra: Record<string, unknown> = {}) =>
  emulators.start({
    accounts: [{ id: ACCT, users: [{ username: USER, password: PASS }], applications: [{ id: APP }], numbers: [OURS] }],
    ...extra,
  });

const attachment = (filename: string, contentType: string, bytes: Buffer) => ({ filename, contentType, contentBase64: bytes.toString('base64') });

async function inbound(running: RunningEmulator): Promise<string> {
  const [message] = await running.inbound({
    from: HANDSET,
    to: [OURS],
    text: 'files',
    media: [
      attachment('cat.png', 'image/png', PNG),
      attachment('evil.svg', 'image/svg+xml', SVG),
      attachment('voice.ogg', 'audio/ogg', Buffer.from('OggS')),
      attachment('doc.pdf', 'application/pdf', Buffer.from('%PDF-1.4')),
      attachment('page.html', 'text/html', Buffer.from('<script>alert(1)</script>')),
      'https://example.com/elsewhere.jpg',
      attachment('bad type.bin', 'text/plain\u0001x', Buffer.from('x')),
    ],
  });
  return message!.id;
}

const media = (running: RunningEmulator, id: string, index: number | string, init?: RequestInit) =>
  fetch(`${running.url}/__emulator/messages/${encodeURIComponent(id)}/media/${index}`, init);

describe('GET /__emulator/messages/{id}/media/{index}', () => {
  it('serves stored bytes with their content type, nosniff and a sandbox CSP; inline only for raster images, audio, video', async () => {
    const running = await start();
    const id = await inbound(running);
    const cases: Array<[number, string, 'inline' | 'attachment', string]> = [
      [0, 'image/png', 'inline', 'cat.png'],
      [1, 'image/svg+xml', 'attachment', 'evil.svg'],
      [2, 'audio/ogg', 'inline', 'voice.ogg'],
      [3, 'application/pdf', 'attachment', 'doc.pdf'],
      [4, 'text/html', 'attachment', 'page.html'],
      [6, 'application/octet-stream', 'attachment', 'bad%20type.bin'],
    ];
    for (const [index, type, kind, name] of cases) {
      const res = await media(running, id, index);
      expect(res.status, String(index)).toBe(200);
      expect(res.headers.get('content-type'), String(index)).toBe(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
      expect(res.headers.get('content-disposition'), String(index)).toMatch(new RegExp(`^${kind}; .*filename\\*=UTF-8''${name}$`));
    }
    expect(Buffer.from(await (await media(running, id, 0)).arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('404 with the reason: an external URL, an index past the message media, an unknown message, an evicted object', async () => {
    const running = await start();
    const id = await inbound(running);
    const reason = async (index: number, msg = id) => {
      const res = await media(running, msg, index);
      expect(res.status).toBe(404);
      return ((await res.json()) as { message: string }).message;
    };
    expect(await reason(5)).toMatch(/external URL the emulator does not hold/);
    expect(await reason(7)).toMatch(/has 7 media item\(s\); there is no index 7/);
    expect(await reason(0, 'no-such-message')).toMatch(/no stored message no-such-message/);
    running.emulator.parts.media.remove(ACCT, `${id}/0/cat.png`);
    expect(await reason(0)).toMatch(/no longer stored: deleted, evicted or past media.retention/);
  });

  it('an outbound MMS referencing an upload to the media API serves it; a message with no media has none', async () => {
    const running = await start();
    const basic = { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}` };
    const put = await fetch(`${running.url}/api/v2/users/${ACCT}/media/photos/dog.jpg`, {
      method: 'PUT',
      headers: { ...basic, 'content-type': 'image/jpeg' },
      body: 'JPEGBYTES',
    });
    expect(put.status).toBe(204);
    const sent = await fetch(`${running.url}/api/v2/users/${ACCT}/messages`, {
      method: 'POST',
      headers: { ...basic, 'content-type': 'application/json' },
      body: JSON.stringify({ applicationId: APP, from: OURS, to: [HANDSET], text: 'dog', media: [`${running.url}/api/v2/users/${ACCT}/media/photos/dog.jpg`] }),
    });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    const res = await media(running, id, 0);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="dog.jpg"/);
    expect(await res.text()).toBe('JPEGBYTES');
  });

  it(`bounds: index a whole number 0 to ${MAX_MESSAGE_MEDIA - 1}, the id at most 64 characters (400 with the reason)`, async () => {
    const running = await start();
    const id = await inbound(running);
    for (const bad of [MAX_MESSAGE_MEDIA, -1, 'x', '1.5', 99999]) {
      const res = await media(running, id, bad);
      expect(res.status, String(bad)).toBe(400);
      expect(((await res.json()) as { message: string }).message, String(bad)).toMatch(/index/);
    }
    const long = await media(running, 'm'.repeat(65), 0);
    expect(long.status).toBe(400);
    expect(((await long.json()) as { message: string }).message).toMatch(/id/);
    expect((await media(running, 'm'.repeat(64), 0)).status).toBe(404);
  });

  it('behind the control token: 401 without it, 200 with it; connectEmulator(url, {token}) gets the bytes', async () => {
    const running = await start({ control: { token: TOKEN } });
    const id = await inbound(running);
    expect((await media(running, id, 0)).status).toBe(401);
    expect((await media(running, id, 0, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    expect((await media(running, id, 0, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const item = await connectEmulator(running.url, { token: TOKEN }).messages.media(id, 0);
    expect(item).toMatchObject({ found: true, contentType: 'image/png', name: 'cat.png' });
    expect(item.found && Buffer.from(item.bytes).equals(PNG)).toBe(true);
  });
});

describe.each(CONTROL_CONNECTIONS)('messages.media (%s)', (_name, connect) => {
  it('answers the bytes and content type, or why not', async () => {
    const running = await start();
    const id = await inbound(running);
    const ops = connect(running);
    const item = await ops.messages.media(id, 2);
    expect(item).toMatchObject({ found: true, contentType: 'audio/ogg', name: 'voice.ogg' });
    expect(item.found && Buffer.from(item.bytes).toString()).toBe('OggS');
    expect(await ops.messages.media(id, 5)).toEqual({ found: false, reason: expect.stringMatching(/external URL/) });
    expect(await ops.messages.media('nope', 0)).toEqual({ found: false, reason: expect.stringMatching(/no stored message/) });
  });
});
