// Two test files, one emulator process: this file uses account 9900001, isolation-b.test.ts account 9900002.
// Whether vitest runs the two files in parallel or one after the other, neither sees the other's messages or
// callbacks, and neither's reset removes the other's. The orchestration is in isolation-shared.ts; this file and
// isolation-b.test.ts are the same but for ME and OTHER.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Configuration, MessagesApi } from 'bandwidth-sdk';
import { connectEmulator, type RemoteEmulator } from '../../src/control/client.js';
import { ISOLATION_ACCOUNTS, readSignal, release, sharedEmulator, signal, waitForSignal, type SharedEmulator } from './isolation-shared.js';

const ME = ISOLATION_ACCOUNTS.a;
const OTHER = ISOLATION_ACCOUNTS.b;

let shared: SharedEmulator | undefined;
let ops: RemoteEmulator;
let api: MessagesApi;
let sent: string[] = [];

const ids = (list: Array<{ id: string }>) => list.map((m) => m.id).sort();
const sorted = (list: readonly string[]) => [...list].sort();

beforeAll(async () => {
  shared = await sharedEmulator(ME.key);
  ops = connectEmulator(shared.url);
  api = new MessagesApi(new Configuration({ basePath: shared.url, username: ME.username, password: ME.password }));
  signal(`${ME.key}.joined`, { url: shared.url, pid: shared.pid });
}, 30_000);

afterAll(async () => {
  if (shared) await release(ME.key, shared);
}, 30_000);

async function send(to: string, i: number): Promise<string> {
  const res = await api.createMessage(ME.id, {
    applicationId: ME.applicationId,
    to: [to] as unknown as Set<string>,
    from: ME.numbers[i % ME.numbers.length]!,
    text: `isolation ${ME.key} #${i}`,
    tag: `iso-${ME.key}`,
  });
  expect(res.status).toBe(202);
  return res.data.id!;
}

describe(`isolation, file ${ME.key} (account ${ME.id})`, () => {
  it('reaches the one shared emulator process the other file uses', async () => {
    expect((await ops.health()).status).toBe('ok');
    expect(readSignal('emulator')).toEqual({ url: shared!.url, pid: shared!.pid });
    const other = readSignal<{ url: string; pid: number }>(`${OTHER.key}.joined`);
    if (other) expect(other).toEqual({ url: shared!.url, pid: shared!.pid });
  });

  it("reset(own account) clears its own messages and journal, and none of the other account's", async () => {
    const before = await send(ME.recipients[0]!, 0);
    await ops.callbacks.waitFor({ accountId: ME.id, messageId: before, type: 'message-delivered' }, { timeoutMs: 10_000 });
    // What the other file has published as sent (it never resets after that) must survive this reset.
    const theirs = readSignal<{ ids: string[] }>(`${OTHER.key}.sent`);

    await ops.reset(ME.id);
    expect(await ops.messages.list({ accountId: ME.id })).toEqual([]);
    expect(await ops.messages.get(before)).toBeUndefined();
    expect(await ops.callbacks.list({ accountId: ME.id })).toEqual([]);
    if (theirs) {
      expect(ids(await ops.messages.list({ accountId: OTHER.id }))).toEqual(sorted(theirs.ids));
      expect(sorted((await ops.callbacks.list({ accountId: OTHER.id })).map((e) => e.messageId))).toEqual(sorted(theirs.ids));
    }
  });

  it('sends 20 messages and sees exactly its own, each journaled', async () => {
    sent = await Promise.all(ME.recipients.map((to, i) => send(to, i)));
    expect(new Set(sent).size).toBe(20);
    await Promise.all(sent.map((id) => ops.callbacks.waitFor({ accountId: ME.id, messageId: id, type: 'message-delivered' }, { timeoutMs: 10_000 })));

    const mine = await ops.messages.list({ accountId: ME.id });
    expect(ids(mine)).toEqual(sorted(sent));
    for (const message of mine) {
      expect(message).toMatchObject({ accountId: ME.id, applicationId: ME.applicationId, direction: 'out', tag: `iso-${ME.key}` });
      expect(ME.numbers).toContain(message.from);
      expect(message.recipients.map((r) => r.status)).toEqual(['DELIVERED']);
    }
    const journal = await ops.callbacks.list({ accountId: ME.id });
    expect(sorted(journal.map((e) => e.messageId))).toEqual(sorted(sent));
    for (const entry of journal) expect(entry).toMatchObject({ accountId: ME.id, applicationId: ME.applicationId, type: 'message-delivered', outcome: 'no-target' });
    expect(ids(await ops.messages.list({ tag: `iso-${ME.key}` }))).toEqual(sorted(sent));
    signal(`${ME.key}.sent`, { ids: sent });
  });

  it("never sees the other file's messages or callbacks; the other file's reset removed none of its own", async () => {
    let theirs = readSignal<{ ids: string[] }>(`${OTHER.key}.sent`);
    // Running at the same time as the other file: wait (bounded) until it has sent too, so both sets coexist.
    if (!theirs && readSignal(`${OTHER.key}.joined`) && !readSignal(`${OTHER.key}.done`)) {
      theirs = await waitForSignal<{ ids: string[] }>(`${OTHER.key}.sent`, 15_000, `isolation-${OTHER.key}.test.ts joined but did not finish sending`);
    }
    const mine = await ops.messages.list({ accountId: ME.id });
    expect(ids(mine)).toEqual(sorted(sent));
    expect(mine.every((m) => m.accountId === ME.id)).toBe(true);
    const myJournal = await ops.callbacks.list({ accountId: ME.id });
    expect(sorted(myJournal.map((e) => e.messageId))).toEqual(sorted(sent));
    expect(myJournal.every((e) => e.accountId === ME.id)).toBe(true);

    if (theirs) {
      expect(theirs.ids).toHaveLength(20);
      const theirSet = new Set(theirs.ids);
      expect(mine.filter((m) => theirSet.has(m.id))).toEqual([]);
      expect(myJournal.filter((e) => theirSet.has(e.messageId))).toEqual([]);
      expect(ids(await ops.messages.list({ accountId: OTHER.id }))).toEqual(sorted(theirs.ids));
      // One emulator holds both files' messages.
      expect(ids(await ops.messages.list())).toEqual(expect.arrayContaining([...sent, ...theirs.ids]));
    }
    signal(`${ME.key}.done`, { ids: sent });
  });

  it('once both files are done: each account holds exactly its own 20 messages and 20 callbacks', async (ctx) => {
    const theirs = readSignal<{ ids: string[] }>(`${OTHER.key}.done`);
    // The file that is done second checks for both; the other skips (both write `done` before reading it).
    if (!theirs) ctx.skip(`isolation-${OTHER.key}.test.ts is not done yet: it runs this check`);
    expect(ids(await ops.messages.list({ accountId: ME.id }))).toEqual(sorted(sent));
    expect(ids(await ops.messages.list({ accountId: OTHER.id }))).toEqual(sorted(theirs!.ids));
    expect(sorted((await ops.callbacks.list({ accountId: ME.id })).map((e) => e.messageId))).toEqual(sorted(sent));
    expect(sorted((await ops.callbacks.list({ accountId: OTHER.id })).map((e) => e.messageId))).toEqual(sorted(theirs!.ids));
    const health = await ops.health();
    expect(health.messages.messages).toBe(40);
    expect(health.journal.entries).toBe(40);
  });
});
