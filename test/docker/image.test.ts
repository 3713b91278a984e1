// The Docker image, built and run by a real engine (`npm run test:docker`, vitest.docker.config.ts): the release
// check, too long for `npm test`. It builds the Dockerfile without the layer cache (on node:20-bookworm-slim, or on
// the stand-in of test/docker/base-image.ts where no registry is reachable), then runs the image the way the README
// does: the port published on 127.0.0.1 only, a scenario file in the /scenarios mount, callbacks to a receiver on
// the host through host.docker.internal (--add-host=host.docker.internal:host-gateway, as a Linux engine needs), the
// HEALTHCHECK as the engine runs it, messages kept in the /data volume across containers, and `docker stop` (SIGTERM)
// while a callback is still being delivered, and proxy mode's CA (made by `ca`, kept on a /data/ca volume, served by
// GET /__emulator/proxy/ca.pem, and a low port bound as node, as the HTTPS listener on 443 needs). The receiver
// listens on the Docker bridge's gateway address: the only traffic beyond loopback is between this machine and its
// own containers. It prints the build time, the image's size over its base, and the healthcheck and stop timings.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSink, type CallbackSink } from '../helpers/sink.js';
import { baseImage, type Base } from './base-image.js';
import { docker, engineProblem, imageBytes, inspect, run, waitForLog, waitHealthy } from './engine.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const IMAGE = 'bandwidth-emulator:test';
// The embedded default account, as the image starts without a config file.
const ACCOUNT = '9900000';
const USER = 'bw-user';
const PASS = 'bw-password';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const MOBILE = '+15551230001';
const LANDLINE = '+15557770000';
const ADD_HOST = '--add-host=host.docker.internal:host-gateway';
const MiB = 1024 * 1024;

interface CallbackEvent {
  type: string;
  errorCode?: number;
  message: { id: string };
}

const events = (sink: CallbackSink) => sink.requests.flatMap((r) => r.body as CallbackEvent[]);
const terminal = (sink: CallbackSink, id: string) =>
  events(sink).find((e) => e.message.id === id && (e.type === 'message-delivered' || e.type === 'message-failed'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('the Docker image, on a real engine', () => {
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  const containers: string[] = [];
  const volumes: string[] = [];
  const sinks: CallbackSink[] = [];
  const folders: string[] = [];
  const measured: string[] = [];
  let base: Base | undefined;
  let built = false;
  let gateway = '';

  const note = (line: string) => {
    measured.push(line);
    console.log(`[docker] ${line}`);
  };

  beforeAll(async () => {
    const problem = await engineProblem();
    if (problem) throw new Error(`npm run test:docker needs a Docker engine: ${problem}`);
    base = await baseImage((line) => console.log(`[docker] ${line}`));
    note(`base image: ${base.image} (${base.how} in ${seconds(base.ms)})`);
  }, 1_200_000);

  afterAll(async () => {
    for (const name of containers) await run('docker', ['rm', '--force', '--volumes', name], { timeoutMs: 60_000 });
    for (const name of volumes) await run('docker', ['volume', 'rm', '--force', name], { timeoutMs: 60_000 });
    for (const sink of sinks) await sink.close();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    console.log(`[docker] summary\n  ${measured.join('\n  ')}`);
  }, 120_000);

  /** `docker run -d` of the image with its port published on 127.0.0.1 only; the container's name, host port and start time. */
  async function start(args: readonly string[], port = 4010): Promise<{ name: string; url: string; since: string; startedAt: number }> {
    if (!built) throw new Error('the build test failed; nothing to run');
    const name = `bw-emulator-test-${runId}-${containers.length}`;
    containers.push(name);
    const since = (Date.now() / 1000 - 1).toFixed(3);
    const startedAt = performance.now();
    await docker(['run', '--detach', '--name', name, ADD_HOST, '--publish', `127.0.0.1::${port}`, ...args, IMAGE]);
    const published = (await docker(['port', name, `${port}/tcp`])).stdout.trim().split('\n')[0]!;
    return { name, url: `http://${published}`, since, startedAt };
  }

  const api = (url: string) => new MessagesApi(new Configuration({ basePath: url, username: USER, password: PASS }));
  const send = async (url: string, to: string, text: string) => {
    const req: MessageRequest = { applicationId: APP, to: [to] as unknown as Set<string>, from: FROM, text };
    const res = await api(url).createMessage(ACCOUNT, req);
    expect(res.status).toBe(202);
    return res.data.id!;
  };

  /** `docker stop` (SIGTERM, then SIGKILL after `grace` s); the exit code and how long the stop took. */
  async function stop(name: string, grace = 10): Promise<{ exitCode: number; ms: number }> {
    const ran = await docker(['stop', '--time', String(grace), name], (grace + 30) * 1000);
    return { exitCode: Number(await inspect(name, '{{.State.ExitCode}}')), ms: ran.ms };
  }

  it('builds without the cache: a non-root image on the Dockerfile default base, production dependencies and the SQLite binding only', async () => {
    await run('docker', ['rmi', '--force', IMAGE], { timeoutMs: 60_000 });
    const ran = await docker(['build', '--no-cache', '--build-arg', `BASE_IMAGE=${base!.image}`, '--tag', IMAGE, ROOT], 1_500_000);
    built = true;
    const over = (await imageBytes(IMAGE)) - (await imageBytes(base!.image));
    note(`cold build: ${seconds(ran.ms)}; image ${((await imageBytes(IMAGE)) / MiB).toFixed(0)} MiB, ${(over / MiB).toFixed(1)} MiB over its base`);

    const config = JSON.parse(await inspect(IMAGE, '{{json .Config}}')) as {
      User: string;
      ExposedPorts: Record<string, unknown>;
      Volumes: Record<string, unknown> | null;
      Env: string[];
      Healthcheck?: { Test: string[] };
      Entrypoint: string[];
    };
    expect(config.User).toBe('node');
    expect(Object.keys(config.ExposedPorts)).toEqual(['4010/tcp']);
    expect(Object.keys(config.Volumes ?? {})).toEqual(['/data']);
    expect(config.Env).toEqual(
      expect.arrayContaining(['BW_EMULATOR_HOST=0.0.0.0', 'BW_EMULATOR_PORT=4010', 'BW_EMULATOR_SCENARIOS=/scenarios', 'BW_EMULATOR_CA_DIR=/data/ca']),
    );
    expect(config.Healthcheck?.Test.join(' ')).toContain('/__emulator/health');
    expect(config.Entrypoint).toEqual(['node', '--max-semi-space-size=32', 'bin/bandwidth-emulator.js']);

    // What is in /app, asked of the image's own node.
    const probe = `const fs = require('node:fs'); console.log(JSON.stringify({
      uid: process.getuid(),
      present: ['dist/bundle/cli.js', 'bin/bandwidth-emulator.js', 'node_modules/fastify', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'schema'].filter((p) => !fs.existsSync(p)),
      absent: ['src', 'test', 'node_modules/typescript', 'node_modules/vitest', 'node_modules/bandwidth-sdk', 'node_modules/better-sqlite3/deps'].filter((p) => fs.existsSync(p)),
      examples: fs.readdirSync('scenarios-examples').filter((f) => f.endsWith('.yaml')).length,
      sqlite: new (require('better-sqlite3'))(':memory:').prepare('select sqlite_version() as v').get().v,
    }))`;
    const inside = JSON.parse((await docker(['run', '--rm', '--entrypoint', 'node', IMAGE, '-e', probe])).stdout) as {
      uid: number;
      present: string[];
      absent: string[];
      examples: number;
      sqlite: string;
    };
    expect(inside.uid, 'runs as uid 1000, not root').toBe(1000);
    expect(inside.present, 'missing from /app').toEqual([]);
    expect(inside.absent, 'build-only files in the runtime image').toEqual([]);
    expect(inside.examples).toBeGreaterThan(0);
    expect(inside.sqlite, 'the SQLite binding loads').toMatch(/^3\./);
  }, 1_600_000);

  it('runs: healthy, a banner for the host, messages through the container to a receiver on the host, a scenario from the /scenarios mount', async () => {
    if (!built) throw new Error('the build test failed; nothing to run');
    // What host.docker.internal is inside a container (the bridge's gateway): the receiver listens there.
    gateway = (await docker(['run', '--rm', ADD_HOST, '--entrypoint', 'getent', IMAGE, 'hosts', 'host.docker.internal'])).stdout.trim().split(/\s+/)[0]!;
    expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const sink = await startSink(undefined, gateway);
    sinks.push(sink);
    const port = new URL(sink.url).port;
    const scenarios = mkdtempSync(join(tmpdir(), 'bw-docker-scenarios-'));
    folders.push(scenarios);
    chmodSync(scenarios, 0o755);
    writeFileSync(
      join(scenarios, 'docker-mount.yaml'),
      `version: 1
name: docker-mount
rules:
  - name: landline rejected by carrier
    match: { to: '${LANDLINE}' }
    events:
      - { type: message-failed, errorCode: 4720, after: 10ms }
`,
      { mode: 0o644 },
    );
    const container = await start([
      '--volume',
      `${scenarios}:/scenarios:ro`,
      '--env',
      `BW_EMULATOR_CALLBACK_URL=http://host.docker.internal:${port}/callbacks`,
    ]);
    await waitHealthy(container.name, container.since, 60_000);
    note(`healthy ${seconds(performance.now() - container.startedAt)} after docker run (HEALTHCHECK every 5 s)`);
    expect(await inspect(container.name, '{{.State.Health.Status}}')).toBe('healthy');

    // The banner speaks to the reader on the host: localhost and host.docker.internal, never the container's own address.
    const shown = (await docker(['logs', container.name])).stdout
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('{'))
      .join('\n');
    console.log(`[docker] banner:\n${shown}`);
    expect(shown).toContain('listening on http://localhost:4010');
    expect(shown).toContain("basePath: 'http://localhost:4010'");
    expect(shown).toContain(`callbacks     http://host.docker.internal:${port}/callbacks`);
    expect(shown).toContain(ADD_HOST);
    expect(shown).not.toMatch(/0\.0\.0\.0|127\.0\.0\.1/);

    const sentAt = performance.now();
    const delivered = await send(container.url, MOBILE, 'through the container');
    const failed = await send(container.url, LANDLINE, 'to a landline');
    await sink.waitFor(() => terminal(sink, delivered) !== undefined && terminal(sink, failed) !== undefined, 20_000);
    note(`2 messages through the container, callbacks at the host receiver (${gateway}:${port}) ${seconds(performance.now() - sentAt)} after the first POST`);
    expect(terminal(sink, delivered)?.type).toBe('message-delivered');
    expect(terminal(sink, failed), 'the scenario file in the /scenarios mount applies').toMatchObject({ type: 'message-failed', errorCode: 4720 });

    const stopped = await stop(container.name);
    note(`docker stop of an idle container: exit ${stopped.exitCode} in ${seconds(stopped.ms)}`);
    expect(stopped.exitCode).toBe(0);
  }, 120_000);

  it('with BW_EMULATOR_CONTROL_TOKEN and another BW_EMULATOR_PORT the HEALTHCHECK follows both', async () => {
    const container = await start(['--env', 'BW_EMULATOR_CONTROL_TOKEN=docker-test-token', '--env', 'BW_EMULATOR_PORT=5000'], 5000);
    await waitHealthy(container.name, container.since, 60_000);
    note(`healthy with a control token on port 5000 ${seconds(performance.now() - container.startedAt)} after docker run`);
    // The token is really enforced, so the healthy probe above sent it.
    expect((await fetch(`${container.url}/__emulator/health`)).status).toBe(401);
    expect((await fetch(`${container.url}/__emulator/health`, { headers: { authorization: 'Bearer docker-test-token' } })).status).toBe(200);
    expect((await stop(container.name)).exitCode).toBe(0);
  }, 120_000);

  it('with BW_EMULATOR_DATA_DIR=/data on a named volume, a message survives into a new container', async () => {
    const volume = `bw-emulator-test-data-${runId}`;
    volumes.push(volume);
    await docker(['volume', 'create', volume]);
    const args = ['--volume', `${volume}:/data`, '--env', 'BW_EMULATOR_DATA_DIR=/data'];
    const first = await start(args);
    await waitForLog(first.name, /listening on /, 60_000);
    const id = await send(first.url, MOBILE, 'kept in /data');
    expect((await stop(first.name)).exitCode).toBe(0);
    const second = await start(args);
    await waitForLog(second.name, /listening on /, 60_000);
    const res = await fetch(`${second.url}/__emulator/messages/${id}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toBe('kept in /data');
    note(`message ${id} read back from the /data volume by a second container`);
    expect((await stop(second.name)).exitCode).toBe(0);
  }, 120_000);

  it("proxy mode's CA: `ca --pem` from the image, the same certificate from GET /__emulator/proxy/ca.pem, kept on a /data/ca volume, its key private to node", async () => {
    // A container with nothing mounted makes one in the image's own /data/ca, as node.
    const fresh = (await docker(['run', '--rm', IMAGE, 'ca', '--pem'])).stdout;
    expect(new X509Certificate(fresh).ca).toBe(true);
    expect(fresh).not.toContain('PRIVATE KEY');

    // The README's shared-volume recipe: a one-off `ca --path` makes the CA in a named volume.
    const volume = `bw-emulator-test-ca-${runId}`;
    volumes.push(volume);
    await docker(['volume', 'create', volume]);
    const mount = ['--volume', `${volume}:/data/ca`];
    expect((await docker(['run', '--rm', ...mount, IMAGE, 'ca', '--path'])).stdout).toBe('/data/ca/ca.pem\n');
    const fromCommand = (await docker(['run', '--rm', ...mount, IMAGE, 'ca', '--pem'])).stdout;
    expect(fromCommand).not.toBe(fresh);
    const probe = `const fs = require('node:fs'); console.log(JSON.stringify(['/data/ca', '/data/ca/ca.pem', '/data/ca/ca-key.pem'].map((p) => { const s = fs.statSync(p); return [(s.mode & 0o777).toString(8), s.uid]; })))`;
    const modes = JSON.parse((await docker(['run', '--rm', ...mount, '--entrypoint', 'node', IMAGE, '-e', probe])).stdout) as Array<[string, number]>;
    expect(modes).toEqual([
      ['700', 1000],
      ['644', 1000],
      ['600', 1000],
    ]);

    // The emulator on that volume hands the same certificate to a container over the network.
    const container = await start(mount);
    await waitForLog(container.name, /listening on /, 60_000);
    expect(await (await fetch(`${container.url}/__emulator/proxy`)).json()).toMatchObject({ enabled: true, caCertPath: '/data/ca/ca.pem' });
    const res = await fetch(`${container.url}/__emulator/proxy/ca.pem`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-pem-file');
    expect(await res.text()).toBe(fromCommand);
    note(`CA ${new X509Certificate(fromCommand).fingerprint256.slice(0, 23)}... made by \`ca --path\` in a volume, served by GET /__emulator/proxy/ca.pem`);
    expect((await stop(container.name)).exitCode).toBe(0);

    // The README's claim for the HTTPS listener on 443: the non-root node user may bind a low port in a container.
    const bind =
      "require('node:net').createServer().listen(443, '0.0.0.0', function () { console.log('bound ' + this.address().port + ' as uid ' + process.getuid()); process.exit(0); })";
    expect((await docker(['run', '--rm', '--entrypoint', 'node', IMAGE, '-e', bind])).stdout.trim()).toBe('bound 443 as uid 1000');
  }, 180_000);

  it('docker stop while a callback is being delivered: SIGTERM waits for it within the grace period, then exits 0', async () => {
    const held: ServerResponse[] = [];
    const sink = await startSink((_req, res) => {
      held.push(res);
      return 'handled';
    }, gateway);
    sinks.push(sink);
    const container = await start(['--env', `BW_EMULATOR_CALLBACK_URL=http://host.docker.internal:${new URL(sink.url).port}/callbacks`]);
    await waitForLog(container.name, /listening on /, 60_000);
    const id = await send(container.url, MOBILE, 'pending at docker stop');
    await sink.waitFor((r) => r.length > 0, 20_000);

    const stopping = stop(container.name, 20);
    await waitForLog(container.name, /shutting down: new requests are refused; waiting for pending callbacks/, 20_000);
    // The receiver answers now, and every later callback at once: the emulator delivers them and stops.
    sink.respond(() => undefined);
    for (const res of held) res.writeHead(200).end();
    const stopped = await stopping;
    note(`docker stop with a callback held by the receiver until the shutdown line: exit ${stopped.exitCode} in ${seconds(stopped.ms)}`);
    expect(stopped.exitCode).toBe(0);
    const logs = await docker(['logs', container.name]);
    expect(logs.stdout).toContain('stopped: 1 callback delivered, 0 gave up after every retry, nothing left pending');
    expect(terminal(sink, id)?.type).toBe('message-delivered');
  }, 120_000);
});
