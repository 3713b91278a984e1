import type { Clock, Scheduled } from '../clock.js';
import type { ApplicationConfig } from '../config/resolve.js';
import type { OutboundPlan, PlannedStep } from '../scenarios/plan.js';
import type { MessageStatus, MessageStore, StoredMessage } from '../store/messages.js';
import type { CallbackDispatcher } from './dispatcher.js';
import { CallbackType, inboundEvent, statusEvent, type StatusType } from './payloads.js';

const STATUS_OF: Record<StatusType, MessageStatus> = {
  'message-sending': 'SENDING',
  'message-delivered': 'DELIVERED',
  'message-failed': 'FAILED',
};

/** Observes outbound timelines (persistence): each recipient's plan when made, and each step as it fires. */
export interface TimelineObserver {
  planned(message: StoredMessage, recipient: string, steps: readonly PlannedStep[], explanation: string | undefined): void;
  fired(message: StoredMessage, recipient: string, index: number, steps: readonly PlannedStep[]): void;
}

/** Plays planned timelines: at each step it moves the stored status and hands the event to the dispatcher. */
export class TimelinePlayer {
  private nextEvent = 1;
  // Per account, so a reset of one account cancels only its own pending steps.
  // Each handle counts the steps it stands for: a recipient's chain is one timer for all its remaining steps.
  private readonly scheduled = new Map<string, Map<Scheduled, number>>();
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
    const target = app?.outboundCallbackUrl ?? app?.callbackUrl ?? app?.inboundCallbackUrl;
    for (const observer of this.observers) for (const [recipient, steps] of plan.steps) observer.planned(message, recipient, steps, plan.explanations.get(recipient));
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
    // Without an outbound URL Bandwidth is in single-URL mode: status events go to the inbound URL too (reference §8.2).
    target: string | undefined,
    explanation: string | undefined,
  ): void {
    const step = steps[index];
    if (!step) return;
    const remaining = steps.length - index;
    this.later(
      message.accountId,
      step.afterMs - elapsedMs,
      () => {
        const at = this.clock.now();
        this.store.setStatus(message, recipient, STATUS_OF[step.type], step.errorCode ?? 0, at);
        this.store.note(message, { at, what: step.type, recipient, detail: step.errorCode ? { errorCode: step.errorCode } : undefined });
        const failure = step.errorCode !== undefined ? { errorCode: step.errorCode, description: step.description } : undefined;
        const body = [statusEvent(message, step.type, recipient, at, failure)];
        // A duplicated callback is the same event sent again: same body, its own event id in the journal.
        for (let copy = 0; copy <= (step.duplicates ?? 0); copy++) {
          this.dispatcher.send({
            eventId: `ev-${this.nextEvent++}`,
            accountId: message.accountId,
            messageId: message.id,
            applicationId: message.applicationId,
            type: step.type,
            recipient,
            body,
            target,
            auth: app?.callbackAuth ?? { mode: 'none' },
            requested: app ? app.callbackTypes.includes(step.type) : true,
            dropped: step.dropped,
            explanation,
          });
        }
        for (const observer of this.observers) observer.fired(message, recipient, index, steps);
        this.playStep(message, recipient, steps, index + 1, step.afterMs, app, target, explanation);
      },
      remaining,
    );
  }

  /** Watch plans and fired steps; returns the function that stops watching. */
  observe(observer: TimelineObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Continue a recipient's planned steps from `index`, that step `delayMs` emulated ms from now (a restored plan). */
  resumeOutbound(message: StoredMessage, recipient: string, steps: readonly PlannedStep[], index: number, delayMs: number, app: ApplicationConfig | undefined, explanation?: string): void {
    const step = steps[index];
    if (!step) return;
    const target = app?.outboundCallbackUrl ?? app?.callbackUrl ?? app?.inboundCallbackUrl;
    this.playStep(message, recipient, steps, index, step.afterMs - Math.max(0, delayMs), app, target, explanation);
  }

  /** The number in the last event id handed out (`ev-N`), so a restarted emulator can continue after it. */
  get lastEventNumber(): number {
    return this.nextEvent - 1;
  }

  /** Never hand out event ids up to `ev-{last}` (they belong to restored journal entries). */
  reserveEventIds(last: number): void {
    this.nextEvent = Math.max(this.nextEvent, last + 1);
  }

  /** Run `fn` after `afterMs` emulated ms, cancelled with the account's other pending steps (scenario replies). */
  after(accountId: string, afterMs: number, fn: () => void): void {
    this.later(accountId, afterMs, fn);
  }

  /** Deliver a `message-received` for one owned recipient's copy, after `afterMs`. */
  playInbound(message: StoredMessage, app: ApplicationConfig | undefined, afterMs = 0): void {
    this.later(message.accountId, afterMs, () => {
      const at = this.clock.now();
      this.store.note(message, { at, what: CallbackType.received, recipient: message.owner });
      this.dispatcher.send({
        eventId: `ev-${this.nextEvent++}`,
        accountId: message.accountId,
        messageId: message.id,
        applicationId: message.applicationId,
        type: CallbackType.received,
        recipient: message.owner,
        body: [inboundEvent(message, at)],
        target: app?.inboundCallbackUrl ?? app?.callbackUrl,
        auth: app?.callbackAuth ?? { mode: 'none' },
        requested: true,
      });
    });
  }

  /** Steps scheduled but not yet fired (reported on close, never silently dropped). */
  get pendingSteps(): number {
    let count = 0;
    for (const handles of this.scheduled.values()) for (const weight of handles.values()) count += weight;
    return count;
  }

  /** Cancel the pending steps of one account, or of all; returns how many were cancelled. */
  cancel(accountId?: string): number {
    let count = 0;
    for (const [id, set] of this.scheduled) {
      if (accountId !== undefined && id !== accountId) continue;
      for (const [handle, weight] of set) {
        handle.cancel();
        count += weight;
      }
      this.scheduled.delete(id);
    }
    return count;
  }

  private later(accountId: string, afterMs: number, fn: () => void, weight = 1): void {
    let handles = this.scheduled.get(accountId);
    if (!handles) this.scheduled.set(accountId, (handles = new Map()));
    const own = handles;
    const handle = this.clock.schedule(() => {
      own.delete(handle);
      fn();
    }, afterMs);
    own.set(handle, weight);
  }
}
