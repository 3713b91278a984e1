// Property tests over the control API (/__emulator/*): whatever a test kit sends, the answer is 2xx or one of the
// documented errors, `{error, message[, problems]}` with a 4xx (400, 401, 404, 408, 409, 413, 414, 415 or 429): never a 5xx, a crash or a hang.
// The routes are a table, like the Bandwidth surfaces; GET /events (a stream that never ends) is covered by raw-http.
// The routes that change state have properties of their own at the end: a refused carrier action or state import
// changes nothing, an accepted carrier action settles each recipient once, and an export survives a round trip.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { createEmulator } from '../../src/compose.js';
import type { Emulator } from '../../src/emulator.js';
import { buildApp } from '../../src/server.js';
import { anyJson, brokenJsonText, contentType, headerValue, mutated, nastyString, pathSegment, queryString } from './arbitraries.js';
import { fcParams } from './fc-settings.js';
import { scenarioDocument } from './scenario-arbitraries.js';
import { brokenStateDocument, carrierAction, extremeStateDocument, hostileCarrierBody } from './state-arbitraries.js';
import { ACCOUNT, APPLICATION, BASIC } from './surfaces.js';

interface ControlSurface {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path; `:p` is replaced by an arbitrary path segment. */
  url: string;
  queryKeys?: readonly string[];
  /** A body it accepts, for the mutate-one-field property; `true` means it takes a body but no example is needed. */
  validBody?: Record<string, unknown> | true;
  /** Arbitrary for well-shaped but hostile bodies (scenario documents). */
  shapedBody?: fc.Arbitrary<unknown>;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const JOURNAL_KEYS = ['accountId', 'messageId', 'eventId', 'type', 'recipient', 'target', 'outcome', 'afterSeq'];
const SURFACES: readonly ControlSurface[] = [
  { method: 'GET', url: '/health' },
  { method: 'GET', url: '/ready' },
  { method: 'GET', url: '/openapi.json' },
  { method: 'GET', url: '/metrics' },
  { method: 'GET', url: '/messages', queryKeys: ['accountId', 'to', 'from', 'tag', 'direction', 'status', 'limit'] },
  { method: 'GET', url: '/messages/:p' },
  // `wait` is left out: a valid wait is a documented long-poll of up to 5 minutes, not a hang.
  { method: 'GET', url: '/callbacks', queryKeys: JOURNAL_KEYS },
  {
    method: 'POST',
    url: '/inbound',
    validBody: { from: '+15551230000', to: ['+19195550100'], text: 'hello', media: [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: 'aGk=' }] },
  },
  { method: 'GET', url: '/scenarios' },
  { method: 'POST', url: '/scenarios', queryKeys: ['accountId'], validBody: true, shapedBody: scenarioDocument },
  { method: 'PUT', url: '/scenarios/:p', queryKeys: ['accountId'], validBody: true, shapedBody: scenarioDocument },
  { method: 'DELETE', url: '/scenarios', queryKeys: ['accountId'] },
  { method: 'DELETE', url: '/scenarios/:p', queryKeys: ['accountId'] },
  { method: 'POST', url: '/scenarios/:p/trigger', validBody: { inbound: 'x' } },
  { method: 'POST', url: '/reset', queryKeys: ['accountId'] },
  { method: 'DELETE', url: '/accounts/:p' },
  { method: 'GET', url: '/accounts' },
  { method: 'GET', url: '/error-codes' },
  { method: 'GET', url: '/error-codes/:p' },
  // Run-time provisioning: an arbitrary account, or the default account with an arbitrary number.
  { method: 'GET', url: '/accounts/:p/numbers' },
  { method: 'PUT', url: `/accounts/${ACCOUNT}/numbers/:p`, validBody: { location: 'sip-1', campaign: { id: 'CJEUMDK', class: 'T', mnoStatus: 'REVIEW' } } },
  { method: 'DELETE', url: `/accounts/${ACCOUNT}/numbers/:p` },
  // The toll-free opt-out list: an arbitrary account, or the default account with an arbitrary number or handset.
  { method: 'GET', url: '/accounts/:p/opt-outs' },
  { method: 'POST', url: `/accounts/${ACCOUNT}/opt-outs`, validBody: { number: '+19195550100', handset: '+15551230000' } },
  { method: 'DELETE', url: '/accounts/:p/opt-outs' },
  { method: 'DELETE', url: `/accounts/${ACCOUNT}/opt-outs/:p/%2B15551230000` },
  // Throwaway accounts: a conflict (409) or the cap of accounts (429) is a documented answer too.
  { method: 'POST', url: '/accounts', validBody: { name: 'prop', numbers: 2, ttlSeconds: 60, callbackUrl: 'http://127.0.0.1:9/hook' } },
  // Message ids here are arbitrary (mostly unknown); the properties below act on real messages in flight.
  { method: 'POST', url: '/messages/:p/carrier', validBody: { action: 'fail', errorCode: 4720 } },
  { method: 'GET', url: '/state' },
  // A valid body imports (replaces all state): only the empty document, so other rows' state is a fresh emulator's.
  { method: 'POST', url: '/state', validBody: { kind: 'bandwidth-emulator-state', version: 1, messages: [], media: [], journal: [], scenarios: [] } },
  { method: 'GET', url: '/time' },
  { method: 'PUT', url: '/time', validBody: { timeScale: 0.01 } },
  { method: 'POST', url: '/time/flush' },
  // Proxy mode: neither route reads a query or body; the certificate route creates the CA (in the test's own folder).
  { method: 'GET', url: '/proxy' },
  { method: 'GET', url: '/proxy/ca.pem' },
];

let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp(createEmulator(resolveConfig({ overrides: { logLevel: 'silent', caDir: join(mkdtempSync(join(tmpdir(), 'bwe-prop-ca-')), 'ca') } })));
});
afterAll(async () => {
  await app.close();
});

/** The documented control API answers: 2xx/3xx, or `{error, message}` with a 4xx. */
function expectControlAnswer(res: LightMyRequestResponse, what: string): void {
  const context = `${what} -> ${res.statusCode} ${res.body.slice(0, 500)}`;
  expect(res.statusCode, context).toBeLessThan(500);
  if (res.statusCode < 400) return;
  expect([400, 401, 404, 405, 408, 409, 413, 414, 415, 429, 431], context).toContain(res.statusCode);
  const body = res.json() as { error?: unknown; message?: unknown };
  expect(typeof body.error, context).toBe('string');
  expect(typeof body.message, context).toBe('string');
}

async function check(surface: ControlSurface, opts: { segment?: string; query?: string; body?: string | Buffer; contentType?: string }): Promise<void> {
  const url = `/__emulator${surface.url.replace(':p', opts.segment ?? 'x')}${opts.query ? `?${opts.query}` : ''}`;
  const headers: Record<string, string> = {};
  if (opts.body !== undefined && opts.contentType) headers['content-type'] = opts.contentType;
  // A bodyless call that changes state says JSON, as every client must (else it is a 415 and the property tests nothing).
  else if (opts.body === undefined && surface.method !== 'GET') headers['content-type'] = 'application/json';
  const res = await app.inject({
    method: surface.method,
    url,
    headers,
    ...(opts.body !== undefined && surface.method !== 'GET' ? { payload: opts.body } : {}),
  });
  expectControlAnswer(res, `${surface.method} ${url} ${typeof opts.body === 'string' ? opts.body.slice(0, 300) : ''}`);
  // Whatever was sent, the emulator keeps serving: the cheapest route still answers.
  if (res.statusCode >= 400) expect((await app.inject({ method: 'GET', url: '/__emulator/ready' })).statusCode).toBe(200);
}

const prop = <T>(arb: fc.Arbitrary<T>, run: (value: T) => Promise<void>, scale = 1) => fc.assert(fc.asyncProperty(arb, run), fcParams(scale));

describe.each(SURFACES)('$method $url', (surface) => {
  it('any query string', () => prop(queryString(surface.queryKeys ?? ['x']), (query) => check(surface, { query: stripWait(query) })));

  if (surface.url.includes(':p')) {
    it('any path segment', () => prop(pathSegment, (segment) => check(surface, { segment })));
  }

  if (surface.validBody) {
    it('any JSON value as the body', () => prop(anyJson, (value) => check(surface, { body: JSON.stringify(value) ?? '', contentType: 'application/json' })));
    it('broken JSON text', () => prop(brokenJsonText, (body) => check(surface, { body, contentType: 'application/json' })));
    it('any content type with any bytes', () =>
      prop(fc.tuple(contentType, fc.uint8Array({ maxLength: 2000 })), ([type, bytes]) => check(surface, { body: Buffer.from(bytes), contentType: type })));
    if (typeof surface.validBody === 'object') {
      it('a valid body with one field replaced by anything, or removed', () =>
        prop(
          mutated(surface.validBody as Record<string, unknown>),
          (body) => check(surface, { body: JSON.stringify(body), contentType: 'application/json' }),
          2,
        ));
    }
    if (surface.shapedBody) {
      it('scenario-shaped documents with hostile values', () =>
        prop(surface.shapedBody!, (body) => check(surface, { body: JSON.stringify(body), contentType: 'application/json' }), 2));
    }
  }
});

// A valid `wait` is a long-poll that legitimately waits up to 5 minutes; keep only tiny ones.
function stripWait(query: string): string {
  const params = new URLSearchParams(query);
  if (params.has('wait')) params.set('wait', '1');
  return params.toString();
}

describe('with a control token', () => {
  let guarded: FastifyInstance;
  beforeAll(async () => {
    guarded = await buildApp(createEmulator(resolveConfig({ overrides: { logLevel: 'silent', control: { token: 'prop-control-token' } } })));
  });
  afterAll(async () => {
    await guarded.close();
  });

  it('any Authorization or X-Emulator-Token but the right one: the documented 401 on every route', () =>
    prop(
      fc.tuple(
        fc.constantFrom(...SURFACES),
        fc.oneof(
          headerValue,
          headerValue.map((t) => `Bearer ${t}`),
          fc.constantFrom('Bearer prop-control-token-', 'Bearer  prop-control-tokeN', 'Basic prop-control-token'),
        ),
        fc.boolean(),
      ),
      async ([surface, value, asHeader]) => {
        const headers: Record<string, string> = asHeader ? { 'x-emulator-token': value } : { authorization: value };
        const res = await guarded.inject({ method: surface.method, url: `/__emulator${surface.url.replace(':p', 'x')}`, headers });
        expect(res.statusCode, `${surface.method} ${surface.url} ${value}`).toBe(401);
        expect(res.json()).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
      },
    ));
});

// The carrier and state routes change state, so their properties check what changed, on emulators of their own
// whose time scale keeps every planned step waiting: a message stays in flight until the property acts or flushes.
const FROZEN = 1e6;
const frozenEmulator = () => createEmulator(resolveConfig({ overrides: { logLevel: 'silent', timeScale: FROZEN } }));
const TERMINAL = new Set(['message-delivered', 'message-failed']);
const FINAL_STATUS = new Set(['DELIVERED', 'FAILED', 'UNDELIVERED']);
/** Handset numbers, outside our own and the magic ones, so nothing but the property decides their outcome. */
const handsets = fc.uniqueArray(
  fc.integer({ min: 0, max: 9999 }).map((n) => `+1919666${String(n).padStart(4, '0')}`),
  { minLength: 1, maxLength: 3 },
);

async function sendMessage(on: FastifyInstance, to: readonly string[], extra: Record<string, unknown> = {}): Promise<LightMyRequestResponse> {
  return on.inject({
    method: 'POST',
    url: `/api/v2/users/${ACCOUNT}/messages`,
    headers: { authorization: BASIC, 'content-type': 'application/json' },
    payload: JSON.stringify({ applicationId: APPLICATION, from: '+19195550100', to, text: 'control property', ...extra }),
  });
}

async function inFlight(on: FastifyInstance, to: readonly string[]): Promise<string> {
  const res = await sendMessage(on, to);
  expect(res.statusCode, res.body).toBe(202);
  return (res.json() as { id: string }).id;
}

async function exportOf(on: FastifyInstance): Promise<Record<string, unknown>> {
  const res = await on.inject({ method: 'GET', url: '/__emulator/state' });
  expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
  // The export's own time stamp is the only field that moves by itself.
  const { exportedAt: _at, ...doc } = res.json() as Record<string, unknown>;
  return doc;
}

/** Everything a refused request must leave alone: the exported state, planned steps, timers and the callback books. */
async function snapshot(on: FastifyInstance, emulator: Emulator) {
  return {
    state: await exportOf(on),
    pendingSteps: emulator.parts.timeline.pendingSteps,
    timers: emulator.parts.clock.pending,
    books: emulator.parts.dispatcher.stats(),
  };
}

/** A body as JSON, broken JSON, or any bytes under any content type. */
const anyBody = (json: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 4, arbitrary: json.map((value) => ({ body: JSON.stringify(value) ?? '', contentType: 'application/json' })) },
    brokenJsonText.map((body) => ({ body, contentType: 'application/json' })),
    fc.tuple(contentType, fc.uint8Array({ maxLength: 2000 })).map(([type, bytes]) => ({ body: Buffer.from(bytes) as string | Buffer, contentType: type })),
  );

describe('POST /messages/:id/carrier on messages in flight', () => {
  let emulator: Emulator;
  let carrierApp: FastifyInstance;
  const fixed: Record<'inbound' | 'final', string> = { inbound: '', final: '' };

  beforeAll(async () => {
    emulator = frozenEmulator();
    carrierApp = await buildApp(emulator);
  });
  afterAll(async () => {
    await carrierApp.close();
  });

  /** From a reset (so each run's exports stay small): an inbound message and an outbound one already delivered. */
  async function resetWithFixtures(): Promise<void> {
    expect((await carrierApp.inject({ method: 'POST', url: '/__emulator/reset', headers: JSON_TYPE })).statusCode).toBe(204);
    const inbound = await carrierApp.inject({
      method: 'POST',
      url: '/__emulator/inbound',
      payload: { from: '+15551230000', to: ['+19195550100'], text: 'hi' },
    });
    fixed.inbound = (inbound.json() as { messages: Array<{ id: string }> }).messages[0]!.id;
    fixed.final = await inFlight(carrierApp, ['+19196660000']);
    expect((await carrierApp.inject({ method: 'POST', url: `/__emulator/messages/${fixed.final}/carrier`, payload: { action: 'deliver' } })).statusCode).toBe(
      200,
    );
  }

  const carrier = (id: string, body: string | Buffer | object, type = 'application/json') =>
    carrierApp.inject({ method: 'POST', url: `/__emulator/messages/${id}/carrier`, headers: { 'content-type': type }, payload: body as string });

  /** After an accepted action: each acted recipient is final with exactly one terminal entry of the chosen kind; the others untouched. */
  function expectSettled(id: string, to: readonly string[], acted: readonly string[], action: { action: string; errorCode?: number }): void {
    const message = emulator.parts.store.find(id)!;
    const type = action.action === 'deliver' ? 'message-delivered' : 'message-failed';
    for (const recipient of to) {
      const terminal = emulator.parts.journal.list({ messageId: id, recipient }).filter((e) => TERMINAL.has(e.type));
      const row = message.recipients.find((r) => r.to === recipient)!;
      if (!acted.includes(recipient)) {
        expect(terminal, recipient).toEqual([]);
        expect(FINAL_STATUS.has(row.status), recipient).toBe(false);
        continue;
      }
      expect(
        terminal.map((e) => e.type),
        recipient,
      ).toEqual([type]);
      expect((terminal[0]!.request.body as Array<{ errorCode?: number }>)[0]!.errorCode ?? 0, recipient).toBe(action.errorCode ?? 0);
      expect([row.status, row.errorCode], recipient).toEqual([action.action === 'deliver' ? 'DELIVERED' : 'FAILED', action.errorCode ?? 0]);
    }
  }

  it('a valid action settles each chosen recipient with exactly one terminal callback of its type and code, and cancels its steps', () =>
    prop(fc.tuple(handsets, carrierAction, fc.option(fc.nat())), async ([to, action, pick]) => {
      const id = await inFlight(carrierApp, to);
      const recipient = pick === null ? undefined : to[pick % to.length]!;
      const res = await carrier(id, JSON.stringify({ ...action, ...(recipient ? { recipient } : {}) }));
      expect(res.statusCode, res.body).toBe(200);
      const acted = recipient ? [recipient] : to;
      expect(res.json()).toEqual({
        messageId: id,
        acted: acted.map((r) => ({
          recipient: r,
          type: action.action === 'deliver' ? 'message-delivered' : 'message-failed',
          cancelledSteps: expect.any(Number),
        })),
      });
      expectSettled(id, to, acted, action);
      // The replaced steps never fire: after every timer has run, still one terminal entry per acted recipient.
      expect((await carrierApp.inject({ method: 'POST', url: '/__emulator/time/flush', headers: JSON_TYPE })).statusCode).toBe(200);
      for (const r of acted)
        expect(
          emulator.parts.journal.list({ messageId: id, recipient: r }).filter((e) => TERMINAL.has(e.type)),
          r,
        ).toHaveLength(1);
      // And a second action on a recipient already answered for is refused.
      const again = await carrier(id, JSON.stringify({ action: 'deliver', recipient: acted[0] }));
      expectControlAnswer(again, 'second action');
      expect(again.statusCode).toBe(400);
    }));

  const target = fc.oneof(
    { weight: 3, arbitrary: fc.constant({ kind: 'in-flight' as const }) },
    fc.constantFrom({ kind: 'inbound' as const }, { kind: 'final' as const }),
    pathSegment.map((segment) => ({ kind: 'segment' as const, segment })),
  );

  it('hostile bodies and ids: 2xx or a documented 4xx, and a refused request changes nothing', () =>
    prop(
      fc.tuple(handsets, target).chain(([to, where]) => fc.tuple(fc.constant(to), fc.constant(where), anyBody(hostileCarrierBody(to)))),
      async ([to, where, { body, contentType: type }]) => {
        await resetWithFixtures();
        const fresh = await inFlight(carrierApp, to);
        const id = where.kind === 'in-flight' ? fresh : where.kind === 'segment' ? where.segment : fixed[where.kind];
        const before = await snapshot(carrierApp, emulator);
        const res = await carrier(id, body, type);
        expectControlAnswer(res, `${where.kind} ${id} ${typeof body === 'string' ? body.slice(0, 300) : ''}`);
        if (res.statusCode >= 400) {
          expect(await snapshot(carrierApp, emulator), `${res.statusCode} ${res.body.slice(0, 300)}`).toEqual(before);
          return;
        }
        // Only a valid request on the message in flight is accepted; then it settled as asked.
        expect(where.kind, res.body).toBe('in-flight');
        const sent = JSON.parse(body as string) as { action: string; errorCode?: number; recipient?: string };
        expectSettled(fresh, to, sent.recipient ? [sent.recipient] : to, sent);
      },
    ));
});

describe('GET and POST /state', () => {
  /** A scenario whose rule matches one number, so the export carries a rule hit and a reply. */
  const SCENARIO = {
    version: 1,
    name: 'prop-state',
    rules: [{ name: 'replies', match: { to: '+15558880001' }, events: [{ type: 'message-delivered', after: '1s' }], reply: { after: '2s', text: 'STOP' } }],
  };
  const SOURCE_POOL = ['+19196660001', '+19196660002', '+19196660003', '+15558880001', '+15551004720', '+15553000005', '+15554000001', '+15552000001'];

  const operation = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('send' as const),
        to: fc.uniqueArray(fc.constantFrom(...SOURCE_POOL), { minLength: 1, maxLength: 3 }),
        text: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), nastyString),
        tag: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      }),
    },
    fc.record({ kind: fc.constant('inbound' as const), text: fc.string({ unit: 'grapheme', maxLength: 40 }), media: fc.boolean() }),
    fc.record({ kind: fc.constant('media' as const), name: fc.constantFrom('a.txt', 'b.png', 'c d.bin'), bytes: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({ kind: fc.constant('carrier' as const), action: carrierAction }),
    fc.constant({ kind: 'flush' as const }),
    fc.constant({ kind: 'scenario' as const }),
  );
  type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

  /** Build some state through the API; whatever the API refuses is simply not there. */
  async function build(on: FastifyInstance, operations: readonly Operation[]): Promise<void> {
    let last: string | undefined;
    for (const op of operations) {
      let res: LightMyRequestResponse;
      if (op.kind === 'send') {
        res = await sendMessage(on, op.to, { text: op.text, ...(op.tag !== undefined ? { tag: op.tag } : {}) });
        if (res.statusCode === 202) last = (res.json() as { id: string }).id;
      } else if (op.kind === 'inbound') {
        const media = op.media ? { media: [{ filename: 'p.txt', contentType: 'text/plain', contentBase64: 'aGk=' }] } : {};
        res = await on.inject({ method: 'POST', url: '/__emulator/inbound', payload: { from: '+15551230000', to: ['+19195550101'], text: op.text, ...media } });
      } else if (op.kind === 'media') {
        res = await on.inject({
          method: 'PUT',
          url: `/api/v2/users/${ACCOUNT}/media/${encodeURIComponent(op.name)}`,
          headers: { authorization: BASIC, 'content-type': 'application/octet-stream' },
          payload: Buffer.from(op.bytes),
        });
      } else if (op.kind === 'carrier') {
        if (last === undefined) continue;
        res = await on.inject({ method: 'POST', url: `/__emulator/messages/${last}/carrier`, payload: op.action });
      } else if (op.kind === 'flush') {
        res = await on.inject({ method: 'POST', url: '/__emulator/time/flush', headers: JSON_TYPE });
      } else {
        res = await on.inject({ method: 'POST', url: '/__emulator/scenarios', payload: SCENARIO });
      }
      expect(res.statusCode, `${op.kind} ${res.body.slice(0, 300)}`).toBeLessThan(500);
    }
  }

  it('round trip: an export imported into a fresh emulator exports the same document', () =>
    prop(fc.array(operation, { minLength: 2, maxLength: 10 }), async (operations) => {
      const source = await buildApp(frozenEmulator());
      const fresh = await buildApp(frozenEmulator());
      try {
        await build(source, operations);
        const exported = await exportOf(source);
        const imported = await fresh.inject({ method: 'POST', url: '/__emulator/state', payload: exported });
        expect(imported.statusCode, imported.body.slice(0, 500)).toBe(200);
        expect(await exportOf(fresh)).toEqual(exported);
      } finally {
        await Promise.all([source.close(), fresh.close()]);
      }
    }));

  describe('hostile imports', () => {
    let emulator: Emulator;
    let stateApp: FastifyInstance;
    let baseline: Record<string, unknown>;

    beforeAll(async () => {
      emulator = frozenEmulator();
      stateApp = await buildApp(emulator);
      await build(stateApp, [
        { kind: 'scenario' },
        { kind: 'send', to: ['+15558880001'], text: 'hits the rule', tag: 't' },
        { kind: 'send', to: ['+19196660001', '+15551004720'], text: 'group', tag: undefined },
        { kind: 'flush' },
        { kind: 'send', to: ['+19196660002'], text: 'in flight', tag: undefined },
        { kind: 'carrier', action: { action: 'fail', errorCode: 4720 } },
        { kind: 'inbound', text: 'from a handset', media: true },
        { kind: 'media', name: 'a.txt', bytes: new Uint8Array([104, 105]) },
        { kind: 'send', to: ['+19196660003'], text: 'still in flight', tag: undefined },
      ]);
      baseline = await exportOf(stateApp);
      for (const section of ['messages', 'media', 'journal', 'scenarios']) expect((baseline[section] as unknown[]).length, section).toBeGreaterThan(0);
    });
    afterAll(async () => {
      await stateApp.close();
    });

    const importState = (body: string | Buffer, type: string) =>
      stateApp.inject({ method: 'POST', url: '/__emulator/state', headers: { 'content-type': type }, payload: body });

    it('any body, a wrong kind or version, broken sections: 2xx or a documented 4xx; a refused import changes nothing', () =>
      prop(
        fc.oneof({ weight: 2, arbitrary: anyBody(anyJson) }, { weight: 5, arbitrary: fc.constant(null).chain(() => anyBody(brokenStateDocument(baseline))) }),
        async ({ body, contentType: type }) => {
          expect((await importState(JSON.stringify(baseline), 'application/json')).statusCode).toBe(200);
          const before = await snapshot(stateApp, emulator);
          // Event ids never go back (a receiver may dedupe on them), so an earlier import may have left a higher counter.
          expect({ ...before.state, lastEventNumber: baseline.lastEventNumber }).toEqual(baseline);
          const res = await importState(body, type);
          expectControlAnswer(res, `POST /state ${typeof body === 'string' ? body.slice(0, 300) : ''}`);
          if (res.statusCode >= 400) {
            expect(await snapshot(stateApp, emulator), `${res.statusCode} ${res.body.slice(0, 300)}`).toEqual(before);
            return;
          }
          // An accepted document leaves a state the emulator can export and import again.
          const again = await exportOf(stateApp);
          const reimported = await importState(JSON.stringify(again), 'application/json');
          expect(reimported.statusCode, reimported.body.slice(0, 500)).toBe(200);
          expect(await exportOf(stateApp)).toEqual(again);
        },
        2,
      ));

    it("extreme numbers (Date's range, 2^52, safe integers, Infinity) and deep nesting anywhere: imported or 400, never 500; a refusal changes nothing", () =>
      prop(
        fc.constant(null).chain(() => extremeStateDocument(baseline)),
        async (body) => {
          expect((await importState(JSON.stringify(baseline), 'application/json')).statusCode).toBe(200);
          const before = await snapshot(stateApp, emulator);
          const res = await importState(body, 'application/json');
          expectControlAnswer(res, `POST /state ${body.slice(0, 300)}`);
          expect([200, 400], res.body.slice(0, 300)).toContain(res.statusCode);
          if (res.statusCode === 400) {
            expect(await snapshot(stateApp, emulator), res.body.slice(0, 300)).toEqual(before);
            return;
          }
          // What was accepted works: every pending step can run now, the state exports and imports again.
          expect((await stateApp.inject({ method: 'POST', url: '/__emulator/time/flush', headers: JSON_TYPE })).statusCode).toBe(200);
          expect((await stateApp.inject({ method: 'GET', url: '/__emulator/messages' })).statusCode).toBe(200);
          const again = await exportOf(stateApp);
          const reimported = await importState(JSON.stringify(again), 'application/json');
          expect(reimported.statusCode, reimported.body.slice(0, 500)).toBe(200);
        },
        2,
      ));
  });
});
