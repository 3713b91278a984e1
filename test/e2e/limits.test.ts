// The limits a hostile or careless client meets, each with a clear Bandwidth-shaped answer: recipients, media
// count, request body size, media ids that try to climb out of their folder (they stay plain keys, inside their own
// account), and the control API's inbound limits. Header size, media bytes, scenario file size and unsafe regexes
// have their own tests (test/property/raw-http, test/e2e/media, test/property/scenario-loader, test/unit/scenario-compile).
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { MESSAGE_LIMITS } from '../../src/api/message-request.js';
import { useEmulators } from '../helpers/fixture.js';

const ACCOUNT_A = '9904000';
const ACCOUNT_B = '9904001';
const APP = '0a1b2c3d-0000-4000-8000-0000000000c1';
const FROM = '+19195550100';
const basic = 'Basic ' + Buffer.from('limits-user:limits-pass').toString('base64');

const emulators = useEmulators();
let running: RunningEmulator;
let port: number;

beforeAll(async () => {
  const account = (id: string, number: string) => ({
    id,
    users: [{ username: 'limits-user', password: 'limits-pass' }],
    applications: [{ id: APP }],
    numbers: [{ number, applicationId: APP }],
  });
  running = await emulators.start({ accounts: [account(ACCOUNT_A, FROM), account(ACCOUNT_B, '+19195550101')] });
  port = Number(new URL(running.url).port);
});

async function create(
  body: unknown,
): Promise<{ status: number; body: { type?: string; description?: string; fieldErrors?: Array<{ fieldName: string; description: string }> } }> {
  const res = await fetch(`${running.url}/users/${ACCOUNT_A}/messages`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/** A request whose path goes on the wire exactly as written (fetch and URL would resolve `..`). */
function rawPath(method: string, path: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { authorization: basic, 'content-type': 'application/octet-stream' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const numbers = (n: number) => Array.from({ length: n }, (_, i) => `+1919555${String(8000 + i)}`);

describe('create-message limits', () => {
  it(`at most ${MESSAGE_LIMITS.recipients} recipients: 11 is a 400 that says how many and what to do`, async () => {
    expect((await create({ applicationId: APP, from: FROM, to: numbers(10), text: 'ten' })).status).toBe(202);
    const res = await create({ applicationId: APP, from: FROM, to: numbers(11), text: 'eleven' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      type: 'request-validation',
      fieldErrors: [{ fieldName: 'to', description: 'A message can have at most 10 recipients; 11 were given. Split it into several messages' }],
    });
  });

  it(`at most ${MESSAGE_LIMITS.media} media URLs, each at most ${MESSAGE_LIMITS.mediaUrl} characters`, async () => {
    const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/${i}.png`);
    expect((await create({ applicationId: APP, from: FROM, to: numbers(1), media: urls(10) })).status).toBe(202);
    const many = await create({ applicationId: APP, from: FROM, to: numbers(1), media: urls(11) });
    expect(many.status).toBe(400);
    expect(many.body.fieldErrors).toEqual([{ fieldName: 'media', description: 'A message can have at most 10 media URLs; 11 were given' }]);
    const long = await create({ applicationId: APP, from: FROM, to: numbers(1), media: [`https://example.com/${'a'.repeat(4100)}`] });
    expect(long.status).toBe(400);
    expect(long.body.fieldErrors?.[0]?.fieldName).toBe('media[0]');
  });

  it('a JSON body over 1 MB is a Bandwidth-shaped 413 and stores nothing', async () => {
    const before = running.emulator.parts.store.stats().messages;
    const res = await create({ applicationId: APP, from: FROM, to: numbers(1), text: 'x', padding: 'p'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ type: 'request-validation', description: expect.stringContaining('request size limit') });
    expect(running.emulator.parts.store.stats().messages).toBe(before);
  });
});

describe('media ids cannot escape their folder', () => {
  const traversals = [
    '../x.bin',
    '../../9904001/media/stolen.bin',
    '..%2F..%2F9904001%2Fmedia%2Fstolen.bin',
    '%2e%2e/%2e%2e/etc/passwd',
    'a/../../b.bin',
    '..\\..\\win.ini',
  ];

  it.each(traversals)('PUT %s: stored under account A as a plain key (or refused), never in account B', async (id) => {
    const bytes = Buffer.from(`bytes for ${id}`);
    const put = await rawPath('PUT', `/users/${ACCOUNT_A}/media/${id}`, bytes);
    // The router may refuse a path it cannot map to the media route; it never lands anywhere else.
    if (put.status === 204) {
      const got = await rawPath('GET', `/users/${ACCOUNT_A}/media/${id}`);
      expect(got.status).toBe(200);
      expect(got.body.equals(bytes)).toBe(true);
    } else {
      expect([400, 404]).toContain(put.status);
    }
    expect(running.emulator.parts.media.list(ACCOUNT_B)).toEqual([]);
  });

  it('after all of them, account B holds nothing and account A lists each id as a name, not a path', async () => {
    expect(running.emulator.parts.media.list(ACCOUNT_B)).toEqual([]);
    const names = running.emulator.parts.media.list(ACCOUNT_A).map((o) => o.mediaId);
    expect(names).toContain('../x.bin');
    expect(names).toContain('../../9904001/media/stolen.bin');
    const listed = await fetch(`${running.url}/users/${ACCOUNT_B}/media`, { headers: { authorization: basic } });
    expect(await listed.json()).toEqual([]);
  });
});

describe('control API inbound limits', () => {
  it('more than 100 recipients or 10 media on /__emulator/inbound is the documented 400', async () => {
    const post = (body: unknown) =>
      fetch(`${running.url}/__emulator/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const tooMany = await post({ from: '+15551230000', to: numbers(101), text: 'x' });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: 'bad-request' });
    const tooMuchMedia = await post({ from: '+15551230000', to: [FROM], media: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}`) });
    expect(tooMuchMedia.status).toBe(400);
  });
});
