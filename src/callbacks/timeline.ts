import type { Clock, Scheduled } from '../clock.js';
import type { ApplicationConfig } from '../config/resolve.js';
import type { OutboundPlan, PlannedStep } from '../model/plan.js';
import type { MessageStatus, MessageStore, StoredMessage } from '../store/messages.js';
import type { CallbackDispatcher } from './dispatcher.js';
import { CallbackType, type StatusType } from '../model/events.js';
import { inboundEvent, inboundTypeOf, statusEvent } from './payloads.js';

// A read receipt leaves the search status at DELIVERED: Bandwidth's search has no READ status.
const STATUS_OF: Record<StatusType, MessageStatus> = {
  'message-sending': 'SENDING',
  // The spec's messageStatusEnum has SENT: the message left Bandwidth and waits for its receipt.
  'message-sent': 'SENT',
  'message-delivered': 'DELIVERED',
  'message-failed': 'FAILED',
  'message-read': 'DELIVERED',
};

// What the journal says of a scripted disorder, before the rule's explanation: the order is the scenario's, not a bug.
const DISORDER_WHY: Record<NonNullable<PlannedStep['disorder']>, string> = {
  'sending-after-final': 'scripted disorder (callbackFaults.sendingAfterFinal): message-sending sent after the final event on purpose; the status stays final',
  'stale-after-final':
    'scripted disorder (callbackFaults.staleAfterFinal): a stale message-sending, with its first time, sent after the final event on purpose; the status stays final',
};

// The time of the recipient's first message-sending (its timeline keeps it), else the 202's: a stale copy carries it.
function firstSendingAt(message: StoredMessage, recipient: string): number {
  return message.timeline.find((entry) => entry.what === CallbackType.sending && entry.recipient === recipient)?.at ?? message.time;
}

/** The URL an application's status callbacks go to: its outbound URL, else its one URL, else its inbound URL. */
export function statusCallbackUrl(app: ApplicationConfig | undefined): string | undefined {
  // Without an outbound URL Bandwidth is in single-URL mode: status events go to the inbound URL too
  // ("Single callback" in https://support.bandwidth.com/hc/en-us/articles/360013007654).
  return app?.outboundCallbackUrl ?? app?.callbackUrl ?? app?.inboundCallbackUrl;
}

/** Observes outbound timelines (persistence): each recipient's plan when made, and each step as it fires. */
export interface TimelineObserver {
  planned(message: StoredMessage, recipient: string, steps: readonly PlannedStep[], explanation: string | undefined): void;
  fired(message: StoredMessage, recipient: string, index: number, steps: readonly PlannedStep[]): void;
  /** A carrier action answered for the recipient: its remaining steps are cancelled and none are pending any more. */
  replaced?(message: StoredMessage, recipient: string): void;
}

/** Plays planned timelines: at each step it moves the stored status and hands the event to the dispatcher. */
export class TimelinePlayer {
  private nextEvent = 1;
  // Per account, so a reset of one account cancels only its own pending steps.
  // Each handle counts the steps it stands for (a recipient's chain is one timer for all its remaining steps), and
  // names the message it pins in the store (a message with pending work is not evicted until that work is done).
  private readonly scheduled = new Map<string, Map<Scheduled, { weight: number; messageId?: string }>>();
  // Per message and recipient, the pending handle of its chain and what a carrier action needs to send in its place.
  private readonly chains = new Map<string, PendingChain>();
  private readonly observers = new Set<TimelineObserver>();

  constructor(
    private readonly clock: Clock,
    private readonly store: MessageStore,
    private readonly dispatcher: CallbackDispatcher,
  ) {}

  /** Schedule every step of an outbound plan; `app` is undefined when the applicationId is unknown. */
  playOutbound(message: StoredMessage, plan: OutboundPlan, app: ApplicationConfig | undefined): void {
    const now = this.clock.now();
    for (const [recipient, explanation] of plan.explanations) {
      this.store.note(message, { at: now, what: 'planned', recipient, detail: { explanation } });
    }
    const target = statusCallbackUrl(app);
    for (const observer of this.observers)
      for (const [recipient, steps] of plan.steps) observer.planned(message, recipient, steps, plan.explanations.get(recipient));
    for (const [recipient, steps] of plan.steps) this.playStep(message, recipient, steps, 0, 0, app, target, plan.explanations.get(recipient));
  }

  // Each step schedules the next, so a recipient's steps happen in order even when the event loop stalls: separate
  // timers of different durations may fire out of order under load.
  private playStep(
    message: StoredMessage,
    recipient: string,
    steps: readonly PlannedStep[],
    index: number,
    elapsedMs: number,
    app: ApplicationConfig | undefined,
    // statusCallbackUrl(app), worked out once per plan.
    target: string | undefined,
    explanation: string | undefined,
  ): void {
    const step = steps[index];
    const chainKey = `${message.id}\u0000${recipient}`;
    if (!step) {
      this.chains.delete(chainKey);
      return;
    }
    const remaining = steps.length - index;
    const handle = this.later(
      message.accountId,
      step.afterMs - elapsedMs,
      () => {
        const at = this.clock.now();
        // A scripted disorder is a callback out of order, not a new status: search keeps the final one.
        if (step.disorder) this.store.note(message, { at, what: step.type, recipient, detail: { disorder: step.disorder } });
        else {
          this.store.setStatus(message, recipient, STATUS_OF[step.type], step.errorCode ?? 0, at);
          this.store.note(message, { at, what: step.type, recipient, detail: step.errorCode ? { errorCode: step.errorCode } : undefined });
        }
        const failure = step.errorCode !== undefined ? { errorCode: step.errorCode, description: step.description } : undefined;
        const eventAt = step.disorder === 'stale-after-final' ? firstSendingAt(message, recipient) : at;
        const body = [statusEvent(message, step.type, recipient, eventAt, failure)];
        const why = step.disorder ? `${DISORDER_WHY[step.disorder]}${explanation ? `; ${explanation}` : ''}` : explanation;
        // A duplicated callback is the same event sent again: same body, its own event id in the journal.
        for (let copy = 0; copy <= (step.duplicates ?? 0); copy++) {
          this.dispatcher.send({
            eventId: `ev-${this.nextEvent++}`,
            accountId: message.accountId,
            messageId: message.id,
            // The application called back (its auth is restored from it after a restart); the body echoes the request's.
            applicationId: app?.id ?? message.applicationId,
            type: step.type,
            recipient,
            body,
            target,
            auth: app?.callbackAuth ?? { mode: 'none' },
            // Applications choose among sending/sent/delivered/failed; Bandwidth has no opt-out for RBM read receipts.
            requested: app ? step.type === CallbackType.read || app.callbackTypes.includes(step.type as never) : true,
            dropped: step.dropped,
            explanation: why,
          });
        }
        for (const observer of this.observers) observer.fired(message, recipient, index, steps);
        this.playStep(message, recipient, steps, index + 1, step.afterMs, app, target, explanation);
      },
      remaining,
      message.id,
    );
    this.chains.set(chainKey, { accountId: message.accountId, messageId: message.id, recipient, nextType: step.type, handle, app, target, explanation });
  }

  /** Watch plans and fired steps; returns the function that stops watching. */
  observe(observer: TimelineObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Continue a recipient's planned steps from `index`, that step `delayMs` emulated ms from now (a restored plan). */
  resumeOutbound(
    message: StoredMessage,
    recipient: string,
    steps: readonly PlannedStep[],
    index: number,
    delayMs: number,
    app: ApplicationConfig | undefined,
    explanation?: string,
  ): void {
    const step = steps[index];
    if (!step) return;
    const target = statusCallbackUrl(app);
    this.playStep(message, recipient, steps, index, step.afterMs - Math.max(0, delayMs), app, target, explanation);
  }

  /** A fresh event id (`ev-N`) for an event no timeline plays: the network's own auto-reply, journaled without a POST. */
  newEventId(): string {
    return `ev-${this.nextEvent++}`;
  }

  /** The number in the last event id handed out (`ev-N`), so a restarted emulator can continue after it. */
  get lastEventNumber(): number {
    return this.nextEvent - 1;
  }

  /** Never hand out event ids up to `ev-{last}` (they belong to restored journal entries). */
  reserveEventIds(last: number): void {
    this.nextEvent = Math.max(this.nextEvent, last + 1);
  }

  /**
   * Run `fn` after `afterMs` emulated ms, cancelled with the account's other pending steps (scenario replies); with
   * `messageId`, that message is kept in the store (not evicted) until then.
   */
  after(accountId: string, afterMs: number, fn: () => void, messageId?: string): void {
    this.later(accountId, afterMs, fn, 1, messageId);
  }

  /** Deliver a `message-received` for one owned recipient's copy, after `afterMs`. */
  playInbound(message: StoredMessage, app: ApplicationConfig | undefined, afterMs = 0): void {
    this.later(
      message.accountId,
      afterMs,
      () => {
        const at = this.clock.now();
        const type = inboundTypeOf(message);
        this.store.note(message, { at, what: type, recipient: message.owner });
        this.dispatcher.send({
          eventId: `ev-${this.nextEvent++}`,
          accountId: message.accountId,
          messageId: message.id,
          applicationId: message.applicationId,
          type,
          recipient: message.owner,
          body: [inboundEvent(message, at)],
          target: app?.inboundCallbackUrl ?? app?.callbackUrl,
          auth: app?.callbackAuth ?? { mode: 'none' },
          requested: true,
        });
      },
      1,
      message.id,
    );
  }

  /** Up to `limit` recipients whose planned steps have not all fired, with the next one's type: what idle() reports. */
  pendingChains(limit: number): Array<{ accountId: string; messageId: string; recipient: string; next: string }> {
    const out = [];
    for (const chain of this.chains.values()) {
      if (out.length >= limit) break;
      out.push({ accountId: chain.accountId, messageId: chain.messageId, recipient: chain.recipient, next: chain.nextType });
    }
    return out;
  }

  /** Steps scheduled but not yet fired (reported on close, never silently dropped). */
  get pendingSteps(): number {
    let count = 0;
    for (const handles of this.scheduled.values()) for (const { weight } of handles.values()) count += weight;
    return count;
  }

  /** Cancel the pending steps of one account, or of all; returns how many were cancelled. */
  cancel(accountId?: string): number {
    let count = 0;
    for (const [id, set] of this.scheduled) {
      if (accountId !== undefined && id !== accountId) continue;
      for (const [handle, { weight, messageId }] of set) {
        handle.cancel();
        if (messageId !== undefined) this.store.unpin(messageId);
        count += weight;
      }
      this.scheduled.delete(id);
    }
    for (const [key, chain] of this.chains) if (accountId === undefined || chain.accountId === accountId) this.chains.delete(key);
    return count;
  }

  /** Cancel everything pending for one message (its steps, reply, fallback note): it was withdrawn, never accepted. */
  cancelMessage(accountId: string, messageId: string): void {
    const handles = this.scheduled.get(accountId);
    for (const [handle, entry] of handles ?? []) {
      if (entry.messageId !== messageId) continue;
      handle.cancel();
      handles!.delete(handle);
      this.store.unpin(messageId);
    }
    for (const [key, chain] of this.chains) if (chain.messageId === messageId && chain.accountId === accountId) this.chains.delete(key);
  }

  private later(accountId: string, afterMs: number, fn: () => void, weight = 1, messageId?: string): Scheduled {
    let handles = this.scheduled.get(accountId);
    if (!handles) this.scheduled.set(accountId, (handles = new Map()));
    const own = handles;
    if (messageId !== undefined) this.store.pin(messageId);
    const handle = this.clock.schedule(() => {
      own.delete(handle);
      try {
        fn();
      } finally {
        // After fn: a next step it scheduled pinned the message again, so a chain holds it from start to end.
        if (messageId !== undefined) this.store.unpin(messageId);
      }
    }, afterMs);
    own.set(handle, messageId === undefined ? { weight } : { weight, messageId });
    return handle;
  }

  /**
   * Act as the carrier on one recipient of an outbound message: play a delivered or failed step now, sent like any
   * planned step (journaled, counted in the books), in place of its remaining scheduled steps. The act is in two
   * parts, so it can be taken back when the write it depends on fails: `finalize()` cancels the replaced steps
   * (call it once the act is durable); `undo()` restores the status and timeline and takes the event back before
   * its POST starts, leaving the steps as they were. `cancelled` is how many scheduled steps it replaces.
   */
  carrierAct(message: StoredMessage, recipient: string, outcome: CarrierOutcome, app: ApplicationConfig | undefined): CarrierAct {
    const key = `${message.id}\u0000${recipient}`;
    const chain = this.chains.get(key);
    const handles = chain && this.scheduled.get(chain.accountId);
    const entry = chain && handles?.get(chain.handle);
    const cancelled = entry?.weight ?? 0;
    // Told even without a chain here: persistence must drop any steps it still holds for this recipient.
    for (const observer of this.observers) observer.replaced?.(message, recipient);
    // A message whose chain already ended (or was planned before a restart of the chain map) still has a target.
    const target = chain ? chain.target : statusCallbackUrl(app);
    const explanation =
      `carrier action from the control API: ${outcome.type}${outcome.errorCode !== undefined ? ` ${outcome.errorCode}` : ''}` +
      (cancelled > 0 ? ` (replaced ${cancelled} scheduled step${cancelled === 1 ? '' : 's'})` : '');
    const at = this.clock.now();
    const row = message.recipients.find((r) => r.to === recipient);
    const rowBefore = row && { ...row };
    const timelineBefore = message.timeline.length;
    this.store.setStatus(message, recipient, STATUS_OF[outcome.type], outcome.errorCode ?? 0, at);
    this.store.note(message, {
      at,
      what: 'carrier',
      recipient,
      detail: { action: outcome.type, cancelledSteps: cancelled, ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}) },
    });
    this.store.note(message, { at, what: outcome.type, recipient, detail: outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : undefined });
    const failure = outcome.errorCode !== undefined ? { errorCode: outcome.errorCode, description: outcome.description } : undefined;
    const usedApp = chain ? chain.app : app;
    const withdraw = this.dispatcher.send(
      {
        eventId: `ev-${this.nextEvent++}`,
        accountId: message.accountId,
        messageId: message.id,
        applicationId: usedApp?.id ?? message.applicationId,
        type: outcome.type,
        recipient,
        body: [statusEvent(message, outcome.type, recipient, at, failure)],
        target,
        auth: usedApp?.callbackAuth ?? { mode: 'none' },
        requested: usedApp ? usedApp.callbackTypes.includes(outcome.type) : true,
        explanation,
      },
      { startLater: true },
    );
    return {
      cancelled,
      finalize: () => {
        if (!chain) return;
        handles?.delete(chain.handle);
        chain.handle.cancel();
        this.chains.delete(key);
        if (entry?.messageId !== undefined) this.store.unpin(entry.messageId);
      },
      undo: () => {
        withdraw();
        if (row && rowBefore) Object.assign(row, rowBefore);
        message.timeline.length = timelineBefore;
      },
    };
  }
}

/** A carrier act in two parts: `finalize()` once it is durable, or `undo()` when the write it depends on failed. */
export interface CarrierAct {
  cancelled: number;
  finalize(): void;
  undo(): void;
}

/** A final status the carrier console can force: delivered, or failed with a Bandwidth error code. */
export type CarrierOutcome =
  | { type: 'message-delivered'; errorCode?: undefined; description?: undefined }
  | { type: 'message-failed'; errorCode: number; description?: string };

interface PendingChain {
  accountId: string;
  messageId: string;
  recipient: string;
  /** The type of the step the chain waits to fire. */
  nextType: string;
  handle: Scheduled;
  app: ApplicationConfig | undefined;
  target: string | undefined;
  explanation: string | undefined;
}
