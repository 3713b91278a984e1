import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import type { Logger } from 'pino';
import type { Clock, Scheduled } from '../clock.js';
import type { CallbackAuthConfig } from '../config/resolve.js';
import { RESPONSE_HEADER_VALUE_KEEP, RESPONSE_HEADERS_KEEP, type CallbackOutcome, type Journal, type JournalEntry } from '../store/journal.js';
import type { AttemptState, DeliveryRecord } from '../model/pending.js';
import type { CallbackEvent } from './payloads.js';
import { redactUrlCredentials } from '../config/url-credentials.js';
import { attemptCause } from './attempt-cause.js';

/** One event on its way to an application's callback URL: its kept record plus what comes from the config again. */
export type Delivery = Omit<DeliveryRecord, 'body'> & {
  body: CallbackEvent[];
  auth: CallbackAuthConfig;
  /** False when the application did not ask for this status type. */
  requested: boolean;
  /** A scenario dropped this callback: it is journaled, never sent. */
  dropped?: boolean;
};

/** Delivery settings: per-attempt timeout (real time) and the retry schedule (emulated time). */
export interface DispatcherOptions {
  timeoutMs: number;
  retryDelaysMs: readonly number[];
  userAgent?: string;
}

/** Counts that must balance: planned = delivered + pending + exhausted + noTarget + notRequested + dropped + cancelled (resends plan no event: ResendBooks). */
export interface DeliveryBooks {
  planned: number;
  delivered: number;
  pending: number;
  exhausted: number;
  noTarget: number;
  notRequested: number;
  dropped: number;
  cancelled: number;
}

/** Where an unsettled event stands, and when (emulated ms from now) its next attempt is due. */
export type NextAttempt = AttemptState & { delayMs: number };

/** Observes events that go to the wire (persistence): each one handed over, and each retry scheduled. */
export interface DeliveryObserver {
  queued(delivery: Delivery): void;
  retrying(delivery: Delivery, next: NextAttempt): void;
}

/** How many resends may be on the wire at once; past it resend() throws CallbackResendBusy. */
export const MAX_RESENDS_IN_FLIGHT = 16;

/** Resends of journaled entries: outside the delivery books, which count planned events only. */
export interface ResendBooks {
  resent: number;
  delivered: number;
  failed: number;
  inFlight: number;
}

/** A resend refused because MAX_RESENDS_IN_FLIGHT are on the wire (or the emulator is closing). */
export class CallbackResendBusy extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackResendBusy';
  }
}

// What one POST came back with.
interface Exchange {
  status: number | undefined;
  error: string | undefined;
  challenged: boolean;
  durationMs: number;
  response: { status: number; body: string; headers: Record<string, string> } | undefined;
}

const basic = (auth: CallbackAuthConfig) => 'Basic ' + Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64');

// The receiver's headers, bounded: the first RESPONSE_HEADERS_KEEP, each value cut to RESPONSE_HEADER_VALUE_KEEP.
function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (count++ >= RESPONSE_HEADERS_KEEP) break;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name.slice(0, 256)] = text.length > RESPONSE_HEADER_VALUE_KEEP ? text.slice(0, RESPONSE_HEADER_VALUE_KEEP) : text;
  }
  return out;
}

// Enough of a receiver's answer to explain it in the journal; reading stops there.
const RESPONSE_BODY_KEEP = 4096;

/** Delivers callback events at least once: POST, any 2xx is success, retries on the schedule, every attempt journaled. */
export class CallbackDispatcher {
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  // An EventEmitter is undici's cheaper abort signal: an AbortController per attempt costs an EventTarget and its listeners.
  private readonly inFlight = new Map<string, EventEmitter>();
  // Per recipient of a message, the first attempt of its latest event: the next event starts after it, so a
  // recipient's events go out in order (message-sending before message-delivered) even when a receiver is slow.
  private readonly lastFirstAttempt = new Map<string, Promise<void>>();
  private readonly retryTimers = new Map<string, Scheduled>();
  // Every event not yet settled, with its last attempt number, so close() can journal what it cancels.
  private readonly unsettled = new Map<string, { delivery: Delivery; attempt: number }>();
  private readonly books: DeliveryBooks = { planned: 0, delivered: 0, pending: 0, exhausted: 0, noTarget: 0, notRequested: 0, dropped: 0, cancelled: 0 };
  private closed = false;
  private resendsInFlight = 0;
  private resendCount = 0;
  private readonly resends: ResendBooks = { resent: 0, delivered: 0, failed: 0, inFlight: 0 };
  private readonly plainHeaders: Readonly<Record<string, string>>;
  private readonly observers = new Set<DeliveryObserver>();

  constructor(
    private readonly options: DispatcherOptions,
    private readonly clock: Clock,
    private readonly journal: Journal,
    private readonly log: Logger,
  ) {
    this.plainHeaders = { 'content-type': 'application/json; charset=utf-8', 'user-agent': options.userAgent ?? 'BandwidthAPI/v2' };
  }

  /**
   * Hand an event over; it is journaled whatever happens, and never blocks the caller. With `startLater` the first
   * POST waits for the current synchronous work to end, so the returned function can still take the event back
   * (nothing sent, nothing counted) when the write its request depended on fails.
   */
  send(delivery: Delivery, options: { startLater?: boolean } = {}): () => void {
    this.books.planned++;
    const unsent = delivery.dropped ? 'dropped' : !delivery.requested ? 'notRequested' : !delivery.target ? 'noTarget' : undefined;
    if (unsent) {
      const outcome: CallbackOutcome = unsent === 'dropped' ? 'dropped' : unsent === 'notRequested' ? 'not-requested' : 'no-target';
      this.books[unsent]++;
      const entry = this.record(delivery, { attempt: 0, at: this.clock.now(), durationMs: 0, outcome, headers: {} });
      return () => {
        this.journal.withdraw(entry.seq);
        this.books.planned--;
        this.books[unsent]--;
      };
    }
    this.books.pending++;
    this.unsettled.set(delivery.eventId, { delivery, attempt: 0 });
    for (const observer of this.observers) observer.queued(delivery);
    const key = `${delivery.messageId}\u0000${delivery.recipient}`;
    const previous = this.lastFirstAttempt.get(key) ?? (options.startLater ? Promise.resolve() : undefined);
    const first = previous ? previous.then(() => this.attempt(delivery, 1, 0, false)) : this.attempt(delivery, 1, 0, false);
    this.lastFirstAttempt.set(key, first);
    void first.finally(() => {
      if (this.lastFirstAttempt.get(key) === first) this.lastFirstAttempt.delete(key);
    });
    // Once its first attempt has begun the POST may be on the wire: taking it back is then only possible before that.
    return () => {
      if (!this.unsettled.delete(delivery.eventId)) return;
      this.books.planned--;
      this.books.pending--;
    };
  }

  /** Watch events handed over and retries scheduled; returns the function that stops watching. */
  observe(observer: DeliveryObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Take over an event left unsettled by an earlier run (restored after a restart): its next attempt as given. */
  resume(delivery: Delivery, next: NextAttempt): void {
    this.books.planned++;
    this.books.pending++;
    this.unsettled.set(delivery.eventId, { delivery, attempt: next.attempt - 1 });
    for (const observer of this.observers) observer.retrying(delivery, next);
    const timer = this.clock.schedule(
      () => {
        this.retryTimers.delete(delivery.eventId);
        void this.attempt(delivery, next.attempt, next.retriesUsed, next.withCredentials);
      },
      Math.max(0, next.delayMs),
    );
    this.retryTimers.set(delivery.eventId, timer);
  }

  /** Up to `limit` events not settled yet (first attempt or a retry waiting), oldest first: what idle() reports. */
  unsettledEvents(limit: number): Array<{ eventId: string; accountId: string; messageId: string; recipient: string; type: string; attempt: number }> {
    const out = [];
    for (const { delivery, attempt } of this.unsettled.values()) {
      if (out.length >= limit) break;
      out.push({
        eventId: delivery.eventId,
        accountId: delivery.accountId,
        messageId: delivery.messageId,
        recipient: delivery.recipient,
        type: delivery.type,
        attempt,
      });
    }
    return out;
  }

  /** The delivery books; they balance at every moment. */
  stats(): DeliveryBooks {
    return { ...this.books };
  }

  private async attempt(delivery: Delivery, attempt: number, retriesUsed: number, withCredentials: boolean): Promise<void> {
    // Cancelled (reset or close) while it waited for its turn or its retry.
    if (this.closed || !this.unsettled.has(delivery.eventId)) return;
    const { auth } = delivery;
    // Without credentials every attempt sends the same headers: one object, shared (never mutated) by the journal.
    const headers =
      auth.mode === 'preemptive' || (auth.mode === 'challenge' && withCredentials) ? { ...this.plainHeaders, authorization: basic(auth) } : this.plainHeaders;
    const abort = new EventEmitter();
    this.inFlight.set(delivery.eventId, abort);
    this.unsettled.set(delivery.eventId, { delivery, attempt });
    const at = this.clock.now();
    let exchanged: Exchange;
    try {
      exchanged = await this.exchange(delivery.target!, headers, JSON.stringify(delivery.body), abort);
    } finally {
      this.inFlight.delete(delivery.eventId);
    }
    const { status, error, challenged, durationMs } = exchanged;
    if (this.closed || !this.unsettled.has(delivery.eventId)) return;

    // A response cut off before its body was read (a reset mid-response) is a failed attempt, even after a 2xx
    // status line: at least once means a duplicate is better than an event claimed delivered that may not be.
    const ok = error === undefined && status !== undefined && status >= 200 && status < 300;
    const response = exchanged.response;
    if (ok) {
      this.settle(delivery, 'delivered');
      this.record(delivery, { attempt, at, durationMs, outcome: 'delivered', headers, response });
      return;
    }
    // The attempts this event can have: the first, one per retry delay, and the credentialed re-send of a challenge.
    const of = attempt - retriesUsed + this.options.retryDelaysMs.length;
    // Bandwidth's challenge flow: a 401 carrying WWW-Authenticate: Basic is answered at once with credentials.
    if (challenged && auth.mode === 'challenge' && !withCredentials) {
      // Expected on every event in challenge mode: not a failure worth an info line.
      this.logFailure('debug', delivery, attempt, of + 1, status, error, 're-sending at once with credentials (challenge)');
      this.record(delivery, { attempt, at, durationMs, outcome: 'retrying', headers, response, error });
      for (const observer of this.observers) observer.retrying(delivery, { attempt: attempt + 1, retriesUsed, withCredentials: true, delayMs: 0 });
      void this.attempt(delivery, attempt + 1, retriesUsed, true);
      return;
    }
    const delay = this.options.retryDelaysMs[retriesUsed];
    if (delay === undefined) {
      this.settle(delivery, 'exhausted');
      this.record(delivery, { attempt, at, durationMs, outcome: 'exhausted', headers, response, error });
      this.logFailure('warn', delivery, attempt, of, status, error, 'giving up: no retries left (outcome exhausted)');
      return;
    }
    this.logFailure('info', delivery, attempt, of, status, error, `retrying in ${delay} ms (emulated)`);
    this.record(delivery, { attempt, at, durationMs, outcome: 'retrying', headers, response, error });
    for (const observer of this.observers) observer.retrying(delivery, { attempt: attempt + 1, retriesUsed: retriesUsed + 1, withCredentials, delayMs: delay });
    const timer = this.clock.schedule(() => {
      this.retryTimers.delete(delivery.eventId);
      void this.attempt(delivery, attempt + 1, retriesUsed + 1, withCredentials);
    }, delay);
    this.retryTimers.set(delivery.eventId, timer);
  }

  // One POST with its own deadline: what came back (status, kept body and headers) or the error, and how long it took.
  private async exchange(target: string, headers: Readonly<Record<string, string>>, body: string, abort: EventEmitter): Promise<Exchange> {
    const started = performance.now();
    let status: number | undefined;
    let responseBody = '';
    let responseHeaders: Record<string, string> = {};
    let error: string | undefined;
    let challenged = false;
    // Each attempt has its own unref'd deadline covering headers and body: undici's request-level headersTimeout /
    // bodyTimeout let a 200 sent after the timeout count as delivered (the hostile-receivers test caught it).
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      abort.emit('abort');
    }, this.options.timeoutMs);
    deadline.unref();
    try {
      const res = await request(target, { method: 'POST', headers, body, dispatcher: this.agent, signal: abort });
      status = res.statusCode;
      responseHeaders = keptHeaders(res.headers);
      // Most receivers answer with an empty body: drain it without collecting chunks.
      if (res.headers['content-length'] === '0') await res.body.dump();
      else responseBody = await readSome(res.body);
      const wwwAuthenticate = String(res.headers['www-authenticate'] ?? '');
      challenged = status === 401 && /^\s*basic\b/i.test(wwwAuthenticate);
    } catch (err) {
      error = timedOut ? `timeout after ${this.options.timeoutMs} ms` : describeNetworkError(err, this.options.timeoutMs);
    } finally {
      clearTimeout(deadline);
    }
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    return { status, error, challenged, durationMs, response: status === undefined ? undefined : { status, body: responseBody, headers: responseHeaders } };
  }

  /**
   * POST a journaled entry's recorded body again, once (no retries, the usual timeout), to its target or `target`,
   * with `auth` (the application's current credentials, sent at once: one attempt has no room for a challenge).
   * Journaled as a new entry with `replayOf`, outcome delivered or exhausted. Outside the planned books (it plans no
   * event): counted in resendStats(). Throws CallbackResendBusy past MAX_RESENDS_IN_FLIGHT.
   */
  async resend(entry: JournalEntry, target: string, auth: CallbackAuthConfig): Promise<JournalEntry> {
    if (this.closed) throw new CallbackResendBusy('the emulator is closing');
    if (this.resendsInFlight >= MAX_RESENDS_IN_FLIGHT)
      throw new CallbackResendBusy(`${MAX_RESENDS_IN_FLIGHT} resends are in flight already; try again when one has answered`);
    this.resendsInFlight++;
    this.resends.inFlight = this.resendsInFlight;
    try {
      const headers = auth.mode === 'none' ? this.plainHeaders : { ...this.plainHeaders, authorization: basic(auth) };
      const abort = new EventEmitter();
      const key = `resend\u0000${++this.resendCount}`;
      this.inFlight.set(key, abort);
      const at = this.clock.now();
      let exchanged: Exchange;
      try {
        exchanged = await this.exchange(target, headers, JSON.stringify(entry.request.body), abort);
      } finally {
        this.inFlight.delete(key);
      }
      const { status, error, durationMs, response } = exchanged;
      const ok = error === undefined && status !== undefined && status >= 200 && status < 300;
      this.resends.resent++;
      this.resends[ok ? 'delivered' : 'failed']++;
      const delivery = {
        eventId: entry.eventId,
        accountId: entry.accountId,
        messageId: entry.messageId,
        applicationId: entry.applicationId,
        type: entry.type,
        recipient: entry.recipient,
        target,
        body: entry.request.body as CallbackEvent[],
        explanation: entry.explanation,
      };
      return this.record(delivery, {
        attempt: entry.attempt,
        at,
        durationMs,
        outcome: ok ? 'delivered' : 'exhausted',
        headers,
        response,
        error,
        replayOf: entry.seq,
      });
    } finally {
      this.resendsInFlight--;
      this.resends.inFlight = this.resendsInFlight;
    }
  }

  /** Resends so far (outside the delivery books): how many were sent, delivered, failed, and in flight now. */
  resendStats(): ResendBooks {
    return { ...this.resends };
  }

  // One line per failed attempt: which callback, which attempt of how many, why, and what happens next.
  private logFailure(
    level: 'debug' | 'info' | 'warn',
    delivery: Delivery,
    attempt: number,
    of: number,
    status: number | undefined,
    error: string | undefined,
    next: string,
  ): void {
    if (!this.log.isLevelEnabled(level)) return;
    const target = delivery.target === undefined ? '(none)' : redactUrlCredentials(delivery.target);
    const cause = attemptCause(status, error);
    this.log[level](
      { messageId: delivery.messageId, eventId: delivery.eventId, type: delivery.type, target, attempt, attempts: of, status, cause },
      `callback ${delivery.type} of ${delivery.messageId} to ${target}: attempt ${attempt}/${of} failed: ${cause}; ${next}`,
    );
  }

  private settle(delivery: Delivery, outcome: 'delivered' | 'exhausted'): void {
    this.unsettled.delete(delivery.eventId);
    this.books.pending--;
    this.books[outcome]++;
  }

  private record(
    delivery: Pick<Delivery, 'eventId' | 'accountId' | 'messageId' | 'applicationId' | 'type' | 'recipient' | 'target' | 'body' | 'explanation'>,
    a: {
      attempt: number;
      at: number;
      durationMs: number;
      outcome: CallbackOutcome;
      headers: Readonly<Record<string, string>>;
      response?: { status: number; body: string; headers?: Record<string, string> };
      error?: string;
      replayOf?: number;
    },
  ): JournalEntry {
    // Credentials are a secret of the user's receiver: the journal shows that they were sent, not what they were.
    const headers = a.headers.authorization ? { ...a.headers, authorization: 'Basic [redacted]' } : a.headers;
    const entry = this.journal.record({
      eventId: delivery.eventId,
      accountId: delivery.accountId,
      messageId: delivery.messageId,
      applicationId: delivery.applicationId,
      type: delivery.type,
      recipient: delivery.recipient,
      // Config URLs hold no credentials (they become callbackAuth); one restored from an older state file might.
      target: delivery.target === undefined ? undefined : redactUrlCredentials(delivery.target),
      attempt: a.attempt,
      at: a.at,
      durationMs: a.durationMs,
      request: { headers, body: delivery.body },
      response: a.response,
      error: a.error,
      outcome: a.outcome,
      ...(a.replayOf !== undefined ? { replayOf: a.replayOf } : {}),
      explanation: delivery.explanation,
    });
    // Guarded: the log object would otherwise be built for every attempt and thrown away at the default level.
    if (this.log.isLevelEnabled('debug'))
      this.log.debug(
        {
          messageId: delivery.messageId,
          eventId: delivery.eventId,
          type: delivery.type,
          attempt: a.attempt,
          outcome: a.outcome,
          status: a.response?.status,
          error: a.error,
        },
        'callback attempt',
      );
    return entry;
  }

  /**
   * Cancel unsettled events, of one account or all: each gets a 'cancelled' journal entry (nothing vanishes
   * silently), its retry timer is cancelled and its in-flight POST aborted. Returns how many were cancelled.
   */
  cancel(accountId?: string, reason = 'the account was reset before this event was delivered'): number {
    let count = 0;
    for (const [eventId, { delivery, attempt }] of this.unsettled) {
      if (accountId !== undefined && delivery.accountId !== accountId) continue;
      this.unsettled.delete(eventId);
      this.retryTimers.get(eventId)?.cancel();
      this.retryTimers.delete(eventId);
      this.inFlight.get(eventId)?.emit('abort');
      this.record(delivery, { attempt, at: this.clock.now(), durationMs: 0, outcome: 'cancelled', headers: {}, error: reason });
      count++;
    }
    this.books.pending -= count;
    this.books.cancelled += count;
    return count;
  }

  /** Stop: cancel everything unsettled (journaled), then close the connection pool. */
  async close(): Promise<DeliveryBooks> {
    this.cancel(undefined, 'the emulator closed before this event was delivered');
    this.closed = true;
    await this.agent.close().catch(() => undefined);
    return this.stats();
  }
}

// Reads the first RESPONSE_BODY_KEEP bytes and stops: destroying the body then means a receiver answering with a
// huge or endless body costs one connection, not memory or time (the status line already decided). Plain 'data'
// events, not `for await`: most receivers answer with an empty chunked body, and an async iterator per callback
// showed up in the saturation profile. A body cut off mid-way rejects, so the attempt counts as failed.
function readSome(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const finish = () => resolve(Buffer.concat(chunks).subarray(0, RESPONSE_BODY_KEEP).toString('utf8'));
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      kept += chunk.length;
      if (kept >= RESPONSE_BODY_KEEP) {
        body.removeAllListeners('data');
        body.destroy();
        finish();
      }
    });
    body.once('end', finish);
    body.once('error', reject);
  });
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') return `timeout after ${timeoutMs} ms`;
  if (e.name === 'AbortError') return 'aborted';
  return e.code ?? e.cause?.code ?? e.message ?? String(err);
}
