// Secure defaults: loopback unless told otherwise, a warning when exposed without a control token, and no secret in
// any log line, even at trace level: API passwords, OAuth client secrets, Bearer tokens, the control token, callback
// credentials and every Authorization header value (right or wrong ones), raw or base64-encoded.
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { exposureWarning } from '../../src/cli.js';
import { isLoopback } from '../../src/listen-url.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { createEmulator } from '../../src/compose.js';
import { buildApp } from '../../src/server.js';
import { startSink, type CallbackSink } from '../helpers/sink.js';

const ACCOUNT = '9905000';
const APP = '0a1b2c3d-0000-4000-8000-0000000000d1';
const FROM = '+19195550100';
const SECRET = {
  user: 'secret-user-Nq3',
  password: 'S3cret-Basic-Pass',
  wrongPassword: 'S3cret-Wrong-Pass',
  clientId: 'secret-client-Zx8',
  clientSecret: 'S3cret-Client-Secret',
  controlToken: 'S3cret-Control-Token',
  wrongToken: 'S3cret-Wrong-Token',
  callbackUser: 'hook-user-Vv1',
  callbackPassword: 'S3cret-Callback-Pass',
} as const;

const b64 = (text: string) => Buffer.from(text).toString('base64');

let sink: CallbackSink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

describe('no secrets in logs', () => {
  it('at trace level, a session of right and wrong credentials, tokens and authenticated callbacks logs none of them', async () => {
    sink = await startSink();
    const lines: string[] = [];
    const logger = pino({ level: 'trace', base: undefined }, { write: (line: string) => void lines.push(line) });
    const config = resolveConfig({
      overrides: {
        logLevel: 'trace',
        port: 0,
        control: { token: SECRET.controlToken },
        callbacks: { deliveryDelay: '5ms', sendingDelay: '1ms', retryDelays: ['5ms'], timeout: '1s' },
        accounts: [
          {
            id: ACCOUNT,
            users: [{ username: SECRET.user, password: SECRET.password }],
            oauthClients: [{ clientId: SECRET.clientId, clientSecret: SECRET.clientSecret }],
            applications: [
              { id: APP, callbackUrl: sink.url, callbackAuth: { mode: 'preemptive', username: SECRET.callbackUser, password: SECRET.callbackPassword } },
            ],
            numbers: [{ number: FROM, applicationId: APP }],
          },
        ],
      },
    });
    const emulator = createEmulator(config, { logger });
    const app = await buildApp(emulator);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const bearers: string[] = [];
    try {
      const body = JSON.stringify({ applicationId: APP, to: ['+19195557001'], from: FROM, text: 'secret test' });
      const post = (authorization: string) =>
        fetch(`${url}/users/${ACCOUNT}/messages`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });

      expect((await post(`Basic ${b64(`${SECRET.user}:${SECRET.password}`)}`)).status).toBe(202);
      expect((await post(`Basic ${b64(`${SECRET.user}:${SECRET.wrongPassword}`)}`)).status).toBe(401);
      const token = await fetch(`${url}/api/v1/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${b64(`${SECRET.clientId}:${SECRET.clientSecret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).toBe(200);
      const bearer = ((await token.json()) as { access_token: string }).access_token;
      bearers.push(bearer);
      expect((await post(`Bearer ${bearer}`)).status).toBe(202);
      expect((await post(`Bearer ${bearer}-tampered`)).status).toBe(401);
      const wrongClient = await fetch(`${url}/api/v1/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${b64(`${SECRET.clientId}:${SECRET.wrongPassword}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(wrongClient.status).toBe(401);
      expect((await fetch(`${url}/__emulator/health`, { headers: { authorization: `Bearer ${SECRET.controlToken}` } })).status).toBe(200);
      expect((await fetch(`${url}/__emulator/health`, { headers: { 'x-emulator-token': SECRET.wrongToken } })).status).toBe(401);
      // Both accepted messages' callbacks reach the receiver with the callback credentials.
      await sink.waitFor((requests) => requests.length >= 2);
      expect(sink.requests[0]!.headers.authorization).toBe(`Basic ${b64(`${SECRET.callbackUser}:${SECRET.callbackPassword}`)}`);
    } finally {
      await app.close();
    }

    // The test can fail: trace logging really ran, per request and per callback attempt.
    const text = lines.join('');
    expect(text).toContain('incoming request');
    expect(text).toContain('callback attempt');
    const forbidden = [
      SECRET.password,
      SECRET.wrongPassword,
      SECRET.clientSecret,
      SECRET.controlToken,
      SECRET.wrongToken,
      SECRET.callbackPassword,
      ...bearers,
      b64(`${SECRET.user}:${SECRET.password}`),
      b64(`${SECRET.user}:${SECRET.wrongPassword}`),
      b64(`${SECRET.clientId}:${SECRET.clientSecret}`),
      b64(`${SECRET.clientId}:${SECRET.wrongPassword}`),
      b64(`${SECRET.callbackUser}:${SECRET.callbackPassword}`),
    ];
    for (const line of lines) for (const secret of forbidden) expect(line, `a log line leaks ${secret}`).not.toContain(secret);
    // No Authorization header value at all, whatever its scheme.
    for (const line of lines) expect(line).not.toMatch(/"authorization":"(Basic|Bearer) [^[]/i);
  });
});

describe('exposure', () => {
  it('listens on 127.0.0.1 unless told otherwise', () => {
    expect(resolveConfig({}).host).toBe('127.0.0.1');
  });

  it('warns at start-up when bound beyond this machine without a control token, and only then', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', '127.example.com']) {
      expect(exposureWarning(host, undefined), host).toMatch(/beyond this machine, with no control token.*--control-token/);
      expect(exposureWarning(host, 'a-token'), host).toBeUndefined();
    }
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(host), host).toBe(true);
      expect(exposureWarning(host, undefined), host).toBeUndefined();
    }
  });
});
