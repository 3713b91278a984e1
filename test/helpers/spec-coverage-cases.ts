// How the spec coverage check produces each (operation, response code) and each callback type from a real listening
// emulator: raw HTTP through undici (so headers such as Accept are exactly what the case says), scenario API faults
// for 429/500, the control API for inbound and RBM events. A case the emulator cannot produce is listed as not
// applicable only with the reason the check prints; anything missing from these tables fails the check.
import { request } from 'undici';
import type { ConfigFile } from '../../src/config/schema.js';
import type { RunningEmulator } from '../../src/start.js';
import type { CallbackSink } from './sink.js';

const ACCT = '9922000';
const USER = 'cov-user';
const PASS = 'cov-password';
const VIEWER = 'cov-viewer';
const VIEWER_PASS = 'cov-viewer-password';
const APP = '0a1b2c3d-0000-4000-8000-0000000c0022';
const NUMBER = '+19195550220';
const HANDSET = '+19195558220';

/** The account the check runs against: a messaging user, a user without messaging, carrierName on callbacks. */
export function coverageConfig(sink: CallbackSink, callbackTypes?: string[]): ConfigFile {
  return {
    accounts: [
      {
        id: ACCT,
        users: [
          { username: USER, password: PASS },
          { username: VIEWER, password: VIEWER_PASS, messaging: false },
        ],
        features: { carrierNameOnCallbacks: true },
        applications: [{ id: APP, callbackUrl: sink.url, ...(callbackTypes ? { callbackTypes } : {}) } as never],
        numbers: [{ number: NUMBER, applicationId: APP }],
      },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '10ms', retryDelays: ['20ms'], timeout: '1s' },
  };
}

/** One HTTP answer as the check saw it. */
export interface Produced {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer is JSON, the raw bytes otherwise, undefined when empty. */
  body: unknown;
}

/** What a case may use: the running emulator and its sink. */
export interface CaseContext {
  running: RunningEmulator;
  sink: CallbackSink;
  /** Start another emulator (closed by the fixture) for a case that needs other settings. */
  start(config: ConfigFile): Promise<RunningEmulator>;
}

/** A case the check runs, or one it reports as not applicable with the reason. */
export type Case = { how: string; produce(ctx: CaseContext): Promise<Produced> } | { notApplicable: string };

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const AUTH = basic(USER, PASS);

/** Send one request to the emulator and read the whole answer (bounded by undici's timeouts). */
async function send(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Produced> {
  const res = await request(new URL(path, base), {
    method: method as 'GET',
    headers: { authorization: AUTH, ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
  let body: unknown = bytes.length === 0 ? undefined : bytes;
  if (bytes.length > 0 && /json/.test(headers['content-type'] ?? '')) body = JSON.parse(bytes.toString('utf8'));
  return { status: res.statusCode, headers, body };
}

const json = (value: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
const sms = () => json({ applicationId: APP, to: [HANDSET], from: NUMBER, text: 'coverage' });
const multichannel = () => json({ to: HANDSET, channelList: [{ channel: 'SMS', from: NUMBER, applicationId: APP, content: { text: 'coverage' } }] });

/** The statuses the check asks of a scenario apiFault: what an operation answers only when Bandwidth says so. */
type FaultStatus = 404 | 415 | 429 | 500;

/** A scenario API fault answered once by the next request of that operation. */
async function fault(running: RunningEmulator, status: FaultStatus, operation: 'create' | 'search' | 'media'): Promise<void> {
  await running.scenarios.use({
    version: 1,
    name: `fault-${operation}-${status}`,
    rules: [{ apiFault: { status, times: 1, operation, ...(status === 429 ? { retryAfter: 3 } : {}) } }],
  });
}

const MESSAGES = `/users/${ACCT}/messages`;
const MULTI = `${MESSAGES}/multiChannel`;
const MEDIA = `/users/${ACCT}/media`;

// Requests that answer with the account-level statuses on any operation.
function common(method: string, path: string, body: () => { headers?: Record<string, string>; body?: string } = () => ({})): Record<string, Case> {
  return {
    '401': {
      how: 'wrong password',
      produce: ({ running }) => send(running.url, method, path, { ...body(), headers: { ...body().headers, authorization: basic(USER, 'wrong') } }),
    },
    '403': {
      how: 'a user without messaging access',
      produce: ({ running }) => send(running.url, method, path, { ...body(), headers: { ...body().headers, authorization: basic(VIEWER, VIEWER_PASS) } }),
    },
    '406': {
      how: 'Accept: application/xml',
      produce: ({ running }) => send(running.url, method, path, { ...body(), headers: { ...body().headers, accept: 'application/xml' } }),
    },
  };
}

function faulted(
  status: FaultStatus,
  operation: 'create' | 'search' | 'media',
  method: string,
  path: string,
  body: () => { headers?: Record<string, string>; body?: string } = () => ({}),
): Case {
  return {
    how: `scenario apiFault ${status} on ${operation}`,
    async produce({ running }) {
      await fault(running, status, operation);
      return send(running.url, method, path, body());
    },
  };
}

/** Every (operation, code) the check knows how to produce, by operationId. */
export const OPERATION_CASES: Record<string, Record<string, Case>> = {
  listMessages: {
    '200': { how: 'search by messageId', produce: ({ running }) => send(running.url, 'GET', `${MESSAGES}?messageId=none`) },
    '400': { how: 'search with no filter', produce: ({ running }) => send(running.url, 'GET', MESSAGES) },
    ...common('GET', `${MESSAGES}?messageId=none`),
    '404': faulted(404, 'search', 'GET', `${MESSAGES}?messageId=none`),
    '405': { how: 'PUT on the messages path', produce: ({ running }) => send(running.url, 'PUT', MESSAGES, sms()) },
    '415': faulted(415, 'search', 'GET', `${MESSAGES}?messageId=none`),
    '429': faulted(429, 'search', 'GET', `${MESSAGES}?messageId=none`),
    '500': faulted(500, 'search', 'GET', `${MESSAGES}?messageId=none`),
  },
  createMessage: {
    '202': { how: 'an SMS', produce: ({ running }) => send(running.url, 'POST', MESSAGES, sms()) },
    '400': {
      how: "a 'to' that is not E.164",
      produce: ({ running }) => send(running.url, 'POST', MESSAGES, json({ applicationId: APP, to: ['+1invalid'], from: NUMBER, text: 'x' })),
    },
    ...common('POST', MESSAGES, sms),
    '404': faulted(404, 'create', 'POST', MESSAGES, sms),
    '405': { how: 'PATCH on the messages path', produce: ({ running }) => send(running.url, 'PATCH', MESSAGES, sms()) },
    '415': {
      how: 'Content-Type: text/plain',
      produce: ({ running }) => send(running.url, 'POST', MESSAGES, { headers: { 'content-type': 'text/plain' }, body: 'hello' }),
    },
    '429': faulted(429, 'create', 'POST', MESSAGES, sms),
    '500': faulted(500, 'create', 'POST', MESSAGES, sms),
  },
  createMultiChannelMessage: {
    '202': { how: 'one SMS channel', produce: ({ running }) => send(running.url, 'POST', MULTI, multichannel()) },
    '400': { how: 'an empty channelList', produce: ({ running }) => send(running.url, 'POST', MULTI, json({ to: HANDSET, channelList: [] })) },
    ...common('POST', MULTI, multichannel),
    '404': { how: 'a path below multiChannel', produce: ({ running }) => send(running.url, 'POST', `${MULTI}/extra`, multichannel()) },
    '405': { how: 'GET on multiChannel', produce: ({ running }) => send(running.url, 'GET', MULTI) },
    '415': {
      how: 'Content-Type: application/xml',
      produce: ({ running }) => send(running.url, 'POST', MULTI, { headers: { 'content-type': 'application/xml' }, body: '<x/>' }),
    },
    '429': faulted(429, 'create', 'POST', MULTI, multichannel),
    '500': faulted(500, 'create', 'POST', MULTI, multichannel),
  },
  listMedia: {
    '200': { how: 'list', produce: ({ running }) => send(running.url, 'GET', MEDIA) },
    '400': {
      how: 'a Continuation-Token it never issued',
      produce: ({ running }) => send(running.url, 'GET', MEDIA, { headers: { 'continuation-token': '!!' } }),
    },
    ...common('GET', MEDIA),
    '404': faulted(404, 'media', 'GET', MEDIA),
    '415': faulted(415, 'media', 'GET', MEDIA),
    '429': faulted(429, 'media', 'GET', MEDIA),
    '500': faulted(500, 'media', 'GET', MEDIA),
  },
  getMedia: {
    '200': {
      how: 'download an uploaded file',
      async produce({ running }) {
        await send(running.url, 'PUT', `${MEDIA}/cov.txt`, { headers: { 'content-type': 'text/plain' }, body: 'coverage' });
        return send(running.url, 'GET', `${MEDIA}/cov.txt`);
      },
    },
    '400': { how: 'an empty media id', produce: ({ running }) => send(running.url, 'GET', `${MEDIA}/`) },
    ...common('GET', `${MEDIA}/cov.txt`),
    '404': { how: 'a media id never uploaded', produce: ({ running }) => send(running.url, 'GET', `${MEDIA}/missing.png`) },
    '415': faulted(415, 'media', 'GET', `${MEDIA}/cov.txt`),
    '429': faulted(429, 'media', 'GET', `${MEDIA}/cov.txt`),
    '500': faulted(500, 'media', 'GET', `${MEDIA}/cov.txt`),
  },
  uploadMedia: {
    '204': {
      how: 'upload',
      produce: ({ running }) => send(running.url, 'PUT', `${MEDIA}/up.txt`, { headers: { 'content-type': 'text/plain' }, body: 'coverage' }),
    },
    '400': {
      how: 'an empty media id',
      produce: ({ running }) => send(running.url, 'PUT', `${MEDIA}/`, { headers: { 'content-type': 'text/plain' }, body: 'x' }),
    },
    ...common('PUT', `${MEDIA}/up.txt`, () => ({ headers: { 'content-type': 'text/plain' }, body: 'coverage' })),
    '404': faulted(404, 'media', 'PUT', `${MEDIA}/up.txt`, () => ({ headers: { 'content-type': 'text/plain' }, body: 'x' })),
    '415': faulted(415, 'media', 'PUT', `${MEDIA}/up.txt`, () => ({ headers: { 'content-type': 'text/plain' }, body: 'x' })),
    '429': faulted(429, 'media', 'PUT', `${MEDIA}/up.txt`, () => ({ headers: { 'content-type': 'text/plain' }, body: 'x' })),
    '500': faulted(500, 'media', 'PUT', `${MEDIA}/up.txt`, () => ({ headers: { 'content-type': 'text/plain' }, body: 'x' })),
  },
  deleteMedia: {
    '204': {
      how: 'delete an uploaded file',
      async produce({ running }) {
        await send(running.url, 'PUT', `${MEDIA}/del.txt`, { headers: { 'content-type': 'text/plain' }, body: 'x' });
        return send(running.url, 'DELETE', `${MEDIA}/del.txt`);
      },
    },
    '400': { how: 'an empty media id', produce: ({ running }) => send(running.url, 'DELETE', `${MEDIA}/`) },
    ...common('DELETE', `${MEDIA}/cov.txt`),
    '404': { how: 'a media id never uploaded', produce: ({ running }) => send(running.url, 'DELETE', `${MEDIA}/missing.png`) },
    '415': faulted(415, 'media', 'DELETE', `${MEDIA}/cov.txt`),
    '429': faulted(429, 'media', 'DELETE', `${MEDIA}/cov.txt`),
    '500': faulted(500, 'media', 'DELETE', `${MEDIA}/cov.txt`),
  },
};

/** A callback the check produces: the events that reached the sink for it. */
export type CallbackCase = { how: string; produce(ctx: CaseContext): Promise<unknown[]> } | { notApplicable: string };

// Every event of every body the sink received so far.
const eventsAt = (sink: CallbackSink) => sink.requests.flatMap((r) => (Array.isArray(r.body) ? (r.body as Array<{ type?: string }>) : []));

/** Wait until the sink has received an event of `type`, and return every such event. */
async function received(sink: CallbackSink, type: string): Promise<unknown[]> {
  await sink.waitFor((requests) => requests.some((r) => Array.isArray(r.body) && (r.body as Array<{ type?: string }>).some((e) => e.type === type)));
  return eventsAt(sink).filter((e) => e.type === type);
}

const rbm = () =>
  json({
    to: HANDSET,
    tag: 'rbm',
    priority: 'high',
    channelList: [
      {
        channel: 'RBM',
        from: 'BandwidthRBM',
        applicationId: APP,
        content: { text: 'coverage', suggestions: [{ type: 'REPLY', text: 'Yes', postbackData: 'eWVz' }] },
      },
    ],
  });
const mms = () =>
  json({ applicationId: APP, to: [HANDSET, '+19195558221'], from: NUMBER, text: 'pic', media: ['https://example.com/a.png'], tag: 'mms', priority: 'high' });

/** Every callback type the check knows how to produce. */
export const CALLBACK_CASES: Record<string, CallbackCase> = {
  'message-sending': {
    how: 'a group MMS',
    async produce({ running, sink }) {
      await send(running.url, 'POST', MESSAGES, mms());
      return received(sink, 'message-sending');
    },
  },
  'message-sent': {
    how: "an SMS from an application whose callbackTypes include 'message-sent'",
    async produce({ start, sink }) {
      const other = await start(coverageConfig(sink, ['message-sent', 'message-delivered', 'message-failed']));
      await send(other.url, 'POST', MESSAGES, sms());
      return received(sink, 'message-sent');
    },
  },
  'message-delivered': {
    how: 'an SMS',
    async produce({ running, sink }) {
      await send(running.url, 'POST', MESSAGES, sms());
      return received(sink, 'message-delivered');
    },
  },
  'message-failed': {
    how: 'an SMS to the magic number +15551004720',
    async produce({ running, sink }) {
      await send(running.url, 'POST', MESSAGES, json({ applicationId: APP, to: ['+15551004720'], from: NUMBER, text: 'x' }));
      return received(sink, 'message-failed');
    },
  },
  'message-read': {
    how: 'a multichannel RBM message',
    async produce({ running, sink }) {
      await send(running.url, 'POST', MULTI, rbm());
      return received(sink, 'message-read');
    },
  },
  'message-received': {
    how: 'POST /__emulator/inbound with text and media, then RBM text and RBM media',
    async produce({ running, sink }) {
      await running.inbound({ from: HANDSET, to: [NUMBER], text: 'hello', media: ['https://example.com/in.png'] });
      await running.inbound({ from: HANDSET, to: [NUMBER], text: 'hello rbm', channel: 'RBM' });
      await running.inbound({ from: HANDSET, to: [NUMBER], media: ['https://example.com/in.mp4'], channel: 'RBM' });
      await sink.waitFor(
        (requests) =>
          requests.filter((r) => Array.isArray(r.body) && (r.body as Array<{ type?: string }>).some((e) => e.type === 'message-received')).length >= 3,
      );
      return eventsAt(sink).filter((e) => e.type === 'message-received');
    },
  },
  'suggestion-response': {
    how: 'POST /__emulator/inbound with suggestionResponse',
    async produce({ running, sink }) {
      await running.inbound({ from: HANDSET, to: [NUMBER], suggestionResponse: { text: 'Yes', postbackData: 'eWVz' } });
      return received(sink, 'suggestion-response');
    },
  },
  'requested-location-response': {
    how: 'POST /__emulator/inbound with locationResponse',
    async produce({ running, sink }) {
      await running.inbound({ from: HANDSET, to: [NUMBER], locationResponse: { latitude: '37.7749', longitude: '-122.4194' } });
      return received(sink, 'requested-location-response');
    },
  },
};

// Why an inbound message carries neither: both are set by an API client on an outbound message, and the spec's
// message-received examples (smsMessageReceivedCallbackExample, mmsMessageReceivedCallbackExample) show neither.
const SENDER_SET = "set by an API client on an outbound message; the spec's message-received examples carry none";

/** Callback fields (envelope name → field path) no produced body is expected to carry, with the reason. */
export const FIELDS_NOT_APPLICABLE: Record<string, Record<string, string>> = {
  inboundCallback: { 'message.tag': SENDER_SET, 'message.priority': SENDER_SET },
};
