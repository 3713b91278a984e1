import { Type, type Static } from 'typebox';

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

/** One recipient's state: outbound messages have one per `to` entry, inbound ones a single row for the owner. */
const RecipientStateSchema = Type.Object({ to: Type.String(), status: MessageStatusSchema, errorCode: Type.Integer(), updatedAt: Type.Number({ description: 'epoch ms' }) });

/** A step in a message's story, for the control API and the inbox. */
const TimelineEntrySchema = Type.Object({
  at: Type.Number({ description: 'epoch ms' }),
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
const ChannelListItemSchema = Type.Object({ from: Type.String(), applicationId: Type.String(), channel: ChannelSchema, content: Type.Record(Type.String(), Type.Unknown()) });
/** One entry of a multichannel request's `channelList`, as sent (content kept verbatim). */
export type ChannelListItem = Static<typeof ChannelListItemSchema>;

/** An RBM suggestion response: the tapped suggestion's text and postback data, and the message it answered. */
export const SuggestionResponseSchema = Type.Object({ text: Type.String(), postbackData: Type.String(), pairedMessageId: Type.Optional(Type.Union([Type.String(), Type.Null()])) });
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
  time: Type.Number({ description: 'acceptance (outbound) or receipt (inbound) time, epoch ms' }),
  segmentCount: Type.Integer({ minimum: 0 }),
  recipients: Type.Array(RecipientStateSchema),
  timeline: Type.Array(TimelineEntrySchema),
  channel: Type.Optional(ChannelSchema),
  channelList: Type.Optional(Type.Array(ChannelListItemSchema)),
  suggestionResponse: Type.Optional(SuggestionResponseSchema),
  locationResponse: Type.Optional(LocationResponseSchema),
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

/** Messages per account, capped overall with oldest-first eviction that is counted. */
export class MessageStore {
  private readonly listeners = new Set<(change: MessageChange) => void>();
  private readonly noteListeners = new Set<(message: StoredMessage) => void>();
  private readonly byAccount = new Map<string, Map<string, StoredMessage>>();
  // Message id → account, across all accounts.
  private readonly order = new Map<string, string>();
  // Ids in arrival order from arrivalsHead on (some may be cleared already): eviction takes the oldest without
  // iterating `order` from its start, which walks over the holes that deleting at the front leaves in a Map.
  private arrivals: string[] = [];
  private arrivalsHead = 0;
  private evictedCount = 0;

  constructor(private readonly maxMessages: number) {}

  /** Store a message, evicting the oldest ones beyond the cap. */
  add(message: StoredMessage): void {
    let account = this.byAccount.get(message.accountId);
    if (!account) this.byAccount.set(message.accountId, (account = new Map()));
    account.set(message.id, message);
    this.order.set(message.id, message.accountId);
    this.arrivals.push(message.id);
    while (this.order.size > this.maxMessages) {
      const oldestId = this.arrivals[this.arrivalsHead++]!;
      const accountId = this.order.get(oldestId);
      if (accountId === undefined) continue; // cleared with its account already
      this.order.delete(oldestId);
      this.byAccount.get(accountId)?.delete(oldestId);
      this.evictedCount++;
    }
    this.compactArrivals();
    this.emit({ kind: 'added', message });
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
      this.arrivals = [];
      this.arrivalsHead = 0;
      return;
    }
    for (const id of this.byAccount.get(accountId)?.keys() ?? []) this.order.delete(id);
    this.byAccount.delete(accountId);
  }

  /** Sizes and evictions, for health and metrics. */
  stats(): { messages: number; evicted: number; cap: number } {
    return { messages: this.order.size, evicted: this.evictedCount, cap: this.maxMessages };
  }
}
