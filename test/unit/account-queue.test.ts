// The account queue's arithmetic on a hand-driven clock: limiters, groups, priority, expiration, capacity and the
// count cap, time scale, and its cost per message (O(log n): 100,000 messages in a bounded number of heap steps).
import { describe, expect, it } from 'vitest';
import type { Clock, Scheduled } from '../../src/clock.js';
import { FAST_TRAFFIC, PROFILE_PARTS, type TrafficSettings } from '../../src/config/traffic.js';
import type { NumberConfig } from '../../src/config/numbers.js';
import { AccountQueue, type QueueItem } from '../../src/messaging/account-queue.js';
import { honoursPriority, messageCost, queueCapacity, queueFigures, senderLimit, type SenderLimit } from '../../src/messaging/throughput.js';
import type { StoredMessage } from '../../src/store/messages.js';

/** A clock that moves only when told: advance() runs due tasks in order, each at its own time. */
function manualClock(start = Date.UTC(2030, 0, 1)): Clock & { advance(ms: number): void; tasks: number } {
  let now = start;
  let seq = 0;
  let tasks: Array<{ due: number; seq: number; fn: () => void; done: boolean }> = [];
  const clock = {
    scale: 1,
    now: () => now,
    get pending() {
      return tasks.filter((t) => !t.done).length;
    },
    get tasks() {
      return tasks.filter((t) => !t.done).length;
    },
    schedule(fn: () => void, delayMs: number): Scheduled {
      const task = { due: now + Math.max(0, delayMs * clock.scale), seq: seq++, fn, done: false };
      tasks.push(task);
      return { cancel: () => (task.done = true) };
    },
    sleep: () => Promise.resolve(),
    flush: () => Promise.resolve(0),
    cancelAll() {
      for (const t of tasks) t.done = true;
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        tasks = tasks.filter((t) => !t.done);
        const next = tasks.filter((t) => t.due <= until).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
        if (!next) break;
        next.done = true;
        now = next.due;
        next.fn();
      }
      now = until;
    },
  };
  return clock;
}

const production = (over: Partial<TrafficSettings> = {}): TrafficSettings => ({ ...FAST_TRAFFIC, ...PROFILE_PARTS.production, profile: 'production', ...over });

function message(id: string, over: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id,
    accountId: 'a',
    direction: 'out',
    applicationId: 'app',
    owner: '+19195550100',
    from: '+19195550100',
    to: ['+15551230000'],
    text: id,
    priority: 'default',
    time: 0,
    segmentCount: 1,
    recipients: [],
    timeline: [],
    ...over,
  };
}

const LIMIT: SenderLimit = { key: 'number:+19195550100', rate: 1, what: 'local +19195550100' };

function harness(settings = production(), clock = manualClock()) {
  const released: Array<{ id: string; at: number; waitedMs: number }> = [];
  const expired: Array<{ id: string; at: number; waitedMs: number }> = [];
  let waiting = 0;
  const queue = new AccountQueue<null>({
    clock,
    settings: () => settings,
    counted: (d) => {
      waiting += d;
    },
    handlers: {
      release: (item, waitedMs) => released.push({ id: item.message.id, at: clock.now(), waitedMs }),
      expire: (item, waitedMs) => expired.push({ id: item.message.id, at: clock.now(), waitedMs }),
    },
  });
  const start = clock.now();
  const offer = (id: string, over: Partial<QueueItem<null>> = {}, msg: Partial<StoredMessage> = {}) =>
    queue.offer({ message: message(id, msg), cost: 1, limit: LIMIT, high: false, context: null, ...over });
  return { queue, clock, released, expired, offer, start, waiting: () => waiting, settings };
}

describe('throughput arithmetic', () => {
  it('a message costs its segments once per recipient', () => {
    expect(messageCost({ segmentCount: 3, to: ['+1'] })).toBe(3);
    expect(messageCost({ segmentCount: 1, to: ['+1', '+2', '+3'] })).toBe(3);
  });

  it("the from number's limiter: a campaign's class rate shared per campaign (G and N per number), else the local rate; toll-free and short codes none by default", () => {
    const rates = production().rates;
    const local = (cls: string, id = 'C1'): NumberConfig => ({
      number: '+19195550100',
      applicationId: 'x',
      type: 'local',
      location: 'l',
      campaign: { id, class: cls, status: 'ACTIVE', mnoStatus: 'APPROVED' },
    });
    expect(senderLimit('+19195550100', local('T'), rates)).toMatchObject({ key: 'campaign:C1', rate: 1.25 });
    expect(senderLimit('+19195550100', local('G'), rates)).toMatchObject({ key: 'number:+19195550100', rate: 1 });
    expect(senderLimit('+19195550100', local('Z'), rates)).toMatchObject({ key: 'number:+19195550100', rate: 1 });
    const tollFree: NumberConfig = { number: '+18005550100', applicationId: 'x', type: 'tollFree', location: 'l' };
    expect(senderLimit('+18005550100', tollFree, rates).rate).toBeUndefined();
    expect(senderLimit('+18005550100', tollFree, { ...rates, tollFree: 3 }).rate).toBe(3);
    expect(senderLimit('+12345', { number: '+12345', applicationId: 'x', type: 'shortCode', location: 'l' }, { ...rates, shortCode: 100 }).rate).toBe(100);
  });

  it('capacity is the account rate times the depth, in segments; the 429 figures round as written', () => {
    expect(queueCapacity(production())).toBe(900);
    expect(queueFigures(production({ rates: { ...production().rates, account: 5 }, queueDepthMs: 4 * 3_600_000 }))).toEqual({
      ratePerMinute: 300,
      capacity: 72_000,
      minutes: 240,
    });
  });

  it('priority high applies to SMS and to short code MMS only', () => {
    const sc: NumberConfig = { number: '+12345', applicationId: 'x', type: 'shortCode', location: 'l' };
    expect(honoursPriority({ to: ['+1'] }, undefined)).toBe(true);
    expect(honoursPriority({ to: ['+1'], media: ['m'] }, undefined)).toBe(false);
    expect(honoursPriority({ to: ['+1', '+2'] }, undefined)).toBe(false);
    expect(honoursPriority({ to: ['+1'], media: ['m'] }, sc)).toBe(true);
  });
});

describe('AccountQueue', () => {
  it('the first message goes at once; the others leave one per 1/rate of emulated time', () => {
    const h = harness();
    expect(h.offer('m0')).toEqual({ queued: false });
    for (let i = 1; i < 4; i++) expect(h.offer(`m${i}`)).toMatchObject({ queued: true });
    expect(h.queue.messages).toBe(3);
    h.clock.advance(10_000);
    expect(h.released.map((r) => [r.id, r.at - h.start, r.waitedMs])).toEqual([
      ['m1', 1000, 1000],
      ['m2', 2000, 2000],
      ['m3', 3000, 3000],
    ]);
    expect(h.queue.messages).toBe(0);
    expect(h.clock.tasks, 'no task left once the queue is empty').toBe(0);
  });

  it('an idle limiter is free again after 1/rate: a message a second later goes at once', () => {
    const h = harness();
    h.offer('a');
    h.clock.advance(1000);
    expect(h.offer('b')).toEqual({ queued: false });
    h.clock.advance(500);
    expect(h.offer('c')).toMatchObject({ queued: true });
    h.clock.advance(500);
    expect(h.released.map((r) => [r.id, r.waitedMs])).toEqual([['c', 500]]);
  });

  it('the per-number limiter: a slow number waits while another number goes at the account rate', () => {
    const h = harness(production({ rates: { ...production().rates, account: 10 } }));
    const slow: SenderLimit = { key: 'number:slow', rate: 1, what: 'slow' };
    const fast: SenderLimit = { key: 'number:fast', what: 'fast' };
    h.offer('s0', { limit: slow });
    h.offer('s1', { limit: slow });
    h.offer('f0', { limit: fast });
    h.offer('f1', { limit: fast });
    h.clock.advance(5000);
    expect(h.released.map((r) => [r.id, r.waitedMs])).toEqual([
      ['f0', 100],
      ['f1', 200],
      ['s1', 1000],
    ]);
  });

  it('high goes ahead of default and still takes its turn of the rate', () => {
    const h = harness();
    h.offer('d0');
    h.offer('d1');
    h.offer('d2');
    h.offer('h', { high: true });
    h.clock.advance(10_000);
    expect(h.released.map((r) => [r.id, r.waitedMs])).toEqual([
      ['h', 1000],
      ['d1', 2000],
      ['d2', 3000],
    ]);
  });

  it('an expiration that passes while waiting takes the message out at that moment; the next takes its turn', () => {
    const h = harness();
    h.offer('d0');
    h.offer('d1');
    h.offer('x', {}, { expiration: new Date(h.clock.now() + 1500).toISOString() });
    h.offer('d3');
    expect(h.queue.segments).toBe(3);
    h.clock.advance(1500);
    expect(h.expired).toEqual([{ id: 'x', at: h.start + 1500, waitedMs: 1500 }]);
    expect(h.queue.segments).toBe(1);
    h.clock.advance(10_000);
    expect(h.released.map((r) => [r.id, r.waitedMs])).toEqual([
      ['d1', 1000],
      ['d3', 2000],
    ]);
  });

  it('admit: room for rate x depth segments; past it the refusal with a Retry-After of the time to drain', () => {
    const settings = production({ queueDepthMs: 3000 });
    const h = harness(settings);
    expect(h.queue.admit(1, LIMIT, 0, 100)).toBeUndefined();
    h.offer('go');
    for (let i = 0; i < 3; i++) {
      expect(h.queue.admit(1, LIMIT, h.waiting(), 100)).toBeUndefined();
      h.offer(`w${i}`);
    }
    expect(h.queue.admit(1, LIMIT, h.waiting(), 100)).toMatchObject({
      why: 'segments',
      retryAfterSeconds: 1,
      figures: { capacity: 3, ratePerMinute: 60, minutes: 0.05 },
    });
    expect(h.queue.admit(5, LIMIT, h.waiting(), 100)).toMatchObject({ why: 'segments', retryAfterSeconds: 5 });
    // Past the count cap (limits.maxMessages), whatever the room in segments.
    expect(h.queue.admit(1, LIMIT, 100, 100)).toMatchObject({ why: 'messages' });
    h.clock.advance(1000);
    expect(h.queue.admit(1, LIMIT, h.waiting(), 100)).toBeUndefined();
  });

  it('a queue of depth 0 lets nothing wait; an oversize message still waits when the queue is empty', () => {
    expect(harness(production({ queueDepthMs: 0 })).queue.admit(1, LIMIT, 0, 100)).toBeUndefined();
    const none = harness(production({ queueDepthMs: 0 }));
    none.offer('go');
    expect(none.queue.admit(1, LIMIT, 0, 100)).toMatchObject({ why: 'segments' });
    const small = harness(production({ queueDepthMs: 2000 }));
    small.offer('go');
    expect(small.queue.admit(10, LIMIT, 0, 100)).toBeUndefined();
  });

  it('time scale: emulated time passes at real time / scale, so a 1 s limiter frees after 10 ms of real time at scale 0.01', () => {
    const clock = manualClock();
    clock.scale = 0.01;
    const h = harness(production(), clock);
    h.offer('a');
    h.offer('b');
    clock.advance(10);
    expect(h.released.map((r) => [r.id, r.waitedMs, r.at - h.start])).toEqual([['b', 1000, 10]]);
    clock.advance(5);
    expect(h.offer('c')).toMatchObject({ queued: true });
    clock.advance(5);
    expect(h.released.at(-1)).toMatchObject({ id: 'c', waitedMs: 500 });
  });

  it('releaseAll (throughput switched off) sends what waits at once, high first; cancel forgets it', () => {
    const h = harness();
    h.offer('d0');
    h.offer('d1');
    h.offer('h', { high: true });
    h.queue.releaseAll();
    expect(h.released.map((r) => r.id)).toEqual(['h', 'd1']);
    h.offer('x');
    h.offer('y');
    // The limiters stay as they were (AccountQueues drops the whole queue when throughput is switched off).
    expect(h.queue.cancel().map((i) => i.message.id)).toEqual(['x', 'y']);
    expect(h.queue.messages).toBe(0);
    expect(h.waiting()).toBe(0);
  });

  it('withdraw takes a waiting message out unsent', () => {
    const h = harness();
    h.offer('a');
    h.offer('b');
    h.offer('c');
    expect(h.queue.withdraw('b')).toBe(true);
    expect(h.queue.withdraw('nope')).toBe(false);
    h.clock.advance(5000);
    expect(h.released.map((r) => [r.id, r.waitedMs])).toEqual([['c', 1000]]);
  });

  it('100,000 messages from 1,000 numbers, a tenth high with an expiration: in order, and in O(log n) per message', () => {
    const settings = production({ rates: { ...production().rates, account: 100_000 } });
    const h = harness(settings);
    const n = 100_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const limit: SenderLimit = { key: `number:${i % 1000}`, rate: 100, what: `n${i % 1000}` };
      const high = i % 10 === 0;
      h.offer(`m${i}`, { limit, high }, high ? { expiration: new Date(h.clock.now() + 10_000_000).toISOString() } : {});
    }
    h.clock.advance(60_000);
    expect(h.released.length + 1).toBe(n);
    // Per number, its messages leave high first, then in arrival order.
    const first = h.released.findIndex((r) => r.id === 'm1000');
    const later = h.released.findIndex((r) => r.id === 'm2000');
    expect(first).toBeLessThan(later);
    expect(h.queue.messages).toBe(0);
    // A bound, not a speed goal: a quadratic queue would take minutes here.
    expect(performance.now() - started).toBeLessThan(60_000);
  });
});
