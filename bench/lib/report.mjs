// Turns the suite's JSON into the generated part of BENCHMARKS.md (between the markers; the prose around it stays).

const ROWS = [
  ['requests/s (saturation)', 'requestsPerSec'],
  ['latency p50 / p99 (ms)', (r) => `${r.latencyP50Ms} / ${r.latencyP99Ms}`],
  ['errors (non-2xx, socket, timeouts)', 'errors'],
  ['callbacks/s delivered during load', 'callbacksPerSec'],
  [
    'accepted = delivered + pending; lost',
    (r) => `${r.accepted} = ${r.callbacksDelivered} + ${r.callbacksPending}; lost ${r.callbacksLost} (${r.callbacksDuplicated ?? 0} duplicates)`,
  ],
  ['POST-to-callback p50 / p99 (ms) at the paced rate', (r) => `${r.callbackLatencyP50Ms} / ${r.callbackLatencyP99Ms}`],
  ['RSS idle / after load / peak (MB)', (r) => `${r.rssIdleMb} / ${r.rssAfterLoadMb} / ${r.rssPeakMb}`],
  ['CPU seconds per 10,000 messages', 'cpuSecondsPer10k'],
  ['cold start to first 202 (ms)', 'coldStartMs'],
];

const GOALS = {
  throughputAtLeast80PercentOfReference: (r) => `saturation throughput ≥ 0.8 × reference: ${r.ratios.throughput}`,
  callbackLatencyP99Within2xReference: (r) => `POST-to-callback p99 ≤ 2 × reference: ${r.ratios.callbackLatencyP99}×`,
  noCallbackLost: (r) => `zero callbacks lost at saturation: ${r.emulator.callbacksLost} lost`,
  idleRssUnder100Mb: (r) => `RSS at idle < 100 MB: ${r.emulator.rssIdleMb} MB`,
  soakRssFlat: (r) =>
    `RSS after ${r.soak.readings.at(-1).messages.toLocaleString('en')} ≤ after ${r.soak.readings[0].messages.toLocaleString('en')} + 10%: ${r.soak.readings.at(-1).rssMb} vs ${r.soak.readings[0].rssMb} MB`,
  coldStartUnder500Ms: (r) => `cold start to first 202 < 500 ms: ${r.emulator.coldStartMs} ms`,
};

/** The generated results section for one run. */
export function renderMarkdown(r) {
  const cell = (target, get) => (typeof get === 'string' ? target[get] : get(target));
  const m = r.machine;
  return [
    `Run ${r.at} (${r.mode}) on ${m.cpus} × ${m.model}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}; load average before ${m.loadAverageBefore.join(' ')}, after ${m.loadAverageAfter.join(' ')}.`,
    '',
    '| | reference | emulator | emulator / reference |',
    '|---|---|---|---|',
    ...ROWS.map(
      ([label, get], i) =>
        `| ${label} | ${cell(r.reference, get)} | ${cell(r.emulator, get)} | ${[r.ratios.throughput, '', '', r.ratios.callbacksPerSec, '', r.ratios.callbackLatencyP99, r.ratios.rssPeak + ' (peak)', r.ratios.cpuPer10k, r.ratios.coldStart][i]} |`,
    ),
    '',
    '| goal | met |',
    '|---|---|',
    ...Object.entries(GOALS).map(([key, describe]) => `| ${describe(r)} | ${r.goals[key] ? 'yes' : '**no**'} |`),
    '',
    `Soak (default config and caps, in-process, no HTTP: events journaled as no-target): ${r.soak.readings.map((s) => `${s.messages.toLocaleString('en')} messages → RSS ${s.rssMb} MB (heap in use ${s.heapUsedMb} MB) at ${s.seconds} s`).join('; ')}. ` +
      `Books at the end: ${r.soak.books.planned} planned, ${r.soak.books.noTarget} no-target, ${r.soak.books.pending} pending; store ${r.soak.stores.messages.messages} messages (${r.soak.stores.messages.evicted} evicted), journal ${r.soak.stores.journal.entries} entries (${r.soak.stores.journal.evicted} evicted).`,
    '',
    'Commands:',
    '',
    ...Object.entries(r.commands).map(([k, v]) => `- ${k}: \`${v}\``),
  ].join('\n');
}

/** BENCHMARKS.md with its generated section replaced (appended when the markers are missing). */
export function replaceResults(markdown, section) {
  return replaceSection(markdown, 'results', section);
}

/**
 * `markdown` with the generated section `name` (between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`)
 * replaced by `section`; appended when its markers are missing. Nothing outside the markers changes.
 */
export function replaceSection(markdown, name, section) {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${section}\n${end}`;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < 0) return `${markdown.trimEnd()}\n\n${block}\n`;
  return markdown.slice(0, from) + block + markdown.slice(to + end.length);
}
