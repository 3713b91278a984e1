// Search and paging in the control API (GET /__emulator/messages and /conversations), asserted identically
// in-process and over HTTP: filters, totals without a cap, keyset paging that answers every message once, and bounds.
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ControlInputError } from '../../src/control/operations.js';
import { bulkHandset, bulkState } from '../helpers/bulk-state.js';
import { ACCOUNT_A, APP_A, NUM_A1, useControlApi } from '../helpers/control-api.js';
import { CONTROL_CONNECTIONS, rejection } from '../helpers/harness.js';

const { start } = useControlApi();
const COUNT = 1234;
const HANDSETS = 37;
const START = 1_700_000_000_000;

describe.each(CONTROL_CONNECTIONS)('search and paging through the %s', (_mode, connect) => {
  async function loaded() {
    const f = await start(connect);
    await f.running.state.import(bulkState({ accountId: ACCOUNT_A, applicationId: APP_A, ours: NUM_A1, count: COUNT, handsets: HANDSETS, start: START }));
    return f;
  }

  it('paging through every page answers every message once, newest first, with the true total', async () => {
    const f = await loaded();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await f.ops.messages.search({ limit: 100, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(COUNT);
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(COUNT / 100));
    expect(new Set(seen).size).toBe(COUNT);
    expect(seen[0]).toBe(`bulk-${String(COUNT - 1).padStart(6, '0')}`);
    expect(seen.at(-1)).toBe('bulk-000000');
    // The old list still answers an array (capped by limit).
    expect(await f.ops.messages.list({ limit: 5 })).toHaveLength(5);
  });

  it('filters: q by text, number digits, id; errorCode; since/until; conversation', async () => {
    const f = await loaded();
    expect((await f.ops.messages.search({ q: 'BULK MESSAGE 0' })).messages.map((m) => m.id)).toEqual(['bulk-000000']);
    expect((await f.ops.messages.search({ q: 'bulk-000007' })).total).toBe(1);
    const handset = bulkHandset(3, HANDSETS);
    const byNumber = await f.ops.messages.search({ q: handset.slice(-7), limit: 1 });
    expect(byNumber.total).toBe(Math.ceil((COUNT - 3) / HANDSETS));
    expect(byNumber.messages[0]!.to).toEqual([handset]);
    expect((await f.ops.messages.search({ errorCode: 4720 })).total).toBe(Math.ceil(COUNT / 10));
    const since = new Date(START + 1000 * 1000).toISOString();
    const until = new Date(START + 1010 * 1000).toISOString();
    expect((await f.ops.messages.search({ since, until })).total).toBe(10);
    expect((await f.ops.messages.search({ q: 'nothing like this' })).total).toBe(0);
  });

  it('conversations: one per handset, newest first, paged, each with its count; a conversation key lists its messages', async () => {
    const f = await loaded();
    const keys: string[] = [];
    let cursor: string | undefined;
    let counted = 0;
    do {
      const page = await f.ops.conversations({ limit: 10, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(HANDSETS);
      for (const c of page.conversations) {
        expect(c).toMatchObject({ accountId: ACCOUNT_A, ours: NUM_A1 });
        expect(c.theirs).toEqual(c.latest.to);
        counted += c.count;
      }
      keys.push(...page.conversations.map((c) => c.key));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(keys).size).toBe(HANDSETS);
    expect(counted).toBe(COUNT);
    const oldest = await f.ops.conversations({ q: 'bulk message 0' });
    expect(oldest.total).toBe(1);
    expect(oldest.conversations[0]!.count).toBe(1);
    const thread = await f.ops.messages.search({ conversation: oldest.conversations[0]!.key });
    expect(thread.total).toBe(Math.ceil(COUNT / HANDSETS));
    expect(thread.messages.at(-1)!.id).toBe('bulk-000000');
  });

  it('a cursor or date that is not one is refused with ControlInputError', async () => {
    const f = await start(connect);
    for (const query of [{ cursor: 'not a cursor!' }, { cursor: 'Zm9v' }, { since: 'yesterday' }, { until: '2026-13-45' }]) {
      const error = await rejection(f.ops.messages.search(query));
      expect(error, JSON.stringify(query)).toBeInstanceOf(ControlInputError);
    }
    expect(await rejection(f.ops.conversations({ cursor: 'x' }))).toBeInstanceOf(ControlInputError);
  });
});

describe('search and paging bounds over HTTP', () => {
  it('past a bound (q, cursor, conversation, limit, dates, errorCode) is a 400 with a clear message', async () => {
    const f = await start(CONTROL_CONNECTIONS[0]![1]);
    const cases: Array<[string, string]> = [
      [`/messages?q=${'a'.repeat(257)}`, 'q'],
      [`/messages?cursor=${'a'.repeat(257)}`, 'cursor'],
      [`/messages?conversation=${'a'.repeat(2049)}`, 'conversation'],
      ['/messages?limit=10001', 'limit'],
      [`/messages?since=${'2'.repeat(65)}`, 'since'],
      ['/messages?since=soon', 'since'],
      ['/messages?cursor=bad*cursor', 'cursor'],
      ['/messages?errorCode=10000', 'errorCode'],
      [`/conversations?q=${'a'.repeat(257)}`, 'q'],
      ['/conversations?limit=1001', 'limit'],
      ['/conversations?until=later', 'until'],
      ['/conversations?to=%2B1', 'to'],
    ];
    for (const [path, field] of cases) {
      const res = await request(`${f.running.url}/__emulator${path}`);
      const body = (await res.body.json()) as { message: string };
      expect(res.statusCode, path).toBe(400);
      expect(body.message, path).toContain(field);
    }
    const ok = await request(`${f.running.url}/__emulator/conversations?q=${'a'.repeat(256)}`);
    expect(ok.statusCode).toBe(200);
    expect(await ok.body.json()).toEqual({ conversations: [], total: 0, nextCursor: null });
  });
});
