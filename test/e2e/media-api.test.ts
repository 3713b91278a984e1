// The media API end to end: the official bandwidth-sdk (and raw fetch where a webhook consumer would use one) against
// a real emulator on 127.0.0.1:0, and Bandwidth's spec for every body: upload, list, download, delete, names and
// types, and listing pages by continuation token.
import { describe, expect, it } from 'vitest';
import { ACCT, asFile, download, failure, json, listAll, mediaApi, png, raw, useMediaEmulators } from '../helpers/media.js';
import { assertMatchesSpec } from '../helpers/spec.js';

const { start } = useMediaEmulators();

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

  it('an empty media id (a path ending at /media/) is a 400 naming mediaId for upload, download and delete alike', async () => {
    const running = await start();
    for (const method of ['PUT', 'GET', 'DELETE']) {
      const answer = await raw(`${running.url}/users/${ACCT}/media/`, { method, ...(method === 'PUT' ? { body: 'x', contentType: 'text/plain' } : {}) });
      expect(answer.status, method).toBe(400);
      const body = json(answer.bytes);
      assertMatchesSpec('createMessageRequestError', body);
      expect(body).toMatchObject({ type: 'request-validation', fieldErrors: [{ fieldName: 'mediaId' }] });
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
    for (let i = 0; i < 1000; i++)
      running.emulator.parts.media.put({ accountId: ACCT, mediaId: `m${String(i).padStart(4, '0')}`, bytes: Buffer.from('x'), contentType: 'text/plain' });
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
