import type { DeliveryBooks } from '../callbacks/dispatcher.js';
import type { Emulator } from '../emulator.js';
import { MAX_TIME_SCALE } from '../config/schema.js';
import { EmulatorConfigError } from '../errors.js';
import { ERROR_CODES_CHECKED_ON, ERRORS_PAGE_URL, errorCodeInfo, MESSAGE_ERROR_CODES, type MessageErrorCode } from '../error-codes.js';
import { CarrierRefusal, type CarrierRequest, type CarrierResult } from '../messaging/carrier.js';
import type { PendingReport } from '../messaging/settle.js';
import { NoOwnedRecipientError, type InboundRequest } from '../messaging/types.js';
import type { RestoreCounts, StateDocument } from '../persistence/state-document.js';
import { exportState, importState } from '../persistence/state.js';
import { StateDocumentError } from '../persistence/state-document.js';
import { summaryOf, type ScenarioSummary } from '../scenarios/engine.js';
import type { JournalEntry, JournalFilter, JournalPage } from '../store/journal.js';
import { CallbackResendBusy, type ResendBooks } from '../callbacks/dispatcher.js';
import type { StoredMessage } from '../store/messages.js';
import { lintText, type MessageLint } from '../segment-lint.js';
import { messageMedia, type MessageMediaResult } from './message-media.js';
import { attachmentProblems } from './inbound-attachments.js';
import { numberOperations, type NumberOperations } from './number-operations.js';
import { optOutOperations, type OptOutOperations } from './opt-out-operations.js';
import { trafficOperations, type TrafficOperations } from './traffic-operations.js';
import { proxyOperations, type ProxyOperations } from './proxy-operations.js';
import { LazyCertificateAuthority } from '../proxy/certificate-authority.js';
import { LintBody, MAX_PAGE_LIMIT, MAX_RESEND_TARGET, MAX_WAIT_MS } from './schemas.js';
import { groupNewestFirst } from './message-query.js';
import { ControlInputError } from './control-input-error.js';
import { cursorArgument, pageOf, searchStored, type MessageFilter, type MessageQuery } from './message-search.js';
import { compileSchemaCheck, type Problem } from '../validation/schema-check.js';
import { ThrowawayAccountError, type ThrowawayAccount, type ThrowawayAccountRequest } from '../throwaway-accounts.js';

/**
 * A failed recipient's code as the error table describes it: its name and text, whether Bandwidth bills the message
 * and whether a retry can help. A code the table lacks (one imported with a state document) has `errorCode` alone.
 */
export type RecipientFailure = { to: string; errorCode: number } & Partial<Pick<MessageErrorCode, 'name' | 'text' | 'billable' | 'retry' | 'retryWhy'>>;

/** A message as the control API shows it: everything stored, with times as ISO strings. */
export type ControlMessage = Omit<StoredMessage, 'time' | 'recipients' | 'timeline'> & {
  time: string;
  recipients: Array<Omit<StoredMessage['recipients'][number], 'updatedAt'> & { updatedAt: string }>;
  timeline: Array<Omit<StoredMessage['timeline'][number], 'at'> & { at: string }>;
  /** One per recipient that failed with a code (absent when none did). */
  failures?: RecipientFailure[];
};

/** The whole error table as GET /__emulator/error-codes answers it. */
export interface ErrorCodeTable {
  source: string;
  checkedOn: string;
  errorCodes: MessageErrorCode[];
}

export type { MessageFilter, MessageQuery } from './message-search.js';

/** One page of a message search: `total` counts every match, `nextCursor` is null on the last page. */
export interface MessagePage {
  messages: ControlMessage[];
  total: number;
  nextCursor: string | null;
}

/** A conversation as GET /__emulator/conversations answers it: `count` matching messages, the latest of them. */
export interface ConversationSummary {
  key: string;
  accountId: string;
  ours: string;
  theirs: string[];
  count: number;
  latest: ControlMessage;
}

/** One page of conversations, newest first: `total` counts every matching conversation. */
export interface ConversationPage {
  conversations: ConversationSummary[];
  total: number;
  nextCursor: string | null;
}

/** Liveness and sizes: stores, evictions, callback books, scenario problems. */
export interface Health {
  status: 'ok';
  uptimeMs: number;
  /** `held`: messages over the cap, kept until their pending work (steps, a reply, a media fetch) settles. */
  messages: { messages: number; evicted: number; cap: number; held: number };
  journal: { entries: number; evicted: number; cap: number };
  media: { objects: number; bytes: number; evicted: number; expired: number; capBytes: number };
  callbacks: DeliveryBooks;
  /** Resends (POST /callbacks/{seq}/resend), outside the books: they plan no event. */
  resends: ResendBooks;
  pendingSteps: number;
  scenarioProblems: Problem[];
}

/** An account as the inbox shows it: its id and numbers, never its credentials; a throwaway one says so and when it expires. */
export interface AccountSummary {
  id: string;
  numbers: Array<{ number: string; applicationId: string }>;
  /** Only on a throwaway account (POST /__emulator/accounts): its credentials were answered once, at creation. */
  throwaway?: true;
  /** A throwaway account's expiry (ISO time), or null when it is kept until deleted. */
  expiresAt?: string | null;
}

export { ControlInputError };

/** Every control operation, in one shape for the in-process library, the HTTP routes and the remote client. */
export interface ControlOperations {
  health(): Promise<Health>;
  messages: {
    list(filter?: MessageFilter): Promise<ControlMessage[]>;
    /** Search and page: `{ messages, total, nextCursor }`, newest first (as list); ControlInputError for a bad cursor or date. */
    search(query?: MessageQuery): Promise<MessagePage>;
    get(id: string): Promise<ControlMessage | undefined>;
    /** A message's media item (bytes and content type) when the emulator stores it, or why not (external URL, no such index, evicted). */
    media(id: string, index: number): Promise<MessageMediaResult>;
  };
  /** The conversations with a matching message, newest first, paged as messages.search is (default 50 a page). */
  conversations(query?: MessageQuery): Promise<ConversationPage>;
  callbacks: {
    list(filter?: JournalFilter): Promise<JournalEntry[]>;
    /** The first entry matching the filter, waiting up to `timeoutMs`; rejects with JournalWaitTimeout (what it saw). */
    waitFor(filter: JournalFilter, options?: { timeoutMs?: number }): Promise<JournalEntry>;
    /** A newest-first page: up to `limit` (1 to MAX_PAGE_LIMIT, default 100) entries below `beforeSeq`, the total, the next page's beforeSeq. */
    page(filter?: JournalFilter, options?: { limit?: number; beforeSeq?: number }): Promise<JournalPage>;
    /**
     * POST an entry's recorded body again, once, to its target or `target` (http(s)), with the application's current
     * callback credentials; resolves with the new entry (`replayOf: seq`) after the attempt, undefined for an unknown
     * (or evicted) seq. ControlInputError: nothing to resend or a bad target; CallbackResendBusy: too many in flight.
     */
    resend(seq: number, options?: { target?: string }): Promise<JournalEntry | undefined>;
  };
  inbound(request: InboundRequest): Promise<ControlMessage[]>;
  /** The accounts, configured then throwaway, and their numbers (no credentials): what a handset can send to. */
  accounts(): Promise<AccountSummary[]>;
  /** An account's numbers and their registration, changed at run time (in memory; a reset brings the config's back). */
  numbers: NumberOperations;
  /** Traffic profiles and parts at run time, globally or per account (README "Traffic"); a reset forgets the change. */
  traffic: TrafficOperations;
  /** Proxy mode's settings and the local CA's certificate (README "Proxy mode"): never its key. */
  proxy: ProxyOperations;
  /** The toll-free opt-out list per account (README "Toll-free opt-out"): list, add, remove one, remove all; a reset clears it. */
  optOuts: OptOutOperations;
  /**
   * Create a throwaway account for one test or CI worker: fresh credentials (answered this once), one application
   * (with `callbackUrl`), numbers, an optional `ttlSeconds`. Refused: ControlInputError (invalid), ThrowawayAccountError
   * (`conflict`: the id or a number is taken; `limit`: MAX_THROWAWAY_ACCOUNTS).
   */
  createAccount(request?: ThrowawayAccountRequest): Promise<ThrowawayAccount>;
  /** Remove a throwaway account and everything it owns; a configured account is reset instead (the config defines it). */
  removeAccount(accountId: string): Promise<void>;
  /** Act as the carrier on an outbound message in flight: deliver now, or fail with an error code (ControlInputError if it cannot). */
  carrier(messageId: string, request: CarrierRequest): Promise<CarrierResult>;
  scenarios: {
    list(): Promise<{ scenarios: ScenarioSummary[]; problems: Problem[] }>;
    /**
     * Add (or replace, by name) a run-time scenario, for one account or all: a document, or its YAML or JSON text as a
     * string, read as a scenario file is (same bounds, problems with field and line). `name` replaces the document's.
     */
    use(scenario: unknown, options?: { accountId?: string; name?: string }): Promise<ScenarioSummary>;
    clear(options?: { accountId?: string; name?: string }): Promise<void>;
    trigger(name: string, inbound?: string): Promise<{ scheduled: number }>;
  };
  /**
   * Reset: forget the messages, callback journal, media, pending steps and callbacks, run-time scenarios and toll-free
   * opt-outs of one account, or of all; a full reset also rewinds the file scenarios' rule counters (scenario files and config stay).
   */
  reset(accountId?: string): Promise<void>;
  /** What is pending right now (steps, callbacks, media fetches), with the first few items. */
  pending(): Promise<PendingReport>;
  /** Resolve once nothing is pending; reject with PendingWorkError (what still is) after `timeoutMs` (default 5000). */
  idle(options?: { timeoutMs?: number }): Promise<PendingReport>;
  /** Reject with PendingWorkError unless nothing is pending right now. */
  assertNoPending(): Promise<void>;
  time: {
    flush(): Promise<{ ran: number }>;
    get(): Promise<{ timeScale: number; now: string; pending: number }>;
    /** Set the multiplier for emulated delays (config `timeScale`): 0 to MAX_TIME_SCALE; new delays use it. */
    setTimeScale(timeScale: number): Promise<{ timeScale: number }>;
  };
  /**
   * Lint a text before sending it (README "Message lint"): encoding, segments, the characters that forced UCS-2 or
   * cost two septets, and a hint. Stateless; ControlInputError past the bounds (text 2048, media 10, to 100).
   */
  lint(request: LintRequest): Promise<MessageLint>;
  errorCodes: {
    /** Every message-failed code the emulator knows, each with whether it is billable and whether a retry can help. */
    list(): Promise<ErrorCodeTable>;
    /** One code (four digits, else ControlInputError), or undefined when the table does not have it. */
    get(code: number): Promise<MessageErrorCode | undefined>;
  };
  state: {
    /** The whole state as one versioned JSON document: messages, media (base64), journal, run-time scenarios. */
    export(): Promise<StateDocument>;
    /** Replace all state with an exported document; refused, with every problem named, when it is not valid. */
    import(doc: unknown): Promise<RestoreCounts>;
  };
}

/** The serialised form of a stored message. */
export function toControlMessage(message: StoredMessage): ControlMessage {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: message.id,
    accountId: message.accountId,
    direction: message.direction,
    applicationId: message.applicationId,
    owner: message.owner,
    from: message.from,
    to: message.to,
    text: message.text,
    ...(message.media ? { media: message.media } : {}),
    ...(message.tag !== undefined ? { tag: message.tag } : {}),
    priority: message.priority,
    ...(message.expiration ? { expiration: message.expiration } : {}),
    time: iso(message.time),
    segmentCount: message.segmentCount,
    ...(message.channel ? { channel: message.channel } : {}),
    ...(message.channelList ? { channelList: message.channelList } : {}),
    ...(message.suggestionResponse ? { suggestionResponse: message.suggestionResponse } : {}),
    ...(message.locationResponse ? { locationResponse: message.locationResponse } : {}),
    ...(message.network ? { network: message.network } : {}),
    recipients: message.recipients.map((r) => ({ to: r.to, status: r.status, errorCode: r.errorCode, updatedAt: iso(r.updatedAt) })),
    timeline: message.timeline.map((t) => ({
      at: iso(t.at),
      what: t.what,
      ...(t.recipient ? { recipient: t.recipient } : {}),
      ...(t.detail ? { detail: t.detail } : {}),
    })),
    ...failuresOf(message),
  };
}

function failuresOf(message: StoredMessage): { failures?: RecipientFailure[] } {
  const failures: RecipientFailure[] = [];
  for (const r of message.recipients) {
    if (r.status !== 'FAILED' || r.errorCode === 0) continue;
    const info = errorCodeInfo(r.errorCode);
    failures.push({
      to: r.to,
      errorCode: r.errorCode,
      ...(info ? { name: info.name, text: info.text, billable: info.billable, retry: info.retry, retryWhy: info.retryWhy } : {}),
    });
  }
  return failures.length > 0 ? { failures } : {};
}

/** A code as a caller gives it: four digits, the bound GET /__emulator/error-codes/{code} has too. */
function errorCodeArgument(code: number): number {
  if (!Number.isInteger(code) || code < 1000 || code > 9999)
    throw new ControlInputError(`an error code is four digits (e.g. 4720), got ${String(code)}; GET /__emulator/error-codes lists them`);
  return code;
}

export { CallbackResendBusy };

/** Where a resend goes: the override (an http(s) URL) or the entry's own target; refused when there is nothing to send. */
function resendTarget(entry: JournalEntry, override: string | undefined): string {
  if (!Array.isArray(entry.request.body) || entry.request.body.length === 0)
    throw new ControlInputError(`journal entry ${entry.seq} has no request body to resend`);
  if (override !== undefined) {
    let url: URL | undefined;
    try {
      url = override.length <= MAX_RESEND_TARGET ? new URL(override) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new ControlInputError(`target must be an http(s) URL of at most ${MAX_RESEND_TARGET} characters`);
    return override;
  }
  if (entry.outcome === 'network')
    throw new ControlInputError(`journal entry ${entry.seq} is the network's own message to a handset, never POSTed: give a target to send its body to`);
  if (entry.target === undefined) throw new ControlInputError(`journal entry ${entry.seq} has no target (outcome ${entry.outcome}): give one`);
  return entry.target;
}

/** A wait the caller asked for, checked as the HTTP routes check it: a whole number of ms from 0 to MAX_WAIT_MS. */
function waitMs(timeoutMs: number | undefined): number {
  const ms = timeoutMs ?? 5000;
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_WAIT_MS)
    throw new ControlInputError(`timeoutMs must be a whole number of milliseconds from 0 to ${MAX_WAIT_MS}, got ${String(ms)}`);
  return ms;
}

/** What POST /__emulator/lint takes: the text, and the media and recipients that make an MMS. */
export interface LintRequest {
  text: string;
  media?: string[];
  to?: string[];
}

// The library's callers skip the route's schema: the same schema, checked here.
const checkLint = compileSchemaCheck(LintBody);

function lintChecked(request: LintRequest): MessageLint {
  const problems = checkLint(request, 'lint');
  if (problems.length > 0) throw new ControlInputError(`the lint request is not valid: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`, problems);
  return lintText(request);
}

/**
 * Build the control operations over one emulator; `certificates` is the app's CA (certificatesOf(app)), so the control
 * API reports and hands out the very CA its tunnels use.
 */
export function createControlOperations(emulator: Emulator, certificates = new LazyCertificateAuthority(emulator.config.proxy.caDir)): ControlOperations {
  const startedAt = Date.now();
  return {
    async health() {
      return {
        status: 'ok',
        uptimeMs: Date.now() - startedAt,
        ...emulator.stats(),
        scenarioProblems: emulator.scenarioProblems,
      };
    },
    messages: {
      async list(filter = {}) {
        return searchStored(emulator, filter)
          .slice(0, filter.limit ?? 1000)
          .map(toControlMessage);
      },
      async search(query = {}) {
        const cursor = cursorArgument(query.cursor);
        const all = searchStored(emulator, query);
        const { page, nextCursor } = pageOf(all, (m) => m, cursor, query.limit ?? 1000);
        return { messages: page.map(toControlMessage), total: all.length, nextCursor };
      },
      async get(id) {
        const message = emulator.messages.find(id);
        return message && toControlMessage(message);
      },
      async media(id, index) {
        return messageMedia(emulator, id, index);
      },
    },
    async conversations(query = {}) {
      const cursor = cursorArgument(query.cursor);
      const conversations = groupNewestFirst(searchStored(emulator, query));
      const { page, nextCursor } = pageOf(conversations, (c) => c.latest, cursor, query.limit ?? 50);
      return {
        conversations: page.map((c) => ({
          key: c.key,
          accountId: c.accountId,
          ours: c.ours,
          theirs: c.theirs,
          count: c.messages.length,
          latest: toControlMessage(c.latest),
        })),
        total: conversations.length,
        nextCursor,
      };
    },
    callbacks: {
      async list(filter = {}) {
        return emulator.callbackJournal.list(filter);
      },
      async waitFor(filter, options = {}) {
        return emulator.callbackJournal.waitFor(filter, waitMs(options.timeoutMs));
      },
      async page(filter = {}, options = {}) {
        const limit = options.limit ?? 100;
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT)
          throw new ControlInputError(`limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}, got ${String(limit)}`);
        return emulator.callbackJournal.page(filter, limit, options.beforeSeq);
      },
      async resend(seq, options = {}) {
        const entry = emulator.callbackJournal.get(seq);
        if (!entry) return undefined;
        const target = resendTarget(entry, options.target);
        const account = emulator.accounts.get(entry.accountId);
        const app = account && emulator.accounts.application(account, entry.applicationId);
        return emulator.parts.dispatcher.resend(entry, target, app?.callbackAuth ?? { mode: 'none' });
      },
    },
    async inbound(request) {
      const problems = attachmentProblems(request.media, emulator.config.media.maxObjectBytes);
      if (problems.length > 0)
        throw new ControlInputError(`the attachments are not valid: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`, problems);
      try {
        return emulator.inbound(request).map(toControlMessage);
      } catch (error) {
        if (error instanceof NoOwnedRecipientError) throw new ControlInputError(error.message);
        throw error;
      }
    },
    async accounts() {
      emulator.sweepExpiredAccounts();
      return emulator.accounts.list().map((a) => {
        const summary: AccountSummary = { id: a.id, numbers: a.numbers.map((n) => ({ number: n.number, applicationId: n.applicationId })) };
        const expiresAt = emulator.accounts.expiresAt(a.id);
        if (expiresAt === undefined) return summary;
        return { ...summary, throwaway: true, expiresAt: Number.isFinite(expiresAt) ? new Date(expiresAt).toISOString() : null };
      });
    },
    async createAccount(request = {}) {
      try {
        return emulator.createAccount(request);
      } catch (error) {
        if (error instanceof ThrowawayAccountError && error.kind === 'invalid') throw new ControlInputError(error.message, error.problems);
        throw error;
      }
    },
    async removeAccount(accountId) {
      emulator.sweepExpiredAccounts();
      emulator.removeAccount(accountId);
    },
    numbers: numberOperations(emulator, (message, problems) => new ControlInputError(message, problems)),
    traffic: trafficOperations(emulator, (message, problems) => new ControlInputError(message, problems)),
    proxy: proxyOperations(emulator.config.proxy.enabled, certificates),
    optOuts: optOutOperations(emulator, (message, problems) => new ControlInputError(message, problems)),
    async carrier(messageId, request) {
      try {
        return emulator.carrier(messageId, request);
      } catch (error) {
        if (error instanceof CarrierRefusal) throw new ControlInputError(error.message);
        throw error;
      }
    },
    scenarios: {
      async list() {
        return { scenarios: emulator.scenarioSummaries(), problems: emulator.scenarioProblems };
      },
      async use(scenario, options = {}) {
        try {
          const compiled = emulator.useScenario(scenario, options.accountId ?? '*', { name: options.name });
          return summaryOf(compiled, options.accountId ?? '*');
        } catch (error) {
          if (error instanceof EmulatorConfigError) throw new ControlInputError('the scenario is not valid', [...error.problems]);
          throw error;
        }
      },
      async clear(options = {}) {
        emulator.clearScenarios(options.accountId ?? (options.name !== undefined ? '*' : undefined), options.name);
      },
      async trigger(name, inbound) {
        return { scheduled: emulator.triggerInbound(name, inbound) };
      },
    },
    async reset(accountId) {
      emulator.reset(accountId);
    },
    async pending() {
      return emulator.pending();
    },
    async idle(options = {}) {
      return emulator.idle({ timeoutMs: waitMs(options.timeoutMs) });
    },
    async assertNoPending() {
      emulator.assertNoPending();
    },
    time: {
      async flush() {
        return { ran: await emulator.time.flush() };
      },
      async get() {
        const { time } = emulator;
        return { timeScale: time.scale, now: new Date(time.now()).toISOString(), pending: time.pending };
      },
      async setTimeScale(timeScale) {
        if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale < 0 || timeScale > MAX_TIME_SCALE)
          throw new ControlInputError(`timeScale must be a number from 0 to ${MAX_TIME_SCALE} (as in the config), got ${String(timeScale)}`);
        emulator.time.scale = timeScale;
        return { timeScale };
      },
    },
    async lint(request) {
      return lintChecked(request);
    },
    errorCodes: {
      async list() {
        return { source: ERRORS_PAGE_URL, checkedOn: ERROR_CODES_CHECKED_ON, errorCodes: Object.values(MESSAGE_ERROR_CODES) };
      },
      async get(code) {
        return errorCodeInfo(errorCodeArgument(code));
      },
    },
    state: {
      async export() {
        return exportState(emulator);
      },
      async import(doc) {
        try {
          return importState(emulator, doc);
        } catch (error) {
          if (error instanceof StateDocumentError) throw new ControlInputError(error.message, error.problems);
          throw error;
        }
      },
    },
  };
}
