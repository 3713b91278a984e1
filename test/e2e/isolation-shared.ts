// One emulator process shared by isolation-a.test.ts and isolation-b.test.ts, as a team would share one in CI.
//
// Vitest runs test files in separate worker processes: in parallel when there are spare CPUs, one after the other
// when there are not (maxWorkers is CPUs - 1, so a 2-CPU runner runs them in sequence). The files coordinate through
// a directory in os.tmpdir() keyed by the vitest process (the workers' common parent), so it works either way:
//
// - The first file to arrive creates `starter.lock` (exclusive create), spawns the CLI
//   (`node bin/bandwidth-emulator.js --config <two-account config> --port 0 --log-level warn`), detached so it
//   outlives that file's worker, reads the real URL from the banner's first line and publishes `emulator.json`.
// - The other file waits for `emulator.json` with fs.watch (bounded), and connects to the same URL.
// - Each file writes markers (`a.sent.json`, `a.done.json`, `a.closed.json`, ...) the other can wait for or read.
// - The file that closes last (its partner's `closed` marker exists) stops the emulator by pid and removes the
//   directory. A file run alone leaves it to a watchdog inside the emulator process: it stops the emulator (and
//   removes the directory) as soon as the vitest process is gone, and after 10 minutes at most.
//
// The emulator runs the embedded default config: each file creates its own throwaway account over HTTP
// (POST /__emulator/accounts, with its own callback receiver as the application's URL), sends through bandwidth-sdk
// with the credentials it was answered, and deletes the account in afterAll (DELETE /__emulator/accounts/{id}).
// A file leaves (deletes its account) only once the other has finished its checks, or had not joined: `leaving` is
// written before `joined` of the other is read, and `joined` before `leaving` of the other, so one of the two files
// always sees the other and the checks never race a deletion.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Configuration, MessagesApi } from 'bandwidth-sdk';
import { connectEmulator, type RemoteEmulator } from '../../src/control/client.js';
import type { ThrowawayAccount } from '../../src/throwaway-accounts.js';
import { rejection } from '../helpers/harness.js';
import { startSink, type CallbackSink } from '../helpers/sink.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'bandwidth-emulator.js');
const PREFIX = 'bandwidth-emulator-isolation-';
const MAX_LIFETIME_MS = 10 * 60_000;

/** One file of the pair: its key and the recipients it sends to (ordinary numbers, not magic ones). */
export interface IsolationFile {
  key: 'a' | 'b';
  recipients: string[];
}

export const ISOLATION_FILES: Record<'a' | 'b', IsolationFile> = {
  a: { key: 'a', recipients: Array.from({ length: 20 }, (_, i) => `+1919557${String(1000 + i).padStart(4, '0')}`) },
  b: { key: 'b', recipients: Array.from({ length: 20 }, (_, i) => `+1919557${String(2000 + i).padStart(4, '0')}`) },
};

/** The shared emulator as one file sees it. */
interface SharedEmulator {
  url: string;
  pid: number;
  /** The coordination directory for this vitest run. */
  dir: string;
  /** True in the file that spawned the process. */
  started: boolean;
}

// The process every test file's worker descends from: the parent of a forked worker, or the process of a thread.
const ownerPid = isMainThread ? process.ppid : process.pid;

// A pid can be reused: the owner's start time (Linux) makes the key unique to this vitest run.
function ownerStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? 'x';
  } catch {
    return 'x';
  }
}

/** The coordination directory of this vitest run. */
const runDir = join(tmpdir(), `${PREFIX}${ownerPid}-${ownerStartTime(ownerPid)}`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Only a process that is (still) our emulator is ever signalled: a reused pid must not be hit.
function isOurEmulator(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bandwidth-emulator.js');
  } catch {
    return true; // no /proc: the pid was ours and is alive
  }
}

/** Write a marker atomically (rename), so a reader never sees half a file. */
function signal(name: string, data: unknown = {}): void {
  const file = join(runDir, `${name}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(data));
  renameSync(`${file}.tmp`, file);
}

/** A marker's content, or undefined if it has not been written. */
function readSignal<T = unknown>(name: string): T | undefined {
  const file = join(runDir, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** Wait (fs.watch, no polling) for a marker, at most `timeoutMs`; rejects with `why` on timeout. */
function waitForSignal<T = unknown>(name: string, timeoutMs: number, why: string): Promise<T> {
  return waitForFile(runDir, `${name}.json`, timeoutMs, why).then((text) => JSON.parse(text) as T);
}

function waitForFile(dir: string, file: string, timeoutMs: number, why: string, ready: (text: string) => boolean = () => true): Promise<string> {
  const path = join(dir, file);
  const read = () => {
    if (!existsSync(path)) return undefined;
    const text = readFileSync(path, 'utf8');
    return ready(text) ? text : undefined;
  };
  return new Promise((resolvePromise, reject) => {
    const watcher = watch(dir, () => check());
    const timer = setTimeout(() => finish(new Error(`${why}: ${file} did not appear in ${dir} within ${timeoutMs} ms`)), timeoutMs);
    function finish(error?: Error, text?: string) {
      clearTimeout(timer);
      watcher.close();
      if (error) reject(error);
      else resolvePromise(text!);
    }
    function check() {
      const text = read();
      if (text !== undefined) finish(undefined, text);
    }
    // After the watcher is in place: a file written before it existed is found here.
    check();
  });
}

// The embedded default account and nothing else: the accounts the files use are made over HTTP.
function configFile(): string {
  return JSON.stringify({ callbacks: { deliveryDelay: '20ms', sendingDelay: '5ms' }, limits: { maxMessages: 10_000, maxJournalEntries: 10_000 } }, null, 2);
}

// Runs inside the emulator process (node --import data:...): stop when the vitest run is gone, or after a while.
function watchdog(): string {
  const source = `
    import { rmSync } from 'node:fs';
    const owner = ${ownerPid};
    const dir = ${JSON.stringify(runDir)};
    const deadline = Date.now() + ${MAX_LIFETIME_MS};
    const ownerAlive = () => { try { process.kill(owner, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    const timer = setInterval(() => {
      if (ownerAlive() && Date.now() < deadline) return;
      clearInterval(timer);
      rmSync(dir, { recursive: true, force: true });
      process.kill(process.pid, 'SIGTERM');
    }, 500);
    timer.unref();
  `;
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

async function spawnEmulator(): Promise<SharedEmulator> {
  const configPath = join(runDir, 'config.json');
  writeFileSync(configPath, configFile());
  const logPath = join(runDir, 'emulator.log');
  const log = openSync(logPath, 'a');
  // Output goes to a file, not a pipe: the process outlives the worker that started it.
  const child = spawn(process.execPath, ['--import', watchdog(), BIN, '--config', configPath, '--port', '0', '--log-level', 'warn'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', log, log],
    // Only the config file and flags configure it: no BW_EMULATOR_* setting of the caller's environment leaks in.
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BW_EMULATOR_'))),
  });
  closeSync(log);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, sig) => reject(new Error(`the shared emulator exited (${code ?? sig}) before listening:\n${readFileSync(logPath, 'utf8')}`))),
  );
  const banner = /listening on (http:\/\/\S+)/;
  try {
    const text = await Promise.race([
      waitForFile(runDir, 'emulator.log', 15_000, 'the shared emulator did not print its banner', (t) => banner.test(t)),
      exited,
    ]);
    const url = banner.exec(text)![1]!;
    const shared = { url, pid: child.pid!, dir: runDir, started: true };
    signal('emulator', { url, pid: child.pid });
    child.removeAllListeners('exit');
    child.unref();
    return shared;
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    // The other file is waiting for emulator.json: tell it at once rather than let it time out.
    signal('emulator', { error: (error as Error).message });
    throw error;
  }
}

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/__emulator/ready`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

// Directories of earlier runs whose vitest process is gone (a run that was killed) are removed.
function removeStaleDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX) || join(tmpdir(), name) === runDir) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/**
 * The one emulator of this vitest run: started by the first file that asks, joined by the other.
 * `me` is the asking file's account key; a marker of its own from before means a previous round (watch mode).
 */
async function sharedEmulator(me: 'a' | 'b'): Promise<SharedEmulator> {
  for (let round = 0; round < 2; round++) {
    removeStaleDirs();
    mkdirSync(runDir, { recursive: true });
    if (readSignal(`${me}.joined`) !== undefined) {
      // This file already ran against this directory (a rerun in the same vitest process): start afresh.
      await stopEmulator(readSignal<{ pid: number }>('emulator')?.pid);
      continue;
    }
    let lock: number | undefined;
    try {
      lock = openSync(join(runDir, 'starter.lock'), 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lock !== undefined) {
      closeSync(lock);
      return spawnEmulator();
    }
    const published = await waitForSignal<{ url: string; pid: number } | { error: string }>(
      'emulator',
      20_000,
      'the other isolation file was to start the shared emulator',
    );
    if ('error' in published) throw new Error(`the other isolation file could not start the shared emulator: ${published.error}`);
    const { url, pid } = published;
    if (await reachable(url)) return { url, pid, dir: runDir, started: false };
    // Published but gone: a previous round's emulator. Start afresh.
    await stopEmulator(pid);
  }
  throw new Error(`could not start or join the shared emulator in ${runDir}`);
}

/** Stop the shared emulator (if it is still ours and alive) and remove the coordination directory. */
async function stopEmulator(pid: number | undefined): Promise<void> {
  if (pid !== undefined && isOurEmulator(pid)) {
    process.kill(pid, 'SIGTERM');
    // Not our child when another worker started it: no exit event to wait on, so its liveness is polled, bounded.
    try {
      await vi.waitFor(() => expect(alive(pid), `shared emulator pid ${pid} still running after SIGTERM`).toBe(false), { timeout: 5000, interval: 25 });
    } catch {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
  rmSync(runDir, { recursive: true, force: true });
}

/**
 * Mark this file finished with the emulator; the file that finishes second stops it.
 * Returns true when this call stopped it.
 */
async function release(me: 'a' | 'b', shared: SharedEmulator): Promise<boolean> {
  const other = me === 'a' ? 'b' : 'a';
  signal(`${me}.closed`, { at: Date.now() });
  // Written before read: of two files finishing together, at least one sees both markers.
  if (readSignal(`${other}.closed`) === undefined) return false;
  await stopEmulator(shared.pid);
  return true;
}

/** What a file publishes about itself: the shared emulator and its account id. */
interface Joined {
  url: string;
  pid: number;
  accountId: string;
}

/**
 * The isolation suite, run by isolation-a.test.ts as file a and by isolation-b.test.ts as file b: whether vitest runs
 * the two files in parallel or one after the other, each makes its own throwaway account over HTTP, sees neither the
 * other's messages nor its callbacks (its receiver gets only its own), neither's reset removes the other's, and
 * deleting an account removes what it owned and nothing of the other's.
 */
export function isolationSuite(ME: IsolationFile, OTHER: IsolationFile): void {
  let shared: SharedEmulator | undefined;
  let ops: RemoteEmulator;
  let api: MessagesApi;
  let account: ThrowawayAccount | undefined;
  let sink: CallbackSink | undefined;
  // The other file left (deleted its account) before this one joined: its messages must be gone.
  let otherLeft: Joined | undefined;
  let sent: string[] = [];

  const ids = (list: Array<{ id: string }>) => list.map((m) => m.id).sort();
  const sorted = (list: readonly string[]) => [...list].sort();
  const mine = () => account!;
  const other = () => readSignal<Joined>(`${OTHER.key}.joined`);

  beforeAll(async () => {
    sink = await startSink();
    shared = await sharedEmulator(ME.key);
    ops = connectEmulator(shared.url);
    // Over HTTP: POST /__emulator/accounts answers the credentials, application and number of a fresh account.
    const res = await fetch(`${shared.url}/__emulator/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `isolation ${ME.key}`, callbackUrl: `${sink.url}/${ME.key}`, numbers: 2, ttlSeconds: 600 }),
    });
    expect(res.status).toBe(201);
    account = (await res.json()) as ThrowawayAccount;
    api = new MessagesApi(new Configuration(account.sdkConfig));
    signal(`${ME.key}.joined`, { url: shared.url, pid: shared.pid, accountId: account.accountId } satisfies Joined);
    if (readSignal(`${OTHER.key}.leaving`)) {
      otherLeft = other();
      await waitForSignal(`${OTHER.key}.removed`, 20_000, `isolation-${OTHER.key}.test.ts was deleting its account`);
    }
  }, 30_000);

  afterAll(async () => {
    try {
      if (account && shared) {
        signal(`${ME.key}.leaving`, {});
        // The other file joined: its checks may read this account's messages; leave once they are done.
        if (other() && !otherLeft) await waitForSignal(`${OTHER.key}.final`, 30_000, `isolation-${OTHER.key}.test.ts did not finish its checks`);
        const del = await fetch(`${shared.url}/__emulator/accounts/${account.accountId}`, {
          method: 'DELETE',
          headers: { 'content-type': 'application/json' },
        });
        expect(del.status).toBe(204);
        expect((await ops.accounts()).map((a) => a.id)).not.toContain(account.accountId);
        expect(await ops.messages.list({ accountId: account.accountId })).toEqual([]);
        expect(await ops.callbacks.list({ accountId: account.accountId })).toEqual([]);
        const refused = await rejection(api.listMessages(account.accountId, undefined, undefined, ME.recipients[0]));
        expect((refused as { response?: { status: number } }).response?.status).toBe(401);
        signal(`${ME.key}.removed`, {});
      }
    } finally {
      await sink?.close();
      if (shared) await release(ME.key, shared);
    }
  }, 60_000);

  async function send(to: string, i: number): Promise<string> {
    const res = await api.createMessage(mine().accountId, {
      applicationId: mine().applicationId,
      to: [to] as unknown as Set<string>,
      from: mine().numbers[i % mine().numbers.length]!,
      text: `isolation ${ME.key} #${i}`,
      tag: `iso-${ME.key}`,
    });
    expect(res.status).toBe(202);
    return res.data.id!;
  }

  // What the other file has published as sent, and whether its account is still there to hold it.
  function theirs(marker: 'sent' | 'done'): { accountId: string; ids: string[] } | undefined {
    return readSignal<{ accountId: string; ids: string[] }>(`${OTHER.key}.${marker}`);
  }

  async function expectOtherGone(accountId: string): Promise<void> {
    expect(await ops.messages.list({ accountId })).toEqual([]);
    expect(await ops.callbacks.list({ accountId })).toEqual([]);
    expect((await ops.accounts()).map((a) => a.id)).not.toContain(accountId);
  }

  describe(`isolation, file ${ME.key} (a throwaway account)`, () => {
    it('reaches the one shared emulator process the other file uses, with an account of its own', async () => {
      expect((await ops.health()).status).toBe('ok');
      expect(readSignal('emulator')).toEqual({ url: shared!.url, pid: shared!.pid });
      const listed = (await ops.accounts()).find((a) => a.id === mine().accountId);
      expect(listed).toMatchObject({ throwaway: true, numbers: mine().numbers.map((number) => ({ number, applicationId: mine().applicationId })) });
      const joined = other();
      if (joined) {
        expect(joined).toMatchObject({ url: shared!.url, pid: shared!.pid });
        expect(joined.accountId).not.toBe(mine().accountId);
      }
      if (otherLeft) await expectOtherGone(otherLeft.accountId);
    });

    it("reset(own account) clears its own messages and journal, and none of the other account's", async () => {
      const before = await send(ME.recipients[0]!, 0);
      await ops.callbacks.waitFor({ accountId: mine().accountId, messageId: before, type: 'message-delivered' }, { timeoutMs: 10_000 });
      // What the other file has published as sent (it never resets after that) must survive this reset.
      const published = otherLeft ? undefined : theirs('sent');

      await ops.reset(mine().accountId);
      expect(await ops.messages.list({ accountId: mine().accountId })).toEqual([]);
      expect(await ops.messages.get(before)).toBeUndefined();
      expect(await ops.callbacks.list({ accountId: mine().accountId })).toEqual([]);
      if (published) {
        expect(ids(await ops.messages.list({ accountId: published.accountId }))).toEqual(sorted(published.ids));
        expect(sorted((await ops.callbacks.list({ accountId: published.accountId })).map((e) => e.messageId))).toEqual(sorted(published.ids));
      }
    });

    it('sends 20 messages and sees exactly its own, each journaled and delivered to its own receiver', async () => {
      sent = await Promise.all(ME.recipients.map((to, i) => send(to, i)));
      expect(new Set(sent).size).toBe(20);
      await Promise.all(
        sent.map((id) =>
          ops.callbacks.waitFor({ accountId: mine().accountId, messageId: id, type: 'message-delivered', outcome: 'delivered' }, { timeoutMs: 10_000 }),
        ),
      );

      const messages = await ops.messages.list({ accountId: mine().accountId });
      expect(ids(messages)).toEqual(sorted(sent));
      for (const message of messages) {
        expect(message).toMatchObject({ accountId: mine().accountId, applicationId: mine().applicationId, direction: 'out', tag: `iso-${ME.key}` });
        expect(mine().numbers).toContain(message.from);
        expect(message.recipients.map((r) => r.status)).toEqual(['DELIVERED']);
      }
      const journal = await ops.callbacks.list({ accountId: mine().accountId });
      expect(sorted(journal.map((e) => e.messageId))).toEqual(sorted(sent));
      for (const entry of journal)
        expect(entry).toMatchObject({
          accountId: mine().accountId,
          applicationId: mine().applicationId,
          type: 'message-delivered',
          outcome: 'delivered',
          target: `${sink!.url}/${ME.key}`,
        });
      // The receiver got this account's callbacks and nobody else's: the reset's message and the 20.
      const bodies = sink!.requests.flatMap((r) => r.body as Array<{ message: { id: string; applicationId: string } }>);
      expect(bodies.every((b) => b.message.applicationId === mine().applicationId)).toBe(true);
      expect(sink!.requests.every((r) => r.path === `/callbacks/${ME.key}`)).toBe(true);
      expect(bodies.map((b) => b.message.id)).toEqual(expect.arrayContaining(sent));
      expect(bodies).toHaveLength(21);
      expect(ids(await ops.messages.list({ tag: `iso-${ME.key}` }))).toEqual(sorted(sent));
      signal(`${ME.key}.sent`, { accountId: mine().accountId, ids: sent });
    });

    it("never sees the other file's messages or callbacks; the other file's reset removed none of its own", async () => {
      let published = otherLeft ? undefined : theirs('sent');
      // Running at the same time as the other file: wait (bounded) until it has sent too, so both sets coexist.
      if (!published && !otherLeft && other() && !readSignal(`${OTHER.key}.done`)) {
        published = await waitForSignal(`${OTHER.key}.sent`, 15_000, `isolation-${OTHER.key}.test.ts joined but did not finish sending`);
      }
      const messages = await ops.messages.list({ accountId: mine().accountId });
      expect(ids(messages)).toEqual(sorted(sent));
      const myJournal = await ops.callbacks.list({ accountId: mine().accountId });
      expect(sorted(myJournal.map((e) => e.messageId))).toEqual(sorted(sent));

      if (published) {
        expect(published.ids).toHaveLength(20);
        const theirSet = new Set(published.ids);
        expect(messages.filter((m) => theirSet.has(m.id))).toEqual([]);
        expect(myJournal.filter((e) => theirSet.has(e.messageId))).toEqual([]);
        expect(sink!.requests.flatMap((r) => r.body as Array<{ message: { id: string } }>).filter((b) => theirSet.has(b.message.id))).toEqual([]);
        expect(ids(await ops.messages.list({ accountId: published.accountId }))).toEqual(sorted(published.ids));
        // One emulator holds both files' messages.
        expect(ids(await ops.messages.list())).toEqual(expect.arrayContaining([...sent, ...published.ids]));
      }
      signal(`${ME.key}.done`, { accountId: mine().accountId, ids: sent });
    });

    it('once both files are done: each account holds exactly its own 20 messages and 20 callbacks (or, one after the other, the first account left nothing)', async (ctx) => {
      try {
        if (otherLeft) {
          // One after the other: the other file's account was deleted before this one began, and took everything
          // it owned with it; what the emulator holds is this file's alone.
          await expectOtherGone(otherLeft.accountId);
          expect(ids(await ops.messages.list())).toEqual(sorted(sent));
          const health = await ops.health();
          expect(health.messages.messages).toBe(20);
          expect(health.journal.entries).toBe(20);
          return;
        }
        const done = theirs('done');
        // The file that is done second checks for both; the other skips (both write `done` before reading it).
        if (!done) ctx.skip(`isolation-${OTHER.key}.test.ts is not done yet: it runs this check`);
        expect(ids(await ops.messages.list({ accountId: mine().accountId }))).toEqual(sorted(sent));
        expect(ids(await ops.messages.list({ accountId: done!.accountId }))).toEqual(sorted(done!.ids));
        expect(sorted((await ops.callbacks.list({ accountId: mine().accountId })).map((e) => e.messageId))).toEqual(sorted(sent));
        expect(sorted((await ops.callbacks.list({ accountId: done!.accountId })).map((e) => e.messageId))).toEqual(sorted(done!.ids));
        const health = await ops.health();
        expect(health.messages.messages).toBe(40);
        expect(health.journal.entries).toBe(40);
      } finally {
        // The other file may delete its account from now on.
        signal(`${ME.key}.final`, {});
      }
    });
  });
}
