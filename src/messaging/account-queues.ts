import type { Clock } from '../clock.js';
import type { SenderRegistration } from '../scenarios/matcher.js';
import type { MessageStore, StoredMessage } from '../store/messages.js';
import { AccountQueue, type Offered, type QueueHandlers, type QueueItem, type QueueRefusal } from './account-queue.js';
import type { CallbackRoute } from './callback-routing.js';
import type { SenderLimit } from './throughput.js';
import type { TrafficControl } from './traffic-settings.js';

/** What an outbound message that waits needs when it leaves: where its callbacks go, its from number's registration. */
export interface QueuedSend {
  route: CallbackRoute;
  sender?: SenderRegistration;
}

/** A message waiting in an account queue, as the queue holds it. */
export type QueuedMessage = QueueItem<QueuedSend>;

/**
 * Whether a stored message is waiting in an account queue by its own record: an outbound message noted `queued` and
 * not `dequeued` since. What a restart (data dir) or an imported state document puts back in the queue.
 */
export function waitsInQueue(message: StoredMessage): boolean {
  if (message.direction !== 'out') return false;
  let waiting = false;
  for (const entry of message.timeline) {
    if (entry.what === 'queued') waiting = true;
    else if (entry.what === 'dequeued') waiting = false;
  }
  return waiting;
}

/**
 * The account queues of one emulator (production profile, README "Throughput and the queue"): one AccountQueue per
 * account that sent under throughput, the emulator-wide count cap (a waiting message is pinned in the message
 * store, so never more wait than `limits.maxMessages`), the pins, and what a change of the traffic settings does: an
 * account whose throughput is switched off at run time has everything that waits released at once.
 */
export class AccountQueues {
  // One per account that sent under throughput; removed by the account's reset (accounts are bounded by the registry).
  private readonly queues = new Map<string, AccountQueue<QueuedSend>>();
  private waiting = 0;
  private handlers: QueueHandlers<QueuedSend> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly store: Pick<MessageStore, 'pin' | 'unpin'>,
    private readonly traffic: TrafficControl,
    private readonly maxMessages: number,
  ) {
    traffic.onChange((accountId) => this.settingsChanged(accountId));
  }

  /** Who sends a message that leaves the queue (the outbound use case, once). */
  handle(handlers: QueueHandlers<QueuedSend>): void {
    this.handlers = handlers;
  }

  /** Whether a message of `cost` segments from `limit` may be accepted for the account now, else the 429's figures. */
  admit(accountId: string, cost: number, limit: SenderLimit): QueueRefusal | undefined {
    return this.queueOf(accountId).admit(cost, limit, this.waiting, this.maxMessages);
  }

  /** Offer a stored message: it goes now (the caller sends it) or waits, pinned in the store, until it leaves. */
  offer(accountId: string, item: QueuedMessage, waitedMs = 0): Offered {
    const offered = this.queueOf(accountId).offer(item, waitedMs);
    if (offered.queued) this.store.pin(item.message.id);
    return offered;
  }

  /** Take a waiting message out unsent (its request was withdrawn: the commit failed). */
  withdraw(message: StoredMessage): void {
    if (this.queues.get(message.accountId)?.withdraw(message.id)) this.store.unpin(message.id);
  }

  /** Forget what waits in one account's queue, or in all (a reset, close): returns how many recipients waited. */
  cancel(accountId?: string): number {
    let recipients = 0;
    for (const [id, queue] of this.queues) {
      if (accountId !== undefined && id !== accountId) continue;
      recipients += queue.recipients;
      for (const item of queue.cancel()) this.store.unpin(item.message.id);
      this.queues.delete(id);
    }
    return recipients;
  }

  /** Messages and recipients waiting in every queue. */
  stats(): { messages: number; recipients: number } {
    let recipients = 0;
    for (const queue of this.queues.values()) recipients += queue.recipients;
    return { messages: this.waiting, recipients };
  }

  /** What waits in one account's queue (the control API's read-only view): counts and the oldest arrival. */
  accountStats(accountId: string): { messages: number; segments: number; recipients: number; oldestSince?: number } {
    const queue = this.queues.get(accountId);
    if (!queue) return { messages: 0, segments: 0, recipients: 0 };
    const oldestSince = queue.oldestSince();
    return { messages: queue.messages, segments: queue.segments, recipients: queue.recipients, ...(oldestSince === undefined ? {} : { oldestSince }) };
  }

  /** Up to `limit` waiting messages (what pending() names). */
  some(limit: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const queue of this.queues.values()) {
      if (out.length >= limit) break;
      out.push(...queue.peek(limit - out.length));
    }
    return out;
  }

  /** Every waiting message of every account, in each queue's order (persistence writes them). */
  items(): QueuedMessage[] {
    return [...this.queues.values()].flatMap((queue) => queue.items());
  }

  private queueOf(accountId: string): AccountQueue<QueuedSend> {
    let queue = this.queues.get(accountId);
    if (!queue) {
      queue = new AccountQueue<QueuedSend>({
        clock: this.clock,
        settings: () => this.traffic.for(accountId),
        counted: (delta) => {
          this.waiting += delta;
        },
        handlers: {
          // The message is unpinned after its plan is played (which pins it again), so it is never evictable between.
          release: (item, waitedMs) => {
            try {
              this.handlers?.release(item, waitedMs);
            } finally {
              this.store.unpin(item.message.id);
            }
          },
          expire: (item, waitedMs) => {
            try {
              this.handlers?.expire(item, waitedMs);
            } finally {
              this.store.unpin(item.message.id);
            }
          },
        },
      });
      this.queues.set(accountId, queue);
    }
    return queue;
  }

  // Throughput switched off (globally, or for one account): what waits there leaves at once, in queue order, and the
  // limiters are forgotten (switched on again, the account starts with free limiters).
  private settingsChanged(accountId: string | undefined): void {
    for (const [id, queue] of this.queues) {
      if (accountId !== undefined && id !== accountId) continue;
      if (this.traffic.for(id).throughput) continue;
      this.queues.delete(id);
      queue.releaseAll();
    }
  }
}
