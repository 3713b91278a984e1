import { describe, expect, it } from 'vitest';
import { createClock } from '../../src/clock.js';
import { SearchRateLimit } from '../../src/messaging/search-rate-limit.js';

// The search rate limit's per-IP windows: counted apart per source IP, Retry-After from the emulated time left, a cap
// on the IPs tracked (the oldest window forgotten and counted), and a reset.

const on = (requests: number, windowMs = 300_000) => ({ searchRateLimit: true, searchRate: { requests, windowMs } });

describe('SearchRateLimit', () => {
  it('counts each source IP apart; off, nothing is counted', () => {
    const limit = new SearchRateLimit(createClock());
    expect(limit.take('10.0.0.1', on(2))).toBeUndefined();
    expect(limit.take('10.0.0.1', on(2))).toBeUndefined();
    expect(limit.take('10.0.0.1', on(2))).toMatchObject({ requests: 2, windowMs: 300_000 });
    expect(limit.take('10.0.0.2', on(2))).toBeUndefined();
    expect(limit.take('10.0.0.3', { searchRateLimit: false, searchRate: { requests: 2, windowMs: 1 } })).toBeUndefined();
    expect(limit.stats()).toEqual({ trackedIps: 2, evicted: 0 });
    limit.reset();
    expect(limit.stats()).toEqual({ trackedIps: 0, evicted: 0 });
    expect(limit.take('10.0.0.1', on(2))).toBeUndefined();
  });

  it('Retry-After is the whole emulated seconds left in the window, at least 1, at any time scale', () => {
    let now = 1_000_000;
    const clock = createClock({ now: () => now, scale: 1 });
    const limit = new SearchRateLimit(clock);
    limit.take('a', on(1));
    expect(limit.take('a', on(1))?.retryAfterSeconds).toBe(300);
    now += 100_500;
    expect(limit.take('a', on(1))?.retryAfterSeconds).toBe(200);
    now += 199_999;
    expect(limit.take('a', on(1))?.retryAfterSeconds).toBe(1);
    // At a tenth of real time, one real second is ten emulated ones.
    clock.scale = 0.1;
    limit.take('b', on(1));
    now += 1000;
    expect(limit.take('b', on(1))?.retryAfterSeconds).toBe(290);
    limit.reset();
  });

  it('tracks at most its cap of IPs: the oldest window is forgotten, and counted', () => {
    const limit = new SearchRateLimit(createClock(), 3);
    for (const ip of ['a', 'b', 'c']) {
      limit.take(ip, on(1));
      expect(limit.take(ip, on(1))).toBeDefined();
    }
    limit.take('d', on(1));
    expect(limit.stats()).toEqual({ trackedIps: 3, evicted: 1 });
    // 'a' was the oldest: it starts afresh; 'b' is still limited.
    expect(limit.take('a', on(1))).toBeUndefined();
    expect(limit.stats()).toEqual({ trackedIps: 3, evicted: 2 });
    expect(limit.take('c', on(1))).toBeDefined();
    limit.reset();
  });

  it('the window closes on the clock: a flush ends it', async () => {
    const clock = createClock();
    const limit = new SearchRateLimit(clock);
    limit.take('a', on(1));
    expect(limit.take('a', on(1))).toBeDefined();
    await clock.flush();
    expect(limit.take('a', on(1))).toBeUndefined();
    limit.reset();
    expect(clock.pending).toBe(0);
  });
});
