// The control API's message search: the filters of GET /__emulator/messages and /conversations over the store, and
// keyset pages of the result (the matching and cursors themselves are message-query.ts, shared with the page).
import type { Emulator } from '../emulator.js';
import type { MessageStatus, StoredMessage } from '../store/messages.js';
import { conversationKey, decodeCursor, encodeCursor, matchesSearch, type Cursor } from './message-query.js';
import { ControlInputError } from './control-input-error.js';

/** Filters for listing messages; every given field must match. */
export interface MessageFilter {
  accountId?: string;
  to?: string;
  from?: string;
  tag?: string;
  direction?: 'out' | 'in';
  status?: MessageStatus;
  limit?: number;
}

/** A search over the messages (GET /__emulator/messages): the filters above and more, and keyset paging, newest first. */
export interface MessageQuery extends MessageFilter {
  /** A number (3+ digits), words of the text, a tag, or an id; case-insensitive. */
  q?: string;
  /** Only messages with a recipient that failed (or was refused) with this code. */
  errorCode?: number;
  /** ISO times: only messages at or after `since`, and before `until`. */
  since?: string;
  until?: string;
  /** Only the messages of one conversation (a key GET /__emulator/conversations answered). */
  conversation?: string;
  /** Where the previous page ended (its `nextCursor`). */
  cursor?: string;
}

function matches(message: StoredMessage, filter: MessageFilter): boolean {
  return (
    (filter.to === undefined || message.to.includes(filter.to)) &&
    (filter.from === undefined || message.from === filter.from) &&
    (filter.tag === undefined || message.tag === filter.tag) &&
    (filter.direction === undefined || message.direction === filter.direction) &&
    (filter.status === undefined || message.recipients.some((r) => r.status === filter.status))
  );
}

/** An ISO time argument as epoch ms; ControlInputError when it is not one. */
function isoArgument(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (value.length > 64 || !Number.isFinite(ms))
    throw new ControlInputError(`${name} must be an ISO time such as 2026-01-31T12:00:00Z, got ${JSON.stringify(value.slice(0, 64))}`);
  return ms;
}

/** A cursor argument, decoded; ControlInputError when it is not one this emulator answered. */
export function cursorArgument(value: string | undefined): Cursor | undefined {
  if (value === undefined) return undefined;
  const cursor = decodeCursor(value);
  if (!cursor) throw new ControlInputError('cursor is not one this emulator answered: pass a nextCursor as it was given, or leave it out for the first page');
  return cursor;
}

/** Every stored message matching the query's filters (not its paging), newest first as messages.list orders them. */
export function searchStored(emulator: Emulator, query: MessageQuery): StoredMessage[] {
  const since = isoArgument('since', query.since);
  const until = isoArgument('until', query.until);
  const q = query.q?.trim() ?? '';
  const accounts = query.accountId !== undefined ? [query.accountId] : emulator.messages.accounts();
  const out: StoredMessage[] = [];
  for (const accountId of accounts)
    for (const m of emulator.messages.list(accountId)) {
      if (!matches(m, query)) continue;
      if (since !== undefined && m.time < since) continue;
      if (until !== undefined && m.time >= until) continue;
      if (query.errorCode !== undefined && !m.recipients.some((r) => r.errorCode === query.errorCode)) continue;
      if (q && !matchesSearch(m, q)) continue;
      if (query.conversation !== undefined && conversationKey(m) !== query.conversation) continue;
      out.push(m);
    }
  // The store lists oldest first: reversing before the (stable) sort keeps messages of the same millisecond newest first.
  return out.reverse().sort((a, b) => b.time - a.time);
}

/**
 * The page of `items` (newest first) after `cursor`, at most `limit`, and the cursor of the page after it (null when
 * none). Items of the same millisecond keep the store's order (newest first), so the cursor's id places it among them;
 * a cursor whose item is gone (evicted, reset) resumes at the next older millisecond.
 */
export function pageOf<T>(items: T[], positionOf: (item: T) => Cursor, cursor: Cursor | undefined, limit: number): { page: T[]; nextCursor: string | null } {
  let start = 0;
  if (cursor) {
    // Binary search for the first item no newer than the cursor's millisecond: times only fall along the list.
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (positionOf(items[mid]!).time > cursor.time) lo = mid + 1;
      else hi = mid;
    }
    let next = lo;
    while (next < items.length && positionOf(items[next]!).time === cursor.time) next++;
    start = next;
    for (let i = lo; i < next; i++)
      if (positionOf(items[i]!).id === cursor.id) {
        start = i + 1;
        break;
      }
  }
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { page, nextCursor: more && page.length > 0 ? encodeCursor(positionOf(page[page.length - 1]!)) : null };
}
