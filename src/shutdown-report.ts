import type { DeliveryBooks } from './callbacks/dispatcher.js';
import type { CloseReport } from './messaging/types.js';

/** What the shutdown line is built from: the books when the signal came, what close() reported, and the data dir. */
export interface ShutdownFacts {
  /** The callback books when the signal came. */
  atSignal: DeliveryBooks;
  /** How much was pending when the signal came (steps, callbacks, media fetches). */
  pendingAtSignal: number;
  closed: CloseReport;
  dataDir: boolean;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The last log line of a CLI run, true to what happened to the work pending at the signal: how many callbacks were
 * delivered during the grace period, how many gave up after every retry, and what was left (kept in the data dir, or
 * lost). `warn` when anything gave up or was lost.
 */
export function shutdownSummary(facts: ShutdownFacts): { level: 'info' | 'warn'; message: string } {
  const { atSignal, closed } = facts;
  const delivered = closed.callbacks.delivered - atSignal.delivered;
  const gaveUp = closed.callbacks.exhausted - atSignal.exhausted;
  // Cancelled before the signal means a reset: only the ones close() cancelled were left by the shutdown.
  const leftCallbacks = closed.callbacks.cancelled - atSignal.cancelled;
  const left = leftCallbacks + closed.stepsNotFired;
  const aborted = closed.mediaFetchesAborted > 0 ? `; ${count(closed.mediaFetchesAborted, 'external media fetch', 'external media fetches')} aborted` : '';
  if (facts.pendingAtSignal === 0 && left === 0 && aborted === '') return { level: 'info', message: 'stopped: nothing was pending' };
  const done = `${count(delivered, 'callback')} delivered, ${gaveUp} gave up after every retry`;
  const quiet = gaveUp === 0 && aborted === '';
  if (left === 0) return { level: quiet ? 'info' : 'warn', message: `stopped: ${done}, nothing left pending${aborted}` };
  const pending = `${count(leftCallbacks, 'callback')} and ${count(closed.stepsNotFired, 'planned event')}`;
  const fate = facts.dataDir ? 'kept in the data dir, they go out at the next start' : 'lost (no --data-dir keeps them)';
  return {
    level: facts.dataDir && quiet ? 'info' : 'warn',
    message: `stopped: ${done}; ${pending} left pending after the grace period: ${fate}${aborted}`,
  };
}
