// Search, conversations and keyset paging over messages: one module the control API and the web inbox share, so
// the page and the server agree on what a search matches and which conversation a message belongs to. Neutral: no imports.

/** The fields of a message that search, grouping and paging read (a ControlMessage has them all). */
export interface QueryableMessage {
  id: string;
  accountId: string;
  direction: 'out' | 'in';
  owner: string;
  from: string;
  to: string[];
  text: string;
  tag?: string;
}

/** The longest search text, cursor and conversation key the control API accepts. */
export const MAX_SEARCH_CHARS = 256;
export const MAX_CURSOR_CHARS = 256;
export const MAX_CONVERSATION_KEY_CHARS = 2048;

/** The handset side of a message: who we sent to, or who sent to us with the other group members. */
export function theirNumbers(message: QueryableMessage): string[] {
  const others = message.direction === 'out' ? message.to : [message.from, ...message.to.filter((n) => n !== message.owner)];
  return [...new Set(others)].sort();
}

/** The conversation a message belongs to: account, our number, the handset numbers. */
export function conversationKey(message: QueryableMessage): string {
  return `${message.accountId}|${message.owner}|${theirNumbers(message).join(',')}`;
}

/** True when the message matches the search: a number (3+ digits), words of its text, its tag, or its id (case-insensitive). */
export function matchesSearch(message: QueryableMessage, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const digits = q.replace(/[^\d+]/g, '');
  const numbers = [message.from, message.owner, ...message.to];
  return (
    (digits.length >= 3 && numbers.some((n) => n.includes(digits))) ||
    message.text.toLowerCase().includes(q) ||
    (message.tag ?? '').toLowerCase().includes(q) ||
    message.id.toLowerCase() === q
  );
}

/** One conversation: an account, one of our numbers, and the handset number(s) on the other side. */
export interface ConversationOf<M extends QueryableMessage> {
  key: string;
  accountId: string;
  ours: string;
  theirs: string[];
  /** Newest first. */
  messages: M[];
  latest: M;
}

/**
 * Group messages into conversations. The messages must come newest first (as the control API lists them): the
 * conversations then come out newest first too, each with its messages newest first, in one pass.
 */
export function groupNewestFirst<M extends QueryableMessage>(messages: Iterable<M>): ConversationOf<M>[] {
  const byKey = new Map<string, ConversationOf<M>>();
  for (const message of messages) {
    const key = conversationKey(message);
    const known = byKey.get(key);
    if (known) known.messages.push(message);
    else byKey.set(key, { key, accountId: message.accountId, ours: message.owner, theirs: theirNumbers(message), messages: [message], latest: message });
  }
  return [...byKey.values()];
}

/** A position in a newest-first list: the time (epoch ms) and id of the last item answered. */
export interface Cursor {
  time: number;
  id: string;
}

/** The opaque cursor for a position: base64url of time and id. */
export function encodeCursor(cursor: Cursor): string {
  // UTF-8 first: btoa takes Latin-1 only, and an imported message's id may be any text.
  const bytes = new TextEncoder().encode(`${cursor.time}|${cursor.id}`);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Read a cursor back; undefined when it is not one this module wrote. */
export function decodeCursor(text: string): Cursor | undefined {
  if (text.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let plain: string;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    plain = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    // atob throws on a length no base64 text has, the decoder on bytes that are not UTF-8: not our cursor.
    return undefined;
  }
  const bar = plain.indexOf('|');
  const time = Number(plain.slice(0, bar));
  const id = plain.slice(bar + 1);
  if (bar < 1 || !Number.isSafeInteger(time) || id === '') return undefined;
  return { time, id };
}
