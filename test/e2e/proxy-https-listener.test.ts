// The HTTPS listener (README "The HTTPS listener"): `httpsPort` serves everything the plain port serves over TLS, with
// leaves from the local CA picked by SNI (localhost, the Bandwidth hosts, the names the host guard answers), the leaf
// of the address reached for a client without SNI, and nothing issued for a name the emulator does not answer to.
// Also the proxy's own port (`proxyPort`), the listen errors of both, and closing with their connections open.
import { certificatesOf } from '../../src/proxy/app-certificates.js';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fetch, ProxyAgent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmulator } from '../../src/compose.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { ListenError, listenOnAllDoors } from '../../src/proxy/front-doors.js';
import { buildApp } from '../../src/server.js';
import { startEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import { basicAuth, closedWithin, messagePost, PROXY_ACCOUNT, proxyMessage, proxyStartOptions, requestOn, tempCaDir, trustedCa } from '../helpers/proxy.js';

const run = promisify(execFile);
const { start, newSink, defer } = useEmulators();
const ca = tempCaDir();
afterAll(() => ca.remove());

/** A TLS connection to the HTTPS listener, sending `servername` as SNI (none when undefined), trusting only `caPem`. */
function dial(httpsUrl: string, servername: string | undefined, caPem: string): Promise<TLSSocket> {
  const { port } = new URL(httpsUrl);
  return new Promise((resolve, reject) => {
    // Node sends no SNI when the host is an IP address and no servername is given.
    const socket = tlsConnect(
      { host: '127.0.0.1', port: Number(port), ca: caPem, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...(servername ? { servername } : {}) },
      () => resolve(socket),
    );
    socket.once('error', reject);
  });
}

const sans = (socket: TLSSocket) => socket.getPeerCertificate().subjectaltname;
/** The leaf of a client without SNI: the address it reached, and the loopback names (a port mapping hides the address). */
const ADDRESS_LEAF = 'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost';

async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as AddressInfo).port, server };
}

describe('the HTTPS listener', () => {
  it('opens the CA at start and picks the leaf by SNI: localhost, messaging.bandwidth.com, none (the IP reached)', async () => {
    const sink = await newSink();
    const running = await start(proxyStartOptions(ca.dir, sink.url, { httpsPort: 0 }));
    expect(running.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // Opened at start, so a broken CA folder stops start-up instead of the first handshake.
    expect(existsSync(running.caCertPath)).toBe(true);
    const caPem = await trustedCa(running);
    for (const [servername, san] of [
      ['localhost', 'DNS:localhost'],
      ['messaging.bandwidth.com', 'DNS:messaging.bandwidth.com'],
      [undefined, ADDRESS_LEAF],
    ] as const) {
      const socket = await dial(running.httpsUrl!, servername, caPem);
      expect(socket.authorized, `${servername}: ${socket.authorizationError}`).toBe(true);
      expect(sans(socket)).toBe(san);
      expect(socket.alpnProtocol).toBe('http/1.1');
      const answer = await requestOn(socket, messagePost(servername ?? '127.0.0.1'), proxyMessage('+19195553101', `over HTTPS to ${servername ?? 'no SNI'}`));
      expect(answer.status, answer.text).toBe(202);
      socket.destroy();
    }
    // Served as itself over https: a link it hands out names https and the host the client used.
    const put = await fetch(`${running.url}/api/v2/users/${PROXY_ACCOUNT.id}/media/https-link.txt`, {
      method: 'PUT',
      headers: { authorization: basicAuth(PROXY_ACCOUNT.username, PROXY_ACCOUNT.password), 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(put.status).toBeLessThan(300);
    const socket = await dial(running.httpsUrl!, 'messaging.bandwidth.com', caPem);
    const list = await requestOn(
      socket,
      `GET /api/v2/users/${PROXY_ACCOUNT.id}/media HTTP/1.1\r\nHost: messaging.bandwidth.com\r\nAuthorization: ${basicAuth(PROXY_ACCOUNT.username, PROXY_ACCOUNT.password)}`,
    );
    expect(list.text).toContain(`"content":"https://messaging.bandwidth.com/api/v2/users/${PROXY_ACCOUNT.id}/media/https-link.txt"`);
    socket.destroy();
  });

  it('issues nothing for an SNI name the emulator does not answer to: such a client gets the leaf of the address it reached', async () => {
    const running = await start(proxyStartOptions(ca.dir, 'http://127.0.0.1:9/unused', { httpsPort: 0 }));
    const caPem = await trustedCa(running);
    const addressLeaf = () =>
      certificatesOf(running.app)
        .get()
        .then((c) => c.leafPem('127.0.0.1', ['::1', 'localhost']));
    const before = await addressLeaf();
    for (let i = 0; i < 80; i++) {
      const socket = await dial(running.httpsUrl!, `hostile-${i}.example.net`, caPem);
      expect(sans(socket)).toBe(ADDRESS_LEAF);
      expect(socket.authorized).toBe(false);
      socket.destroy();
    }
    // Still the same cached leaf: 80 names issued nothing and evicted nothing.
    expect(await addressLeaf()).toBe(before);
  });

  it('curl --cacert CA https://127.0.0.1:PORT and, by name, --resolve messaging.bandwidth.com:PORT:127.0.0.1 answer 202', async (ctx) => {
    try {
      await run('curl', ['--version']);
    } catch {
      if (process.env.CI) throw new Error('curl is not installed; CI is set, so the test fails instead of skipping');
      return ctx.skip('curl is not installed (apt-get install -y curl)');
    }
    const running = await start(proxyStartOptions(ca.dir, 'http://127.0.0.1:9/unused', { httpsPort: 0 }));
    await trustedCa(running);
    const port = new URL(running.httpsUrl!).port;
    const send = (url: string, ...more: string[]) =>
      run(
        'curl',
        [
          '-sS',
          '--cacert',
          running.caCertPath,
          ...more,
          '-u',
          `${PROXY_ACCOUNT.username}:${PROXY_ACCOUNT.password}`,
          '-H',
          'Content-Type: application/json',
          '-d',
          proxyMessage('+19195553102', 'curl over https'),
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          url,
        ],
        { env: { PATH: process.env.PATH }, timeout: 30_000 },
      );
    expect((await send(`${running.httpsUrl}/api/v2/users/${PROXY_ACCOUNT.id}/messages`)).stdout).toBe('202');
    expect(
      (
        await send(
          `https://messaging.bandwidth.com:${port}/api/v2/users/${PROXY_ACCOUNT.id}/messages`,
          '--resolve',
          `messaging.bandwidth.com:${port}:127.0.0.1`,
        )
      ).stdout,
    ).toBe('202');
  });

  it('a handshake that never comes is dropped after the timeout, past the most at once at once; closing the app with HTTPS connections open is prompt', async () => {
    const config = resolveConfig({ overrides: { port: 0, logLevel: 'silent', ...proxyStartOptions(ca.dir, 'http://127.0.0.1:9/unused', { httpsPort: 0 }) } });
    const emulator = createEmulator(config);
    const app = await buildApp(emulator);
    const doors = await listenOnAllDoors(app, config, { handshakeTimeoutMs: 300, maxHandshakes: 3 });
    defer(() => app.close());
    const caPem = await trustedCa({ app });
    const { port } = new URL(doors.httpsUrl!);
    const silent = connect(Number(port), '127.0.0.1');
    await once(silent, 'connect');
    const began = Date.now();
    // Past the most handshakes at once (3 here), a new connection is dropped at once; a finished one frees its place.
    const more = [connect(Number(port), '127.0.0.1'), connect(Number(port), '127.0.0.1')];
    await Promise.all(more.map((socket) => once(socket, 'connect')));
    const past = connect(Number(port), '127.0.0.1');
    await closedWithin(past, 250);
    await Promise.all([silent, ...more].map((socket) => closedWithin(socket, 5000)));
    expect(Date.now() - began).toBeGreaterThanOrEqual(250);
    const idle = await dial(doors.httpsUrl!, 'localhost', caPem);
    const used = await dial(doors.httpsUrl!, 'localhost', caPem);
    expect((await requestOn(used, messagePost('localhost'), proxyMessage('+19195553103', 'before close'))).status).toBe(202);
    // A request in flight when close begins (a scripted 400 ms delay) is answered before the emulator closes.
    emulator.useScenario({ version: 1, name: 'slow', rules: [{ match: { tag: 'slow' }, apiFault: { delay: '400ms' } }] }, PROXY_ACCOUNT.id);
    const busy = await dial(doors.httpsUrl!, 'localhost', caPem);
    const arrived = once(app.server, 'request');
    const answered = requestOn(busy, messagePost('localhost'), JSON.stringify({ ...JSON.parse(proxyMessage('+19195553104', 'in flight')), tag: 'slow' }));
    await arrived;
    const closing = Date.now();
    await app.close();
    expect(Date.now() - closing).toBeLessThan(1500);
    expect((await answered).status).toBe(202);
    await Promise.all([closedWithin(idle, 2000), closedWithin(used, 2000), closedWithin(busy, 2000)]);
  });
});

describe("the proxy's own port", () => {
  it('proxyPort opens a plain listener of its own that tunnels to the Bandwidth hosts', async () => {
    const sink = await newSink();
    const running = await start(proxyStartOptions(ca.dir, sink.url, { proxyPort: 0 }));
    expect(running.proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.proxyUrl).not.toBe(running.url);
    const agent = new ProxyAgent({ uri: running.proxyUrl, requestTls: { ca: await trustedCa(running) } });
    defer(() => agent.close());
    const sent = await fetch(`https://messaging.bandwidth.com/api/v2/users/${PROXY_ACCOUNT.id}/messages`, {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: basicAuth(PROXY_ACCOUNT.username, PROXY_ACCOUNT.password), 'content-type': 'application/json' },
      body: proxyMessage('+19195553104', 'through the proxy port'),
    });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    await running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, { timeoutMs: 5000 });
  });

  it('a port in use is explained with the option that chose it', async () => {
    const taken = await busyPort();
    for (const [options, flag] of [
      [{ proxyPort: taken.port }, '--proxy-port'],
      [{ httpsPort: taken.port }, '--https-port'],
    ] as const) {
      const error = await startEmulator({ caDir: ca.dir, ...options }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ListenError);
      expect((error as ListenError).code).toBe('EADDRINUSE');
      expect((error as Error).message).toBe(
        `cannot listen on 127.0.0.1:${taken.port}: the port is already in use. Fix: pick another ${flag} (0 picks a free one), or stop what uses it`,
      );
    }
  });

  it('a CA folder the HTTPS listener cannot use stops start-up with the configuration error', async () => {
    const file = `${ca.dir}/plain-file`;
    writeFileSync(file, 'not a folder');
    const error = await startEmulator({ caDir: file, httpsPort: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('EmulatorConfigError');
    expect((error as Error).message).toContain('proxy.caDir');
  });
});

describe('the CLI with --https-port and --proxy-port', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  /** Run the CLI (the built bundle, as cli-lifecycle.test.ts does) until it prints `until`, or exits. */
  function cli(args: string[]) {
    const child = spawn(process.execPath, ['bin/bandwidth-emulator.js', '--port', '0', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    defer(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const printed = (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not printed: ${pattern}\n${stdout}\n${stderr}`)), 15_000);
        const check = () => {
          const match = pattern.exec(stdout);
          if (!match) return;
          clearTimeout(timer);
          resolve(match);
        };
        child.stdout.on('data', check);
        void exited.then(() => reject(new Error(`exited before printing ${pattern}\n${stdout}\n${stderr}`)));
        check();
      });
    return { child, printed, exited, output: () => stdout + stderr };
  }

  it('the banner names the proxy, the CA and the HTTPS URL, and the HTTPS listener answers 202; SIGTERM closes every door', async () => {
    const running = cli(['--https-port', '0', '--proxy-port', '0', '--ca-dir', ca.dir]);
    const [, httpsUrl] = await running.printed(/ {2}HTTPS {9}(https:\/\/127\.0\.0\.1:\d+) {2}\(certificates from the local CA\)/);
    const output = running.output();
    expect(output).toMatch(
      / {2}proxy {9}HTTPS_PROXY=http:\/\/127\.0\.0\.1:\d+ {2}\(Bandwidth hosts only: messaging\.bandwidth\.com, api\.bandwidth\.com; any other host is refused\)/,
    );
    expect(output).toContain(`  local CA      ${ca.dir}/ca.pem  (run \`bandwidth-emulator ca\` to trust it)`);
    const proxyUrl = /HTTPS_PROXY=(\S+)/.exec(output)![1]!;
    expect(proxyUrl).not.toBe(/listening on (\S+)/.exec(output)![1]);
    const socket = await dial(httpsUrl!, 'api.bandwidth.com', readFileSync(`${ca.dir}/ca.pem`, 'utf8'));
    expect(socket.authorized).toBe(true);
    const answer = await requestOn(
      socket,
      `POST /api/v2/users/9900000/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basicAuth('bw-user', 'bw-password')}\r\nContent-Type: application/json`,
      JSON.stringify({ from: '+19195550100', to: ['+19195551234'], text: 'cli https', applicationId: '93de2206-9669-4e07-948d-329f4b722ee2' }),
    );
    expect(answer.status, answer.text).toBe(202);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    await closedWithin(socket, 2000);
  });

  it('a --ca-dir the HTTPS listener cannot use exits 2 with the configuration error', async () => {
    const file = `${ca.dir}/cli-plain-file`;
    writeFileSync(file, 'not a folder');
    const running = cli(['--https-port', '0', '--ca-dir', file]);
    expect(await running.exited).toBe(2);
    expect(running.output()).toContain('bandwidth-emulator: cannot start (the local CA, for --https-port)');
    expect(running.output()).toContain('proxy.caDir');
  });
});
