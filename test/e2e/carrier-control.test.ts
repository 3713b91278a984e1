// The carrier console's operation end to end, without a browser: deliver now or fail with an error code, on a
// message still in flight, asserted identically in-process and over HTTP (connectEmulator). Messages go in through
// bandwidth-sdk; callbacks reach a real sink. Each test checks the books balance and no scheduled step is left over.
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { request as undiciRequest } from 'undici';
import type { RunningEmulator } from '../../src/start.js';
import { ControlInputError, type ControlOperations } from '../../src/control/operations.js';
import type { CallbackSink } from '../helpers/sink.js';
import { useEmulators } from '../helpers/fixture.js';
import { CONTROL_CONNECTIONS, events, expectBooksBalance, rejection, sequence, settled } from '../helpers/harness.js';

const ACCOUNT = '9903001';
const USER = 'carrier-user';
const PASS = 'carrier-password';
const APP = 'ca771e40-0000-4000-8000-000000000001';
const OURS = '+19195550400';
// Magic numbers: delivered after an hour (in flight for the whole test); failed with 4720 at once.
const SLOW_1 = '+15553003600';
const SLOW_2 = '+15553003601';
const FAILS = '+15551004720';
const HANDSET = '+19195559911';
const WAIT = { timeoutMs: 5000 };

type Connect = (typeof CONTROL_CONNECTIONS)[number][1];
interface Fixture {
  running: RunningEmulator;
  ops: ControlOperations;
  sink: CallbackSink;
  send(to: string[], media?: string[]): Promise<string>;
}

const emulators = useEmulators();

async function start(connect: Connect): Promise<Fixture> {
  const sink = await emulators.newSink();
  const running = await emulators.start({
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: USER, password: PASS }],
        applications: [{ id: APP, callbackUrl: sink.url }],
        numbers: [{ number: OURS, applicationId: APP }],
      },
    ],
    callbacks: { deliveryDelay: '10ms', sendingDelay: '5ms', retryDelays: ['20ms'], timeout: '2s' },
  });
  const api = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
  const send = async (to: string[], media?: string[]) => {
    const body = { applicationId: APP, to: to as unknown as Set<string>, from: OURS, text: 'carrier test', ...(media ? { media } : {}) } as MessageRequest;
    const res = await api.createMessage(ACCOUNT, body);
    expect(res.status).toBe(202);
    return res.data.id!;
  };
  return { running, ops: connect(running), sink, send };
}

describe.each(CONTROL_CONNECTIONS)('carrier console through the %s', (_mode, connect) => {
  it('accounts: the configured accounts and numbers the handset composer offers, without credentials', async () => {
    const f = await start(connect);
    expect(await f.ops.accounts()).toEqual([{ id: ACCOUNT, numbers: [{ number: OURS, applicationId: APP }] }]);
  });

  it('fail with 4720: the hour-long delivery is cancelled, message-failed 4720 reaches the sink, store and journal agree', async () => {
    const f = await start(connect);
    const id = await f.send([SLOW_1]);
    expect(f.running.emulator.parts.timeline.pendingSteps).toBe(1);

    const result = await f.ops.carrier(id, { action: 'fail', errorCode: 4720 });
    expect(result).toEqual({ messageId: id, acted: [{ recipient: SLOW_1, type: 'message-failed', cancelledSteps: 1 }] });
    expect(f.running.emulator.parts.timeline.pendingSteps).toBe(0);

    const entry = await f.ops.callbacks.waitFor({ messageId: id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    expect(entry.explanation).toContain('carrier action');
    await settled(f.running);
    expect(sequence(f.running, f.sink, id, SLOW_1)).toEqual(['message-failed 4720']);
    expect(events(f.sink)[0]).toMatchObject({ type: 'message-failed', errorCode: 4720, description: 'Invalid destination address' });

    const stored = await f.ops.messages.get(id);
    expect(stored!.recipients).toEqual([expect.objectContaining({ to: SLOW_1, status: 'FAILED', errorCode: 4720 })]);
    expect(stored!.timeline.map((t) => t.what)).toEqual(['accepted', 'planned', 'carrier', 'message-failed']);
    // Nothing planned remains: flushing the clock fires no delivered receipt afterwards.
    expect((await f.ops.time.flush()).ran).toBe(0);
    expect(f.running.emulator.parts.journal.list({ messageId: id, type: 'message-delivered' })).toEqual([]);
    expectBooksBalance(f.running.emulator.parts.dispatcher.stats());
  });

  it('deliver now: message-delivered at once; one recipient of a group, the other stays in flight', async () => {
    const f = await start(connect);
    // A group message goes out as MMS: each recipient gets message-sending first, then waits an hour for its receipt.
    const id = await f.send([SLOW_1, SLOW_2]);
    for (const to of [SLOW_1, SLOW_2]) await f.ops.callbacks.waitFor({ messageId: id, recipient: to, type: 'message-sending', outcome: 'delivered' }, WAIT);
    expect(f.running.emulator.parts.timeline.pendingSteps).toBe(2);

    const result = await f.ops.carrier(id, { action: 'deliver', recipient: SLOW_2 });
    expect(result.acted).toEqual([{ recipient: SLOW_2, type: 'message-delivered', cancelledSteps: 1 }]);
    await f.ops.callbacks.waitFor({ messageId: id, recipient: SLOW_2, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    expect(f.running.emulator.parts.timeline.pendingSteps).toBe(1);
    const stored = await f.ops.messages.get(id);
    expect(stored!.recipients.map((r) => [r.to, r.status])).toEqual([
      [SLOW_1, 'SENDING'],
      [SLOW_2, 'DELIVERED'],
    ]);

    // Without a recipient, every one still in flight is acted on: here the remaining one.
    const rest = await f.ops.carrier(id, { action: 'deliver' });
    expect(rest.acted.map((a) => a.recipient)).toEqual([SLOW_1]);
    await settled(f.running);
    expect(sequence(f.running, f.sink, id, SLOW_1)).toEqual(['message-sending', 'message-delivered']);
    expect(sequence(f.running, f.sink, id, SLOW_2)).toEqual(['message-sending', 'message-delivered']);
    expectBooksBalance(f.running.emulator.parts.dispatcher.stats());
  });

  it('an MMS in flight: message-sending already went out, the carrier failure follows it in order', async () => {
    const f = await start(connect);
    const id = await f.send([SLOW_1], ['https://example.invalid/cat.png']);
    await f.ops.callbacks.waitFor({ messageId: id, type: 'message-sending', outcome: 'delivered' }, WAIT);
    await f.ops.carrier(id, { action: 'fail', errorCode: 4770 });
    await settled(f.running);
    expect(sequence(f.running, f.sink, id, SLOW_1)).toEqual(['message-sending', 'message-failed 4770']);
    expectBooksBalance(f.running.emulator.parts.dispatcher.stats());
  });

  it('refuses clearly: final recipients, unknown codes, fail without a code, strangers, inbound and unknown messages', async () => {
    const f = await start(connect);
    const failed = await f.send([FAILS]);
    await f.ops.callbacks.waitFor({ messageId: failed, type: 'message-failed' }, WAIT);
    const slow = await f.send([SLOW_1]);
    const [inbound] = await f.ops.inbound({ from: HANDSET, to: [OURS], text: 'hi' });
    await f.ops.callbacks.waitFor({ messageId: inbound!.id, type: 'message-received' }, WAIT);

    const cases: Array<[Promise<unknown>, RegExp]> = [
      [f.ops.carrier(failed, { action: 'deliver' }), /no recipient in flight/],
      [f.ops.carrier(failed, { action: 'deliver', recipient: FAILS }), /already FAILED/],
      [f.ops.carrier(slow, { action: 'fail', errorCode: 1234 }), /errorCode from Bandwidth's table/],
      [f.ops.carrier(slow, { action: 'fail' }), /errorCode from Bandwidth's table/],
      [f.ops.carrier(slow, { action: 'deliver', errorCode: 4720 }), /goes with action 'fail'/],
      [f.ops.carrier(slow, { action: 'deliver', recipient: HANDSET }), /is not a recipient/],
      [f.ops.carrier(inbound!.id, { action: 'deliver' }), /inbound/],
      [f.ops.carrier('no-such-message', { action: 'deliver' }), /no stored message no-such-message/],
    ];
    for (const [promise, why] of cases) {
      const error = await rejection(promise);
      expect(error).toBeInstanceOf(ControlInputError);
      expect(error.message).toMatch(why);
    }
    // Refusals change nothing: the slow message is still in flight.
    expect(f.running.emulator.parts.timeline.pendingSteps).toBe(1);
    expect((await f.ops.messages.get(slow))!.recipients[0]!.status).toBe('QUEUED');
    expectBooksBalance(f.running.emulator.parts.dispatcher.stats());
  });
});

describe('carrier console over raw HTTP', () => {
  it('404 for an unknown message, 400 for a body outside the schema, and the route is in the OpenAPI document', async () => {
    const f = await start((running) => running);
    const post = async (path: string, body: unknown) => {
      const res = await undiciRequest(`${f.running.url}/__emulator${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    };
    expect(await post('/messages/nope/carrier', { action: 'deliver' })).toMatchObject({ status: 404, body: { error: 'not-found' } });
    const id = await f.send([SLOW_1]);
    expect((await post(`/messages/${id}/carrier`, { action: 'explode' })).status).toBe(400);
    expect((await post(`/messages/${id}/carrier`, { action: 'deliver', extra: 1 })).status).toBe(400);
    const ok = await post(`/messages/${id}/carrier`, { action: 'fail', errorCode: 4720 });
    expect(ok).toMatchObject({ status: 200, body: { messageId: id, acted: [{ recipient: SLOW_1, type: 'message-failed', cancelledSteps: 1 }] } });
    const doc = (await (await undiciRequest(`${f.running.url}/__emulator/openapi.json`)).body.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/__emulator/messages/{id}/carrier']?.post).toBeDefined();
    await settled(f.running);
  });
});
