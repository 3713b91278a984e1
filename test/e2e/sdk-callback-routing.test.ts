import { Configuration, MessagesApi, MultiChannelApi, type MessageRequest, type MultiChannelMessageRequest } from 'bandwidth-sdk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/compose.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { buildApp } from '../../src/server.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { EventBody } from '../helpers/harness.js';
import type { CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec, assertMatchesSpec } from '../helpers/spec.js';

// Which application gets a message's status callbacks when the request's applicationId is another application of
// the account than the from number's (README "Which application gets the callbacks"), through Bandwidth's own Node
// SDK against a listening emulator: one account per setting, each with applications A and B on their own sinks and a
// number on each. Every body is validated against the spec here and again by the fixture's teardown.
const USER = { username: 'route-user', password: 'route-password' };
const REQ_USER = { username: 'route-req-user', password: 'route-req-password' };
const ACCT = '9904000'; // statusCallbackApplication left out: 'fromNumber', the strict default
const REQ_ACCT = '9904001'; // statusCallbackApplication: 'request'
const APP_A = 'a0000000-0000-4000-8000-00000000000a';
const APP_B = 'b0000000-0000-4000-8000-00000000000b';
const ON_A = '+19195550600';
const ON_B = '+19195550601';
const ON_B_NO_CAMPAIGN = '+19195550602';
const REQ_ON_A = '+19195550610';
const REQ_ON_B = '+19195550611';
const HANDSET = '+15551239100';
const HANDSET_2 = '+15551239101';
// Magic number: delivered after an hour, so the message is still in flight for a carrier action or an export.
const SLOW = '+15553003600';
const B_AUTH = { mode: 'preemptive' as const, username: 'app-b-hook', password: 'app-b-secret' };

interface Sinks {
  a: CallbackSink;
  b: CallbackSink;
}

function config(sinks: Sinks): ConfigFile {
  const applications = (prefix: string) => [
    { id: `${prefix}${APP_A}`, callbackUrl: sinks.a.url },
    // B has its own credentials and leaves message-sending out: both must follow the routing too.
    { id: `${prefix}${APP_B}`, callbackUrl: sinks.b.url, callbackAuth: B_AUTH, callbackTypes: ['message-delivered' as const, 'message-failed' as const] },
  ];
  return {
    accounts: [
      {
        id: ACCT,
        users: [USER],
        applications: applications(''),
        numbers: [ON_A, { number: ON_B, applicationId: APP_B }, { number: ON_B_NO_CAMPAIGN, applicationId: APP_B, campaign: null }],
      },
      {
        id: REQ_ACCT,
        users: [REQ_USER],
        applications: applications('r'),
        numbers: [REQ_ON_A, { number: REQ_ON_B, applicationId: `r${APP_B}` }],
        statusCallbackApplication: 'request',
      },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '20ms', retryDelays: ['20ms'], timeout: '2s' },
  };
}

const bodiesOf = (sink: CallbackSink, messageId: string) =>
  sink.requests.map((r) => (r.body as EventBody[])[0]!).filter((event) => event.message.id === messageId);
const kinds = (events: EventBody[]) => events.map((e) => e.type + (e.errorCode !== undefined ? ` ${e.errorCode}` : ''));

describe('status callbacks and the from number’s application, through bandwidth-sdk', () => {
  const emulators = useEmulators();
  let running: RunningEmulator;
  let sinks: Sinks;
  let api: MessagesApi;
  let reqApi: MessagesApi;

  beforeAll(async () => {
    sinks = { a: await emulators.newSink(), b: await emulators.newSink() };
    running = await emulators.start(config(sinks));
    api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    reqApi = new MessagesApi(new Configuration({ basePath: running.url, ...REQ_USER }));
  });

  // Send through the SDK, check the 202 against the spec, wait until nothing is pending (everything of this message
  // was scheduled before the 202), and return its id.
  async function send(applicationId: string, from: string, over: Partial<MessageRequest> = {}, client = api, acct = ACCT, settle = true): Promise<string> {
    const to = over.to ? [...over.to] : [HANDSET];
    const { status, data } = await client.createMessage(acct, { applicationId, from, to: new Set(to), text: 'routing', ...over } as MessageRequest);
    expect(status).toBe(202);
    assertMatchesSpec('message', data);
    if (settle) await running.idle();
    return data.id!;
  }
  const routingNote = async (id: string) => (await running.messages.get(id))!.timeline.find((t) => t.what === 'callback-routing');

  it("default (strict): applicationId A from a number on B calls back B's URL with B's credentials; the body echoes A; the message notes it", async () => {
    const id = await send(APP_A, ON_B);
    expect(bodiesOf(sinks.a, id)).toEqual([]);
    const events = bodiesOf(sinks.b, id);
    expect(kinds(events)).toEqual(['message-delivered']);
    for (const event of events) assertCallbackMatchesSpec([event]);
    expect(events[0]!.message.applicationId).toBe(APP_A);
    const request = sinks.b.requests.find((r) => (r.body as EventBody[])[0]!.message.id === id)!;
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${B_AUTH.username}:${B_AUTH.password}`).toString('base64')}`);
    const note = await routingNote(id);
    expect(note?.detail).toMatchObject({
      requestApplicationId: APP_A,
      fromNumberApplicationId: APP_B,
      statusCallbackApplication: 'fromNumber',
      callbackApplicationId: APP_B,
      callbackUrl: sinks.b.url,
    });
    expect(String(note?.detail?.reason)).toContain(`the from number's application ${APP_B}`);
    // The journal names the application called back and its URL.
    const journal = await running.callbacks.list({ messageId: id });
    expect(journal.map((e) => [e.applicationId, e.target, e.outcome])).toEqual([[APP_B, sinks.b.url, 'delivered']]);
  });

  it("B's callbackTypes apply: an MMS group's message-sending is not requested by B; each recipient's message-delivered reaches B", async () => {
    const id = await send(APP_A, ON_B, { to: new Set([HANDSET, HANDSET_2]) as unknown as MessageRequest['to'] });
    expect(bodiesOf(sinks.a, id)).toEqual([]);
    const events = bodiesOf(sinks.b, id);
    expect(events.map((e) => [e.type, e.to]).sort()).toEqual([
      ['message-delivered', HANDSET],
      ['message-delivered', HANDSET_2],
    ]);
    const notRequested = (await running.callbacks.list({ messageId: id, outcome: 'not-requested' })).map((e) => e.type);
    expect(notRequested).toEqual(['message-sending', 'message-sending']);
  });

  it("a failure from the from number's provisioning goes to B as well: message-failed 4476", async () => {
    const id = await send(APP_A, ON_B_NO_CAMPAIGN);
    expect(bodiesOf(sinks.a, id)).toEqual([]);
    expect(kinds(bodiesOf(sinks.b, id))).toEqual(['message-failed 4476']);
    expect((await routingNote(id))?.detail).toMatchObject({ callbackApplicationId: APP_B });
  });

  it('no mismatch, no note: each application with its own number calls back its own URL, as before', async () => {
    const onB = await send(APP_B, ON_B);
    expect(kinds(bodiesOf(sinks.b, onB))).toEqual(['message-delivered']);
    const onA = await send(APP_A, ON_A);
    expect(kinds(bodiesOf(sinks.a, onA))).toEqual(['message-delivered']);
    expect(bodiesOf(sinks.b, onA)).toEqual([]);
    expect(await routingNote(onB)).toBeUndefined();
    expect(await routingNote(onA)).toBeUndefined();
    // A number on A sent with applicationId B: B's credentials are not sent to A's URL.
    const aFromB = await send(APP_B, ON_A);
    const request = sinks.a.requests.find((r) => (r.body as EventBody[])[0]!.message.id === aFromB)!;
    expect(request.headers.authorization).toBeUndefined();
  });

  it("statusCallbackApplication: request follows the request's applicationId (the current docs); the note says so", async () => {
    const id = await send(`r${APP_A}`, REQ_ON_B, {}, reqApi, REQ_ACCT);
    expect(bodiesOf(sinks.b, id)).toEqual([]);
    const events = bodiesOf(sinks.a, id);
    expect(kinds(events)).toEqual(['message-delivered']);
    expect(events[0]!.message.applicationId).toBe(`r${APP_A}`);
    expect((await routingNote(id))?.detail).toMatchObject({
      requestApplicationId: `r${APP_A}`,
      fromNumberApplicationId: `r${APP_B}`,
      statusCallbackApplication: 'request',
      callbackApplicationId: `r${APP_A}`,
      callbackUrl: sinks.a.url,
    });
    // The other way round: applicationId B from a number on A calls back B, with B's credentials.
    const other = await send(`r${APP_B}`, REQ_ON_A, {}, reqApi, REQ_ACCT);
    expect(kinds(bodiesOf(sinks.b, other))).toEqual(['message-delivered']);
    expect(bodiesOf(sinks.a, other)).toEqual([]);
  });

  it('multichannel: an SMS channel follows its from number; an RBM channel (an agent, no number) follows its applicationId', async () => {
    const multi = new MultiChannelApi(new Configuration({ basePath: running.url, ...USER }));
    const post = async (channelList: unknown[]) => {
      const res = await multi.createMultiChannelMessage(ACCT, { to: HANDSET, channelList } as unknown as MultiChannelMessageRequest);
      expect(res.status).toBe(202);
      assertMatchesSpec('createMultiChannelMessageResponse', res.data);
      await running.idle();
      return res.data.data!.id!;
    };
    const sms = await post([{ from: ON_B, applicationId: APP_A, channel: 'SMS', content: { text: 'sms' } }]);
    expect(bodiesOf(sinks.a, sms)).toEqual([]);
    expect(kinds(bodiesOf(sinks.b, sms))).toEqual(['message-delivered']);
    expect((await routingNote(sms))?.detail).toMatchObject({ requestApplicationId: APP_A, callbackApplicationId: APP_B });
    const rbm = await post([{ from: 'agent_route', applicationId: APP_A, channel: 'RBM', content: { text: 'rbm' } }]);
    expect(kinds(bodiesOf(sinks.a, rbm))).toEqual(['message-sending', 'message-delivered', 'message-read']);
    expect(bodiesOf(sinks.b, rbm)).toEqual([]);
    expect(await routingNote(rbm)).toBeUndefined();
  });

  it("inbound to the number on B goes to B's URL, as the receiving number's application", async () => {
    const [copy] = await running.inbound({ from: HANDSET, to: [ON_B], text: 'hello B' });
    await running.idle();
    const received = bodiesOf(sinks.b, copy!.id);
    expect(kinds(received)).toEqual(['message-received']);
    expect(received[0]!.message.applicationId).toBe(APP_B);
    expect(bodiesOf(sinks.a, copy!.id)).toEqual([]);
  });

  it("a carrier action on a routed message in flight calls back B's URL", async () => {
    const id = await send(APP_A, ON_B, { to: new Set([SLOW]) as unknown as MessageRequest['to'] }, api, ACCT, false);
    await running.carrier(id, { action: 'deliver' });
    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, { timeoutMs: 5000 });
    expect(bodiesOf(sinks.a, id)).toEqual([]);
    expect(kinds(bodiesOf(sinks.b, id))).toEqual(['message-delivered']);
  });

  it("a carrier action after the plan ran out (the recipient left SENDING) calls back B's URL too", async () => {
    const stuck = '+15551239102';
    await running.scenarios.use(
      { version: 1, rules: [{ name: 'stays sending', match: { to: stuck }, events: [{ type: 'message-sending' }] }] },
      { accountId: ACCT },
    );
    const id = await send(APP_A, ON_B, { to: new Set([stuck]) as unknown as MessageRequest['to'] });
    expect((await running.messages.get(id))!.recipients[0]!.status).toBe('SENDING');
    await running.carrier(id, { action: 'deliver' });
    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, { timeoutMs: 5000 });
    expect(bodiesOf(sinks.a, id)).toEqual([]);
    expect(kinds(bodiesOf(sinks.b, id))).toEqual(['message-delivered']);
    await running.scenarios.clear({ accountId: ACCT });
  });
});

describe('callback routing across a restart on the same data dir', () => {
  const emulators = useEmulators();

  it("a routed message's pending steps still go to B's URL after the restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bw-routing-'));
    emulators.defer(() => rmSync(dataDir, { recursive: true, force: true }));
    const sinks = { a: await emulators.newSink(), b: await emulators.newSink() };
    const first = await emulators.start({ ...config(sinks), dataDir });
    const api = new MessagesApi(new Configuration({ basePath: first.url, ...USER }));
    const { data } = await api.createMessage(ACCT, { applicationId: APP_A, from: ON_B, to: new Set([SLOW]), text: 'later' } as MessageRequest);
    expect((await first.state.export()).pending?.steps).toHaveLength(1);
    await first.close();
    const second = await emulators.start({ ...config(sinks), dataDir });
    await second.time.flush();
    await second.idle();
    expect(bodiesOf(sinks.a, data.id!)).toEqual([]);
    expect(kinds(bodiesOf(sinks.b, data.id!))).toEqual(['message-delivered']);
  });
});

describe('permissive mode keeps following the request', () => {
  const emulators = useEmulators();

  it("default 'request': two applications of the account disagree: A's URL, with the note; an unknown applicationId is the first application, without one", async () => {
    const sinks = { a: await emulators.newSink(), b: await emulators.newSink() };
    const running = await emulators.start({ ...config(sinks), permissive: true });
    const api = new MessagesApi(new Configuration({ basePath: running.url, username: 'any', password: 'thing' }));
    const send = async (applicationId: string) => {
      const { data } = await api.createMessage(ACCT, { applicationId, from: ON_B, to: new Set([HANDSET]), text: 'p' } as MessageRequest);
      await running.idle();
      return data.id!;
    };
    const known = await send(APP_A);
    expect(kinds(bodiesOf(sinks.a, known))).toEqual(['message-delivered']);
    expect((await running.messages.get(known))!.timeline.find((t) => t.what === 'callback-routing')?.detail).toMatchObject({
      statusCallbackApplication: 'request',
      callbackApplicationId: APP_A,
    });
    const unknown = await send('an-application-nobody-configured');
    expect(kinds(bodiesOf(sinks.a, unknown))).toEqual(['message-delivered']);
    expect(bodiesOf(sinks.b, unknown)).toEqual([]);
    expect((await running.messages.get(unknown))!.timeline.some((t) => t.what === 'callback-routing')).toBe(false);
  });
});

describe('the log line', () => {
  const emulators = useEmulators();

  it('says at info which application gets the callbacks, naming both', async () => {
    const sinks = { a: await emulators.newSink(), b: await emulators.newSink() };
    const lines: string[] = [];
    const emulator = createEmulator(resolveConfig({ overrides: { ...config(sinks), port: 0, logLevel: 'info' } }), {
      logger: pino({ level: 'info', base: undefined }, { write: (line: string) => void lines.push(line) }),
    });
    const app = await buildApp(emulator);
    emulators.defer(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const api = new MessagesApi(new Configuration({ basePath: url, ...USER }));
    const { data } = await api.createMessage(ACCT, { applicationId: APP_A, from: ON_B, to: new Set([HANDSET]), text: 'log' } as MessageRequest);
    await emulator.idle();
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.messageId === data.id);
    expect(logged).toMatchObject({
      level: 30,
      requestApplicationId: APP_A,
      fromNumberApplicationId: APP_B,
      callbackApplicationId: APP_B,
      callbackUrl: sinks.b.url,
    });
    expect(String(logged!.msg)).toMatch(new RegExp(`applicationId ${APP_A} is not the application of from \\${ON_B} \\(${APP_B}\\)`));
    expect(kinds(bodiesOf(sinks.b, data.id!))).toEqual(['message-delivered']);
  });
});
