import { describe, expect, it } from 'vitest';
import { WindowCounters } from '../../src/messaging/window-counters.js';

describe('WindowCounters', () => {
  const clock = (start = 1_000) => {
    const c = { t: start, scale: 1, now: () => c.t };
    return c;
  };

  it('counts within a window, over past the limit, and opens a new window once it has passed', () => {
    const c = clock();
    const counters = new WindowCounters(c);
    expect(counters.take('k', ['a'], 1000, 2)).toEqual({ count: 1, over: false });
    expect(counters.take('k', ['a'], 1000, 2, 1)).toEqual({ count: 2, over: false });
    expect(counters.take('k', ['a'], 1000, 2)).toEqual({ count: 3, over: true });
    c.t += 1000;
    expect(counters.take('k', ['a'], 1000, 2)).toEqual({ count: 1, over: false });
  });

  it('reads the window in emulated time: at a scale of 0.001 a second passes in 1 ms', () => {
    const c = clock();
    c.scale = 0.001;
    const counters = new WindowCounters(c);
    counters.take('k', ['a'], 1000, 0);
    c.t += 1;
    expect(counters.take('k', ['a'], 1000, 0).count).toBe(1);
  });

  it('holds at most maxKeys keys: closed windows go first, then the oldest', () => {
    const c = clock();
    const counters = new WindowCounters(c, 3);
    counters.take('old', ['a'], 1000, 10);
    c.t += 500;
    counters.take('b', ['a'], 1000, 10);
    counters.take('c', ['a'], 1000, 10);
    counters.take('d', ['a'], 1000, 10);
    expect(counters.size).toBe(3);
    // 'old' was dropped to make room: it starts again from nothing.
    expect(counters.take('old', ['a'], 1000, 10).count).toBe(1);
    expect(counters.size).toBe(3);
    c.t += 600;
    counters.take('e', ['a'], 1000, 10);
    expect(counters.take('c', ['a'], 1000, 10).count).toBe(1);
  });

  it('a reset of one account forgets every key it shares; of all, everything', () => {
    const counters = new WindowCounters(clock());
    counters.take('ab', ['a', 'b'], 1000, 10);
    counters.take('c', ['c'], 1000, 10);
    counters.clear('b');
    expect(counters.size).toBe(1);
    counters.clear();
    expect(counters.size).toBe(0);
  });
});
