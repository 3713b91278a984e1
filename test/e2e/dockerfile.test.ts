// The Dockerfile, checked without a Docker engine: the interpreter in test/helpers/dockerfile-interpreter.ts parses
// it, lays out every stage in a temp folder standing for that image's root, really runs its RUN steps (npm ci, the
// TypeScript build); this file then starts the final stage's ENTRYPOINT with the image's ENV, runs its HEALTHCHECK
// and sends a message through bandwidth-sdk. The interpreter's header says what is emulated and what is not; anything
// it does not understand fails the test, so the Dockerfile cannot grow something untested.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { SCALAR_OPTIONS } from '../../src/config/options.js';
import { resolveConfig } from '../../src/config/resolve.js';
import {
  baseEnv,
  build,
  DOCKERFILE,
  DOCKERIGNORE,
  dockerignore,
  inRoot,
  isRoot,
  parseDockerfile,
  parseDuration,
  run,
  unreadableByOthers,
  type Built,
  type Env,
  type Parsed,
  type Stage,
} from '../helpers/dockerfile-interpreter.js';
import { startSink, type CallbackSink } from '../helpers/sink.js';

const ACCOUNT = '9900000';
const USER = 'bw-user';
const PASS = 'bw-password';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const LANDLINE = '+15557770000';
const MOBILE = '+15551230001';

interface CallbackEvent {
  type: string;
  errorCode?: number;
  message: { id: string };
}

describe('Dockerfile (emulated build and run, no Docker engine)', () => {
  const base = mkdtempSync(join(tmpdir(), 'bw-dockerfile-'));
  const ignore = dockerignore(readFileSync(DOCKERIGNORE, 'utf8'));
  let parsed: Parsed | undefined;
  let built: Built | undefined;
  const children: ChildProcess[] = [];
  let sink: CallbackSink | undefined;

  const parse = (): Parsed => (parsed ??= parseDockerfile(readFileSync(DOCKERFILE, 'utf8')));
  const final = (): Stage => parse().stages.at(-1)!;

  // Removing two emulated image roots (node_modules included) takes over 20 s on a busy machine.
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await sink?.close();
    rmSync(base, { recursive: true, force: true });
  }, 120_000);

  interface RunningImage {
    url: string;
    port: number;
    cwd: string;
    root: string;
    env: Env;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    /** Run the HEALTHCHECK command as Docker would inside this container (shell form: /bin/sh -c), on the real port. */
    healthcheck(env?: Env): Promise<{ code: number | null; output: string; ms: number }>;
  }

  /** `docker run` of the final stage, on this machine: ENTRYPOINT/CMD in its WORKDIR with the image's ENV. */
  async function startImage(extraEnv: Env): Promise<RunningImage> {
    if (!built) throw new Error('the build test failed; nothing to run');
    const last = final();
    const root = built.roots.get(last)!;
    const cwd = inRoot(root, last.workdir);
    const imageEnv: Env = {};
    for (const [name, value] of Object.entries(last.env)) imageEnv[name] = value.startsWith('/') ? inRoot(root, value) : value;
    const env: Env = {
      ...baseEnv(),
      ...imageEnv,
      // Port 0: a free port, read from the banner. Host 127.0.0.1: on this machine there is no container network to
      // isolate it, so it listens on loopback only instead of the image's 0.0.0.0 (checked above via the env).
      BW_EMULATOR_PORT: '0',
      BW_EMULATOR_HOST: '127.0.0.1',
      ...extraEnv,
    };
    expect(env.BW_EMULATOR_SCENARIOS, 'the /scenarios volume maps to the stage root').toBe(join(root, 'scenarios'));

    const entry = last.entrypoint?.exec ?? (last.entrypoint?.shell !== undefined ? ['/bin/sh', '-c', last.entrypoint.shell] : []);
    const cmd = last.entrypoint?.shell !== undefined ? [] : (last.cmd?.exec ?? (last.cmd?.shell !== undefined ? ['/bin/sh', '-c', last.cmd.shell] : []));
    const argv = [...entry, ...cmd].map((a, i) => (i > 0 && a.startsWith('/') && !a.startsWith('//') ? inRoot(root, a) : a));
    expect(argv.length, 'ENTRYPOINT/CMD').toBeGreaterThan(0);
    console.log(`starting: ${argv.join(' ')} in ${cwd}`);
    const started = performance.now();
    const proc = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(proc);
    let stdout = '';
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 30 s\nstdout:\n${stdout}\nstderr:\n${stderr}`)), 30_000);
      proc.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the image's process exited (${code ?? signal}) before listening\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      });
    });
    const port = Number(new URL(url).port);
    console.log(`listening on ${url} (real port ${port}) after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(new URL(url).hostname).toBe('127.0.0.1');

    const hc = last.healthcheck!;
    // The probe reads the port from BW_EMULATOR_PORT, as in a container started with -e BW_EMULATOR_PORT=...: here
    // the emulator picked a free port, so the probe's environment names that port.
    const hcArgv = hc.exec ?? ['/bin/sh', '-c', hc.shell!];
    const hcTimeout = parseDuration(hc.options.timeout, 30_000);
    return {
      url,
      port,
      cwd,
      root,
      env,
      exited,
      async stop() {
        // docker stop sends SIGTERM.
        proc.kill('SIGTERM');
        return exited;
      },
      async healthcheck(hcEnv = env) {
        const result = await run(hcArgv[0]!, hcArgv.slice(1), {
          cwd,
          env: { ...hcEnv, BW_EMULATOR_PORT: hcEnv.BW_EMULATOR_PORT === '0' ? String(port) : hcEnv.BW_EMULATOR_PORT! },
          timeoutMs: hcTimeout,
        });
        console.log(
          `HEALTHCHECK (timeout ${hcTimeout} ms): exit ${result.code} in ${result.ms.toFixed(0)} ms${result.output ? `: ${result.output.trim()}` : ''}`,
        );
        return result;
      },
    };
  }

  it('every instruction is one the harness understands', () => {
    const { stages, notes } = parse();
    for (const s of stages) {
      console.log(`stage ${s.name ?? s.index}: FROM ${s.image}; ${s.steps.length} steps; ENV ${Object.keys(s.env).join(', ') || '(none)'}`);
    }
    for (const note of notes) console.log(note);
    expect(stages.length).toBeGreaterThan(0);
  });

  it('meets the container requirements: multi-stage, Node LTS slim, non-root, port 4010, env binding, health check', () => {
    const { stages } = parse();
    const last = final();
    expect(stages.length, 'multi-stage build (at least two FROM)').toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.image, `FROM at line ${s.line}`).toMatch(/^node:(20|22)(\.\d+)*-([a-z]+-)?slim(@sha256:[0-9a-f]{64})?$/);
    expect(last.user, 'the final stage sets USER').toBeDefined();
    expect(isRoot(last.user!), `USER ${last.user} must not be root`).toBe(false);
    expect(last.expose.map((p) => p.replace(/\/tcp$/, ''))).toContain('4010');
    // Binding every interface is the image's choice, made by env; the emulator's own default stays loopback.
    expect(last.env.BW_EMULATOR_HOST).toBe('0.0.0.0');
    expect(SCALAR_OPTIONS.find((o) => o.key === 'host')?.default).toBe('127.0.0.1');
    const inImage = resolveConfig({ env: last.env });
    expect(inImage.host).toBe('0.0.0.0');
    expect(inImage.port).toBe(4010);
    expect(last.healthcheck, 'the final stage has a HEALTHCHECK').toBeDefined();
    const probe = last.healthcheck!.shell ?? last.healthcheck!.exec!.join(' ');
    expect(probe).toContain('/__emulator/health');
    // The probe follows the configured port rather than a hard-coded 4010.
    expect(probe).toContain('process.env.BW_EMULATOR_PORT');
    expect(probe).not.toMatch(/(127\.0\.0\.1|localhost):4010\b/);
    expect(last.entrypoint ?? last.cmd, 'the final stage has an ENTRYPOINT or CMD').toBeDefined();
    const hostMajor = process.versions.node.split('.')[0]!;
    const imageMajor = /^node:(\d+)/.exec(last.image)?.[1];
    if (imageMajor !== hostMajor) console.log(`note: the image runs Node ${imageMajor}; this machine's Node ${process.versions.node} stands in for it`);
  });

  it('.dockerignore keeps node_modules, dist and .git out of the build context', () => {
    for (const path of ['node_modules', 'node_modules/fastify/package.json', 'dist', 'dist/cli.js', '.git', '.git/HEAD']) {
      expect(ignore.ignored(path), `${path} is excluded (patterns: ${ignore.patterns.join(', ')})`).toBe(true);
    }
    for (const path of ['package.json', 'package-lock.json', 'src/cli.ts', 'bin/bandwidth-emulator.js', 'schema', 'scenarios']) {
      expect(ignore.ignored(path), `${path} stays in the build context`).toBe(false);
    }
  });

  it('builds every stage: dist/ compiled in the build stage, production dependencies only at runtime, all readable by the non-root user', async () => {
    const started = performance.now();
    built = await build(parse(), base, ignore.ignored);
    console.log(built.log.join('\n'));
    console.log(`skipped on this machine (listed, not run):\n  ${built.skipped.join('\n  ') || '(nothing)'}`);
    console.log(`build emulated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const buildStage = parse().stages.find((s) => s.name === 'build');
    expect(buildStage, "a stage named 'build'").toBeDefined();
    const buildApp = join(built.roots.get(buildStage!)!, 'app');
    expect(existsSync(join(buildApp, 'dist/cli.js')), 'npm run build produced dist/cli.js').toBe(true);
    expect(existsSync(join(buildApp, 'node_modules/typescript')), 'the build stage has dev dependencies').toBe(true);

    const runtime = built.roots.get(final())!;
    const app = inRoot(runtime, final().workdir);
    expect(existsSync(join(app, 'dist/cli.js')), 'dist/ copied from the build stage').toBe(true);
    expect(existsSync(join(app, 'bin/bandwidth-emulator.js')), 'bin/ copied from the build context').toBe(true);
    expect(existsSync(join(app, 'node_modules/fastify/package.json')), 'production dependency fastify installed').toBe(true);
    for (const dev of ['vitest', 'typescript', 'bandwidth-sdk', '@types/node']) {
      expect(existsSync(join(app, 'node_modules', dev)), `dev dependency ${dev} absent at runtime`).toBe(false);
    }
    expect(existsSync(join(app, 'src')), 'no TypeScript sources in the runtime image').toBe(false);
    expect(readdirSync(join(app, 'scenarios-examples')).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(0);
    expect(existsSync(join(runtime, 'scenarios')), 'the /scenarios mount point exists').toBe(true);
    expect(existsSync(join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')), 'the SQLite binding for --data-dir is built').toBe(true);
    // In the image COPY and RUN leave files owned by root; USER node can run the emulator only if it can read them.
    expect(unreadableByOthers(app), `files or folders the non-root USER ${final().user} could not read`).toEqual([]);
    expect(unreadableByOthers(join(runtime, 'scenarios')), `under /scenarios, unreadable by USER ${final().user}`).toEqual([]);
  }, 240_000);

  it('runs the image: HEALTHCHECK passes, a message is delivered via bandwidth-sdk, a scenario in the /scenarios mount applies', async () => {
    if (!built) throw new Error('the build test failed; nothing to run');
    const root = built.roots.get(final())!;
    sink = await startSink();
    // The documented volume: `-v "$PWD/scenarios:/scenarios"`. Dropped in before start, like a mounted folder.
    writeFileSync(
      inRoot(root, '/scenarios/docker-mount.yaml'),
      `version: 1
name: docker-mount
rules:
  - name: landline rejected by carrier
    match: { to: '${LANDLINE}' }
    events:
      - { type: message-failed, errorCode: 4720, after: 10ms }
`,
    );
    const image = await startImage({ BW_EMULATOR_CALLBACK_URL: sink.url });

    const healthy = await image.healthcheck();
    expect(healthy.code, `HEALTHCHECK output: ${healthy.output}`).toBe(0);
    // It really follows BW_EMULATOR_PORT: pointed at another port, the same probe fails.
    expect((await image.healthcheck({ ...image.env, BW_EMULATOR_PORT: '1' })).code).not.toBe(0);

    const api = new MessagesApi(new Configuration({ basePath: image.url, username: USER, password: PASS }));
    const send = async (to: string) => {
      const req: MessageRequest = { applicationId: APP, to: [to] as unknown as Set<string>, from: FROM, text: `from the emulated image to ${to}` };
      const res = await api.createMessage(ACCOUNT, req);
      expect(res.status).toBe(202);
      return res.data.id!;
    };
    const deliveredId = await send(MOBILE);
    const failedId = await send(LANDLINE);
    const events = () => sink!.requests.flatMap((r) => r.body as CallbackEvent[]);
    const terminal = (id: string) => events().find((e) => e.message.id === id && (e.type === 'message-delivered' || e.type === 'message-failed'));
    await sink.waitFor(() => terminal(deliveredId) !== undefined && terminal(failedId) !== undefined, 15_000);
    expect(terminal(deliveredId)?.type).toBe('message-delivered');
    expect(terminal(failedId), 'the scenario file in the /scenarios mount applies').toMatchObject({ type: 'message-failed', errorCode: 4720 });

    // docker stop: the emulator closes on SIGTERM and exits 0; afterwards the health check reports unhealthy.
    expect(await image.stop()).toEqual({ code: 0, signal: null });
    expect((await image.healthcheck()).code).not.toBe(0);
  }, 60_000);

  it('with BW_EMULATOR_DATA_DIR on the /data volume, messages survive a container restart (the SQLite binding is built)', async () => {
    if (!built) throw new Error('the build test failed; nothing to run');
    const dataDir = inRoot(built.roots.get(final())!, '/data');
    expect(existsSync(dataDir), 'the /data mount point exists').toBe(true);
    const api = (url: string) => new MessagesApi(new Configuration({ basePath: url, username: USER, password: PASS }));
    const first = await startImage({ BW_EMULATOR_DATA_DIR: dataDir });
    const sent = await api(first.url).createMessage(ACCOUNT, {
      applicationId: APP,
      to: [MOBILE] as unknown as Set<string>,
      from: FROM,
      text: 'kept in /data',
    } as MessageRequest);
    expect(sent.status).toBe(202);
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    const second = await startImage({ BW_EMULATOR_DATA_DIR: dataDir });
    try {
      const res = await fetch(`${second.url}/__emulator/messages/${sent.data.id!}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { text: string }).text).toBe('kept in /data');
    } finally {
      expect(await second.stop()).toEqual({ code: 0, signal: null });
    }
  }, 60_000);

  it('with BW_EMULATOR_CONTROL_TOKEN set (as the README advises for a reachable port) the HEALTHCHECK still passes', async () => {
    const image = await startImage({ BW_EMULATOR_CONTROL_TOKEN: 'docker-test-token' });
    try {
      const healthy = await image.healthcheck();
      expect(healthy.code, `HEALTHCHECK output: ${healthy.output}`).toBe(0);
      // The token is really enforced: the same probe without it is refused, so the pass above is the probe's doing.
      const { BW_EMULATOR_CONTROL_TOKEN: _token, ...withoutToken } = image.env;
      expect((await image.healthcheck(withoutToken)).code).not.toBe(0);
    } finally {
      expect(await image.stop()).toEqual({ code: 0, signal: null });
    }
  }, 60_000);
});
