// The performance suite in smoke mode (`node bench/run.mjs --smoke`): every phase for a second or so, proving that
// `npm run bench` works end to end and reports every figure. No speed is asserted here: the figures of a smoke run
// on a shared CI machine mean nothing; BENCHMARKS.md holds the full run. It needs the build (`npm test` runs it).
import { execFile, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TARGET_FIELDS = [
  'requestsPerSec',
  'latencyP50Ms',
  'latencyP99Ms',
  'errors',
  'accepted',
  'callbacksPerSec',
  'callbacksDelivered',
  'callbacksPending',
  'callbacksLost',
  'callbacksDuplicated',
  'callbackLatencyP50Ms',
  'callbackLatencyP99Ms',
  'rssIdleMb',
  'rssAfterLoadMb',
  'rssPeakMb',
  'cpuSecondsPer10k',
  'coldStartMs',
];
const RATIOS = ['throughput', 'callbacksPerSec', 'callbackLatencyP99', 'rssPeak', 'cpuPer10k', 'coldStart'];
const GOALS = [
  'throughputAtLeast80PercentOfReference',
  'callbackLatencyP99Within2xReference',
  'noCallbackLost',
  'idleRssUnder100Mb',
  'soakRssFlat',
  'coldStartUnder500Ms',
];

describe('npm run bench (smoke)', () => {
  it('runs every phase against the emulator and the reference and writes every figure to the JSON', async () => {
    expect(existsSync(`${root}dist/index.js`), 'dist/index.js is missing: run `npm run build` first').toBe(true);
    const out = join(dir, 'bench.json');
    await run(process.execPath, ['bench/run.mjs', '--smoke', '--out', out], { cwd: root, timeout: 170_000, env: { ...process.env, NODE_OPTIONS: '' } });
    const results = JSON.parse(readFileSync(out, 'utf8'));

    expect(results.mode).toBe('smoke');
    expect(results.machine).toMatchObject({ cpus: expect.any(Number), node: process.version });
    for (const target of ['reference', 'emulator']) {
      for (const field of TARGET_FIELDS) expect(results[target][field], `${target}.${field}`).toEqual(expect.any(Number));
      // Every accepted message's callback reached the sink, or is still pending in the target's books. Delivery is at
      // least once, so the sink counts distinct messages: a duplicate (reported in callbacksDuplicated) can neither
      // make delivered exceed accepted nor add a second latency sample for one paced message.
      expect(results[target].accepted, `${target} accepted nothing`).toBeGreaterThan(0);
      expect(results[target].callbacksDuplicated, `${target}.callbacksDuplicated`).toBeGreaterThanOrEqual(0);
      expect(results[target].pacedCallbacks, `${target}: paced callbacks timed`).toBe(results[target].pacedAccepted);
    }
    expect(results.emulator.callbacksLost, 'accepted = delivered + pending').toBe(0);
    for (const ratio of RATIOS) expect(results.ratios[ratio], `ratios.${ratio}`).toEqual(expect.any(Number));
    for (const goal of GOALS) expect(results.goals[goal], `goals.${goal}`).toEqual(expect.any(Boolean));
    expect(results.soak.readings.map((r: { messages: number }) => r.messages)).toEqual(results.settings.soakCheckpoints);
    for (const reading of results.soak.readings) expect(reading.rssMb).toEqual(expect.any(Number));
    expect(results.soak.books.pending).toBe(0);
  }, 180_000);
});

describe('the bench callback sink (bench/lib/sink.mjs)', () => {
  it('counts a duplicated callback once: distinct events and messages, duplicates apart, one latency sample per paced message', async () => {
    const sink = fork(`${root}bench/lib/sink.mjs`, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const exited = new Promise((resolve) => sink.once('exit', resolve));
    try {
      const port = await new Promise<number>((resolve) => sink.once('message', (m: { port: number }) => resolve(m.port)));
      const post = async (type: string, id: string, tag?: string) => {
        const body = [{ type, time: new Date().toISOString(), to: '+19195551234', description: 'x', message: { id, ...(tag ? { tag } : {}) } }];
        const res = await fetch(`http://127.0.0.1:${port}/cb/target`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(200);
      };
      const paced = `t:${process.hrtime.bigint()}`;
      // m1: sending, delivered, and the delivered sent again; m2 (paced): delivered twice.
      await post('message-sending', 'm1');
      await post('message-delivered', 'm1');
      await post('message-delivered', 'm1');
      await post('message-delivered', 'm2', paced);
      await post('message-delivered', 'm2', paced);
      const stats = (await (await fetch(`http://127.0.0.1:${port}/stats/target`)).json()) as {
        received: number;
        events: number;
        messages: number;
        duplicates: number;
        latenciesMs: number[];
      };
      expect(stats).toMatchObject({ received: 5, events: 3, messages: 2, duplicates: 2 });
      expect(stats.latenciesMs).toHaveLength(1);
    } finally {
      sink.send('stop');
      await exited;
    }
  });
});
