// The callback engine end to end, part 1: what is sent, where, and what the journal and the search API say about it.
// Real emulator, real callback receivers (sinks on 127.0.0.1:0), the official bandwidth-sdk as the client.
// Delivery mechanics (retries, timeouts, auth, close) are in callbacks-delivery.test.ts.
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import type { RunningEmulator } from '../../src/start.js';
import type { ConfigFile } from '../../src/config/schema.js';
import type { JournalEntry } from '../../src/store/journal.js';
import type { CallbackSink, SinkRequest } from '../helpers/sink.js';
import { assertCallbackMatchesSpec } from '../helpers/spec.js';
import { useEmulators } from '../helpers/fixture.js';
import { expectBooksBalance } from '../helpers/harness.js';

const emulators = useEmulators();
const { checked, newSink } = emulators;

type AccountFile = NonNullable<ConfigFile['accounts']>[number];
type AppFile = AccountFile['applications'][number];
type CallbacksFile = NonNullable<ConfigFile['callbacks']>;

const ACCOUNT = '9901000';
const USER = 'cb-user';
const PASS = 'cb-password';
const APP = '0a1b2c3d-0000-4000-8000-000000000001';
const APP_B = '0a1b2c3d-0000-4000-8000-000000000002';
const FROM = '+19195550100';
const NUMBER_B = '+19195550111';
// Ordinary recipients: none of them is one of the emulator's magic +1555[1-4]00DDDD numbers.
const TO1 = '+19195557001';
const TO2 = '+19195557002';
const TO3 = '+19195557003';
const WAIT = { timeoutMs: 5000 };
const FAST: CallbacksFile = { retryDelays: ['20ms', '40ms'], timeout: '300ms', deliveryDelay: '10ms', sendingDelay: '5ms' };

/** One element of a callback body, as much of it as these tests read. */
interface EventBody {
  type: string;
  time: string;
  description: string;
  to: string;
  errorCode?: number;
  message: {
    id: string;
    owner: string;
    applicationId: string;
    direction: string;
    to: string[];
    from: string;
    text: string;
    media?: string[];
    tag?: string;
  };
}

// ---- teardown: every emulator and sink a test starts is closed, and every body a sink received is checked ----

function app(id: string, settings: Omit<AppFile, 'id'> = {}): AppFile {
  return { id, ...settings };
}

async function start(
  applications: AppFile[],
  options: { numbers?: Array<{ number: string; applicationId: string }>; callbacks?: CallbacksFile } = {},
): Promise<{ running: RunningEmulator; api: MessagesApi }> {
  const running = await emulators.start({
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: USER, password: PASS }],
        applications,
        numbers: options.numbers ?? [{ number: FROM, applicationId: applications[0]!.id }],
      },
    ],
    callbacks: { ...FAST, ...options.callbacks },
  });
  const api = new MessagesApi(new Configuration({ basePath: running.url, username: running.account.username, password: running.account.password }));
  return { running, api };
}

/** A create-message body; `to` is a Set in the SDK's types but goes on the wire as the array it is. */
function request(fields: { applicationId?: string; to: string[]; from?: string; text?: string; media?: string[]; tag?: string }): MessageRequest {
  return {
    applicationId: fields.applicationId ?? APP,
    to: fields.to as unknown as Set<string>,
    from: fields.from ?? FROM,
    text: fields.text ?? 'hello from the callback tests',
    ...(fields.media ? { media: fields.media } : {}),
    ...(fields.tag !== undefined ? { tag: fields.tag } : {}),
  };
}

/** Every event every request of a sink carried, in arrival order. */
function events(sink: CallbackSink): Array<EventBody & { n: number }> {
  return sink.requests.flatMap((r: SinkRequest) => (r.body as EventBody[]).map((e) => ({ ...e, n: r.n })));
}

describe('callback payloads', () => {
  it('SMS: exactly one message-delivered, after the 202, spec-shaped, with the headers Bandwidth sends', async () => {
    const sink = await newSink();
    let have202 = false;
    const arrivedBefore202: number[] = [];
    sink.respond((req) => {
      if (!have202) arrivedBefore202.push(req.n);
    });
    // A delivery delay far above a loopback round trip: the 202 must be in the client's hands before any callback.
    const { running, api } = await start([app(APP, { callbackUrl: sink.url })], { callbacks: { deliveryDelay: '100ms' } });

    const res = await api.createMessage(ACCOUNT, request({ to: [TO1], text: 'the text is not repeated', tag: 'order-77' }));
    have202 = true;
    expect(res.status).toBe(202);
    const id = res.data.id;
    expect(id).toBeTruthy();

    const entry = await running.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    expect(entry.attempt).toBe(1);
    expect(arrivedBefore202).toEqual([]);
    // Not a race won by luck: the POST started no sooner than the delivery delay after the accepted time in the 202.
    expect(entry.at - Date.parse(res.data.time!)).toBeGreaterThanOrEqual(99);

    expect(sink.requests).toHaveLength(1);
    const [post] = sink.requests;
    expect(post!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(post!.headers['user-agent']).toBe('BandwidthAPI/v2');
    expect(post!.headers.authorization).toBeUndefined();
    expect(Array.isArray(post!.body)).toBe(true);
    const body = post!.body as EventBody[];
    expect(body).toHaveLength(1);
    const event = body[0]!;
    expect(event.type).toBe('message-delivered');
    expect(event.to).toBe(TO1);
    expect(event.description).not.toBe('');
    expect(event.errorCode).toBeUndefined();
    expect(event.message).toMatchObject({ id, owner: FROM, from: FROM, to: [TO1], applicationId: APP, direction: 'out', text: '', tag: 'order-77' });
    expect(event.message.media).toBeUndefined();
    assertCallbackMatchesSpec(post!.body);

    // Exactly one: nothing else is scheduled, pending or was ever planned for this message.
    await running.assertNoPending();
    expect(running.emulator.parts.dispatcher.stats()).toMatchObject({ planned: 1, delivered: 1, pending: 0, exhausted: 0 });
    expect(await running.callbacks.list({ messageId: id })).toHaveLength(1);
  });

  it('MMS (media): message-sending, then message-delivered, in that order', async () => {
    const sink = await newSink();
    const { running, api } = await start([app(APP, { callbackUrl: sink.url })], { callbacks: { sendingDelay: '5ms', deliveryDelay: '80ms' } });
    const media = ['https://example.com/pictures/cat.png'];
    const res = await api.createMessage(ACCOUNT, request({ to: [TO1], media, tag: 'mms-1' }));
    expect(res.status).toBe(202);
    const id = res.data.id;

    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    const received = events(sink);
    expect(received.map((e) => e.type)).toEqual(['message-sending', 'message-delivered']);
    for (const e of received) {
      expect(e.to).toBe(TO1);
      expect(e.message).toMatchObject({ id, media, text: '', tag: 'mms-1', direction: 'out' });
    }
    expect(Date.parse(received[0]!.time)).toBeLessThanOrEqual(Date.parse(received[1]!.time));
    const journal = await running.callbacks.list({ messageId: id });
    expect(journal.map((j) => [j.type, j.outcome])).toEqual([
      ['message-sending', 'delivered'],
      ['message-delivered', 'delivered'],
    ]);
  });

  it('group of 3: one message-delivered per recipient, top-level to = that recipient, message.to = everyone, one id', async () => {
    const sink = await newSink();
    const { running, api } = await start([app(APP, { callbackUrl: sink.url })]);
    const group = [TO1, TO2, TO3];
    const res = await api.createMessage(ACCOUNT, request({ to: group }));
    expect(res.status).toBe(202);
    const id = res.data.id;

    await Promise.all(group.map((recipient) => running.callbacks.waitFor({ messageId: id, type: 'message-delivered', recipient, outcome: 'delivered' }, WAIT)));
    const delivered = events(sink).filter((e) => e.type === 'message-delivered');
    expect(delivered).toHaveLength(3);
    expect(delivered.map((e) => e.to).sort()).toEqual([...group].sort());
    for (const e of delivered) {
      expect(e.message.to).toEqual(group);
      expect(e.message.id).toBe(id);
      expect(e.message.owner).toBe(FROM);
    }
    // A group is MMS: each recipient also had its message-sending, and nothing else was sent.
    const sending = events(sink).filter((e) => e.type === 'message-sending');
    expect(sending.map((e) => e.to).sort()).toEqual([...group].sort());
    expect(sink.requests).toHaveLength(6);
    expect(running.emulator.parts.dispatcher.stats()).toMatchObject({ planned: 6, delivered: 6, pending: 0 });
  });
});

describe('callback routing', () => {
  it('inbound group: each owned number gets its own message-received at its own application, with its own id', async () => {
    const sinkA = await newSink();
    const sinkB = await newSink();
    const { running } = await start([app(APP, { callbackUrl: sinkA.url }), app(APP_B, { callbackUrl: sinkB.url })], {
      numbers: [
        { number: FROM, applicationId: APP },
        { number: NUMBER_B, applicationId: APP_B },
      ],
    });
    const everyone = [FROM, NUMBER_B, '+15559999999'];
    const copies = await running.inbound({ from: '+15551230000', to: everyone, text: 'hi' });
    expect(copies.map((c) => c.owner).sort()).toEqual([FROM, NUMBER_B].sort());
    const idOf = new Map(copies.map((c) => [c.owner, c.id]));
    expect(idOf.get(FROM)).not.toBe(idOf.get(NUMBER_B));

    await Promise.all([FROM, NUMBER_B].map((recipient) => running.callbacks.waitFor({ type: 'message-received', recipient, outcome: 'delivered' }, WAIT)));
    for (const [sink, number, appId] of [
      [sinkA, FROM, APP],
      [sinkB, NUMBER_B, APP_B],
    ] as const) {
      expect(sink.requests).toHaveLength(1);
      const received = events(sink);
      expect(received).toHaveLength(1);
      const e = received[0]!;
      expect(e.type).toBe('message-received');
      expect(e.to).toBe(number);
      expect(e.message).toMatchObject({
        id: idOf.get(number),
        owner: number,
        applicationId: appId,
        to: everyone,
        from: '+15551230000',
        text: 'hi',
        direction: 'in',
      });
      expect(e.errorCode).toBeUndefined();
      // assertCallbackMatchesSpec picks the spec's inboundCallback schema for message-received.
      assertCallbackMatchesSpec(sink.requests[0]!.body);
    }
  });

  it('separate URLs: status events go to outboundCallbackUrl, message-received to inboundCallbackUrl', async () => {
    const sinkIn = await newSink();
    const sinkOut = await newSink();
    const { running, api } = await start([app(APP, { inboundCallbackUrl: sinkIn.url, outboundCallbackUrl: sinkOut.url })]);
    const res = await api.createMessage(ACCOUNT, request({ to: [TO1] }));
    const [copy] = await running.inbound({ from: TO1, to: [FROM], text: 'a reply' });

    await running.callbacks.waitFor({ messageId: res.data.id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    await running.callbacks.waitFor({ messageId: copy!.id, type: 'message-received', outcome: 'delivered' }, WAIT);
    expect(events(sinkOut).map((e) => [e.type, e.message.id])).toEqual([['message-delivered', res.data.id]]);
    expect(events(sinkIn).map((e) => [e.type, e.message.id])).toEqual([['message-received', copy!.id]]);
    expect(new URL(sinkOut.url).port).not.toBe(new URL(sinkIn.url).port);
  });

  it('single-URL mode: an application with only an inboundCallbackUrl receives its status events there too (§8.2)', async () => {
    const sink = await newSink();
    const { running, api } = await start([app(APP, { inboundCallbackUrl: sink.url })]);
    const res = await api.createMessage(ACCOUNT, request({ to: [TO1] }));
    const entry = await running.callbacks.waitFor({ messageId: res.data.id, type: 'message-delivered' }, WAIT);
    expect(entry.outcome).toBe('delivered');
    expect(entry.target).toBe(sink.url);
    expect(events(sink).map((e) => e.type)).toEqual(['message-delivered']);
  });

  it('callbackTypes: unrequested status types are journaled as not-requested and never POSTed', async () => {
    const sinkDelivered = await newSink();
    const sinkFailed = await newSink();
    const APP_FAILED = APP_B;
    // Each application with a number of its own: status callbacks follow the from number's application.
    const { running, api } = await start(
      [
        app(APP, { callbackUrl: sinkDelivered.url, callbackTypes: ['message-delivered'] }),
        app(APP_FAILED, { callbackUrl: sinkFailed.url, callbackTypes: ['message-failed'] }),
      ],
      {
        numbers: [
          { number: FROM, applicationId: APP },
          { number: NUMBER_B, applicationId: APP_FAILED },
        ],
      },
    );
    const media = ['https://example.com/a.png'];

    // Delivered only: an MMS's message-sending is not sent.
    const a = await api.createMessage(ACCOUNT, request({ applicationId: APP, to: [TO1], media }));
    await running.callbacks.waitFor({ messageId: a.data.id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    const sendingA = await running.callbacks.waitFor({ messageId: a.data.id, type: 'message-sending' }, WAIT);
    expect(sendingA.outcome).toBe('not-requested');
    expect(sendingA.attempt).toBe(0);
    expect(sendingA.response).toBeUndefined();
    expect(events(sinkDelivered).map((e) => e.type)).toEqual(['message-delivered']);

    // Failed only: a delivered MMS sends nothing at all; a failure (magic number +1555100DDDD) still arrives.
    const b = await api.createMessage(ACCOUNT, request({ applicationId: APP_FAILED, from: NUMBER_B, to: [TO2], media }));
    const failing = await api.createMessage(ACCOUNT, request({ applicationId: APP_FAILED, from: NUMBER_B, to: ['+15551004432'] }));
    const deliveredB = await running.callbacks.waitFor({ messageId: b.data.id, type: 'message-delivered' }, WAIT);
    const sendingB = await running.callbacks.waitFor({ messageId: b.data.id, type: 'message-sending' }, WAIT);
    expect([sendingB.outcome, deliveredB.outcome]).toEqual(['not-requested', 'not-requested']);
    await running.callbacks.waitFor({ messageId: failing.data.id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    const failedEvents = events(sinkFailed);
    expect(failedEvents.map((e) => [e.type, e.message.id, e.errorCode])).toEqual([['message-failed', failing.data.id, 4432]]);

    expect(running.emulator.parts.dispatcher.stats()).toMatchObject({ notRequested: 3, delivered: 2, pending: 0 });
    expectBooksBalance(running.emulator.parts.dispatcher.stats());
  });

  it('no URL: every event is still journaled (no-target) and the API still answers 202', async () => {
    const { running, api } = await start([app(APP)]);
    const res = await api.createMessage(ACCOUNT, request({ to: [TO1], media: ['https://example.com/a.png'] }));
    expect(res.status).toBe(202);
    const id = res.data.id;
    const delivered = await running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT);
    const sending = await running.callbacks.waitFor({ messageId: id, type: 'message-sending' }, WAIT);
    for (const entry of [sending, delivered]) {
      expect(entry.outcome).toBe('no-target');
      expect(entry.target).toBeUndefined();
      expect(entry.attempt).toBe(0);
      // The event that would have been sent is kept, spec-shaped.
      assertCallbackMatchesSpec(entry.request.body);
    }
    const [copy] = await running.inbound({ from: TO1, to: [FROM], text: 'inbound with nowhere to go' });
    const received = await running.callbacks.waitFor({ messageId: copy!.id, type: 'message-received' }, WAIT);
    expect(received.outcome).toBe('no-target');
    expect(running.emulator.parts.dispatcher.stats()).toMatchObject({ planned: 3, noTarget: 3, delivered: 0, pending: 0 });
  });
});

describe('search follows callback events', () => {
  it('message-delivered moves the search row to DELIVERED', async () => {
    const sink = await newSink();
    const { running, api } = await start([app(APP, { callbackUrl: sink.url })]);
    const res = await api.createMessage(ACCOUNT, request({ to: [TO1] }));
    await running.callbacks.waitFor({ messageId: res.data.id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    const found = await api.listMessages(ACCOUNT, res.data.id);
    expect(found.status).toBe(200);
    expect(found.data.messages).toHaveLength(1);
    expect(found.data.messages![0]).toMatchObject({ messageId: res.data.id, messageStatus: 'DELIVERED', errorCode: 0, destinationTn: TO1, sourceTn: FROM });
  });

  it('an unknown applicationId (strict): 202, then FAILED 4452 in search, the event journaled as no-target', async () => {
    const sink = await newSink();
    const { running, api } = await start([app(APP, { callbackUrl: sink.url })]);
    const res = await api.createMessage(ACCOUNT, request({ applicationId: 'not-an-application-of-this-account', to: [TO1] }));
    expect(res.status).toBe(202);
    const failed = await running.callbacks.waitFor({ messageId: res.data.id, type: 'message-failed' }, WAIT);
    expect(failed.outcome).toBe('no-target');
    expect((failed.request.body[0] as EventBody).errorCode).toBe(4452);
    const found = await api.listMessages(ACCOUNT, res.data.id);
    expect(found.data.messages![0]).toMatchObject({ messageId: res.data.id, messageStatus: 'FAILED', errorCode: 4452 });
    // No application, no URL: the configured app's sink got nothing.
    expect(sink.requests).toHaveLength(0);
  });

  it('a from the account does not own: message-failed 4403 at the sink with a description, FAILED in search', async () => {
    const sink = await newSink();
    const { running, api } = await start([app(APP, { callbackUrl: sink.url })]);
    const notOurs = '+19195550199';
    const res = await api.createMessage(ACCOUNT, request({ from: notOurs, to: [TO1], tag: 'bad-from' }));
    expect(res.status).toBe(202);
    const entry: JournalEntry = await running.callbacks.waitFor({ messageId: res.data.id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    expect(entry.target).toBe(sink.url);
    const received = events(sink);
    expect(received).toHaveLength(1);
    const e = received[0]!;
    expect(e.type).toBe('message-failed');
    expect(e.errorCode).toBe(4403);
    expect(typeof e.description).toBe('string');
    expect(e.description.trim()).not.toBe('');
    expect(e.to).toBe(TO1);
    expect(e.message).toMatchObject({ id: res.data.id, from: notOurs, owner: notOurs, text: '', tag: 'bad-from' });
    const found = await api.listMessages(ACCOUNT, res.data.id);
    expect(found.data.messages![0]).toMatchObject({ messageStatus: 'FAILED', errorCode: 4403 });
  });
});

// Runs last (vitest keeps file order): the afterEach hook above validated every body every sink received.
describe('spec conformance of everything sent', () => {
  it('every callback body received by any sink in this file matched the spec', () => {
    // 1 + 2 + 6 (payloads) + 2 + 2 + 1 + 2 (routing) + 1 + 1 (search) bodies at least.
    expect(checked.bodies).toBeGreaterThanOrEqual(18);
  });
});
