// Proxy mode, absolute-form (README "What the proxy answers"): `POST https://messaging.bandwidth.com/api/v2/...` sent in
// clear to the emulator's port is served as that path; any other target is refused from its name alone with a
// text/plain reason and one refusal log line, and is never connected to. Under a Bandwidth hostname only the paths
// Bandwidth serves there work, and links use the scheme and host the client named. Every request here goes over a
// raw socket: HTTP client libraries refuse to send most of these request lines.
import { certificatesOf } from '../../src/proxy/app-certificates.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/config/schema.js';
import { MAX_AUTHORITY_LENGTH } from '../../src/proxy/bandwidth-hosts.js';
import type { RunningEmulator } from '../../src/start.js';
import { type Sentinel, startSentinel } from '../helpers/proxy.js';
import { useEmulators } from '../helpers/fixture.js';
import { LEVEL, startLogged } from '../helpers/logs.js';
import { rawRequest } from '../helpers/raw-http.js';

const ACCOUNT = '9902100';
const APP = '0a1b2c3d-0000-4000-8000-000000002100';
const FROM = '+19195552100';
const BASIC = `Basic ${Buffer.from('proxy-user:proxy-pass').toString('base64')}`;
const CLIENT_BASIC = `Basic ${Buffer.from('proxy-client:proxy-secret').toString('base64')}`;
const MESSAGES = `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/messages`;
const json = { 'content-type': 'application/json' };
const body = (to = '+19195557100') => JSON.stringify({ applicationId: APP, to: [to], from: FROM, text: 'through the proxy' });

const accounts = (callbackUrl?: string): ConfigFile['accounts'] => [
  {
    id: ACCOUNT,
    users: [{ username: 'proxy-user', password: 'proxy-pass' }],
    oauthClients: [{ clientId: 'proxy-client', clientSecret: 'proxy-secret' }],
    applications: [{ id: APP, ...(callbackUrl ? { callbackUrl } : {}) }],
    numbers: [{ number: FROM, applicationId: APP }],
  },
];

const { start, defer: fixtureDefer } = useEmulators();
let caDir: string;
let running: RunningEmulator;
// A TCP server on loopback standing for a host the proxy must never reach: it counts connections.
let sentinel: Sentinel;

beforeAll(async () => {
  caDir = await mkdtemp(join(tmpdir(), 'bwe-absolute-ca-'));
  running = await start({ accounts: accounts(), caDir });
  sentinel = await startSentinel();
});
afterAll(async () => {
  await sentinel.close();
  await rm(caDir, { recursive: true, force: true });
});

describe('absolute-form for a Bandwidth host', () => {
  it('POST https://messaging.bandwidth.com/api/v2/users/ACCOUNT/messages is served as that path: 202, the message stored', async () => {
    const answer = await rawRequest(running.url, 'POST', MESSAGES, { host: 'messaging.bandwidth.com', authorization: BASIC, ...json }, body('+19195557101'));
    expect(answer.status).toBe(202);
    const created = JSON.parse(answer.body) as { id: string; to: string[] };
    expect(created.to).toEqual(['+19195557101']);
    expect((await running.messages.get(created.id))?.id).toBe(created.id);
  });

  it('OAuth at https://api.bandwidth.com/api/v1/oauth2/token, then the token works on messaging.bandwidth.com', async () => {
    const token = await rawRequest(
      running.url,
      'POST',
      'https://api.bandwidth.com/api/v1/oauth2/token',
      { host: 'api.bandwidth.com', authorization: CLIENT_BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      'grant_type=client_credentials',
    );
    expect(token.status).toBe(200);
    const { access_token } = JSON.parse(token.body) as { access_token: string };
    expect(running.emulator.accounts.checkBearer(ACCOUNT, access_token)).toBe('ok');
    const sent = await rawRequest(running.url, 'POST', MESSAGES, { host: 'messaging.bandwidth.com', authorization: `Bearer ${access_token}`, ...json }, body());
    expect(sent.status).toBe(202);
  });

  it('the absolute URL wins over a Host header that disagrees (RFC 9112 §3.2.2), both ways', async () => {
    const served = await rawRequest(running.url, 'POST', MESSAGES, { host: 'evil.example', authorization: BASIC, ...json }, body());
    expect(served.status).toBe(202);
    const refused = await rawRequest(running.url, 'GET', 'http://example.com/api/v2/users/x/messages', { host: 'messaging.bandwidth.com' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('example.com is refused');
  });

  it('plain http://messaging.bandwidth.com (port 80) is served too; the scheme name is case-insensitive', async () => {
    const plain = await rawRequest(
      running.url,
      'POST',
      `http://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/messages`,
      { host: 'x', authorization: BASIC, ...json },
      body(),
    );
    expect(plain.status).toBe(202);
    const upper = await rawRequest(
      running.url,
      'POST',
      `HTTPS://Messaging.Bandwidth.COM/api/v2/users/${ACCOUNT}/messages`,
      { host: 'x', authorization: BASIC, ...json },
      body(),
    );
    expect(upper.status).toBe(202);
  });

  it('a path Bandwidth does not serve under that host is its 404 with a hint, not the emulator’s root routes', async () => {
    const cases: Array<[string, string]> = [
      [`https://messaging.bandwidth.com/users/${ACCOUNT}/messages`, `use /api/v2/users/${ACCOUNT}/messages`],
      ['https://messaging.bandwidth.com/__emulator/health', 'answer at its own URL'],
      ['https://messaging.bandwidth.com/', 'under /api/v2 only'],
      ['https://messaging.bandwidth.com/api/v1/oauth2/token', 'https://api.bandwidth.com/api/v1/oauth2/token'],
      [`https://api.bandwidth.com/api/v2/users/${ACCOUNT}/messages`, 'https://messaging.bandwidth.com/api/v2'],
      ['https://api.bandwidth.com/__emulator/messages', 'only the OAuth token endpoint'],
    ];
    for (const [target, hint] of cases) {
      const answer = await rawRequest(running.url, 'GET', target, { host: 'x', authorization: BASIC });
      expect(answer.status, target).toBe(404);
      expect(answer.headers['content-type'], target).toMatch(/^application\/json/);
      const parsed = JSON.parse(answer.body) as { status: number; error: string; path: string; hint: string };
      expect(parsed, target).toMatchObject({ status: 404, error: 'Not Found', path: new URL(target).pathname });
      expect(parsed.hint, target).toContain(hint);
    }
    // The same under the Host header alone (a CONNECT tunnel or the HTTPS listener delivers requests so).
    const byHost = await running.app.inject({ method: 'GET', url: '/__emulator/health', headers: { host: 'messaging.bandwidth.com' } });
    expect(byHost.statusCode).toBe(404);
    expect(byHost.json<{ hint: string }>().hint).toContain('own URL');
    const rootRoute = await running.app.inject({
      method: 'GET',
      url: `/users/${ACCOUNT}/messages?sourceTn=${encodeURIComponent(FROM)}`,
      headers: { host: 'messaging.bandwidth.com', authorization: BASIC },
    });
    expect(rootRoute.statusCode).toBe(404);
    // The emulator's own URL still serves the root routes.
    const own = await running.app.inject({
      method: 'GET',
      url: `/users/${ACCOUNT}/messages?sourceTn=${encodeURIComponent(FROM)}`,
      headers: { authorization: BASIC },
    });
    expect(own.statusCode).toBe(200);
  });
});

describe('links in answers to a proxied request', () => {
  it('media URLs and paging links use https://messaging.bandwidth.com, though the request arrived in clear', async () => {
    const upload = await rawRequest(
      running.url,
      'PUT',
      `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media/proxy-logo.txt`,
      { host: 'x', authorization: BASIC, 'content-type': 'text/plain' },
      'hello',
    );
    expect(upload.status).toBe(204);
    const media = await rawRequest(running.url, 'GET', `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media`, { host: 'x', authorization: BASIC });
    expect(media.status).toBe(200);
    expect(JSON.parse(media.body)).toContainEqual(
      expect.objectContaining({ content: `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media/proxy-logo.txt` }),
    );

    const page = await rawRequest(running.url, 'GET', `${MESSAGES}?sourceTn=${encodeURIComponent(FROM)}&limit=1`, { host: 'x', authorization: BASIC });
    expect(page.status).toBe(200);
    const nextPage = (JSON.parse(page.body) as { pageInfo: { nextPage?: string } }).pageInfo.nextPage;
    expect(nextPage).toMatch(new RegExp(`^https://messaging\\.bandwidth\\.com/api/v2/users/${ACCOUNT}/messages\\?`));

    // The same request at the emulator's own URL keeps its own links.
    const own = await running.app.inject({ method: 'GET', url: `/api/v2/users/${ACCOUNT}/media`, headers: { authorization: BASIC } });
    expect(own.json<Array<{ content: string }>>()[0]!.content).toMatch(/^http:\/\/localhost:80\/api\/v2\//);
  });

  it('a configured publicUrl wins for media links', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bwe-absolute-public-'));
    try {
      const withPublic = await start({ accounts: accounts(), caDir: dir, publicUrl: 'https://bw.test.example' });
      await rawRequest(
        withPublic.url,
        'PUT',
        `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media/a.txt`,
        { host: 'x', authorization: BASIC, 'content-type': 'text/plain' },
        'a',
      );
      const media = await rawRequest(withPublic.url, 'GET', `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media`, {
        host: 'x',
        authorization: BASIC,
      });
      expect(JSON.parse(media.body)).toEqual([expect.objectContaining({ content: `https://bw.test.example/api/v2/users/${ACCOUNT}/media/a.txt` })]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('absolute-form for any other host is refused, and nothing is connected to', () => {
  it('example.com and 127.0.0.1:<sentinel> get 403 text/plain naming the hosts it answers; the sentinel sees no connection', async () => {
    for (const target of [
      'https://example.com/api/v2/users/1/messages',
      `http://127.0.0.1:${sentinel.port}/`,
      `http://localhost:${sentinel.port}/x`,
      'http://[::1]/',
    ]) {
      const answer = await rawRequest(running.url, 'POST', target, { host: 'x', authorization: BASIC, ...json }, body());
      expect(answer.status, target).toBe(403);
      expect(answer.headers['content-type'], target).toBe('text/plain; charset=utf-8');
      expect(answer.body, target).toContain('answers only for messaging.bandwidth.com and api.bandwidth.com');
      expect(answer.body, target).toContain('nothing is forwarded off this machine');
    }
    // The named server was never reached.
    expect(sentinel.connections()).toBe(0);
  });

  it('the refusal README "What the proxy answers" shows is the answer, byte for byte', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const shown = /<!-- snippet: checked-by test\/e2e\/proxy-absolute-form\.test\.ts[^\n]*\n```text\n([\s\S]*?)\n```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    const [statusLine, contentType, blank, reason] = shown!.split('\n');
    const answer = await rawRequest(running.url, 'GET', 'https://example.com/', { host: 'example.com' });
    expect(statusLine).toBe(`HTTP/1.1 ${answer.status} Forbidden`);
    expect(contentType).toBe(`Content-Type: ${answer.headers['content-type']}`);
    expect(blank).toBe('');
    expect(reason).toBe(answer.body.trimEnd());
  });

  it('hostile targets: bad URL, other schemes, userinfo, a huge host, a Bandwidth host on another port', async () => {
    const cases: Array<[string, number, string]> = [
      ['http://bad%zzhost/x', 400, 'not a valid absolute URL'],
      ['http://[::1/x', 400, 'not a valid absolute URL'],
      ['ftp://messaging.bandwidth.com/api/v2', 400, 'http:// and https:// URLs only'],
      ['ws://messaging.bandwidth.com/api/v2', 400, 'http:// and https:// URLs only'],
      [`https://proxy-user:proxy-pass@messaging.bandwidth.com/api/v2/users/${ACCOUNT}/messages`, 400, 'carries credentials'],
      [`https://${'a'.repeat(MAX_AUTHORITY_LENGTH)}.com/`, 400, `a host:port is at most ${MAX_AUTHORITY_LENGTH}`],
      [`https://messaging.bandwidth.com:8443/api/v2/users/${ACCOUNT}/messages`, 403, 'ports 443 and 80 only, not 8443'],
      [`https://messaging.bandwidth.com:80/api/v2/users/${ACCOUNT}/messages`, 403, "https scheme's default port only, not 80"],
      [`http://api.bandwidth.com:443/api/v1/oauth2/token`, 403, "http scheme's default port only, not 443"],
    ];
    for (const [target, status, reason] of cases) {
      const answer = await rawRequest(running.url, 'POST', target, { host: 'messaging.bandwidth.com', authorization: BASIC, ...json }, body());
      expect(answer.status, target).toBe(status);
      expect(answer.headers['content-type'], target).toBe('text/plain; charset=utf-8');
      expect(answer.body, target).toContain(reason);
      expect(answer.body, target).not.toContain('proxy-pass');
    }
    // The emulator still answers normally afterwards.
    expect((await running.app.inject({ method: 'GET', url: '/__emulator/health' })).statusCode).toBe(200);
  });

  it('the absolute URL is bounded by Node’s 16 KiB header limit: 431 past it; 8 KiB still routes', async () => {
    const long = await rawRequest(running.url, 'GET', `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media/${'x'.repeat(20_000)}`, {
      host: 'x',
      authorization: BASIC,
    });
    expect(long.status).toBe(431);
    const fits = await rawRequest(running.url, 'GET', `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media/${'x'.repeat(8_000)}`, {
      host: 'x',
      authorization: BASIC,
    });
    expect(fits.status).toBe(404);
    // The media route's own 404 (Bandwidth's error shape), not the router's: the 8 KiB target was routed.
    expect(JSON.parse(fits.body)).toMatchObject({ type: 'not-found' });
  });
});

describe('refusal logs and proxy mode off', () => {
  it('one info line per refused target, with the absolute URL as path and never the userinfo', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bwe-absolute-logs-'));
    const logged = await startLogged({ accounts: accounts(), proxy: { caDir: dir } }, 'info');
    try {
      await rawRequest(logged.url, 'GET', 'https://example.com/secret-path?token=query-secret', { host: 'x' });
      await rawRequest(logged.url, 'GET', 'https://someone:log@secret@messaging.bandwidth.com/api/v2', { host: 'x' });
      await rawRequest(logged.url, 'GET', `https://messaging.bandwidth.com/users/${ACCOUNT}/messages`, { host: 'x' });
      const refusals = logged.lines().filter((l) => l.level === LEVEL.info && typeof l.status === 'number');
      expect(refusals.map((l) => [l.status, l.path])).toEqual([
        [403, 'https://example.com/secret-path'],
        [400, 'https://[redacted]@messaging.bandwidth.com/api/v2'],
        [404, `https://messaging.bandwidth.com/users/${ACCOUNT}/messages`],
      ]);
      expect(String(refusals[0]!.reason)).toMatch(/^proxy: .*example\.com is refused/);
      expect(String(refusals[2]!.reason)).toContain('not served under messaging.bandwidth.com');
      expect(logged.raw.join('\n')).not.toMatch(/someone|secret@|query-secret/);
    } finally {
      await logged.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a served absolute-form request keeps its original target in the debug log (without the query)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bwe-absolute-debug-'));
    const logged = await startLogged({ accounts: accounts(), proxy: { caDir: dir } }, 'debug');
    try {
      const answer = await rawRequest(logged.url, 'GET', `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media?x=query-secret`, {
        host: 'x',
        authorization: BASIC,
      });
      expect(answer.status).toBe(200);
      const served = logged.lines().filter((l) => l.msg === 'absolute-form proxy request served');
      expect(served.map((l) => l.target)).toEqual([`https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media`]);
    } finally {
      await logged.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('with proxy.enabled false every absolute-form request is refused naming --proxy, and Bandwidth Host names get 421', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bwe-absolute-off-'));
    try {
      const off = await start({ accounts: accounts(), proxy: { enabled: false, caDir: dir } });
      for (const target of [MESSAGES, 'https://example.com/']) {
        const answer = await rawRequest(off.url, 'POST', target, { host: 'messaging.bandwidth.com', authorization: BASIC, ...json }, body());
        expect(answer.status, target).toBe(403);
        expect(answer.body, target).toContain('proxy mode is off');
        expect(answer.body, target).toContain('--proxy');
      }
      const byHost = await off.app.inject({
        method: 'GET',
        url: `/api/v2/users/${ACCOUNT}/media`,
        headers: { host: 'messaging.bandwidth.com', authorization: BASIC },
      });
      expect(byHost.statusCode).toBe(421);
      expect(await off.messages.list()).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('under a Bandwidth name over TLS (as a CONNECT tunnel or the HTTPS listener delivers requests)', () => {
  /** A TLS front on 127.0.0.1:0 with the app's CA, handing each decrypted connection to the emulator's own server. */
  async function tlsFront(): Promise<{ port: number; ca: string }> {
    const authority = await certificatesOf(running.app).get();
    const front = createTlsServer({ SNICallback: (name, done) => void authority.secureContext(name).then((context) => done(null, context), done) }, (socket) =>
      running.app.server.emit('connection', socket),
    );
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    fixtureDefer(() => new Promise<void>((resolve) => front.close(() => resolve())));
    return { port: (front.address() as { port: number }).port, ca: authority.certPem };
  }

  function tlsRequest(front: { port: number; ca: string }, host: string, method: string, path: string, headers: Record<string, string> = {}, payload = '') {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: front.port, servername: host, ca: front.ca, method, path, headers: { host, ...headers }, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  it('links say https://messaging.bandwidth.com (req.protocol is https), and only Bandwidth’s paths answer', async () => {
    const front = await tlsFront();
    const host = 'messaging.bandwidth.com';
    const up = await tlsRequest(front, host, 'PUT', `/api/v2/users/${ACCOUNT}/media/tls.txt`, { authorization: BASIC, 'content-type': 'text/plain' }, 'tls');
    expect(up.status).toBe(204);
    const list = await tlsRequest(front, host, 'GET', `/api/v2/users/${ACCOUNT}/media`, { authorization: BASIC });
    expect(JSON.parse(list.body)).toContainEqual(expect.objectContaining({ content: `https://messaging.bandwidth.com/api/v2/users/${ACCOUNT}/media/tls.txt` }));
    const sent = await tlsRequest(front, host, 'POST', `/api/v2/users/${ACCOUNT}/messages`, { authorization: BASIC, ...json }, body());
    expect(sent.status).toBe(202);
    const root = await tlsRequest(front, host, 'POST', `/users/${ACCOUNT}/messages`, { authorization: BASIC, ...json }, body());
    expect(root.status).toBe(404);
    expect((JSON.parse(root.body) as { hint: string }).hint).toContain('/api/v2');
    const token = await tlsRequest(
      front,
      'api.bandwidth.com',
      'POST',
      '/api/v1/oauth2/token',
      { authorization: CLIENT_BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      'grant_type=client_credentials',
    );
    expect(token.status).toBe(200);
  });
});
