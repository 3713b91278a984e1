import { Configuration, MessagesApi, PriorityEnum, type Message, type MessageRequest, type MessagesList } from 'bandwidth-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { assertMatchesSpec } from '../helpers/spec.js';

// The Messaging v2 API surface, driven through Bandwidth's own Node SDK (bandwidth-sdk@8) against a listening
// emulator. Expected values come from the official spec (bandwidth-sdk's bandwidth.yml) and Bandwidth's public docs
// (error bodies: https://dev.bandwidth.com/docs/messaging/errors; segments: the article cited in test/unit/segments.test.ts);
// every JSON body received is validated against the spec's schema for that status.

interface HttpAnswer {
  status: number;
  data: unknown;
  headers: Record<string, unknown>;
}

/** Await an SDK call that must fail with an HTTP status; return the response (status, parsed body, headers). */
async function httpError(call: Promise<unknown>): Promise<HttpAnswer> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    const response = (error as { response?: HttpAnswer }).response;
    if (response) return response;
    throw error;
  }
  throw new Error(`expected an HTTP error, got ${(result as { status?: number }).status ?? '?'}: ${JSON.stringify((result as { data?: unknown }).data)}`);
}

/** A raw HTTP call (for bodies the SDK cannot send); parses JSON answers. */
async function raw(url: string, init: RequestInit = {}): Promise<{ status: number; contentType: string; body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  return { status: res.status, contentType, body: contentType.includes('json') && text ? (JSON.parse(text) as unknown) : text };
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

interface ListFilters {
  messageId?: string;
  sourceTn?: string;
  destinationTn?: string;
  sort?: string;
  pageToken?: string;
  limit?: number;
}

/** listMessages takes 28 positional parameters; name the few these tests use. */
function list(api: MessagesApi, accountId: string, f: ListFilters) {
  return api.listMessages(
    accountId, f.messageId, f.sourceTn, f.destinationTn,
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    f.sort, f.pageToken, f.limit,
  );
}

/** A 200 list answer: spec-valid, `carrierName` key on every row, and pageInfo members omitted rather than null. */
function checkList(data: MessagesList): MessagesList {
  assertMatchesSpec('messagesList', data);
  expect(data.pageInfo).toBeDefined();
  for (const [key, value] of Object.entries(data.pageInfo ?? {})) {
    expect(value, `pageInfo.${key}`).not.toBeNull();
    expect(typeof value, `pageInfo.${key}`).toBe('string');
  }
  for (const row of data.messages ?? []) expect(Object.keys(row)).toContain('carrierName');
  return data;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MESSAGE_ID = /^\d{13}[0-9a-z]{16}$/;

describe('Messaging v2 through bandwidth-sdk (default config)', () => {
  let running: RunningEmulator;
  let api: MessagesApi;
  let acct: string;
  let appId: string;
  let from: string;

  const request = (over: Partial<Record<keyof MessageRequest, unknown>> = {}): MessageRequest =>
    ({ applicationId: appId, to: new Set(['+19195553434']), from, text: 'hello from the SDK test', ...over }) as MessageRequest;

  beforeAll(async () => {
    running = await startEmulator();
    acct = running.account.id;
    appId = running.account.applicationId;
    from = running.account.numbers[0]!;
    api = new MessagesApi(new Configuration({ basePath: running.url, username: running.account.username, password: running.account.password }));
  });
  afterAll(async () => {
    await running?.close();
  });

  describe('createMessage', () => {
    it('answers 202 with every field of the spec\'s message, computed or echoed', async () => {
      const expiration = new Date(Date.now() + 3_600_000).toISOString();
      const text = 'x'.repeat(161); // 161 GSM-7 characters: two segments (160 fit in one, 153 per concatenated part)
      const media = ['https://example.com/cat.png'];
      const before = Date.now();
      const { status, data, headers } = await api.createMessage(acct, request({ to: new Set(['+19195553434']), text, tag: 'order-77', media, expiration }));
      const after = Date.now();
      expect(status).toBe(202);
      expect(String(headers['content-type'])).toMatch(/^application\/json/);
      assertMatchesSpec('message', data);
      expect(data.id).toHaveLength(29);
      expect(data.id).toMatch(MESSAGE_ID);
      expect(data.owner).toBe(from);
      expect(data.applicationId).toBe(appId);
      expect(data.time).toMatch(ISO_MS);
      const time = Date.parse(data.time!);
      expect(time).toBeGreaterThanOrEqual(before);
      expect(time).toBeLessThanOrEqual(after);
      // The id starts with the acceptance time in epoch milliseconds.
      expect(Math.abs(Number(data.id!.slice(0, 13)) - time)).toBeLessThan(1000);
      expect(data.direction).toBe('out');
      expect(data.to).toEqual(['+19195553434']);
      expect(data.from).toBe(from);
      expect(data.text).toBe(text);
      expect(data.tag).toBe('order-77');
      expect(data.priority).toBe('default');
      expect(data.media).toEqual(media);
      expect(data.expiration).toBe(expiration);
      // Media makes it an MMS: one segment whatever the text length.
      expect(data.segmentCount).toBe(1);
    });

    it('counts SMS segments and omits media/tag/expiration when not sent', async () => {
      const { status, data } = await api.createMessage(acct, request({ text: 'y'.repeat(161) }));
      expect(status).toBe(202);
      assertMatchesSpec('message', data);
      expect(data.segmentCount).toBe(2);
      expect(data).not.toHaveProperty('media');
      expect(data).not.toHaveProperty('tag');
      expect(data).not.toHaveProperty('expiration');
      expect(data.priority).toBe('default');
    });

    it('echoes priority high and gives each message its own id', async () => {
      const a = await api.createMessage(acct, request({ priority: PriorityEnum.High }));
      const b = await api.createMessage(acct, request());
      assertMatchesSpec('message', a.data);
      assertMatchesSpec('message', b.data);
      expect(a.data.priority).toBe('high');
      expect(a.data.id).not.toBe(b.data.id);
    });

    it('works the same under /api/v2 (basePath + /api/v2)', async () => {
      const v2 = new MessagesApi(new Configuration({ basePath: `${running.url}/api/v2`, username: running.account.username, password: running.account.password }));
      const { status, data } = await v2.createMessage(acct, request({ tag: 'via-api-v2' }));
      expect(status).toBe(202);
      assertMatchesSpec('message', data);
      expect(data.tag).toBe('via-api-v2');
      const found = await list(v2, acct, { messageId: data.id });
      checkList(found.data);
      expect(found.data.messages?.map((m) => m.messageId)).toEqual([data.id]);
    });

    it('rejects a non-E.164 `to` with Bandwidth\'s live-confirmed fieldErrors wording', async () => {
      const { status, data } = await httpError(api.createMessage(acct, request({ to: new Set(['+1invalid']) })));
      expect(status).toBe(400);
      assertMatchesSpec('createMessageRequestError', data);
      const body = data as { type: string; fieldErrors?: Array<{ fieldName: string; description: string }> };
      expect(body.type).toBe('request-validation');
      const error = body.fieldErrors?.find((e) => e.fieldName === 'to[0]');
      expect(error, JSON.stringify(body)).toBeDefined();
      expect(error!.description).toContain("'+1invalid' must be replaced with a valid E164 formatted telephone number");
    });

    const elevenNumbers = Array.from({ length: 11 }, (_, i) => `+1919555${String(1000 + i)}`);
    const syncRules: Array<[string, Partial<Record<keyof MessageRequest, unknown>> | ((r: Record<string, unknown>) => void), string[]]> = [
      ['11 recipients', { to: elevenNumbers }, ['to']],
      ['a duplicate recipient', { to: ['+19195553434', '+19195553434'] }, ['to']],
      ['text of 2049 characters', { text: 'a'.repeat(2049) }, ['text']],
      ['a tag of 1025 characters', { tag: 't'.repeat(1025) }, ['tag']],
      ['11 media URLs', { media: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}.png`) }, ['media']],
      ['a media URL over 4096 characters', { media: [`https://example.com/${'m'.repeat(4100)}.png`] }, ['media[0]', 'media']],
      ['a bad priority', { priority: 'urgent' }, ['priority']],
      ['an expiration in the past', { expiration: new Date(Date.now() - 60_000).toISOString() }, ['expiration']],
      ['a malformed expiration', { expiration: 'tomorrow at noon' }, ['expiration']],
      ['neither text nor media', (r) => delete r.text, ['text', 'media']],
      ['no applicationId', (r) => delete r.applicationId, ['applicationId']],
    ];

    it.each(syncRules)('rejects %s with 400 request-validation naming the field', async (_name, change, fields) => {
      const body = request() as unknown as Record<string, unknown>;
      if (typeof change === 'function') change(body);
      else Object.assign(body, change);
      const stored = running.emulator.parts.store.stats().messages;
      const { status, data } = await httpError(api.createMessage(acct, body as unknown as MessageRequest));
      expect(status).toBe(400);
      assertMatchesSpec('createMessageRequestError', data);
      const error = data as { type: string; description: string; fieldErrors?: Array<{ fieldName: string; description: string }> };
      expect(error.type).toBe('request-validation');
      expect(error.fieldErrors?.length ?? 0).toBeGreaterThan(0);
      const named = error.fieldErrors!.filter((e) => fields.includes(e.fieldName));
      expect(named.length, JSON.stringify(error.fieldErrors)).toBeGreaterThan(0);
      for (const e of named) expect(e.description.length).toBeGreaterThan(0);
      // A 4xx means nothing was accepted.
      expect(running.emulator.parts.store.stats().messages).toBe(stored);
    });

    it('accepts the limits themselves: 10 recipients, text 2048, tag 1024, 10 media, 4096-char URL', async () => {
      const url4096 = `https://example.com/${'u'.repeat(4096 - 'https://example.com/'.length)}`;
      expect(url4096).toHaveLength(4096);
      const { status, data } = await api.createMessage(acct, request({
        to: new Set(elevenNumbers.slice(0, 10)),
        text: 'a'.repeat(2048),
        tag: 't'.repeat(1024),
        media: [url4096, ...Array.from({ length: 9 }, (_, i) => `https://example.com/${i}.png`)],
      }));
      expect(status).toBe(202);
      assertMatchesSpec('message', data);
      expect(data.to).toHaveLength(10);
      expect(data.media).toHaveLength(10);
    });
  });

  describe('authentication and transport errors', () => {
    it('a wrong password is 401 unauthorized / Authentication Failed', async () => {
      const wrong = new MessagesApi(new Configuration({ basePath: running.url, username: running.account.username, password: 'not-the-password' }));
      const { status, data } = await httpError(wrong.createMessage(acct, request()));
      expect(status).toBe(401);
      assertMatchesSpec('messagingRequestError', data);
      expect(data).toEqual({ type: 'unauthorized', description: 'Authentication Failed' });
    });

    it('no credentials at all is 401', async () => {
      const anonymous = new MessagesApi(new Configuration({ basePath: running.url }));
      const { status, data } = await httpError(list(anonymous, acct, { sourceTn: from }));
      expect(status).toBe(401);
      assertMatchesSpec('messagingRequestError', data);
      expect(data).toMatchObject({ type: 'unauthorized' });
    });

    it('a user without the messaging role is 403 forbidden / Access Denied', async () => {
      const forbidden = new MessagesApi(new Configuration({ basePath: running.url, username: 'bw-forbidden-user', password: 'bw-forbidden-password' }));
      const { status, data } = await httpError(forbidden.createMessage(acct, request()));
      expect(status).toBe(403);
      assertMatchesSpec('messagingRequestError', data);
      expect(data).toEqual({ type: 'forbidden', description: 'Access Denied' });
      const listed = await httpError(list(forbidden, acct, { sourceTn: from }));
      expect(listed.status).toBe(403);
      assertMatchesSpec('messagingRequestError', listed.data);
    });

    it('valid credentials on another account id are 401', async () => {
      const other = String(Number(acct) + 1);
      const { status, data } = await httpError(api.createMessage(other, request()));
      expect(status).toBe(401);
      assertMatchesSpec('messagingRequestError', data);
      expect(data).toEqual({ type: 'unauthorized', description: 'Authentication Failed' });
    });

    it('a text/plain body is 415 unsupported-content-type naming the type', async () => {
      const res = await raw(`${running.url}/users/${acct}/messages`, {
        method: 'POST',
        headers: { authorization: basic(running.account.username, running.account.password), 'content-type': 'text/plain' },
        body: JSON.stringify({ applicationId: appId, to: ['+19195553434'], from, text: 'hi' }),
      });
      expect(res.status).toBe(415);
      assertMatchesSpec('messagingRequestError', res.body);
      expect(res.body).toMatchObject({ type: 'unsupported-content-type' });
      expect((res.body as { description: string }).description).toContain('text/plain');
      expect((res.body as { description: string }).description).toContain('application/json');
    });

    it('accepts application/json with a charset', async () => {
      const res = await raw(`${running.url}/users/${acct}/messages`, {
        method: 'POST',
        headers: { authorization: basic(running.account.username, running.account.password), 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ applicationId: appId, to: ['+19195553434'], from, text: 'charset' }),
      });
      expect(res.status).toBe(202);
      assertMatchesSpec('message', res.body);
    });

    it('an unparsable JSON body is 400 request-validation', async () => {
      const res = await raw(`${running.url}/users/${acct}/messages`, {
        method: 'POST',
        headers: { authorization: basic(running.account.username, running.account.password), 'content-type': 'application/json' },
        body: '{"applicationId": "x", "to": [',
      });
      expect(res.status).toBe(400);
      assertMatchesSpec('createMessageRequestError', res.body);
      expect(res.body).toMatchObject({ type: 'request-validation' });
    });

    it('another method on the messages path is 405, not 404', async () => {
      const res = await raw(`${running.url}/users/${acct}/messages`, { method: 'DELETE', headers: { authorization: basic(running.account.username, running.account.password) } });
      expect(res.status).toBe(405);
      assertMatchesSpec('messagingRequestError', res.body);
      expect((res.body as { description: string }).description).toContain('DELETE');
    });

    it('an unknown path is a Spring-style 404', async () => {
      for (const path of [`/api/v2/users/${acct}/messages/happy`, '/no/such/thing']) {
        const res = await raw(`${running.url}${path}`, { headers: { authorization: basic(running.account.username, running.account.password) } });
        expect(res.status, path).toBe(404);
        expect(res.contentType).toMatch(/^application\/json/);
        const body = res.body as Record<string, unknown>;
        expect(Object.keys(body).sort()).toEqual(['error', 'message', 'path', 'status', 'timestamp']);
        expect(body).toMatchObject({ status: 404, error: 'Not Found', path });
        expect(typeof body.message).toBe('string');
        // Spring's timestamp: ISO with milliseconds and a +0000 zone.
        expect(body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
        expect(Math.abs(Date.parse(String(body.timestamp).replace('+0000', 'Z')) - Date.now())).toBeLessThan(60_000);
      }
    });
  });

  describe('listMessages', () => {
    let sent: Message;
    const searchTo = '+19195557001';

    beforeAll(async () => {
      ({ data: sent } = await api.createMessage(acct, request({ from: running.account.numbers[1]!, to: new Set([searchTo]), text: 'find me' })));
      assertMatchesSpec('message', sent);
    });

    it('finds a message by messageId with the spec row fields', async () => {
      const { status, data } = await list(api, acct, { messageId: sent.id });
      expect(status).toBe(200);
      checkList(data);
      expect(data.totalCount).toBe(1);
      expect(data.pageInfo).toEqual({});
      const row = data.messages![0]!;
      expect(row).toMatchObject({
        messageId: sent.id,
        accountId: acct,
        sourceTn: running.account.numbers[1],
        destinationTn: searchTo,
        messageDirection: 'OUTBOUND',
        messageType: 'sms',
        segmentCount: 1,
        errorCode: 0,
        recipientCount: 1,
        attachmentCount: 0,
        messageLength: 'find me'.length,
      });
      expect(row.receiveTime).toBe(sent.time);
      expect(row.receiveTime).toMatch(ISO_MS);
    });

    it('finds it by sourceTn and by destinationTn', async () => {
      const bySource = checkList((await list(api, acct, { sourceTn: running.account.numbers[1]! })).data);
      expect(bySource.messages?.map((m) => m.messageId)).toContain(sent.id);
      for (const row of bySource.messages ?? []) expect(row.sourceTn).toBe(running.account.numbers[1]);
      const byDest = checkList((await list(api, acct, { destinationTn: searchTo })).data);
      expect(byDest.messages?.map((m) => m.messageId)).toEqual([sent.id]);
      expect(byDest.totalCount).toBe(1);
      const none = checkList((await list(api, acct, { destinationTn: '+19195557999' })).data);
      expect(none.totalCount).toBe(0);
      expect(none.messages).toEqual([]);
    });

    it('refuses a search without any filter with 400', async () => {
      const { status, data } = await httpError(list(api, acct, {}));
      expect(status).toBe(400);
      assertMatchesSpec('messagingRequestError', data);
      expect(data).toMatchObject({ type: 'request-validation' });
      // Paging parameters alone are not filters either.
      const limited = await httpError(list(api, acct, { limit: 5 }));
      expect(limited.status).toBe(400);
      assertMatchesSpec('messagingRequestError', limited.data);
    });

    it('gives one row per recipient of a 3-recipient group, recipientCount 3 and type mms', async () => {
      const group = ['+19195557101', '+19195557102', '+19195557103'];
      const { data: message } = await api.createMessage(acct, request({ to: new Set(group), text: 'group hello' }));
      assertMatchesSpec('message', message);
      expect(message.segmentCount).toBe(1);
      const { data } = await list(api, acct, { messageId: message.id });
      checkList(data);
      expect(data.totalCount).toBe(3);
      expect(data.messages).toHaveLength(3);
      expect(data.messages!.map((m) => m.destinationTn).sort()).toEqual(group);
      for (const row of data.messages!) {
        expect(row).toMatchObject({ messageId: message.id, sourceTn: from, recipientCount: 3, messageType: 'mms', messageDirection: 'OUTBOUND' });
        expect(row).toHaveProperty('carrierName');
      }
    });

    it('pages through 250 messages with limit 100 by nextPageToken, and back by prevPageToken', async () => {
      const pagingFrom = running.account.numbers[4]!;
      const created = new Set<string>();
      for (let batch = 0; batch < 5; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) => api.createMessage(acct, request({ from: pagingFrom, to: new Set([`+1919556${String(batch * 50 + i).padStart(4, '0')}`]), text: `page test ${batch}-${i}` }))),
        );
        for (const { status, data } of answers) {
          expect(status).toBe(202);
          assertMatchesSpec('message', data);
          created.add(data.id!);
        }
      }
      assertMatchesSpec('message', (await api.createMessage(acct, request({ from: running.account.numbers[3]!, text: 'not in the paged search' }))).data);
      expect(created.size).toBe(250);

      const pages: string[][] = [];
      const tokens: Array<Record<string, string>> = [];
      let pageToken: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const { data } = await list(api, acct, { sourceTn: pagingFrom, limit: 100, pageToken });
        checkList(data);
        expect(data.totalCount).toBe(250);
        pages.push(data.messages!.map((m) => m.messageId!));
        tokens.push(data.pageInfo as Record<string, string>);
        pageToken = data.pageInfo?.nextPageToken;
        if (!pageToken) break;
        // nextPage is the absolute URL of the same search carrying the token.
        const next = new URL(data.pageInfo!.nextPage!);
        expect(`${next.protocol}//${next.host}`).toBe(running.url);
        expect(next.searchParams.get('pageToken')).toBe(pageToken);
        expect(next.searchParams.get('sourceTn')).toBe(pagingFrom);
      }
      expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
      const all = pages.flat();
      expect(new Set(all).size).toBe(250);
      expect(new Set(all)).toEqual(created);
      // First page: nothing before it; last page: nothing after it (members omitted, not null).
      expect(tokens[0]).not.toHaveProperty('prevPageToken');
      expect(tokens[0]).not.toHaveProperty('prevPage');
      expect(tokens[2]).not.toHaveProperty('nextPageToken');
      expect(tokens[2]).not.toHaveProperty('nextPage');

      // Back from the last page gives page 2, and back from page 2 gives page 1.
      const back2 = checkList((await list(api, acct, { sourceTn: pagingFrom, limit: 100, pageToken: tokens[2]!.prevPageToken })).data);
      expect(back2.messages!.map((m) => m.messageId)).toEqual(pages[1]);
      const back1 = checkList((await list(api, acct, { sourceTn: pagingFrom, limit: 100, pageToken: tokens[1]!.prevPageToken })).data);
      expect(back1.messages!.map((m) => m.messageId)).toEqual(pages[0]);

      // Default sort is newest first.
      const { data: first } = await list(api, acct, { sourceTn: pagingFrom, limit: 100 });
      const times = first.messages!.map((m) => Date.parse(m.receiveTime!));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });
  });

  describe('OAuth2 client credentials and Bearer', () => {
    const tokenUrl = () => `${running.url}/api/v1/oauth2/token`;
    const mint = (clientId: string, clientSecret: string) =>
      raw(tokenUrl(), {
        method: 'POST',
        headers: { authorization: basic(clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });

    it('issues a Bearer token that createMessage accepts', async () => {
      const res = await mint(running.account.clientId!, running.account.clientSecret!);
      expect(res.status).toBe(200);
      const body = res.body as { access_token: string; token_type: string; expires_in: number };
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
      expect(typeof body.access_token).toBe('string');
      expect(body.access_token.length).toBeGreaterThan(10);
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBe(3600);

      const bearer = new MessagesApi(new Configuration({ basePath: running.url, accessToken: body.access_token }));
      const { status, data } = await bearer.createMessage(acct, request({ tag: 'bearer' }));
      expect(status).toBe(202);
      assertMatchesSpec('message', data);
      expect(data.tag).toBe('bearer');
      const listed = checkList((await list(bearer, acct, { messageId: data.id })).data);
      expect(listed.totalCount).toBe(1);
    });

    it('refuses an invented token with 401', async () => {
      const bearer = new MessagesApi(new Configuration({ basePath: running.url, accessToken: 'invented-token-0123456789' }));
      const { status, data } = await httpError(bearer.createMessage(acct, request()));
      expect(status).toBe(401);
      assertMatchesSpec('messagingRequestError', data);
      expect(data).toEqual({ type: 'unauthorized', description: 'Authentication Failed' });
    });

    it('refuses a wrong client secret at the token endpoint with 401', async () => {
      const res = await mint(running.account.clientId!, 'wrong-secret');
      expect(res.status).toBe(401);
      assertMatchesSpec('messagingRequestError', res.body);
      expect(res.body).toEqual({ type: 'unauthorized', description: 'Authentication Failed' });
    });
  });
});

describe('account isolation (two configured accounts)', () => {
  let running: RunningEmulator;
  const A = { id: '1110001', user: 'alice', pass: 'alice-pass', client: 'alice-client', secret: 'alice-secret', app: 'aaaaaaaa-0000-4000-8000-000000000001', number: '+15550001001' };
  const B = { id: '2220002', user: 'bob', pass: 'bob-pass', client: 'bob-client', secret: 'bob-secret', app: 'bbbbbbbb-0000-4000-8000-000000000002', number: '+15550002002' };
  const sdk = (who: typeof A) => new MessagesApi(new Configuration({ basePath: running.url, username: who.user, password: who.pass }));
  const send = (who: typeof A, text: string) =>
    sdk(who).createMessage(who.id, { applicationId: who.app, from: who.number, to: new Set(['+15550009999']), text });

  beforeAll(async () => {
    running = await startEmulator({
      accounts: [A, B].map((x) => ({
        id: x.id,
        users: [{ username: x.user, password: x.pass }],
        oauthClients: [{ clientId: x.client, clientSecret: x.secret }],
        applications: [{ id: x.app }],
        numbers: [{ number: x.number, applicationId: x.app }],
      })),
    });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('exposes the first account as running.account', () => {
    expect(running.account).toMatchObject({ id: A.id, username: A.user, password: A.pass, applicationId: A.app, numbers: [A.number] });
  });

  it('B\'s user can neither create in nor search A (401)', async () => {
    const a = await send(A, 'secret of A');
    expect(a.status).toBe(202);
    assertMatchesSpec('message', a.data);
    const create = await httpError(sdk(B).createMessage(A.id, { applicationId: A.app, from: A.number, to: new Set(['+15550009999']), text: 'intrusion' }));
    expect(create.status).toBe(401);
    assertMatchesSpec('messagingRequestError', create.data);
    expect(create.data).toEqual({ type: 'unauthorized', description: 'Authentication Failed' });
    const search = await httpError(list(sdk(B), A.id, { messageId: a.data.id }));
    expect(search.status).toBe(401);
    assertMatchesSpec('messagingRequestError', search.data);
  });

  it('B\'s OAuth token does not open A', async () => {
    const res = await raw(`${running.url}/api/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basic(B.client, B.secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    const token = (res.body as { access_token: string }).access_token;
    const bearer = new MessagesApi(new Configuration({ basePath: running.url, accessToken: token }));
    const denied = await httpError(list(bearer, A.id, { sourceTn: A.number }));
    expect(denied.status).toBe(401);
    assertMatchesSpec('messagingRequestError', denied.data);
    const own = await list(bearer, B.id, { sourceTn: B.number });
    checkList(own.data);
  });

  it('a search in B never returns A\'s messages', async () => {
    const a = await send(A, 'only for A');
    const b = await send(B, 'only for B');
    assertMatchesSpec('message', a.data);
    assertMatchesSpec('message', b.data);
    // A partial number matching both accounts' senders and the shared recipient.
    for (const filters of [{ sourceTn: '+1555000' }, { destinationTn: '+15550009999' }, { messageId: a.data.id }, { sourceTn: A.number }]) {
      const { data } = await list(sdk(B), B.id, filters);
      checkList(data);
      const ids = (data.messages ?? []).map((m) => m.messageId);
      expect(ids, JSON.stringify(filters)).not.toContain(a.data.id);
      for (const row of data.messages ?? []) expect(row.accountId).toBe(B.id);
    }
    const mine = checkList((await list(sdk(B), B.id, { sourceTn: '+1555000' })).data);
    expect(mine.messages?.map((m) => m.messageId)).toContain(b.data.id);
    const theirs = checkList((await list(sdk(A), A.id, { sourceTn: '+1555000' })).data);
    expect(theirs.messages?.map((m) => m.messageId)).toContain(a.data.id);
    expect(theirs.messages?.map((m) => m.messageId)).not.toContain(b.data.id);
  });
});

describe('permissive mode', () => {
  let running: RunningEmulator;

  beforeAll(async () => {
    running = await startEmulator({ permissive: true });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('accepts any non-empty Basic credentials, account id, applicationId and from', async () => {
    const api = new MessagesApi(new Configuration({ basePath: running.url, username: 'whoever', password: 'whatever' }));
    const accountId = '4242424';
    const applicationId = '0f0f0f0f-1234-4abc-8def-0123456789ab';
    const sender = '+14045550000';
    const { status, data } = await api.createMessage(accountId, { applicationId, from: sender, to: new Set(['+14045551111']), text: 'permissive' });
    expect(status).toBe(202);
    assertMatchesSpec('message', data);
    expect(data).toMatchObject({ applicationId, from: sender, owner: sender, to: ['+14045551111'] });
    const found = checkList((await list(api, accountId, { messageId: data.id })).data);
    expect(found.messages?.[0]).toMatchObject({ accountId, sourceTn: sender });
  });

  it('still validates the request body (400) and refuses an empty username (401)', async () => {
    const api = new MessagesApi(new Configuration({ basePath: running.url, username: 'whoever', password: 'whatever' }));
    const bad = await httpError(api.createMessage('4242424', { applicationId: 'x', from: '+14045550000', to: new Set(['+1invalid']), text: 'x' }));
    expect(bad.status).toBe(400);
    assertMatchesSpec('createMessageRequestError', bad.data);
    const res = await raw(`${running.url}/users/4242424/messages?sourceTn=%2B14045550000`, { headers: { authorization: basic('', 'pw') } });
    expect(res.status).toBe(401);
    assertMatchesSpec('messagingRequestError', res.body);
  });
});
