// The toll-free opt-out list through the control API, in-process and over HTTP: list, add, remove one, remove all,
// reset; the bounds (cap per account, body sizes, bad and long-code numbers, unknown accounts); kept in the data dir
// across a restart and carried by export and import (README "Toll-free opt-out").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/config/schema.js';
import { connectEmulator } from '../../src/control/client.js';
import { ControlInputError } from '../../src/control/operations.js';
import type { StateDocument } from '../../src/persistence/state-document.js';
import type { RunningEmulator } from '../../src/start.js';
import { MAX_OPT_OUTS_PER_ACCOUNT } from '../../src/store/opt-outs.js';
import { getJson } from '../helpers/control-api.js';
import { useEmulators } from '../helpers/fixture.js';
import { CONTROL_CONNECTIONS, rejection } from '../helpers/harness.js';

const ACCT = '9904100';
const OTHER = '9904101';
const APP = '0a1b2c3d-0000-4000-8000-00000000d101';
const OTHER_APP = '0a1b2c3d-0000-4000-8000-00000000d102';
const TOLL_FREE = '+18335550700';
const LOCAL = '+19195550700';
const SHORT = '+23456';
const OTHER_TOLL_FREE = '+18335550701';
const HANDSET = '+15551237000';

const emulators = useEmulators();
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function config(extra: ConfigFile = {}): ConfigFile {
  return {
    config: undefined,
    accounts: [
      {
        id: ACCT,
        users: [{ username: 'oo-user', password: 'oo-password' }],
        applications: [{ id: APP }],
        numbers: [TOLL_FREE, LOCAL, SHORT],
        traffic: { optOut: true },
      },
      { id: OTHER, users: [{ username: 'oo-other', password: 'oo-password' }], applications: [{ id: OTHER_APP }], numbers: [OTHER_TOLL_FREE] },
    ],
    ...extra,
  } as ConfigFile;
}

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
});

describe.each(CONTROL_CONNECTIONS)('opt-out list (%s)', (_name, connect) => {
  it('lists, adds, removes one and all; a reset of the account clears it, another account keeps its own', async () => {
    const running = await emulators.start(config());
    const ops = connect(running);
    expect(await ops.optOuts.list(ACCT)).toEqual({ accountId: ACCT, optOuts: [], capPerAccount: MAX_OPT_OUTS_PER_ACCOUNT });
    const added = await ops.optOuts.add(ACCT, { number: TOLL_FREE, handset: HANDSET });
    expect(added).toMatchObject({ number: TOLL_FREE, handset: HANDSET, source: 'control', created: true });
    expect(added?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Adding it again keeps the one there.
    expect(await ops.optOuts.add(ACCT, { number: TOLL_FREE, handset: HANDSET })).toMatchObject({ created: false, at: added!.at });
    await ops.optOuts.add(ACCT, { number: TOLL_FREE, handset: '+15551237001' });
    await ops.optOuts.add(OTHER, { number: OTHER_TOLL_FREE, handset: HANDSET });
    expect((await ops.optOuts.list(ACCT))?.optOuts.map((o) => o.handset)).toEqual([HANDSET, '+15551237001']);
    expect(await ops.optOuts.remove(ACCT, TOLL_FREE, HANDSET)).toBe(true);
    expect(await ops.optOuts.remove(ACCT, TOLL_FREE, HANDSET)).toBe(false);
    expect(await ops.optOuts.clear(ACCT)).toEqual({ removed: 1 });
    expect((await ops.optOuts.list(ACCT))?.optOuts).toEqual([]);
    await ops.optOuts.add(ACCT, { number: TOLL_FREE, handset: HANDSET });
    await ops.reset(ACCT);
    expect((await ops.optOuts.list(ACCT))?.optOuts).toEqual([]);
    expect((await ops.optOuts.list(OTHER))?.optOuts).toHaveLength(1);
    await ops.reset();
    expect((await ops.optOuts.list(OTHER))?.optOuts).toEqual([]);
  });

  it('an opt-out added by the control API blocks the next send (4775) while the part is on', async () => {
    const running = await emulators.start(config());
    const ops = connect(running);
    await ops.optOuts.add(ACCT, { number: TOLL_FREE, handset: HANDSET });
    const res = await fetch(`${running.url}/users/${ACCT}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('oo-user:oo-password').toString('base64')}` },
      body: JSON.stringify({ applicationId: APP, from: TOLL_FREE, to: [HANDSET, '+15551237002'], text: 'hi' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await ops.idle();
    const message = await ops.messages.get(id);
    // Only the opted-out recipient of the group fails.
    expect(message?.recipients.map((r) => [r.to, r.status, r.errorCode])).toEqual([
      [HANDSET, 'FAILED', 4775],
      ['+15551237002', 'DELIVERED', 0],
    ]);
  });

  it('refuses a bad number, a long code or short code, a number of another account, and an unknown account', async () => {
    const running = await emulators.start(config());
    const ops = connect(running);
    for (const [body, pattern] of [
      [{ number: LOCAL, handset: HANDSET }, /local number.*toll-free numbers only/],
      [{ number: SHORT, handset: HANDSET }, /short code/],
      [{ number: OTHER_TOLL_FREE, handset: HANDSET }, /not a number of account 9904100/],
      [{ number: TOLL_FREE, handset: '5551237000' }, /handset|E\.164|pattern/],
      [{ number: 'not a number', handset: HANDSET }, /number|E\.164|pattern/],
      [{ number: TOLL_FREE, handset: `+1${'5'.repeat(20)}` }, /handset|E\.164|pattern|16/],
    ] as const) {
      const error = await rejection(ops.optOuts.add(ACCT, body as { number: string; handset: string }));
      expect(error, JSON.stringify(body)).toBeInstanceOf(ControlInputError);
      expect(error.message + JSON.stringify((error as ControlInputError).problems), JSON.stringify(body)).toMatch(pattern);
    }
    expect((await ops.optOuts.list(ACCT))?.optOuts).toEqual([]);
    expect(await ops.optOuts.list('no-such-account')).toBeUndefined();
    expect(await ops.optOuts.add('no-such-account', { number: TOLL_FREE, handset: HANDSET })).toBeUndefined();
    expect(await ops.optOuts.clear('no-such-account')).toBeUndefined();
    expect(await ops.optOuts.remove('no-such-account', TOLL_FREE, HANDSET)).toBe(false);
  });
});

describe('opt-out routes over HTTP', () => {
  it('answers 201, 200, 204, 404 and 400 as the OpenAPI document says; a body past its bounds is refused', async () => {
    const running = await emulators.start(config());
    const base = `${running.url}/__emulator/accounts/${ACCT}/opt-outs`;
    const created = await getJson(base, json('POST', { number: TOLL_FREE, handset: HANDSET }));
    expect(created.status).toBe(201);
    expect((await getJson(base)).body).toMatchObject({ accountId: ACCT, optOuts: [{ number: TOLL_FREE, handset: HANDSET, source: 'control' }] });
    for (const body of [
      { number: TOLL_FREE },
      { number: TOLL_FREE, handset: HANDSET, extra: true },
      { number: TOLL_FREE, handset: 'x'.repeat(10_000) },
      { number: 18335550700, handset: HANDSET },
      '[]',
    ]) {
      const answer = await getJson(base, json('POST', body));
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.body).toMatchObject({ error: 'bad-request' });
    }
    expect((await getJson(`${base}/${encodeURIComponent(TOLL_FREE)}/${encodeURIComponent('+15550000000')}`, json('DELETE'))).status).toBe(404);
    expect((await getJson(`${base}/${encodeURIComponent(TOLL_FREE)}/${encodeURIComponent(HANDSET)}`, json('DELETE'))).status).toBe(204);
    expect((await getJson(base, json('DELETE'))).body).toEqual({ removed: 0 });
    expect((await getJson(`${running.url}/__emulator/accounts/nobody/opt-outs`)).status).toBe(404);
    expect((await getJson(`${running.url}/__emulator/accounts/nobody/opt-outs`, json('POST', { number: TOLL_FREE, handset: HANDSET }))).status).toBe(404);
    expect((await getJson(`${running.url}/__emulator/accounts/nobody/opt-outs`, json('DELETE'))).status).toBe(404);
    const doc = (await getJson(`${running.url}/__emulator/openapi.json`)).body as { paths: Record<string, Record<string, { responses: object }>> };
    expect(Object.keys(doc.paths['/__emulator/accounts/{accountId}/opt-outs']!.post!.responses)).toContain('201');
    expect(Object.keys(doc.paths['/__emulator/accounts/{accountId}/opt-outs']!.delete!.responses)).toContain('200');
    expect(Object.keys(doc.paths['/__emulator/accounts/{accountId}/opt-outs/{number}/{handset}']!.delete!.responses)).toContain('204');
  });

  it(`holds at most ${MAX_OPT_OUTS_PER_ACCOUNT} opt-outs per account: past it an add is refused (400) and a handset's STOP is not recorded`, async () => {
    const running = await emulators.start(config());
    for (let i = 0; i < MAX_OPT_OUTS_PER_ACCOUNT; i++) await running.optOuts.add(ACCT, { number: TOLL_FREE, handset: `+1555${String(i).padStart(7, '0')}` });
    const refused = await rejection(running.optOuts.add(ACCT, { number: TOLL_FREE, handset: HANDSET }));
    expect(refused).toBeInstanceOf(ControlInputError);
    expect(refused.message).toMatch(/holds 10000 opt-outs already \(the cap per account\)/);
    const http = await rejection(connectEmulator(running.url).optOuts.add(ACCT, { number: TOLL_FREE, handset: HANDSET }));
    expect(http.message).toMatch(/cap per account/);
    // A STOP past the cap: forwarded, explained on the message, not recorded, not answered.
    const [stop] = await running.inbound({ from: HANDSET, to: [TOLL_FREE], text: 'STOP' });
    expect(stop!.timeline.find((t) => t.what === 'opt-out-not-recorded')?.detail).toMatchObject({
      keyword: 'STOP',
      reason: expect.stringMatching(/cap per account/),
    });
    expect(await running.callbacks.list({ type: 'network-auto-reply', recipient: HANDSET })).toEqual([]);
    expect((await running.optOuts.list(ACCT))?.optOuts).toHaveLength(MAX_OPT_OUTS_PER_ACCOUNT);
    // Another account is not affected by this one's cap.
    expect(await running.optOuts.add(OTHER, { number: OTHER_TOLL_FREE, handset: HANDSET })).toMatchObject({ created: true });
  });
});

describe('opt-outs persist', () => {
  it('in the data dir: a handset STOP and an added opt-out survive a restart; a removal and a reset are written too', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bw-optout-'));
    folders.push(folder);
    const first = await emulators.start(config({ dataDir: folder }));
    await first.inbound({ from: HANDSET, to: [TOLL_FREE], text: 'STOP' });
    await first.optOuts.add(ACCT, { number: TOLL_FREE, handset: '+15551237003' });
    await first.optOuts.add(ACCT, { number: TOLL_FREE, handset: '+15551237004' });
    await first.optOuts.remove(ACCT, TOLL_FREE, '+15551237004');
    await first.optOuts.add(OTHER, { number: OTHER_TOLL_FREE, handset: HANDSET });
    await first.reset(OTHER);
    await first.idle();
    await first.close();
    const second: RunningEmulator = await emulators.start(config({ dataDir: folder }));
    expect((await second.optOuts.list(ACCT))?.optOuts.map((o) => [o.handset, o.source])).toEqual([
      [HANDSET, 'handset'],
      ['+15551237003', 'control'],
    ]);
    expect((await second.optOuts.list(OTHER))?.optOuts).toEqual([]);
    // The network's auto-reply is kept with its journal entry.
    const [auto] = await second.callbacks.list({ type: 'network-auto-reply' });
    expect(auto?.outcome).toBe('network');
    expect((await second.messages.get(auto!.messageId))?.network).toBe('opt-out-auto-reply');
    await second.close();
  });

  it('in export and import: the document carries optOuts; an import replaces the list; duplicates and an account past its cap are refused', async () => {
    const running = await emulators.start(config());
    await running.optOuts.add(ACCT, { number: TOLL_FREE, handset: HANDSET });
    const doc = await running.state.export();
    expect(doc.optOuts).toEqual([expect.objectContaining({ accountId: ACCT, number: TOLL_FREE, handset: HANDSET, source: 'control' })]);
    await running.optOuts.clear(ACCT);
    await running.optOuts.add(ACCT, { number: TOLL_FREE, handset: '+15551237005' });
    await running.state.import(doc);
    expect((await running.optOuts.list(ACCT))?.optOuts.map((o) => o.handset)).toEqual([HANDSET]);
    // An older document without optOuts imports to an empty list.
    const { optOuts: _none, ...older } = doc;
    await running.state.import(older);
    expect((await running.optOuts.list(ACCT))?.optOuts).toEqual([]);
    const entry = doc.optOuts![0]!;
    const duplicate: StateDocument = { ...doc, optOuts: [entry, entry] };
    expect(((await rejection(running.state.import(duplicate))) as ControlInputError).problems[0]).toMatchObject({ field: 'optOuts[1]' });
    const many = Array.from({ length: MAX_OPT_OUTS_PER_ACCOUNT + 1 }, (_, i) => ({ ...entry, handset: `+1555${String(i).padStart(7, '0')}` }));
    const full = (await rejection(running.state.import({ ...doc, optOuts: many }))) as ControlInputError;
    expect(full.problems[0]).toMatchObject({ field: `optOuts[${MAX_OPT_OUTS_PER_ACCOUNT}]`, problem: expect.stringMatching(/at most 10000/) });
    const bad = (await rejection(running.state.import({ ...doc, optOuts: [{ ...entry, handset: 'nope' }] }))) as ControlInputError;
    expect(JSON.stringify(bad.problems)).toMatch(/optOuts/);
  });
});
