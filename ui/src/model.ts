// What the inbox shows, derived from the control API's messages: conversations by account and number pair, search.
import type { ControlMessage, RecipientFailure } from '../../src/control/operations.js';
import type { RetryAdvice } from '../../src/error-codes.js';
import type { JournalEntry } from '../../src/store/journal.js';

export type { ControlMessage, JournalEntry };

/** One conversation: an account, one of our numbers, and the handset number(s) on the other side. */
export interface Conversation {
  key: string;
  accountId: string;
  ours: string;
  theirs: string[];
  /** Newest first. */
  messages: ControlMessage[];
  latest: ControlMessage;
}

/** The handset side of a message: who we sent to, or who sent to us with the other group members. */
export function theirNumbers(message: ControlMessage): string[] {
  const others = message.direction === 'out' ? message.to : [message.from, ...message.to.filter((n) => n !== message.owner)];
  return [...new Set(others)].sort();
}

/** The conversation a message belongs to. */
function conversationKey(message: ControlMessage): string {
  return `${message.accountId}|${message.owner}|${theirNumbers(message).join(',')}`;
}

/** Group messages (any order) into conversations, newest conversation first, messages newest first. */
export function groupConversations(messages: Iterable<ControlMessage>): Conversation[] {
  const byKey = new Map<string, Conversation>();
  for (const message of messages) {
    const key = conversationKey(message);
    let conversation = byKey.get(key);
    if (!conversation) {
      conversation = { key, accountId: message.accountId, ours: message.owner, theirs: theirNumbers(message), messages: [], latest: message };
      byKey.set(key, conversation);
    }
    conversation.messages.push(message);
  }
  const newestFirst = (a: ControlMessage, b: ControlMessage) => b.time.localeCompare(a.time) || b.id.localeCompare(a.id);
  const out = [...byKey.values()];
  for (const c of out) {
    c.messages.sort(newestFirst);
    c.latest = c.messages[0]!;
  }
  return out.sort((a, b) => newestFirst(a.latest, b.latest));
}

/** True when the message matches the search: a number, words of its text, or its tag (case-insensitive). */
export function matchesSearch(message: ControlMessage, query: string): boolean {
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

/** Statuses after which the carrier has nothing more to say for a recipient. */
export const FINAL_STATUSES = new Set(['DELIVERED', 'FAILED', 'UNDELIVERED']);

/** One line of a message's timeline: a stored step or a callback attempt, in time order. */
export type TimelineRow =
  | { kind: 'step'; at: string; what: string; recipient?: string; detail?: Record<string, unknown> }
  | { kind: 'attempt'; at: string; entry: JournalEntry };

/** Merge a message's stored timeline with its callback attempts, oldest first. */
export function timelineRows(message: ControlMessage, attempts: JournalEntry[]): TimelineRow[] {
  const rows: TimelineRow[] = [
    ...message.timeline.map((t) => ({ kind: 'step' as const, ...t })),
    ...attempts.map((entry) => ({ kind: 'attempt' as const, at: new Date(entry.at).toISOString(), entry })),
  ];
  // Stable: a step and the attempt it caused share a millisecond; the step comes first as it was stored first.
  return rows.sort((a, b) => a.at.localeCompare(b.at));
}

/** The name to show for a media URL: its last path segment, decoded; a malformed %-escape is shown as written. */
export function mediaName(url: string): string {
  const last = url.split(/[?#]/)[0]!.split('/').filter(Boolean).pop() ?? url;
  try {
    return decodeURIComponent(last);
  } catch {
    // decodeURIComponent throws URIError on a stray '%' or a cut UTF-8 sequence: the raw text is still a fine name.
    return last;
  }
}

/** Whether a stored URL may become a link: http(s) only, so a `javascript:` or `data:` value is shown as text. */
export function isLinkable(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

const RETRY_WORDS: Record<RetryAdvice, string> = {
  no: 'a retry won’t help',
  yes: 'a retry can help',
  once: 'retry once at most',
  later: 'retry later',
  'not-advised': 'retry not advised',
};

/** What a failed recipient's code means for the sender: billable or not, and whether a retry can help. */
export function failureFacts(message: ControlMessage, recipient: string): { facts: string; why: string } | undefined {
  const failure: RecipientFailure | undefined = message.failures?.find((f) => f.to === recipient);
  if (failure?.billable === undefined || failure.retry === undefined) return undefined;
  return {
    facts: `${failure.billable ? 'billable' : 'not billable'} · ${RETRY_WORDS[failure.retry]}`,
    why: `${failure.errorCode} ${failure.name ?? ''}: ${failure.text ?? ''}. ${failure.retryWhy ?? ''}`,
  };
}
