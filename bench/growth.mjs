// The growth benchmark (issue 16): how create latency (p50/p99 of 200 timed creates made while the load is on) and
// the emulator's memory (peak RSS) grow with scenario rules (10 → 1,000), event-stream clients that never read
// (0 → 1,000) and pending steps (10,000 → 200,000, then one flush). Each point is a fresh emulator process under one
// of the hostile-load suite's loads (bench/lib/hostile-loads.mjs); per dimension it gives a verdict: flat, at most
// linear, or worse. Loopback only, every load bounded in count and time, about 2-3 minutes in all.
// `node bench/growth.mjs` after a build (npm run bench:growth does both) prints the JSON and the table and rewrites
// BENCHMARKS.md's growth section; `--out FILE` writes the JSON there and leaves BENCHMARKS.md alone; `--smoke`
// runs tiny sizes (the CI test); BENCH_GROWTH_ONLY=rules,clients,pending picks dimensions.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COSTS, growthOf, isBad, renderGrowthMarkdown } from './lib/growth-report.mjs';
import { eventStreamsLoad, maximalScenarioLoad, pendingFlushLoad } from './lib/hostile-loads.mjs';
import { round } from './lib/proc.mjs';
import { replaceSection } from './lib/report.mjs';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const outArg = args.indexOf('--out') >= 0 ? args[args.indexOf('--out') + 1] : undefined;
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const log = (line) => process.stderr.write(`[growth] ${line}\n`);
const only = process.env.BENCH_GROWTH_ONLY ? process.env.BENCH_GROWTH_ONLY.split(',') : undefined;

const settings = smoke
  ? { timed: 20, rules: [1, 10], clients: [0, 5, 10], messages: 50, pending: [1_000, 2_000], deadlineMs: 20_000 }
  : { timed: 200, rules: [10, 100, 1_000], clients: [0, 100, 1_000], messages: 1_000, pending: [10_000, 50_000, 200_000], deadlineMs: 30_000 };

// What a point records, whichever load made it: the shared figures, and a problem when the load went wrong (an
// error, creates left unanswered, work left pending, events lost, or what the dimension itself checks).
function pointOf(size, r, d) {
  const c = r.create;
  const problem = r.error
    ? 'error: ' + r.error.split('\n')[0]
    : c && c.answered < c.count
      ? `${c.answered}/${c.count} timed creates answered in time`
      : (d.problem?.(r) ?? (r.settled === false ? 'work still pending after the load' : r.lost ? `${r.lost} events lost` : undefined));
  return {
    size,
    createP50Ms: c?.p50Ms ?? undefined,
    createP99Ms: c?.p99Ms ?? undefined,
    rssPeakMb: r.rssPeakMb,
    rssIdleMb: r.rssIdleMb,
    ...(r.died ? { died: r.died } : {}),
    ...(problem ? { problem } : {}),
    also: r.died ? undefined : d.also(r),
    ...(d.extra && !r.died ? d.extra(r) : {}),
    seconds: r.seconds,
  };
}

const DIMENSIONS = [
  {
    key: 'rules',
    label: 'scenario rules',
    sizes: settings.rules,
    // The maximal scenario's rules (long names and patterns), 10-recipient creates that miss every one.
    run: (rules) => maximalScenarioLoad({ rules, timed: settings.timed, deadlineMs: settings.deadlineMs }),
    also: (r) => `scenario ${round((r.scenario?.bytes ?? 0) / 1024)} KB; one message's view ${round((r.messageViewBytes ?? 0) / 1024)} KB`,
  },
  {
    key: 'clients',
    label: 'event-stream clients (never read)',
    sizes: settings.clients,
    run: (clients) => eventStreamsLoad({ clients, messages: settings.messages, timed: settings.timed, deadlineMs: settings.deadlineMs }),
    also: (r) =>
      r.streams
        ? `${r.streams.served} served (${r.streams.servedEndedByEmulator} cut off), ${
            Object.entries(r.streams.statuses)
              .filter(([s]) => s !== '200')
              .map(([s, n]) => `${n} got ${s}`)
              .join(', ') || 'none refused'
          }`
        : '',
  },
  {
    key: 'pending',
    label: 'pending steps',
    sizes: settings.pending,
    run: (pending) => pendingFlushLoad({ pending, timed: settings.timed, deadlineMs: 2 * settings.deadlineMs }),
    also: (r) => (r.flush ? `flush ${r.flush.ms} ms (${flushLeft(r)}); health during it ≤ ${r.healthDuringFlush?.maxMs} ms` : ''),
    problem: (r) => flushProblem(r),
    // Flushing N steps is work in N: its time may grow linearly; how long health waits during it should not grow.
    extraCosts: { flushMs: 'flush time', healthMaxMs: 'longest health wait during the flush' },
    extra: (r) => ({ flushMs: r.flush?.ms, healthMaxMs: r.healthDuringFlush?.maxMs, flushProblem: flushProblem(r) }),
    // A flush that did not answer, or left steps pending, has no flush time to compare.
    failures: { flushMs: (p) => p.flushProblem },
  },
].filter((d) => !only || only.includes(d.key));

// What a flush left undone: no answer within its deadline, or steps still pending after it answered.
function flushProblem(r) {
  if (!r.flush) return undefined;
  if (r.flush.status !== 200) return `the flush did not answer (${r.flush.answer})`;
  return r.flush.stepsAfter ? `the flush left ${r.flush.stepsAfter} steps pending` : undefined;
}

const flushLeft = (r) => (r.flush.status !== 200 ? `no answer: ${r.flush.answer}` : `${r.flush.stepsAfter} left pending`);

const started = performance.now();
const loadBefore = os.loadavg();
const dimensions = [];
for (const d of DIMENSIONS) {
  const points = [];
  for (const size of d.sizes) {
    log(`${d.label}: ${size.toLocaleString('en')}`);
    const r = await d.run(size);
    points.push(pointOf(size, r, d));
    const p = points.at(-1);
    log(
      `  p50 ${p.createP50Ms} ms, p99 ${p.createP99Ms} ms, peak RSS ${r.rssPeakMb} MB${r.died ? `; ${r.died}` : p.problem ? `; ${p.problem}` : ''} (${r.seconds} s)`,
    );
  }
  const growth = {};
  for (const [key, { get }] of Object.entries(COSTS)) growth[key] = growthOf(points, get);
  for (const key of Object.keys(d.extraCosts ?? {})) growth[key] = growthOf(points, (p) => p[key], d.failures?.[key]);
  dimensions.push({ key: d.key, label: d.label, extraCosts: d.extraCosts, points: points.map(({ flushProblem, ...p }) => p), growth });
}

const verdicts = dimensions.flatMap((d) => Object.values(d.growth).map((g) => g.verdict));
const worse = verdicts.filter(isBad).length;
const results = {
  at: new Date().toISOString(),
  mode: smoke ? 'smoke' : 'full',
  seconds: round((performance.now() - started) / 1000, 1),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverageBefore: loadBefore.map((n) => round(n)),
    loadAverageAfter: os.loadavg().map((n) => round(n)),
  },
  settings,
  dimensions,
  overall: worse === 0 ? 'nothing grows worse than linearly' : `${worse} of ${verdicts.length} costs grow worse than linearly or without bound`,
};
const markdown = renderGrowthMarkdown(results);
process.stdout.write(JSON.stringify(results, null, 2) + '\n\n' + markdown + '\n');
const out = outArg ?? here(smoke ? './results/growth-smoke.json' : './results/growth.json');
mkdirSync(dirname(resolve(out)), { recursive: true });
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
if (!outArg && !smoke && !only) {
  const path = here('../BENCHMARKS.md');
  writeFileSync(path, replaceSection(readFileSync(path, 'utf8'), 'growth', markdown));
}
log(`done in ${results.seconds} s: ${results.overall}; ${out}`);
