// POST /__emulator/state is atomic and bounded: a document is checked completely and built aside before anything is
// replaced; any refusal is a 400 (or 413 past the body cap, 503 when the data dir cannot be written) that changes
// nothing, never a 500 that leaves half a state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_STATE_BODY_BYTES, stateBodyLimit, type StateDocument } from '../../src/persistence/state-document.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { MediaStore } from '../../src/store/media.js';
import { fullDisk } from '../helpers/full-disk.js';

const ACCOUNT = '9900000';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const BASIC = 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64');

const running: RunningEmulator[] = [];
const folders: string[] = [];
let restoreDisk: (() => void) | undefined;
afterEach(async () => {
  restoreDisk?.();
  restoreDisk = undefined;
  vi.restoreAllMocks();
  await Promise.all(running.splice(0).map((r) => r.close()));
});
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function start(options: ConfigFile = {}): Promise<RunningEmulator> {
  // Time runs a million times slower: everything planned stays pending, so a half-done import would show.
  const r = await startEmulator({ timeScale: 1e6, logLevel: 'silent', ...options });
  running.push(r);
  return r;
}

/** An emulator with some of everything: a run-time scenario, media, two messages in flight. */
async function withState(options: ConfigFile = {}): Promise<RunningEmulator> {
  const r = await start(options);
  await r.scenarios.use({
    version: 1,
    name: 'fails',
    rules: [{ name: 'x', match: { to: '+19195557002' }, events: [{ type: 'message-failed', errorCode: 4720 }] }],
  });
  const put = await request(`${r.url}/users/${ACCOUNT}/media/kept.png`, {
    method: 'PUT',
    headers: { 'content-type': 'image/png', authorization: BASIC },
    body: 'kept bytes',
  });
  expect(put.statusCode).toBe(204);
  for (const to of ['+19195557001', '+19195557002']) r.emulator.acceptOutbound(ACCOUNT, { applicationId: APP, from: FROM, to: [to], text: 'before' });
  return r;
}

/** Everything a refused import must leave alone. */
async function snapshot(r: RunningEmulator) {
  const { exportedAt: _at, ...state } = await r.state.export();
  const { timeline, clock, dispatcher } = r.emulator.parts;
  return { state, pendingSteps: timeline.pendingSteps, timers: clock.pending, books: dispatcher.stats() };
}

async function postState(
  r: RunningEmulator,
  body: string,
): Promise<{ status: number; body: { error: string; message: string; problems?: Array<{ field: string; problem: string }> } }> {
  const res = await request(`${r.url}/__emulator/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.statusCode, body: (await res.body.json()) as never };
}

const message = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  accountId: ACCOUNT,
  direction: 'out',
  applicationId: APP,
  owner: FROM,
  from: FROM,
  to: ['+19195557009'],
  text: 'imported',
  priority: 'default',
  time: 1_700_000_000_000,
  segmentCount: 1,
  recipients: [{ to: '+19195557009', status: 'QUEUED', errorCode: 0, updatedAt: 1_700_000_000_000 }],
  timeline: [],
  ...extra,
});
const entry = (seq: number, extra: Record<string, unknown> = {}) => ({
  seq,
  eventId: `ev-${seq}`,
  accountId: ACCOUNT,
  messageId: 'i1',
  applicationId: APP,
  type: 'message-delivered',
  recipient: '+19195557009',
  attempt: 1,
  at: 1_700_000_000_000,
  durationMs: 3,
  request: { headers: {}, body: [] },
  outcome: 'delivered',
  ...extra,
});
const steps = (extra: Record<string, unknown> = {}, step: Record<string, unknown> = {}) => ({
  accountId: ACCOUNT,
  messageId: 'i1',
  recipient: '+19195557009',
  steps: [{ afterMs: 100, type: 'message-delivered', ...step }],
  next: 0,
  dueAt: 1_700_000_000_000,
  ...extra,
});
const doc = (parts: Partial<Record<keyof StateDocument, unknown>> = {}) => ({
  kind: 'bandwidth-emulator-state',
  version: 1,
  messages: [message('i1')],
  media: [],
  journal: [entry(1)],
  scenarios: [],
  ...parts,
});

describe('POST /__emulator/state refuses numbers outside their domain, with 400 naming the field; nothing changes', () => {
  const cases: Array<[string, string, string]> = [
    ["a message time past Date's range", JSON.stringify(doc({ messages: [message('i1', { time: 1e300 })] })), 'messages[0].time'],
    ['a time that JSON reads as Infinity (1e400)', JSON.stringify(doc()).replace('"time":1700000000000', '"time":1e400'), 'messages[0].time'],
    [
      "a recipient updatedAt before Date's range",
      JSON.stringify(doc({ messages: [message('i1', { recipients: [{ to: '+1', status: 'QUEUED', errorCode: 0, updatedAt: -9e15 }] })] })),
      'messages[0].recipients[0].updatedAt',
    ],
    ['a segment count past the safe integers', JSON.stringify(doc({ messages: [message('i1', { segmentCount: 2 ** 60 })] })), 'messages[0].segmentCount'],
    ['a journal sequence number past 2^52', JSON.stringify(doc({ journal: [entry(2 ** 53)] })), 'journal[0].seq'],
    ['an attempt of 1e300', JSON.stringify(doc({ journal: [entry(1, { attempt: 1e300 })] })), 'journal[0].attempt'],
    ['an HTTP status of 1e6', JSON.stringify(doc({ journal: [entry(1, { response: { status: 1e6, body: '' } })] })), 'journal[0].response.status'],
    [
      'a step sending 1e15 duplicates',
      JSON.stringify(doc({ pending: { steps: [steps({}, { duplicates: 1e15 })], deliveries: [] } })),
      'pending.steps[0].steps[0].duplicates',
    ],
    ["a step due after Date's range", JSON.stringify(doc({ pending: { steps: [steps({ dueAt: 1e300 })], deliveries: [] } })), 'pending.steps[0].dueAt'],
    [
      'a step delay of 1e300 ms',
      JSON.stringify(doc({ pending: { steps: [steps({}, { afterMs: 1e300 })], deliveries: [] } })),
      'pending.steps[0].steps[0].afterMs',
    ],
    ['a rule hit count of 1e300', JSON.stringify(doc({ ruleHits: { '*/x/r1': 1e300 } })), 'ruleHits'],
    [
      "a media upload time past Date's range",
      JSON.stringify(doc({ media: [{ accountId: ACCOUNT, mediaId: 'm', contentType: 'image/png', createdAt: 9e15, contentBase64: '' }] })),
      'media[0].createdAt',
    ],
  ];
  for (const [what, body, field] of cases) {
    it(what, async () => {
      const r = await withState();
      const before = await snapshot(r);
      const res = await postState(r, body);
      expect(res.status).toBe(400);
      expect(res.body.problems?.map((p) => p.field).join(' ')).toContain(field);
      expect(await snapshot(r)).toEqual(before);
      expect((await request(`${r.url}/__emulator/messages`)).statusCode).toBe(200);
    });
  }
});

describe('POST /__emulator/state bounds the document: depth and size', () => {
  it('refuses a document nested 100,000 levels deep with 400 naming where (was a 500, and an import that left half a state)', async () => {
    const r = await withState();
    const before = await snapshot(r);
    const body = JSON.stringify(doc({ messages: [message('i1', { timeline: [{ at: 1, what: 'x', detail: { d: 'DEEP' } }] })] })).replace(
      '"DEEP"',
      '['.repeat(100_000) + ']'.repeat(100_000),
    );
    const res = await postState(r, body);
    expect(res.status).toBe(400);
    expect(res.body.problems?.[0]).toMatchObject({
      field: expect.stringMatching(/^messages\[0\]\.timeline\[0\]\.detail\.d(\[0\])+$/),
      problem: 'nests deeper than 64 levels',
    });
    expect(await snapshot(r)).toEqual(before);
  });

  it("refuses a body over the cap with 413 in the control API's shape, whether its length is announced or not", async () => {
    const options: ConfigFile = { media: { maxTotalBytes: 1024 }, limits: { maxMessages: 10, maxJournalEntries: 10 } };
    const r = await withState(options);
    const limit = stateBodyLimit(r.emulator.config);
    expect(limit).toBe(Math.ceil((1024 * 4) / 3) + 20 * 8 * 1024 + 8 * 1024 * 1024);
    const before = await snapshot(r);
    const big = JSON.stringify(doc({ exportedAt: 'x'.repeat(limit) }));
    const announced = await postState(r, big);
    expect(announced.status).toBe(413);
    expect(announced.body).toMatchObject({
      error: 'payload-too-large',
      message: expect.stringContaining(`larger than the ${limit} bytes POST /__emulator/state takes`),
      limitBytes: limit,
    });
    // Chunked, with no Content-Length: refused once the cap is passed.
    async function* chunks() {
      for (let sent = 0; sent <= limit; sent += 1024 * 1024) yield Buffer.alloc(1024 * 1024, 0x20);
    }
    const chunked = await request(`${r.url}/__emulator/state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Readable.from(chunks()),
    });
    expect(chunked.statusCode).toBe(413);
    expect(await chunked.body.json()).toMatchObject({ error: 'payload-too-large' });
    expect(await snapshot(r)).toEqual(before);
    // The defaults (256 MiB of media) reach the hard maximum, far below V8's longest string.
    expect(stateBodyLimit(resolveConfig())).toBe(MAX_STATE_BODY_BYTES);
    expect(MAX_STATE_BODY_BYTES).toBeLessThan(2 ** 29 - 24);
  });
});

describe('an import is atomic: checked and built aside before anything is replaced', () => {
  it('refuses keys that must be unique (a second message with the same id) with 400; nothing changes', async () => {
    const r = await withState();
    const before = await snapshot(r);
    const res = await postState(r, JSON.stringify(doc({ messages: [message('i1'), message('i1', { text: 'twin' })] })));
    expect(res.status).toBe(400);
    expect(res.body.problems).toContainEqual(expect.objectContaining({ field: 'messages[1]', problem: 'has the same message id as messages[0]' }));
    expect(await snapshot(r)).toEqual(before);
  });

  it('refuses a media object over media.maxObjectBytes with 400; nothing changes', async () => {
    const r = await withState({ media: { maxObjectBytes: 16 } });
    const before = await snapshot(r);
    const res = await postState(
      r,
      JSON.stringify(
        doc({
          media: [{ accountId: ACCOUNT, mediaId: 'big', contentType: 'image/png', createdAt: Date.now(), contentBase64: Buffer.alloc(17).toString('base64') }],
        }),
      ),
    );
    expect(res.status).toBe(400);
    expect(res.body.problems?.[0]).toMatchObject({ field: 'media[0].contentBase64', problem: "holds 17 bytes; this emulator's media.maxObjectBytes is 16" });
    expect(await snapshot(r)).toEqual(before);
  });

  for (const dataDir of [false, true]) {
    it(`a failure while the document is built (injected) answers 400 and leaves the old state intact${dataDir ? ', in memory and on file' : ''}`, async () => {
      const folder = dataDir ? mkdtempSync(join(tmpdir(), 'bw-import-')) : undefined;
      if (folder) folders.push(folder);
      const r = await withState(folder ? { dataDir: folder } : {});
      const before = await snapshot(r);
      // A document that passes every check, and a restore that throws on its first media object.
      const valid = doc({
        media: [
          { accountId: ACCOUNT, mediaId: 'new.png', contentType: 'image/png', createdAt: Date.now(), contentBase64: Buffer.from('new').toString('base64') },
        ],
      });
      vi.spyOn(MediaStore.prototype, 'restore').mockImplementationOnce(() => {
        throw new Error('injected restore failure');
      });
      const res = await postState(r, JSON.stringify(valid));
      expect(res.status).toBe(400);
      expect(res.body.problems?.[0]).toMatchObject({ field: '(document)', problem: 'could not be restored (injected restore failure)' });
      expect(await snapshot(r)).toEqual(before);
      // Then the same document imports.
      expect((await postState(r, JSON.stringify(valid))).status).toBe(200);
      expect((await r.messages.list()).map((m) => m.id)).toEqual(['i1']);
      if (folder) {
        await r.close();
        const again = await start({ dataDir: folder });
        expect((await again.messages.list()).map((m) => m.id)).toEqual(['i1']);
      }
    });
  }

  it('with a data dir that cannot be written, an import answers 503 and changes nothing, in memory or on file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bw-import-'));
    folders.push(folder);
    const r = await withState({ dataDir: folder });
    const before = await snapshot(r);
    restoreDisk = fullDisk();
    const res = await postState(r, JSON.stringify(doc()));
    restoreDisk();
    restoreDisk = undefined;
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'storage-unavailable', message: expect.stringContaining('SQLITE_FULL') });
    expect(await snapshot(r)).toEqual(before);
    await r.close();
    const again = await start({ dataDir: folder });
    expect((await again.messages.list()).map((m) => m.id).sort()).toEqual(before.state.messages.map((m) => m.id).sort());
  });
});
