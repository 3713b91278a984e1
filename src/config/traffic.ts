import { Type, type Static } from 'typebox';
import { DURATION_PATTERN, durationBoundProblem, parseDuration, type DurationBound } from '../validation/durations.js';

// Traffic over time (issue 19): what Bandwidth's network does to a message beyond answering it. Two named profiles:
// `fast` (the default, today's behaviour: nothing waits, nothing is filtered) and `production` (Bandwidth's documented
// limits). Each part can also be switched on or off alone, globally (config `traffic`) or per account
// (`accounts[].traffic`, and at run time PUT /__emulator/traffic). README "Traffic" says what each part does.

/** The traffic profiles: `fast` switches every part off, `production` switches on what Bandwidth's network does. */
export type TrafficProfile = 'fast' | 'production';

/** The parts of traffic that can be switched on or off alone. */
const TRAFFIC_PARTS = ['throughput', 'searchRateLimit', 'optOut', 'onNet', 'contentFilter'] as const;
/** One part of traffic (a key of the profile table). */
export type TrafficPart = (typeof TRAFFIC_PARTS)[number];

/**
 * What each profile switches on. Content filtering is optional even in production (the issue: "production profile,
 * optional"): Bandwidth's filters act on content a test rarely means to trip, so it is switched on by name.
 */
export const PROFILE_PARTS: Readonly<Record<TrafficProfile, Readonly<Record<TrafficPart, boolean>>>> = {
  fast: { throughput: false, searchRateLimit: false, optOut: false, onNet: false, contentFilter: false },
  production: { throughput: true, searchRateLimit: true, optOut: true, onNet: true, contentFilter: false },
};

/** The deepest account queue Bandwidth provisions: 4 hours of traffic (bandwidth-platform-facts.md, "Throughput and queueing"). */
const QUEUE_DEPTH_BOUND: DurationBound = { maxMs: 4 * 3_600_000, why: 'the deepest queue Bandwidth provisions (4h)', largest: "'4h' (default '15m')" };

/**
 * How long Bandwidth waits for a delivery receipt before it fails the message with 9902: "they sent after the system
 * timed out at two hours" (https://dev.bandwidth.com/docs/messaging/errors, 9902 delivery-receipt-expired).
 */
const DEFAULT_RECEIPT_WINDOW_MS = 2 * 3_600_000;
/** Ours: Bandwidth's window is fixed at 2h; a day keeps a typo (`2000h`) from meaning "never". */
const RECEIPT_WINDOW_BOUND: DurationBound = { maxMs: 24 * 3_600_000, why: "the emulator's bound (Bandwidth's window is 2h)", largest: "'24h' (default '2h')" };

// Rates in segments per second. A bound far above any provisioned rate keeps a typo from meaning "no limit".
const MAX_RATE = 100_000;
const rate = (title: string) =>
  Type.Number({ exclusiveMinimum: 0, maximum: MAX_RATE, title, description: `segments per second, above 0 and at most ${MAX_RATE}` });

const ratesSchema = Type.Object(
  {
    account: Type.Optional(rate('Segments per second the whole account may send, its queue draining at this rate (default 1)')),
    local: Type.Optional(rate('Segments per second one local number may send when its campaign class has no rate of its own (default 1, person-to-person)')),
    tollFree: Type.Optional(rate("Segments per second one toll-free number may send (default: no limit but the account's)")),
    shortCode: Type.Optional(rate("Segments per second one short code may send (default: no limit but the account's)")),
    campaignClasses: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Z0-9]{1,8}$' }), rate('Segments per second for a local number on this campaign class'), {
        maxProperties: 64,
        additionalProperties: false,
        title: 'Per 10DLC campaign class (the number\'s campaign.class): segments per second (default: AT&T\'s table, README "Traffic")',
      }),
    ),
  },
  { additionalProperties: false, title: 'Throughput, in message segments per second' },
);

/**
 * GET /messages: "rate limited to 3500 requests per 5 minutes per Source IP address. Exceeding the limit returns HTTP
 * 429 with a `Retry-After` header" (the spec's listMessages description, bandwidth.yml; https://dev.bandwidth.com/apis/messaging/#tag/Messages/operation/listMessages).
 */
const DEFAULT_SEARCH_RATE = { requests: 3500, windowMs: 5 * 60_000 } as const;
/** The longest search rate-limit window accepted: a day (a longer one is a typo, not a limit). */
const SEARCH_WINDOW_BOUND: DurationBound = { maxMs: 24 * 3_600_000, why: 'a day is the longest window we accept', largest: "'24h' (default '5m')" };

const searchRateSchema = Type.Object(
  {
    requests: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        title: 'Searches one source IP may make per window (default 3500)',
        description: 'an integer from 1 to 1000000',
      }),
    ),
    window: Type.Optional(
      Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Number({ exclusiveMinimum: 0 })], {
        description: "a duration such as '5m', at most 24h",
        title: 'The window the requests are counted in, from the first search of a source IP (default 5m, at most 24h)',
      }),
    ),
  },
  { additionalProperties: false, title: 'The GET /messages rate limit per source IP (searchRateLimit)' },
);

const partSwitch = (title: string) => Type.Optional(Type.Boolean({ title: `${title} (on in the production profile unless set)` }));

/** The `traffic` section of the config (and of an account, and the body of PUT /__emulator/traffic): every field optional. */
export const TrafficSchema = Type.Object(
  {
    profile: Type.Optional(
      Type.Union([Type.Literal('fast'), Type.Literal('production')], {
        description: "'fast' (default: nothing waits) or 'production' (Bandwidth's documented limits)",
        title: "Traffic profile: 'fast' (default: every message on its own, at once) or 'production' (rates, the queue, opt-out, on-net delivery)",
      }),
    ),
    throughput: partSwitch('Rates per number and account, the account queue, priority, expiration in the queue, 429 when the queue is full'),
    searchRateLimit: partSwitch('The rate limit of GET /messages (429 rate_limit_exceeded with Retry-After)'),
    optOut: partSwitch('Toll-free STOP/UNSTOP/START handled by the network: auto-replies, the opt-out list, failed sends (4775)'),
    onNet: partSwitch("A message to one of the emulator's numbers arrives as message-received at that number's application"),
    contentFilter: Type.Optional(
      Type.Boolean({ title: "Bandwidth's content filters: URL shorteners and the same content at volume (off unless set, in every profile)" }),
    ),
    rates: Type.Optional(ratesSchema),
    searchRate: Type.Optional(searchRateSchema),
    contentVolume: Type.Optional(
      Type.Object(
        {
          messages: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 1_000_000, title: 'How many messages of the same content the window allows (default 100; at most 1000000)' }),
          ),
          window: Type.Optional(
            Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })], {
              description: "a duration such as '1m', at most 24h",
              title: 'The window, in emulated time (default 1m, at most 24h)',
            }),
          ),
        },
        { additionalProperties: false, title: 'The content filter\'s volume limit: past it the same content fails with 4785 (README "Content filtering")' },
      ),
    ),
    queueDepth: Type.Optional(
      Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })], {
        description: "a duration such as '15m' or '4h', at most 4h",
        title: "How much traffic the account queue holds, as time at the account's rate; past it a create answers 429 (default 15m, at most 4h)",
      }),
    ),
    receiptWindow: Type.Optional(
      Type.Union([Type.String({ pattern: DURATION_PATTERN }), Type.Number({ minimum: 0 })], {
        description: "a duration such as '2h' or '5m', at most 24h",
        title:
          "How long a message waits for its delivery receipt before message-failed 9902 (a scenario's receipt: none), in every profile (default 2h, Bandwidth's; at most 24h)",
      }),
    ),
  },
  { additionalProperties: false, title: 'Traffic over time: the profile and its parts (README "Traffic")' },
);

/** A traffic section as written in the config or sent to the control API. */
export type TrafficSpec = Static<typeof TrafficSchema>;

/** Rates in segments per second, resolved; a per-number rate left out means no limit of its own (the account's applies). */
export interface TrafficRates {
  account: number;
  local?: number;
  tollFree?: number;
  shortCode?: number;
  campaignClasses: Readonly<Record<string, number>>;
}

/** The settings in force for one account: the profile and every part resolved. */
export interface TrafficSettings extends Record<TrafficPart, boolean> {
  profile: TrafficProfile;
  rates: TrafficRates;
  queueDepthMs: number;
  /** Emulated ms a message waits for its delivery receipt before 9902 (README "Receipts as routes produce them"). */
  receiptWindowMs: number;
  /** The search rate limit's numbers (applied when `searchRateLimit` is on). */
  searchRate: { requests: number; windowMs: number };
  /** The content filter's volume limit: more than `messages` of the same content within `windowMs` fail with 4785. */
  contentVolume: { messages: number; windowMs: number };
}

/**
 * Rates when the config names none, in segments per second (Bandwidth counts segments, not requests: "a 2 segment
 * message would count as 2 messages", https://dev.bandwidth.com/docs/messaging/rateLimits/).
 * - account 1: "The default rate limit is the same for SMS and MMS across all messaging types: 1 message per second"
 *   (https://support.bandwidth.com/hc/en-us/articles/360014169214); "the account level rate limit will trump the per TN
 *   rate limit" (https://support.bandwidth.com/hc/en-us/articles/360014275553).
 * - local 1: person-to-person traffic, 1 MPS per number (same article), for a local number on no campaign class below.
 * - toll-free and short codes: no per-number limit ("Are toll-free SMS and MMS queued or throttled? Not by default",
 *   https://support.bandwidth.com/hc/en-us/articles/360005941694); only the account's rate applies.
 * - campaign classes: AT&T's SMS throughput per 10DLC campaign class, messages per minute / 60
 *   (https://www.bandwidth.com/support/en/articles/12823099-at-t-10dlc): A/B/K 4,500, C/D/P 2,400, E/F 240, T 75,
 *   W 15, S 9,000 per campaign; G and N 60 per number (the throughput work decides what a campaign shares).
 */
export const DEFAULT_RATES: TrafficRates = {
  account: 1,
  local: 1,
  campaignClasses: { A: 75, B: 75, K: 75, C: 40, D: 40, P: 40, E: 4, F: 4, T: 1.25, W: 0.25, S: 150, G: 1, N: 1 },
};

/**
 * The content filter's volume limit when none is configured, the emulator's own (Bandwidth publishes none: 4785 says
 * only "You have sent over the allotted limit and need to back off sending", https://dev.bandwidth.com/docs/messaging/errors):
 * more than 100 messages of the same content from one account within a minute.
 */
const DEFAULT_CONTENT_VOLUME = { messages: 100, windowMs: 60_000 };
/** The longest content-volume window: a day. */
const CONTENT_WINDOW_BOUND: DurationBound = { maxMs: 24 * 3_600_000, why: 'the longest content-volume window (24h)', largest: "'24h' (default '1m')" };

/** 15 minutes of traffic: the account queue Bandwidth provisions by default. */
const DEFAULT_QUEUE_DEPTH_MS = 15 * 60_000;

/** The settings of the fast profile with the default rates: what applies when nothing is configured. */
export const FAST_TRAFFIC: TrafficSettings = {
  profile: 'fast',
  ...PROFILE_PARTS.fast,
  rates: DEFAULT_RATES,
  queueDepthMs: DEFAULT_QUEUE_DEPTH_MS,
  receiptWindowMs: DEFAULT_RECEIPT_WINDOW_MS,
  searchRate: DEFAULT_SEARCH_RATE,
  contentVolume: DEFAULT_CONTENT_VOLUME,
};

/**
 * Apply a traffic section over settings: a profile switches every part to the profile's value first, then the parts
 * it names win; rates merge field by field. The spec must have passed TrafficSchema (durations are checked there).
 */
export function applyTraffic(base: TrafficSettings, spec: TrafficSpec | undefined): TrafficSettings {
  if (!spec) return base;
  const profile = spec.profile ?? base.profile;
  const parts = spec.profile ? { ...PROFILE_PARTS[spec.profile] } : pickParts(base);
  for (const part of TRAFFIC_PARTS) if (spec[part] !== undefined) parts[part] = spec[part]!;
  const rates = spec.rates
    ? { ...base.rates, ...withoutClasses(spec.rates), campaignClasses: { ...base.rates.campaignClasses, ...(spec.rates.campaignClasses ?? {}) } }
    : base.rates;
  const queueDepthMs = spec.queueDepth === undefined ? base.queueDepthMs : durationMs(spec.queueDepth, DEFAULT_QUEUE_DEPTH_MS);
  const searchRate = spec.searchRate
    ? {
        requests: spec.searchRate.requests ?? base.searchRate.requests,
        windowMs: spec.searchRate.window === undefined ? base.searchRate.windowMs : (parseDuration(spec.searchRate.window) ?? base.searchRate.windowMs),
      }
    : base.searchRate;
  const volume = spec.contentVolume;
  const contentVolume = volume
    ? {
        messages: volume.messages ?? base.contentVolume.messages,
        windowMs: volume.window === undefined ? base.contentVolume.windowMs : (parseDuration(volume.window) ?? DEFAULT_CONTENT_VOLUME.windowMs),
      }
    : base.contentVolume;
  const receiptWindowMs = spec.receiptWindow === undefined ? base.receiptWindowMs : durationMs(spec.receiptWindow, DEFAULT_RECEIPT_WINDOW_MS);
  return { profile, ...parts, rates, queueDepthMs, searchRate, contentVolume, receiptWindowMs };
}

/** Problems of a traffic section that its schema cannot say (a queue deeper than Bandwidth provisions), worded for a fix. */
export function trafficProblems(spec: TrafficSpec | undefined): Array<{ field: string; problem: string; fix: string }> {
  const problems: Array<{ field: string; problem: string; fix: string }> = [];
  const queue = spec?.queueDepth === undefined ? undefined : durationBoundProblem(spec.queueDepth, QUEUE_DEPTH_BOUND);
  if (queue) problems.push({ field: 'queueDepth', ...queue });
  const search = spec?.searchRate?.window === undefined ? undefined : durationBoundProblem(spec.searchRate.window, SEARCH_WINDOW_BOUND);
  if (search) problems.push({ field: 'searchRate.window', ...search });
  else if (spec?.searchRate?.window !== undefined && (parseDuration(spec.searchRate.window) ?? 1) < 1)
    problems.push({ field: 'searchRate.window', problem: 'is shorter than 1 ms: no window at all', fix: "use a duration such as '5m' (the default)" });
  const volumeWindow = spec?.contentVolume?.window;
  const long = volumeWindow === undefined ? undefined : durationBoundProblem(volumeWindow, CONTENT_WINDOW_BOUND);
  if (long) problems.push({ field: 'contentVolume.window', ...long });
  const receipts = spec?.receiptWindow === undefined ? undefined : durationBoundProblem(spec.receiptWindow, RECEIPT_WINDOW_BOUND);
  if (receipts) problems.push({ field: 'receiptWindow', ...receipts });
  return problems;
}

function pickParts(settings: TrafficSettings): Record<TrafficPart, boolean> {
  const parts = {} as Record<TrafficPart, boolean>;
  for (const part of TRAFFIC_PARTS) parts[part] = settings[part];
  return parts;
}

function withoutClasses(rates: NonNullable<TrafficSpec['rates']>): Partial<Omit<TrafficRates, 'campaignClasses'>> {
  const { campaignClasses: _, ...rest } = rates;
  return rest;
}

// The schema and trafficProblems have checked the value; a malformed one keeps the default rather than NaN.
const durationMs = (value: string | number, fallback: number): number => parseDuration(value) ?? fallback;
