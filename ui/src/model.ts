// What the inbox shows, derived from the control API's messages: conversations by account and number pair, search.
import type { ControlMessage, RecipientFailure } from '../../src/control/operations.js';
import type { RetryAdvice } from '../../src/error-codes.js';
import type { JournalEntry } from '../../src/store/journal.js';
import { groupNewestFirst, type ConversationOf } from '../../src/control/message-query.js';

export type { ControlMessage, JournalEntry };

/** One conversation as the control API answers it (GET /__emulator/conversations). */
export type { ConversationSummary } from '../../src/control/operations.js';
/** The search and grouping the control API uses too, so the page and the server agree. */
export { matchesSearch, theirNumbers } from '../../src/control/message-query.js';

/** One conversation with all its messages (newest first), grouped in the page. */
export type Conversation = ConversationOf<ControlMessage>;

/** Group messages (any order) into conversations, newest conversation first, messages newest first. */
export function groupConversations(messages: Iterable<ControlMessage>): Conversation[] {
  const sorted = [...messages].sort((a, b) => b.time.localeCompare(a.time) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0));
  return groupNewestFirst(sorted);
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
