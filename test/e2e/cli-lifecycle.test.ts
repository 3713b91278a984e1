// The CLI as a real child process (node bin/bandwidth-emulator.js): killed with SIGKILL right after answering 202s it
// loses nothing with --data-dir; stopped with SIGTERM it refuses new requests, lets pending callbacks finish within
// the grace period, reports what was left and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { inContainer } from '../../src/container-reach.js';
import { OWNER_FILE } from '../../src/persistence/dir-lock.js';
import { useEmulators } from '../helpers/fixture.js';
import type { CallbackSink } from '../helpers/sink.js';
import type { EventBody } from '../helpers/harness.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ACCOUNT = '9900000';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const BASIC = 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64');

interface Cli {
  url: string;
  output: () => string;
  /** Resolves once a stdout line contains `text`. */
  printed(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  process: ChildProcess;
}

// Every CLI process a test starts is killed after it (if still running), then its sinks are checked and closed.
const emulators = useEmulators();
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Kill a CLI process after the test that started it, if it is still running. */
function killAfterTest(child: ChildProcess): void {
  emulators.defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  });
}

async function startCli(args: string[]): Promise<Cli> {
  const child = spawn(process.execPath, ['bin/bandwidth-emulator.js', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killAfterTest(child);
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of watchers) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const printed = (text: string | RegExp, timeoutMs = 15_000) =>
    new Promise<string>((resolvePrinted, reject) => {
      const check = () => {
        const m = typeof text === 'string' ? (stdout.includes(text) ? [text] : null) : text.exec(stdout);
        if (!m) return;
        watchers.delete(check);
        clearTimeout(timer);
        resolvePrinted(m[1] ?? m[0] ?? '');
      };
      const timer = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`not printed within ${timeoutMs} ms: ${String(text)}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
      watchers.add(check);
      void exited.then(() => setTimeout(check, 0));
      check();
    });
  const url = await printed(/listening on (http:\/\/\S+)/);
  return { url, output: () => stdout + stderr, printed: (t, ms) => printed(t, ms).then(() => undefined), exited, process: child };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-cli-'));
  folders.push(dir);
  return dir;
}

const newSink = (): Promise<CallbackSink> => emulators.newSink();

async function send(url: string, to: string): Promise<string> {
  const api = new MessagesApi(new Configuration({ basePath: url, username: 'bw-user', password: 'bw-password' }));
  const res = await api.createMessage(ACCOUNT, { applicationId: APP, to: [to] as unknown as Set<string>, from: FROM, text: `to ${to}` } as MessageRequest);
  expect(res.status).toBe(202);
  return res.data.id!;
}

const deliveredAtSink = (sink: CallbackSink, id: string) =>
  sink.requests.some((r) => (r.body as EventBody[]).some((e) => e.message.id === id && e.type === 'message-delivered'));

describe('the CLI process with --data-dir', () => {
  it('killed with SIGKILL right after its 202s: every message is still there after a restart, and pending callbacks go out', async () => {
    const dataDir = tempDir();
    const sink = await newSink();
    // Time scale 0.1: ordinary messages are delivered 10 ms after the 202; +15553000020 after 2 s of real time.
    const args = ['--data-dir', dataDir, '--callback-url', sink.url, '--time-scale', '0.1', '--log-level', 'warn'];
    const first = await startCli(args);
    const ordinary = ['+19195557101', '+19195557102', '+19195557103', '+19195557104', '+19195557105'];
    const ids: string[] = [];
    for (const to of ordinary) ids.push(await send(first.url, to));
    const slowId = await send(first.url, '+15553000020');
    first.process.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(deliveredAtSink(sink, slowId), 'the slow callback was still pending at the kill').toBe(false);

    const second = await startCli(args);
    // Bandwidth's search API (what bandwidth-sdk's listMessages calls) has all six.
    const search = await request(`${second.url}/users/${ACCOUNT}/messages?sourceTn=${encodeURIComponent(FROM)}&limit=100`, {
      headers: { authorization: BASIC },
    });
    expect(search.statusCode).toBe(200);
    const found = ((await search.body.json()) as { messages: Array<{ messageId: string }> }).messages.map((m) => m.messageId);
    expect(found.sort()).toEqual([...ids, slowId].sort());

    // The callback pending at the kill is delivered after the restart; so is every ordinary one (at least once).
    const control = connectEmulator(second.url);
    await control.callbacks.waitFor({ messageId: slowId, type: 'message-delivered', outcome: 'delivered' }, { timeoutMs: 10_000 });
    await sink.waitFor(() => [...ids, slowId].every((id) => deliveredAtSink(sink, id)), 10_000);

    // Journal counts: one delivered entry per message (none lost, none cancelled), each also received by the sink.
    const journal = await control.callbacks.list();
    const delivered = journal.filter((e) => e.outcome === 'delivered');
    expect(new Set(delivered.map((e) => e.messageId))).toEqual(new Set([...ids, slowId]));
    expect(journal.filter((e) => e.outcome === 'cancelled')).toEqual([]);
    expect(new Set(journal.map((e) => e.seq)).size, 'sequence numbers stay unique across the restart').toBe(journal.length);
    const atSink = sink.requests.flatMap((r) => (r.body as EventBody[]).map((e) => JSON.stringify(e)));
    for (const entry of delivered) expect(atSink).toContain(JSON.stringify(entry.request.body[0]));
    const health = await control.health();
    expect(health.messages.messages).toBe(6);
    await control.assertNoPending();
    second.process.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});

/** Run the CLI to its exit (a start that must be refused): exit code and everything it printed. */
function runCliToExit(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['bin/bandwidth-emulator.js', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killAfterTest(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  return new Promise((resolveExit) => child.once('exit', (code) => resolveExit({ code, output })));
}

const ownerPid = (dataDir: string) => (JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as { pid: number }).pid;

describe('the CLI process with --data-dir: one emulator per folder, and a crash with messages held over the cap', () => {
  it('a second emulator on a data dir in use is refused naming the holder; after a SIGKILL the next start takes it over', async () => {
    const dataDir = tempDir();
    const args = ['--data-dir', dataDir, '--log-level', 'warn'];
    const first = await startCli(args);
    expect(ownerPid(dataDir)).toBe(first.process.pid);
    const refused = await runCliToExit(args);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(new RegExp(`is in use by the emulator with pid ${first.process.pid} on host .*kill ${first.process.pid}`));
    first.process.kill('SIGKILL');
    await first.exited;
    // The note still names the dead process; the lock itself went with it.
    expect(ownerPid(dataDir)).toBe(first.process.pid);
    const next = await startCli(args);
    expect(ownerPid(dataDir)).toBe(next.process.pid);
    next.process.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('killed with SIGKILL while the oldest message is held over --max-messages for its pending step: the step fires after the restart', async () => {
    const dataDir = tempDir();
    const sink = await newSink();
    // Time scale 0.1: +15553000020 is delivered 2 s (real) after the 202, the others 10 ms after theirs.
    const args = ['--data-dir', dataDir, '--callback-url', sink.url, '--time-scale', '0.1', '--max-messages', '2', '--log-level', 'warn'];
    const first = await startCli(args);
    const slowId = await send(first.url, '+15553000020');
    const ordinary: string[] = [];
    for (const to of ['+19195557201', '+19195557202', '+19195557203']) ordinary.push(await send(first.url, to));
    const control = connectEmulator(first.url);
    // Their 10 ms steps must have fired first (on a loaded machine they may not have): until then they are held too.
    for (const id of ordinary) await control.callbacks.waitFor({ messageId: id, type: 'message-delivered' });
    expect((await control.health()).messages).toMatchObject({ cap: 2, held: 1 });
    first.process.kill('SIGKILL');
    await first.exited;
    expect(deliveredAtSink(sink, slowId), 'the slow callback was still pending at the kill').toBe(false);

    // Was: the data dir pruned the oldest rows past the cap, so the slow message and its pending step were gone.
    const second = await startCli(args);
    const again = connectEmulator(second.url);
    expect(await again.messages.get(slowId)).toBeDefined();
    await again.callbacks.waitFor({ messageId: slowId, type: 'message-delivered', outcome: 'delivered' }, { timeoutMs: 15_000 });
    await sink.waitFor(() => deliveredAtSink(sink, slowId), 10_000);
    // Its step done, it is evicted like any other message: the cap holds again.
    expect((await again.health()).messages).toMatchObject({ messages: 2, held: 0 });
    second.process.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('graceful shutdown on SIGTERM', () => {
  it('refuses new requests, lets pending callbacks finish within the grace period, and exits 0', async () => {
    const sink = await newSink();
    // +15553000010 is delivered 1 s (real) after the 202; the grace period is 10 s.
    const cli = await startCli(['--callback-url', sink.url, '--time-scale', '0.1', '--shutdown-grace', '10s', '--log-level', 'info']);
    const id = await send(cli.url, '+15553000010');
    cli.process.kill('SIGTERM');
    await cli.printed('shutting down');
    const refused = await request(`${cli.url}/users/${ACCOUNT}/messages`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({ applicationId: APP, to: ['+19195557101'], from: FROM, text: 'too late' }),
    }).then(
      async (res) => {
        await res.body.dump();
        return res.statusCode;
      },
      (error: Error & { code?: string }) => error.code ?? error.message,
    );
    expect([503, 'ECONNREFUSED', 'UND_ERR_SOCKET', 'ECONNRESET'], `a request during the drain got ${refused}`).toContain(refused);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(deliveredAtSink(sink, id), 'the pending callback was delivered before the exit').toBe(true);
    expect(cli.output()).toContain('stopped: 1 callback delivered, 0 gave up after every retry, nothing left pending');
  }, 30_000);

  it('a callback that gives up during the grace period is reported as given up, not delivered', async () => {
    // A port nothing listens on: every attempt is refused.
    const closed = createServer();
    await new Promise<void>((resolveListen) => closed.listen(0, '127.0.0.1', resolveListen));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolveClose) => closed.close(() => resolveClose()));
    // Time scale 0.01: +15553000300 is delivered 3 s (real) after the 202, then its 5 retries take under 0.1 s.
    const cli = await startCli(['--callback-url', `http://127.0.0.1:${port}/hook`, '--time-scale', '0.01', '--shutdown-grace', '20s', '--log-level', 'info']);
    await send(cli.url, '+15553000300');
    cli.process.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    // Was: 'stopped: every pending callback was delivered'.
    expect(cli.output()).toContain('stopped: 0 callbacks delivered, 1 gave up after every retry, nothing left pending');
    expect(cli.output()).toMatch(/attempt 6\/6 failed: connection refused \(ECONNREFUSED\)/);
  }, 30_000);

  it('with an open event stream, waiting long-polls (callbacks, idle) and a connection that never sent a request (a browser tab): exits 0 at once', async () => {
    const cli = await startCli(['--log-level', 'debug', '--shutdown-grace', '100ms']);
    const { port } = new URL(cli.url);
    // A browser's preconnect: a socket that sends nothing.
    const idle = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolveConnect) => idle.once('connect', () => resolveConnect()));
    idle.on('error', () => undefined);
    const idleClosed = new Promise<void>((resolveClose) => idle.once('close', () => resolveClose()));
    const stream = await request(`${cli.url}/__emulator/events`);
    expect(stream.statusCode).toBe(200);
    const streamEnded = stream.body.text();
    const poll = request(`${cli.url}/__emulator/callbacks?wait=120000&type=never`).then(async (res) => ({
      status: res.statusCode,
      body: (await res.body.json()) as { error: string },
    }));
    // Something pending for an hour, so GET /idle waits for its whole timeout.
    await send(cli.url, '+15553003600');
    const idlePoll = request(`${cli.url}/__emulator/idle?timeoutMs=120000`).then(async (res) => ({
      status: res.statusCode,
      body: (await res.body.json()) as { error: string },
    }));
    // The debug log names each incoming request: the long-polls have reached the emulator.
    await cli.printed('/__emulator/callbacks?wait=120000');
    await cli.printed('/__emulator/idle?timeoutMs=120000');
    cli.process.kill('SIGTERM');
    // Each used to hold the process until the client left (tens of seconds, past docker stop's 10 s, or for ever).
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    await streamEnded;
    // Answered: 'closing' from the journal, or Fastify's own 503 had the signal come before its handler ran.
    expect((await poll).status).toBe(503);
    expect((await idlePoll).status).toBe(503);
    await idleClosed;
  }, 30_000);

  it('reports what the grace period left: lost without a data dir, delivered at the next start with one', async () => {
    const sink = await newSink();
    const dataDir = tempDir();
    const args = ['--callback-url', sink.url, '--time-scale', '0.1', '--shutdown-grace', '100ms', '--log-level', 'info'];
    const plain = await startCli(args);
    await send(plain.url, '+15553000050');
    plain.process.kill('SIGTERM');
    expect(await plain.exited).toEqual({ code: 0, signal: null });
    expect(plain.output()).toContain(
      'stopped: 0 callbacks delivered, 0 gave up after every retry; 0 callbacks and 1 planned event left pending after the grace period: lost (no --data-dir keeps them)',
    );

    const kept = await startCli([...args, '--data-dir', dataDir]);
    const id = await send(kept.url, '+15553000020');
    kept.process.kill('SIGTERM');
    expect(await kept.exited).toEqual({ code: 0, signal: null });
    expect(kept.output()).toContain('1 planned event left pending after the grace period: kept in the data dir, they go out at the next start');
    expect(deliveredAtSink(sink, id)).toBe(false);
    const next = await startCli([...args, '--data-dir', dataDir]);
    await sink.waitFor(() => deliveredAtSink(sink, id), 10_000);
    next.process.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  }, 30_000);
});

describe('the CLI process with --data-dir: carrier actions survive a restart', () => {
  // Everything one message ever sent to the sink, as 'type errorCode' strings, and its distinct event bodies.
  const atSink = (sink: CallbackSink, id: string) => sink.requests.flatMap((r) => r.body as EventBody[]).filter((e) => e.message.id === id);
  const described = (events: EventBody[]) => events.map((e) => `${e.type}${e.errorCode ? ` ${e.errorCode}` : ''}`);

  it('killed with SIGKILL after fail / deliver-now actions: the cancelled hour-long steps never fire, one terminal callback each', async () => {
    const dataDir = tempDir();
    const sink = await newSink();
    // Time scale 1: +1555300SSSS is delivered SSSS s after the 202, so each message is in flight for the whole test.
    const args = ['--data-dir', dataDir, '--callback-url', sink.url, '--log-level', 'warn'];
    const first = await startCli(args);
    const control = connectEmulator(first.url);
    const failedId = await send(first.url, '+15553003600');
    const deliveredId = await send(first.url, '+15553003601');
    const killedId = await send(first.url, '+15553003602');
    expect((await control.health()).pendingSteps).toBe(3);
    await control.carrier(failedId, { action: 'fail', errorCode: 4720 });
    await control.carrier(deliveredId, { action: 'deliver' });
    await control.callbacks.waitFor({ messageId: failedId, type: 'message-failed', outcome: 'delivered' });
    await control.callbacks.waitFor({ messageId: deliveredId, type: 'message-delivered', outcome: 'delivered' });
    // The third is killed right after the carrier action's answer: its callback may or may not have gone out yet.
    await control.carrier(killedId, { action: 'fail', errorCode: 4770 });
    first.process.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const second = await startCli(args);
    const again = connectEmulator(second.url);
    expect((await again.health()).pendingSteps, 'no cancelled step was restored').toBe(0);
    expect((await again.state.export()).pending?.steps, 'no cancelled step is on file').toEqual([]);
    // The killed one's failure callback: delivered before the kill, or resumed from the data dir now.
    await again.callbacks.waitFor({ messageId: killedId, type: 'message-failed', outcome: 'delivered' }, { timeoutMs: 10_000 });
    await again.assertNoPending();
    // Anything still scheduled becomes due now: flushing the emulated clock must fire nothing for these messages.
    expect((await again.time.flush()).ran, 'timers left to fire after the restart').toBe(0);

    // Statuses and timelines after the restart reflect the carrier actions.
    for (const [id, status, errorCode, terminal] of [
      [failedId, 'FAILED', 4720, 'message-failed'],
      [deliveredId, 'DELIVERED', 0, 'message-delivered'],
      [killedId, 'FAILED', 4770, 'message-failed'],
    ] as const) {
      const stored = await again.messages.get(id);
      expect(stored!.recipients).toEqual([expect.objectContaining({ status, errorCode })]);
      expect(stored!.timeline.map((t) => t.what)).toEqual(['accepted', 'planned', 'carrier', terminal]);
    }
    // The journal and the sink: exactly one terminal event per message, the one the carrier action chose.
    const journal = await again.callbacks.list();
    const terminalEvents = (id: string) => new Set(journal.filter((e) => e.messageId === id).map((e) => `${e.eventId} ${e.type}`));
    expect([...terminalEvents(failedId)]).toEqual([expect.stringMatching(/ message-failed$/)]);
    expect([...terminalEvents(deliveredId)]).toEqual([expect.stringMatching(/ message-delivered$/)]);
    expect([...terminalEvents(killedId)]).toEqual([expect.stringMatching(/ message-failed$/)]);
    expect(described(atSink(sink, failedId))).toEqual(['message-failed 4720']);
    expect(described(atSink(sink, deliveredId))).toEqual(['message-delivered']);
    // Killed mid-flight the same event may be sent twice (at least once), but never a second, different event.
    expect(new Set(atSink(sink, killedId).map((e) => JSON.stringify(e)))).toEqual(new Set([JSON.stringify(atSink(sink, killedId)[0])]));
    expect(described(atSink(sink, killedId))[0]).toBe('message-failed 4770');
    second.process.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('the CLI process bound to a wildcard address', () => {
  it('--host 0.0.0.0 (the Docker image binds it): the banner names a URL a client can use, and it answers there', async () => {
    const cli = await startCli(['--host', '0.0.0.0', '--log-level', 'warn']);
    // 127.0.0.1; or, where this machine is itself a container (CI's is), what the host uses: localhost at the port,
    // and host.docker.internal for a receiver on the host (src/container-reach.ts; both variants: unit/container-reach).
    if (inContainer()) {
      expect(cli.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(cli.output()).toContain('start with --callback-url http://host.docker.internal:3000/webhooks');
    } else {
      expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    // No link to the wildcard address (the host-guard warning may name the bind address in words, as it should).
    expect(cli.output()).not.toMatch(/\/\/0\.0\.0\.0|\/\/\[::\]/);
    expect((await connectEmulator(cli.url).health()).status).toBe('ok');
    cli.process.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });
});
