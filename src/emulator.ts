import { pino, type Logger } from 'pino';
import { AccountRegistry } from './accounts.js';
import { CallbackDispatcher, type DeliveryBooks } from './callbacks/dispatcher.js';
import { TimelinePlayer } from './callbacks/timeline.js';
import { createClock, type Clock } from './clock.js';
import type { EmulatorConfig } from './config/resolve.js';
import { newMessageId } from './ids.js';
import { planDefault } from './scenarios/plan.js';
import { countSegments } from './segments.js';
import { Journal } from './store/journal.js';
import { MessageStore, type StoredMessage } from './store/messages.js';

/** A create-message request that passed validation. */
export interface MessageRequest {
  applicationId: string;
  to: string[];
  from: string;
  text?: string;
  media?: string[];
  tag?: string;
  priority?: 'default' | 'high';
  expiration?: string;
}

/** A handset sending to one or more of our numbers. */
export interface InboundRequest {
  from: string;
  to: string[];
  text?: string;
  media?: string[];
  /** Limit routing to this account; otherwise each number's owning account receives it. */
  accountId?: string;
}

/** Thrown when an inbound message names none of the emulator's numbers. */
export class NoOwnedRecipientError extends Error {
  constructor(readonly to: readonly string[]) {
    super(`none of ${to.join(', ')} is a number of a configured account; send to one of the numbers in the config (accounts[].numbers)`);
    this.name = 'NoOwnedRecipientError';
  }
}

/** What close() found still pending: reported, never silently dropped. */
export interface CloseReport {
  stepsNotFired: number;
  callbacks: DeliveryBooks;
}

/** Options for an emulator beyond its config: a clock and a logger can be injected. */
export interface EmulatorOptions {
  clock?: Clock;
  logger?: Logger;
}

/** One emulator: its store, journal, callbacks and clock. No module-level state; several may run side by side. */
export class Emulator {
  readonly clock: Clock;
  readonly log: Logger;
  readonly accounts: AccountRegistry;
  readonly store: MessageStore;
  readonly journal: Journal;
  readonly dispatcher: CallbackDispatcher;
  readonly timeline: TimelinePlayer;
  private closing: Promise<CloseReport> | undefined;

  constructor(
    readonly config: EmulatorConfig,
    options: EmulatorOptions = {},
  ) {
    this.clock = options.clock ?? createClock({ scale: config.timeScale });
    this.log = options.logger ?? pino({ level: config.logLevel, base: undefined });
    this.accounts = new AccountRegistry(config, this.clock);
    this.store = new MessageStore(config.limits.maxMessages);
    this.journal = new Journal(config.limits.maxJournalEntries);
    this.dispatcher = new CallbackDispatcher(
      { timeoutMs: config.callbacks.timeoutMs, retryDelaysMs: config.callbacks.retryDelaysMs },
      this.clock,
      this.journal,
      this.log,
    );
    this.timeline = new TimelinePlayer(this.clock, this.store, this.dispatcher);
  }

  /** Accept a validated outbound message: store it (QUEUED), plan its callbacks, and return it for the 202. */
  acceptOutbound(accountId: string, request: MessageRequest): StoredMessage {
    const now = this.clock.now();
    const account = this.accounts.get(accountId);
    const app = account && this.accounts.application(account, request.applicationId);
    const sender = account && this.accounts.numberApplication(account, request.from);
    const message: StoredMessage = {
      id: newMessageId(now),
      accountId,
      direction: 'out',
      applicationId: request.applicationId,
      owner: request.from,
      from: request.from,
      to: request.to,
      text: request.text ?? '',
      media: request.media,
      tag: request.tag,
      priority: request.priority ?? 'default',
      expiration: request.expiration,
      time: now,
      segmentCount: countSegments(request),
      recipients: request.to.map((to) => ({ to, status: 'QUEUED', errorCode: 0, updatedAt: now })),
      timeline: [{ at: now, what: 'accepted' }],
    };
    this.store.add(message);
    const plan = planDefault(message, {
      applicationKnown: app !== undefined,
      fromOwned: sender !== undefined,
      deliveryDelayMs: this.config.callbacks.deliveryDelayMs,
      sendingDelayMs: this.config.callbacks.sendingDelayMs,
    });
    this.log.info({ messageId: message.id, accountId, to: message.to, plan: plan.explanation }, 'message accepted');
    this.timeline.playOutbound(message, plan, app);
    return message;
  }

  /** A handset sends a message: each owned recipient gets its own copy, id and `message-received` event. */
  inbound(request: InboundRequest): StoredMessage[] {
    const now = this.clock.now();
    const copies: StoredMessage[] = [];
    for (const number of new Set(request.to)) {
      const account = this.accounts.ownerOf(number, request.accountId);
      if (!account) continue;
      const app = this.accounts.numberApplication(account, number);
      const message: StoredMessage = {
        id: newMessageId(now),
        accountId: account.id,
        direction: 'in',
        applicationId: app?.id ?? '',
        owner: number,
        from: request.from,
        to: request.to,
        text: request.text ?? '',
        media: request.media,
        priority: 'default',
        time: now,
        segmentCount: countSegments(request),
        recipients: [{ to: number, status: 'RECEIVED', errorCode: 0, updatedAt: now }],
        timeline: [{ at: now, what: 'received' }],
      };
      this.store.add(message);
      this.timeline.playInbound(message, app);
      copies.push(message);
    }
    if (copies.length === 0) throw new NoOwnedRecipientError(request.to);
    return copies;
  }

  /** Forget messages, journal entries and pending steps: all of them, or one account's. */
  reset(accountId?: string): void {
    this.timeline.cancel(accountId);
    this.store.clear(accountId);
    this.journal.clear(accountId);
  }

  /** Cancel every timer and in-flight callback; report what was still pending. Safe to call twice. */
  close(): Promise<CloseReport> {
    this.closing ??= (async () => {
      const stepsNotFired = this.timeline.cancel();
      this.clock.cancelAll();
      const callbacks = await this.dispatcher.close();
      this.journal.close();
      if (stepsNotFired > 0 || callbacks.cancelled > 0) {
        this.log.warn({ stepsNotFired, callbacksCancelled: callbacks.cancelled }, 'closed with events still pending');
      }
      return { stepsNotFired, callbacks };
    })();
    return this.closing;
  }
}

/** Make an emulator from a resolved config. */
export function createEmulator(config: EmulatorConfig, options: EmulatorOptions = {}): Emulator {
  return new Emulator(config, options);
}
