// The CLI's last word: the shutdown line tells what became of the work pending at the signal (delivered, given up,
// kept or lost), never "every callback was delivered" when none was.
import { describe, expect, it } from 'vitest';
import type { DeliveryBooks } from '../../src/callbacks/dispatcher.js';
import { shutdownSummary } from '../../src/shutdown-report.js';

const books = (over: Partial<DeliveryBooks> = {}): DeliveryBooks => ({
  planned: 0,
  delivered: 0,
  pending: 0,
  exhausted: 0,
  noTarget: 0,
  notRequested: 0,
  dropped: 0,
  cancelled: 0,
  ...over,
});
const closed = (callbacks: Partial<DeliveryBooks>, stepsNotFired = 0, mediaFetchesAborted = 0) => ({
  callbacks: books(callbacks),
  stepsNotFired,
  mediaFetchesAborted,
});

describe('shutdownSummary', () => {
  it('nothing pending at the signal', () => {
    expect(shutdownSummary({ atSignal: books({ delivered: 5 }), pendingAtSignal: 0, closed: closed({ delivered: 5 }), dataDir: false })).toEqual({
      level: 'info',
      message: 'stopped: nothing was pending',
    });
  });

  it('everything delivered in the grace period: counts only what the shutdown saw', () => {
    const summary = shutdownSummary({
      atSignal: books({ delivered: 10, exhausted: 2 }),
      pendingAtSignal: 3,
      closed: closed({ delivered: 13, exhausted: 2 }),
      dataDir: false,
    });
    expect(summary).toEqual({ level: 'info', message: 'stopped: 3 callbacks delivered, 0 gave up after every retry, nothing left pending' });
  });

  it('a callback that gave up is not called delivered, and warns', () => {
    const summary = shutdownSummary({ atSignal: books(), pendingAtSignal: 1, closed: closed({ exhausted: 1 }), dataDir: false });
    expect(summary).toEqual({ level: 'warn', message: 'stopped: 0 callbacks delivered, 1 gave up after every retry, nothing left pending' });
  });

  it('left pending without a data dir: lost, and warns', () => {
    const summary = shutdownSummary({ atSignal: books(), pendingAtSignal: 3, closed: closed({ delivered: 1, cancelled: 1 }, 1), dataDir: false });
    expect(summary).toEqual({
      level: 'warn',
      message:
        'stopped: 1 callback delivered, 0 gave up after every retry; 1 callback and 1 planned event left pending after the grace period: lost (no --data-dir keeps them)',
    });
  });

  it('left pending with a data dir: kept for the next start', () => {
    const summary = shutdownSummary({ atSignal: books(), pendingAtSignal: 2, closed: closed({ cancelled: 2 }), dataDir: true });
    expect(summary).toEqual({
      level: 'info',
      message:
        'stopped: 0 callbacks delivered, 0 gave up after every retry; 2 callbacks and 0 planned events left pending after the grace period: kept in the data dir, they go out at the next start',
    });
  });

  it('callbacks a reset cancelled before the signal are not counted as left by the shutdown', () => {
    const summary = shutdownSummary({ atSignal: books({ cancelled: 4 }), pendingAtSignal: 1, closed: closed({ cancelled: 4, delivered: 1 }), dataDir: false });
    expect(summary.message).toBe('stopped: 1 callback delivered, 0 gave up after every retry, nothing left pending');
  });

  it('aborted external media fetches are named', () => {
    const summary = shutdownSummary({ atSignal: books(), pendingAtSignal: 1, closed: closed({}, 0, 2), dataDir: true });
    expect(summary).toEqual({
      level: 'warn',
      message: 'stopped: 0 callbacks delivered, 0 gave up after every retry, nothing left pending; 2 external media fetches aborted',
    });
  });
});
