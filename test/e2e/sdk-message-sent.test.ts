// message-sent (README "Callbacks"): Bandwidth's hand-off receipt, opt-in per application. Through the official
// bandwidth-sdk (only basePath changed) against a real emulator and a real receiver: an application whose
// callbackTypes list message-sent gets it after any message-sending and before the one final event, for SMS, MMS,
// each recipient of a group and a multichannel create; an application without it gets none (nothing planned, nothing
// journaled); a scenario scripts it with its own timing. Every body is checked against the spec at teardown, and here.
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, MultiChannelApi, type MessageRequest, type MultiChannelMessageRequest } from 'bandwidth-sdk';
import type { ConfigFile } from '../../src/config/schema.js';
import type { ControlInputError } from '../../src/control/control-input-error.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { events, expectBooksBalance, rejection, sequence } from '../helpers/harness.js';
import { list } from '../helpers/messages-sdk.js';
import type { CallbackSink } from '../helpers/sink.js';
import { assertMatchesSpec } from '../helpers/spec.js';

const { start, newSink } = useEmulators();

const ACCOUNT = '9908000';
const USER = { username: 'sent-user', password: 'sent-password' };
const SENT_APP = '5e000000-0000-4000-8000-000000000001';
const PLAIN_APP = '5e000000-0000-4000-8000-000000000002';
const FROM = '+19195550800';
const PLAIN_FROM = '+19195550801';
const HANDSET = '+19195558100';
const OTHER = '+19195558101';
const MEDIA = ['https://example.com/cat.png'];
const WAIT = { timeoutMs: 10_000 };

/** One account, two applications on one receiver: one asks for message-sent, one keeps the default types. */
function config(sink: CallbackSink): Partial<ConfigFile> {
  return {
    accounts: [
      {
        id: ACCOUNT,
        users: [USER],
        applications: [
          { id: SENT_APP, callbackUrl: sink.url, callbackTypes: ['message-sending', 'message-sent', 'message-delivered', 'message-failed'] },
          { id: PLAIN_APP, callbackUrl: sink.url },
        ],
        numbers: [
          { number: FROM, applicationId: SENT_APP },
          { number: PLAIN_FROM, applicationId: PLAIN_APP },
        ],
      },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '60ms', retryDelays: ['20ms'], timeout: '2s' },
  };
}

async function setup(): Promise<{ running: RunningEmulator; api: MessagesApi; sink: CallbackSink }> {
  const sink = await newSink();
  const running = await start(config(sink));
  return { running, api: new MessagesApi(new Configuration({ basePath: running.url, ...USER })), sink };
}

/** Create through the SDK from the message-sent application's number (or the plain one's); the 202's id. */
async function send(api: MessagesApi, to: string[], options: { media?: string[]; plain?: boolean } = {}): Promise<string> {
  const body: MessageRequest = {
    applicationId: options.plain ? PLAIN_APP : SENT_APP,
    from: options.plain ? PLAIN_FROM : FROM,
    to: new Set(to),
    text: 'hand-off',
    ...(options.media ? { media: options.media } : {}),
  };
  const res = await api.createMessage(ACCOUNT, body);
  expect(res.status).toBe(202);
  return res.data.id!;
}

describe('message-sent for an application that asks for it', () => {
  it('SMS: the receiver gets message-sent, then message-delivered, each valid against the spec', async () => {
    const { running, api, sink } = await setup();
    const id = await send(api, [HANDSET]);
    await running.idle(WAIT);
    expect(sequence(running, sink, id, HANDSET)).toEqual(['message-sent', 'message-delivered']);
    const sent = events(sink).find((e) => e.message.id === id && e.type === 'message-sent')!;
    assertMatchesSpec('statusCallback', sent);
    // The spec's messageSentCallbackExample: its description, the recipient at top level, no text repeated.
    expect(sent).toMatchObject({ type: 'message-sent', description: 'Message sent to carrier', to: HANDSET });
    expect(sent.message).toMatchObject({ id, from: FROM, owner: FROM, applicationId: SENT_APP, direction: 'out', text: '' });
    // It arrived first: the receiver's own order (the dispatcher keeps a recipient's events in order).
    const arrivals = events(sink)
      .filter((e) => e.message.id === id)
      .map((e) => e.type);
    expect(arrivals).toEqual(['message-sent', 'message-delivered']);
    const timeline = (await running.messages.get(id))!.timeline.filter((t) => t.recipient === HANDSET).map((t) => t.what);
    expect(timeline.indexOf('message-sent')).toBeLessThan(timeline.indexOf('message-delivered'));
    expectBooksBalance(running.emulator.parts.dispatcher.stats());
  });

  it('MMS: message-sending, message-sent, message-delivered; a group: one message-sent per recipient, one final event each', async () => {
    const { running, api, sink } = await setup();
    const mms = await send(api, [HANDSET], { media: MEDIA });
    const group = await send(api, [HANDSET, OTHER]);
    await running.idle(WAIT);
    expect(sequence(running, sink, mms, HANDSET)).toEqual(['message-sending', 'message-sent', 'message-delivered']);
    for (const to of [HANDSET, OTHER]) expect(sequence(running, sink, group, to)).toEqual(['message-sending', 'message-sent', 'message-delivered']);
    const groupSent = events(sink).filter((e) => e.message.id === group && e.type === 'message-sent');
    expect(groupSent.map((e) => e.to).sort()).toEqual([HANDSET, OTHER].sort());
    for (const event of groupSent) expect(event.message.to.sort()).toEqual([HANDSET, OTHER].sort());
  });

  it('a carrier-reported failure comes after message-sent; a failure Bandwidth detects itself has none (the message never left)', async () => {
    const { running, api, sink } = await setup();
    await running.scenarios.use({
      version: 1,
      name: 'failures',
      rules: [
        { name: 'carrier rejects', match: { to: HANDSET }, events: [{ type: 'message-failed', errorCode: 4720 }] },
        { name: 'bandwidth refuses', match: { to: OTHER }, events: [{ type: 'message-failed', errorCode: 4432 }] },
      ],
    });
    const carrier = await send(api, [HANDSET]);
    const refused = await send(api, [OTHER]);
    await running.idle(WAIT);
    expect(sequence(running, sink, carrier, HANDSET)).toEqual(['message-sent', 'message-failed 4720']);
    expect(sequence(running, sink, refused, OTHER)).toEqual(['message-failed 4432']);
  });

  it('search shows SENT between the hand-off and the receipt', async () => {
    const { running, api } = await setup();
    await running.scenarios.use({
      version: 1,
      name: 'slow receipt',
      rules: [{ name: 'slow', match: { to: HANDSET }, events: [{ type: 'message-sent' }, { type: 'message-delivered', after: '1h' }] }],
    });
    const id = await send(api, [HANDSET]);
    await running.callbacks.waitFor({ messageId: id, type: 'message-sent', outcome: 'delivered' }, WAIT);
    const [row] = (await list(api, ACCOUNT, { messageId: id })).data.messages!;
    expect(row!.messageStatus).toBe('SENT');
  });

  it('a multichannel create (RBM) gets message-sent after message-sending, before message-delivered and message-read', async () => {
    const { running, sink } = await setup();
    const mc = new MultiChannelApi(new Configuration({ basePath: running.url, ...USER }));
    const request = {
      to: HANDSET,
      channelList: [{ from: 'BandwidthRBM', applicationId: SENT_APP, channel: 'RBM', content: { text: 'Your order shipped' } }],
    } as unknown as MultiChannelMessageRequest;
    const res = await mc.createMultiChannelMessage(ACCOUNT, request);
    expect(res.status).toBe(202);
    const id = (res.data as { data: { id: string } }).data.id;
    await running.idle(WAIT);
    expect(sequence(running, sink, id, HANDSET)).toEqual(['message-sending', 'message-sent', 'message-delivered', 'message-read']);
    const sent = events(sink).find((e) => e.message.id === id && e.type === 'message-sent')!;
    assertMatchesSpec('statusCallback', sent);
    expect((sent.message as { channel?: string }).channel).toBe('RBM');
  });
});

describe('message-sent in the production profile', () => {
  it('comes when the message leaves the account queue: after its dequeued note, before message-delivered', async () => {
    const sink = await newSink();
    // Frozen time (flush() runs it): the second message waits 1 s of emulated time at the account rate.
    const running = await start({ ...config(sink), timeScale: 1e6, traffic: { profile: 'production' } });
    const api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    const first = await send(api, [HANDSET]);
    const second = await send(api, [HANDSET]);
    await running.time.flush();
    await running.idle(WAIT);
    for (const id of [first, second]) expect(sequence(running, sink, id, HANDSET)).toEqual(['message-sent', 'message-delivered']);
    const message = running.emulator.parts.store.find(second)!;
    const dequeued = message.timeline.find((t) => t.what === 'dequeued')!;
    expect(dequeued.detail?.waitedMs).toBe(1000);
    // The plan is made when it leaves: its notes come in this order in the message's timeline.
    const order = message.timeline.map((t) => t.what).filter((what) => ['dequeued', 'message-sent', 'message-delivered'].includes(what));
    expect(order).toEqual(['dequeued', 'message-sent', 'message-delivered']);
  });
});

describe('an application that does not ask for message-sent', () => {
  it('gets none: nothing planned, nothing journaled, the default types unchanged', async () => {
    const { running, api, sink } = await setup();
    const sms = await send(api, [HANDSET], { plain: true });
    const mms = await send(api, [HANDSET], { media: MEDIA, plain: true });
    await running.idle(WAIT);
    expect(sequence(running, sink, sms, HANDSET)).toEqual(['message-delivered']);
    expect(sequence(running, sink, mms, HANDSET)).toEqual(['message-sending', 'message-delivered']);
    expect(await running.callbacks.list({ type: 'message-sent' })).toEqual([]);
    expect(events(sink).some((e) => e.type === 'message-sent')).toBe(false);
  });

  it('a scripted message-sent is journaled not-requested and never POSTed', async () => {
    const { running, api, sink } = await setup();
    await running.scenarios.use({
      version: 1,
      name: 'scripted',
      rules: [{ name: 'hand-off', match: { to: HANDSET }, events: [{ type: 'message-sent', after: '10ms' }, { type: 'message-delivered' }] }],
    });
    const id = await send(api, [HANDSET], { plain: true });
    await running.idle(WAIT);
    const [entry] = await running.callbacks.list({ messageId: id, type: 'message-sent' });
    expect(entry!.outcome).toBe('not-requested');
    expect(
      events(sink)
        .filter((e) => e.message.id === id)
        .map((e) => e.type),
    ).toEqual(['message-delivered']);
  });
});

describe('message-sent scripted in a scenario', () => {
  it('takes the rule’s timing: after 300ms, then message-delivered 100ms later', async () => {
    const { running, api, sink } = await setup();
    const planned: number[][] = [];
    running.emulator.parts.timeline.observe({ planned: (_m, _r, steps) => planned.push(steps.map((step) => step.afterMs)), fired: () => {} });
    await running.scenarios.use({
      version: 1,
      name: 'timed',
      rules: [
        {
          name: 'late hand-off',
          match: { to: HANDSET },
          events: [
            { type: 'message-sent', after: '300ms' },
            { type: 'message-delivered', after: '100ms' },
          ],
        },
      ],
    });
    const id = await send(api, [HANDSET]);
    await running.idle(WAIT);
    expect(sequence(running, sink, id, HANDSET)).toEqual(['message-sent', 'message-delivered']);
    // Planned at exactly 300 ms and 400 ms after the 202; played on the clock (a timer may round by a millisecond).
    expect(planned).toEqual([[300, 400]]);
    const message = running.emulator.parts.store.find(id)!;
    const at = (what: string) => message.timeline.find((t) => t.what === what && t.recipient === HANDSET)!.at;
    expect(at('message-sent') - message.time).toBeGreaterThanOrEqual(290);
    expect(at('message-delivered') - at('message-sent')).toBeGreaterThanOrEqual(90);
  });

  it('is refused twice in one rule, and an unknown type is refused with message-sent among the types listed', async () => {
    const { running } = await setup();
    const problems = async (scenario: object) => ((await rejection(running.scenarios.use(scenario as never))) as ControlInputError).problems;
    expect(
      await problems({ version: 1, name: 'twice', rules: [{ events: [{ type: 'message-sent' }, { type: 'message-sent' }, { type: 'message-delivered' }] }] }),
    ).toEqual([expect.objectContaining({ field: 'rules[0].events[1]', problem: 'message-sent is the hand-off, and it happens once' })]);
    expect(await problems({ version: 1, name: 'late', rules: [{ events: [{ type: 'message-delivered' }, { type: 'message-sent' }] }] })).toEqual([
      expect.objectContaining({ field: 'rules[0].events[0]', problem: 'message-delivered is final, but more events follow it' }),
    ]);
    const typo = await problems({ version: 1, name: 'typo', rules: [{ events: [{ type: 'message-snt' }] }] });
    expect(JSON.stringify(typo)).toContain("'message-sent'");
  });
});
