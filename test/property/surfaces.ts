// The public surfaces the property tests attack, as a table: a new endpoint (multichannel, say) is one more entry.
import type fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { assertMatchesSpec } from '../helpers/spec.js';
import { MULTICHANNEL_BROKEN_RBM_EXAMPLES, multiChannelBody, multiChannelBrokenRbm, multiChannelValidBody, type Refusal } from './multichannel-arbitraries.js';

/** What one property sends: the parts a surface lets vary; the rest comes from the surface's defaults. */
export interface Attempt {
  accountId?: string;
  /** The rest of the path after the surface's route (a media id), already encoded as it should go on the wire. */
  tail?: string;
  query?: string;
  body?: string | Buffer;
  contentType?: string;
  authorization?: string;
}

/** One endpoint of the emulated Bandwidth API. */
export interface Surface {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path for an account id (already encoded) and an optional tail. */
  path(accountId: string, tail?: string): string;
  /** How a well-formed request authenticates. */
  auth: 'basic' | 'client';
  /** The body kind it takes: JSON, raw bytes, a form, or none. */
  body: 'json' | 'bytes' | 'form' | 'none';
  /** A request body the endpoint accepts, for the mutate-one-field property. */
  validBody?: Record<string, unknown>;
  /** The default content type for its body. */
  contentType?: string;
  /** Query parameter names it knows (the property mixes them with junk). */
  queryKeys?: readonly string[];
  /** A valid tail when the route needs one (media id). */
  defaultTail?: string;
  /** After a 2xx: check that what the emulator accepted it also reports. */
  verifyAccepted?(app: FastifyInstance, res: LightMyRequestResponse, attempt: Attempt): Promise<void>;
  /** Its error body: Bandwidth's `{type, description}` (the default) or the multichannel envelope. */
  errors?: 'bandwidth' | 'multichannel';
  /** A 2xx stores exactly one message and anything else none (the books the property checks). */
  createsMessage?: boolean;
  /** Well-shaped but hostile bodies particular to this endpoint, for a property of their own. */
  shapedBody?: fc.Arbitrary<Record<string, unknown>>;
  /** Bodies of every shape it must accept with a 2xx (no valid request is refused). */
  acceptedBody?: fc.Arbitrary<Record<string, unknown>>;
  /** Bodies it must refuse with a 400 blaming one field, and examples that run first whatever the seed. */
  refusedBody?: { arbitrary: fc.Arbitrary<Refusal>; examples: readonly Refusal[] };
}

export const ACCOUNT = '9900000';
export const APPLICATION = '93de2206-9669-4e07-948d-329f4b722ee2';
export const BASIC = 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64');
const CLIENT_BASIC = 'Basic ' + Buffer.from('bw-client-id:bw-client-secret').toString('base64');

const SEARCH_KEYS = [
  'messageId',
  'sourceTn',
  'destinationTn',
  'messageStatus',
  'messageDirection',
  'messageType',
  'errorCode',
  'fromDateTime',
  'toDateTime',
  'sort',
  'pageToken',
  'limit',
  'limitTotalCount',
  'bwQueued',
  'fromSegmentCount',
  'toSegmentCount',
];

/** Every public endpoint of the emulated API. */
export const SURFACES: readonly Surface[] = [
  ...['', '/api/v2'].map(
    (prefix): Surface => ({
      name: `create message ${prefix || '(root)'}`,
      method: 'POST',
      path: (account) => `${prefix}/users/${account}/messages`,
      auth: 'basic',
      body: 'json',
      contentType: 'application/json',
      validBody: { applicationId: APPLICATION, to: ['+19195557001'], from: '+19195550100', text: 'property test' },
      createsMessage: true,
      async verifyAccepted(app, res, attempt) {
        const { id } = res.json() as { id: string };
        expect(typeof id).toBe('string');
        const search = await app.inject({
          method: 'GET',
          url: `/users/${attempt.accountId ?? ACCOUNT}/messages?messageId=${encodeURIComponent(id)}`,
          headers: { authorization: attempt.authorization ?? BASIC },
        });
        expect(search.statusCode).toBe(200);
        expect((search.json() as { messages: Array<{ messageId: string }> }).messages.map((m) => m.messageId)).toContain(id);
      },
    }),
  ),
  ...['', '/api/v2'].map(
    (prefix): Surface => ({
      name: `create multichannel message ${prefix || '(root)'}`,
      method: 'POST',
      path: (account) => `${prefix}/users/${account}/messages/multiChannel`,
      auth: 'basic',
      body: 'json',
      contentType: 'application/json',
      validBody: {
        to: '+19195557001',
        channelList: [
          {
            from: 'BandwidthRBM',
            applicationId: APPLICATION,
            channel: 'RBM',
            content: { text: 'property test', suggestions: [{ type: 'REPLY', text: 'Yes', postbackData: 'eWVz' }] },
          },
          { from: '+19195550100', applicationId: APPLICATION, channel: 'SMS', content: { text: 'property test' } },
        ],
        tag: 'property',
      },
      errors: 'multichannel',
      createsMessage: true,
      shapedBody: multiChannelBody,
      acceptedBody: multiChannelValidBody,
      refusedBody: { arbitrary: multiChannelBrokenRbm, examples: MULTICHANNEL_BROKEN_RBM_EXAMPLES },
      async verifyAccepted(app, res, attempt) {
        assertMatchesSpec('createMultiChannelMessageResponse', res.json());
        const { data } = res.json() as { data: { id: string; to: string[]; channelList: Array<{ from: string; owner: string }> } };
        expect(data.channelList.every((c) => c.owner === c.from)).toBe(true);
        const search = await app.inject({
          method: 'GET',
          url: `/users/${attempt.accountId ?? ACCOUNT}/messages?messageId=${encodeURIComponent(data.id)}`,
          headers: { authorization: attempt.authorization ?? BASIC },
        });
        expect(search.statusCode).toBe(200);
        expect((search.json() as { messages: Array<{ messageId: string; destinationTn: string }> }).messages).toEqual([
          expect.objectContaining({ messageId: data.id, destinationTn: data.to[0] }),
        ]);
      },
    }),
  ),
  { name: 'search messages', method: 'GET', path: (account) => `/users/${account}/messages`, auth: 'basic', body: 'none', queryKeys: SEARCH_KEYS },
  {
    name: 'upload media',
    method: 'PUT',
    path: (account, tail) => `/users/${account}/media/${tail}`,
    defaultTail: 'pic.png',
    auth: 'basic',
    body: 'bytes',
    contentType: 'image/png',
    async verifyAccepted(app, _res, attempt) {
      const got = await app.inject({
        method: 'GET',
        url: `/users/${attempt.accountId ?? ACCOUNT}/media/${attempt.tail ?? 'pic.png'}`,
        headers: { authorization: BASIC },
      });
      expect(got.statusCode).toBe(200);
      expect(got.rawPayload.equals(Buffer.isBuffer(attempt.body) ? attempt.body : Buffer.from(attempt.body ?? ''))).toBe(true);
    },
  },
  { name: 'download media', method: 'GET', path: (account, tail) => `/users/${account}/media/${tail}`, defaultTail: 'pic.png', auth: 'basic', body: 'none' },
  { name: 'delete media', method: 'DELETE', path: (account, tail) => `/users/${account}/media/${tail}`, defaultTail: 'pic.png', auth: 'basic', body: 'none' },
  { name: 'list media', method: 'GET', path: (account) => `/users/${account}/media`, auth: 'basic', body: 'none' },
  {
    name: 'oauth token',
    method: 'POST',
    path: () => '/api/v1/oauth2/token',
    auth: 'client',
    body: 'form',
    contentType: 'application/x-www-form-urlencoded',
    queryKeys: ['grant_type'],
  },
];

/** Send one attempt at a surface, filling what the attempt leaves out with well-formed defaults. */
export function send(app: FastifyInstance, surface: Surface, attempt: Attempt): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  const authorization = attempt.authorization ?? (surface.auth === 'basic' ? BASIC : CLIENT_BASIC);
  if (authorization !== '') headers.authorization = authorization;
  let payload: string | Buffer | undefined = attempt.body;
  if (payload === undefined && surface.validBody) payload = JSON.stringify(surface.validBody);
  if (payload === undefined && surface.body === 'form') payload = 'grant_type=client_credentials';
  const type = attempt.contentType ?? surface.contentType;
  if (payload !== undefined && type !== undefined && type !== '') headers['content-type'] = type;
  const url = surface.path(attempt.accountId ?? ACCOUNT, attempt.tail ?? surface.defaultTail) + (attempt.query ? `?${attempt.query}` : '');
  return app.inject({ method: surface.method, url, headers, ...(payload !== undefined && surface.method !== 'GET' ? { payload } : {}) });
}

/** The answer is never a 5xx; a 4xx is in the surface's error shape (`sent` is the JSON body sent, when it parsed). */
export function expectAnswer(surface: Surface, res: LightMyRequestResponse, what: string, sent?: unknown): void {
  if (surface.errors === 'multichannel') expectMultiChannelAnswer(res, what, sent);
  else expectBandwidthAnswer(res, what);
}

/**
 * The multichannel endpoint's answer is never a 5xx; a 4xx is its envelope `{links: [], data: null, errors}` (spec
 * `multiChannelError`), every error naming the field it blames in its description; and when the body sent was a
 * JSON object, every 400 blames a field.
 */
function expectMultiChannelAnswer(res: LightMyRequestResponse, what: string, sent?: unknown): void {
  const context = `${what} -> ${res.statusCode} ${res.body.slice(0, 500)}`;
  expect(res.statusCode, context).toBeLessThan(500);
  if (res.statusCode < 400) return;
  let body: { links?: unknown; data?: unknown; errors?: Array<{ type: string; description: string; source: { field?: string } }> };
  try {
    body = res.json();
  } catch {
    throw new Error(`not JSON: ${context}`);
  }
  // A path the router never gave to the endpoint (an account id that adds a segment, say) is not its answer.
  if (res.statusCode === 404 && (body as { error?: unknown }).error === 'Not Found') {
    expectBandwidthAnswer(res, what);
    return;
  }
  try {
    assertMatchesSpec('multiChannelError', body);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${context}`);
  }
  expect(body.links, context).toEqual([]);
  expect(body.data, context).toBeNull();
  expect(body.errors!.length, context).toBeGreaterThan(0);
  for (const error of body.errors!) {
    if (error.source.field !== undefined) expect(error.description, context).toContain(`'${error.source.field}'`);
  }
  // A `__proto__` or `constructor` key anywhere gets the whole body refused (prototype poisoning), naming no field.
  const parsedAsIs = !/"(?:__proto__|constructor)":/.test(JSON.stringify(sent) ?? '');
  const wasObject = typeof sent === 'object' && sent !== null && !Array.isArray(sent) && parsedAsIs;
  if (res.statusCode === 400 && wasObject) {
    expect(
      body.errors!.every((e) => e.type === 'request-validation' && typeof e.source.field === 'string'),
      context,
    ).toBe(true);
  }
}

/** The answer is never a 5xx; a 4xx carries Bandwidth's `{type, description[, fieldErrors]}` body. */
function expectBandwidthAnswer(res: LightMyRequestResponse, what: string): void {
  const context = `${what} -> ${res.statusCode} ${res.body.slice(0, 500)}`;
  expect(res.statusCode, context).toBeLessThan(500);
  if (res.statusCode < 400) return;
  let body: { type?: unknown; description?: unknown; fieldErrors?: unknown };
  try {
    body = res.json();
  } catch {
    throw new Error(`not JSON: ${context}`);
  }
  // An unknown path (a client resolved '..' in it, say) gets Bandwidth's Spring-style 404, also documented.
  if (res.statusCode === 404 && (body as { error?: unknown }).error === 'Not Found') {
    expect(typeof (body as { path?: unknown }).path, context).toBe('string');
    return;
  }
  expect(typeof body.type, context).toBe('string');
  expect(typeof body.description, context).toBe('string');
  if (body.fieldErrors !== undefined) {
    expect(Array.isArray(body.fieldErrors), context).toBe(true);
    for (const e of body.fieldErrors as Array<Record<string, unknown>>) {
      expect(typeof e.fieldName, context).toBe('string');
      expect(typeof e.description, context).toBe('string');
    }
  }
}
