// Persistence in-process: an emulator with a data dir is closed with work still pending and started again on the same
// folder; export/import moves the same state through the control API, in-process and over HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { ControlInputError } from '../../src/control/operations.js';
import { DATA_FILE } from '../../src/persistence/data-dir.js';
import type { StateDocument } from '../../src/persistence/state-document.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { settled } from '../helpers/harness.js';

const ACCOUNT = '9900000';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const NOW = '+19195557001';
// Delivered 30 emulated seconds after the 202: at time scale 0.05, 1.5 s of real time (still pending at close).
const SLOW = '+15553000030';
// A run-time scenario that fails this number with 4720.
const FAILS = '+19195557002';

const emulators = useEmulators();
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-persist-'));
  folders.push(dir);
  return dir;
}

async function start(options: ConfigFile): Promise<RunningEmulator> {
  return emulators.start({ timeScale: 0.05, ...options });
}

async function send(running: RunningEmulator, to: string, text = 'persist me'): Promise<string> {
  const res = await request(`${running.url}/users/${ACCOUNT}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64') },
    body: JSON.stringify({ applicationId: APP, to: [to], from: FROM, text }),
  });
  expect(res.statusCode).toBe(202);
  return ((await res.body.json()) as { id: string }).id;
}

async function putMedia(running: RunningEmulator, mediaId: string, bytes: Buffer): Promise<void> {
  const res = await request(`${running.url}/users/${ACCOUNT}/media/${mediaId}`, {
    method: 'PUT',
    headers: { 'content-type': 'image/png', authorization: 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64') },
    body: bytes,
  });
  expect(res.statusCode).toBe(204);
  await res.body.dump();
}

const failScenario = {
  version: 1,
  name: 'fails-4720',
  rules: [{ name: 'rejected', match: { to: FAILS }, events: [{ type: 'message-failed', errorCode: 4720 }] }],
};

describe('--data-dir: state survives a restart', () => {
  it('keeps messages, media, journal and run-time scenarios, and delivers after the restart what was pending at close', async () => {
    const dataDir = tempDir();
    const sink = await emulators.newSink();
    const accounts = [
      {
        id: ACCOUNT,
        users: [{ username: 'bw-user', password: 'bw-password' }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [{ number: FROM, applicationId: APP }],
      },
    ];

    const first = await start({ dataDir, accounts });
    await first.scenarios.use(failScenario, { accountId: ACCOUNT });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    await putMedia(first, 'pic/one.png', png);
    const deliveredId = await send(first, NOW);
    const failedId = await send(first, FAILS);
    const slowId = await send(first, SLOW);
    await first.callbacks.waitFor({ messageId: deliveredId, outcome: 'delivered' });
    await first.callbacks.waitFor({ messageId: failedId, type: 'message-failed', outcome: 'delivered' });
    const journalBefore = await first.callbacks.list();
    const report = await first.close();
    expect(report.stepsNotFired, 'the slow delivery was still pending at close').toBe(1);
    expect(sink.requests.some((r) => JSON.stringify(r.body).includes(slowId))).toBe(false);

    const second = await start({ dataDir, accounts });
    // Messages: the same rows, statuses included.
    const messages = await second.messages.list({ accountId: ACCOUNT });
    expect(messages.map((m) => m.id).sort()).toEqual([deliveredId, failedId, slowId].sort());
    expect((await second.messages.get(deliveredId))?.recipients[0]?.status).toBe('DELIVERED');
    expect((await second.messages.get(failedId))?.recipients[0]).toMatchObject({ status: 'FAILED', errorCode: 4720 });
    // Journal: the same entries with the same sequence numbers; new ones continue after them.
    expect(await second.callbacks.list()).toEqual(journalBefore);
    // Media: the same bytes.
    const media = await request(`${second.url}/users/${ACCOUNT}/media/pic/one.png`, {
      headers: { authorization: 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64') },
    });
    expect(media.statusCode).toBe(200);
    expect(Buffer.from(await media.body.arrayBuffer())).toEqual(png);
    // Run-time scenario: still in force.
    const scenarios = await second.scenarios.list();
    expect(scenarios.scenarios.find((s) => s.name === 'fails-4720')).toMatchObject({ scope: ACCOUNT, rules: [expect.objectContaining({ hits: 1 })] });
    const againId = await send(second, FAILS);
    await second.callbacks.waitFor({ messageId: againId, type: 'message-failed', outcome: 'delivered' });
    // The step pending at close fires after the restart: delivered to the sink, with an event id not used before.
    const late = await second.callbacks.waitFor({ messageId: slowId, type: 'message-delivered', outcome: 'delivered' });
    expect(late.seq).toBeGreaterThan(Math.max(...journalBefore.map((e) => e.seq)));
    expect(journalBefore.map((e) => e.eventId)).not.toContain(late.eventId);
    await sink.waitFor((requests) => requests.some((r) => JSON.stringify(r.body).includes(slowId)));
    expect((await second.messages.get(slowId))?.recipients[0]?.status).toBe('DELIVERED');
    await settled(second);
  });

  it('resumes a callback that was waiting for a retry at close', async () => {
    const dataDir = tempDir();
    let answer = 500;
    const sink = await emulators.newSink((_req, res) => {
      res.writeHead(answer).end();
      return 'handled';
    });
    const accounts = [
      {
        id: ACCOUNT,
        users: [{ username: 'bw-user', password: 'bw-password' }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [{ number: FROM, applicationId: APP }],
      },
    ];
    // One long retry: the first attempt fails, the retry is due 20 emulated s later (1 s real at scale 0.05).
    const first = await start({ dataDir, accounts, callbacks: { retryDelays: ['20s'] } });
    const id = await send(first, NOW);
    await first.callbacks.waitFor({ messageId: id, outcome: 'retrying' });
    const report = await first.close();
    expect(report.callbacks.cancelled).toBe(1);

    answer = 200;
    const second = await start({ dataDir, accounts, callbacks: { retryDelays: ['20s'] } });
    expect(second.emulator.parts.dispatcher.stats().pending).toBe(1);
    const delivered = await second.callbacks.waitFor({ messageId: id, outcome: 'delivered' });
    expect(delivered.attempt, 'the retry continues the attempt count').toBe(2);
    // The journal of the restarted emulator: one failed attempt (retrying), then the delivered retry; no 'cancelled'.
    expect((await second.callbacks.list({ messageId: id })).map((e) => `${e.attempt} ${e.outcome}`)).toEqual(['1 retrying', '2 delivered']);
  });

  it('a scenario reply still due at close is sent after the restart', async () => {
    const dataDir = tempDir();
    const sink = await emulators.newSink();
    const accounts = [
      {
        id: ACCOUNT,
        users: [{ username: 'bw-user', password: 'bw-password' }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [{ number: FROM, applicationId: APP }],
      },
    ];
    const replying = {
      version: 1,
      name: 'slow-reply',
      rules: [{ name: 'answers late', match: { to: NOW }, reply: { after: '30s', text: 'late answer to {{text}}' } }],
    };
    const first = await start({ dataDir, accounts });
    await first.scenarios.use(replying);
    await send(first, NOW, 'hello');
    await first.close();
    expect(sink.requests.some((r) => JSON.stringify(r.body).includes('late answer'))).toBe(false);

    const second = await start({ dataDir, accounts });
    await second.callbacks.waitFor({ type: 'message-received', outcome: 'delivered' });
    const received = await second.messages.list({ direction: 'in' });
    expect(received.map((m) => m.text)).toEqual(['late answer to hello']);
    expect((await second.state.export()).pending?.replies).toEqual([]);
  });

  it('a reset is persisted too: the account starts empty after a restart', async () => {
    const dataDir = tempDir();
    const first = await start({ dataDir });
    await send(first, NOW);
    await settled(first);
    await first.reset(ACCOUNT);
    await first.close();
    const second = await start({ dataDir });
    expect(await second.messages.list()).toEqual([]);
    expect(await second.callbacks.list()).toEqual([]);
  });

  it('refuses a data dir it cannot use, naming the folder and the fix', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a folder');
    await expect(startEmulator({ dataDir: file })).rejects.toThrow(/a-file, or a folder on its path, is a file \(EEXIST.*Fix: give the path of a folder/);
  });
});

describe('state export and import (GET/POST /__emulator/state)', () => {
  for (const via of ['in-process', 'HTTP'] as const) {
    it(`round-trips messages, media, journal and scenarios (${via})`, async () => {
      const source = await start({});
      await source.scenarios.use(failScenario);
      await putMedia(source, 'doc.png', Buffer.from('bytes of a picture'));
      const ids = [await send(source, NOW), await send(source, FAILS)];
      await settled(source);
      const ops = (r: RunningEmulator) => (via === 'HTTP' ? connectEmulator(r.url) : r);
      const doc = await ops(source).state.export();
      expect(doc).toMatchObject({ kind: 'bandwidth-emulator-state', version: 1 });
      expect(doc.media[0]).toMatchObject({ mediaId: 'doc.png', contentType: 'image/png', contentBase64: Buffer.from('bytes of a picture').toString('base64') });

      const target = await start({});
      await send(target, NOW, 'replaced by the import');
      const counts = await ops(target).state.import(JSON.parse(JSON.stringify(doc)));
      expect(counts).toMatchObject({ messages: 2, media: 1, journal: doc.journal.length, scenarios: 1 });
      expect((await target.messages.list()).map((m) => m.id).sort()).toEqual([...ids].sort());
      expect(await target.callbacks.list()).toEqual(await source.callbacks.list());
      expect((await target.scenarios.list()).scenarios.map((s) => s.name)).toContain('fails-4720');
      const again = await target.state.export();
      expect({ ...again, exportedAt: undefined }).toEqual({ ...doc, exportedAt: undefined });
    });
  }

  it('with a data dir the export carries pending callbacks, and an import schedules them again', async () => {
    const sink = await emulators.newSink();
    const accounts = [
      {
        id: ACCOUNT,
        users: [{ username: 'bw-user', password: 'bw-password' }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [{ number: FROM, applicationId: APP }],
      },
    ];
    const source = await start({ dataDir: tempDir(), accounts });
    const slowId = await send(source, SLOW);
    const doc = await source.state.export();
    expect(doc.pending?.steps).toEqual([expect.objectContaining({ messageId: slowId, recipient: SLOW, next: 0 })]);
    await source.close();

    const target = await start({ accounts });
    const counts = await connectEmulator(target.url).state.import(doc);
    expect(counts).toMatchObject({ messages: 1, pendingSteps: 1 });
    await target.callbacks.waitFor({ messageId: slowId, type: 'message-delivered', outcome: 'delivered' });
    await sink.waitFor((requests) => requests.some((r) => JSON.stringify(r.body).includes(slowId)));
  });

  it('refuses a bad document with every problem named (400 over HTTP, ControlInputError in both)', async () => {
    const running = await start({});
    const remote = connectEmulator(running.url);
    const bad = {
      kind: 'bandwidth-emulator-state',
      version: 1,
      messages: [{ id: 'x' }],
      media: [],
      journal: [],
      scenarios: [{ scope: '*', name: 's', document: { version: 1, rules: [{ events: [{ type: 'message-failed', errorCode: 4999 }] }] } }],
    };
    for (const ops of [running, remote]) {
      const error = await ops.state.import(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ControlInputError);
      expect((error as ControlInputError).problems.map((p) => p.field).join(' ')).toMatch(/messages\[0\]/);
    }
    const wrongVersion = await running.state.import({ ...bad, version: 2 }).catch((e: ControlInputError) => e);
    expect((wrongVersion as ControlInputError).problems[0]).toMatchObject({ field: 'version' });
    const res = await request(`${running.url}/__emulator/state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1 }),
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ error: 'bad-request', message: 'the state document is not valid' });
  });
});

describe('a carrier action in the persisted state (data dir, export and import)', () => {
  // Delivered an hour after the 202 (three minutes of real time at scale 0.05): in flight for the whole test.
  const HOUR = '+15553003600';
  const accountsFor = (url: string) => [
    {
      id: ACCOUNT,
      users: [{ username: 'bw-user', password: 'bw-password' }],
      applications: [{ id: APP, callbackUrl: url }],
      numbers: [{ number: FROM, applicationId: APP }],
    },
  ];

  /** Nothing the carrier action replaced is left: flushing the clock fires nothing, and no delivered event exists. */
  async function expectOnlyTheFailure(running: RunningEmulator, id: string): Promise<void> {
    await running.assertNoPending();
    expect((await running.time.flush()).ran, 'timers left to fire').toBe(0);
    expect(await running.callbacks.list({ messageId: id, type: 'message-delivered' })).toEqual([]);
    expect((await running.messages.get(id))?.recipients[0]).toMatchObject({ status: 'FAILED', errorCode: 4720 });
  }

  it('the export after a carrier action holds none of the replaced steps, and an import of it plays none', async () => {
    const sink = await emulators.newSink();
    const source = await start({ dataDir: tempDir(), accounts: accountsFor(sink.url) });
    const id = await send(source, HOUR);
    expect((await source.state.export()).pending?.steps).toHaveLength(1);
    await source.carrier(id, { action: 'fail', errorCode: 4720 });
    await source.callbacks.waitFor({ messageId: id, type: 'message-failed', outcome: 'delivered' });
    const doc = await source.state.export();
    expect(doc.pending).toMatchObject({ steps: [], deliveries: [] });

    const target = await start({ accounts: accountsFor(sink.url) });
    expect(await connectEmulator(target.url).state.import(doc)).toMatchObject({ messages: 1, pendingSteps: 0 });
    await expectOnlyTheFailure(target, id);
  });

  it('steps a carrier action replaced, left by an older emulator in an export or the data dir, are dropped, never played', async () => {
    const sink = await emulators.newSink();
    const dataDir = tempDir();
    const source = await start({ dataDir, accounts: accountsFor(sink.url) });
    const id = await send(source, HOUR);
    const before = await source.state.export();
    await source.carrier(id, { action: 'fail', errorCode: 4720 });
    await source.callbacks.waitFor({ messageId: id, type: 'message-failed', outcome: 'delivered' });
    await settled(source);
    // What an emulator that did not persist carrier actions exported: the message failed, its step still pending.
    const after = await source.state.export();
    const stale: StateDocument = { ...after, pending: { ...after.pending!, steps: before.pending!.steps } };
    await source.close();

    const imported = await start({ dataDir: tempDir(), accounts: accountsFor(sink.url) });
    expect(await imported.state.import(stale)).toMatchObject({ messages: 1, pendingSteps: 0 });
    expect((await imported.state.export()).pending?.steps, "not written to the importer's data dir either").toEqual([]);
    await expectOnlyTheFailure(imported, id);

    // The same row in the data dir file, as the older emulator left it: dropped from the file at the next start.
    const db = new Sqlite(join(dataDir, DATA_FILE));
    const row = before.pending!.steps[0]!;
    db.prepare('INSERT INTO pending_steps (key, account_id, doc) VALUES (?, ?, ?)').run(`${id}\u0000${HOUR}`, ACCOUNT, JSON.stringify(row));
    db.close();
    const restarted = await start({ dataDir, accounts: accountsFor(sink.url) });
    expect((await restarted.state.export()).pending?.steps).toEqual([]);
    await expectOnlyTheFailure(restarted, id);
    await restarted.close();
    const check = new Sqlite(join(dataDir, DATA_FILE), { readonly: true });
    expect(check.prepare('SELECT COUNT(*) AS n FROM pending_steps').get()).toEqual({ n: 0 });
    check.close();
  });
});
