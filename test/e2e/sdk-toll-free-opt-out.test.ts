import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/config/schema.js';
import type { ControlMessage } from '../../src/control/operations.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { EventBody } from '../helpers/harness.js';
import { checkList, list } from '../helpers/messages-sdk.js';
import type { CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec, assertMatchesSpec } from '../helpers/spec.js';

// Toll-free opt-out as Bandwidth's network does it (README "Toll-free opt-out"), through Bandwidth's own Node SDK and
// the control API: a handset's STOP to a toll-free number is answered by the network (a stored message marked
// `network`, journaled without a POST), still reaches the application as message-received, and later sends from that
// number to that handset fail with 4775 until the handset texts START. Long codes, other words and the fast profile
// are untouched. Every wait is on the journal.
const ACCT = '9904000';
const FAST_ACCT = '9904001';
const APP = '0a1b2c3d-0000-4000-8000-00000000d001';
const FAST_APP = '0a1b2c3d-0000-4000-8000-00000000d002';
const USER = { username: 'optout-user', password: 'optout-password' };
const FAST_USER = { username: 'optout-fast', password: 'optout-fast-password' };
const TOLL_FREE = '+18335550600';
const TOLL_FREE_2 = '+18445550600';
const LOCAL = '+19195550600';
const FAST_TOLL_FREE = '+18555550600';
const HANDSET = '+15551236000';

const STOP_REPLY = 'NETWORK MSG: You replied with the word "stop" which blocks all texts sent from this number. Text back "unstop" to receive messages again.';

function config(callbackUrl: string): ConfigFile {
  return {
    accounts: [
      // The part alone, in an otherwise fast account.
      { id: ACCT, users: [USER], applications: [{ id: APP, callbackUrl }], numbers: [TOLL_FREE, TOLL_FREE_2, LOCAL], traffic: { optOut: true } },
      { id: FAST_ACCT, users: [FAST_USER], applications: [{ id: FAST_APP, callbackUrl }], numbers: [FAST_TOLL_FREE] },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '10ms', retryDelays: ['20ms'], timeout: '2s' },
  };
}

describe('toll-free opt-out through bandwidth-sdk', () => {
  const emulators = useEmulators();
  let running: RunningEmulator;
  let sink: CallbackSink;
  let api: MessagesApi;
  let fastApi: MessagesApi;

  beforeAll(async () => {
    sink = await emulators.newSink();
    running = await emulators.start({ config: undefined, ...config(sink.url) });
    api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    fastApi = new MessagesApi(new Configuration({ basePath: running.url, ...FAST_USER }));
  });

  // Send through the SDK and return the status events of that message as the receiver got them (after idle), spec-checked.
  async function send(from: string, to: string, client = api, acct = ACCT, app = APP): Promise<string[]> {
    const { status, data } = await client.createMessage(acct, { applicationId: app, from, to: new Set([to]), text: 'hello' } as MessageRequest);
    expect(status).toBe(202);
    assertMatchesSpec('message', data);
    await running.idle();
    const bodies = (await running.callbacks.list({ messageId: data.id! })).filter((e) => e.outcome === 'delivered').map((e) => e.request.body);
    for (const body of bodies) assertCallbackMatchesSpec(body);
    return bodies.map((b) => {
      const event = (b as EventBody[])[0]!;
      return event.type + (event.errorCode !== undefined ? ` ${event.errorCode}` : '');
    });
  }

  // A handset texts one of our numbers; the stored copy (one owned recipient).
  async function handset(text: string, to = TOLL_FREE, from = HANDSET): Promise<ControlMessage> {
    const [copy] = await running.inbound({ from, to: [to], text });
    return copy!;
  }

  it('STOP → network auto-reply (journal, stored message) → STOP forwarded → send fails 4775 → START → auto-reply → send delivered', async () => {
    const stop = await handset('  Stop ');
    // The network's auto-reply: journaled at once, outcome `network`, never POSTed.
    const journaled = await running.callbacks.waitFor({ type: 'network-auto-reply', recipient: HANDSET, accountId: ACCT });
    expect(journaled).toMatchObject({ outcome: 'network', attempt: 0, applicationId: APP });
    expect(journaled.target).toBeUndefined();
    expect(journaled.request.body[0]).toMatchObject({
      type: 'network-auto-reply',
      keyword: 'STOP',
      to: HANDSET,
      message: { from: TOLL_FREE, text: STOP_REPLY },
    });
    // The inbound message says what the network did, and names the auto-reply.
    const note = stop.timeline.find((t) => t.what === 'opt-out');
    expect(note?.detail).toMatchObject({ keyword: 'STOP', number: TOLL_FREE, handset: HANDSET, changed: true, autoReplyId: journaled.messageId });
    // The auto-reply is a message of the conversation, from the toll-free number to the handset, marked as the network's.
    const reply = await running.messages.get(journaled.messageId);
    expect(reply).toMatchObject({ network: 'opt-out-auto-reply', direction: 'out', from: TOLL_FREE, owner: TOLL_FREE, to: [HANDSET], text: STOP_REPLY });
    expect(reply!.recipients).toEqual([expect.objectContaining({ to: HANDSET, status: 'DELIVERED', errorCode: 0 })]);
    // The STOP itself still reaches the application as message-received.
    const received = await running.callbacks.waitFor({ messageId: stop.id, type: 'message-received', outcome: 'delivered' });
    const event = (received.request.body as EventBody[])[0]!;
    expect(event.message).toMatchObject({ from: HANDSET, text: '  Stop ', direction: 'in' });
    assertCallbackMatchesSpec(received.request.body);
    expect((await running.optOuts.list(ACCT))?.optOuts).toEqual([expect.objectContaining({ number: TOLL_FREE, handset: HANDSET, source: 'handset' })]);

    // Later sends from that toll-free number to that handset: 202, then message-failed 4775.
    expect(await send(TOLL_FREE, HANDSET)).toEqual(['message-failed 4775']);
    const [failed] = await running.messages.list({ accountId: ACCT, from: TOLL_FREE, to: HANDSET, direction: 'out', status: 'FAILED', limit: 1 });
    expect(failed?.failures).toEqual([expect.objectContaining({ to: HANDSET, errorCode: 4775, name: 'destination-rejected-due-to-user-opt-out' })]);
    // Only that (number, handset): another toll-free number, the account's long code and another handset are delivered.
    expect(await send(TOLL_FREE_2, HANDSET)).toEqual(['message-delivered']);
    expect(await send(LOCAL, HANDSET)).toEqual(['message-delivered']);
    expect(await send(TOLL_FREE, '+15551236001')).toEqual(['message-delivered']);

    // START clears it; the network answers again, echoing the word.
    const start = await handset('START');
    const startNote = start.timeline.find((t) => t.what === 'opt-in');
    expect(startNote?.detail).toMatchObject({ keyword: 'START', changed: true });
    const startReply = await running.messages.get(String(startNote!.detail!.autoReplyId));
    expect(startReply).toMatchObject({
      network: 'opt-out-auto-reply',
      text: 'NETWORK MSG: You have replied "start" and will begin receiving messages again from this number.',
    });
    await running.callbacks.waitFor({ messageId: start.id, type: 'message-received', outcome: 'delivered' });
    expect((await running.optOuts.list(ACCT))?.optOuts).toEqual([]);
    expect(await send(TOLL_FREE, HANDSET)).toEqual(['message-delivered']);

    // The application got no callback for the network's messages; the search API does not list them.
    await running.idle();
    for (const id of [reply!.id, startReply!.id]) {
      expect((await running.callbacks.list({ messageId: id })).map((e) => e.outcome)).toEqual(['network']);
      expect(sink.requests.some((r) => (r.body as EventBody[]).some((e) => e.message.id === id))).toBe(false);
    }
    const { data } = await list(api, ACCT, { sourceTn: TOLL_FREE, limit: 1000 });
    const ids = checkList(data).messages?.map((m) => m.messageId) ?? [];
    expect(ids).not.toContain(reply!.id);
    expect(ids).not.toContain(startReply!.id);
  });

  it('UNSTOP clears an opt-out too; STOP twice keeps one opt-out and is answered each time', async () => {
    const other = '+15551236002';
    await handset('STOP', TOLL_FREE, other);
    const again = await handset('stop', TOLL_FREE, other);
    expect(again.timeline.find((t) => t.what === 'opt-out')?.detail).toMatchObject({ changed: false });
    expect((await running.optOuts.list(ACCT))?.optOuts.filter((o) => o.handset === other)).toHaveLength(1);
    expect(await running.callbacks.list({ type: 'network-auto-reply', recipient: other })).toHaveLength(2);
    const unstop = await handset('unstop', TOLL_FREE, other);
    const replyId = String(unstop.timeline.find((t) => t.what === 'opt-in')!.detail!.autoReplyId);
    expect((await running.messages.get(replyId))?.text).toBe(
      'NETWORK MSG: You have replied "unstop" and will begin receiving messages again from this number.',
    );
    expect(await send(TOLL_FREE, other)).toEqual(['message-delivered']);
  });

  it('a long code has no platform opt-out: STOP to the local number is forwarded, nothing else happens', async () => {
    const other = '+15551236003';
    const stop = await handset('STOP', LOCAL, other);
    await running.callbacks.waitFor({ messageId: stop.id, type: 'message-received', outcome: 'delivered' });
    expect(stop.timeline.map((t) => t.what)).toEqual(['received']);
    expect(await running.callbacks.list({ type: 'network-auto-reply', recipient: other })).toEqual([]);
    expect((await running.optOuts.list(ACCT))?.optOuts.filter((o) => o.handset === other)).toEqual([]);
    expect(await send(LOCAL, other)).toEqual(['message-delivered']);
  });

  it('other words (HELP, INFO, STOPALL, UNSUBSCRIBE, a sentence with STOP) are not the network’s: forwarded only', async () => {
    const other = '+15551236004';
    for (const text of ['HELP', 'info', 'STOPALL', 'UNSUBSCRIBE', 'cancel', 'please stop', 'STOP.']) {
      const copy = await handset(text, TOLL_FREE, other);
      await running.callbacks.waitFor({ messageId: copy.id, type: 'message-received', outcome: 'delivered' });
      expect(
        copy.timeline.map((t) => t.what),
        text,
      ).toEqual(['received']);
    }
    expect(await running.callbacks.list({ type: 'network-auto-reply', recipient: other })).toEqual([]);
    expect(await send(TOLL_FREE, other)).toEqual(['message-delivered']);
  });

  it('the fast profile (an account without the part) is unchanged: STOP to a toll-free number is forwarded, sends delivered', async () => {
    const [stop] = await running.inbound({ from: HANDSET, to: [FAST_TOLL_FREE], text: 'STOP' });
    await running.callbacks.waitFor({ messageId: stop!.id, type: 'message-received', outcome: 'delivered' });
    expect(stop!.timeline.map((t) => t.what)).toEqual(['received']);
    expect(await running.callbacks.list({ accountId: FAST_ACCT, type: 'network-auto-reply' })).toEqual([]);
    expect((await running.optOuts.list(FAST_ACCT))?.optOuts).toEqual([]);
    expect(await send(FAST_TOLL_FREE, HANDSET, fastApi, FAST_ACCT, FAST_APP)).toEqual(['message-delivered']);
    // An opt-out added by hand is kept but not enforced while the part is off.
    await running.optOuts.add(FAST_ACCT, { number: FAST_TOLL_FREE, handset: HANDSET });
    expect(await send(FAST_TOLL_FREE, HANDSET, fastApi, FAST_ACCT, FAST_APP)).toEqual(['message-delivered']);
    // Switched on at run time, it applies from the next message; a reset of the account forgets both.
    await running.traffic.set({ optOut: true }, FAST_ACCT);
    expect(await send(FAST_TOLL_FREE, HANDSET, fastApi, FAST_ACCT, FAST_APP)).toEqual(['message-failed 4775']);
    await running.reset(FAST_ACCT);
    expect((await running.optOuts.list(FAST_ACCT))?.optOuts).toEqual([]);
    expect((await running.traffic.get(FAST_ACCT))?.settings.optOut).toBe(false);
  });

  it('a scenario reply and a scheduled inbound STOP go through the network too', async () => {
    const other = '+15551236005';
    await running.scenarios.use(
      {
        version: 1,
        name: 'opt-out-reply',
        rules: [
          {
            name: 'answers STOP',
            match: { to: other, from: TOLL_FREE },
            times: 1,
            events: [{ type: 'message-delivered', after: '5ms' }],
            reply: { after: '10ms', text: 'STOP' },
          },
        ],
      },
      { accountId: ACCT },
    );
    expect(await send(TOLL_FREE, other)).toEqual(['message-delivered']);
    const auto = await running.callbacks.waitFor({ type: 'network-auto-reply', recipient: other });
    expect(auto.outcome).toBe('network');
    expect(await send(TOLL_FREE, other)).toEqual(['message-failed 4775']);
    await running.scenarios.clear({ accountId: ACCT });
  });
});

describe('toll-free opt-out in the production profile', () => {
  const emulators = useEmulators();

  it('is on in the production profile: STOP answered, the next send fails 4775 (time scaled)', async () => {
    const sink = await emulators.newSink();
    const running = await emulators.start({
      config: undefined,
      ...config(sink.url),
      accounts: [{ id: ACCT, users: [USER], applications: [{ id: APP, callbackUrl: sink.url }], numbers: [TOLL_FREE] }],
      traffic: { profile: 'production' },
      timeScale: 0.001,
    });
    expect((await running.traffic.get(ACCT))?.settings).toMatchObject({ profile: 'production', optOut: true });
    await running.inbound({ from: HANDSET, to: [TOLL_FREE], text: 'STOP' });
    await running.callbacks.waitFor({ type: 'network-auto-reply', recipient: HANDSET });
    const client = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    const { data } = await client.createMessage(ACCT, { applicationId: APP, from: TOLL_FREE, to: new Set([HANDSET]), text: 'hi' } as MessageRequest);
    const failed = await running.callbacks.waitFor({ messageId: data.id!, type: 'message-failed', outcome: 'delivered' }, { timeoutMs: 20_000 });
    expect((failed.request.body as EventBody[])[0]).toMatchObject({ errorCode: 4775, to: HANDSET });
  });
});
