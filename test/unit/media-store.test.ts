// MediaStore on its own, with a clock whose now() the test moves: byte accounting, the byte cap with oldest-first
// eviction, retention on the emulator clock, per-account listing and the stats health reports.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { MediaStore, type MediaLimits } from '../../src/store/media.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A clock that only tells the time the test sets; MediaStore must never schedule anything. */
function fakeClock(start = Date.UTC(2030, 0, 1)): Clock & { advance(ms: number): void } {
  let now = start;
  const unused = (what: string) => () => {
    throw new Error(`MediaStore called clock.${what}(); it should only read now()`);
  };
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    schedule: unused('schedule') as Clock['schedule'],
    sleep: unused('sleep') as Clock['sleep'],
    flush: unused('flush') as Clock['flush'],
    cancelAll: unused('cancelAll') as Clock['cancelAll'],
    scale: 1,
    pending: 0,
  };
}

function store(limits: Partial<MediaLimits> = {}, clock = fakeClock()) {
  const media = new MediaStore({ maxObjectBytes: 1024 * 1024, maxTotalBytes: 1024 * 1024, retentionMs: 48 * HOUR, ...limits }, clock);
  const put = (mediaId: string, size: number, accountId = 'acct-a', fill = 1) =>
    media.put({ accountId, mediaId, bytes: Buffer.alloc(size, fill), contentType: 'application/octet-stream' });
  const ids = (accountId = 'acct-a') => media.list(accountId).map((o) => o.mediaId);
  return { media, clock, put, ids };
}

describe('MediaStore: objects and byte accounting', () => {
  it('stores, returns, overwrites and removes an object, keeping the byte total exact', () => {
    const { media, clock } = store();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const stored = media.put({ accountId: 'acct-a', mediaId: 'a/b/c.png', bytes: png, contentType: 'image/png', cacheControl: 'no-cache' });
    expect(stored.createdAt).toBe(clock.now());
    expect(media.get('acct-a', 'a/b/c.png')).toMatchObject({ mediaId: 'a/b/c.png', contentType: 'image/png', cacheControl: 'no-cache' });
    expect(media.get('acct-a', 'a/b/c.png')!.bytes.equals(png)).toBe(true);
    expect(media.stats()).toEqual({ objects: 1, bytes: 4, evicted: 0, expired: 0, capBytes: 1024 * 1024 });

    // Same name: a silent overwrite, counted once, with the new bytes and type.
    clock.advance(MINUTE);
    media.put({ accountId: 'acct-a', mediaId: 'a/b/c.png', bytes: Buffer.from('hello!'), contentType: 'text/plain' });
    expect(media.get('acct-a', 'a/b/c.png')).toMatchObject({ contentType: 'text/plain', createdAt: clock.now() });
    expect(media.get('acct-a', 'a/b/c.png')!.cacheControl).toBeUndefined();
    expect(media.stats()).toMatchObject({ objects: 1, bytes: 6 });

    expect(media.remove('acct-a', 'a/b/c.png')).toBe(true);
    expect(media.remove('acct-a', 'a/b/c.png')).toBe(false);
    expect(media.get('acct-a', 'a/b/c.png')).toBeUndefined();
    expect(media.stats()).toEqual({ objects: 0, bytes: 0, evicted: 0, expired: 0, capBytes: 1024 * 1024 });
  });

  it('keeps accounts apart: same id in two accounts, list per account, clear one account or all', () => {
    const { media, put, ids } = store();
    put('same.png', 10, 'acct-a', 0xaa);
    put('same.png', 20, 'acct-b', 0xbb);
    put('other.png', 5, 'acct-b');
    expect(media.get('acct-a', 'same.png')!.bytes).toEqual(Buffer.alloc(10, 0xaa));
    expect(media.get('acct-b', 'same.png')!.bytes).toEqual(Buffer.alloc(20, 0xbb));
    expect(media.get('acct-c', 'same.png')).toBeUndefined();
    expect(ids('acct-a')).toEqual(['same.png']);
    expect(ids('acct-b')).toEqual(['other.png', 'same.png']);
    expect(ids('acct-c')).toEqual([]);

    // An id that looks like another account's key must not reach it.
    expect(media.get('acct-a\u0000same.png', '')).toBeUndefined();

    media.clear('acct-b');
    expect(ids('acct-b')).toEqual([]);
    expect(ids('acct-a')).toEqual(['same.png']);
    expect(media.stats()).toMatchObject({ objects: 1, bytes: 10 });
    media.clear();
    expect(media.stats()).toMatchObject({ objects: 0, bytes: 0, evicted: 0 });
  });

  it('lists by id in a stable order, not by upload order', () => {
    const { put, ids } = store();
    for (const id of ['obj-10', 'obj-2', 'b/1', 'obj-1', 'a', 'B', 'a/0/x.png']) put(id, 1);
    expect(ids()).toEqual(['B', 'a', 'a/0/x.png', 'b/1', 'obj-1', 'obj-10', 'obj-2']);
  });
});

describe('MediaStore: byte cap', () => {
  it('evicts the oldest objects first once the total passes maxTotalBytes, and counts each eviction', () => {
    const { media, clock, put, ids } = store({ maxTotalBytes: 3000 });
    for (const id of ['a', 'b', 'c']) {
      put(id, 1000);
      clock.advance(1);
    }
    expect(media.stats()).toMatchObject({ objects: 3, bytes: 3000, evicted: 0, capBytes: 3000 });
    // Exactly at the cap nothing goes; one byte over and the oldest goes.
    put('d', 1);
    expect(ids()).toEqual(['b', 'c', 'd']);
    expect(media.stats()).toMatchObject({ objects: 3, bytes: 2001, evicted: 1 });
    // A big one pushes out as many of the oldest as needed, and nothing more.
    put('e', 1999);
    expect(ids()).toEqual(['c', 'd', 'e']);
    expect(media.stats()).toMatchObject({ bytes: 3000, evicted: 2 });
    // 5000 bytes: c, d and e must all go before the total is back under the cap.
    put('f', 2000);
    expect(ids()).toEqual(['f']);
    for (const gone of ['c', 'd', 'e']) expect(media.get('acct-a', gone)).toBeUndefined();
    expect(media.stats()).toMatchObject({ objects: 1, bytes: 2000, evicted: 5, expired: 0 });
  });

  it('an overwrite makes an object the newest, so it outlives objects uploaded before the overwrite', () => {
    const { media, put, ids } = store({ maxTotalBytes: 300 });
    put('a', 100);
    put('b', 100);
    put('c', 100);
    put('a', 100); // re-upload: a is now the newest
    put('d', 100);
    expect(ids()).toEqual(['a', 'c', 'd']);
    expect(media.stats()).toMatchObject({ objects: 3, bytes: 300, evicted: 1 });
  });

  it("the cap is shared by all accounts: another account's upload can evict this account's oldest object", () => {
    const { media, put, ids } = store({ maxTotalBytes: 200 });
    put('a-old', 100, 'acct-a');
    put('b-1', 100, 'acct-b');
    put('b-2', 100, 'acct-b');
    expect(ids('acct-a')).toEqual([]);
    expect(ids('acct-b')).toEqual(['b-1', 'b-2']);
    expect(media.stats()).toMatchObject({ evicted: 1, bytes: 200 });
  });

  it('never evicts the object just stored, even when it alone is larger than the cap', () => {
    const { media, put, ids } = store({ maxTotalBytes: 100 });
    put('small', 50);
    put('huge', 500);
    expect(ids()).toEqual(['huge']);
    expect(media.stats()).toMatchObject({ objects: 1, bytes: 500, evicted: 1 });
    put('next', 10);
    expect(ids()).toEqual(['next']);
    expect(media.stats()).toMatchObject({ objects: 1, bytes: 10, evicted: 2 });
  });
});

describe('MediaStore: retention on the emulator clock', () => {
  it('an object is there until its retention is reached, then gone from get and list, and counted as expired', () => {
    const { media, clock, put, ids } = store({ retentionMs: HOUR });
    put('old', 10);
    clock.advance(30 * MINUTE);
    put('young', 20);
    clock.advance(30 * MINUTE - 1);
    // One ms before old's hour is up: both there.
    expect(ids()).toEqual(['old', 'young']);
    expect(media.get('acct-a', 'old')).toBeDefined();

    clock.advance(1);
    expect(media.get('acct-a', 'old')).toBeUndefined();
    expect(ids()).toEqual(['young']);
    expect(media.stats()).toMatchObject({ objects: 1, bytes: 20, expired: 1, evicted: 0 });

    clock.advance(30 * MINUTE);
    expect(ids()).toEqual([]);
    expect(media.get('acct-a', 'young')).toBeUndefined();
    expect(media.stats()).toMatchObject({ objects: 0, bytes: 0, expired: 2, evicted: 0 });
  });

  it('a re-upload restarts the retention period', () => {
    const { media, clock, put } = store({ retentionMs: HOUR });
    put('x', 10);
    clock.advance(50 * MINUTE);
    put('x', 10);
    clock.advance(50 * MINUTE);
    expect(media.get('acct-a', 'x')).toBeDefined();
    clock.advance(10 * MINUTE);
    expect(media.get('acct-a', 'x')).toBeUndefined();
  });

  it('stats (what health reports) leave out expired objects even before anything reads them', () => {
    const { media, clock, put } = store({ retentionMs: HOUR });
    put('a', 100);
    put('b', 100, 'acct-b');
    clock.advance(HOUR);
    // Nobody has called get or list since time moved: the objects are past retention all the same.
    expect(media.stats()).toEqual({ objects: 0, bytes: 0, evicted: 0, expired: 2, capBytes: 1024 * 1024 });
  });

  it('objects past retention are counted as expired, not as evicted, when an upload needs room', () => {
    const { media, clock, put, ids } = store({ retentionMs: HOUR, maxTotalBytes: 250 });
    put('stale-1', 100);
    put('stale-2', 100);
    clock.advance(HOUR);
    put('fresh', 100);
    expect(ids()).toEqual(['fresh']);
    expect(media.stats()).toMatchObject({ objects: 1, bytes: 100, evicted: 0, expired: 2 });
  });
});
