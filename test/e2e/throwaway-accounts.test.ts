// Throwaway accounts (POST/GET/DELETE /__emulator/accounts, createAccount/removeAccount): made for one test or CI
// worker, used through bandwidth-sdk, removed with everything they own; an optional time to live on the emulator's
// clock; every bound tried past its limit; the same answers in-process and over HTTP (connectEmulator).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { describe, expect, it, vi } from 'vitest';
import { createClock } from '../../src/clock.js';
import { createEmulator } from '../../src/compose.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { connectEmulator } from '../../src/control/client.js';
import { ControlInputError, createControlOperations, type ControlOperations } from '../../src/control/operations.js';
import { buildApp } from '../../src/server.js';
import { MAX_THROWAWAY_ACCOUNTS, ThrowawayAccountError, type ThrowawayAccount } from '../../src/throwaway-accounts.js';
import { useEmulators } from '../helpers/fixture.js';
import { CONTROL_CONNECTIONS, events, rejection, settled } from '../helpers/harness.js';

const WAIT = { timeoutMs: 5000 };
const HANDSET = '+19195557777';
const FAST = { callbacks: { deliveryDelay: '5ms', sendingDelay: '2ms', retryDelays: ['20ms'], timeout: '2s' } };
const JSON_HEADERS = { 'content-type': 'application/json' };

const emulators = useEmulators();

const sdk = (account: ThrowawayAccount) => new MessagesApi(new Configuration(account.sdkConfig));
const send = async (account: ThrowawayAccount, to: string, text = 'hi') => {
  const body = { applicationId: account.applicationId, to: [to] as unknown as Set<string>, from: account.numbers[0]!, text } as MessageRequest;
  const res = await sdk(account).createMessage(account.accountId, body);
  expect(res.status).toBe(202);
  return res.data.id!;
};
const statusOf = (error: Error) => (error as Error & { response?: { status: number } }).response?.status;
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describe.each(CONTROL_CONNECTIONS)('throwaway accounts through the %s', (_mode, connect) => {
  it('creates an account whose credentials, application and number work through bandwidth-sdk, with callbacks to its own URL', async () => {
    const sink = await emulators.newSink();
    const running = await emulators.start(FAST);
    const ops = connect(running);
    const account = await ops.createAccount({ callbackUrl: sink.url, name: 'worker 1' });
    expect(account).toMatchObject({ basePath: running.url, expiresAt: null, sdkConfig: { basePath: running.url } });
    expect(account.accountId).toMatch(/^98\d{5}$/);
    expect(account.numbers).toHaveLength(1);
    expect(account.numbers[0]).toMatch(/^\+1\d{3}55501\d{2}$/);
    expect(account.password.length).toBeGreaterThanOrEqual(32);
    expect(account.username).not.toBe(running.account.username);

    const id = await send(account, HANDSET);
    const delivered = await ops.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    expect(delivered).toMatchObject({ accountId: account.accountId, applicationId: account.applicationId, target: sink.url });
    expect(events(sink).every((e) => e.message.applicationId === account.applicationId)).toBe(true);

    // Listed, with no credentials; the configured account stays first and unchanged.
    const listed = await ops.accounts();
    expect(listed[0]).toEqual({ id: running.account.id, numbers: expect.any(Array) });
    expect(listed.at(-1)).toEqual({
      id: account.accountId,
      numbers: [{ number: account.numbers[0], applicationId: account.applicationId }],
      throwaway: true,
      expiresAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(account.password);

    // Inbound to its number is routed to it.
    const [inbound] = await ops.inbound({ from: HANDSET, to: [account.numbers[0]!], text: 'reply' });
    expect(inbound).toMatchObject({ accountId: account.accountId, applicationId: account.applicationId });

    // The default account's credentials do not open it; its own do not open the default account.
    const wrong = new MessagesApi(new Configuration(running.sdkConfig));
    expect(statusOf(await rejection(wrong.listMessages(account.accountId, undefined, undefined, HANDSET)))).toBe(401);
    await settled(running);
  });

  it('removes it with everything it owns: messages, journal, media, pending callbacks, its run-time scenarios, its tokens; other accounts keep theirs', async () => {
    const running = await emulators.start(FAST);
    const ops = connect(running);
    const mine = await ops.createAccount({ numbers: 2 });
    const other = await ops.createAccount();
    expect(new Set([...mine.numbers, ...other.numbers]).size).toBe(3);
    await ops.scenarios.use({ version: 1, name: 'mine-only', rules: [] }, { accountId: mine.accountId });
    await ops.scenarios.use({ version: 1, name: 'other-only', rules: [] }, { accountId: other.accountId });
    const done = await send(mine, HANDSET);
    // Delivered in an hour: still pending when the account goes.
    const slow = await send(mine, '+15553003600');
    const theirs = await send(other, HANDSET);
    await ops.callbacks.waitFor({ messageId: done, type: 'message-delivered' }, WAIT);
    await ops.callbacks.waitFor({ messageId: theirs, type: 'message-delivered' }, WAIT);
    const upload = await fetch(`${running.url}/users/${mine.accountId}/media/pic.txt`, {
      method: 'PUT',
      headers: { authorization: basic(mine.username, mine.password), 'content-type': 'text/plain' },
      body: 'bytes',
    });
    expect(upload.status).toBe(204);
    const token = await fetch(`${running.url}/api/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basic(mine.clientId, mine.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const { access_token: bearer } = (await token.json()) as { access_token: string };
    const byBearer = () => fetch(`${running.url}/users/${mine.accountId}/media`, { headers: { authorization: `Bearer ${bearer}` } });
    expect((await byBearer()).status).toBe(200);
    expect((await ops.pending()).total).toBeGreaterThan(0);

    await ops.removeAccount(mine.accountId);

    expect(await ops.messages.list({ accountId: mine.accountId })).toEqual([]);
    expect(await ops.messages.get(slow)).toBeUndefined();
    expect(await ops.callbacks.list({ accountId: mine.accountId })).toEqual([]);
    expect(running.emulator.mediaLibrary.list(mine.accountId)).toEqual([]);
    expect((await ops.pending()).total).toBe(0);
    expect((await ops.scenarios.list()).scenarios.map((s) => s.name)).toEqual(['other-only']);
    expect((await byBearer()).status).toBe(401);
    expect(statusOf(await rejection(send(mine, HANDSET)))).toBe(401);
    expect((await ops.accounts()).map((a) => a.id)).toEqual([running.account.id, other.accountId]);
    // Its numbers are nobody's now: a handset message to one is refused.
    expect(await rejection(ops.inbound({ from: HANDSET, to: [mine.numbers[0]!], text: 'anyone?' }))).toBeInstanceOf(ControlInputError);
    // The other account is untouched.
    expect((await ops.messages.list({ accountId: other.accountId })).map((m) => m.id)).toEqual([theirs]);
    expect(await ops.callbacks.list({ accountId: other.accountId })).toHaveLength(1);
    await send(other, HANDSET);
    // Deleting again, or an id nobody has, is no error.
    await ops.removeAccount(mine.accountId);
    await settled(running);
  });

  it('a configured account is reset, never removed: its credentials keep working', async () => {
    const running = await emulators.start(FAST);
    const ops = connect(running);
    const api = new MessagesApi(new Configuration(running.sdkConfig));
    const body = { applicationId: running.account.applicationId, to: [HANDSET] as unknown as Set<string>, from: running.account.numbers[0]!, text: 'x' };
    const first = (await api.createMessage(running.account.id, body as MessageRequest)).data.id!;
    await ops.callbacks.waitFor({ messageId: first, type: 'message-delivered' }, WAIT);
    await ops.removeAccount(running.account.id);
    expect(await ops.messages.list()).toEqual([]);
    expect((await ops.accounts()).map((a) => a.id)).toEqual([running.account.id]);
    expect((await api.createMessage(running.account.id, body as MessageRequest)).status).toBe(202);
    await settled(running);
  });

  it('takes an id, a name, numbers by list, a callback URL with user:password@ (sent as Basic) and a time to live', async () => {
    const sink = await emulators.newSink();
    const running = await emulators.start(FAST);
    const ops = connect(running);
    const url = new URL(sink.url);
    url.username = 'hook';
    url.password = 's3cret';
    const account = await ops.createAccount({ id: 'ci-worker-7', numbers: ['+12025550111', '+12025550112'], callbackUrl: url.href, ttlSeconds: 600 });
    expect(account).toMatchObject({ accountId: 'ci-worker-7', numbers: ['+12025550111', '+12025550112'] });
    expect(Date.parse(account.expiresAt!) - Date.parse(account.createdAt)).toBe(600_000);
    const id = await send(account, HANDSET);
    const entry = await ops.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    expect(entry.target).not.toContain('s3cret');
    expect(sink.requests.at(-1)!.headers.authorization).toBe(basic('hook', 's3cret'));
    expect((await ops.accounts()).at(-1)).toMatchObject({ id: 'ci-worker-7', throwaway: true, expiresAt: account.expiresAt });
    await settled(running);
  });

  it('refuses a taken id or number (409), bad input (400) and an account past the cap (429), each with the reason', async () => {
    const running = await emulators.start();
    const ops = connect(running);
    const taken = async (request: Parameters<ControlOperations['createAccount']>[0], words: string) => {
      const error = await rejection(ops.createAccount(request));
      expect(error).toBeInstanceOf(ThrowawayAccountError);
      expect((error as ThrowawayAccountError).kind).toBe('conflict');
      expect(error.message).toContain(words);
    };
    await taken({ id: running.account.id }, `account ${running.account.id} exists already (it is configured)`);
    await taken({ numbers: [running.account.numbers[0]!] }, `is owned by account ${running.account.id}`);
    const made = await ops.createAccount({ id: 'once' });
    await taken({ id: 'once' }, 'account once exists already');
    await taken({ numbers: made.numbers }, 'is owned by account once');

    const invalid = async (request: unknown, field: string) => {
      const error = await rejection(ops.createAccount(request as never));
      expect(error, JSON.stringify(request)).toBeInstanceOf(ControlInputError);
      expect(error.message, JSON.stringify(request)).toContain(field);
    };
    await invalid({ id: 'x'.repeat(65) }, 'id');
    await invalid({ id: 'has/slash' }, 'id');
    await invalid({ id: '' }, 'id');
    await invalid({ name: 'n'.repeat(101) }, 'name');
    await invalid({ numbers: 0 }, 'numbers');
    await invalid({ numbers: 11 }, 'numbers');
    await invalid({ numbers: Array.from({ length: 11 }, (_, i) => `+1202555${String(2000 + i)}`) }, 'numbers');
    await invalid({ numbers: ['12025550100'] }, 'numbers');
    await invalid({ numbers: ['+12025550100', '+12025550100'] }, 'numbers');
    await invalid({ ttlSeconds: 0 }, 'ttlSeconds');
    await invalid({ ttlSeconds: 86_401 }, 'ttlSeconds');
    await invalid({ ttlSeconds: 1.5 }, 'ttlSeconds');
    await invalid({ callbackUrl: 'ftp://example.com/hook' }, 'callbackUrl');
    await invalid({ callbackUrl: `http://example.com/${'a'.repeat(4096)}` }, 'callbackUrl');
    await invalid({ callbackUrl: 'http://[bad/hook' }, 'callbackUrl');
    await invalid({ password: 'mine' }, 'password');
    await invalid('an id', 'must be object');
    await invalid([], 'must be object');
    expect((await ops.accounts()).map((a) => a.id)).toEqual([running.account.id, 'once']);

    // The cap: made in-process (fast), the next refused the same way through either connection.
    for (let i = (await ops.accounts()).length - 1; i < MAX_THROWAWAY_ACCOUNTS; i++) running.emulator.createAccount();
    const error = await rejection(ops.createAccount());
    expect(error).toBeInstanceOf(ThrowawayAccountError);
    expect((error as ThrowawayAccountError).kind).toBe('limit');
    expect(error.message).toContain(`${MAX_THROWAWAY_ACCOUNTS} throwaway accounts`);
    // Deleting one makes room again.
    await ops.removeAccount('once');
    expect((await ops.createAccount()).accountId).toMatch(/^98/);
  });
});

describe('throwaway accounts over HTTP', () => {
  it('answers 201, 409, 429 and 413 in the control API shape; the OpenAPI document lists the route', async () => {
    const running = await emulators.start();
    const post = (body: string) => fetch(`${running.url}/__emulator/accounts`, { method: 'POST', headers: JSON_HEADERS, body });
    const created = await post('{}');
    expect(created.status).toBe(201);
    const made = (await created.json()) as ThrowawayAccount;
    const again = await post(JSON.stringify({ id: made.accountId }));
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: 'conflict', message: expect.stringContaining(made.accountId) });
    const huge = await post(JSON.stringify({ name: 'x'.repeat(17 * 1024) }));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toBe('payload-too-large');
    const bad = await post(JSON.stringify({ ttlSeconds: -1 }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('ttlSeconds');
    expect((await post('null')).status).toBe(201);
    // No body at all is an account with every default.
    const bare = await fetch(`${running.url}/__emulator/accounts`, { method: 'POST', headers: JSON_HEADERS });
    expect(bare.status).toBe(201);
    for (let i = 3; i < MAX_THROWAWAY_ACCOUNTS; i++) running.emulator.createAccount();
    const full = await post('{}');
    expect(full.status).toBe(429);
    expect(((await full.json()) as { error: string }).error).toBe('limit');
    const del = await fetch(`${running.url}/__emulator/accounts/${made.accountId}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    const doc = (await (await fetch(`${running.url}/__emulator/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: object }>> };
    expect(Object.keys(doc.paths['/__emulator/accounts']!.post!.responses)).toEqual(expect.arrayContaining(['201', '400', '409', '413', '429']));
  });
});

describe('time to live, on the emulator clock', () => {
  it('an account is refused from its expiry on and removed with what it owns at the next account call or sweep, deterministically', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const emulator = createEmulator(resolveConfig({ overrides: { logLevel: 'silent', timeScale: 0 } }), { clock: createClock({ scale: 0, now: () => now }) });
    const app = await buildApp(emulator);
    emulators.defer(async () => {
      await emulator.close();
      await app.close();
    });
    const ops = createControlOperations(emulator);
    const short = await ops.createAccount({ ttlSeconds: 60 });
    const long = await ops.createAccount({ ttlSeconds: 3600 });
    expect(short.expiresAt).toBe('2030-01-01T00:01:00.000Z');
    const message = emulator.acceptOutbound(short.accountId, { applicationId: short.applicationId, to: [HANDSET], from: short.numbers[0]!, text: 'x' });
    const listMedia = (a: ThrowawayAccount) =>
      app.inject({ method: 'GET', url: `/users/${a.accountId}/media`, headers: { authorization: basic(a.username, a.password) } });
    expect((await listMedia(short)).statusCode).toBe(200);

    now += 59_999;
    expect((await listMedia(short)).statusCode).toBe(200);
    expect((await ops.accounts()).map((a) => a.id)).toContain(short.accountId);

    now += 1;
    // Refused at once, before anything removed it; the same credentials were answered 'ok' a moment ago (cached).
    const refused = await listMedia(short);
    expect(refused.statusCode).toBe(401);
    expect(emulator.messages.find(message.id)).toBeDefined();
    expect((await ops.accounts()).map((a) => a.id)).toEqual([emulator.accounts.defaultAccount.id, long.accountId]);
    expect(emulator.messages.find(message.id)).toBeUndefined();
    expect(emulator.callbackJournal.list({ accountId: short.accountId })).toEqual([]);
    expect((await listMedia(long)).statusCode).toBe(200);

    now += 3600_000;
    expect(emulator.sweepExpiredAccounts()).toEqual([long.accountId]);
    expect((await listMedia(long)).statusCode).toBe(401);
  });

  it("without any call, the expiry timer removes an expired account at its time (fake timers, the clock's now moved with them)", async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const emulator = createEmulator(resolveConfig({ overrides: { logLevel: 'silent' } }), { clock: createClock({ scale: 0, now: () => now }) });
    try {
      const made = emulator.createAccount({ ttlSeconds: 30 });
      emulator.acceptOutbound(made.accountId, { applicationId: made.applicationId, to: [HANDSET], from: made.numbers[0]!, text: 'x' });
      now += 29_999;
      vi.advanceTimersByTime(29_999);
      expect(emulator.accounts.isAdded(made.accountId)).toBe(true);
      now += 1;
      vi.advanceTimersByTime(1);
      expect(emulator.accounts.isAdded(made.accountId)).toBe(false);
      expect(emulator.messages.list(made.accountId)).toEqual([]);
      // Nothing is left armed: no timer waits for an account that is gone.
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
      await emulator.close();
    }
  });

  it('state: an export does not hold accounts; an imported message of a deleted account stays until a new account of that id starts empty', async () => {
    const running = await emulators.start(FAST);
    const made = await running.createAccount({ id: 'exported' });
    const id = await send(made, HANDSET);
    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT);
    const doc = await running.state.export();
    expect(JSON.stringify(doc)).not.toContain(made.password);
    await running.removeAccount('exported');
    await running.state.import(doc);
    // Kept as for any account no longer configured; nobody can read it through the API.
    expect((await running.messages.list({ accountId: 'exported' })).map((m) => m.id)).toEqual([id]);
    expect((await running.accounts()).map((a) => a.id)).toEqual([running.account.id]);
    const again = await running.createAccount({ id: 'exported' });
    expect(again.password).not.toBe(made.password);
    expect(await running.messages.list({ accountId: 'exported' })).toEqual([]);
    expect(await running.callbacks.list({ accountId: 'exported' })).toEqual([]);
  });

  it('with a data dir: a removed account leaves no rows, so a restart brings none of its messages back; accounts themselves are not kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bwemu-throwaway-'));
    emulators.defer(() => rmSync(dir, { recursive: true, force: true }));
    const first = await emulators.start({ ...FAST, dataDir: dir });
    const kept = await first.createAccount({ id: 'kept' });
    const gone = await first.createAccount({ id: 'gone' });
    const keptId = await send(kept, HANDSET);
    const goneId = await send(gone, HANDSET);
    await first.callbacks.waitFor({ messageId: keptId, type: 'message-delivered' }, WAIT);
    await first.callbacks.waitFor({ messageId: goneId, type: 'message-delivered' }, WAIT);
    await first.removeAccount('gone');
    await first.close();

    const second = await emulators.start({ ...FAST, dataDir: dir });
    expect(await second.messages.list({ accountId: 'gone' })).toEqual([]);
    expect(await second.callbacks.list({ accountId: 'gone' })).toEqual([]);
    expect((await second.messages.list({ accountId: 'kept' })).map((m) => m.id)).toEqual([keptId]);
    expect((await second.accounts()).map((a) => a.id)).toEqual([second.account.id]);
  });

  it('the remote client reaches the same accounts: created over HTTP, removed through connectEmulator', async () => {
    const running = await emulators.start();
    const remote = connectEmulator(running.url);
    const made = await remote.createAccount({ ttlSeconds: 86_400 });
    expect(running.emulator.accounts.get(made.accountId)).toBeDefined();
    await remote.removeAccount(made.accountId);
    expect(running.emulator.accounts.get(made.accountId)).toBeUndefined();
  });
});
