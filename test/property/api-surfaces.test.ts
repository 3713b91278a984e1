// Property tests over every public endpoint of the emulated Bandwidth API (the SURFACES table): whatever a client
// sends (any JSON, wrong types, huge and empty values, Unicode edge cases, wrong content types, broken JSON, junk
// queries, bad credentials, odd path segments) the answer is a Bandwidth-shaped 4xx or a success the emulator then
// reports: never a 5xx, a crash or a hang. Runs through app.inject() for speed; test/property/raw-http.test.ts covers
// what only a real socket can send.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { createEmulator } from '../../src/compose.js';
import type { Emulator } from '../../src/emulator.js';
import { buildApp } from '../../src/server.js';
import { anyJson, brokenJsonText, contentType, headerValue, mutated, nastyString, pathSegment, queryString } from './arbitraries.js';
import { fcParams } from './fc-settings.js';
import type { Refusal } from './multichannel-arbitraries.js';
import { SURFACES, expectAnswer, send, type Attempt, type Surface } from './surfaces.js';

// Strict mode (the default) and permissive mode (any credentials, account and application) take different paths.
const MODES = [
  { mode: 'strict', permissive: false, scale: 1 },
  { mode: 'permissive', permissive: true, scale: 0.5 },
];

const withBody = SURFACES.filter((s) => s.body !== 'none');

describe.each(MODES)('$mode mode', ({ permissive, scale: modeScale }) => {
  let app: FastifyInstance;
  let emulator: Emulator;

  beforeAll(async () => {
    // Small media limits so huge bodies hit the limits quickly; no callback URL, so accepted messages journal only.
    const config = resolveConfig({ overrides: { logLevel: 'silent', permissive, media: { maxObjectBytes: 64 * 1024, maxTotalBytes: 1024 * 1024 } } });
    emulator = createEmulator(config);
    app = await buildApp(emulator);
  });
  afterAll(async () => {
    await app.close();
  });

  // Every message the emulator ever stored, evicted ones included.
  const stored = () => emulator.parts.store.stats().messages + emulator.parts.store.stats().evicted;

  async function check(surface: Surface, attempt: Attempt, sent?: unknown): Promise<number> {
    const before = stored();
    const res = await send(app, surface, attempt);
    const what = `${surface.name} ${JSON.stringify({ ...attempt, body: typeof attempt.body === 'string' ? attempt.body.slice(0, 300) : attempt.body && `<${attempt.body.length} bytes>` })}`;
    expectAnswer(surface, res, what, sent);
    // The books: an accepted create stored exactly one message, a refused one none.
    if (surface.createsMessage) expect(stored() - before, what).toBe(res.statusCode < 300 ? 1 : 0);
    if (res.statusCode < 300 && surface.verifyAccepted) await surface.verifyAccepted(app, res, attempt);
    return res.statusCode;
  }

  /** `sent`: the JSON value a property sent as the body, for checks that depend on it (an object's 400 names a field). */
  const prop = <T>(arb: fc.Arbitrary<T>, toAttempt: (value: T) => Attempt, surface: Surface, scale = 1, sent?: (value: T) => unknown) =>
    fc.assert(
      fc.asyncProperty(arb, async (value) => void (await check(surface, toAttempt(value), sent?.(value)))),
      fcParams(scale * modeScale),
    );

  describe.each(SURFACES)('$name', (surface) => {
    it('any query string', () => prop(queryString(surface.queryKeys ?? ['x']), (query) => ({ query }), surface));

    it('any Authorization header: 401/403 in Bandwidth shape, never a 5xx', () =>
      prop(
        fc.oneof(
          headerValue,
          nastyString.map((s) => 'Basic ' + Buffer.from(s, 'utf8').toString('base64')),
          fc.tuple(nastyString, nastyString).map(([u, p]) => 'Basic ' + Buffer.from(`${u}:${p}`, 'utf8').toString('base64')),
          headerValue.map((t) => `Bearer ${t}`),
          fc.constantFrom('', 'Basic', 'Basic ', 'Basic ====', 'Bearer', 'Bearer ', 'basic Og==', 'Digest x'),
        ),
        (authorization) => ({ authorization }),
        surface,
      ));

    it('any account id in the path', () => prop(pathSegment, (accountId) => ({ accountId }), surface));

    if (surface.defaultTail !== undefined) {
      it('any media id, traversal attempts included', () =>
        prop(
          fc.oneof(
            pathSegment,
            fc.array(pathSegment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
          ),
          (tail) => ({ tail, ...(surface.body === 'bytes' ? { body: Buffer.from('x') } : {}) }),
          surface,
        ));
    }
  });

  describe.each(withBody)('$name: bodies', (surface) => {
    it('any JSON value as the body', () =>
      prop(
        anyJson,
        (value) => ({ body: JSON.stringify(value) ?? '', contentType: surface.body === 'json' ? 'application/json' : surface.contentType }),
        surface,
        1,
        (value) => value,
      ));

    it('broken JSON text', () => prop(brokenJsonText, (body) => ({ body, contentType: 'application/json' }), surface));

    it('any content type with any bytes', () =>
      prop(fc.tuple(contentType, fc.uint8Array({ maxLength: 2000 })), ([type, bytes]) => ({ contentType: type, body: Buffer.from(bytes) }), surface));

    it('no content type, or an empty body', () =>
      prop(fc.tuple(fc.constantFrom('', undefined), fc.constantFrom('', '{}', ' ')), ([type, body]) => ({ contentType: type ?? '', body }), surface, 0.2));

    if (surface.validBody) {
      it('a valid body with one field replaced by anything, or removed', () =>
        prop(
          mutated(surface.validBody!),
          (body) => ({ body: JSON.stringify(body) }),
          surface,
          2,
          (body) => body,
        ));

      it('huge values in every field', () =>
        prop(
          fc.record({
            field: fc.constantFrom(...Object.keys(surface.validBody!), 'media', 'tag', 'priority', 'expiration'),
            size: fc.integer({ min: 1000, max: 200_000 }),
            asArray: fc.boolean(),
          }),
          ({ field, size, asArray }) => ({
            body: JSON.stringify({
              ...surface.validBody,
              [field]: asArray ? Array.from({ length: Math.min(size, 5000) }, (_, i) => `+1919555${String(i).padStart(4, '0')}`) : 'x'.repeat(size),
            }),
          }),
          surface,
          0.3,
        ));
    }

    if (surface.shapedBody) {
      it('well-shaped bodies with hostile values', () =>
        prop(
          surface.shapedBody!,
          (body) => ({ body: JSON.stringify(body) }),
          surface,
          3,
          (body) => body,
        ));
    }

    if (surface.acceptedBody) {
      it('well-formed bodies of every shape are accepted', () =>
        fc.assert(
          fc.asyncProperty(surface.acceptedBody!, async (body) => {
            expect(await check(surface, { body: JSON.stringify(body) }, body), JSON.stringify(body)).toBeLessThan(300);
          }),
          fcParams(modeScale),
        ));
    }

    if (surface.refusedBody) {
      it('bodies it must refuse get a 400 blaming the broken field only', () => {
        const { arbitrary, examples } = surface.refusedBody!;
        const params = fcParams(modeScale);
        return fc.assert(
          fc.asyncProperty(arbitrary, async ({ body, blames }) => {
            const res = await send(app, surface, { body: JSON.stringify(body) });
            const context = `${JSON.stringify(body).slice(0, 400)} -> ${res.statusCode} ${res.body.slice(0, 400)}`;
            expectAnswer(surface, res, context, body);
            expect(res.statusCode, context).toBe(400);
            const fields = (res.json() as { errors: Array<{ source: { field?: string } }> }).errors.map((e) => e.source.field ?? '');
            expect(
              fields.every((f) => f.startsWith(blames)),
              `${context}: every error should blame ${blames}`,
            ).toBe(true);
          }),
          // Examples count towards numRuns: add them, so the generated runs stay as many.
          { ...params, numRuns: (params.numRuns ?? 0) + examples.length, examples: examples.map((e) => [e] as [Refusal]) },
        );
      });
    }

    if (surface.body === 'form') {
      it('any form body', () =>
        prop(fc.oneof(queryString(['grant_type', 'scope', 'client_id']), fc.string({ unit: 'binary', maxLength: 200 })), (body) => ({ body }), surface));
    }
  });
});
