// The scenario engine at run time, end to end: rule order and scope, `times`, matchers, per-recipient outcomes,
// reply templating, scheduled and manual inbound messages, explanations, API faults, callback faults and seeded
// probability. Real emulator, real callback receiver, the official bandwidth-sdk (raw HTTP where the SDK cannot go).
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { request as undiciRequest } from 'undici';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { seededRandom } from '../../src/scenarios/random.js';
import type { JournalFilter } from '../../src/store/journal.js';
import { startSink, type CallbackSink } from '../helpers/sink.js';

import { useCallbackHarness, settled, journaled, events, sequence } from '../helpers/harness.js';

const { emulators, sinks } = useCallbackHarness();

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ACCOUNT = '9900000';
const USER = 'bw-user';
const PASS = 'bw-password';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const APP_B = '93de2206-9669-4e07-948d-329f4b722ee3';
const FROM = '+19195550100';
const FROM_2 = '+19195550101';
const FROM_B = '+19195550111';
const OTHER = '9900002';
const OTHER_USER = 'other-user';
const OTHER_PASS = 'other-password';
const APP_O = '93de2206-9669-4e07-948d-329f4b7220ff';
const FROM_O = '+19195550200';
const WAIT = { timeoutMs: 5000 };

type Http = { status: number; headers: Record<string, unknown>; data: { type?: string; description?: string } };

interface Setup {
  running: RunningEmulator;
  api: MessagesApi;
  otherApi: MessagesApi;
  sink: CallbackSink;
}

/** An emulator with two accounts whose applications all post to one sink; optionally scenario files. */
async function start(options: { files?: string[]; callbackUrl?: boolean } = {}): Promise<Setup> {
  const sink = await startSink();
  sinks.push(sink);
  const callbackUrl = options.callbackUrl === false ? {} : { callbackUrl: sink.url };
  const running = await startEmulator({
    scenarios: options.files ?? [],
    // A default message-delivered 55 ms after message-sending, so arrival order at the sink is comfortably the firing
    // order (the firing order itself is pinned by 'timeline order under load' at the end of this file).
    callbacks: { deliveryDelay: '60ms', sendingDelay: '5ms', retryDelays: ['20ms'] },
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: USER, password: PASS, messaging: true }],
        applications: [
          { id: APP, ...callbackUrl },
          { id: APP_B, ...callbackUrl },
        ],
        numbers: [
          { number: FROM, applicationId: APP },
          { number: FROM_2, applicationId: APP },
          { number: FROM_B, applicationId: APP_B },
        ],
      },
      {
        id: OTHER,
        users: [{ username: OTHER_USER, password: OTHER_PASS }],
        applications: [{ id: APP_O, ...callbackUrl }],
        numbers: [{ number: FROM_O, applicationId: APP_O }],
      },
    ],
  });
  emulators.push(running);
  const api = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
  const otherApi = new MessagesApi(new Configuration({ basePath: running.url, username: OTHER_USER, password: OTHER_PASS }));
  return { running, api, otherApi, sink };
}

interface SendFields {
  to: string[];
  text?: string;
  media?: string[];
  tag?: string;
  from?: string;
  applicationId?: string;
}

function body(fields: SendFields, app = APP, from = FROM): MessageRequest {
  return {
    applicationId: fields.applicationId ?? app,
    to: fields.to as unknown as Set<string>,
    from: fields.from ?? from,
    text: fields.text ?? 'hello from the engine tests',
    ...(fields.media ? { media: fields.media } : {}),
    ...(fields.tag !== undefined ? { tag: fields.tag } : {}),
  };
}

async function send(api: MessagesApi, fields: SendFields, account = ACCOUNT): Promise<string> {
  const res = await api.createMessage(account, account === OTHER ? body(fields, APP_O, FROM_O) : body(fields));
  expect(res.status).toBe(202);
  return res.data.id!;
}

/** The HTTP error an SDK call rejected with. */
async function httpError(promise: Promise<unknown>): Promise<Http> {
  const error = (await promise.then(
    () => {
      throw new Error('expected the request to be rejected');
    },
    (e: unknown) => e,
  )) as { response?: Http };
  expect(error.response).toBeDefined();
  return error.response!;
}

/** The HTTP status of a create call through the SDK: 202, or the error's status. */
async function statusOf(api: MessagesApi, fields: SendFields): Promise<number> {
  try {
    return (await api.createMessage(ACCOUNT, body(fields))).status;
  } catch (error) {
    const status = (error as { response?: { status: number } }).response?.status;
    if (status === undefined) throw error;
    return status;
  }
}

async function arrived(running: RunningEmulator, filter: JournalFilter): Promise<number> {
  return (await running.callbacks.waitFor({ outcome: 'delivered', ...filter }, WAIT)).seq;
}

/** Wait for the one terminal event of a recipient (either type) to be acknowledged by the sink. */
async function terminal(running: RunningEmulator, messageId: string, recipient: string): Promise<void> {
  await Promise.race([
    arrived(running, { messageId, recipient, type: 'message-delivered' }),
    arrived(running, { messageId, recipient, type: 'message-failed' }),
  ]);
}

/** Nothing more can arrive: no step scheduled, no callback in flight. */
function expectSettled(running: RunningEmulator): void {
  running.emulator.assertNoPending();
}

/** The 'planned' explanation stored on a message for one recipient. */
async function explanation(running: RunningEmulator, id: string, recipient: string): Promise<string> {
  const message = await running.messages.get(id);
  const planned = message!.timeline.filter((t) => t.what === 'planned' && t.recipient === recipient);
  expect(planned).toHaveLength(1);
  return String(planned[0]!.detail?.explanation);
}

const failed = (errorCode: number, after?: string) => ({ type: 'message-failed' as const, errorCode, ...(after ? { after } : {}) });
const delivered = (after?: string) => ({ type: 'message-delivered' as const, ...(after ? { after } : {}) });
const sending = (after?: string) => ({ type: 'message-sending' as const, ...(after ? { after } : {}) });

describe('rule order and scope', () => {
  it('useScenario(…, accountId) puts rules in front of file rules, for that account only; global ones come next', async () => {
    const { running, api, otherApi, sink } = await start({ files: [join(ROOT, 'scenarios/carrier-rejection.yaml')] });
    running.emulator.useScenario({ version: 1, name: 'everyone', rules: [{ match: { to: ['+15557770001', '+15557770003'] }, events: [failed(4740)] }] });
    running.emulator.useScenario({ version: 1, name: 'mine', rules: [{ match: { to: '+15557770001' }, events: [failed(4730)] }] }, ACCOUNT);

    const mine = await send(api, { to: ['+15557770001'] });
    const global = await send(api, { to: ['+15557770003'] });
    const file = await send(api, { to: ['+15557770002'] });
    const theirs = await send(otherApi, { to: ['+15557770001'] }, OTHER);
    const theirsFile = await send(otherApi, { to: ['+15557770002'] }, OTHER);

    await terminal(running, mine, '+15557770001');
    await terminal(running, global, '+15557770003');
    await terminal(running, file, '+15557770002');
    await terminal(running, theirs, '+15557770001');
    await terminal(running, theirsFile, '+15557770002');
    await settled(running);
    expect(sequence(running, sink, mine, '+15557770001')).toEqual(['message-failed 4730']);
    expect(sequence(running, sink, global, '+15557770003')).toEqual(['message-failed 4740']);
    expect(sequence(running, sink, file, '+15557770002')).toEqual(['message-failed 4720']);
    expect(sequence(running, sink, theirs, '+15557770001')).toEqual(['message-failed 4740']);
    expect(sequence(running, sink, theirsFile, '+15557770002')).toEqual(['message-failed 4720']);
    expect(await explanation(running, mine, '+15557770001')).toMatch(/^matched mine#0 /);
    expect(await explanation(running, theirsFile, '+15557770002')).toMatch(/^matched carrier-rejection#0 'landline rejected by carrier'/);

    // Clearing the account's run-time scenarios brings the global one back for it.
    await running.scenarios.clear({ accountId: ACCOUNT });
    const after = await send(api, { to: ['+15557770001'] });
    await terminal(running, after, '+15557770001');
    await settled(running);
    expect(sequence(running, sink, after, '+15557770001')).toEqual(['message-failed 4740']);
    await settled(running);
    expectSettled(running);
  });

  it('`times` limits a rule to its first N matches, then matching falls through', async () => {
    const { running, api, sink } = await start();
    const to = '+19195557001';
    running.emulator.useScenario({ version: 1, name: 'limited', rules: [{ name: 'twice', match: { to }, times: 2, events: [failed(4720)] }] }, ACCOUNT);
    // A message to someone else does not use the rule up.
    const elsewhere = await send(api, { to: ['+19195557002'] });
    const ids = [await send(api, { to: [to] }), await send(api, { to: [to] }), await send(api, { to: [to] })];

    for (const id of ids) await terminal(running, id, to);
    await terminal(running, elsewhere, '+19195557002');
    await settled(running);
    expect(ids.map((id) => sequence(running, sink, id, to))).toEqual([['message-failed 4720'], ['message-failed 4720'], ['message-delivered']]);
    expect(sequence(running, sink, elsewhere, '+19195557002')).toEqual(['message-delivered']);
    expect(await explanation(running, ids[2]!, to)).toContain("limited#0 'twice' used up (2 times)");
    const summary = (await running.scenarios.list()).scenarios.find((s) => s.name === 'limited')!;
    expect(summary.rules[0]).toMatchObject({ hits: 2, times: 2 });
    await settled(running);
    expectSettled(running);
  });

  it('the first matching rule wins', async () => {
    const { running, api, sink } = await start();
    const to = '+19195557001';
    running.emulator.useScenario(
      {
        version: 1,
        name: 'order',
        rules: [
          { name: 'not this one', match: { to: '+19195557999' }, events: [failed(4730)] },
          { name: 'first match', match: { to: '+1919555*' }, events: [failed(4720)] },
          { name: 'also matches', match: { to }, events: [failed(4740)] },
        ],
      },
      ACCOUNT,
    );
    const id = await send(api, { to: [to] });
    await terminal(running, id, to);
    await settled(running);
    expect(sequence(running, sink, id, to)).toEqual(['message-failed 4720']);
    const rules = (await running.scenarios.list()).scenarios.find((s) => s.name === 'order')!.rules;
    expect(rules.map((r) => r.hits)).toEqual([0, 1, 0]);
    await settled(running);
    expectSettled(running);
  });

  it('a group message: each recipient gets the outcome of the first rule matching it', async () => {
    const { running, api, sink } = await start();
    const [a, b, c, d] = ['+19195557001', '+19195557002', '+19195557003', '+19195557004'];
    running.emulator.useScenario(
      {
        version: 1,
        name: 'per-recipient',
        rules: [
          { name: 'a fails', match: { to: a }, events: [sending('5ms'), failed(4720, '40ms')] },
          { name: 'b late', match: { to: b }, events: [sending('5ms'), delivered('60ms')] },
          { name: 'd lost', match: { to: d }, events: [] },
        ],
      },
      ACCOUNT,
    );
    const group = [a, b, c, d];
    const id = await send(api, { to: group });
    await Promise.all([a, b, c].map((to) => terminal(running, id, to)));
    await settled(running);
    expectSettled(running);

    await settled(running);
    expect(sequence(running, sink, id, a)).toEqual(['message-sending', 'message-failed 4720']);
    expect(sequence(running, sink, id, b)).toEqual(['message-sending', 'message-delivered']);
    // No rule for c: the default for a group (MMS).
    expect(sequence(running, sink, id, c)).toEqual(['message-sending', 'message-delivered']);
    // An empty event list: a lost receipt, nothing at all.
    expect(sequence(running, sink, id, d)).toEqual([]);
    for (const e of events(sink)) expect(e.message.to).toEqual(group);
    const stored = (await running.messages.get(id))!;
    expect(stored.recipients.map((r) => [r.to, r.status, r.errorCode])).toEqual([
      [a, 'FAILED', 4720],
      [b, 'DELIVERED', 0],
      [c, 'DELIVERED', 0],
      [d, 'QUEUED', 0],
    ]);
    expect(await explanation(running, id, c)).toMatch(/^no scenario rule matched: default outcome, delivered; missed: /);
    expect(await explanation(running, id, d)).toContain('no events (lost receipt)');
  });
});

describe('matchers', () => {
  it('from, text regex with flags, tag prefix, media, segments and applicationId select their rules', async () => {
    const { running, api, sink } = await start();
    running.emulator.useScenario(
      {
        version: 1,
        name: 'matchers',
        rules: [
          { name: 'from', match: { from: FROM_2 }, events: [failed(4701)] },
          { name: 'urgent', match: { text: '/^urgent\\b/i' }, events: [failed(4702)] },
          { name: 'vip', match: { tag: 'vip*' }, events: [failed(4721)] },
          { name: 'media', match: { media: true }, events: [sending(), failed(4711)] },
          { name: 'long', match: { segments: { min: 2 } }, events: [failed(4751)] },
          { name: 'app b', match: { applicationId: APP_B }, events: [failed(4740)] },
          { name: 'regex object', match: { text: { regex: 'ref-\\d{3}$', flags: 'i' } }, events: [failed(4750)] },
        ],
      },
      ACCOUNT,
    );
    const cases: Array<{ fields: SendFields; expected: string[] }> = [
      { fields: { to: ['+19195557001'], from: FROM_2 }, expected: ['message-failed 4701'] },
      { fields: { to: ['+19195557002'], text: 'URGENT: call me' }, expected: ['message-failed 4702'] },
      { fields: { to: ['+19195557003'], text: 'this is not urgent' }, expected: ['message-delivered'] },
      { fields: { to: ['+19195557004'], tag: 'vip-42' }, expected: ['message-failed 4721'] },
      { fields: { to: ['+19195557005'], tag: 'not-vip' }, expected: ['message-delivered'] },
      { fields: { to: ['+19195557006'], media: ['https://example.com/a.png'] }, expected: ['message-sending', 'message-failed 4711'] },
      { fields: { to: ['+19195557007'], text: 'a'.repeat(200) }, expected: ['message-failed 4751'] },
      { fields: { to: ['+19195557008'], text: 'a'.repeat(160) }, expected: ['message-delivered'] },
      { fields: { to: ['+19195557009'], applicationId: APP_B, from: FROM_B }, expected: ['message-failed 4740'] },
      { fields: { to: ['+19195557010'], text: 'your REF-123' }, expected: ['message-failed 4750'] },
      { fields: { to: ['+19195557011'], text: 'your ref-1234' }, expected: ['message-delivered'] },
    ];
    const ids: string[] = [];
    for (const c of cases) ids.push(await send(api, c.fields));
    await Promise.all(cases.map((c, i) => terminal(running, ids[i]!, c.fields.to[0]!)));
    await settled(running);
    expect(cases.map((c, i) => sequence(running, sink, ids[i]!, c.fields.to[0]!))).toEqual(cases.map((c) => c.expected));
    // The not-urgent text missed the anchored regex for a stated reason.
    expect(await explanation(running, ids[2]!, '+19195557003')).toContain(
      "matchers#1 'urgent': text was 'this is not urgent', rule wants text matches /^urgent\\b/i",
    );
    await settled(running);
    expectSettled(running);
  });

  it('reply templating: {{text}}, {{tag}}, {{to}}, {{from}} and {{id}} come from the outbound message', async () => {
    const { running, api, sink } = await start();
    const handsets = ['+19195557001', '+19195557002'];
    running.emulator.useScenario(
      {
        version: 1,
        name: 'echo',
        rules: [{ match: { to: '+1919555700*' }, reply: { after: '5ms', text: 're: {{text}} [{{tag}}] to={{to}} from={{ from }} id={{id}}' } }],
      },
      ACCOUNT,
    );
    const tagged = await send(api, { to: [handsets[0]!], text: 'ping', tag: 'T1' });
    await arrived(running, { type: 'message-received' });
    const received = events(sink).filter((e) => e.type === 'message-received');
    expect(received).toHaveLength(1);
    expect(received[0]!.message.text).toBe(`re: ping [T1] to=${handsets[0]} from=${FROM} id=${tagged}`);
    expect(received[0]!.message).toMatchObject({ from: handsets[0], to: [FROM], owner: FROM, direction: 'in' });

    // A group: each recipient replies for itself, {{to}} being that recipient; no tag renders as empty.
    const group = await send(api, { to: handsets, text: 'pong' });
    await journaled(running, { type: 'message-received', outcome: 'delivered' }, 3);
    const groupReplies = events(sink)
      .filter((e) => e.type === 'message-received' && e.message.text.startsWith('re: pong'))
      .map((e) => [e.message.from, e.message.text])
      .sort();
    expect(groupReplies).toEqual(handsets.map((h) => [h, `re: pong [] to=${h} from=${FROM} id=${group}`]));
    await Promise.all(handsets.map((h) => terminal(running, group, h)));
    await terminal(running, tagged, handsets[0]!);
    await settled(running);
    expectSettled(running);
  });
});

describe('scheduled inbound messages', () => {
  it("trigger 'start' (the default) arrives at the sink when the scenario is loaded", async () => {
    const { running, sink } = await start();
    running.emulator.useScenario(
      { version: 1, name: 'greeting', inbound: [{ from: '+15550009999', to: [FROM], text: 'hello at start', after: '10ms' }] },
      ACCOUNT,
    );
    await arrived(running, { type: 'message-received', recipient: FROM });
    const received = events(sink);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ type: 'message-received', to: FROM });
    expect(received[0]!.message).toMatchObject({ from: '+15550009999', to: [FROM], owner: FROM, text: 'hello at start', direction: 'in', applicationId: APP });
  });

  it("trigger 'manual' arrives only after triggerInbound(name)", async () => {
    const { running, sink } = await start();
    running.emulator.useScenario(
      {
        version: 1,
        name: 'manual-test',
        inbound: [
          { name: 'later', trigger: 'manual', from: '+15550008888', to: [FROM_2], text: 'manual one' },
          // A fence: had the manual one been scheduled on load (after 0 ms), it would have come before this.
          { name: 'fence', trigger: 'start', after: '30ms', from: '+15550007777', to: [FROM], text: 'fence' },
        ],
      },
      ACCOUNT,
    );
    await arrived(running, { type: 'message-received', recipient: FROM });
    expect(await running.messages.list({ from: '+15550008888' })).toEqual([]);
    expect(events(sink).map((e) => e.message.text)).toEqual(['fence']);

    expect(running.emulator.triggerInbound('manual-test', 'no-such-inbound')).toBe(0);
    expect(running.emulator.triggerInbound('no-such-scenario')).toBe(0);
    expect(running.emulator.triggerInbound('manual-test')).toBe(1);
    await arrived(running, { type: 'message-received', recipient: FROM_2 });
    const manual = events(sink).filter((e) => e.message.text === 'manual one');
    expect(manual).toHaveLength(1);
    expect(manual[0]).toMatchObject({ type: 'message-received', to: FROM_2 });
    expect(manual[0]!.message).toMatchObject({ from: '+15550008888', to: [FROM_2], owner: FROM_2 });
    await settled(running);
    expectSettled(running);
  });
});

describe('explanations', () => {
  it("the stored timeline's 'planned' entry names the matched rule and every rule it missed, and why", async () => {
    const { running, api } = await start();
    const to = '+19195557001';
    running.emulator.useScenario(
      {
        version: 1,
        name: 'explain',
        rules: [
          { name: 'someone else', match: { to: '+19195557999' }, events: [delivered()] },
          { name: 'once', match: { to }, times: 1, events: [failed(4720)] },
          { name: 'catch-all', match: { from: FROM }, events: [failed(4730)] },
        ],
      },
      ACCOUNT,
    );
    const first = await send(api, { to: [to] });
    const second = await send(api, { to: [to] });
    await terminal(running, first, to);
    await terminal(running, second, to);

    const one = await explanation(running, first, to);
    expect(one).toMatch(/^matched explain#1 'once': when to is '\+19195557001' → message-failed 4720 \(first 1; 1 used\)/);
    expect(one).toContain("; missed: explain#0 'someone else': to was '+19195557001', rule wants to is '+19195557999'");
    expect(one).not.toContain('catch-all');

    const two = await explanation(running, second, to);
    expect(two).toMatch(/^matched explain#2 'catch-all': when from is '\+19195550100' → message-failed 4730 \(1 hits\)/);
    expect(two).toContain("explain#0 'someone else': to was '+19195557001', rule wants to is '+19195557999'");
    expect(two).toContain("explain#1 'once' used up (1 times)");
    // The timeline also records what then happened, after the plan.
    const timeline = (await running.messages.get(second))!.timeline.map((t) => t.what);
    expect(timeline).toEqual(['accepted', 'planned', 'message-failed']);
  });
});

describe('API faults', () => {
  async function withFaults(): Promise<Setup> {
    const setup = await start();
    setup.running.emulator.useScenario(
      {
        version: 1,
        name: 'api-faults',
        rules: [
          { match: { tag: 'err500' }, apiFault: { status: 500 } },
          { match: { tag: 'err503' }, apiFault: { status: 503 } },
          { match: { tag: 'every' }, apiFault: { status: 503, every: 2 } },
          { match: { tag: 'drop' }, apiFault: { drop: true } },
          { match: { tag: 'slow' }, apiFault: { delay: '30ms' } },
        ],
      },
      ACCOUNT,
    );
    return setup;
  }

  it('status 500 and 503 answer with Bandwidth-shaped bodies and store nothing', async () => {
    const { running, api } = await withFaults();
    const e500 = await httpError(api.createMessage(ACCOUNT, body({ to: ['+19195557001'], tag: 'err500' })));
    expect(e500.status).toBe(500);
    expect(e500.data).toEqual({ type: 'internal-server-error', description: expect.any(String) });
    expect(String(e500.headers['content-type'])).toMatch(/^application\/json/);
    const e503 = await httpError(api.createMessage(ACCOUNT, body({ to: ['+19195557001'], tag: 'err503' })));
    expect(e503.status).toBe(503);
    expect(e503.data).toEqual({ type: 'service-unavailable', description: expect.any(String) });
    expect(e503.data.description!.length).toBeGreaterThan(0);
    expect(await running.messages.list()).toEqual([]);
    expect(running.emulator.parts.dispatcher.stats().planned).toBe(0);
  });

  it('`every: 2` faults the 2nd and 4th matching request only; other requests do not count', async () => {
    const { api } = await withFaults();
    const statuses: number[] = [];
    statuses.push(await statusOf(api, { to: ['+19195557001'], tag: 'every' }));
    statuses.push(await statusOf(api, { to: ['+19195557001'], tag: 'untagged-in-between' }));
    statuses.push(await statusOf(api, { to: ['+19195557001'], tag: 'every' }));
    statuses.push(await statusOf(api, { to: ['+19195557001'], tag: 'every' }));
    statuses.push(await statusOf(api, { to: ['+19195557001'], tag: 'every' }));
    expect(statuses).toEqual([202, 202, 503, 202, 503]);
  });

  it('`drop: true` closes the connection without an answer; the next request is served', async () => {
    const { running, api } = await withFaults();
    const url = `${running.url}/users/${ACCOUNT}/messages`;
    const headers = { authorization: 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64'), 'content-type': 'application/json' };
    const payload = JSON.stringify({ applicationId: APP, to: ['+19195557001'], from: FROM, text: 'x', tag: 'drop' });
    await expect(undiciRequest(url, { method: 'POST', headers, body: payload })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    await expect(fetch(url, { method: 'POST', headers, body: payload })).rejects.toThrow(TypeError);
    // The SDK sees a network error: no HTTP response at all.
    const error = await api.createMessage(ACCOUNT, body({ to: ['+19195557001'], tag: 'drop' })).then(
      () => undefined,
      (e: unknown) => e as { response?: unknown; code?: string },
    );
    expect(error).toBeDefined();
    expect(error!.response).toBeUndefined();
    expect(await running.messages.list()).toEqual([]);
    // The emulator itself is fine.
    expect(await statusOf(api, { to: ['+19195557001'], tag: 'fine' })).toBe(202);
  });

  it('`delay` holds the answer but still returns 202, and the message proceeds', async () => {
    const { running, api, sink } = await withFaults();
    const id = await send(api, { to: ['+19195557001'], tag: 'slow' });
    await terminal(running, id, '+19195557001');
    await settled(running);
    expect(sequence(running, sink, id, '+19195557001')).toEqual(['message-delivered']);
    expect((await running.messages.get(id))!.tag).toBe('slow');
  });
});

describe('callback faults', () => {
  it('`drop: true`: the event happens (status moves, journal says dropped) but the sink never gets it', async () => {
    const { running, api, sink } = await start();
    running.emulator.useScenario({ version: 1, name: 'drops', rules: [{ match: { tag: 'dropme' }, callbackFaults: { drop: true } }] }, ACCOUNT);
    const dropped = await send(api, { to: ['+19195557001'], tag: 'dropme' });
    const kept = await send(api, { to: ['+19195557002'], tag: 'keep' });

    const entry = await running.callbacks.waitFor({ messageId: dropped, type: 'message-delivered' }, WAIT);
    expect(entry).toMatchObject({ outcome: 'dropped', attempt: 0, recipient: '+19195557001' });
    expect(entry.response).toBeUndefined();
    await terminal(running, kept, '+19195557002');
    await settled(running);
    expectSettled(running);
    expect(events(sink).map((e) => e.message.id)).toEqual([kept]);
    expect((await running.callbacks.list({ messageId: dropped })).map((j) => j.outcome)).toEqual(['dropped']);
    expect((await running.messages.get(dropped))!.recipients[0]!.status).toBe('DELIVERED');
    expect(running.emulator.parts.dispatcher.stats()).toMatchObject({ dropped: 1, delivered: 1 });
  });

  it('`reorder: true` on a 3-recipient group: the delivered events arrive in reverse recipient order', async () => {
    const { running, api, sink } = await start();
    const group = ['+19195557001', '+19195557002', '+19195557003'];
    running.emulator.useScenario(
      // Events ~40 ms apart, so arrival order at the sink is the emulator's order, not a race between connections.
      { version: 1, name: 'shuffle', rules: [{ match: { group: true }, events: [sending('5ms'), delivered('40ms')], callbackFaults: { reorder: true } }] },
      ACCOUNT,
    );
    const id = await send(api, { to: group });
    await Promise.all(group.map((to) => terminal(running, id, to)));
    await settled(running);
    expectSettled(running);
    const deliveredOrder = events(sink)
      .filter((e) => e.type === 'message-delivered')
      .map((e) => e.to);
    expect(deliveredOrder).toEqual([...group].reverse());
    // The journal (acknowledgement order) agrees, and each recipient still has sending before delivered.
    const journal = await running.callbacks.list({ messageId: id, type: 'message-delivered' });
    expect(journal.map((j) => j.recipient)).toEqual([...group].reverse());
    await settled(running);
    for (const to of group) expect(sequence(running, sink, id, to)).toEqual(['message-sending', 'message-delivered']);
  });
});

describe('seeded probability', () => {
  async function run(seed: number): Promise<number[]> {
    const { running, api } = await start({ callbackUrl: false });
    running.emulator.useScenario({ version: 1, name: 'coin', seed, rules: [{ apiFault: { status: 503, probability: 0.5 } }] }, ACCOUNT);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push(await statusOf(api, { to: ['+19195557001'], text: `attempt ${i}` }));
    await running.close();
    return statuses;
  }

  /** What mulberry32 with this seed predicts: the i-th draw below 0.5 faults the i-th request. */
  function predicted(seed: number): number[] {
    const random = seededRandom(seed);
    return Array.from({ length: 20 }, () => (random() < 0.5 ? 503 : 202));
  }

  it('seed 7: two separate runs give the identical sequence of statuses, with both 202 and 503 in it', async () => {
    const first = await run(7);
    const second = await run(7);
    expect(second).toEqual(first);
    expect(first).toContain(202);
    expect(first).toContain(503);
    // Not just stable but the seed's own stream: one draw per matching request, in order.
    expect(first).toEqual(predicted(7));
  });

  it('another seed gives another sequence', async () => {
    // Checked on the predictions first, so this test states a property of the seeds, not luck.
    expect(predicted(8)).not.toEqual(predicted(7));
    const other = await run(8);
    expect(other).toEqual(predicted(8));
    expect(other).not.toEqual(predicted(7));
  });
});

describe('timeline order under load', () => {
  // Node fires timers list by list (one list per duration): after the event loop stalls, a list whose head is older
  // drains all its due timers first, so separately scheduled steps could fire out of order. The timeline player chains
  // a recipient's steps (each schedules the next), which this test pins.
  it("after an event-loop stall, a recipient's steps still fire in order (message-sending before message-delivered)", async () => {
    const sink = await startSink();
    sinks.push(sink);
    const running = await startEmulator({
      // Odd delays, so that no other timer of the process shares Node's 7 ms and 13 ms timer lists.
      callbacks: { deliveryDelay: '13ms', sendingDelay: '7ms' },
      accounts: [
        {
          id: ACCOUNT,
          users: [{ username: USER, password: PASS }],
          applications: [{ id: APP, callbackUrl: sink.url }],
          numbers: [{ number: FROM, applicationId: APP }],
        },
      ],
    });
    emulators.push(running);
    // A deliberate CPU stall (what a busy test runner does to the emulator), not a sleep: nothing waits on it.
    const stall = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const nextLoopIteration = () => new Promise<void>((resolvePromise) => setImmediate(resolvePromise));
    const accept = (to: string, media?: string[]) =>
      running.emulator.acceptOutbound(ACCOUNT, { applicationId: APP, from: FROM, to: [to], text: 'x', ...(media ? { media } : {}) });

    accept('+19195557001'); // an SMS: its message-delivered heads Node's 13 ms timer list
    stall(9);
    await nextLoopIteration();
    const mms = accept('+19195557002', ['https://example.com/a.png']); // sending at +7 ms, delivered at +13 ms
    stall(20);
    await settled(running);
    expect(mms.timeline.map((t) => t.what)).toEqual(['accepted', 'planned', 'message-sending', 'message-delivered']);
    expect(mms.recipients[0]!.status).toBe('DELIVERED');
  });
});
