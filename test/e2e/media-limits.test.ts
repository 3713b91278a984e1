// The media API's bounds and walls: the per-object and total byte limits, retention on the emulator clock, and
// accounts kept apart (read, list, delete, roles). Bandwidth's spec for every body.
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi } from 'bandwidth-sdk';
import type { FastifyInstance } from 'fastify';
import { createClock } from '../../src/clock.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { createControlOperations, type ControlOperations } from '../../src/control/operations.js';
import { createEmulator } from '../../src/compose.js';
import { buildApp } from '../../src/server.js';
import {
  ACCT,
  ACCT_B,
  APP,
  asFile,
  config,
  download,
  failure,
  json,
  mediaApi,
  NO_MESSAGING_PASS,
  NO_MESSAGING_USER,
  NUMBER,
  PASS,
  PASS_B,
  png,
  raw,
  TO,
  useMediaEmulators,
  USER,
  USER_B,
} from '../helpers/media.js';
import { assertMatchesSpec } from '../helpers/spec.js';

const { start, defer } = useMediaEmulators();

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
    defer(() => app.close());
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
    const res = await messages.createMessage(ACCT, {
      applicationId: APP,
      from: NUMBER,
      to: [TO] as unknown as Set<string>,
      media: [`https://messaging.bandwidth.com/api/v2/users/${ACCT}/media/old.png`],
    });
    const failed = await control.callbacks.waitFor({ messageId: res.data.id, type: 'message-failed' }, { timeoutMs: 5000 });
    expect(failed.request.body).toEqual([expect.objectContaining({ type: 'message-failed', errorCode: 4410 })]);

    offset += 30 * 60_000;
    expect((await failure(api.getMedia(ACCT, 'young.png'))).status).toBe(404);
    expect((await control.health()).media).toMatchObject({ objects: 0, bytes: 0, expired: 2 });
  });
});

describe('accounts are isolated', () => {
  it("account B cannot read, list or delete account A's media; B's own listing is empty; same names do not collide", async () => {
    const running = await start();
    const a = mediaApi(running.url);
    const b = mediaApi(running.url, USER_B, PASS_B);
    await a.uploadMedia(ACCT, 'secret.png', asFile(png), 'image/png');

    for (const call of [
      b.getMedia(ACCT, 'secret.png'),
      b.listMedia(ACCT),
      b.deleteMedia(ACCT, 'secret.png'),
      b.uploadMedia(ACCT, 'planted.png', asFile(png), 'image/png'),
    ]) {
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
