// Property tests over the control API (/__emulator/*): whatever a test kit sends, the answer is 2xx or one of the
// documented errors, `{error, message[, problems]}` with a 4xx (400, 401, 404, 408, 413, 414 or 415): never a 5xx, a crash or a hang.
// The routes are a table, like the Bandwidth surfaces; GET /events (a stream that never ends) is covered by raw-http.
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { createEmulator } from '../../src/emulator.js';
import { buildApp } from '../../src/server.js';
import { anyJson, brokenJsonText, contentType, headerValue, mutated, pathSegment, queryString } from './arbitraries.js';
import { fcParams } from './fc-settings.js';
import { scenarioDocument } from './scenario-arbitraries.js';

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
  { method: 'POST', url: '/inbound', validBody: { from: '+15551230000', to: ['+19195550100'], text: 'hello', media: [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: 'aGk=' }] } },
  { method: 'GET', url: '/scenarios' },
  { method: 'POST', url: '/scenarios', queryKeys: ['accountId'], validBody: true, shapedBody: scenarioDocument },
  { method: 'PUT', url: '/scenarios/:p', queryKeys: ['accountId'], validBody: true, shapedBody: scenarioDocument },
  { method: 'DELETE', url: '/scenarios', queryKeys: ['accountId'] },
  { method: 'DELETE', url: '/scenarios/:p', queryKeys: ['accountId'] },
  { method: 'POST', url: '/scenarios/:p/trigger', validBody: { inbound: 'x' } },
  { method: 'POST', url: '/reset', queryKeys: ['accountId'] },
  { method: 'DELETE', url: '/accounts/:p' },
  { method: 'GET', url: '/time' },
  { method: 'PUT', url: '/time', validBody: { scale: 0.01 } },
  { method: 'POST', url: '/time/flush' },
];

let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp(createEmulator(resolveConfig({ overrides: { logLevel: 'silent' } })));
});
afterAll(async () => {
  await app.close();
});

/** The documented control API answers: 2xx/3xx, or `{error, message}` with a 4xx. */
function expectControlAnswer(res: LightMyRequestResponse, what: string): void {
  const context = `${what} -> ${res.statusCode} ${res.body.slice(0, 500)}`;
  expect(res.statusCode, context).toBeLessThan(500);
  if (res.statusCode < 400) return;
  expect([400, 401, 404, 405, 408, 413, 414, 415, 431], context).toContain(res.statusCode);
  const body = res.json() as { error?: unknown; message?: unknown };
  expect(typeof body.error, context).toBe('string');
  expect(typeof body.message, context).toBe('string');
}

async function check(surface: ControlSurface, opts: { segment?: string; query?: string; body?: string | Buffer; contentType?: string }): Promise<void> {
  const url = `/__emulator${surface.url.replace(':p', opts.segment ?? 'x')}${opts.query ? `?${opts.query}` : ''}`;
  const headers: Record<string, string> = {};
  if (opts.body !== undefined && opts.contentType) headers['content-type'] = opts.contentType;
  const res = await app.inject({ method: surface.method, url, headers, ...(opts.body !== undefined && surface.method !== 'GET' ? { payload: opts.body } : {}) });
  expectControlAnswer(res, `${surface.method} ${url} ${typeof opts.body === 'string' ? opts.body.slice(0, 300) : ''}`);
  // Whatever was sent, the emulator keeps serving: the cheapest route still answers.
  if (res.statusCode >= 400) expect((await app.inject({ method: 'GET', url: '/__emulator/ready' })).statusCode).toBe(200);
}

const prop = <T>(arb: fc.Arbitrary<T>, run: (value: T) => Promise<void>, scale = 1) => fc.assert(fc.asyncProperty(arb, run), fcParams(scale));

describe.each(SURFACES)('$method $url', (surface) => {
  it('any query string', () =>
    prop(queryString(surface.queryKeys ?? ['x']), (query) => check(surface, { query: stripWait(query) })));

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
        prop(mutated(surface.validBody as Record<string, unknown>), (body) => check(surface, { body: JSON.stringify(body), contentType: 'application/json' }), 2));
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
      fc.tuple(fc.constantFrom(...SURFACES), fc.oneof(headerValue, headerValue.map((t) => `Bearer ${t}`), fc.constantFrom('Bearer prop-control-token-', 'Bearer  prop-control-tokeN', 'Basic prop-control-token')), fc.boolean()),
      async ([surface, value, asHeader]) => {
        const headers: Record<string, string> = asHeader ? { 'x-emulator-token': value } : { authorization: value };
        const res = await guarded.inject({ method: surface.method, url: `/__emulator${surface.url.replace(':p', 'x')}`, headers });
        expect(res.statusCode, `${surface.method} ${surface.url} ${value}`).toBe(401);
        expect(res.json()).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
      },
    ));
});
