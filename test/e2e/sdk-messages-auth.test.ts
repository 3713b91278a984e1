import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { basic, checkList, defaultAccount, httpError, list, raw } from '../helpers/messages-sdk.js';
import { assertMatchesSpec } from '../helpers/spec.js';

// The Messaging v2 API through bandwidth-sdk@8 against a listening emulator: credentials (Basic, roles, OAuth2 client
// credentials and Bearer), transport errors (content types, bad JSON, 405, Spring-style 404), two accounts kept apart,
// and permissive mode (Bandwidth's docs: https://dev.bandwidth.com/docs/messaging/errors; the official spec for every body).

describe('Messaging v2 through bandwidth-sdk (default config)', () => {
  const emulators = useEmulators();
  let running: RunningEmulator;
  let api: MessagesApi;
  let acct: string;
  let appId: string;
  let from: string;

  const request = (over: Partial<Record<keyof MessageRequest, unknown>> = {}): MessageRequest =>
    ({ applicationId: appId, to: new Set(['+19195553434']), from, text: 'hello from the SDK test', ...over }) as MessageRequest;

  beforeAll(async () => {
    running = await emulators.start();
    ({ acct, appId, from, api } = defaultAccount(running));
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
      const res = await raw(`${running.url}/users/${acct}/messages`, {
        method: 'DELETE',
        headers: { authorization: basic(running.account.username, running.account.password) },
      });
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
  const emulators = useEmulators();
  let running: RunningEmulator;
  const A = {
    id: '1110001',
    user: 'alice',
    pass: 'alice-pass',
    client: 'alice-client',
    secret: 'alice-secret',
    app: 'aaaaaaaa-0000-4000-8000-000000000001',
    number: '+15550001001',
  };
  const B = {
    id: '2220002',
    user: 'bob',
    pass: 'bob-pass',
    client: 'bob-client',
    secret: 'bob-secret',
    app: 'bbbbbbbb-0000-4000-8000-000000000002',
    number: '+15550002002',
  };
  const sdk = (who: typeof A) => new MessagesApi(new Configuration({ basePath: running.url, username: who.user, password: who.pass }));
  const send = (who: typeof A, text: string) =>
    sdk(who).createMessage(who.id, { applicationId: who.app, from: who.number, to: new Set(['+15550009999']), text });

  beforeAll(async () => {
    running = await emulators.start({
      accounts: [A, B].map((x) => ({
        id: x.id,
        users: [{ username: x.user, password: x.pass }],
        oauthClients: [{ clientId: x.client, clientSecret: x.secret }],
        applications: [{ id: x.app }],
        numbers: [{ number: x.number, applicationId: x.app }],
      })),
    });
  });

  it('exposes the first account as running.account', () => {
    expect(running.account).toMatchObject({ id: A.id, username: A.user, password: A.pass, applicationId: A.app, numbers: [A.number] });
  });

  it("B's user can neither create in nor search A (401)", async () => {
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

  it("B's OAuth token does not open A", async () => {
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

  it("a search in B never returns A's messages", async () => {
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
  const emulators = useEmulators();
  let running: RunningEmulator;

  beforeAll(async () => {
    running = await emulators.start({ permissive: true });
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
