import type { CoreParts } from './parts.js';

/** One piece of work still pending: a recipient's planned steps, or a callback event not settled. */
export type PendingItem =
  | { kind: 'steps'; accountId: string; messageId: string; recipient: string; next: string }
  | { kind: 'callback'; accountId: string; messageId: string; recipient: string; type: string; eventId: string; attempt: number };

/** What is still pending: counts, and the first few items (never the whole list). */
export interface PendingReport {
  /** Steps, scheduled replies and inbound messages not fired yet, callbacks not settled, external media fetches running. */
  total: number;
  /** Steps not fired; a recipient of a message waiting in an account queue counts as one (its plan is not made yet). */
  steps: number;
  /** Messages waiting in an account queue (production profile); absent when none do. */
  queued?: number;
  callbacks: number;
  mediaFetches: number;
  /** The first ITEMS_SHOWN items, steps first. */
  items: PendingItem[];
}

/** How many pending items a report names; the counts cover the rest. */
export const ITEMS_SHOWN = 20;

/** Thrown by idle() and assertNoPending() when work is still pending: its message and `report` say what. */
export class PendingWorkError extends Error {
  constructor(
    readonly report: PendingReport,
    why: string,
  ) {
    const shown = report.items.map((i) =>
      i.kind === 'steps'
        ? `${i.messageId} to ${i.recipient}: ${i.next === 'queued' ? 'waiting in the account queue' : `${i.next} not fired`}`
        : `${i.type} ${i.eventId} for ${i.messageId} to ${i.recipient}: attempt ${i.attempt} not settled`,
    );
    super(
      `${why}: ${report.steps} steps, ${report.callbacks} callbacks and ${report.mediaFetches} media fetches pending${shown.length > 0 ? ` (${shown.join('; ')}${report.total > shown.length ? '; …' : ''})` : ''}`,
    );
    this.name = 'PendingWorkError';
  }
}

/** What is pending right now in one emulator. */
export function pendingReport(parts: CoreParts, mediaFetches: number): PendingReport {
  const queued = parts.queue.stats();
  const steps = parts.timeline.pendingSteps + queued.recipients;
  const callbacks = parts.dispatcher.stats().pending;
  const chains = parts.timeline.pendingChains(ITEMS_SHOWN).map((c) => ({ kind: 'steps' as const, ...c }));
  const waiting = parts.queue
    .some(ITEMS_SHOWN - chains.length)
    .flatMap((m) => m.to.map((recipient) => ({ kind: 'steps' as const, accountId: m.accountId, messageId: m.id, recipient, next: 'queued' })))
    .slice(0, Math.max(0, ITEMS_SHOWN - chains.length));
  const events = parts.dispatcher.unsettledEvents(ITEMS_SHOWN - chains.length - waiting.length).map((e) => ({ kind: 'callback' as const, ...e }));
  const report: PendingReport = { total: steps + callbacks + mediaFetches, steps, callbacks, mediaFetches, items: [...chains, ...waiting, ...events] };
  // Only when something waits, so the report of the fast profile keeps its shape.
  if (queued.messages > 0) report.queued = queued.messages;
  return report;
}

/**
 * Resolve, within `timeoutMs` of real time, as soon as `report()` shows nothing pending, or at the deadline; with
 * whether it settled and how long it waited. Nothing is cancelled here.
 */
export function whenSettled(
  parts: CoreParts,
  report: () => PendingReport,
  timeoutMs: number,
): Promise<{ settled: boolean; waitedMs: number; report: PendingReport }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const check = (final: boolean) => {
      const now = report();
      const settled = now.total === 0;
      if (!settled && !final) return;
      clearInterval(poll);
      clearTimeout(deadline);
      off();
      resolve({ settled, waitedMs: Math.round(performance.now() - started), report: now });
    };
    // Every delivery ends in a journal entry; the interval catches steps that end without one (no-target & co).
    const off = parts.journal.subscribe(() => queueMicrotask(() => check(false)));
    const poll = setInterval(() => check(false), 50);
    const deadline = setTimeout(() => check(true), timeoutMs);
    check(false);
  });
}
