// Every webhook inspectable and replayable: response headers kept (bounded), the journal's failing filter and
// newest-first pages, and POST /__emulator/callbacks/{seq}/resend (the exact body again, once, with current credentials).
// Real emulator, real receivers (sinks on 127.0.0.1:0), in-process and over HTTP.
import { describe, expect, it } from 'vitest';
import { MAX_RESENDS_IN_FLIGHT } from '../../src/callbacks/dispatcher.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { ControlInputError } from '../../src/control/operations.js';
import type { RunningEmulator } from '../../src/start.js';
import { RESPONSE_HEADER_VALUE_KEEP, RESPONSE_HEADERS_KEEP } from '../../src/store/journal.js';
import { useEmulators } from '../helpers/fixture.js';
import { CONTROL_CONNECTIONS, expectBooksBalance, rejection } from '../helpers/harness.js';

const emulators = useEmulators();
const ACCOUNT = '9902000';
const APP = '0a1b2c3d-0000-4000-8000-000000002001';
const OURS = '+19195552001';
const HANDSET = '+19195558001';
const WAIT = { timeoutMs: 5000 };

type AppFile = NonNullable<ConfigFile['accounts']>[number]['applications'][number];

async function start(application: Omit<AppFile, 'id'>): Promise<RunningEmulator> {
  return emulators.start({
    accounts: [
      { id: ACCOUNT, users: [{ username: 'u', password: 'p' }], applications: [{ id: APP, ...application }], numbers: [{ number: OURS, applicationId: APP }] },
    ],
    callbacks: { retryDelays: ['10ms'], timeout: '500ms' },
  });
}

const received = (running: RunningEmulator, n = 1) =>
  Promise.all(Array.from({ length: n }, (_, i) => running.inbound({ from: HANDSET, to: [OURS], text: `hi ${i}` })));

async function post(running: RunningEmulator, path: string, body?: unknown): Promise<{ status: number; data: { message?: string; seq?: number } }> {
  const res = await fetch(`${running.url}/__emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  return { status: res.status, data: (await res.json()) as { message?: string } };
}

describe('response headers in the journal', () => {
  it('are kept, at most 32 of them, each value cut to 1 KB, from a receiver answering 100 headers and an 8 KB one (undici refuses past 16 KB in all)', async () => {
    const sink = await emulators.newSink((_req, res) => {
      const headers: Record<string, string> = { 'x-huge': 'v'.repeat(8000) };
      for (let i = 0; i < 100; i++) headers[`x-h${i}`] = `value-${i}`;
      res.writeHead(200, headers).end('ok');
    });
    const running = await start({ callbackUrl: sink.url });
    await received(running);
    const entry = await running.callbacks.waitFor({ outcome: 'delivered' }, WAIT);
    const headers = entry.response!.headers!;
    expect(Object.keys(headers).length).toBe(RESPONSE_HEADERS_KEEP);
    expect(headers['x-huge']).toBe('v'.repeat(RESPONSE_HEADER_VALUE_KEEP));
    expect(headers['x-h0']).toBe('value-0');
    expect(entry.response!.body).toBe('ok');
    expect(entry.durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe.each(CONTROL_CONNECTIONS)('the journal through the %s', (_mode, connect) => {
  it('outcome=failing finds every attempt that did not deliver; pages go newest first with beforeSeq', async () => {
    const sink = await emulators.newSink((req, res) => {
      // The third message's callbacks fail: one retrying then exhausted.
      if (JSON.stringify(req.body).includes('hi 2')) res.writeHead(500).end('nope');
    });
    const running = await start({ callbackUrl: sink.url });
    const ops = connect(running);
    await received(running, 5);
    await running.callbacks.waitFor({ outcome: 'exhausted' }, WAIT);
    await sink.waitFor((r) => r.length === 6);
    const failing = await ops.callbacks.list({ outcome: 'failing' });
    expect(failing.map((e) => e.outcome).sort()).toEqual(['exhausted', 'retrying']);
    const all = await ops.callbacks.list();
    expect(all).toHaveLength(6);

    const first = await ops.callbacks.page({}, { limit: 4 });
    expect(first.total).toBe(6);
    expect(first.entries.map((e) => e.seq)).toEqual(
      all
        .slice(2)
        .map((e) => e.seq)
        .reverse(),
    );
    expect(first.nextBeforeSeq).toBe(first.entries.at(-1)!.seq);
    const second = await ops.callbacks.page({}, { limit: 4, beforeSeq: first.nextBeforeSeq! });
    expect(second.entries.map((e) => e.seq)).toEqual(
      all
        .slice(0, 2)
        .map((e) => e.seq)
        .reverse(),
    );
    expect(second.nextBeforeSeq).toBeNull();
    const failingPage = await ops.callbacks.page({ outcome: 'failing' }, { limit: 1 });
    expect(failingPage).toMatchObject({ total: 2, entries: [{ outcome: 'exhausted' }] });
    expect(await rejection(ops.callbacks.page({}, { limit: 1001 }))).toBeInstanceOf(ControlInputError);
  });

  it('resend: the identical body reaches the receiver again, with current credentials; journaled with replayOf', async () => {
    const sink = await emulators.newSink();
    const running = await start({ callbackUrl: sink.url, callbackAuth: { mode: 'preemptive', username: 'hook', password: 'pw' } });
    const ops = connect(running);
    await received(running);
    const original = await running.callbacks.waitFor({ outcome: 'delivered' }, WAIT);
    const resent = await ops.callbacks.resend(original.seq);
    expect(resent).toMatchObject({ replayOf: original.seq, outcome: 'delivered', eventId: original.eventId, target: sink.url, response: { status: 200 } });
    expect(resent!.request.headers.authorization).toBe('Basic [redacted]');
    await sink.waitFor((r) => r.length === 2);
    expect(sink.requests[1]!.body).toEqual(sink.requests[0]!.body);
    expect(sink.requests[1]!.headers.authorization).toBe(`Basic ${Buffer.from('hook:pw').toString('base64')}`);
    expect((await ops.callbacks.list({ replayOf: original.seq })).map((e) => e.seq)).toEqual([resent!.seq]);
    const health = await ops.health();
    expect(health.resends).toEqual({ resent: 1, delivered: 1, failed: 0, inFlight: 0 });
    expectBooksBalance(health.callbacks);
    expect(health.callbacks.planned).toBe(1);
  });

  it('resend to another target; a no-target entry needs one; an unknown seq is undefined; a failed resend is exhausted, once', async () => {
    const sink = await emulators.newSink();
    const failing = await emulators.newSink((_req, res) => void res.writeHead(503).end());
    const running = await start({});
    const ops = connect(running);
    await received(running);
    const noTarget = await running.callbacks.waitFor({ outcome: 'no-target' }, WAIT);
    const refused = await rejection(ops.callbacks.resend(noTarget.seq));
    expect(refused).toBeInstanceOf(ControlInputError);
    expect(refused.message).toMatch(/has no target/);
    expect(await rejection(ops.callbacks.resend(noTarget.seq, { target: 'ftp://x.example/' }))).toBeInstanceOf(ControlInputError);
    const sent = await ops.callbacks.resend(noTarget.seq, { target: sink.url });
    expect(sent).toMatchObject({ replayOf: noTarget.seq, outcome: 'delivered', target: sink.url });
    expect(sink.requests[0]!.body).toEqual(noTarget.request.body);
    const failed = await ops.callbacks.resend(noTarget.seq, { target: failing.url });
    expect(failed).toMatchObject({ outcome: 'exhausted', response: { status: 503 } });
    expect(failing.requests).toHaveLength(1);
    expect(await ops.callbacks.resend(999_999)).toBeUndefined();
  });
});

describe('POST /__emulator/callbacks/{seq}/resend over HTTP', () => {
  it('answers 201 with the new entry, 404 for an unknown seq, 400 past its bounds', async () => {
    const sink = await emulators.newSink();
    const running = await start({ callbackUrl: sink.url });
    await received(running);
    const original = await running.callbacks.waitFor({ outcome: 'delivered' }, WAIT);
    const ok = await post(running, `/callbacks/${original.seq}/resend`);
    expect(ok.status).toBe(201);
    expect(ok.data).toMatchObject({ replayOf: original.seq });
    expect((await post(running, '/callbacks/424242/resend')).status).toBe(404);
    for (const [path, body] of [
      ['/callbacks/0/resend', {}],
      ['/callbacks/abc/resend', {}],
      [`/callbacks/${'9'.repeat(17)}/resend`, {}],
      [`/callbacks/${original.seq}/resend`, { target: `http://x.example/${'a'.repeat(2100)}` }],
      [`/callbacks/${original.seq}/resend`, { target: 'javascript:alert(1)' }],
      [`/callbacks/${original.seq}/resend`, { other: 1 }],
    ] as const) {
      const answer = await post(running, path, body);
      expect(answer.status, path).toBe(400);
      expect(answer.data.message).toBeTruthy();
    }
    for (const query of ['limit=0', 'limit=1001', 'beforeSeq=0', 'outcome=broken', 'limit=5&wait=10', 'replayOf=0']) {
      const res = await fetch(`${running.url}/__emulator/callbacks?${query}`);
      expect(res.status, query).toBe(400);
    }
    // No paging parameter: the answer keeps its shape.
    const plain = (await (await fetch(`${running.url}/__emulator/callbacks`)).json()) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['entries']);
  });

  it(`refuses more than ${MAX_RESENDS_IN_FLIGHT} resends in flight with 503`, async () => {
    const held: Array<() => void> = [];
    const sink = await emulators.newSink((req, res) => {
      if (req.n === 1) return;
      held.push(() => res.writeHead(200).end());
      return 'handled';
    });
    const running = await emulators.start({
      accounts: [
        {
          id: ACCOUNT,
          users: [{ username: 'u', password: 'p' }],
          applications: [{ id: APP, callbackUrl: sink.url }],
          numbers: [{ number: OURS, applicationId: APP }],
        },
      ],
      callbacks: { timeout: '10s' },
    });
    await received(running);
    const original = await running.callbacks.waitFor({ outcome: 'delivered' }, WAIT);
    const inFlight = Array.from({ length: MAX_RESENDS_IN_FLIGHT }, () => post(running, `/callbacks/${original.seq}/resend`));
    await sink.waitFor((r) => r.length === 1 + MAX_RESENDS_IN_FLIGHT);
    const refused = await post(running, `/callbacks/${original.seq}/resend`);
    expect(refused.status).toBe(503);
    expect(refused.data.message).toMatch(/in flight/);
    for (const release of held) release();
    expect((await Promise.all(inFlight)).map((a) => a.status)).toEqual(Array(MAX_RESENDS_IN_FLIGHT).fill(201));
  });
});
