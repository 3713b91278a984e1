// The media API end to end: the official bandwidth-sdk (and raw fetch where a webhook consumer would use one) against
// a real emulator on 127.0.0.1:0, real callback receivers for the MMS cases, and Bandwidth's spec for every body.
import { crc32, deflateSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Configuration, MediaApi, MessagesApi, type Media } from 'bandwidth-sdk';
import { createClock } from '../../src/clock.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { createControlOperations, type ControlOperations } from '../../src/control/operations.js';
import { createEmulator } from '../../src/compose.js';
import { buildApp } from '../../src/server.js';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { startSink, type CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec, assertMatchesSpec } from '../helpers/spec.js';

const ACCT = '9902000';
const USER = 'media-user';
const PASS = 'media-password';
const NO_MESSAGING_USER = 'media-viewer';
const NO_MESSAGING_PASS = 'media-viewer-password';
const APP = '0a1b2c3d-0000-4000-8000-00000000a001';
const NUMBER = '+19195550400';
const NUMBER_2 = '+19195550401';
const ACCT_B = '9902001';
const USER_B = 'media-user-b';
const PASS_B = 'media-password-b';
const APP_B = '0a1b2c3d-0000-4000-8000-00000000b001';
const NUMBER_B = '+19195550410';
const HANDSET = '+15551230000';
const TO = '+19195557001';

/** A valid 1x1 RGBA PNG (one opaque red pixel), built chunk by chunk with real CRCs. */
function onePixelPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed) >>> 0);
    return Buffer.concat([length, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  // compression, filter, interlace: 0
  const scanline = Buffer.from([0, 0xff, 0x00, 0x00, 0xff]); // filter byte 0, then R G B A
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(scanline)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
const png = onePixelPng();

// ---- teardown: every emulator, app and sink a test starts is closed; every callback a sink got is spec-checked ----
const closers: Array<() => Promise<unknown>> = [];
const sinks: CallbackSink[] = [];

afterEach(async () => {
  const toClose = closers.splice(0);
  const used = sinks.splice(0);
  try {
    await Promise.all(toClose.map((close) => close()));
    for (const sink of used) for (const request of sink.requests) assertCallbackMatchesSpec(request.body);
  } finally {
    await Promise.all(used.map((s) => s.close()));
  }
});

async function newSink(): Promise<CallbackSink> {
  const sink = await startSink();
  sinks.push(sink);
  return sink;
}

type Options = { callbackUrl?: string; media?: ConfigFile['media'] };

function config(options: Options = {}): ConfigFile {
  const callbackUrl = options.callbackUrl ? { callbackUrl: options.callbackUrl } : {};
  return {
    accounts: [
      {
        id: ACCT,
        users: [
          { username: USER, password: PASS },
          { username: NO_MESSAGING_USER, password: NO_MESSAGING_PASS, messaging: false },
        ],
        applications: [{ id: APP, ...callbackUrl }],
        numbers: [
          { number: NUMBER, applicationId: APP },
          { number: NUMBER_2, applicationId: APP },
        ],
      },
      {
        id: ACCT_B,
        users: [{ username: USER_B, password: PASS_B }],
        applications: [{ id: APP_B }],
        numbers: [{ number: NUMBER_B, applicationId: APP_B }],
      },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '20ms', retryDelays: ['20ms'], timeout: '1s' },
    ...(options.media ? { media: options.media } : {}),
  };
}

async function start(options: Options = {}): Promise<RunningEmulator> {
  const running = await startEmulator(config(options));
  closers.push(() => running.close());
  return running;
}

function mediaApi(url: string, username = USER, password = PASS): MediaApi {
  return new MediaApi(new Configuration({ basePath: url, username, password }));
}

/** The SDK types an upload body as a browser File; Buffers and strings are what Node callers pass. */
const asFile = (body: Buffer | string) => body as unknown as File;

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** A raw request, as a webhook consumer following a media link would make it. `auth: null` sends no credentials. */
async function raw(
  url: string,
  init: { method?: string; auth?: [string, string] | null; body?: Buffer | string; contentType?: string } = {},
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const headers: Record<string, string> = {};
  const auth: readonly [string, string] | null = init.auth === undefined ? [USER, PASS] : init.auth;
  if (auth) headers.authorization = basic(auth[0], auth[1]);
  if (init.contentType) headers['content-type'] = init.contentType;
  // A copy typed on a plain ArrayBuffer, which is what fetch's BodyInit accepts.
  const body = typeof init.body === 'string' || init.body === undefined ? init.body : new Uint8Array(init.body);
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const json = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'));

/** The HTTP response of an SDK call that must fail (axios rejects on non-2xx). */
async function failure(call: Promise<unknown>): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown; headers: Record<string, unknown> } }).response;
    if (!response) throw error;
    return response;
  }
  throw new Error(`expected the call to fail; it answered ${JSON.stringify((result as { status?: number }).status)}`);
}

/** Download through the SDK as the SDK's own smoke test does. */
async function download(api: MediaApi, accountId: string, mediaId: string): Promise<{ status: number; bytes: Buffer; contentType: string }> {
  const res = await api.getMedia(accountId, mediaId, { responseType: 'arraybuffer' });
  return { status: res.status, bytes: Buffer.from(res.data as unknown as ArrayBuffer), contentType: String(res.headers['content-type']) };
}

/** Every page of a listing, following the continuation-token response header. */
async function listAll(api: MediaApi, accountId: string): Promise<{ pages: Media[][]; tokens: Array<string | undefined> }> {
  const pages: Media[][] = [];
  const tokens: Array<string | undefined> = [];
  let token: string | undefined;
  do {
    const res = await api.listMedia(accountId, token);
    expect(res.status).toBe(200);
    pages.push(res.data);
    token = res.headers['continuation-token'] as string | undefined;
    tokens.push(token);
    if (pages.length > 10) throw new Error('paging does not end');
  } while (token);
  return { pages, tokens };
}

describe('media API through bandwidth-sdk', () => {
  it('a PNG: upload, list (spec-shaped, right length, working link), byte-identical download, delete, then 404', async () => {
    const running = await start();
    const api = mediaApi(running.url);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');

    const up = await api.uploadMedia(ACCT, 'logo.png', asFile(png), 'image/png');
    expect(up.status).toBe(204);
    expect(up.data).toBeFalsy();

    const list = await api.listMedia(ACCT);
    expect(list.status).toBe(200);
    expect(list.headers['continuation-token']).toBeUndefined();
    expect(list.data).toHaveLength(1);
    const item = list.data[0]!;
    assertMatchesSpec('media', item);
    expect(item).toEqual({ mediaName: 'logo.png', contentLength: png.length, content: `${running.url}/api/v2/users/${ACCT}/media/logo.png` });
    const viaLink = await raw(item.content!);
    expect(viaLink.status).toBe(200);
    expect(viaLink.bytes.equals(png)).toBe(true);

    const got = await download(api, ACCT, 'logo.png');
    expect(got.status).toBe(200);
    expect(got.bytes.equals(png)).toBe(true);
    expect(got.contentType).toBe('image/png');

    const del = await api.deleteMedia(ACCT, 'logo.png');
    expect(del.status).toBe(204);

    const missing = await failure(api.getMedia(ACCT, 'logo.png'));
    expect(missing.status).toBe(404);
    expect(String(missing.headers['content-type'])).toMatch(/^application\/json/);
    assertMatchesSpec('messagingRequestError', missing.data);
    expect((missing.data as { description: string }).description).toContain('logo.png');
    expect((await api.listMedia(ACCT)).data).toEqual([]);
    // Deleting again is a 404 of the same shape; the name can be reused at once.
    const again = await failure(api.deleteMedia(ACCT, 'logo.png'));
    expect(again.status).toBe(404);
    assertMatchesSpec('messagingRequestError', again.data);
    expect((await api.uploadMedia(ACCT, 'logo.png', asFile(png), 'image/png')).status).toBe(204);
    expect((await download(api, ACCT, 'logo.png')).bytes.equals(png)).toBe(true);
  });

  it('the same name again is a silent overwrite: new bytes, new type, one list entry', async () => {
    const running = await start();
    const api = mediaApi(running.url);
    await api.uploadMedia(ACCT, 'card.vcf', asFile(Buffer.from('BEGIN:VCARD\r\nEND:VCARD\r\n')), 'text/vcard');
    await api.uploadMedia(ACCT, 'card.vcf', asFile(png), 'image/png', 'max-age=60');
    const got = await download(api, ACCT, 'card.vcf');
    expect(got.bytes.equals(png)).toBe(true);
    expect(got.contentType).toBe('image/png');
    const res = await api.getMedia(ACCT, 'card.vcf', { responseType: 'arraybuffer' });
    expect(res.headers['cache-control']).toBe('max-age=60');
    expect((await api.listMedia(ACCT)).data).toEqual([expect.objectContaining({ mediaName: 'card.vcf', contentLength: png.length })]);
  });

  it('accepts the SDK default type (application/json) and the legacy SDK default (application/octet-stream), stored as given', async () => {
    const running = await start();
    const api = mediaApi(running.url);
    const bytes = Buffer.from([0x00, 0xff, 0x7b, 0x22, 0x80, 0x0a, 0xfe]); // not JSON, not UTF-8

    // No contentType: bandwidth-sdk sends Content-Type: application/json. Whatever it put on the wire is what is stored.
    const up = await api.uploadMedia(ACCT, 'sdk-default', asFile(bytes));
    expect(up.status).toBe(204);
    expect(up.config.headers['Content-Type']).toBe('application/json');
    const sent = Buffer.from(up.config.data as string | Buffer);
    const stored = await download(api, ACCT, 'sdk-default');
    expect(stored.contentType).toBe('application/json');
    expect(stored.bytes.equals(sent)).toBe(true);

    // A JSON document under the default type arrives and comes back byte for byte.
    const document = '{"order":77,"items":["a","b"]}';
    await api.uploadMedia(ACCT, 'order.json', asFile(document));
    expect((await download(api, ACCT, 'order.json')).bytes.toString('utf8')).toBe(document);

    // The emulator never parses an application/json upload: binary under that type is kept untouched.
    const put = await raw(`${running.url}/users/${ACCT}/media/binary-as-json`, { method: 'PUT', body: bytes, contentType: 'application/json' });
    expect(put.status).toBe(204);
    const back = await download(api, ACCT, 'binary-as-json');
    expect(back.bytes.equals(bytes)).toBe(true);
    expect(back.contentType).toBe('application/json');

    // @bandwidth/messaging@4's default, not in the spec's list of upload types, accepted all the same.
    expect((await api.uploadMedia(ACCT, 'legacy.bin', asFile(bytes), 'application/octet-stream')).status).toBe(204);
    const legacy = await download(api, ACCT, 'legacy.bin');
    expect(legacy.bytes.equals(bytes)).toBe(true);
    expect(legacy.contentType).toBe('application/octet-stream');

    // A type with parameters is kept as given too.
    await api.uploadMedia(ACCT, 'note.txt', asFile(Buffer.from('héllo')), 'text/plain; charset=utf-8');
    const note = await download(api, ACCT, 'note.txt');
    expect(note.contentType).toBe('text/plain; charset=utf-8');
    expect(note.bytes.toString('utf8')).toBe('héllo');

    const names = (await api.listMedia(ACCT)).data.map((m) => [m.mediaName, m.contentLength]);
    expect(names).toEqual([
      ['binary-as-json', bytes.length],
      ['legacy.bin', bytes.length],
      ['note.txt', Buffer.byteLength('héllo')],
      ['order.json', document.length],
      ['sdk-default', sent.length],
    ]);
  });

  it('ids with slashes: SDK upload (%2F) fetched with literal slashes, and a literal-slash upload read through the SDK', async () => {
    const running = await start();
    const api = mediaApi(running.url);

    const text = Buffer.from('slashes in the id');
    await api.uploadMedia(ACCT, 'a/b/c.txt', asFile(text), 'text/plain');
    for (const base of [running.url, `${running.url}/api/v2`]) {
      const res = await raw(`${base}/users/${ACCT}/media/a/b/c.txt`);
      expect(res.status).toBe(200);
      expect(res.bytes.equals(text)).toBe(true);
      expect(res.headers.get('content-type')).toBe('text/plain');
    }
    // Only the full id names the object, not a prefix of it.
    expect((await raw(`${running.url}/users/${ACCT}/media/a/b`)).status).toBe(404);

    const put = await raw(`${running.url}/api/v2/users/${ACCT}/media/x/y/z.png`, { method: 'PUT', body: png, contentType: 'image/png' });
    expect(put.status).toBe(204);
    const got = await download(api, ACCT, 'x/y/z.png');
    expect(got.bytes.equals(png)).toBe(true);

    const list = await api.listMedia(ACCT);
    expect(list.data.map((m) => m.mediaName)).toEqual(['a/b/c.txt', 'x/y/z.png']);
    const link = list.data.find((m) => m.mediaName === 'x/y/z.png')!.content!;
    expect(link).toBe(`${running.url}/api/v2/users/${ACCT}/media/x/y/z.png`);
    expect((await raw(link)).bytes.equals(png)).toBe(true);

    expect((await api.deleteMedia(ACCT, 'x/y/z.png')).status).toBe(204);
    expect((await raw(`${running.url}/users/${ACCT}/media/x/y/z.png`)).status).toBe(404);
    const viaRaw = await raw(`${running.url}/users/${ACCT}/media/a/b/c.txt`, { method: 'DELETE' });
    expect(viaRaw.status).toBe(204);
    expect((await failure(api.getMedia(ACCT, 'a/b/c.txt'))).status).toBe(404);
  });

  it('names needing escapes survive SDK upload, list links and SDK download', async () => {
    const running = await start();
    const api = mediaApi(running.url);
    const names = ['my photo #1.png', '100%.png', 'ünï.png', 'q?x=1&y=2.png', 'x%2Fy.png'];
    for (const name of names) await api.uploadMedia(ACCT, name, asFile(Buffer.from(name)), 'image/png');
    const list = await api.listMedia(ACCT);
    expect(list.data.map((m) => m.mediaName).sort()).toEqual([...names].sort());
    for (const item of list.data) {
      const viaLink = await raw(item.content!);
      expect(viaLink.status, item.content).toBe(200);
      expect(viaLink.bytes.toString('utf8')).toBe(item.mediaName);
      expect((await download(api, ACCT, item.mediaName!)).bytes.toString('utf8')).toBe(item.mediaName);
    }
  });
});

describe('listing pages (Continuation-Token)', () => {
  it('2500 objects: pages of at most 1000 via the continuation-token header, every name exactly once, last page tokenless', async () => {
    const running = await start();
    const api = mediaApi(running.url);
    // Numbers without padding, so id order differs from upload order; some ids with slashes.
    const names = Array.from({ length: 2500 }, (_, i) => (i % 7 === 0 ? `dir/${i}/f.txt` : `obj-${i}`));
    for (let i = 0; i < names.length; i += 50) {
      const batch = names.slice(i, i + 50);
      const results = await Promise.all(
        batch.map((name) => raw(`${running.url}/users/${ACCT}/media/${name}`, { method: 'PUT', body: `body of ${name}`, contentType: 'text/plain' })),
      );
      expect(results.map((r) => r.status)).toEqual(batch.map(() => 204));
    }

    const seen: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    let pages = 0;
    let deletedMidway: string | undefined;
    do {
      const res = await api.listMedia(ACCT, token);
      expect(res.status).toBe(200);
      pages++;
      expect(res.data.length).toBeGreaterThan(0);
      expect(res.data.length).toBeLessThanOrEqual(1000);
      sizes.push(res.data.length);
      for (const item of res.data) {
        assertMatchesSpec('media', item);
        expect(item.contentLength).toBe(Buffer.byteLength(`body of ${item.mediaName}`));
        seen.push(item.mediaName!);
      }
      token = res.headers['continuation-token'] as string | undefined;
      if (pages === 1) {
        expect(token).toBeTruthy();
        // Deleting an already-listed object while paging must not shift the next page.
        deletedMidway = res.data[0]!.mediaName!;
        expect((await api.deleteMedia(ACCT, deletedMidway)).status).toBe(204);
      }
      expect(pages).toBeLessThanOrEqual(3);
    } while (token);

    expect(sizes).toEqual([1000, 1000, 500]);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...names].sort());
    // Pages come in one stable order, the id order.
    expect(seen).toEqual([...seen].sort());
    expect((await listAll(api, ACCT)).pages.flat().map((m) => m.mediaName)).not.toContain(deletedMidway);
  });

  it('exactly 1000 objects is one tokenless page; 1001 is two; the token is a header, not a query parameter', async () => {
    const running = await start();
    const api = mediaApi(running.url);
    // Seeded in process: the HTTP path is covered above, this is about the page boundary.
    for (let i = 0; i < 1000; i++) running.emulator.parts.media.put({ accountId: ACCT, mediaId: `m${String(i).padStart(4, '0')}`, bytes: Buffer.from('x'), contentType: 'text/plain' });
    const one = await listAll(api, ACCT);
    expect(one.pages.map((p) => p.length)).toEqual([1000]);
    expect(one.tokens).toEqual([undefined]);

    running.emulator.parts.media.put({ accountId: ACCT, mediaId: 'm1000', bytes: Buffer.from('x'), contentType: 'text/plain' });
    const two = await listAll(api, ACCT);
    expect(two.pages.map((p) => p.length)).toEqual([1000, 1]);
    expect(two.pages[1]![0]!.mediaName).toBe('m1000');
    expect(two.tokens[0]).toBeTruthy();
    expect(two.tokens[1]).toBeUndefined();

    // The legacy SDK and raw clients send the same header; a query parameter is ignored (no query params exist).
    const viaQuery = await raw(`${running.url}/users/${ACCT}/media?continuationToken=${encodeURIComponent(two.tokens[0]!)}`);
    expect((json(viaQuery.bytes) as unknown[]).length).toBe(1000);
  });

  it('a token the API did not issue is a 400 with a Bandwidth-shaped body', async () => {
    const running = await start();
    const api = mediaApi(running.url);
    await api.uploadMedia(ACCT, 'one.png', asFile(png), 'image/png');
    for (const forged of ['forged-token!', '%%%', 'bm90IGEgdG9rZW4=']) {
      const res = await failure(api.listMedia(ACCT, forged));
      expect(res.status, forged).toBe(400);
      assertMatchesSpec('messagingRequestError', res.data);
      expect((res.data as { type: string }).type).toBe('request-validation');
    }
  });
});

describe('MMS that name media', () => {
  interface Event {
    type: string;
    errorCode?: number;
    to: string;
    message: { id: string; media?: string[]; direction: string };
  }
  const eventsOf = (sink: CallbackSink, id: string): Event[] =>
    sink.requests.flatMap((r) => r.body as Event[]).filter((e) => e.message.id === id);
  const finished = (sink: CallbackSink, id: string) =>
    sink.waitFor(() => eventsOf(sink, id).some((e) => e.type === 'message-delivered' || e.type === 'message-failed'), 5000);

  async function send(running: RunningEmulator, media: string[]): Promise<string> {
    const api = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
    const res = await api.createMessage(ACCT, { applicationId: APP, from: NUMBER, to: [TO] as unknown as Set<string>, media });
    expect(res.status).toBe(202);
    expect(res.data.media).toEqual(media);
    return res.data.id!;
  }

  it('a deleted own media object (emulator URL or messaging.bandwidth.com URL): message-sending, then message-failed 4410', async () => {
    const sink = await newSink();
    const running = await start({ callbackUrl: sink.url });
    const api = mediaApi(running.url);
    for (const name of ['gone.png', 'dir/gone.png']) {
      await api.uploadMedia(ACCT, name, asFile(png), 'image/png');
      await api.deleteMedia(ACCT, name);
    }
    const urls = [
      `${running.url}/api/v2/users/${ACCT}/media/gone.png`,
      `https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/gone.png`,
      `https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/dir/gone.png`,
      `${running.url}/users/${ACCT}/media/never-uploaded.png`,
    ];
    for (const url of urls) {
      const id = await send(running, [url]);
      await finished(sink, id);
      const events = eventsOf(sink, id);
      expect(events.map((e) => e.type), url).toEqual(['message-sending', 'message-failed']);
      expect(events[1]!.errorCode, url).toBe(4410);
      expect(events[1]!.message.media).toEqual([url]);
      const stored = await running.messages.get(id);
      expect(stored!.recipients).toEqual([expect.objectContaining({ to: TO, status: 'FAILED', errorCode: 4410 })]);
    }
  });

  it('one missing object among several fails the message; existing objects (both URL forms, slash ids) are delivered', async () => {
    const sink = await newSink();
    const running = await start({ callbackUrl: sink.url });
    const api = mediaApi(running.url);
    await api.uploadMedia(ACCT, 'here.png', asFile(png), 'image/png');
    await api.uploadMedia(ACCT, 'album/2024/here too.png', asFile(png), 'image/png');
    const present = [
      `${running.url}/api/v2/users/${ACCT}/media/here.png`,
      `https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/album/2024/here%20too.png`,
    ];
    const delivered = await send(running, present);
    const failed = await send(running, [...present, `https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/not-here.png`]);
    await Promise.all([finished(sink, delivered), finished(sink, failed)]);
    expect(eventsOf(sink, delivered).map((e) => e.type)).toEqual(['message-sending', 'message-delivered']);
    expect(eventsOf(sink, failed).map((e) => [e.type, e.errorCode])).toEqual([
      ['message-sending', undefined],
      ['message-failed', 4410],
    ]);
  });

  it('an external URL is not fetched and the MMS is delivered', async () => {
    const sink = await newSink();
    const external = await newSink(); // stands in for a web server: it must never be asked for anything
    const running = await start({ callbackUrl: sink.url });
    const urls = [['https://example.com/x.png'], [external.url.replace('/callbacks', '/pictures/x.png')]];
    for (const media of urls) {
      const id = await send(running, media);
      await finished(sink, id);
      expect(eventsOf(sink, id).map((e) => e.type)).toEqual(['message-sending', 'message-delivered']);
    }
    expect(external.requests).toEqual([]);
  });

  it('a media entry that is not an absolute http(s) URL is a 400 naming it (spec: format uri)', async () => {
    const running = await start();
    const post = (media: string[]) =>
      fetch(`${running.url}/users/${ACCT}/messages`, {
        method: 'POST',
        headers: { authorization: basic(USER, PASS), 'content-type': 'application/json' },
        body: JSON.stringify({ applicationId: APP, from: NUMBER, to: [TO], media }),
      });
    for (const bad of [`https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/bad%ZZ.png`, 'not a url', 'ftp://example.com/a.png']) {
      const res = await post(['https://example.com/ok.png', bad]);
      const body = (await res.json()) as { fieldErrors?: Array<{ fieldName: string; description: string }> };
      expect(res.status).toBe(400);
      assertMatchesSpec('createMessageRequestError', body);
      expect(body.fieldErrors).toEqual([{ fieldName: 'media[1]', description: expect.stringContaining(bad) }]);
    }
  });
});

describe('inbound MMS attachments', () => {
  interface Received {
    type: string;
    to: string;
    message: { id: string; media?: string[]; text: string; direction: string };
  }

  it('are stored as {messageId}/{index}/{filename}, linked from message-received, and served only with the account\'s credentials', async () => {
    const sink = await newSink();
    const running = await start({ callbackUrl: sink.url });
    const copies = await running.inbound({
      from: HANDSET,
      to: [NUMBER],
      text: 'pic',
      media: ['https://example.com/passed-through.gif', { filename: 'cat.png', contentType: 'image/png', contentBase64: png.toString('base64') }],
    });
    expect(copies).toHaveLength(1);
    const id = copies[0]!.id;
    await sink.waitFor((rs) => rs.some((r) => (r.body as Received[]).some((e) => e.type === 'message-received')));
    const event = sink.requests.flatMap((r) => r.body as Received[]).find((e) => e.type === 'message-received')!;
    expect(event.message).toMatchObject({ id, text: 'pic', direction: 'in' });
    const link = `${running.url}/api/v2/users/${ACCT}/media/${id}/1/cat.png`;
    expect(event.message.media).toEqual(['https://example.com/passed-through.gif', link]);

    const ok = await raw(link);
    expect(ok.status).toBe(200);
    expect(ok.bytes.equals(png)).toBe(true);
    expect(ok.headers.get('content-type')).toBe('image/png');

    for (const auth of [null, [USER, 'wrong'], [USER_B, PASS_B]] as const) {
      const denied = await raw(link, { auth: auth === null ? null : [auth[0], auth[1]] });
      expect(denied.status, JSON.stringify(auth)).toBe(401);
      assertMatchesSpec('messagingRequestError', json(denied.bytes));
      expect(denied.bytes.includes(png)).toBe(false);
    }

    // The same object through the SDK (%2F-encoded id) and in the account's listing.
    const api = mediaApi(running.url);
    expect((await download(api, ACCT, `${id}/1/cat.png`)).bytes.equals(png)).toBe(true);
    expect((await api.listMedia(ACCT)).data).toEqual([{ mediaName: `${id}/1/cat.png`, contentLength: png.length, content: link }]);
  });

  it('a lone attachment is index 0, and each owned recipient\'s copy gets its own stored attachment', async () => {
    const sink = await newSink();
    const running = await start({ callbackUrl: sink.url });
    const attachment = { filename: 'cat.png', contentType: 'image/png', contentBase64: png.toString('base64') };
    const copies = await running.inbound({ from: HANDSET, to: [NUMBER, NUMBER_2], text: 'pic', media: [attachment] });
    expect(copies).toHaveLength(2);
    await sink.waitFor((rs) => rs.flatMap((r) => r.body as Received[]).filter((e) => e.type === 'message-received').length === 2);
    const events = sink.requests.flatMap((r) => r.body as Received[]).filter((e) => e.type === 'message-received');
    const links = events.map((e) => e.message.media![0]!).sort();
    expect(links).toEqual(copies.map((c) => `${running.url}/api/v2/users/${ACCT}/media/${c.id}/0/cat.png`).sort());
    expect(new Set(links).size).toBe(2);
    for (const link of links) expect((await raw(link)).bytes.equals(png)).toBe(true);
    expect((await running.health()).media).toMatchObject({ objects: 2, bytes: 2 * png.length });
  });
});

describe('limits', () => {
  it('an upload over media.maxObjectBytes is a 413 with a Bandwidth-shaped body and stores nothing', async () => {
    const running = await start({ media: { maxObjectBytes: 1024 } });
    const api = mediaApi(running.url);
    expect((await api.uploadMedia(ACCT, 'fits.bin', asFile(Buffer.alloc(1024, 1)), 'application/octet-stream')).status).toBe(204);
    const tooBig = await failure(api.uploadMedia(ACCT, 'too-big.bin', asFile(Buffer.alloc(1025, 2)), 'application/octet-stream'));
    expect(tooBig.status).toBe(413);
    assertMatchesSpec('messagingRequestError', tooBig.data);
    expect((tooBig.data as { description: string }).description).toMatch(/media/);
    // Same through /api/v2 with a raw client.
    const rawTooBig = await raw(`${running.url}/api/v2/users/${ACCT}/media/too-big.png`, { method: 'PUT', body: Buffer.alloc(4096), contentType: 'image/png' });
    expect(rawTooBig.status).toBe(413);
    assertMatchesSpec('messagingRequestError', json(rawTooBig.bytes));
    expect((await api.listMedia(ACCT)).data.map((m) => m.mediaName)).toEqual(['fits.bin']);
  });

  it('the default object limit lets a 3 MB image through', async () => {
    const running = await start();
    const api = mediaApi(running.url);
    const big = Buffer.alloc(3 * 1024 * 1024, 0x5a);
    expect((await api.uploadMedia(ACCT, 'big.jpg', asFile(big), 'image/jpeg')).status).toBe(204);
    expect((await download(api, ACCT, 'big.jpg')).bytes.equals(big)).toBe(true);
  });

  it('media.maxTotalBytes: the oldest objects are evicted first, and health counts the evictions', async () => {
    const running = await start({ media: { maxTotalBytes: 3000 } });
    const api = mediaApi(running.url);
    for (const name of ['first', 'second', 'third']) await api.uploadMedia(ACCT, name, asFile(Buffer.alloc(1000, 3)), 'application/octet-stream');
    expect((await running.health()).media).toEqual({ objects: 3, bytes: 3000, evicted: 0, expired: 0, capBytes: 3000 });

    await api.uploadMedia(ACCT, 'fourth', asFile(Buffer.alloc(1000, 4)), 'application/octet-stream');
    expect((await api.listMedia(ACCT)).data.map((m) => m.mediaName)).toEqual(['fourth', 'second', 'third']);
    expect((await failure(api.getMedia(ACCT, 'first'))).status).toBe(404);
    expect((await running.health()).media).toEqual({ objects: 3, bytes: 3000, evicted: 1, expired: 0, capBytes: 3000 });

    // Another account's upload shares the cap: it pushes out A's two oldest.
    await mediaApi(running.url, USER_B, PASS_B).uploadMedia(ACCT_B, 'b-big', asFile(Buffer.alloc(2000)), 'application/octet-stream');
    expect((await api.listMedia(ACCT)).data.map((m) => m.mediaName)).toEqual(['fourth']);
    expect((await running.health()).media).toMatchObject({ objects: 2, bytes: 3000, evicted: 3 });
  });

  it('media.retention on the emulator clock: past it an object is gone from download, list and MMS checks', async () => {
    let offset = 0;
    const clock = createClock({ now: () => Date.now() + offset });
    const cfg = resolveConfig({ overrides: { ...config(), host: '127.0.0.1', port: 0, logLevel: 'silent', media: { retention: '1h' } } });
    let url = '';
    const emulator = createEmulator(cfg, { clock, listenUrl: () => url });
    const app: FastifyInstance = await buildApp(emulator);
    closers.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const control: ControlOperations = createControlOperations(emulator);
    const api = mediaApi(url);

    await api.uploadMedia(ACCT, 'old.png', asFile(png), 'image/png');
    offset += 30 * 60_000;
    await api.uploadMedia(ACCT, 'young.png', asFile(png), 'image/png');
    offset += 29 * 60_000;
    expect((await api.listMedia(ACCT)).data.map((m) => m.mediaName)).toEqual(['old.png', 'young.png']);

    offset += 2 * 60_000; // old.png is now 61 minutes old, young.png 31
    expect((await control.health()).media).toMatchObject({ objects: 1, bytes: png.length, expired: 1, evicted: 0 });
    const gone = await failure(api.getMedia(ACCT, 'old.png'));
    expect(gone.status).toBe(404);
    assertMatchesSpec('messagingRequestError', gone.data);
    expect((await api.listMedia(ACCT)).data.map((m) => m.mediaName)).toEqual(['young.png']);
    expect((await download(api, ACCT, 'young.png')).bytes.equals(png)).toBe(true);

    // An MMS naming the expired object fails like one naming a deleted object.
    const messages = new MessagesApi(new Configuration({ basePath: url, username: USER, password: PASS }));
    const res = await messages.createMessage(ACCT, { applicationId: APP, from: NUMBER, to: [TO] as unknown as Set<string>, media: [`https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/old.png`] });
    const failed = await control.callbacks.waitFor({ messageId: res.data.id, type: 'message-failed' }, { timeoutMs: 5000 });
    expect(failed.request.body).toEqual([expect.objectContaining({ type: 'message-failed', errorCode: 4410 })]);

    offset += 30 * 60_000;
    expect((await failure(api.getMedia(ACCT, 'young.png'))).status).toBe(404);
    expect((await control.health()).media).toMatchObject({ objects: 0, bytes: 0, expired: 2 });
  });
});

describe('accounts are isolated', () => {
  it('account B cannot read, list or delete account A\'s media; B\'s own listing is empty; same names do not collide', async () => {
    const running = await start();
    const a = mediaApi(running.url);
    const b = mediaApi(running.url, USER_B, PASS_B);
    await a.uploadMedia(ACCT, 'secret.png', asFile(png), 'image/png');

    for (const call of [b.getMedia(ACCT, 'secret.png'), b.listMedia(ACCT), b.deleteMedia(ACCT, 'secret.png'), b.uploadMedia(ACCT, 'planted.png', asFile(png), 'image/png')]) {
      const denied = await failure(call);
      expect(denied.status).toBe(401);
      assertMatchesSpec('messagingRequestError', denied.data);
      expect(denied.data).toEqual({ type: 'unauthorized', description: 'Authentication Failed' });
    }
    const rawDenied = await raw(`${running.url}/users/${ACCT}/media/secret.png`, { auth: [USER_B, PASS_B] });
    expect(rawDenied.status).toBe(401);

    const own = await b.listMedia(ACCT_B);
    expect(own.data).toEqual([]);
    expect((await failure(b.getMedia(ACCT_B, 'secret.png'))).status).toBe(404);

    // B's object of the same name is B's alone.
    const other = Buffer.from('account B bytes');
    await b.uploadMedia(ACCT_B, 'secret.png', asFile(other), 'text/plain');
    expect((await download(a, ACCT, 'secret.png')).bytes.equals(png)).toBe(true);
    expect((await download(b, ACCT_B, 'secret.png')).bytes.equals(other)).toBe(true);
    await b.deleteMedia(ACCT_B, 'secret.png');
    expect((await download(a, ACCT, 'secret.png')).bytes.equals(png)).toBe(true);
    expect((await a.listMedia(ACCT)).data.map((m) => m.mediaName)).toEqual(['secret.png']);

    // No credentials: 401; a user of A without the messaging role: 403.
    expect((await failure(mediaApi(running.url, '', '').listMedia(ACCT))).status).toBe(401);
    const forbidden = await failure(mediaApi(running.url, NO_MESSAGING_USER, NO_MESSAGING_PASS).getMedia(ACCT, 'secret.png'));
    expect(forbidden.status).toBe(403);
    expect(forbidden.data).toEqual({ type: 'forbidden', description: 'Access Denied' });
  });
});
