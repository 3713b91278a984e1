import type { NumberConfig } from '../config/numbers.js';
import type { TrafficRates, TrafficSettings } from '../config/traffic.js';

// The arithmetic of throughput (production profile, README "Throughput and the queue"): what a message costs, which
// per-number limiter its from number is under and at what rate, how much the account queue holds. The queue itself
// is src/messaging/account-queue.ts. Every rate is in segments per second: "Rate limits on messages are applied to
// segment count, not API request" (https://dev.bandwidth.com/docs/messaging/rateLimits/).

/** The per-number limiter a from number sends under: its key (shared by a campaign's numbers), its rate, in words. */
export interface SenderLimit {
  /** Numbers with the same key share one limiter (a 10DLC campaign's numbers, per AT&T's "Per Campaign" setting). */
  key: string;
  /** Segments per second; undefined: no per-number limit, only the account's rate applies. */
  rate?: number;
  /** What the limiter is, for the timeline and the docs: "campaign CEMULAT (class T)", "toll-free +18005550100". */
  what: string;
}

// AT&T's table sets these two classes "Per Number" and every other class "Per Campaign"
// (https://www.bandwidth.com/support/en/articles/12823099-at-t-10dlc).
const PER_NUMBER_CLASSES = new Set(['G', 'N']);

/**
 * The per-number limiter of a from number under these rates. Local: its campaign class's rate when the rates name
 * one (shared by every number on that campaign id, per number for classes G and N), else `rates.local`. Toll-free and
 * short codes: `rates.tollFree` / `rates.shortCode` when set, else none: "Are toll-free SMS and MMS queued or
 * throttled? Not by default" (https://support.bandwidth.com/hc/en-us/articles/360005941694). A number the account
 * does not own has no limiter of its own (its message fails 4403 anyway).
 */
export function senderLimit(from: string, entry: NumberConfig | undefined, rates: TrafficRates): SenderLimit {
  if (!entry) return { key: `number:${from}`, what: `from ${from}` };
  if (entry.type === 'local') {
    const campaign = entry.campaign;
    const classRate = campaign ? rates.campaignClasses[campaign.class] : undefined;
    if (campaign && classRate !== undefined) {
      if (PER_NUMBER_CLASSES.has(campaign.class))
        return { key: `number:${from}`, rate: classRate, what: `local ${from} (campaign class ${campaign.class}, per number)` };
      return { key: `campaign:${campaign.id}`, rate: classRate, what: `campaign ${campaign.id} (class ${campaign.class}, shared by its numbers)` };
    }
    return { key: `number:${from}`, rate: rates.local, what: `local ${from}` };
  }
  const rate = entry.type === 'tollFree' ? rates.tollFree : rates.shortCode;
  return { key: `number:${from}`, rate, what: `${entry.type === 'tollFree' ? 'toll-free' : 'short code'} ${from}` };
}

/**
 * What a message costs against the rates, in segments: its segmentCount once per recipient ("Sending group MMS is
 * billed and added to your MPS limit per recipient of the group MMS", https://dev.bandwidth.com/messaging/ratelimits.html).
 */
export function messageCost(message: { segmentCount: number; to: readonly string[] }): number {
  return Math.max(1, message.segmentCount) * Math.max(1, message.to.length);
}

/** Emulated ms a limiter at `rate` segments per second is busy after sending `cost` segments. */
export function busyMs(cost: number, rate: number): number {
  return (cost * 1000) / rate;
}

/**
 * How many segments the account queue holds: the account's rate times the queue depth in seconds ("The default queue
 * depth is a 15-minute queue across your entire account", https://support.bandwidth.com/hc/en-us/articles/360014275073).
 */
export function queueCapacity(settings: Pick<TrafficSettings, 'rates' | 'queueDepthMs'>): number {
  return Math.floor((settings.rates.account * settings.queueDepthMs) / 1000);
}

/** The figures the 429's description names: the rate per minute, the capacity in messages and the depth in minutes. */
export interface QueueFigures {
  ratePerMinute: number;
  capacity: number;
  minutes: number;
}

/** The figures of an account's queue under these settings, rounded as a person would write them. */
export function queueFigures(settings: Pick<TrafficSettings, 'rates' | 'queueDepthMs'>): QueueFigures {
  const round = (n: number) => Math.round(n * 100) / 100;
  return { ratePerMinute: round(settings.rates.account * 60), capacity: queueCapacity(settings), minutes: round(settings.queueDepthMs / 60_000) };
}

/**
 * Whether `priority: high` moves a message ahead: "Priority Queueing is currently available only for short code MMS,
 * short code SMS, 10DLC SMS, and toll-free SMS" (https://support.bandwidth.com/hc/en-us/articles/360063389073). An MMS
 * (media, or a group) from a local or toll-free number waits with the default messages.
 */
export function honoursPriority(message: { media?: readonly string[]; to: readonly string[] }, entry: NumberConfig | undefined): boolean {
  const mms = (message.media?.length ?? 0) > 0 || message.to.length > 1;
  return !mms || entry?.type === 'shortCode';
}
