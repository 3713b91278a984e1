import { Type, type TNumber, type TInteger } from 'typebox';

// The domains of the numbers that outlive a process (state documents, the data dir). A number outside its domain
// breaks something later: `new Date(t).toISOString()` throws beyond ±8.64e15 ms, `n + 1 === n` past 2^53 (every later
// id the same), and a count of 1e300 is a loop that never ends. The schemas use these, so the check is in one place.

/** The largest time Date can represent, in ms from the epoch (either sign): 100,000,000 days. */
const MAX_EPOCH_MS = 8.64e15;

/** The largest sequence number, event number or attempt a document may carry: `n + 1` stays exact well past it. */
export const MAX_SEQUENCE = 2 ** 52;

/** A time in epoch ms that Date can represent. */
export const EpochMs = (description = 'epoch ms'): TNumber =>
  Type.Number({ minimum: -MAX_EPOCH_MS, maximum: MAX_EPOCH_MS, description: `${description}, within ±8.64e15` });

/** A duration or delay in ms, from 0 to Date's range. */
export const DurationMs = (description = 'ms'): TNumber => Type.Number({ minimum: 0, maximum: MAX_EPOCH_MS, description: `${description}, from 0 to 8.64e15` });

/** A sequence number, event number or attempt: an integer from `minimum` to 2^52. */
export const Sequence = (minimum: number, description?: string): TInteger =>
  Type.Integer({ minimum, maximum: MAX_SEQUENCE, ...(description ? { description } : {}) });

/** A count: an integer from 0 to 2^53 - 1. */
export const Count = (description?: string): TInteger =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...(description ? { description } : {}) });

/** A code (error code, HTTP status): an integer within the safe integers. */
export const SafeInteger = (description?: string): TInteger =>
  Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, ...(description ? { description } : {}) });

/** A time clamped into Date's range (a due time computed from a huge time scale must still be a valid time). */
export function clampEpochMs(ms: number): number {
  return Number.isNaN(ms) ? 0 : Math.min(MAX_EPOCH_MS, Math.max(-MAX_EPOCH_MS, ms));
}
