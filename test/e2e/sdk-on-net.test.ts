import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/config/schema.js';
import { ON_NET_LOOP } from '../../src/messaging/on-net.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { EventBody } from '../helpers/harness.js';
import { basic } from '../helpers/messages-sdk.js';
import type { CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec, assertMatchesSpec } from '../helpers/spec.js';

// On-net delivery (README "On-net delivery") through Bandwidth's own Node SDK against a listening emulator: a message
// from one of the emulator's numbers to another arrives as message-received at the destination number's application,
// within one account and across two; off in the fast profile; a failed recipient gets nothing; two applications that
// answer each other stop at the loop bound (4401). Every body is validated against the spec here and by the fixture.
const ACCT = '9905000';
const OTHER_ACCT = '9905001';
const USER = { username: 'onnet-user', password: 'onnet-password' };
const OTHER_USER = { username: 'onnet-other', password: 'onnet-other-password' };
const APP_A = 'a0000000-0000-4000-8000-0000000005a1';
const APP_B = 'b0000000-0000-4000-8000-0000000005b1';
const APP_OTHER = 'c0000000-0000-4000-8000-0000000005c1';
const A1 = '+19195550700';
const A2 = '+19195550701'; // on application B: the destination app's sink is B's
const A3 = '+19195550702'; // on application B too
const OTHER = '+19195550710';
const HANDSET = '+15551239200';

interface Sinks {
  a: CallbackSink;
  b: CallbackSink;
  other: CallbackSink;
}

function config(sinks: Sinks, traffic: ConfigFile['traffic']): ConfigFile {
  return {
    accounts: [
      {
        id: ACCT,
        users: [USER],
        applications: [
          { id: APP_A, callbackUrl: sinks.a.url },
          { id: APP_B, callbackUrl: sinks.b.url },
        ],
        numbers: [A1, { number: A2, applicationId: APP_B }, { number: A3, applicationId: APP_B }],
      },
      { id: OTHER_ACCT, users: [OTHER_USER], applications: [{ id: APP_OTHER, callbackUrl: sinks.other.url }], numbers: [OTHER] },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '20ms', retryDelays: ['20ms'], timeout: '2s' },
    ...(traffic ? { traffic } : {}),
  };
}

const received = (sink: CallbackSink) => sink.requests.map((r) => (r.body as EventBody[])[0]!).filter((e) => e.type === 'message-received');
const statuses = async (running: RunningEmulator, messageId: string) =>
  (await running.callbacks.list({ messageId })).filter((e) => e.outcome === 'delivered').map((e) => (e.request.body as EventBody[])[0]!);

describe('on-net delivery through bandwidth-sdk', () => {
  const emulators = useEmulators();
  let sinks: Sinks;
  let running: RunningEmulator;
  let api: MessagesApi;
  let otherApi: MessagesApi;

  beforeAll(async () => {
    sinks = { a: await emulators.newSink(), b: await emulators.newSink(), other: await emulators.newSink() };
    running = await emulators.start({ config: undefined, ...config(sinks, { onNet: true }) });
    api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    otherApi = new MessagesApi(new Configuration({ basePath: running.url, ...OTHER_USER }));
  });
  beforeEach(async () => {
    await running.reset();
    for (const sink of Object.values(sinks)) sink.requests.length = 0;
  });

  async function send(from: string, to: string[], over: Partial<MessageRequest> = {}, client = api, app = APP_A, acct = ACCT): Promise<string> {
    const { status, data } = await client.createMessage(acct, { applicationId: app, from, to: new Set(to), text: 'on-net hello', ...over } as MessageRequest);
    expect(status).toBe(202);
    assertMatchesSpec('message', data);
    return data.id!;
  }

  it('within one account: the destination number’s application gets message-received from the sender; the sender its status callbacks', async () => {
    const id = await send(A1, [A2]);
    await running.idle();
    const [event, ...more] = received(sinks.b);
    expect(more).toEqual([]);
    assertCallbackMatchesSpec([event]);
    expect(event).toMatchObject({
      type: 'message-received',
      to: A2,
      message: { from: A1, to: [A2], owner: A2, text: 'on-net hello', direction: 'in', applicationId: APP_B },
    });
    expect(event!.message.id).not.toBe(id);
    // The sender's callbacks go to the sender's application, as for any message; nothing inbound goes there.
    expect((await statuses(running, id)).map((e) => e.type)).toEqual(['message-delivered']);
    expect(received(sinks.a)).toEqual([]);
    // A stored inbound message of the account: listed, and in the journal as message-received.
    const copy = await running.messages.get(event!.message.id);
    expect(copy).toMatchObject({ accountId: ACCT, direction: 'in', from: A1, owner: A2, text: 'on-net hello' });
    expect(copy!.timeline.find((t) => t.what === 'on-net')?.detail).toMatchObject({ messageId: id, accountId: ACCT });
    expect((await running.messages.get(id))!.timeline.find((t) => t.what === 'on-net')).toMatchObject({
      recipient: A2,
      detail: { messageId: event!.message.id },
    });
    const journal = await running.callbacks.list({ messageId: event!.message.id });
    expect(journal.map((e) => e.type)).toEqual(['message-received']);
  });

  it('it arrives when that recipient’s message-delivered fires, on the emulator clock (20 ms of deliveryDelay after the send)', async () => {
    const id = await send(A1, [A2]);
    await running.idle();
    const sent = (await running.messages.get(id))!;
    const copy = (await running.messages.get(received(sinks.b)[0]!.message.id))!;
    // The sender's timeline: delivered, then at once handed on-net; the copy is no older than that delivery.
    expect(sent.timeline.map((t) => t.what).slice(-2)).toEqual(['message-delivered', 'on-net']);
    const deliveredAt = Date.parse(sent.timeline.find((t) => t.what === 'message-delivered')!.at);
    expect(Date.parse(copy.time)).toBeGreaterThanOrEqual(deliveredAt);
    expect(Date.parse(copy.time) - Date.parse(sent.time)).toBeGreaterThanOrEqual(20);
  });

  it('across two accounts: the other account’s application gets it, and lists it as its own inbound message', async () => {
    const id = await send(A1, [OTHER]);
    await running.idle();
    const [event] = received(sinks.other);
    expect(event).toMatchObject({ type: 'message-received', to: OTHER, message: { from: A1, owner: OTHER, applicationId: APP_OTHER } });
    expect(await running.messages.get(event!.message.id)).toMatchObject({ accountId: OTHER_ACCT, direction: 'in' });
    expect((await statuses(running, id)).map((e) => e.type)).toEqual(['message-delivered']);
    // And back: the other account answers, and the first account's number's application receives it.
    await send(OTHER, [A1], { text: 'back' }, otherApi, APP_OTHER, OTHER_ACCT);
    await running.idle();
    expect(received(sinks.a)).toMatchObject([{ type: 'message-received', to: A1, message: { from: OTHER, text: 'back', applicationId: APP_A } }]);
  });

  it('a group message: each owned recipient gets its own copy with the group’s numbers in to; a handset gets nothing', async () => {
    const id = await send(A1, [A2, A3, HANDSET, OTHER], { text: 'group' });
    await running.idle();
    const copies = received(sinks.b);
    expect(copies.map((e) => e.to).sort()).toEqual([A2, A3]);
    for (const copy of copies) expect(copy.message).toMatchObject({ from: A1, owner: copy.to, text: 'group' });
    for (const copy of copies) expect([...copy.message.to].sort()).toEqual([A2, A3, HANDSET, OTHER].sort());
    expect(new Set(copies.map((e) => e.message.id)).size).toBe(2);
    expect(received(sinks.other).map((e) => e.to)).toEqual([OTHER]);
    const delivered = (await statuses(running, id)).filter((e) => e.type === 'message-delivered').map((e) => e.to);
    expect(delivered.sort()).toEqual([A2, A3, HANDSET, OTHER].sort());
  });

  it('a recipient that fails (a scenario, a self-send) gets no inbound; the others of the group still do', async () => {
    await running.scenarios.use({ version: 1, name: 'fail-a3', rules: [{ match: { to: A3 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] });
    const id = await send(A1, [A2, A3, A1]);
    await running.idle();
    expect(received(sinks.b).map((e) => e.to)).toEqual([A2]);
    expect(received(sinks.a)).toEqual([]);
    const outcome = (await statuses(running, id)).filter((e) => e.type !== 'message-sending').map((e) => `${e.to} ${e.type} ${e.errorCode ?? ''}`.trim());
    expect(outcome.sort()).toEqual([`${A1} message-failed 4401`, `${A2} message-delivered`, `${A3} message-failed 4720`].sort());
  });

  it('MMS: media on the sender’s media API is copied into the receiving account and served there', async () => {
    const url = `${running.url}/api/v2/users/${ACCT}/media/on-net.png`;
    const put = await fetch(url, {
      method: 'PUT',
      headers: { authorization: basic(USER.username, USER.password), 'content-type': 'image/png' },
      body: Buffer.from('png!'),
    });
    expect(put.status).toBe(204);
    await send(A1, [OTHER], { media: [url], text: 'picture' });
    await running.idle();
    const [event] = received(sinks.other);
    const [copied] = event!.message.media!;
    expect(copied).toContain(`/users/${OTHER_ACCT}/media/${event!.message.id}/0/on-net.png`);
    const got = await fetch(copied!, { headers: { authorization: basic(OTHER_USER.username, OTHER_USER.password) } });
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).toString()).toBe('png!');
  });

  it('a scenario reply to an on-net message comes back once, as from the handset, and starts nothing more', async () => {
    await running.scenarios.use({
      version: 1,
      name: 'answer-a2',
      rules: [{ match: { to: A2 }, events: [{ type: 'message-delivered', after: '10ms' }], reply: { after: '30ms', text: 'got {{text}}' } }],
    });
    await send(A1, [A2], { text: 'ping' });
    await running.idle();
    // A2's application gets the message on-net; A1's application gets the scripted reply from A2, and that is all.
    expect(received(sinks.b).map((e) => e.message.text)).toEqual(['ping']);
    expect(received(sinks.a)).toMatchObject([{ to: A1, message: { from: A2, text: 'got ping' } }]);
    const stored = await running.messages.list({});
    expect(stored.map((m) => m.direction).sort()).toEqual(['in', 'in', 'out']);
  });

  it('two applications that answer each other stop at the loop bound: the next message fails with 4401', async () => {
    // Each application answers every message-received with a message back, through the SDK: a loop with no end of its own.
    const answer = (sink: CallbackSink, client: MessagesApi, acct: string, app: string) =>
      sink.respond((req) => {
        const event = (req.body as EventBody[])[0]!;
        if (event.type === 'message-received') void send(event.to, [event.message.from], { text: 'ping' }, client, app, acct).catch(() => undefined);
      });
    answer(sinks.a, api, ACCT, APP_A);
    answer(sinks.other, otherApi, OTHER_ACCT, APP_OTHER);
    try {
      await send(A1, [OTHER], { text: 'ping' });
      const failed = await running.callbacks.waitFor({ type: 'message-failed' }, { timeoutMs: 20_000 });
      expect((failed.request.body as EventBody[])[0]).toMatchObject({ errorCode: 4401 });
      await running.idle();
    } finally {
      sinks.a.respond(() => undefined);
      sinks.other.respond(() => undefined);
    }
    const sent = (await running.messages.list({})).filter((m) => m.direction === 'out');
    // ON_NET_LOOP.messages went through, each received once; the one after them failed, and nothing followed it.
    expect(sent.length).toBe(ON_NET_LOOP.messages + 1);
    expect(received(sinks.a).length + received(sinks.other).length).toBe(ON_NET_LOOP.messages);
  });
});

describe('on-net delivery with a data dir', () => {
  const emulators = useEmulators();

  it('a delivery pending at close arrives on-net after the restart, and the copy is kept in the data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bw-onnet-'));
    emulators.defer(() => rmSync(dataDir, { recursive: true, force: true }));
    const sinks = { a: await emulators.newSink(), b: await emulators.newSink(), other: await emulators.newSink() };
    const options = { config: undefined, dataDir, ...config(sinks, { onNet: true }) };
    const first = await emulators.start(options);
    await first.scenarios.use({ version: 1, name: 'slow-a2', rules: [{ match: { to: A2 }, events: [{ type: 'message-delivered', after: '1h' }] }] });
    const api = new MessagesApi(new Configuration({ basePath: first.url, ...USER }));
    const { data } = await api.createMessage(ACCT, { applicationId: APP_A, from: A1, to: new Set([A2]), text: 'after restart' } as MessageRequest);
    expect((await first.close()).stepsNotFired).toBe(1);
    expect(received(sinks.b)).toEqual([]);

    const second = await emulators.start(options);
    await second.time.flush();
    await second.idle();
    const [event] = received(sinks.b);
    expect(event).toMatchObject({ to: A2, message: { from: A1, text: 'after restart' } });
    expect((await second.messages.get(data.id!))!.timeline.filter((t) => t.what === 'on-net')).toHaveLength(1);
    await second.close();

    const third = await emulators.start(options);
    expect(await third.messages.get(event!.message.id)).toMatchObject({ direction: 'in', accountId: ACCT, from: A1, owner: A2 });
  });
});

describe('on-net delivery is off in the fast profile (the default)', () => {
  const emulators = useEmulators();

  it('a message to another of the emulator’s numbers is only delivered, as before: no message-received anywhere', async () => {
    const sinks = { a: await emulators.newSink(), b: await emulators.newSink(), other: await emulators.newSink() };
    const running = await emulators.start({ config: undefined, ...config(sinks, undefined) });
    const api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    const { data } = await api.createMessage(ACCT, { applicationId: APP_A, from: A1, to: new Set([A2, OTHER]), text: 'fast' } as MessageRequest);
    await running.idle();
    expect((await running.traffic.get())?.settings).toMatchObject({ profile: 'fast', onNet: false });
    expect([...received(sinks.a), ...received(sinks.b), ...received(sinks.other)]).toEqual([]);
    expect((await running.messages.list({})).filter((m) => m.direction === 'in')).toEqual([]);
    expect(
      (await statuses(running, data.id!))
        .filter((e) => e.type === 'message-delivered')
        .map((e) => e.to)
        .sort(),
    ).toEqual([A2, OTHER].sort());
  });

  it('the production profile switches it on', async () => {
    const sinks = { a: await emulators.newSink(), b: await emulators.newSink(), other: await emulators.newSink() };
    const running = await emulators.start({ config: undefined, ...config(sinks, { profile: 'production', throughput: false }) });
    const api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    await api.createMessage(ACCT, { applicationId: APP_A, from: A1, to: new Set([A2]), text: 'production' } as MessageRequest);
    await running.idle();
    expect(received(sinks.b)).toMatchObject([{ type: 'message-received', message: { from: A1, text: 'production' } }]);
  });
});
