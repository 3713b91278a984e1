// CONNECT tunnels (README "What the proxy answers"): a client with HTTPS_PROXY reaches https://messaging.bandwidth.com
// and https://api.bandwidth.com through the emulator, TLS terminated with a leaf of the test's own CA, and is served
// exactly as on the emulator's URL (OAuth, Basic, the 202, the callback). Every other target is refused by name, and
// nothing is ever dialled: a sentinel server named by a refused CONNECT is never reached. The bounds (tunnels at once,
// a handshake that never ends, garbage for a ClientHello, idle tunnels, closing with tunnels open) are each gone past.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { fetch, ProxyAgent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/compose.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { TunnelBounds } from '../../src/proxy/connect-tunnel.js';
import { listenOnAllDoors } from '../../src/proxy/front-doors.js';
import { buildApp } from '../../src/server.js';
import type { StartOptions } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import {
  basicAuth,
  closedWithin,
  messagePost,
  PROXY_ACCOUNT,
  proxyMessage,
  proxyStartOptions,
  rawConnect,
  requestOn,
  type Sentinel,
  startSentinel,
  tempCaDir,
  tlsOver,
  trustedCa,
} from '../helpers/proxy.js';

const run = promisify(execFile);
const { start, newSink, defer } = useEmulators();
const ca = tempCaDir();
afterAll(() => ca.remove());

/** An emulator as the CLI builds it, with shortened tunnel bounds and its log lines kept. */
async function startBounded(bounds: Partial<TunnelBounds>, options: StartOptions = {}) {
  const raw: string[] = [];
  const logger = pino({ level: 'debug', base: undefined }, { write: (line: string) => void raw.push(line) });
  const config = resolveConfig({ overrides: { port: 0, ...proxyStartOptions(ca.dir, 'http://127.0.0.1:9/unused'), ...options } });
  const emulator = createEmulator(config, { logger });
  const app = await buildApp(emulator, bounds);
  const doors = await listenOnAllDoors(app, config);
  defer(() => app.close());
  return { app, emulator, ...doors, lines: () => raw.map((line) => JSON.parse(line) as { level: number; msg: string; status?: number }) };
}

/** A sentinel closed with the test that started it. */
async function sentinel(): Promise<Sentinel> {
  const started = await startSentinel();
  defer(() => started.close());
  return started;
}

describe('CONNECT tunnels to the Bandwidth hosts', () => {
  it('undici ProxyAgent: the OAuth token at api.bandwidth.com, then a 202 at messaging.bandwidth.com whose callback reaches the sink', async () => {
    const sink = await newSink();
    const running = await start(proxyStartOptions(ca.dir, sink.url));
    const agent = new ProxyAgent({ uri: running.proxyUrl, requestTls: { ca: await trustedCa(running) } });
    defer(() => agent.close());
    const token = await fetch('https://api.bandwidth.com/api/v1/oauth2/token', {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: basicAuth(PROXY_ACCOUNT.clientId, PROXY_ACCOUNT.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const sent = await fetch(`https://messaging.bandwidth.com/api/v2/users/${PROXY_ACCOUNT.id}/messages`, {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: proxyMessage('+19195553001', 'through the tunnel'),
    });
    expect(sent.status).toBe(202);
    const message = (await sent.json()) as { id: string; owner: string };
    expect(message.owner).toBe(PROXY_ACCOUNT.from);
    const delivered = await running.callbacks.waitFor({ messageId: message.id, type: 'message-delivered' }, { timeoutMs: 5000 });
    expect(delivered.outcome).toBe('delivered');
    expect(sink.requests.some((r) => JSON.stringify(r.body).includes(message.id))).toBe(true);
    // The same auth as on the emulator's URL: a wrong password is a 401 through the tunnel too.
    const wrong = await fetch(`https://messaging.bandwidth.com/api/v2/users/${PROXY_ACCOUNT.id}/messages`, {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: basicAuth(PROXY_ACCOUNT.username, 'wrong'), 'content-type': 'application/json' },
      body: proxyMessage('+19195553001', 'wrong password'),
    });
    expect(wrong.status).toBe(401);
    // Served as itself over https: a link it hands out names https and the host the tunnel was opened to.
    const auth = basicAuth(PROXY_ACCOUNT.username, PROXY_ACCOUNT.password);
    const media = `https://messaging.bandwidth.com/api/v2/users/${PROXY_ACCOUNT.id}/media`;
    const put = await fetch(`${media}/tunnel-link.txt`, {
      dispatcher: agent,
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(put.status).toBeLessThan(300);
    const listed = (await (await fetch(media, { dispatcher: agent, headers: { authorization: auth } })).json()) as Array<{ content: string }>;
    expect(listed.map((m) => m.content)).toEqual([`${media}/tunnel-link.txt`]);
  });

  it('the must-show: curl -x PROXY --cacert CA https://messaging.bandwidth.com/api/v2/users/ACCOUNT/messages answers 202', async (ctx) => {
    try {
      await run('curl', ['--version']);
    } catch {
      if (process.env.CI) throw new Error('curl is not installed; CI is set, so the test fails instead of skipping (.ci/run installs it)');
      return ctx.skip('curl is not installed (apt-get install -y curl)');
    }
    const sink = await newSink();
    const running = await start(proxyStartOptions(ca.dir, sink.url));
    await trustedCa(running);
    const { stdout } = await run(
      'curl',
      [
        '-sS',
        '-x',
        running.proxyUrl,
        '--cacert',
        running.caCertPath,
        '-u',
        `${PROXY_ACCOUNT.username}:${PROXY_ACCOUNT.password}`,
        '-H',
        'Content-Type: application/json',
        '-d',
        proxyMessage('+19195553002', 'from curl'),
        '-w',
        '\n%{http_code}',
        `https://messaging.bandwidth.com/api/v2/users/${PROXY_ACCOUNT.id}/messages`,
      ],
      { env: { PATH: process.env.PATH }, timeout: 30_000 },
    );
    const [body, status] = stdout.split('\n');
    expect(status).toBe('202');
    const { id } = JSON.parse(body!) as { id: string };
    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, { timeoutMs: 5000 });
    expect(sink.requests.some((r) => JSON.stringify(r.body).includes(id))).toBe(true);
  });

  it('curl to any other host through the proxy is refused, with the reason and a log line, and nothing is dialled', async (ctx) => {
    try {
      await run('curl', ['--version']);
    } catch {
      if (process.env.CI) throw new Error('curl is not installed; CI is set, so the test fails instead of skipping');
      return ctx.skip('curl is not installed (apt-get install -y curl)');
    }
    const target = await sentinel();
    const emulator = await startBounded({});
    for (const url of [`https://127.0.0.1:${target.port}/`, `https://localhost:${target.port}/`, 'https://example.com/']) {
      const refused = await run('curl', ['-sS', '-x', emulator.proxyUrl, '--max-time', '10', url], { env: { PATH: process.env.PATH } }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused, url).toBeDefined();
      expect(refused!.stderr).toMatch(/CONNECT tunnel failed, response 403|Received HTTP code 403 from proxy after CONNECT/);
    }
    // The reason, as the client's error shows it.
    const answer = await rawConnect(emulator.proxyUrl, `127.0.0.1:${target.port}`);
    expect(answer.status).toBe(403);
    expect(answer.text).toMatch(/Content-Type: text\/plain/);
    expect(answer.text).toMatch(/Connection: close/);
    expect(answer.text).toContain('answers only for messaging.bandwidth.com and api.bandwidth.com; 127.0.0.1 is refused and nothing is forwarded');
    await closedWithin(answer.socket, 5000);
    expect(target.connections()).toBe(0);
    // A Bandwidth host on another port is refused too, by name: never resolved, never dialled.
    const port = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:8443');
    expect(port.status).toBe(403);
    expect(port.text).toContain('ports 443 and 80 only');
    const long = await rawConnect(emulator.proxyUrl, `${'a'.repeat(300)}.com:443`);
    expect(long.status).toBe(400);
    const lines = emulator.lines().filter((l) => l.msg.startsWith('403 CONNECT '));
    expect(lines.map((l) => l.msg)).toContainEqual(
      expect.stringContaining(`403 CONNECT 127.0.0.1:${target.port}: the bandwidth-emulator proxy answers only for`),
    );
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(target.connections()).toBe(0);
  });

  it('costs nothing at start: the CA folder is made by the first :443 tunnel, not before', async () => {
    const caDir = join(ca.dir, 'lazy');
    const emulator = await startBounded({}, { caDir });
    const plain = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:80');
    expect(plain.status).toBe(200);
    plain.socket.destroy();
    expect(existsSync(caDir)).toBe(false);
    const tunnel = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    expect(tunnel.status).toBe(200);
    // The first tunnel waited for the CA to be made (a 2048-bit RSA key) and its first leaf: about 0.5-1 s here.
    expect(existsSync(join(caDir, 'ca.pem'))).toBe(true);
    tunnel.socket.destroy();
  });

  it('a :80 tunnel stays plain, and a request sent with the CONNECT (its head bytes) is served', async () => {
    const emulator = await startBounded({});
    const tunnel = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:80');
    expect(tunnel.status).toBe(200);
    const inside = await requestOn(tunnel.socket, messagePost('messaging.bandwidth.com'), proxyMessage('+19195553003', 'plain tunnel'));
    expect(inside.status).toBe(202);
    tunnel.socket.destroy();
    // The request in the same packet as the CONNECT: Node hands it over as `head`, and it must not be lost.
    const body = proxyMessage('+19195553004', 'head bytes');
    const eager = await rawConnect(
      emulator.proxyUrl,
      'messaging.bandwidth.com:80',
      `${messagePost('messaging.bandwidth.com')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    expect(eager.status).toBe(200);
    const rest = eager.text.includes('HTTP/1.1 202')
      ? eager.text
      : `${eager.text}${await new Promise<string>((resolve) => eager.socket.once('data', (c: Buffer) => resolve(c.toString())))}`;
    expect(rest).toContain('HTTP/1.1 202');
    eager.socket.destroy();
    // urllib3 (Python's SDK) sends its CONNECT as HTTP/1.0.
    const old = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:80', '', '1.0');
    expect(old.status).toBe(200);
    expect((await requestOn(old.socket, messagePost('messaging.bandwidth.com'), proxyMessage('+19195553009', 'HTTP/1.0 CONNECT'))).status).toBe(202);
    old.socket.destroy();
  });

  it('with proxy mode off, a CONNECT is refused with a reason naming --proxy', async () => {
    const emulator = await startBounded({}, { proxy: { enabled: false } });
    const answer = await rawConnect(emulator.url, 'messaging.bandwidth.com:443');
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('proxy mode is off');
    expect(answer.text).toContain('--proxy');
  });

  it('a CA folder that cannot be used answers 502 with the configuration error', async () => {
    const file = join(ca.dir, 'not-a-folder');
    writeFileSync(file, 'a file where the CA folder should be');
    const emulator = await startBounded({}, { caDir: file });
    const answer = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    expect(answer.status).toBe(502);
    expect(answer.text).toContain("the emulator's local CA cannot be opened");
    expect(answer.text).toContain('proxy.caDir');
    expect(answer.text).toContain('--ca-dir');
  });
});

describe('CONNECT bounds', () => {
  it('past the most tunnels at once a CONNECT gets 503; a closed tunnel frees its place', async () => {
    const emulator = await startBounded({ maxTunnels: 3 });
    const open = [];
    for (let i = 0; i < 3; i++) {
      const tunnel = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:80');
      expect(tunnel.status).toBe(200);
      open.push(tunnel.socket);
    }
    const past = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    expect(past.status).toBe(503);
    expect(past.text).toContain('3 tunnels are open, the most this emulator keeps (3)');
    open[0]!.destroy();
    // The emulator sees the close a moment later: each attempt is a real round trip, at most 50 of them.
    let again = 503;
    for (let i = 0; i < 50 && again === 503; i++) {
      const attempt = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:80');
      again = attempt.status;
      attempt.socket.destroy();
    }
    expect(again).toBe(200);
    for (const socket of open) socket.destroy();
  });

  it('a TLS handshake that never starts is dropped after the handshake timeout', async () => {
    const emulator = await startBounded({ handshakeTimeoutMs: 300 });
    const tunnel = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    expect(tunnel.status).toBe(200);
    const began = Date.now();
    await closedWithin(tunnel.socket, 5000);
    expect(Date.now() - began).toBeGreaterThanOrEqual(250);
    expect(emulator.lines().some((l) => l.msg.includes('no TLS handshake within 300 ms'))).toBe(true);
  });

  it('garbage instead of a ClientHello closes that tunnel, and the emulator serves on', async () => {
    const emulator = await startBounded({});
    const caPem = await trustedCa(emulator);
    for (const garbage of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', '\x16\x03\x01\x00\x05hello', Buffer.alloc(70_000, 0xff).toString('latin1')]) {
      const tunnel = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
      expect(tunnel.status).toBe(200);
      tunnel.socket.write(Buffer.from(garbage, 'latin1'));
      await closedWithin(tunnel.socket, 5000);
    }
    const good = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    const secured = await tlsOver(good.socket, 'messaging.bandwidth.com', caPem);
    expect((await requestOn(secured, messagePost('messaging.bandwidth.com'), proxyMessage('+19195553005', 'after garbage'))).status).toBe(202);
    secured.destroy();
  });

  it('an idle tunnel is closed after the idle timeout, before and after its TLS handshake; a slow request is not', async () => {
    const emulator = await startBounded({ idleTimeoutMs: 300 });
    const caPem = await trustedCa(emulator);
    const plain = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:80');
    const tunnel = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    const secured = await tlsOver(tunnel.socket, 'messaging.bandwidth.com', caPem);
    const began = Date.now();
    await Promise.all([closedWithin(plain.socket, 5000), closedWithin(secured, 5000)]);
    expect(Date.now() - began).toBeGreaterThanOrEqual(250);
    // A request in flight for longer than the idle timeout (a scripted 700 ms delay) is not cut.
    emulator.emulator.useScenario({ version: 1, name: 'slow', rules: [{ match: { tag: 'slow' }, apiFault: { delay: '700ms' } }] }, PROXY_ACCOUNT.id);
    const busy = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    const securedBusy = await tlsOver(busy.socket, 'messaging.bandwidth.com', caPem);
    const slow = JSON.stringify({ ...JSON.parse(proxyMessage('+19195553008', 'slow')), tag: 'slow' });
    expect((await requestOn(securedBusy, messagePost('messaging.bandwidth.com'), slow)).status).toBe(202);
    await closedWithin(securedBusy, 5000);
  });

  it('app.close() with tunnels open (idle, mid-handshake, after a request, one in flight) finishes promptly', async () => {
    // On the proxy's own port: its door and the tunnel both follow the socket, and neither cuts the request in flight.
    const emulator = await startBounded({}, { proxyPort: 0 });
    expect(emulator.proxyUrl).not.toBe(emulator.url);
    const caPem = await trustedCa(emulator);
    const idle = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:80');
    const handshaking = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    const used = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    const secured = await tlsOver(used.socket, 'messaging.bandwidth.com', caPem);
    expect((await requestOn(secured, messagePost('messaging.bandwidth.com'), proxyMessage('+19195553006', 'before close'))).status).toBe(202);
    const quiet = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    const securedQuiet = await tlsOver(quiet.socket, 'messaging.bandwidth.com', caPem);
    // A request in flight when close begins (a scripted 400 ms delay) is answered, then its tunnel closes.
    emulator.emulator.useScenario({ version: 1, name: 'slow', rules: [{ match: { tag: 'slow' }, apiFault: { delay: '400ms' } }] }, PROXY_ACCOUNT.id);
    const busy = await rawConnect(emulator.proxyUrl, 'messaging.bandwidth.com:443');
    const securedBusy = await tlsOver(busy.socket, 'messaging.bandwidth.com', caPem);
    const arrived = once(emulator.app.server, 'request');
    const answered = requestOn(
      securedBusy,
      messagePost('messaging.bandwidth.com'),
      JSON.stringify({ ...JSON.parse(proxyMessage('+19195553007', 'in flight')), tag: 'slow' }),
    );
    await arrived;
    const began = Date.now();
    await emulator.app.close();
    const took = Date.now() - began;
    expect(took).toBeLessThan(1500);
    expect((await answered).status).toBe(202);
    await Promise.all([
      closedWithin(idle.socket, 2000),
      closedWithin(handshaking.socket, 2000),
      closedWithin(secured, 2000),
      closedWithin(securedQuiet, 2000),
      closedWithin(securedBusy, 2000),
    ]);
  });
});
