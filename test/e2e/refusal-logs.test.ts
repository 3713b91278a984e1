// At the default level (info) every refused request leaves exactly one line saying which check refused it: method,
// path (never the query), status and a reason, and never the password, token or Authorization header it carried.
// Answers that are not refusals leave none (request lines stay at debug).
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { LEVEL, startLogged, type LoggedEmulator, type LogLine } from '../helpers/logs.js';

const ACCOUNT = '9906300';
const OTHER = '9906301';
const APP = '0a1b2c3d-0000-4000-8000-0000000063a1';
const FROM = '+19195550630';
const SECRET = {
  password: 'Refusal-Pass-7Qx',
  wrongPassword: 'Refusal-Wrong-Pass-2Lm',
  // Someone typing a password where the username goes: an unknown username is never quoted.
  passwordAsUser: 'Refusal-Typed-As-User-9Ke',
  clientSecret: 'Refusal-Client-Secret-4Pd',
  controlToken: 'Refusal-Control-Token-8Wn',
  wrongToken: 'Refusal-Wrong-Token-5Bv',
  queryToken: 'Refusal-Query-Token-3Hs',
  mediaPassword: 'Refusal-Media-Pass-6Tc',
} as const;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const basic = (user: string, password: string) => `Basic ${b64(`${user}:${password}`)}`;
const GOOD = basic('logs-user', SECRET.password);
const message = (extra: Record<string, unknown> = {}) => JSON.stringify({ applicationId: APP, to: ['+19195557300'], from: FROM, text: 'hi', ...extra });

let running: LoggedEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(): Promise<LoggedEmulator> {
  running = await startLogged({
    control: { token: SECRET.controlToken },
    accounts: [
      {
        id: ACCOUNT,
        users: [
          { username: 'logs-user', password: SECRET.password },
          { username: 'no-messaging', password: SECRET.password, messaging: false },
        ],
        oauthClients: [{ clientId: 'logs-client', clientSecret: SECRET.clientSecret }],
        applications: [{ id: APP }],
        numbers: [{ number: FROM, applicationId: APP }],
      },
      { id: OTHER, users: [{ username: 'other-user', password: SECRET.password }], applications: [{ id: APP }] },
    ],
  });
  running.emulator.useScenario({
    version: 1,
    name: 'faults',
    rules: [
      { name: 'queue full', match: { tag: 'burst' }, apiFault: { status: 429 } },
      { name: 'cut off', match: { tag: 'cut' }, apiFault: { drop: true } },
    ],
  });
  return running;
}

/** The refusal lines: the ones carrying a status and a reason. */
const refusals = (lines: LogLine[]) => lines.filter((l) => typeof l.status === 'number' && typeof l.reason === 'string');

interface Case {
  name: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  reason: string | RegExp;
}

const json = { 'content-type': 'application/json' };
const control = { authorization: `Bearer ${SECRET.controlToken}` };

const CASES: Case[] = [
  {
    name: 'no credentials',
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: json,
    body: message(),
    status: 401,
    reason: 'auth: no Authorization header',
  },
  {
    name: 'another scheme',
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: `Token ${SECRET.wrongToken}` },
    body: message(),
    status: 401,
    reason: 'neither Basic nor Bearer',
  },
  {
    name: 'a wrong password',
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: basic('logs-user', SECRET.wrongPassword) },
    body: message(),
    status: 401,
    reason: "basic auth: wrong password for user 'logs-user'",
  },
  {
    name: 'an unknown username',
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: basic(SECRET.passwordAsUser, SECRET.password) },
    body: message(),
    status: 401,
    reason: /^basic auth: unknown username$/,
  },
  {
    name: "another account's user",
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: basic('other-user', SECRET.password) },
    body: message(),
    status: 401,
    reason: `basic auth: user 'other-user' belongs to account ${OTHER}`,
  },
  {
    name: 'an unknown account',
    method: 'POST',
    url: '/users/9906399/messages',
    headers: { ...json, authorization: GOOD },
    body: message(),
    status: 401,
    reason: `basic auth: unknown account 9906399 (user 'logs-user' belongs to account ${ACCOUNT})`,
  },
  {
    name: 'a user without messaging',
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: basic('no-messaging', SECRET.password) },
    body: message(),
    status: 403,
    reason: "user 'no-messaging' has no messaging access",
  },
  {
    name: 'an unknown Bearer token',
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: `Bearer ${SECRET.wrongToken}` },
    body: message(),
    status: 401,
    reason: 'bearer: unknown token',
  },
  {
    name: 'a bad body',
    method: 'POST',
    url: `/api/v2/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: GOOD },
    body: message({ to: ['+1invalid'] }),
    status: 400,
    reason: "request-validation: to[0]: '+1invalid' must be replaced with a valid E164",
  },
  {
    name: 'a media URL with credentials in a bad body',
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: GOOD },
    body: message({ media: [`http://user:${SECRET.mediaPassword}@example.com/${'x'.repeat(5000)}`] }),
    status: 400,
    reason: 'request-validation: media[0]',
  },
  {
    name: 'a body over the limit',
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: GOOD },
    body: message({ text: 'x'.repeat(1024 * 1024 + 1) }),
    status: 413,
    reason: 'body larger than the 1048576-byte limit',
  },
  {
    name: 'text/plain',
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { 'content-type': 'text/plain', authorization: GOOD },
    body: 'hi',
    status: 415,
    reason: 'unsupported-content-type',
  },
  {
    name: "a scenario's 429",
    method: 'POST',
    url: `/users/${ACCOUNT}/messages`,
    headers: { ...json, authorization: GOOD },
    body: message({ tag: 'burst' }),
    status: 429,
    reason: "fault injected by scenario 'faults' rule 'queue full'",
  },
  { name: 'an unknown path', method: 'GET', url: '/nowhere', status: 404, reason: 'not found: no route serves this path' },
  { name: 'another method', method: 'GET', url: '/api/v1/oauth2/token', status: 405, reason: 'does not take GET' },
  {
    name: 'a wrong OAuth secret',
    method: 'POST',
    url: '/api/v1/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('logs-client', SECRET.wrongPassword) },
    body: 'grant_type=client_credentials',
    status: 401,
    reason: "oauth: wrong client secret for client 'logs-client'",
  },
  {
    name: 'an unknown OAuth client',
    method: 'POST',
    url: '/api/v1/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(SECRET.passwordAsUser, SECRET.clientSecret) },
    body: 'grant_type=client_credentials',
    status: 401,
    reason: /^oauth: unknown client id$/,
  },
  {
    name: 'no control token, one in the query',
    method: 'GET',
    url: `/__emulator/health?token=${SECRET.queryToken}`,
    status: 401,
    reason: 'control token: none sent',
  },
  {
    name: 'a wrong control token',
    method: 'GET',
    url: '/__emulator/health',
    headers: { 'x-emulator-token': SECRET.wrongToken },
    status: 401,
    reason: 'control token: wrong token (X-Emulator-Token)',
  },
  {
    name: 'a cross-site POST',
    method: 'POST',
    url: '/__emulator/reset',
    headers: { ...control, ...json, origin: 'http://evil.example' },
    status: 403,
    reason: "cross-site guard: Origin http://evil.example is not this emulator's",
  },
  {
    name: 'a control POST without JSON',
    method: 'POST',
    url: '/__emulator/reset',
    headers: control,
    status: 415,
    reason: 'cross-site guard: a POST without Content-Type: application/json (got none)',
  },
  {
    name: 'an unknown control field',
    method: 'POST',
    url: '/__emulator/inbound',
    headers: { ...control, ...json },
    body: JSON.stringify({ from: '+15550001111', to: [FROM], txt: 'hi' }),
    status: 400,
    reason: "body: unknown field 'txt' (did you mean 'text'?)",
  },
  {
    name: 'a Host not allowed',
    method: 'GET',
    url: '/__emulator/health',
    headers: { ...control, host: 'rebound.example.com' },
    status: 421,
    reason: "host guard: Host 'rebound.example.com' is not allowed",
  },
];

describe('one info line per refused request, with the check that refused it', () => {
  it.each(CASES)('$name: $status', async (c) => {
    const { url, raw, lines } = await start();
    const res = await request(`${url}${c.url}`, { method: c.method, headers: c.headers, body: c.body });
    await res.body.dump();
    expect(res.statusCode).toBe(c.status);
    await running!.close();
    const found = refusals(lines());
    expect(found, raw.join('')).toHaveLength(1);
    const line = found[0]!;
    expect(line).toMatchObject({ level: LEVEL.info, method: c.method, path: c.url.split('?')[0], status: c.status });
    if (typeof c.reason === 'string') expect(line.reason).toContain(c.reason);
    else expect(line.reason).toMatch(c.reason);
    expect(line.msg).toBe(`${c.status} ${c.method} ${line.path}: ${line.reason}`);
    for (const secret of Object.values(SECRET)) expect(raw.join(''), `the log leaks ${secret}`).not.toContain(secret);
    for (const text of raw) expect(text).not.toMatch(/"authorization":/i);
  });

  it('an answered request (202, 200) leaves no refusal line', async () => {
    const { url, lines } = await start();
    const sent = await request(`${url}/users/${ACCOUNT}/messages`, { method: 'POST', headers: { ...json, authorization: GOOD }, body: message() });
    await sent.body.dump();
    expect(sent.statusCode).toBe(202);
    const health = await request(`${url}/__emulator/health`, { headers: control });
    await health.body.dump();
    expect(health.statusCode).toBe(200);
    expect(refusals(lines())).toEqual([]);
  });

  it("a scenario's dropped connection is logged once, as the fault it is", async () => {
    const { url, lines } = await start();
    const outcome = await request(`${url}/users/${ACCOUNT}/messages`, {
      method: 'POST',
      headers: { ...json, authorization: GOOD },
      body: message({ tag: 'cut' }),
    }).then(
      async (res) => {
        await res.body.dump();
        return res.statusCode;
      },
      (error: Error & { code?: string }) => error.code ?? error.message,
    );
    expect(typeof outcome, 'the connection was dropped without an answer').toBe('string');
    const dropped = lines().filter((l) => l.msg.includes('connection dropped'));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ level: LEVEL.info, method: 'POST', path: `/users/${ACCOUNT}/messages` });
    expect(dropped[0]!.msg).toContain("fault injected by scenario 'faults' rule 'cut off'");
  });

  it('at warn, nothing is logged for refusals', async () => {
    running = await startLogged({}, 'warn');
    const res = await request(`${running.url}/nowhere`);
    await res.body.dump();
    expect(res.statusCode).toBe(404);
    expect(running.lines()).toEqual([]);
  });
});
