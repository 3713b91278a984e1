import { DELAY_BOUND, durationBoundProblem, FINITE_BOUND, TIMER_BOUND, type DurationBound } from '../validation/durations.js';
import { fieldName, type Problem } from '../validation/schema-check.js';
import type { ConfigFile } from './schema.js';

// Every duration of the config file and the bound it has. A timeout or grace period is a Node timer, which fires at
// once past 2^31-1 ms: refused there. Delays are waited on the emulated clock, which chunks long waits.
const CONFIG_DURATIONS: ReadonlyArray<{ path: readonly string[]; bound: DurationBound; list?: true }> = [
  { path: ['callbacks', 'timeout'], bound: TIMER_BOUND },
  { path: ['callbacks', 'retryDelays'], bound: DELAY_BOUND, list: true },
  { path: ['callbacks', 'deliveryDelay'], bound: DELAY_BOUND },
  { path: ['callbacks', 'sendingDelay'], bound: DELAY_BOUND },
  { path: ['media', 'fetchTimeout'], bound: TIMER_BOUND },
  // Retention is compared with the clock, never waited for: any finite length works.
  { path: ['media', 'retention'], bound: FINITE_BOUND },
  { path: ['shutdownGrace'], bound: TIMER_BOUND },
];

/** Problems for the durations of one config layer (a file, options, a flag) that are past their bound. */
export function durationBoundProblems(config: ConfigFile, source: string, lineOf?: (path: ReadonlyArray<string | number>) => number | undefined): Problem[] {
  const problems: Problem[] = [];
  const check = (value: unknown, path: Array<string | number>, bound: DurationBound) => {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const found = durationBoundProblem(value, bound);
    if (found) problems.push({ source, field: fieldName(path), problem: found.problem, fix: found.fix, line: lineOf?.(path) });
  };
  for (const { path, bound, list } of CONFIG_DURATIONS) {
    let value: unknown = config;
    for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (list && Array.isArray(value)) {
      value.forEach((item, i) => {
        check(item, [...path, i], bound);
      });
    } else check(value, [...path], bound);
  }
  return problems;
}
