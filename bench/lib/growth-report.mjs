// The growth benchmark's verdicts and its generated part of BENCHMARKS.md (bench/growth.mjs measures).
import { round } from './proc.mjs';

// A cost that moves less than this between the smallest and the largest size is flat, whatever the sizes.
const FLAT_RATIO = 1.25;
// Noise allowance on "at most linear": cost ratio / size ratio up to this still counts as linear.
const LINEAR_TOLERANCE = 1.2;

/**
 * How a cost grows from the smallest to the largest size of a dimension: the cost ratio, the size ratio, their
 * quotient (≤ 1: at most linear), the log-log exponent, and a verdict. A size of 0 is compared from the next one.
 * A size the emulator did not survive makes the verdict "unbounded", and one where the cost could not be measured
 * (`failure` says why, e.g. a flush that left steps pending) "fails"; the ratios are then over the sizes that worked.
 * @param {Array<any>} points
 * @param {(point: any) => number} cost
 * @param {(point: any) => string | undefined} [failure]
 */
export function growthOf(points, cost, failure = () => undefined) {
  const died = points.find((p) => p.died);
  const failed = points.find((p) => !p.died && failure(p));
  const measured = points.filter((p) => p.size > 0 && !p.died && !failure(p) && cost(p) > 0);
  const broken = died
    ? `unbounded: the emulator did not survive ${died.size.toLocaleString('en')} (${died.died})`
    : failed && `fails at ${failed.size.toLocaleString('en')}: ${failure(failed)}`;
  if (measured.length < 2) return { verdict: broken ?? 'not measured' };
  const [first, last] = [measured[0], measured.at(-1)];
  const costRatio = cost(last) / cost(first);
  const sizeRatio = last.size / first.size;
  const perSize = costRatio / sizeRatio;
  const exponent = Math.log(costRatio) / Math.log(sizeRatio);
  const verdict = broken ?? (costRatio <= FLAT_RATIO ? 'flat' : perSize <= LINEAR_TOLERANCE ? 'at most linear' : 'worse than linear');
  return {
    from: first.size,
    to: last.size,
    costRatio: round(costRatio),
    sizeRatio: round(sizeRatio),
    perSize: round(perSize, 3),
    exponent: round(exponent),
    verdict,
  };
}

/** Whether a verdict says a cost is not under control (printed in bold, counted in the overall line). */
export function isBad(verdict) {
  return verdict === 'worse than linear' || verdict.startsWith('unbounded') || verdict.startsWith('fails');
}

/** The costs every dimension is judged on; `extra` adds a dimension's own (flush time). */
export const COSTS = {
  createP50Ms: { label: 'create p50', get: (p) => p.createP50Ms },
  createP99Ms: { label: 'create p99', get: (p) => p.createP99Ms },
  // Memory the load adds: peak RSS above the emulator's RSS at idle, so the fixed ~80 MB does not hide growth.
  rssAddedMb: { label: 'peak RSS above idle', get: (p) => p.rssPeakMb - p.rssIdleMb },
};

const cell = (v, unit = '') => (v === undefined || v === null || Number.isNaN(v) ? '–' : `${v}${unit}`);

/** The generated section of BENCHMARKS.md for one run. */
export function renderGrowthMarkdown(r) {
  const m = r.machine;
  const lines = [
    `Run ${r.at} (${r.mode}) on ${m.cpus} × ${m.model}, Node ${m.node}; load average before ${m.loadAverageBefore.join(' ')}, after ${m.loadAverageAfter.join(' ')}; ${r.seconds} s.`,
    '',
    '| dimension | size | create p50 / p99 (ms) | peak RSS (idle) MB | also | emulator |',
    '|---|---|---|---|---|---|',
  ];
  for (const d of r.dimensions) {
    for (const p of d.points) {
      lines.push(
        `| ${d.label} | ${p.size.toLocaleString('en')} | ${cell(p.createP50Ms)} / ${cell(p.createP99Ms)} | ${cell(p.rssPeakMb)} (${cell(p.rssIdleMb)}) | ${p.also ?? ''} | ${p.died ? `**${p.died}**` : p.problem ? `**${p.problem}**` : 'ok'} |`,
      );
    }
  }
  lines.push('', '| dimension | cost | sizes | × cost / × size (≤ 1: at most linear) | log-log exponent | verdict |', '|---|---|---|---|---|---|');
  for (const d of r.dimensions) {
    for (const [key, g] of Object.entries(d.growth)) {
      const label = COSTS[key]?.label ?? d.extraCosts?.[key] ?? key;
      const ratio = g.costRatio === undefined ? '–' : `${g.costRatio} / ${g.sizeRatio} = ${g.perSize}`;
      const sizes = g.from === undefined ? '–' : `${g.from.toLocaleString('en')} → ${g.to.toLocaleString('en')}`;
      lines.push(`| ${d.label} | ${label} | ${sizes} | ${ratio} | ${cell(g.exponent)} | ${isBad(g.verdict) ? `**${g.verdict}**` : g.verdict} |`);
    }
  }
  lines.push('', `Overall: ${r.overall}.`);
  return lines.join('\n');
}
