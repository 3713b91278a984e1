// The performance suite (issue 9): the emulator as built against a bare Fastify reference, each in its own process,
// loaded by autocannon in another, callbacks counted by a sink in a fourth; then a soak of the default caps.
// Loopback only, bounded in time. `node bench/run.mjs` after a build (npm run bench does both);
// `--smoke` runs every phase for a second or so (the CI test); `--out FILE` writes the JSON elsewhere and leaves
// BENCHMARKS.md alone.
import { fork, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { request } from 'undici';
import { cpuSecondsOf, memoryOf, percentile, round } from './lib/proc.mjs';
import { renderMarkdown, replaceResults } from './lib/report.mjs';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const outArg = args.indexOf('--out') >= 0 ? args[args.indexOf('--out') + 1] : undefined;
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const settings = smoke
  ? { saturationSeconds: 1, connections: 8, pacedRate: 200, pacedSeconds: 1, soakCheckpoints: [2_000, 4_000], drainTimeoutMs: 15_000 }
  : { saturationSeconds: 10, connections: 32, pacedRate: 1_000, pacedSeconds: 5, soakCheckpoints: [100_000, 1_000_000], drainTimeoutMs: 60_000 };
// Environment overrides, for trying one phase at another size: BENCH_SATURATION_SECONDS=3 and so on.
for (const [key, env] of [
  ['saturationSeconds', 'BENCH_SATURATION_SECONDS'],
  ['connections', 'BENCH_CONNECTIONS'],
  ['pacedRate', 'BENCH_PACED_RATE'],
  ['pacedSeconds', 'BENCH_PACED_SECONDS'],
]) {
  if (process.env[env]) settings[key] = Number(process.env[env]);
}
if (process.env.BENCH_SOAK) settings.soakCheckpoints = process.env.BENCH_SOAK.split(',').map(Number);
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line) => process.stderr.write(`[bench] ${line}\n`);

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Run a node script to completion in its own process; resolves with the JSON line it prints. */
function runScript(script, scriptArgs, nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, here(script), ...scriptArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1))) : reject(new Error(`${script} exited with ${code}`))));
  });
}

/** GET a JSON document from one of the bench's own servers. @returns {Promise<any>} */
async function getJson(url) {
  const res = await request(url);
  return res.body.json();
}

const body = JSON.stringify({ applicationId: '93de2206-9669-4e07-948d-329f4b722ee2', to: ['+19195551234'], from: '+19195550100', text: 'first', tag: 'cold' });
const auth = 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64');

// Spawn-to-first-202: poll with the create request until the target accepts one.
async function coldStart(spawnTarget, url) {
  const started = performance.now();
  const child = spawnTarget();
  const deadline = started + 20_000;
  while (performance.now() < deadline) {
    try {
      const res = await request(`${url}/users/9900000/messages`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body,
      });
      await res.body.dump();
      if (res.statusCode === 202) return { child, ms: performance.now() - started };
    } catch {
      await delay(2);
    }
  }
  child.kill('SIGKILL');
  throw new Error(`${url} never answered 202 within 20 s`);
}

/**
 * One target's run, the reference's or the emulator's: cold start, idle memory, saturation, then paced callback latency.
 * @param {string} name
 * @param {() => import('node:child_process').ChildProcess} spawnTarget
 * @param {{ url: string, sinkUrl: string, pendingOf: () => Promise<number>, acceptedOf: () => Promise<number>, beforePaced?: () => Promise<void> }} target
 */
async function measure(name, spawnTarget, { url, sinkUrl, pendingOf, acceptedOf, beforePaced }) {
  log(`${name}: cold start`);
  const { child, ms: coldStartMs } = await coldStart(spawnTarget, url);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await delay(smoke ? 200 : 1_000);
  const idle = memoryOf(child.pid);
  // Delivery is at least once: a callback can reach the sink twice. Counted are distinct messages with a callback
  // (one event each here), so a duplicate can never make delivered exceed accepted; duplicates are reported apart.
  const sinkStats = () => getJson(`${sinkUrl}/stats/${name}?count`);
  const received = async () => (await sinkStats()).messages;
  // The cold start's message is accepted before the phase begins: its callback must not land in the phase's count.
  const warmDeadline = performance.now() + settings.drainTimeoutMs;
  while ((await received()) < (await acceptedOf()) && performance.now() < warmDeadline) await delay(20);

  log(`${name}: saturation, ${settings.saturationSeconds} s at ${settings.connections} connections`);
  const cpuBefore = cpuSecondsOf(child.pid);
  const sinkBefore = await received();
  const duplicatesBefore = (await sinkStats()).duplicates;
  const acceptedBefore = await acceptedOf();
  const load = await runScript('./lib/saturate.mjs', [url, String(settings.saturationSeconds), String(settings.connections)]);
  const deliveredDuringLoad = (await received()) - sinkBefore;
  // Counted by the server: a 202 written as autocannon stopped reaches the sink but not autocannon's tally.
  let accepted = (await acceptedOf()) - acceptedBefore;
  // Drain: every accepted message's callback delivered, or still pending in the target's own books.
  const drainStarted = performance.now();
  let delivered = 0;
  let pending = 0;
  while (performance.now() - drainStarted < settings.drainTimeoutMs) {
    delivered = (await received()) - sinkBefore;
    pending = await pendingOf();
    accepted = (await acceptedOf()) - acceptedBefore;
    if (delivered >= accepted && pending === 0) break;
    await delay(50);
  }
  const cpuSeconds = cpuSecondsOf(child.pid) - cpuBefore;
  accepted = (await acceptedOf()) - acceptedBefore;
  const duplicated = (await sinkStats()).duplicates - duplicatesBefore;
  const afterLoad = memoryOf(child.pid);

  log(`${name}: paced ${settings.pacedRate} msg/s for ${settings.pacedSeconds} s`);
  await beforePaced?.();
  const pacedBefore = await received();
  const paced = await runScript('./lib/paced.mjs', [url, String(settings.pacedRate), String(settings.pacedSeconds)]);
  const pacedDeadline = performance.now() + settings.drainTimeoutMs;
  while ((await received()) - pacedBefore < paced.accepted && performance.now() < pacedDeadline) await delay(20);
  const latencies = (await getJson(`${sinkUrl}/stats/${name}`)).latenciesMs;
  const peak = memoryOf(child.pid).peakRssMb;
  child.kill('SIGTERM');
  await exited;

  return {
    requestsPerSec: round(load.requestsPerSec, 0),
    latencyP50Ms: load.latencyP50Ms,
    latencyP99Ms: load.latencyP99Ms,
    errors: load.errors + load.non2xx + load.timeouts,
    accepted,
    loadGeneratorCounted2xx: load.accepted,
    callbacksPerSec: round(deliveredDuringLoad / load.durationSec, 0),
    callbacksDelivered: delivered,
    callbacksPending: pending,
    // A pending retry of an event the sink already has would count twice here: the drain ends only at pending 0.
    callbacksLost: accepted - delivered - pending,
    callbacksDuplicated: duplicated,
    callbackLatencyP50Ms: round(percentile(latencies, 50) ?? NaN),
    callbackLatencyP99Ms: round(percentile(latencies, 99) ?? NaN),
    pacedSent: paced.sent,
    pacedAccepted: paced.accepted,
    pacedCallbacks: latencies.length,
    rssIdleMb: idle.rssMb,
    rssAfterLoadMb: afterLoad.rssMb,
    rssPeakMb: peak,
    cpuSecondsPer10k: round((cpuSeconds / Math.max(1, accepted)) * 10_000, 3),
    coldStartMs: round(coldStartMs, 1),
  };
}

// Both targets run with the Node flags `npm start` and the Docker image use (BENCH_NODE_FLAGS overrides them, e.g.
// with an empty string to measure plain `node`): a 32 MB young-generation semi-space, which BENCHMARKS.md explains.
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean);

const loadBefore = os.loadavg();
const sink = fork(here('./lib/sink.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const sinkPort = await new Promise((resolve) => sink.once('message', (m) => resolve(/** @type {{ port: number }} */ (m).port)));
const sinkUrl = `http://127.0.0.1:${sinkPort}`;
try {
  const refPort = await freePort();
  const reference = await measure(
    'reference',
    () =>
      spawn(process.execPath, [...nodeFlags, here('./lib/reference.mjs')], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, PORT: String(refPort), CALLBACK_URL: `${sinkUrl}/cb/reference` },
      }),
    {
      url: `http://127.0.0.1:${refPort}`,
      sinkUrl,
      pendingOf: async () => 0,
      acceptedOf: async () => (await getJson(`http://127.0.0.1:${refPort}/stats`)).accepted,
    },
  );

  const emuPort = await freePort();
  const emuUrl = `http://127.0.0.1:${emuPort}`;
  const emulatorCommand = ['bin/bandwidth-emulator.js', '--port', String(emuPort), '--callback-url', `${sinkUrl}/cb/emulator`];
  const emulator = await measure(
    'emulator',
    () =>
      spawn(process.execPath, [...nodeFlags, ...emulatorCommand.map((a, i) => (i === 0 ? here(`../${a}`) : a))], { stdio: ['ignore', 'ignore', 'inherit'] }),
    {
      url: emuUrl,
      sinkUrl,
      pendingOf: async () => {
        const health = await getJson(`${emuUrl}/__emulator/health`);
        return health.callbacks.pending + health.pendingSteps;
      },
      // Every accepted message is stored: held plus evicted counts them all.
      acceptedOf: async () => {
        const { messages } = await getJson(`${emuUrl}/__emulator/health`);
        return messages.messages + messages.evicted;
      },
      // The configured delivery delay (100 ms) is the emulator's behaviour, not its overhead: time scale 0 for latency.
      beforePaced: async () => {
        const res = await request(`${emuUrl}/__emulator/time`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ timeScale: 0 }),
        });
        await res.body.dump();
      },
    },
  );

  log(`soak: ${settings.soakCheckpoints.join(', ')} messages in-process`);
  const soak = await runScript('./lib/soak.mjs', [settings.soakCheckpoints.join(',')], ['--expose-gc']);

  const ratios = {
    throughput: round(emulator.requestsPerSec / reference.requestsPerSec),
    callbacksPerSec: round(emulator.callbacksPerSec / reference.callbacksPerSec),
    callbackLatencyP99: round(emulator.callbackLatencyP99Ms / reference.callbackLatencyP99Ms),
    rssPeak: round(emulator.rssPeakMb / reference.rssPeakMb),
    cpuPer10k: round(emulator.cpuSecondsPer10k / reference.cpuSecondsPer10k),
    coldStart: round(emulator.coldStartMs / reference.coldStartMs),
  };
  const [first, last] = [soak.readings[0], soak.readings.at(-1)];
  const goals = {
    throughputAtLeast80PercentOfReference: ratios.throughput >= 0.8,
    callbackLatencyP99Within2xReference: ratios.callbackLatencyP99 <= 2,
    noCallbackLost: emulator.callbacksLost === 0,
    idleRssUnder100Mb: emulator.rssIdleMb < 100,
    soakRssFlat: last.rssMb <= first.rssMb * 1.1,
    coldStartUnder500Ms: emulator.coldStartMs < 500,
  };
  const results = {
    at: new Date().toISOString(),
    mode: smoke ? 'smoke' : 'full',
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
      loadAverageBefore: loadBefore.map((n) => round(n)),
      loadAverageAfter: os.loadavg().map((n) => round(n)),
    },
    settings,
    commands: {
      emulator: `node ${[...nodeFlags, ...emulatorCommand].join(' ')}`,
      reference: `node ${[...nodeFlags, 'bench/lib/reference.mjs'].join(' ')}`,
      load: `autocannon -c ${settings.connections} -d ${settings.saturationSeconds} (bench/lib/saturate.mjs)`,
      paced: `bench/lib/paced.mjs ${settings.pacedRate} msg/s for ${settings.pacedSeconds} s`,
    },
    reference,
    emulator,
    ratios,
    soak,
    goals,
  };
  const out = outArg ?? (smoke ? here('./results/smoke.json') : here('../BENCHMARKS.json'));
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  if (!outArg && !smoke) {
    const path = here('../BENCHMARKS.md');
    writeFileSync(path, replaceResults(readFileSync(path, 'utf8'), renderMarkdown(results)));
  }
  log(
    `done: throughput ratio ${ratios.throughput}, callback p99 ratio ${ratios.callbackLatencyP99}, lost ${emulator.callbacksLost}; goals ${Object.values(goals).filter(Boolean).length}/${Object.keys(goals).length} met; ${out}`,
  );
} finally {
  sink.send('stop');
}
