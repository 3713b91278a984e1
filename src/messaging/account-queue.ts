import type { Clock, Scheduled } from '../clock.js';
import type { TrafficSettings } from '../config/traffic.js';
import type { StoredMessage } from '../store/messages.js';
import { MinHeap } from '../min-heap.js';
import { busyMs, queueCapacity, queueFigures, type QueueFigures, type SenderLimit } from './throughput.js';

// The account queue of the production profile (README "Throughput and the queue"): messages above the rates wait
// here, high priority ahead of default, and leave when the account's limiter and their from number's limiter are
// both free. Bandwidth: "by default Bandwidth queues messages (segments) internally ... The default queue depth is a
// 15-minute queue across your entire account" (https://support.bandwidth.com/hc/en-us/articles/360014275073).
//
// How it is built, per account:
// - a limiter is a time it is free again ("free at"): sending `cost` segments at rate r keeps it busy cost/r seconds;
// - the waiting messages are grouped by their from number's limiter (a number, or a campaign's numbers); each group
//   keeps two FIFO lists (high, default) as linked lists, so a message whose expiration passes leaves in O(1);
// - groups whose limiter is free wait in a heap by their head (high first, then arrival), the others in a heap by
//   when their limiter is free; one clock task is armed for the next moment something can leave. Each message costs
//   O(log g) for g groups with waiting messages (g <= n), and one clock task when it expires.
//
// Time: the limiters count emulated milliseconds. The clock's now() is real time and only its delays are scaled
// (timeScale) or run early (flush), so the queue keeps its own emulated time: it advances exactly to each of its own
// tasks when they fire, and between them by real time divided by the scale, never past its next task. That makes the
// waits exact on the emulated clock at any time scale and under time/flush.

/** One message waiting: what the queue orders, times and releases it by, and what its releaser needs (`context`). */
export interface QueueItem<C> {
  message: StoredMessage;
  /** Segments: segmentCount per recipient. */
  cost: number;
  limit: SenderLimit;
  /** Ahead of default messages (priority high, where Bandwidth honours it). */
  high: boolean;
  context: C;
}

/** What the owner of the queue does when a message leaves it (`waitedMs`: emulated ms it waited). */
export interface QueueHandlers<C> {
  release(item: QueueItem<C>, waitedMs: number): void;
  /** Its expiration passed while it waited: it left the queue without being sent. */
  expire(item: QueueItem<C>, waitedMs: number): void;
}

/** Why a create cannot wait in the queue: the 429's figures and its Retry-After. */
export interface QueueRefusal {
  /** The queue is full of segments, or holds as many messages as the store may keep (limits.maxMessages). */
  why: 'segments' | 'messages';
  figures: QueueFigures;
  retryAfterSeconds: number;
  /** In words, for the refusal log. */
  reason: string;
}

/** How a message offered to the queue goes: at once (the limiters were free), or it waits (and why). */
export type Offered = { queued: false } | { queued: true; reason: string; aheadSegments: number };

interface Lane<C> {
  head?: QueueNode<C>;
  tail?: QueueNode<C>;
}

interface QueueNode<C> {
  item: QueueItem<C>;
  seq: number;
  /** Emulated time it joined the queue. */
  since: number;
  lane: Lane<C>;
  group: Group<C>;
  prev?: QueueNode<C>;
  next?: QueueNode<C>;
  /** Emulated time its expiration passes, if it has one. */
  expiresAt?: number;
  /** Still in its lane (false once released, expired, withdrawn or cancelled). */
  waiting: boolean;
}

interface Group<C> {
  key: string;
  rate?: number;
  what: string;
  freeAt: number;
  high: Lane<C>;
  normal: Lane<C>;
  /** Bumped whenever the group's place in a heap changes: an entry of another version is stale and skipped. */
  version: number;
}

interface HeapEntry<C> {
  group: Group<C>;
  version: number;
  /** Ready heap: 0 for a high head, 1 for a default head. Blocked heap: unused. */
  rank: number;
  /** Ready heap: the head's arrival. Blocked heap: the group's free-at time. */
  order: number;
}

function pushLane<C>(lane: Lane<C>, node: QueueNode<C>): void {
  node.prev = lane.tail;
  node.next = undefined;
  if (lane.tail) lane.tail.next = node;
  else lane.head = node;
  lane.tail = node;
}

function removeFromLane<C>(node: QueueNode<C>): void {
  const { lane } = node;
  if (node.prev) node.prev.next = node.next;
  else lane.head = node.next;
  if (node.next) node.next.prev = node.prev;
  else lane.tail = node.prev;
  node.prev = node.next = undefined;
}

const headOf = <C>(group: Group<C>): QueueNode<C> | undefined => group.high.head ?? group.normal.head;
const stale = <C>(entry: HeapEntry<C>) => entry.version !== entry.group.version;
const byHead = <C>(a: HeapEntry<C>, b: HeapEntry<C>) => a.rank < b.rank || (a.rank === b.rank && a.order < b.order);
const byFreeAt = <C>(a: HeapEntry<C>, b: HeapEntry<C>) => a.order < b.order;

/** What one account queue needs from the emulator. */
interface QueueEnvironment<C> {
  clock: Clock;
  handlers: QueueHandlers<C>;
  /** The account's traffic settings now (rates may change at run time). */
  settings(): TrafficSettings;
  /** The emulator-wide count of waiting messages changed by `delta` (the count cap is across accounts). */
  counted(delta: number): void;
}

/** One account's queue: its limiters, its waiting messages, its emulated time. */
export class AccountQueue<C> {
  private readonly groups = new Map<string, Group<C>>();
  // By message id, for a withdrawal (and bounded like the queue: one entry per waiting message).
  private readonly byId = new Map<string, QueueNode<C>>();
  private readonly ready = new MinHeap<HeapEntry<C>>(byHead);
  private readonly blocked = new MinHeap<HeapEntry<C>>(byFreeAt);
  // Waiting messages with an expiration, soonest first; those gone already are skipped when they reach the top.
  private readonly expiries = new MinHeap<QueueNode<C>>((a, b) => a.expiresAt! < b.expiresAt!);
  private accountFreeAt: number;
  private lastEmulated: number;
  private lastReal: number;
  private timer: { handle: Scheduled; due: number } | undefined;
  private nextSeq = 0;
  /** Messages and segments waiting, and recipients (what pending() counts as steps). */
  messages = 0;
  segments = 0;
  recipients = 0;

  constructor(private readonly env: QueueEnvironment<C>) {
    this.lastEmulated = this.lastReal = env.clock.now();
    this.accountFreeAt = this.lastEmulated;
  }

  /** The queue's emulated time now: its last task's time plus real time since divided by the scale, capped at its next task. */
  now(): number {
    const { clock } = this.env;
    const real = clock.now();
    const cap = this.timer?.due ?? Infinity;
    let at = clock.scale > 0 ? this.lastEmulated + Math.max(0, real - this.lastReal) / clock.scale : cap === Infinity ? this.lastEmulated : cap;
    if (at > cap) at = cap;
    if (at < this.lastEmulated) at = this.lastEmulated;
    this.lastEmulated = at;
    this.lastReal = real;
    return at;
  }

  /**
   * Whether a message of `cost` segments from this limiter may be accepted now: it goes at once, or there is room to
   * wait (segments within the capacity, and fewer than `maxMessages` waiting emulator-wide, `waitingTotal`).
   */
  admit(cost: number, limit: SenderLimit, waitingTotal: number, maxMessages: number): QueueRefusal | undefined {
    const at = this.catchUp();
    if (this.goesNow(limit, at)) return undefined;
    const settings = this.env.settings();
    const figures = queueFigures(settings);
    const rate = settings.rates.account;
    const untilFree = Math.max(0, this.accountFreeAt - at) / 1000;
    if (waitingTotal >= maxMessages) {
      // Room for one message: the next one of this account leaving, or (none waiting here) a second.
      return {
        why: 'messages',
        figures,
        retryAfterSeconds: Math.max(1, Math.ceil(untilFree)),
        reason: `the emulator holds ${waitingTotal} queued messages, its limit (limits.maxMessages ${maxMessages})`,
      };
    }
    const capacity = queueCapacity(settings);
    if (this.segments + cost <= capacity || (this.segments === 0 && capacity > 0)) return undefined;
    // Until enough segments have drained at the account's rate (our estimate: Bandwidth documents no Retry-After here).
    const drain = (this.segments + cost - capacity) / rate;
    return {
      why: 'segments',
      figures,
      retryAfterSeconds: Math.max(1, Math.ceil(Math.max(drain, untilFree))),
      reason: `the account queue holds ${this.segments} segments of its ${capacity} (${figures.minutes} min at ${rate}/s); this message needs ${cost}`,
    };
  }

  /**
   * Offer a message: it goes at once when both its limiters are free and nothing of its limiter waits, else it waits.
   * `waitedMs`: how long it waited before (a message restored after a restart keeps its place in time).
   */
  offer(item: QueueItem<C>, waitedMs = 0): Offered {
    const at = this.catchUp();
    if (this.goesNow(item.limit, at)) {
      this.occupy(this.groupFor(item.limit, item.limit.rate !== undefined), item.cost, at);
      return { queued: false };
    }
    const group = this.groupFor(item.limit, true)!;
    const reason =
      this.accountFreeAt > at
        ? `the account's rate (${this.env.settings().rates.account} segments/s) is taken for ${Math.round(this.accountFreeAt - at)} ms more`
        : group.freeAt > at
          ? `the rate of ${group.what} (${group.rate} segments/s) is taken for ${Math.round(group.freeAt - at)} ms more`
          : `behind the messages of ${group.what} already waiting`;
    const aheadSegments = this.segments;
    const lane = item.high ? group.high : group.normal;
    const headBefore = headOf(group);
    const node: QueueNode<C> = { item, seq: this.nextSeq++, since: at - waitedMs, lane, group, waiting: true };
    pushLane(lane, node);
    this.byId.set(item.message.id, node);
    this.count(item, 1);
    if (headOf(group) !== headBefore) this.place(group, at);
    const expiration = item.message.expiration === undefined ? Number.NaN : Date.parse(item.message.expiration);
    if (Number.isFinite(expiration)) {
      // The expiration is a wall-clock time; its distance from now passes on the emulated clock, like every delay.
      node.expiresAt = at + Math.max(0, expiration - this.env.clock.now());
      this.expiries.push(node);
      if (this.expiries.size > 2 * this.messages + 64) this.expiries.retain((n) => n.waiting);
    }
    this.pump(at);
    return { queued: true, reason, aheadSegments };
  }

  /** Take a message out without sending it (its request was withdrawn); true when it was waiting here. */
  withdraw(messageId: string): boolean {
    const node = this.byId.get(messageId);
    if (!node) return false;
    this.take(node, this.now());
    return true;
  }

  /** Forget every waiting message (a reset, close); returns them, oldest first by priority. */
  cancel(): QueueItem<C>[] {
    const nodes = this.ordered();
    for (const node of nodes) {
      node.waiting = false;
      this.count(node.item, -1);
    }
    this.groups.clear();
    this.byId.clear();
    this.expiries.clear();
    this.ready.clear();
    this.blocked.clear();
    this.disarm();
    return nodes.map((n) => n.item);
  }

  /** Release every waiting message now, in queue order (throughput switched off at run time). */
  releaseAll(): void {
    const at = this.now();
    const nodes = this.ordered();
    this.cancel();
    for (const node of nodes) this.env.handlers.release(node.item, Math.round(at - node.since));
  }

  /** Up to `limit` waiting messages, in no promised order (pending() names a few). */
  peek(limit: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    for (const group of this.groups.values())
      for (const lane of [group.high, group.normal]) for (let node = lane.head; node && out.length < limit; node = node.next) out.push(node.item.message);
    return out;
  }

  /** Emulated time the longest-waiting message joined the queue (the heads of the lanes), undefined when empty. */
  oldestSince(): number | undefined {
    let oldest: number | undefined;
    for (const group of this.groups.values())
      for (const head of [group.high.head, group.normal.head]) if (head && (oldest === undefined || head.since < oldest)) oldest = head.since;
    return oldest;
  }

  /** Every waiting message, in the order they would leave if only priority and arrival counted. */
  items(): QueueItem<C>[] {
    return this.ordered().map((n) => n.item);
  }

  // Run every decision due by now (a task due but not fired yet), so a new message never overtakes an older one.
  private catchUp(): number {
    const at = this.now();
    this.pump(at);
    return at;
  }

  private goesNow(limit: SenderLimit, at: number): boolean {
    if (this.accountFreeAt > at) return false;
    const group = this.groups.get(limit.key);
    return !group || (group.freeAt <= at && headOf(group) === undefined);
  }

  private groupFor(limit: SenderLimit, create: boolean): Group<C> | undefined {
    let group = this.groups.get(limit.key);
    if (!group && create) {
      this.prune();
      group = { key: limit.key, what: limit.what, freeAt: -Infinity, high: {}, normal: {}, version: 0 };
      this.groups.set(limit.key, group);
    }
    // The latest rate applies from the next message it sends (the settings may change at run time).
    if (group) {
      group.rate = limit.rate;
      group.what = limit.what;
    }
    return group;
  }

  // Both limiters are busy for the time `cost` segments take at their rates.
  private occupy(group: Group<C> | undefined, cost: number, at: number): void {
    this.accountFreeAt = Math.max(this.accountFreeAt, at) + busyMs(cost, this.env.settings().rates.account);
    if (group) group.freeAt = group.rate === undefined ? at : Math.max(group.freeAt, at) + busyMs(cost, group.rate);
  }

  // Put a group in the heap its state says (or none when empty); older entries of it become stale.
  private place(group: Group<C>, at: number): void {
    group.version++;
    const head = headOf(group);
    if (!head) return;
    if (group.freeAt <= at) this.ready.push({ group, version: group.version, rank: head.lane === group.high ? 0 : 1, order: head.seq });
    else this.blocked.push({ group, version: group.version, rank: 0, order: group.freeAt });
    // Stale entries are skipped lazily; rebuild when they outnumber the live ones.
    if (this.ready.size + this.blocked.size > 2 * this.groups.size + 64) {
      this.ready.retain((e) => !stale(e));
      this.blocked.retain((e) => !stale(e));
    }
  }

  // Fail what expired by `at`, send what may leave at `at` (one message per free account limiter), and arm the one
  // task for the next moment: a limiter free again or an expiration. One chain of tasks per account keeps its events
  // in emulated order under time/flush too (a flush orders tasks a flushed task schedules by real time, not emulated).
  private pump(at: number): void {
    for (;;) {
      this.expireDue(at);
      if (this.messages === 0) {
        this.expiries.clear();
        this.disarm();
        return;
      }
      let next: number | undefined;
      if (this.accountFreeAt > at) next = this.accountFreeAt;
      else {
        for (let entry = this.blocked.peek(); entry && (stale(entry) || entry.order <= at); entry = this.blocked.peek()) {
          this.blocked.pop();
          if (!stale(entry)) this.place(entry.group, at);
        }
        let best = this.ready.pop();
        while (best && stale(best)) best = this.ready.pop();
        if (best) {
          const node = headOf(best.group)!;
          this.take(node, at);
          this.occupy(best.group, node.item.cost, at);
          this.place(best.group, at);
          this.env.handlers.release(node.item, Math.round(at - node.since));
          continue;
        }
        // Something waits and no group is ready, so some group is blocked until its limiter is free.
        let blocked = this.blocked.peek();
        while (blocked && stale(blocked)) {
          this.blocked.pop();
          blocked = this.blocked.peek();
        }
        next = blocked?.order;
      }
      const expiry = this.expiries.peek()?.expiresAt;
      const due = expiry !== undefined && (next === undefined || expiry < next) ? expiry : next;
      if (due !== undefined) this.arm(due, at);
      return;
    }
  }

  // Messages whose expiration passed by `at` leave unsent ("expiration date passed before the message was able to send").
  private expireDue(at: number): void {
    for (let node = this.expiries.peek(); node && (!node.waiting || node.expiresAt! <= at); node = this.expiries.peek()) {
      this.expiries.pop();
      if (!node.waiting) continue;
      this.take(node, at);
      this.env.handlers.expire(node.item, Math.round(node.expiresAt! - node.since));
    }
  }

  // Take a node out of its lane and the counts, and re-place its group if it was the head.
  private take(node: QueueNode<C>, at: number): void {
    const wasHead = headOf(node.group) === node;
    removeFromLane(node);
    node.waiting = false;
    this.byId.delete(node.item.message.id);
    this.count(node.item, -1);
    if (wasHead) this.place(node.group, at);
  }

  private count(item: QueueItem<C>, sign: 1 | -1): void {
    this.messages += sign;
    this.segments += sign * item.cost;
    this.recipients += sign * item.message.to.length;
    this.env.counted(sign);
  }

  private arm(due: number, at: number): void {
    if (this.timer?.due === due) return;
    this.disarm();
    const handle = this.env.clock.schedule(() => {
      this.timer = undefined;
      this.advanceTo(due);
      this.pump(this.lastEmulated);
    }, due - at);
    this.timer = { handle, due };
  }

  private disarm(): void {
    this.timer?.handle.cancel();
    this.timer = undefined;
  }

  // A task of the queue fired: its emulated time is exactly the time it was armed for.
  private advanceTo(at: number): void {
    const cap = this.timer?.due ?? Infinity;
    this.lastEmulated = Math.max(this.lastEmulated, Math.min(at, cap));
    this.lastReal = this.env.clock.now();
  }

  // Forget groups with nothing waiting whose limiter is free, once they outnumber the waiting messages.
  private prune(): void {
    if (this.groups.size <= 2 * this.messages + 64) return;
    const at = this.lastEmulated;
    for (const [key, group] of this.groups) if (!headOf(group) && group.freeAt <= at) this.groups.delete(key);
  }

  private ordered(): QueueNode<C>[] {
    const nodes: QueueNode<C>[] = [];
    for (const group of this.groups.values())
      for (const lane of [group.high, group.normal]) for (let node = lane.head; node; node = node.next) nodes.push(node);
    return nodes.sort((a, b) => (a.lane === a.group.high ? 0 : 1) - (b.lane === b.group.high ? 0 : 1) || a.seq - b.seq);
  }
}
