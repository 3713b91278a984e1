// What only the control API's HTTP surface has: ready, the OpenAPI document, error bodies, the long-poll 408, the
// control token, Server-Sent Events and the routes the client does not wrap.
// Messages go in through the official bandwidth-sdk; callbacks go out to a real HTTP sink on 127.0.0.1:0.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi } from 'bandwidth-sdk';
import { request as undiciRequest } from 'undici';
import { connectEmulator } from '../../src/control/client.js';
import { ControlInputError, type ControlMessage } from '../../src/control/operations.js';
import { controlRouteTable } from '../../src/control/routes.js';
import type { JournalEntry } from '../../src/store/journal.js';
import { rejection } from '../helpers/harness.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  AFTER_1H,
  APP_A,
  body,
  getJson,
  HANDSET,
  ids,
  NUM_A1,
  NUM_A2,
  readFrames,
  scenarioNames,
  sendA,
  sendB,
  type SseFrame,
  TO1,
  TO2,
  TO5,
  TOKEN,
  useControlApi,
  USER_A,
  WAIT,
} from '../helpers/control-api.js';

const { startHttp, defer } = useControlApi();

describe('control API over HTTP only', () => {
  it('GET /__emulator/ready answers 200, outside Bandwidth Basic auth (none, or wrong credentials)', async () => {
    const f = await startHttp();
    expect(await getJson(`${f.running.url}/__emulator/ready`)).toEqual({ status: 200, body: { ready: true } });
    const wrongBasic = { authorization: 'Basic ' + Buffer.from('nobody:wrong').toString('base64') };
    expect((await getJson(`${f.running.url}/__emulator/ready`, { headers: wrongBasic })).status).toBe(200);
    const health = await getJson(`${f.running.url}/__emulator/health`, { headers: wrongBasic });
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    // While Bandwidth's own routes do want Basic auth.
    expect((await getJson(`${f.running.url}/users/${ACCOUNT_A}/messages?messageId=x`)).status).toBe(401);
  });

  it('GET /__emulator/openapi.json: an OpenAPI 3.0.3 document with a path for every route the table registers', async () => {
    // GET /proxy/ca.pem creates the CA: in a folder of the test's own, never the user's config folder.
    const f = await startHttp({ proxy: { caDir: join(mkdtempSync(join(tmpdir(), 'bwe-openapi-ca-')), 'ca') } });
    const { status, body: doc } = await getJson(`${f.running.url}/__emulator/openapi.json`);
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.0.3');
    const info = doc.info as { title: string; version: string };
    expect(typeof info.title).toBe('string');
    expect(typeof info.version).toBe('string');
    const paths = doc.paths as Record<
      string,
      Record<string, { summary: string; operationId: string; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>
    >;

    const table = controlRouteTable(f.running, f.running.emulator);
    expect(table.length).toBeGreaterThanOrEqual(18);
    const documented = new Set<string>();
    for (const route of table) {
      const path = '/__emulator' + route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path} is documented`).toBeDefined();
      expect(operation!.summary).toBe(route.summary);
      expect(
        Object.keys(operation!.responses).some((code) => /^2\d\d$/.test(code)),
        `${route.method} ${path} has a 2xx response`,
      ).toBe(true);
      for (const [, name] of route.url.matchAll(/:([A-Za-z]+)/g)) {
        expect(operation!.parameters, `${route.method} ${path} declares {${name}}`).toContainEqual(expect.objectContaining({ name, in: 'path' }));
      }
      for (const name of Object.keys(route.querystring?.properties ?? {})) {
        expect(operation!.parameters).toContainEqual(expect.objectContaining({ name, in: 'query' }));
      }
      documented.add(`${route.method.toLowerCase()} ${path}`);
    }
    // Nothing documented that the table does not register, but for the two fixed extras.
    const all = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
    expect(all.filter((op) => !documented.has(op)).sort()).toEqual(['get /__emulator/metrics', 'get /__emulator/openapi.json']);
    const operationIds = Object.values(paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    expect(new Set(operationIds).size).toBe(operationIds.length);

    // Every documented operation is really served, with the success status the document gives it.
    const [copy] = await f.running.inbound({ from: HANDSET, to: [NUM_A1], text: 'for the document' });
    const [withMedia] = await f.running.inbound({
      from: HANDSET,
      to: [NUM_A1],
      media: [{ filename: 'a.png', contentType: 'image/png', contentBase64: Buffer.from('png').toString('base64') }],
    });
    // A toll-free number of the account, for the opt-out routes.
    await f.running.numbers.set(ACCOUNT_A, '+18335550900', {});
    const inFlight = await sendA(f, [AFTER_1H]);
    const received = await f.running.callbacks.waitFor({ messageId: copy!.id }, { timeoutMs: 5000 });
    const calls: Record<string, { path: string; body?: unknown }> = {
      // Resent to the emulator itself: the answer (a 404) makes it exhausted, the route still answers 201 with it.
      'post /__emulator/callbacks/{seq}/resend': { path: `/__emulator/callbacks/${received.seq}/resend`, body: { target: `${f.running.url}/hook` } },
      'get /__emulator/messages/{id}': { path: `/__emulator/messages/${copy!.id}` },
      'get /__emulator/error-codes/{code}': { path: '/__emulator/error-codes/4720' },
      'get /__emulator/messages/{id}/media/{index}': { path: `/__emulator/messages/${withMedia!.id}/media/0` },
      'post /__emulator/messages/{id}/carrier': { path: `/__emulator/messages/${inFlight}/carrier`, body: { action: 'deliver' } },
      'post /__emulator/inbound': { path: '/__emulator/inbound', body: { from: HANDSET, to: [NUM_A2], text: 'x' } },
      'post /__emulator/scenarios': { path: '/__emulator/scenarios', body: { version: 1, name: 'doc' } },
      'put /__emulator/scenarios/{name}': { path: '/__emulator/scenarios/doc', body: { version: 1 } },
      'post /__emulator/scenarios/{name}/trigger': { path: '/__emulator/scenarios/doc/trigger', body: {} },
      'delete /__emulator/scenarios/{name}': { path: '/__emulator/scenarios/doc' },
      'put /__emulator/time': { path: '/__emulator/time', body: { timeScale: 1 } },
      'delete /__emulator/accounts/{accountId}': { path: `/__emulator/accounts/${ACCOUNT_B}` },
      'get /__emulator/accounts/{accountId}/numbers': { path: `/__emulator/accounts/${ACCOUNT_A}/numbers` },
      // Added, then removed (the table lists PUT before DELETE).
      'put /__emulator/accounts/{accountId}/numbers/{number}': { path: `/__emulator/accounts/${ACCOUNT_A}/numbers/%2B19195559999`, body: {} },
      'delete /__emulator/accounts/{accountId}/numbers/{number}': { path: `/__emulator/accounts/${ACCOUNT_A}/numbers/%2B19195559999` },
      'post /__emulator/accounts/{accountId}/opt-outs': {
        path: `/__emulator/accounts/${ACCOUNT_A}/opt-outs`,
        body: { number: '+18335550900', handset: HANDSET },
      },
      'get /__emulator/accounts/{accountId}/opt-outs': { path: `/__emulator/accounts/${ACCOUNT_A}/opt-outs` },
      'delete /__emulator/accounts/{accountId}/opt-outs/{number}/{handset}': {
        path: `/__emulator/accounts/${ACCOUNT_A}/opt-outs/%2B18335550900/${encodeURIComponent(HANDSET)}`,
      },
      'delete /__emulator/accounts/{accountId}/opt-outs': { path: `/__emulator/accounts/${ACCOUNT_A}/opt-outs` },
      'get /__emulator/traffic': { path: '/__emulator/traffic' },
      'put /__emulator/traffic': { path: '/__emulator/traffic', body: { profile: 'fast' } },
      'get /__emulator/accounts/{accountId}/traffic': { path: `/__emulator/accounts/${ACCOUNT_A}/traffic` },
      'put /__emulator/accounts/{accountId}/traffic': { path: `/__emulator/accounts/${ACCOUNT_A}/traffic`, body: { profile: 'fast' } },
      'get /__emulator/accounts/{accountId}/queue': { path: `/__emulator/accounts/${ACCOUNT_A}/queue` },
      'get /__emulator/proxy': { path: '/__emulator/proxy' },
      'get /__emulator/proxy/ca.pem': { path: '/__emulator/proxy/ca.pem' },
      'post /__emulator/lint': { path: '/__emulator/lint', body: { text: 'Don’t' } },
      'post /__emulator/state': {
        path: '/__emulator/state',
        body: { kind: 'bandwidth-emulator-state', version: 1, messages: [], media: [], journal: [], scenarios: [] },
      },
    };
    // Destructive ones last.
    const order = (op: string) =>
      op.includes('reset') ||
      op === 'delete /__emulator/scenarios' ||
      op === 'post /__emulator/state' ||
      op === 'delete /__emulator/accounts/{accountId}/opt-outs'
        ? 1
        : 0;
    for (const op of [...all].sort((x, y) => order(x) - order(y))) {
      const [method, path] = op.split(' ') as [string, string];
      if (path.endsWith('/events')) continue;
      const call = calls[op] ?? { path };
      expect(call.path.includes('{'), `${op} needs a concrete request in this test`).toBe(false);
      const res = await fetch(`${f.running.url}${call.path}`, {
        method: method.toUpperCase(),
        // JSON on every call that changes state, also with no body, as the control API requires.
        ...(method !== 'get' ? { headers: { 'content-type': 'application/json' } } : {}),
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      });
      await res.arrayBuffer();
      const documentedCodes = Object.keys(paths[path]![method]!.responses).filter((code) => /^2\d\d$/.test(code));
      expect(documentedCodes, op).toEqual([String(res.status)]);
    }
  });

  it('errors: unknown route 404 not-found, bad query 400 bad-request, client-side ControlInputError', async () => {
    const f = await startHttp();
    const missing = await getJson(`${f.running.url}/__emulator/no-such-route`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not-found' });
    expect(String(missing.body.message)).toContain('openapi.json');
    expect((await getJson(`${f.running.url}/__emulator/health`, { method: 'DELETE' })).body).toMatchObject({ error: 'not-found' });
    const noMessage = await getJson(`${f.running.url}/__emulator/messages/not-an-id`);
    expect(noMessage.status).toBe(404);
    expect(noMessage.body).toMatchObject({ error: 'not-found' });

    for (const query of [
      '/messages?status=BOGUS',
      '/messages?direction=sideways',
      '/messages?limit=0',
      '/callbacks?outcome=maybe',
      '/callbacks?wait=soon',
      '/callbacks?wait=-5',
    ]) {
      const res = await getJson(`${f.running.url}/__emulator${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body, query).toMatchObject({ error: 'bad-request', message: expect.any(String) });
    }
    const badInbound = await getJson(`${f.running.url}/__emulator/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'not-e164', to: [NUM_A1] }),
    });
    expect(badInbound.status).toBe(400);
    expect(badInbound.body.error).toBe('bad-request');
    const badTime = await getJson(`${f.running.url}/__emulator/time`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scale: 'fast' }),
    });
    expect(badTime.status).toBe(400);
    // {timeScale} is the config's name; {scale} its deprecated alias; both at once, neither, or past the bound: 400.
    const putTime = (value: unknown) =>
      getJson(`${f.running.url}/__emulator/time`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
    expect(await putTime({ timeScale: 0.25 })).toEqual({ status: 200, body: { timeScale: 0.25 } });
    expect((await getJson(`${f.running.url}/__emulator/time`)).body.timeScale).toBe(0.25);
    expect(await putTime({ scale: 0.5 })).toEqual({ status: 200, body: { timeScale: 0.5 } });
    const both = await putTime({ timeScale: 1, scale: 1 });
    expect(both.status).toBe(400);
    expect(both.body.message).toContain('not both');
    const neither = await putTime({});
    expect(neither.status).toBe(400);
    expect(neither.body.message).toContain('timeScale is required');
    const past = await putTime({ timeScale: 2_000_000 });
    expect(past.status).toBe(400);
    expect(past.body.message).toContain('timeScale');
    expect((await getJson(`${f.running.url}/__emulator/time`)).body.timeScale).toBe(0.5);

    const bad = await rejection(f.ops.messages.list({ status: 'BOGUS' as never }));
    expect(bad).toBeInstanceOf(ControlInputError);
  });

  it('GET /__emulator/callbacks?wait=: answers as soon as an entry matches, or 408 with what it saw', async () => {
    const f = await startHttp();
    const id = await sendA(f, [TO1]);
    const delivered = await f.running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT);

    const started = Date.now();
    const timeout = await getJson(`${f.running.url}/__emulator/callbacks?wait=200&accountId=${ACCOUNT_A}&type=message-failed`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(timeout.status).toBe(408);
    expect(timeout.body).toMatchObject({ error: 'timeout', waitedMs: 200, filter: { accountId: ACCOUNT_A, type: 'message-failed' } });
    expect(String(timeout.body.message)).toContain('no callback matching');
    expect(timeout.body.seen).toEqual([JSON.parse(JSON.stringify(delivered))]);

    const nothing = await getJson(`${f.running.url}/__emulator/callbacks?wait=200&messageId=no-such-message`);
    expect(nothing.status).toBe(408);
    expect((nothing.body.seen as JournalEntry[]).map((e) => e.messageId)).toEqual([id]);

    const found = await getJson(`${f.running.url}/__emulator/callbacks?wait=2000&messageId=${id}`);
    expect(found.status).toBe(200);
    expect(found.body.entries).toEqual([JSON.parse(JSON.stringify(delivered))]);
    // Without wait, a plain listing: 200 even when empty.
    expect(await getJson(`${f.running.url}/__emulator/callbacks?messageId=no-such-message`)).toEqual({ status: 200, body: { entries: [] } });
  });

  it('control token: 401 without it, 200 with Bearer or X-Emulator-Token; connectEmulator(url, {token}); Bandwidth routes keep Bandwidth auth', async () => {
    const f = await startHttp({ control: { token: TOKEN } });
    const url = `${f.running.url}/__emulator`;
    for (const path of ['/health', '/ready', '/messages', '/openapi.json', '/no-such-route']) {
      const res = await getJson(`${url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.body, path).toMatchObject({ error: 'unauthorized' });
    }
    expect((await getJson(`${url}/health`, { headers: { authorization: 'Bearer wrong-token-1' } })).status).toBe(401);
    expect((await getJson(`${url}/health`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } })).status).toBe(401);
    expect((await getJson(`${url}/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBe(401);

    const ok = await getJson(`${url}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('ok');
    expect((await getJson(`${url}/ready`, { headers: { 'x-emulator-token': TOKEN } })).status).toBe(200);

    const withToken = connectEmulator(f.running.url, { token: TOKEN });
    expect((await withToken.health()).status).toBe('ok');
    const withoutToken = connectEmulator(f.running.url);
    await expect(withoutToken.health()).rejects.toThrow(/401/);

    // Bandwidth's API is unaffected: Basic credentials send a message, the control token is no Bandwidth credential.
    const id = await sendA(f, [TO1]);
    expect((await withToken.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT)).outcome).toBe('delivered');
    const asToken = await getJson(`${f.running.url}/users/${ACCOUNT_A}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ applicationId: APP_A, to: [TO1], from: NUM_A1, text: 'x' }),
    });
    expect(asToken.status).toBe(401);
    expect(asToken.body.type).toBe('unauthorized');
    const wrongPassword = new MessagesApi(new Configuration({ basePath: f.running.url, username: USER_A, password: 'wrong' }));
    await expect(wrongPassword.createMessage(ACCOUNT_A, body({ applicationId: APP_A, to: [TO1], from: NUM_A1 }))).rejects.toMatchObject({
      response: { status: 401 },
    });
    expect((await withToken.messages.list()).map((m) => m.id)).toEqual([id]);
  });

  it('GET /__emulator/events: SSE frames for a message and its callback; ?accountId= filters', async () => {
    const f = await startHttp();
    const all = new AbortController();
    const onlyB = new AbortController();
    defer(() => all.abort());
    defer(() => onlyB.abort());
    const stream = await undiciRequest(`${f.running.url}/__emulator/events`, { signal: all.signal });
    expect(stream.statusCode).toBe(200);
    expect(String(stream.headers['content-type'])).toContain('text/event-stream');
    const streamB = await undiciRequest(`${f.running.url}/__emulator/events?accountId=${ACCOUNT_B}`, { signal: onlyB.signal });
    expect(streamB.statusCode).toBe(200);

    let id = '';
    const forMessage = (frames: SseFrame[]) =>
      frames.some((fr) => fr.event === 'callback' && (fr.data as JournalEntry).messageId === id && (fr.data as JournalEntry).type === 'message-delivered');
    const reading = readFrames(stream.body, all, (frames) => id !== '' && forMessage(frames));
    const readingB = readFrames(streamB.body, onlyB, (frames) => frames.some((fr) => fr.event === 'callback'));
    const idA = await sendA(f, [TO1]);
    const idB = await sendB(f, [TO2]);
    id = idA;
    const frames = await reading;

    const messageFrames = frames.filter((fr) => fr.event === 'message' && (fr.data as { message: ControlMessage }).message.id === idA);
    expect(messageFrames.map((fr) => (fr.data as { kind: string }).kind)).toEqual(['added', 'status']);
    const added = messageFrames[0]!.data as { kind: string; message: ControlMessage };
    expect(added.message).toMatchObject({ id: idA, accountId: ACCOUNT_A, direction: 'out', to: [TO1], from: NUM_A1 });
    expect(messageFrames[1]!.data).toMatchObject({ kind: 'status', recipient: TO1, message: { id: idA, recipients: [{ to: TO1, status: 'DELIVERED' }] } });
    const callback = frames.find((fr) => fr.event === 'callback' && (fr.data as JournalEntry).messageId === idA)!;
    expect(callback.data).toMatchObject({ messageId: idA, accountId: ACCOUNT_A, type: 'message-delivered', recipient: TO1, outcome: 'delivered' });
    expect(callback.id).toMatch(/^\d+$/);

    const framesB = await readingB;
    expect(framesB.length).toBeGreaterThan(0);
    for (const frame of framesB) {
      const data = frame.data as { message?: ControlMessage; accountId?: string };
      expect(data.message?.accountId ?? data.accountId).toBe(ACCOUNT_B);
    }
    expect(framesB.find((fr) => fr.event === 'callback')!.data).toMatchObject({ messageId: idB, outcome: 'no-target' });
  });

  it('routes the client does not wrap: GET /messages/{id} with callbacks, PUT /scenarios/{name}, DELETE /accounts/{id}, /metrics', async () => {
    const f = await startHttp();
    const a = await sendA(f, [TO1]);
    const b = await sendB(f, [TO1]);
    const entry = await f.running.callbacks.waitFor({ messageId: a, type: 'message-delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: b, type: 'message-delivered' }, WAIT);

    const one = await getJson(`${f.running.url}/__emulator/messages/${a}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: a, accountId: ACCOUNT_A });
    expect(one.body.callbacks).toEqual([JSON.parse(JSON.stringify(entry))]);

    const put = await getJson(`${f.running.url}/__emulator/scenarios/ctl-put?accountId=${ACCOUNT_A}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, name: 'ignored', rules: [{ name: 'r', match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] }),
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'ctl-put', scope: ACCOUNT_A });
    expect(await scenarioNames(f.ops)).toEqual(['ctl-put']);
    const created = await getJson(`${f.running.url}/__emulator/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, name: 'ctl-post', rules: [] }),
    });
    expect(created.status).toBe(201);

    const del = await fetch(`${f.running.url}/__emulator/accounts/${ACCOUNT_A}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(ids(await f.ops.messages.list())).toEqual([b]);
    expect(await f.ops.callbacks.list({ accountId: ACCOUNT_A })).toEqual([]);
    expect(await scenarioNames(f.ops)).toEqual(['ctl-post']);

    const reset = await fetch(`${f.running.url}/__emulator/reset?accountId=${ACCOUNT_B}`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(reset.status).toBe(204);
    expect(await f.ops.messages.list()).toEqual([]);

    const metrics = await fetch(`${f.running.url}/__emulator/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect((await metrics.text()).length).toBeGreaterThan(0);
  });
});
