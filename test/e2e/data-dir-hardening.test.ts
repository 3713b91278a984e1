// The data dir never loses or misreports: a write the answer depends on either commits or the request is refused with
// nothing kept or sent; a second emulator cannot share the folder; a message with pending work is not evicted; an
// impossible folder is refused at once; the largest journal cap restores.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { DATA_FILE } from '../../src/persistence/data-dir.js';
import { OWNER_FILE } from '../../src/persistence/dir-lock.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { fullDisk } from '../helpers/full-disk.js';
import { useCallbackHarness } from '../helpers/harness.js';

const ACCOUNT = '9900000';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const BASIC = 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64');
// Delivered 30 emulated seconds after the 202 (1.5 s of real time at scale 0.05).
const SLOW = '+15553000030';

const harness = useCallbackHarness();
const folders: string[] = [];
let restoreDisk: (() => void) | undefined;
afterEach(() => {
  restoreDisk?.();
  restoreDisk = undefined;
});
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-hard-'));
  folders.push(dir);
  return dir;
}

async function start(options: ConfigFile): Promise<RunningEmulator> {
  const running = await startEmulator({ logLevel: 'silent', ...options });
  harness.emulators.push(running);
  return running;
}

const accountsFor = (callbackUrl: string) => [
  {
    id: ACCOUNT,
    users: [{ username: 'bw-user', password: 'bw-password' }],
    applications: [{ id: APP, callbackUrl }],
    numbers: [{ number: FROM, applicationId: APP }],
  },
];

async function create(running: RunningEmulator, to: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(`${running.url}/users/${ACCOUNT}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: BASIC },
    body: JSON.stringify({ applicationId: APP, to: [to], from: FROM, text: `to ${to}` }),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('a data dir write that fails (disk full)', () => {
  it("refuses the create with 503 in Bandwidth's shape; nothing is kept, planned or sent, on file or after a restart", async () => {
    const dataDir = tempDir();
    const sink = await harness.newSink();
    // Time scale 0: a planned step would fire on the next turn of the event loop, right after the answer.
    const running = await start({ dataDir, timeScale: 0, accounts: accountsFor(sink.url) });
    restoreDisk = fullDisk();
    const refused = await create(running, '+19195557001');
    restoreDisk();
    restoreDisk = undefined;
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      type: 'service-unavailable',
      description: expect.stringMatching(/could not write .*emulator\.sqlite \(SQLITE_FULL\); nothing was kept or sent/),
    });
    expect(await running.messages.list()).toEqual([]);
    expect(running.emulator.stats()).toMatchObject({ pendingSteps: 0, callbacks: { planned: 0 } });

    // The disk has room again: the next create is accepted and delivered; it is the only thing that ever happened.
    const accepted = await create(running, '+19195557002');
    expect(accepted.status).toBe(202);
    await running.callbacks.waitFor({ messageId: accepted.body.id as string, outcome: 'delivered' });
    const seen = new Set(sink.requests.flatMap((r) => (r.body as Array<{ message: { id: string } }>).map((e) => e.message.id)));
    expect([...seen]).toEqual([accepted.body.id]);
    expect(new Set((await running.callbacks.list()).map((e) => e.messageId))).toEqual(new Set([accepted.body.id]));
    expect(running.emulator.stats().callbacks.planned).toBe(1);
    await running.close();

    const again = await start({ dataDir, timeScale: 0, accounts: accountsFor(sink.url) });
    expect((await again.messages.list()).map((m) => m.id)).toEqual([accepted.body.id]);
  });

  it('refuses an inbound message with 503 {error, message}: no copy is kept, no attachment stored, no message-received sent', async () => {
    const sink = await harness.newSink();
    const running = await start({ dataDir: tempDir(), timeScale: 0, accounts: accountsFor(sink.url) });
    restoreDisk = fullDisk();
    const res = await request(`${running.url}/__emulator/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: '+19195557003',
        to: [FROM],
        text: 'hello',
        media: [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: Buffer.from('attached').toString('base64') }],
      }),
    });
    restoreDisk();
    restoreDisk = undefined;
    expect(res.statusCode).toBe(503);
    expect(await res.body.json()).toEqual({ error: 'storage-unavailable', message: expect.stringMatching(/SQLITE_FULL/) });
    expect(await running.messages.list()).toEqual([]);
    expect(running.emulator.stats()).toMatchObject({ pendingSteps: 0, media: { objects: 0 }, callbacks: { planned: 0 } });
    // Proof that time moved on: an accepted message's callback arrives, and it is the only request the sink got.
    const accepted = await create(running, '+19195557004');
    await running.callbacks.waitFor({ messageId: accepted.body.id as string, outcome: 'delivered' });
    expect(sink.requests.every((r) => JSON.stringify(r.body).includes(accepted.body.id as string))).toBe(true);
  });

  it('refuses a media upload with 503 and keeps serving the object it would have replaced', async () => {
    const running = await start({ dataDir: tempDir() });
    const url = `${running.url}/users/${ACCOUNT}/media/pic.png`;
    const put = (body: string) => request(url, { method: 'PUT', headers: { 'content-type': 'image/png', authorization: BASIC }, body });
    expect((await put('first')).statusCode).toBe(204);
    restoreDisk = fullDisk();
    const refused = await put('second');
    restoreDisk();
    restoreDisk = undefined;
    expect(refused.statusCode).toBe(503);
    expect(await refused.body.json()).toMatchObject({ type: 'service-unavailable' });
    const got = await request(url, { headers: { authorization: BASIC } });
    expect(await got.body.text()).toBe('first');
    expect(running.emulator.stats().media).toMatchObject({ objects: 1, bytes: 5 });
  });
});

describe('a background write that fails (disk full while a step fires)', () => {
  it('is logged and kept in memory; the emulator keeps serving, and after a restart the callback is sent again (at least once)', async () => {
    const dataDir = tempDir();
    const sink = await harness.newSink();
    const config: ConfigFile = { dataDir, timeScale: 0.05, accounts: accountsFor(sink.url) };
    const running = await start(config);
    const logged = vi.spyOn(running.emulator.log, 'error');
    // Delivered 1 emulated second (50 ms) after the 202, committed with room on the disk.
    const id = (await create(running, '+15553000001')).body.id as string;
    restoreDisk = fullDisk();
    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' });
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ file: expect.stringContaining(DATA_FILE) }),
      expect.stringMatching(/^could not write the data dir: .*; this change is kept in memory only$/),
    );
    expect((await request(`${running.url}/__emulator/health`)).statusCode).toBe(200);
    restoreDisk();
    restoreDisk = undefined;
    expect((await running.messages.get(id))?.recipients[0]?.status).toBe('DELIVERED');
    await running.close();
    // The file still holds the step as pending: it plays again, and the receiver gets the event a second time.
    const again = await start(config);
    await again.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' });
    await sink.waitFor((requests) => requests.filter((r) => JSON.stringify(r.body).includes(id)).length === 2);
  });
});

describe('a carrier action whose write fails (disk full)', () => {
  it('is refused with 503 and taken back: no event sent, status and planned steps as they were, also after a restart', async () => {
    const dataDir = tempDir();
    const sink = await harness.newSink();
    const config: ConfigFile = { dataDir, accounts: accountsFor(sink.url) };
    const running = await start(config);
    // Delivered an hour after the 202: in flight for the whole test.
    const id = (await create(running, '+15553003600')).body.id as string;
    const before = await running.messages.get(id);
    restoreDisk = fullDisk();
    const res = await request(`${running.url}/__emulator/messages/${id}/carrier`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'fail', errorCode: 4720 }),
    });
    restoreDisk();
    restoreDisk = undefined;
    expect(res.statusCode).toBe(503);
    expect(await res.body.json()).toMatchObject({ error: 'storage-unavailable' });
    expect(await running.messages.get(id)).toEqual(before);
    expect(running.emulator.stats()).toMatchObject({ pendingSteps: 1, callbacks: { planned: 0, pending: 0 } });
    expect(await running.callbacks.list({ messageId: id })).toEqual([]);
    // The disk has room again: the same message can still be acted on, and only that act is ever sent.
    await running.carrier(id, { action: 'deliver' });
    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' });
    expect(sink.requests.flatMap((r) => (r.body as Array<{ type: string }>).map((e) => e.type))).toEqual(['message-delivered']);
    await running.close();
    const again = await start(config);
    expect(again.emulator.stats().pendingSteps, 'the replaced step is not on file').toBe(0);
    expect((await again.messages.get(id))?.recipients[0]?.status).toBe('DELIVERED');
  });
});

describe('one data dir, one emulator', () => {
  it("a second emulator on the same data dir refuses at once, naming the holder's pid and the fix; after a close it starts", async () => {
    const dataDir = tempDir();
    const first = await start({ dataDir });
    const owner = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as { pid: number };
    expect(owner.pid).toBe(process.pid);
    const started = performance.now();
    const error = await startEmulator({ dataDir, logLevel: 'silent' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EmulatorConfigError' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `is in use by the emulator with pid ${process.pid} on host .*Fix: stop that emulator first \\(kill ${process.pid}\\), or give this one another --data-dir`,
      ),
    );
    // Refused without waiting for SQLite's busy timeout (5 s by default).
    expect(performance.now() - started).toBeLessThan(4000);
    // The first one is untouched and keeps writing.
    expect((await create(first, '+19195557005')).status).toBe(202);
    await first.close();
    expect(existsSync(join(dataDir, OWNER_FILE)), 'the owner note goes with the emulator').toBe(false);
    const second = await start({ dataDir });
    expect(await second.messages.list()).toHaveLength(1);
  });

  it.skipIf(!existsSync('/proc/self'))('an impossible folder (under /proc) is refused at once, naming it and the fix', async () => {
    // Was: mkdirSync(dir, { recursive: true }) spun forever on /proc, and start-up never returned.
    await expect(startEmulator({ dataDir: '/proc/bw-emulator-data', logLevel: 'silent' })).rejects.toThrow(
      /\/proc\/bw-emulator-data cannot be used \(ENOENT[^)]*\)\. Fix: give a folder/,
    );
  });
});

describe('eviction never drops pending work', () => {
  it('a message with a pending step is held over the message cap (counted), and its step still fires after a restart', async () => {
    const dataDir = tempDir();
    const sink = await harness.newSink();
    const config: ConfigFile = { dataDir, timeScale: 0.05, limits: { maxMessages: 2 }, accounts: accountsFor(sink.url) };
    const first = await start(config);
    const slow = await create(first, SLOW);
    const fast = [];
    for (const to of ['+19195557011', '+19195557012', '+19195557013']) fast.push((await create(first, to)).body.id as string);
    const health = await connectEmulator(first.url).health();
    // The slow message is the oldest: the cap would have evicted it. It is held instead; two fast ones fill the cap.
    expect(health.messages).toMatchObject({ messages: 3, cap: 2, held: 1, evicted: 1 });
    expect(await first.messages.get(slow.body.id as string)).toBeDefined();
    await first.close();

    const second = await start(config);
    expect((await second.messages.list()).map((m) => m.id).sort()).toEqual([slow.body.id, ...fast.slice(1)].sort());
    await second.callbacks.waitFor({ messageId: slow.body.id as string, type: 'message-delivered', outcome: 'delivered' }, { timeoutMs: 15_000 });
    await sink.waitFor((requests) => requests.some((r) => JSON.stringify(r.body).includes(slow.body.id as string)));
    // Its work done, the held message is evicted like any other: the cap holds again, in memory and on file.
    expect((await connectEmulator(second.url).health()).messages).toMatchObject({ messages: 2, held: 0 });
    await second.close();
    const db = new Sqlite(join(dataDir, DATA_FILE), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM messages').get()).toEqual({ n: 2 });
    db.close();
  });
});

describe('any allowed journal cap restores', () => {
  it('a data dir holding 1,000,000 journal entries (the largest limits.maxJournalEntries) restarts with all of them', async () => {
    const dataDir = tempDir();
    const config: ConfigFile = { dataDir, limits: { maxJournalEntries: 1_000_000 } };
    await (await start(config)).close();
    const count = 1_000_000;
    const db = new Sqlite(join(dataDir, DATA_FILE));
    const insert = db.prepare('INSERT INTO journal (seq, account_id, doc) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let seq = 1; seq <= count; seq++) {
        const entry = {
          seq,
          eventId: `ev-${seq}`,
          accountId: ACCOUNT,
          messageId: `m${seq}`,
          applicationId: APP,
          type: 'message-delivered',
          recipient: '+19195550111',
          attempt: 0,
          at: 1.7e12,
          durationMs: 0,
          request: { headers: {}, body: [] },
          outcome: 'no-target',
        };
        insert.run(seq, ACCOUNT, JSON.stringify(entry));
      }
    })();
    db.close();
    // Was: the restore spread every event number into Math.max(...) and overflowed the stack past ~120,000 entries.
    const running = await start(config);
    expect(running.emulator.stats().journal).toEqual({ entries: count, evicted: 0, cap: count });
    // New events continue after the restored ones.
    const id = (await create(running, '+19195557021')).body.id as string;
    const entry = await running.callbacks.waitFor({ messageId: id });
    expect(entry.seq).toBe(count + 1);
    expect(entry.eventId).toBe(`ev-${count + 1}`);
  }, 180_000);

  it('refuses a cap above the largest allowed, naming the field and the bound', async () => {
    await expect(startEmulator({ limits: { maxJournalEntries: 1_000_001 } })).rejects.toThrow(/limits\.maxJournalEntries/);
  });
});
