// The Host allow-list: a page that rebinds its own name to this emulator's address (DNS rebinding) gets 421 on every
// route, in that route's error shape, and reads nothing; loopback names, IP addresses, the public URL's host and
// --allowed-hosts are answered, and inside a container (0.0.0.0) compose service names and host.docker.internal too.
import type { FastifyInstance } from 'fastify';
import { request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { createEmulator } from '../../src/compose.js';
import { EmulatorConfigError } from '../../src/errors.js';
import { anyHostWarning, HOST_REFUSED, hostAllowList, hostName } from '../../src/http/host-guard.js';
import { buildApp } from '../../src/server.js';
import { startEmulator } from '../../src/start.js';
import { useCallbackHarness } from '../helpers/harness.js';

const ACCOUNT = '9906200';
const APP = '0a1b2c3d-0000-4000-8000-0000000062a1';
const OURS = '+19195550620';
const BASIC = `Basic ${Buffer.from('host-user:host-pass').toString('base64')}`;
const ACCOUNTS: ConfigFile['accounts'] = [
  {
    id: ACCOUNT,
    users: [{ username: 'host-user', password: 'host-pass' }],
    oauthClients: [{ clientId: 'host-client', clientSecret: 'host-secret' }],
    applications: [{ id: APP }],
    numbers: [{ number: OURS, applicationId: APP }],
  },
];

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
const harness = useCallbackHarness();

/** An app that never listens (inject sets any Host), as configured. */
async function appWith(overrides: ConfigFile = {}): Promise<FastifyInstance> {
  const app = await buildApp(createEmulator(resolveConfig({ overrides: { logLevel: 'silent', accounts: ACCOUNTS, ...overrides } })));
  apps.push(app);
  return app;
}

const get = (app: FastifyInstance, host: string, url = '/__emulator/health') => app.inject({ method: 'GET', url, headers: { host } });

describe('hostName', () => {
  it('drops the port and a trailing dot, lower-cases, keeps IPv6 brackets', () => {
    expect(hostName('LocalHost:4010')).toBe('localhost');
    expect(hostName('example.com.')).toBe('example.com');
    expect(hostName('[::1]:4010')).toBe('[::1]');
    expect(hostName('emulator')).toBe('emulator');
  });
});

describe('the Host allow-list', () => {
  it('by default (127.0.0.1): loopback names and any IP address, nothing else', () => {
    const allowed = hostAllowList(resolveConfig({}));
    for (const host of [
      'localhost',
      'localhost:4010',
      'LOCALHOST.:4010',
      'app.localhost:4010',
      '127.0.0.1:4010',
      '[::1]:4010',
      '10.0.0.7:4010',
      '[fe80::1]',
      undefined,
    ]) {
      expect(allowed(host), String(host)).toBe(true);
    }
    for (const host of [
      'evil.example',
      'evil.example:4010',
      'localhost.evil.example',
      'emulator:4010',
      'host.docker.internal:4010',
      '127.0.0.1.nip.io',
      'notlocalhost',
    ]) {
      expect(allowed(host), host).toBe(false);
    }
  });

  it('listening on every interface (Docker): also names without a dot and *.docker.internal', () => {
    for (const host of ['0.0.0.0', '::']) {
      const allowed = hostAllowList(resolveConfig({ overrides: { host } }));
      for (const name of ['emulator:4010', 'bandwidth', 'host.docker.internal:4010', 'localhost:4010', '172.17.0.2:4010'])
        expect(allowed(name), `${host} ${name}`).toBe(true);
      for (const name of ['evil.example:4010', 'docker.internal.evil.example']) expect(allowed(name), `${host} ${name}`).toBe(false);
    }
  });

  it("the public URL's host, a host setting that is a name, and allowedHosts (exact, .domain, *)", () => {
    expect(hostAllowList(resolveConfig({ overrides: { publicUrl: 'https://bw.test.example:8443/base' } }))('bw.test.example')).toBe(true);
    expect(hostAllowList(resolveConfig({ overrides: { host: 'devbox.lan' } }))('devbox.lan:4010')).toBe(true);
    const allowed = hostAllowList(resolveConfig({ overrides: { allowedHosts: ['Emulator', '.corp.example'] } }));
    for (const host of ['emulator:4010', 'corp.example', 'a.b.corp.example:4010']) expect(allowed(host), host).toBe(true);
    for (const host of ['evilcorp.example', 'corp.example.evil', 'other']) expect(allowed(host), host).toBe(false);
    expect(hostAllowList(resolveConfig({ overrides: { allowedHosts: ['*'] } }))('anything.example')).toBe(true);
    // Switching the check off is said at start-up.
    expect(anyHostWarning(['*'])).toContain('DNS rebinding');
    expect(anyHostWarning(['emulator'])).toBeUndefined();
  });

  it('--allowed-hosts and BW_EMULATOR_ALLOWED_HOSTS take a comma-separated list; a port or a URL is refused with the fix', () => {
    expect(resolveConfig({ flags: { allowedHosts: 'emulator, .corp.example' } }).allowedHosts).toEqual(['emulator', '.corp.example']);
    expect(resolveConfig({ env: { BW_EMULATOR_ALLOWED_HOSTS: 'bandwidth' } }).allowedHosts).toEqual(['bandwidth']);
    for (const bad of ['emulator:4010', 'http://emulator', '*.corp.example']) {
      let error: unknown;
      try {
        resolveConfig({ flags: { allowedHosts: bad } });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(EmulatorConfigError);
      expect((error as EmulatorConfigError).problems[0], bad).toMatchObject({ source: 'flag --allowed-hosts', field: 'allowedHosts' });
    }
  });
});

describe('a request naming a host that is not allowed', () => {
  it("gets 421 on every route, in that route family's shape, and changes nothing", async () => {
    const app = await appWith();
    const evil = { host: 'rebind.evil.example:4010' };
    const json = { ...evil, 'content-type': 'application/json' };
    const create = JSON.stringify({ applicationId: APP, to: ['+19195557001'], from: OURS, text: 'hi' });

    const control = await app.inject({ method: 'GET', url: '/__emulator/state', headers: evil });
    expect(control.statusCode).toBe(421);
    expect(control.json()).toMatchObject({ error: HOST_REFUSED, message: expect.stringContaining("Host 'rebind.evil.example:4010'") });
    expect(control.json().message).toContain('--allowed-hosts rebind.evil.example');
    expect(control.body).not.toContain('messages');

    for (const url of ['/', '/__emulator/ui', '/__emulator/events', '/__emulator/no-such-route']) {
      const res = await app.inject({ method: 'GET', url, headers: evil });
      expect(res.statusCode, url).toBe(421);
      expect(res.json(), url).toMatchObject({ error: HOST_REFUSED });
    }
    const reset = await app.inject({ method: 'POST', url: '/__emulator/reset', headers: json, payload: '{}' });
    expect(reset.statusCode).toBe(421);

    for (const url of [`/users/${ACCOUNT}/messages`, `/api/v2/users/${ACCOUNT}/messages`]) {
      const res = await app.inject({ method: 'POST', url, headers: { ...json, authorization: BASIC }, payload: create });
      expect(res.statusCode, url).toBe(421);
      expect(res.json(), url).toMatchObject({ type: HOST_REFUSED, description: expect.stringContaining('DNS rebinding') });
    }
    const search = await app.inject({ method: 'GET', url: `/users/${ACCOUNT}/messages?messageDirection=OUTBOUND`, headers: { ...evil, authorization: BASIC } });
    expect(search.statusCode).toBe(421);
    const media = await app.inject({
      method: 'PUT',
      url: `/users/${ACCOUNT}/media/a.txt`,
      headers: { ...evil, authorization: BASIC, 'content-type': 'text/plain' },
      payload: 'bytes',
    });
    expect(media.statusCode).toBe(421);
    const token = await app.inject({
      method: 'POST',
      url: '/api/v1/oauth2/token',
      headers: {
        ...evil,
        authorization: `Basic ${Buffer.from('host-client:host-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'grant_type=client_credentials',
    });
    expect(token.statusCode).toBe(421);
    expect(token.json()).toMatchObject({ type: HOST_REFUSED });
    const multi = await app.inject({
      method: 'POST',
      url: `/users/${ACCOUNT}/messages/multiChannel`,
      headers: { ...json, authorization: BASIC },
      payload: '{}',
    });
    expect(multi.statusCode).toBe(421);
    expect(multi.json()).toMatchObject({ links: [], data: null, errors: [{ type: HOST_REFUSED }] });
    const unknown = await app.inject({ method: 'GET', url: '/no/such/path', headers: evil });
    expect(unknown.statusCode).toBe(421);

    // Nothing was created or stored by any of them.
    const state = await get(app, 'localhost', '/__emulator/state');
    expect(state.statusCode).toBe(200);
    expect(state.json()).toMatchObject({ messages: [], media: [] });
  });

  it('an allowed name is answered, and the links it gets name that host; a refused one gets no link at all', async () => {
    const app = await appWith({ allowedHosts: ['emulator'] });
    const upload = await app.inject({
      method: 'PUT',
      url: `/users/${ACCOUNT}/media/pic.txt`,
      headers: { host: 'emulator:4010', authorization: BASIC, 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(upload.statusCode).toBe(204);
    const listed = await app.inject({ method: 'GET', url: `/users/${ACCOUNT}/media`, headers: { host: 'emulator:4010', authorization: BASIC } });
    expect(listed.json()).toEqual([expect.objectContaining({ content: `http://emulator:4010/api/v2/users/${ACCOUNT}/media/pic.txt` })]);
    const refused = await app.inject({ method: 'GET', url: `/users/${ACCOUNT}/media`, headers: { host: 'evil.example', authorization: BASIC } });
    expect(refused.statusCode).toBe(421);
    expect(refused.body).not.toContain('/media/pic.txt');
  });

  it('over a real connection: the SDK-style URL works, a rebinding Host is refused (421)', async () => {
    const running = await startEmulator({ accounts: ACCOUNTS });
    harness.emulators.push(running);
    expect((await fetch(`${running.url}/__emulator/health`)).status).toBe(200);
    const port = new URL(running.url).port;
    const local = await undiciRequest(`${running.url}/__emulator/health`, { headers: { host: `localhost:${port}` } });
    expect(local.statusCode).toBe(200);
    await local.body.dump();
    const rebound = await undiciRequest(`${running.url}/__emulator/messages`, { headers: { host: `attacker.example:${port}` } });
    expect(rebound.statusCode).toBe(421);
    expect(await rebound.body.json()).toMatchObject({ error: HOST_REFUSED });
  });
});
