// Types of bench/lib/hostile-loads.mjs for the TypeScript side (test/hostile): what each load returns.

/** The timed creates made while a load is on. */
export interface CreateFigures {
  count: number;
  answered: number;
  accepted: number;
  statuses: Record<string, number>;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** The callback books from health, and whether they balance. */
export interface BooksFigures {
  balanced: boolean;
  planned: number;
  accounted: number;
}

/** What every load reports. `died` says how the emulator process ended when it did not survive the load. */
export interface LoadResult {
  load: string;
  size: Record<string, number>;
  died?: string;
  error?: string;
  output?: string;
  rssIdleMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  seconds: number;
  create?: CreateFigures;
  accepted?: number;
  /** Events owed for accepted messages that were neither delivered/journaled nor still pending. */
  lost?: number;
  settled?: boolean;
  books?: BooksFigures;
}

export interface EventStreamsResult extends LoadResult {
  bulk?: { sent: number; accepted: number; errors: number };
  streams?: { statuses: Record<string, number>; served: number; servedEndedByEmulator: number; maxBytesRead: number; freshStatus?: number };
}

export interface LongPollsResult extends LoadResult {
  fill?: { creates: number; journal: { entries: number; evicted: number; cap: number } };
  polls?: { answered: number; statuses: Record<string, number>; maxBodyBytes: number; maxOverrunMs: number };
}

export interface MaximalScenarioResult extends LoadResult {
  scenario?: { rules: number; regexChars: number; bytes: number; listBytes: number; listStatus: number };
  messageViewBytes?: number;
}

export interface PendingFlushResult extends LoadResult {
  bulk?: { sent: number; accepted: number; errors: number };
  flush?: { status: number; answer?: string; ms: number; stepsBefore: number; stepsAfter: number; fired: number; rssWithPendingMb: number };
  healthDuringFlush?: { requests: number; answered: number; answeredBeforeFlushEnded: number; maxMs: number };
}

export function eventStreamsLoad(options?: {
  clients?: number;
  messages?: number;
  timed?: number;
  reading?: boolean;
  deadlineMs?: number;
}): Promise<EventStreamsResult>;
export function longPollsLoad(options?: {
  polls?: number;
  waitMs?: number;
  journalCap?: number;
  timed?: number;
  maxRounds?: number;
  deadlineMs?: number;
}): Promise<LongPollsResult>;
export function maximalScenarioLoad(options?: { rules?: number; timed?: number; deadlineMs?: number }): Promise<MaximalScenarioResult>;
export function pendingFlushLoad(options?: { pending?: number; timed?: number; deadlineMs?: number; healthEveryMs?: number }): Promise<PendingFlushResult>;
