import { Type, type Static } from 'typebox';
import { bandwidthErrors } from '../errors.js';
import type { StoredMessage } from '../store/messages.js';
import { isoTime } from '../iso-time.js';

const Int = (min = 0) => Type.Integer({ minimum: min });
// Bounds of our own (Bandwidth publishes none): as long as the emulator's own values can be (a location id, a
// campaign id, a configured carrier name), and a country filter is three capital letters, as 'USA'.
const CountryA3 = Type.String({ pattern: '^[A-Z]{3}$' });
// The spec's productTypeEnum, the `product` filter's values.
const PRODUCTS = [
  'LOCAL_A2P',
  'P2P',
  'SHORT_CODE_REACH',
  'TOLL_FREE',
  'HOSTED_SHORT_CODE',
  'ALPHA_NUMERIC',
  'RBM_MEDIA',
  'RBM_RICH',
  'RBM_CONVERSATIONAL',
] as const;

/** The search API's query parameters (the spec's listMessages parameters). */
export const SearchQuerySchema = Type.Object(
  {
    messageId: Type.Optional(Type.String()),
    sourceTn: Type.Optional(Type.String()),
    destinationTn: Type.Optional(Type.String()),
    messageStatus: Type.Optional(
      Type.Union(['RECEIVED', 'QUEUED', 'SENDING', 'SENT', 'FAILED', 'DELIVERED', 'ACCEPTED', 'UNDELIVERED'].map((s) => Type.Literal(s))),
    ),
    messageDirection: Type.Optional(Type.Union([Type.Literal('INBOUND'), Type.Literal('OUTBOUND')])),
    carrierName: Type.Optional(Type.String({ maxLength: 64 })),
    messageType: Type.Optional(Type.Union([Type.Literal('sms'), Type.Literal('mms'), Type.Literal('rcs')])),
    errorCode: Type.Optional(Int()),
    // Dates, integers' digits and ranges, and sort are checked on the raw text too (search-params.ts).
    fromDateTime: Type.Optional(Type.String({ maxLength: 64 })),
    toDateTime: Type.Optional(Type.String({ maxLength: 64 })),
    campaignId: Type.Optional(Type.String({ maxLength: 32 })),
    fromBwLatency: Type.Optional(Int()),
    bwQueued: Type.Optional(Type.Boolean()),
    // The spec's productTypeEnum; a row's product is a plain nullable string.
    product: Type.Optional(Type.Union(PRODUCTS.map((p) => Type.Literal(p)))),
    location: Type.Optional(Type.String({ maxLength: 64 })),
    carrierQueued: Type.Optional(Type.Boolean()),
    fromCarrierLatency: Type.Optional(Int()),
    callingNumberCountryA3: Type.Optional(CountryA3),
    calledNumberCountryA3: Type.Optional(CountryA3),
    fromSegmentCount: Type.Optional(Int()),
    toSegmentCount: Type.Optional(Int()),
    fromMessageSize: Type.Optional(Int()),
    toMessageSize: Type.Optional(Int()),
    sort: Type.Optional(Type.String({ maxLength: 128 })),
    pageToken: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    limitTotalCount: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** A parsed search query. */
export type SearchQuery = Static<typeof SearchQuerySchema>;

/** One row of the search result: the spec's listMessageItem, one per recipient. */
interface MessageRow {
  messageId: string;
  accountId: string;
  sourceTn: string;
  destinationTn: string;
  messageStatus: string;
  messageDirection: 'INBOUND' | 'OUTBOUND';
  messageType: 'sms' | 'mms' | 'rcs';
  segmentCount: number;
  errorCode: number;
  receiveTime: string;
  carrierName: string | null;
  messageSize: number | null;
  messageLength: number;
  attachmentCount: number | null;
  recipientCount: number | null;
  campaignClass: string | null;
  campaignId: string | null;
  bwLatency: number | null;
  carrierLatency: number | null;
  callingNumberCountryA3: string | null;
  calledNumberCountryA3: string | null;
  product: string | null;
  location: string | null;
}

// Paging and sorting are not filters: Bandwidth refuses a search with none of the others.
const NOT_FILTERS = new Set(['sort', 'pageToken', 'limit', 'limitTotalCount']);
const DEFAULT_SORT = 'receiveTime:desc';
const MAX_TOTAL = 10_000;
/** The fields a search row has, which `sort` may name. */
export const SORT_FIELDS: ReadonlyArray<keyof MessageRow> = [
  'messageId',
  'accountId',
  'sourceTn',
  'destinationTn',
  'messageStatus',
  'messageDirection',
  'messageType',
  'segmentCount',
  'errorCode',
  'receiveTime',
  'carrierName',
  'messageSize',
  'messageLength',
  'attachmentCount',
  'recipientCount',
  'campaignClass',
  'campaignId',
  'bwLatency',
  'carrierLatency',
  'callingNumberCountryA3',
  'calledNumberCountryA3',
  'product',
  'location',
];

function rowsOf(message: StoredMessage, qualityMetrics: boolean): MessageRow[] {
  const mms = (message.media?.length ?? 0) > 0 || message.to.length > 1;
  const provisioned = message.provisioning;
  return message.recipients.map((recipient) => {
    const latency = qualityMetrics ? latenciesOf(message, recipient.to) : NO_LATENCY;
    return {
      messageId: message.id,
      accountId: message.accountId,
      sourceTn: message.from,
      destinationTn: recipient.to,
      messageStatus: recipient.status,
      messageDirection: message.direction === 'out' ? 'OUTBOUND' : 'INBOUND',
      // A multichannel message sent over RBM is an RCS message in Bandwidth's search; over SMS/MMS it is one of those.
      messageType: message.channel === 'RBM' ? 'rcs' : mms ? 'mms' : 'sms',
      segmentCount: message.segmentCount,
      errorCode: recipient.errorCode,
      receiveTime: isoTime(message.time),
      // "The name of the carrier. Not currently supported for MMS" (the spec's listMessageItem.carrierName).
      carrierName: mms ? null : (recipient.carrierName ?? null),
      messageSize: Buffer.byteLength(message.text, 'utf8'),
      messageLength: message.text.length,
      attachmentCount: message.media?.length ?? 0,
      recipientCount: message.to.length,
      campaignClass: provisioned?.campaignClass ?? null,
      campaignId: provisioned?.campaignId ?? null,
      bwLatency: latency.bw,
      carrierLatency: latency.carrier,
      callingNumberCountryA3: provisioned?.callingNumberCountryA3 ?? null,
      calledNumberCountryA3: recipient.calledNumberCountryA3 ?? null,
      product: provisioned?.product ?? null,
      location: provisioned?.location ?? null,
    };
  });
}

const NO_LATENCY = { bw: null, carrier: null } as const;
const FINAL = new Set(['message-delivered', 'message-failed']);
const HANDED_OFF = new Set(['message-sending', 'message-sent', ...FINAL]);

/**
 * Advanced Quality Metrics, in whole emulated seconds, from the recipient's timeline: bwLatency from acceptance to
 * the first event (Bandwidth handing the message on: message-sending or message-sent, or the outcome when there is none), and
 * carrierLatency from then to the outcome (message-delivered or -failed), outbound only ("Only available for OUTBOUND
 * messages"). Null until the event has happened. An inbound message is handed to its callback at once: bwLatency 0.
 */
function latenciesOf(message: StoredMessage, recipient: string): { bw: number | null; carrier: number | null } {
  if (message.direction === 'in') return { bw: 0, carrier: null };
  let handedOff: number | undefined;
  let outcome: number | undefined;
  for (const entry of message.timeline) {
    if (entry.recipient !== recipient) continue;
    if (handedOff === undefined && HANDED_OFF.has(entry.what)) handedOff = entry.at;
    if (FINAL.has(entry.what)) {
      outcome = entry.at;
      break;
    }
  }
  const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
  return {
    bw: handedOff === undefined ? null : seconds(handedOff - message.time),
    carrier: handedOff === undefined || outcome === undefined ? null : seconds(outcome - handedOff),
  };
}

/** Match a number filter: a comma list of full numbers, one full number, or a partial number of 5+ characters. */
function numberMatcher(param: 'sourceTn' | 'destinationTn', value: string): (tn: string) => boolean {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length > 1) {
    if (parts.length > 10) throw bandwidthErrors.validation([], `${param} accepts at most 10 comma-separated numbers`);
    const set = new Set(parts);
    return (tn) => set.has(tn);
  }
  const one = parts[0] ?? '';
  if (one.length < 5)
    throw bandwidthErrors.validation([], `${param} must be a full number, a comma list of up to 10 numbers, or a partial number of at least 5 characters`);
  return (tn) => tn.includes(one);
}

function buildFilter(query: SearchQuery): (row: MessageRow) => boolean {
  const tests: Array<(row: MessageRow) => boolean> = [];
  const eq = <K extends keyof MessageRow>(key: K, value: MessageRow[K] | undefined) => {
    if (value !== undefined) tests.push((row) => row[key] === value);
  };
  eq('messageId', query.messageId);
  eq('messageStatus', query.messageStatus);
  eq('messageDirection', query.messageDirection);
  eq('messageType', query.messageType as MessageRow['messageType'] | undefined);
  eq('errorCode', query.errorCode);
  eq('carrierName', query.carrierName);
  eq('campaignId', query.campaignId);
  eq('product', query.product);
  eq('location', query.location);
  eq('callingNumberCountryA3', query.callingNumberCountryA3);
  eq('calledNumberCountryA3', query.calledNumberCountryA3);
  if (query.sourceTn !== undefined) {
    const match = numberMatcher('sourceTn', query.sourceTn);
    tests.push((row) => match(row.sourceTn));
  }
  if (query.destinationTn !== undefined) {
    const match = numberMatcher('destinationTn', query.destinationTn);
    tests.push((row) => match(row.destinationTn));
  }
  const range = (key: keyof MessageRow, min?: number, max?: number) => {
    if (min !== undefined) tests.push((row) => typeof row[key] === 'number' && (row[key] as number) >= min);
    if (max !== undefined) tests.push((row) => typeof row[key] === 'number' && (row[key] as number) <= max);
  };
  range('segmentCount', query.fromSegmentCount, query.toSegmentCount);
  range('messageSize', query.fromMessageSize, query.toMessageSize);
  range('bwLatency', query.fromBwLatency);
  range('carrierLatency', query.fromCarrierLatency);
  // The emulator never queues inside Bandwidth or at a carrier: rows match only `false`.
  if (query.bwQueued === true || query.carrierQueued === true) tests.push(() => false);
  if (query.fromDateTime !== undefined) {
    const from = Date.parse(query.fromDateTime);
    tests.push((row) => Date.parse(row.receiveTime) >= from);
  }
  if (query.toDateTime !== undefined) {
    const to = Date.parse(query.toDateTime);
    tests.push((row) => Date.parse(row.receiveTime) <= to);
  }
  return (row) => tests.every((test) => test(row));
}

type SortKey = Array<string | number | null>;

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    // Nulls sort first, as an absent value is "smallest".
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

interface PageToken {
  /** Sort spec the token belongs to. */
  s: string;
  /** 'n' = rows after `k`, 'p' = rows before `k`. */
  d: 'n' | 'p';
  k: SortKey;
}

const encodeToken = (token: PageToken) => Buffer.from(JSON.stringify(token)).toString('base64url');

function decodeToken(raw: string, sort: string): PageToken {
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PageToken;
    if (token.s === sort && (token.d === 'n' || token.d === 'p') && Array.isArray(token.k)) return token;
  } catch {
    // fall through to the error below
  }
  throw bandwidthErrors.validation(
    [],
    `pageToken '${raw}' is not a token from this search; use pageInfo.nextPageToken or prevPageToken from the previous page with the same sort`,
  );
}

/** How a search is served: the one-filter rule (permissive mode lifts it, as SDK test suites list without one), and whether the account has Advanced Quality Metrics (latencies in rows). */
export interface SearchOptions {
  requireFilter: boolean;
  qualityMetrics: boolean;
}

/** Search an account's messages: filters, sort, keyset paging that neither loses nor repeats rows while paging. */
export function searchMessages(
  messages: Iterable<StoredMessage>,
  query: SearchQuery,
  url: URL,
  { requireFilter, qualityMetrics }: SearchOptions = { requireFilter: true, qualityMetrics: false },
): Record<string, unknown> {
  if (requireFilter && !Object.keys(query).some((key) => !NOT_FILTERS.has(key))) {
    throw bandwidthErrors.validation(
      [],
      'At least one search filter is required, for example messageId, sourceTn, destinationTn, messageStatus, fromDateTime or toDateTime',
    );
  }
  const sort = query.sort ?? DEFAULT_SORT;
  const [field, direction] = sort.split(':') as [string, 'asc' | 'desc'];
  if (!SORT_FIELDS.includes(field as keyof MessageRow)) {
    throw bandwidthErrors.validation([], `sort field '${field}' is not a message field; use one of ${SORT_FIELDS.join(', ')}`);
  }

  const filter = buildFilter(query);
  const sign = direction === 'asc' ? 1 : -1;
  // A total order: the sort field, then time, id and recipient break ties so keyset paging is exact.
  const keyOf = (row: MessageRow): SortKey => [row[field as keyof MessageRow], row.receiveTime, row.messageId, row.destinationTn];
  const rows: Array<{ row: MessageRow; key: SortKey }> = [];
  for (const message of messages) {
    // The network's own messages (a toll-free opt-out auto-reply) were never the account's: not in its search.
    if (message.network) continue;
    for (const row of rowsOf(message, qualityMetrics)) if (filter(row)) rows.push({ row, key: keyOf(row) });
  }
  rows.sort((a, b) => sign * compareKeys(a.key, b.key));

  const limit = query.limit ?? 100;
  let start = 0;
  let end = Math.min(limit, rows.length);
  if (query.pageToken !== undefined) {
    const token = decodeToken(query.pageToken, sort);
    const firstAfter = rows.findIndex((r) => sign * compareKeys(r.key, token.k) > 0);
    const firstAtOrAfter = rows.findIndex((r) => sign * compareKeys(r.key, token.k) >= 0);
    if (token.d === 'n') {
      start = firstAfter === -1 ? rows.length : firstAfter;
      end = Math.min(start + limit, rows.length);
    } else {
      end = firstAtOrAfter === -1 ? rows.length : firstAtOrAfter;
      start = Math.max(0, end - limit);
    }
  }
  // "The sum of limit and after cannot be more than 10000" (the spec's limit): no page reaches past the 10,000th row.
  if (start + limit > MAX_TOTAL) {
    throw bandwidthErrors.validation(
      [],
      `Invalid query parameters: limit (${limit}) plus the ${start} rows before this page is more than ${MAX_TOTAL}; the sum of limit and after cannot be more than ${MAX_TOTAL}: narrow the search`,
    );
  }
  const page = rows.slice(start, end);
  const pageInfo: Record<string, string> = {};
  const linkWith = (token: string) => {
    const link = new URL(url);
    link.searchParams.set('pageToken', token);
    return link.toString();
  };
  if (start > 0 && page.length > 0) {
    pageInfo.prevPageToken = encodeToken({ s: sort, d: 'p', k: page[0]!.key });
    pageInfo.prevPage = linkWith(pageInfo.prevPageToken);
  }
  if (end < rows.length && page.length > 0) {
    pageInfo.nextPageToken = encodeToken({ s: sort, d: 'n', k: page[page.length - 1]!.key });
    pageInfo.nextPage = linkWith(pageInfo.nextPageToken);
  }
  return {
    totalCount: query.limitTotalCount ? Math.min(rows.length, MAX_TOTAL) : rows.length,
    pageInfo,
    messages: page.map((r) => r.row),
  };
}
