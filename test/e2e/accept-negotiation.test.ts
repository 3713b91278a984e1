// Content negotiation (README "Content negotiation"): every messaging operation answers 406 in Bandwidth's shape when
// the Accept header takes none of the types it answers with, at the root, under /api/v2 and under Bandwidth's
// hostname in proxy mode; the Accept headers the official SDKs send keep working; a long or hostile Accept stays fast.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import legacy from '@bandwidth/messaging';
import { Configuration, MediaApi, MessagesApi, MultiChannelApi, type MessageRequest, type MultiChannelMessageRequest } from 'bandwidth-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { negotiate } from '../../src/api/accept.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { rawRequest } from '../helpers/raw-http.js';
import { assertMatchesSpec } from '../helpers/spec.js';

const { defer, start } = useEmulators();
let running: RunningEmulator;
let acct: string;
let auth: string;

// The spec's own answer to "what body does a 406 carry", per operation: the schema its 406 response refers to.
type Spec = {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, { $ref?: string }> }>>;
  components: { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> };
};
const spec = parse(await readFile(createRequire(import.meta.url).resolve('bandwidth-sdk/bandwidth.yml'), 'utf8')) as Spec;
function schemaOf406(operationId: string): string | undefined {
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      if (op.operationId !== operationId) continue;
      const ref = op.responses['406']?.$ref;
      if (ref === undefined) return undefined;
      const response = spec.components.responses[ref.split('/').pop()!]!;
      return response.content?.['application/json']?.schema.$ref.split('/').pop();
    }
  }
  throw new Error(`no operation ${operationId} in the spec`);
}

/** One messaging operation as a raw request: method, path below the prefix, and a body when it takes one. */
interface Operation {
  id: string;
  method: string;
  path: () => string;
  body?: () => { type: string; data: string };
}
const messageBody = () => ({
  type: 'application/json',
  data: JSON.stringify({ applicationId: running.account.applicationId, to: ['+19195557001'], from: running.account.numbers[0], text: 'negotiated' }),
});
const OPERATIONS: Operation[] = [
  { id: 'createMessage', method: 'POST', path: () => `/users/${acct}/messages`, body: messageBody },
  { id: 'listMessages', method: 'GET', path: () => `/users/${acct}/messages?messageId=none` },
  {
    id: 'createMultiChannelMessage',
    method: 'POST',
    path: () => `/users/${acct}/messages/multiChannel`,
    body: () => ({ type: 'application/json', data: JSON.stringify(smsOnly()) }),
  },
  { id: 'listMedia', method: 'GET', path: () => `/users/${acct}/media` },
  { id: 'getMedia', method: 'GET', path: () => `/users/${acct}/media/logo.png` },
  { id: 'uploadMedia', method: 'PUT', path: () => `/users/${acct}/media/upload.txt`, body: () => ({ type: 'text/plain', data: 'bytes' }) },
  { id: 'deleteMedia', method: 'DELETE', path: () => `/users/${acct}/media/logo.png` },
];
const smsOnly = (): MultiChannelMessageRequest =>
  ({
    to: '+19195557002',
    channelList: [{ from: running.account.numbers[0], applicationId: running.account.applicationId, channel: 'SMS', content: { text: 'negotiated' } }],
  }) as unknown as MultiChannelMessageRequest;

async function call(op: Operation, prefix: string, accept: string | undefined, extra: Record<string, string> = {}) {
  const body = op.body?.();
  const headers: Record<string, string> = { authorization: auth, ...(body ? { 'content-type': body.type } : {}), ...extra };
  if (accept !== undefined) headers.accept = accept;
  const res = await fetch(`${running.url}${prefix}${op.path()}`, { method: op.method, headers, body: body?.data });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

/** A 406 in the operation's shape, checked against the schema the spec's 406 response names (none for multichannel). */
function expectNotAcceptable(op: Operation, answer: { status: number; contentType: string; json: unknown }): void {
  expect(answer.status, `${op.id} status`).toBe(406);
  expect(answer.contentType).toMatch(/^application\/json/);
  if (op.id === 'createMultiChannelMessage') {
    // multiChannelNotAcceptableError declares no content: the envelope every other multichannel error has.
    expect(schemaOf406(op.id)).toBeUndefined();
    assertMatchesSpec('multiChannelError', answer.json);
    expect(answer.json).toMatchObject({ links: [], data: null, errors: [{ type: 'not-acceptable', source: { header: 'Accept' } }] });
  } else {
    // listMessages declares no 406 at all: it answers in the messagingRequestError every other messaging error uses.
    if (op.id === 'listMessages') expect(schemaOf406(op.id)).toBeUndefined();
    assertMatchesSpec(schemaOf406(op.id) ?? 'messagingRequestError', answer.json);
    expect(answer.json).toMatchObject({ type: 'not-acceptable' });
    expect((answer.json as { description: string }).description).toContain("Accept header 'application/xml'");
  }
}

const upload = () =>
  fetch(`${running.url}/users/${acct}/media/logo.png`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'image/png' }, body: 'png-bytes' });

beforeAll(async () => {
  const caDir = await mkdtemp(join(tmpdir(), 'bwe-accept-ca-'));
  defer(() => rm(caDir, { recursive: true, force: true }));
  running = await start({ caDir });
  acct = running.account.id;
  auth = `Basic ${Buffer.from(`${running.account.username}:${running.account.password}`).toString('base64')}`;
});

describe('406 Not Acceptable', () => {
  it('must show: Accept: application/xml on a create answers 406 in Bandwidth shape, valid against the spec', async () => {
    const op = OPERATIONS[0]!;
    expect(schemaOf406('createMessage')).toBe('messagingRequestError');
    const answer = await call(op, '', 'application/xml');
    expectNotAcceptable(op, answer);
    expect(answer.json).toEqual({
      type: 'not-acceptable',
      description:
        "Could not find acceptable representation: the Accept header 'application/xml' accepts none of application/json; charset=utf-8; accept one of them, or */*",
    });
    expect([...running.emulator.messages.list(acct)].length).toBe(0);
  });

  for (const prefix of ['', '/api/v2']) {
    it.each(OPERATIONS.map((op) => [op.id, op] as const))(`%s under '${prefix}/' answers 406 for Accept: application/xml`, async (_id, op) => {
      await upload();
      expectNotAcceptable(op, await call(op, prefix, 'application/xml'));
    });
  }

  it("answers 406 under Bandwidth's hostname in proxy mode (absolute-form)", async () => {
    await upload();
    for (const op of OPERATIONS) {
      const body = op.body?.();
      const answer = await rawRequest(
        running.url,
        op.method,
        `https://messaging.bandwidth.com/api/v2${op.path()}`,
        { host: 'messaging.bandwidth.com', authorization: auth, accept: 'application/xml', ...(body ? { 'content-type': body.type } : {}) },
        body?.data ?? '',
      );
      expectNotAcceptable(op, { status: answer.status, contentType: answer.headers['content-type'] ?? '', json: JSON.parse(answer.body) });
    }
  });

  it('accepts a missing Accept, */*, application/*, application/json, q-values and the SDKs defaults', async () => {
    const create = OPERATIONS[0]!;
    for (const accept of [
      undefined,
      '',
      '*/*',
      'application/*',
      'application/json',
      'Application/JSON',
      'application/json; charset=utf-8',
      'application/json, text/plain, */*',
      'application/xml;q=1, application/json;q=0.1',
      'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    ]) {
      expect((await call(create, '', accept)).status, `Accept: ${accept}`).toBe(202);
    }
    for (const accept of ['text/html', 'application/json;q=0', 'application/json;q=0, */*', 'application/json; charset=iso-8859-1', 'garbage', 'text/*']) {
      expectNotAcceptable(create, { ...(await call(create, '', accept)), json: { type: 'not-acceptable', description: "Accept header 'application/xml'" } });
    }
  });

  it('orders 406 after auth and the 415, before body validation', async () => {
    const create = OPERATIONS[0]!;
    expect((await call(create, '', 'application/xml', { authorization: 'Basic bm86bm8=' })).status).toBe(401);
    expect((await call(create, '', 'application/xml', { 'content-type': 'application/xml' })).status).toBe(415);
    const invalid = await fetch(`${running.url}/users/${acct}/messages`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/xml' },
      body: '{"to": 5}',
    });
    expect(invalid.status).toBe(406);
  });

  it('comes before the search rate limit (a 406 is not counted) and before scenario API faults', async () => {
    const caDir = await mkdtemp(join(tmpdir(), 'bwe-accept-order-ca-'));
    defer(() => rm(caDir, { recursive: true, force: true }));
    const limited = await start({ caDir, traffic: { profile: 'production', searchRate: { requests: 1, window: '1h' } } });
    await limited.scenarios.use({ version: 1, name: 'faults', rules: [{ apiFault: { status: 500, operation: ['create', 'media'] } }] });
    const basic = `Basic ${Buffer.from(`${limited.account.username}:${limited.account.password}`).toString('base64')}`;
    const send = (path: string, init: RequestInit) => fetch(`${limited.url}/users/${limited.account.id}${path}`, init).then((res) => res.status);
    const xml = { authorization: basic, accept: 'application/xml' };
    for (let i = 0; i < 3; i++) expect(await send('/messages?messageId=x', { headers: xml })).toBe(406);
    // The one search of the window is still there, then the limit answers.
    expect(await send('/messages?messageId=x', { headers: { authorization: basic } })).toBe(200);
    expect(await send('/messages?messageId=x', { headers: { authorization: basic } })).toBe(429);
    const body = messageBody().data;
    expect(await send('/messages', { method: 'POST', headers: { ...xml, 'content-type': 'application/json' }, body })).toBe(406);
    expect(await send('/messages', { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body })).toBe(500);
    expect(await send('/media', { headers: xml })).toBe(406);
    expect(await send('/media', { headers: { authorization: basic } })).toBe(500);
  });

  it('getMedia negotiates against the stored type and the spec octet-stream', async () => {
    await upload();
    const get = OPERATIONS.find((op) => op.id === 'getMedia')!;
    for (const [accept, served] of [
      [undefined, 'image/png'],
      ['image/png', 'image/png'],
      ['image/*', 'image/png'],
      ['application/json, text/plain, */*', 'image/png'],
      ['application/octet-stream', 'application/octet-stream'],
    ] as const) {
      const answer = await call(get, '', accept);
      expect(answer.status, `Accept: ${accept}`).toBe(200);
      expect(answer.contentType).toBe(served);
      expect(answer.json).toBe('png-bytes');
    }
    const refused = await call(get, '', 'image/jpeg');
    expect(refused.status).toBe(406);
    assertMatchesSpec('messagingRequestError', refused.json);
    expect((refused.json as { description: string }).description).toContain('image/png, application/octet-stream');
    // A missing object is a 404 whatever the Accept: there is nothing to negotiate.
    expect((await call({ ...get, path: () => `/users/${acct}/media/none.png` }, '', 'image/jpeg')).status).toBe(404);
  });

  it('204 operations (uploadMedia, deleteMedia) take JSON (their errors) and text/plain (the SDK own media test)', async () => {
    const put = OPERATIONS.find((op) => op.id === 'uploadMedia')!;
    expect((await call(put, '', 'text/html')).status).toBe(406);
    expect((await call(put, '', 'text/plain')).status).toBe(204);
    expect((await call(put, '', 'application/json')).status).toBe(204);
    expect((await call(put, '', undefined)).status).toBe(204);
  });
});

describe('the official SDKs keep working', () => {
  it('bandwidth-sdk: every messaging operation (axios sends application/json, text/plain, */*)', async () => {
    const config = new Configuration(running.sdkConfig);
    const messages = new MessagesApi(config);
    const request = { applicationId: running.account.applicationId, to: new Set(['+19195557003']), from: running.account.numbers[0], text: 'sdk' };
    const created = await messages.createMessage(acct, request as unknown as MessageRequest);
    expect(created.status).toBe(202);
    expect(created.config.headers.Accept).toBe('application/json, text/plain, */*');
    expect((await messages.listMessages(acct, created.data.id)).status).toBe(200);
    expect((await new MultiChannelApi(config).createMultiChannelMessage(acct, smsOnly())).status).toBe(202);
    const media = new MediaApi(config);
    expect((await media.uploadMedia(acct, 'sdk.txt', 'sdk bytes' as unknown as File, 'text/plain')).status).toBe(204);
    expect((await media.listMedia(acct)).status).toBe(200);
    const got = await media.getMedia(acct, 'sdk.txt', { responseType: 'arraybuffer' });
    expect(got.status).toBe(200);
    expect(Buffer.from(got.data as unknown as ArrayBuffer).toString()).toBe('sdk bytes');
    expect((await media.deleteMedia(acct, 'sdk.txt')).status).toBe(204);
  });

  it('@bandwidth/messaging: every operation it has (callAsJson sends Accept: application/json)', async () => {
    const { ApiController, Client, Environment } = legacy;
    const api = new ApiController(
      new Client({
        environment: Environment.Custom,
        baseUrl: running.url,
        basicAuthUserName: running.account.username,
        basicAuthPassword: running.account.password,
      }),
    );
    const sent = await api.createMessage(acct, {
      applicationId: running.account.applicationId,
      to: ['+19195557004'],
      from: running.account.numbers[0]!,
      text: 'legacy',
    });
    expect(sent.statusCode).toBe(202);
    expect((await api.getMessages(acct, sent.result.id)).statusCode).toBe(200);
    expect((await api.uploadMedia(acct, 'legacy.txt', new legacy.FileWrapper(Buffer.from('legacy bytes') as never), 'text/plain')).statusCode).toBe(204);
    expect((await api.listMedia(acct)).statusCode).toBe(200);
    expect((await api.getMedia(acct, 'legacy.txt')).statusCode).toBe(200);
    expect((await api.deleteMedia(acct, 'legacy.txt')).statusCode).toBe(204);
  });
});

describe('bounds', () => {
  const create = () => OPERATIONS[0]!;
  it('a long Accept just under the 16 KB header limit, thousands of ranges, is answered fast', async () => {
    const ranges = Array.from({ length: 1200 }, (_, i) => `x/y${i};q=0.${(i % 9) + 1}`).join(',');
    const accept = `${ranges},application/json;q=0.01`;
    expect(accept.length).toBeGreaterThan(15_000);
    expect(accept.length).toBeLessThan(16_000);
    const started = performance.now();
    expect((await call(create(), '', accept)).status).toBe(202);
    const refused = await call(create(), '', ranges);
    expect(refused.status).toBe(406);
    // The error quotes at most 100 characters of it.
    expect((refused.json as { description: string }).description.length).toBeLessThan(300);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('hostile Accepts (thousands of empty ranges, parameters, unbalanced quotes) cost milliseconds', () => {
    const hostile = [',', ';a=1'.repeat(4000), 'a/b;p="'.repeat(2000), '*/*;q=0,'.repeat(2000), `${'a/'.repeat(8000)}`];
    for (const accept of hostile) {
      const started = performance.now();
      negotiate(accept.slice(0, 16_000), ['application/json; charset=utf-8']);
      expect(performance.now() - started, accept.slice(0, 20)).toBeLessThan(50);
    }
  });

  it('an Accept over the 16 KB header limit is refused by the HTTP parser with 431', async () => {
    expect((await call(create(), '', `application/json,${'x/y,'.repeat(5000)}`)).status).toBe(431);
  });
});
