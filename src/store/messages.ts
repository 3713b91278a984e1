import { Type, type Static } from 'typebox';
import { Count, EpochMs, SafeInteger } from '../validation/bounds.js';

// Each shape is defined once, as a TypeBox schema with its type beside it: persistence checks documents against the
// same schemas the code is typed by, so the two cannot drift.

/** Bandwidth's message statuses as the search API reports them. */
const MessageStatusSchema = Type.Union([
  Type.Literal('RECEIVED'),
  Type.Literal('QUEUED'),
  Type.Literal('SENDING'),
  Type.Literal('SENT'),
  Type.Literal('FAILED'),
  Type.Literal('DELIVERED'),
  Type.Literal('ACCEPTED'),
  Type.Literal('UNDELIVERED'),
]);
/** Bandwidth's message statuses as the search API reports them. */
export type MessageStatus = Static<typeof MessageStatusSchema>;

const NullableText = (description: string) => Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()], { description }));

/**
 * One recipient's state: outbound messages have one per `to` entry, inbound ones a single row for the owner. The
 * carrier and country of the handset's number (the recipient of an outbound message, the sender of an inbound one)
 * are fixed when the message is accepted; absent in messages stored before they were recorded (read as null).
 */
const RecipientStateSchema = Type.Object({
  to: Type.String(),
  status: MessageStatusSchema,
  errorCode: SafeInteger(),
  updatedAt: EpochMs(),
  carrierName: NullableText("the carrier of the handset's number (the config's carriers), null when no range covers it"),
  calledNumberCountryA3: NullableText('the ISO 3166-1 alpha-3 country of the called number (this recipient)'),
});

/**
 * What Bandwidth fills in from provisioning when a message is sent, kept with the message so that a later change of
 * the number's registration does not rewrite its history: the search row's product, location and campaign, the
 * calling number's country, and whether the account's callbacks carry carrierName (its feature at that moment).
 */
const MessageProvisioningSchema = Type.Object({
  product: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  location: Type.Union([Type.String({ maxLength: 256 }), Type.Null()]),
  campaignClass: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  campaignId: Type.Union([Type.String({ maxLength: 256 }), Type.Null()]),
  callingNumberCountryA3: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
  carrierNameOnCallbacks: Type.Boolean(),
});

/** A step in a message's story, for the control API and the inbox. */
const TimelineEntrySchema = Type.Object({
  at: EpochMs(),
  what: Type.String(),
  recipient: Type.Optional(Type.String()),
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
/** A step in a message's story, for the control API and the inbox. */
export type TimelineEntry = Static<typeof TimelineEntrySchema>;

/** A multichannel (beta) channel: RCS Business Messaging, SMS or MMS. */
const ChannelSchema = Type.Union([Type.Literal('RBM'), Type.Literal('SMS'), Type.Literal('MMS')]);
/** A multichannel (beta) channel: RCS Business Messaging, SMS or MMS. */
export type Channel = Static<typeof ChannelSchema>;

/** One entry of a multichannel request's `channelList`, as sent (content kept verbatim). */
const ChannelListItemSchema = Type.Object({
  from: Type.String(),
  applicationId: Type.String(),
  channel: ChannelSchema,
  content: Type.Record(Type.String(), Type.Unknown()),
});
/** One entry of a multichannel request's `channelList`, as sent (content kept verbatim). */
export type ChannelListItem = Static<typeof ChannelListItemSchema>;

/** An RBM suggestion response: the tapped suggestion's text and postback data, and the message it answered. */
export const SuggestionResponseSchema = Type.Object({
  text: Type.String(),
  postbackData: Type.String(),
  pairedMessageId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
/** An RBM suggestion response: the tapped suggestion's text and postback data, and the message it answered. */
export type SuggestionResponse = Static<typeof SuggestionResponseSchema>;

/** An RBM requested-location response (strings, as Bandwidth sends them). */
export const LocationResponseSchema = Type.Object({ latitude: Type.String(), longitude: Type.String() });
/** An RBM requested-location response (strings, as Bandwidth sends them). */
export type LocationResponse = Static<typeof LocationResponseSchema>;

/**
 * A message as the emulator keeps it (outbound as accepted, inbound as received). A multichannel message is one
 * StoredMessage: `channelList` holds the request's fallback list, `channel` the channel in use, and `from`, `owner`,
 * `applicationId`, `text` and `media` are that channel's (so search, the control API and callbacks show what was sent).
 */
export const StoredMessageSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  accountId: Type.String({ minLength: 1 }),
  direction: Type.Union([Type.Literal('out'), Type.Literal('in')]),
  applicationId: Type.String(),
  owner: Type.String(),
  from: Type.String(),
  to: Type.Array(Type.String()),
  text: Type.String(),
  media: Type.Optional(Type.Array(Type.String())),
  tag: Type.Optional(Type.String()),
  priority: Type.Union([Type.Literal('default'), Type.Literal('high')]),
  expiration: Type.Optional(Type.String()),
  time: EpochMs('acceptance (outbound) or receipt (inbound) time, epoch ms'),
  segmentCount: Count(),
  recipients: Type.Array(RecipientStateSchema),
  timeline: Type.Array(TimelineEntrySchema),
  channel: Type.Optional(ChannelSchema),
  channelList: Type.Optional(Type.Array(ChannelListItemSchema)),
  suggestionResponse: Type.Optional(SuggestionResponseSchema),
  locationResponse: Type.Optional(LocationResponseSchema),
  callbackApplicationId: Type.Optional(
    Type.String({ description: "outbound: the application whose callback URL gets the status callbacks, when not applicationId (the from number's)" }),
  ),
  provisioning: Type.Optional(MessageProvisioningSchema),
  network: Type.Optional(
    Type.Literal('opt-out-auto-reply', {
      description:
        "sent by Bandwidth's network, not by the application: the toll-free network's answer to STOP, UNSTOP or START (no callbacks, not in the search API)",
    }),
  ),
});
/** A message as the emulator keeps it; see StoredMessageSchema. */
export type StoredMessage = Static<typeof StoredMessageSchema>;

// A message's timeline is for reading, not an unbounded log: a message that loops on retries stops growing here.
const MAX_TIMELINE = 200;

/** A change to a stored message, for event streams. */
export interface MessageChange {
  kind: 'added' | 'status';
  message: StoredMessage;
  recipient?: string;
}

/**
 * Messages per account, capped overall with oldest-first eviction that is counted. A message with pending work
 * (planned steps, a message-received, a scripted reply: see pin()) is not evicted until that work settles: it is held
 * over the cap meanwhile (counted in stats().held) and evicted when its last pin is released, so the search API, the
 * data dir and a restart never lose a message whose callbacks are still to come.
 */
export class MessageStore {
  private readonly listeners = new Set<(change: MessageChange) => void>();
  private readonly noteListeners = new Set<(message: StoredMessage) => void>();
  private readonly evictionListeners = new Set<(message: StoredMessage) => void>();
  // Message id → how many pending work items hold it.
  private pins = new Map<string, number>();
  // Ids the cap would have evicted, kept for their pending work: the oldest messages, in eviction order.
  private held = new Set<string>();
  // Messages taken back because the write their answer depended on failed (their late timers must not play).
  private readonly withdrawn = new WeakSet<StoredMessage>();
  private byAccount = new Map<string, Map<string, StoredMessage>>();
  // Message id → account, across all accounts.
  private order = new Map<string, string>();
  // Ids in arrival order from arrivalsHead on (some may be cleared already): eviction takes the oldest without
  // iterating `order` from its start, which walks over the holes that deleting at the front leaves in a Map.
  private arrivals: string[] = [];
  private arrivalsHead = 0;
  private evictedCount = 0;

  constructor(private readonly maxMessages: number) {}

  /** Store a message, evicting the oldest ones beyond the cap (those with pending work are held instead). */
  add(message: StoredMessage): void {
    let account = this.byAccount.get(message.accountId);
    if (!account) this.byAccount.set(message.accountId, (account = new Map()));
    account.set(message.id, message);
    this.order.set(message.id, message.accountId);
    this.arrivals.push(message.id);
    while (this.order.size - this.held.size > this.maxMessages) {
      const oldestId = this.arrivals[this.arrivalsHead++]!;
      if (!this.order.has(oldestId)) continue; // cleared with its account already
      if (this.pins.has(oldestId)) this.held.add(oldestId);
      else this.evict(oldestId);
    }
    this.compactArrivals();
    this.emit({ kind: 'added', message });
  }

  private evict(id: string): void {
    const accountId = this.order.get(id)!;
    const account = this.byAccount.get(accountId);
    const message = account?.get(id);
    this.order.delete(id);
    account?.delete(id);
    this.evictedCount++;
    if (message) for (const listener of this.evictionListeners) listener(message);
  }

  /** Hold a stored message against eviction while a pending work item needs it; release it with unpin(). */
  pin(id: string): void {
    if (this.order.has(id)) this.pins.set(id, (this.pins.get(id) ?? 0) + 1);
  }

  /** Release one pin; a message held over the cap is evicted with its last one (or queued oldest, if under the cap again). */
  unpin(id: string): void {
    const count = this.pins.get(id);
    if (count === undefined) return;
    if (count > 1) {
      this.pins.set(id, count - 1);
      return;
    }
    this.pins.delete(id);
    if (!this.held.delete(id)) return;
    if (this.order.size - this.held.size > this.maxMessages) this.evict(id);
    else if (this.arrivalsHead > 0) this.arrivals[--this.arrivalsHead] = id;
    else this.arrivals.unshift(id);
  }

  /** Call `listener` with each message the cap evicts (persistence deletes its row); returns the unsubscribe function. */
  subscribeEvictions(listener: (message: StoredMessage) => void): () => void {
    this.evictionListeners.add(listener);
    return () => this.evictionListeners.delete(listener);
  }

  /**
   * Take back a message just added, without a trace: the write its answer depended on failed, so it was never
   * accepted (nothing is announced; persistence rolled it back already).
   */
  withdraw(message: StoredMessage): void {
    if (this.get(message.accountId, message.id) !== message) return;
    this.order.delete(message.id);
    this.byAccount.get(message.accountId)?.delete(message.id);
    this.pins.delete(message.id);
    this.held.delete(message.id);
    this.withdrawn.add(message);
  }

  /** True for a message taken back with withdraw(): work started for it before (a media fetch) must not play. */
  wasWithdrawn(message: StoredMessage): boolean {
    return this.withdrawn.has(message);
  }

  // Drop the consumed front, and the ids of cleared messages once they are most of the queue (bounded memory).
  private compactArrivals(): void {
    if (this.arrivalsHead > 1024 && this.arrivalsHead * 2 > this.arrivals.length) {
      this.arrivals = this.arrivals.slice(this.arrivalsHead);
      this.arrivalsHead = 0;
    }
    if (this.arrivals.length - this.arrivalsHead > 2 * this.order.size + 1024) {
      this.arrivals = this.arrivals.slice(this.arrivalsHead).filter((id) => this.order.has(id));
      this.arrivalsHead = 0;
    }
  }

  /**
   * Take over the messages of a store filled aside (an import built before anything was replaced); this store was
   * just cleared. Each one is announced as added, as if stored one by one.
   */
  adopt(other: MessageStore): void {
    this.byAccount = other.byAccount;
    this.order = other.order;
    this.arrivals = other.arrivals;
    this.arrivalsHead = other.arrivalsHead;
    this.pins = other.pins;
    this.held = other.held;
    this.evictedCount += other.evictedCount;
    for (const account of this.byAccount.values()) for (const message of account.values()) this.emit({ kind: 'added', message });
  }

  /** Call `listener` on every added message and status change; returns the unsubscribe function. */
  subscribe(listener: (change: MessageChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: MessageChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** One message of an account, if still stored. */
  get(accountId: string, id: string): StoredMessage | undefined {
    return this.byAccount.get(accountId)?.get(id);
  }

  /** A message by id across accounts (ids are unique), for the control API. */
  find(id: string): StoredMessage | undefined {
    const accountId = this.order.get(id);
    return accountId === undefined ? undefined : this.get(accountId, id);
  }

  /** An account's messages, oldest first. */
  list(accountId: string): Iterable<StoredMessage> {
    return this.byAccount.get(accountId)?.values() ?? [];
  }

  /** Every account that has messages. */
  accounts(): string[] {
    return [...this.byAccount.keys()];
  }

  /** Move one recipient to a new status (the search API follows callback events). */
  setStatus(message: StoredMessage, recipient: string, status: MessageStatus, errorCode = 0, at = Date.now()): void {
    const row = message.recipients.find((r) => r.to === recipient);
    if (!row) return;
    row.status = status;
    row.errorCode = errorCode;
    row.updatedAt = at;
    this.emit({ kind: 'status', message, recipient });
  }

  /** Append to a message's timeline (bounded). */
  note(message: StoredMessage, entry: TimelineEntry): void {
    if (message.timeline.length < MAX_TIMELINE) message.timeline.push(entry);
    for (const listener of this.noteListeners) listener(message);
  }

  /** Call `listener` after a timeline entry is appended (persistence); returns the unsubscribe function. */
  subscribeNotes(listener: (message: StoredMessage) => void): () => void {
    this.noteListeners.add(listener);
    return () => this.noteListeners.delete(listener);
  }

  /** Forget every message, or one account's. */
  clear(accountId?: string): void {
    if (accountId === undefined) {
      this.byAccount.clear();
      this.order.clear();
      this.pins.clear();
      this.held.clear();
      this.arrivals = [];
      this.arrivalsHead = 0;
      return;
    }
    for (const id of this.byAccount.get(accountId)?.keys() ?? []) {
      this.order.delete(id);
      this.pins.delete(id);
      this.held.delete(id);
    }
    this.byAccount.delete(accountId);
  }

  /** Sizes and evictions, for health and metrics; `held` is how many messages are over the cap for their pending work. */
  stats(): { messages: number; evicted: number; cap: number; held: number } {
    return { messages: this.order.size, evicted: this.evictedCount, cap: this.maxMessages, held: this.held.size };
  }
}
