import type { NumberConfig } from '../config/numbers.js';
import type { AccountConfig } from '../config/resolve.js';
import { isE164 } from '../config/schema.js';
import { newMessageId } from '../ids.js';
import type { Rejection } from '../scenarios/engine.js';
import { countSegments } from '../segments.js';
import type { OptOutEntry, OptOutFull } from '../store/opt-outs.js';
import type { StoredMessage } from '../store/messages.js';
import type { Problem } from '../validation/schema-check.js';
import type { CoreParts } from './parts.js';

// Toll-free opt-out as Bandwidth's network does it (README "Toll-free opt-out"), when the account's traffic part
// `optOut` is on. "Our toll-free messaging does enforce STOP/UNSTOP/START commands at the network layer, however the
// onus of honoring these commands and maintaining opt-in and opt-out lists lies with the customer"; "Bandwidth
// doesn't provide any opt-in or opt-out support for long codes and short codes"
// (https://support.bandwidth.com/hc/en-us/articles/360010785613). Bandwidth names these three words only: STOPALL,
// UNSUBSCRIBE, CANCEL, END, QUIT (other platforms' lists) and HELP/INFO ("Keywords such as "Help" and "Info" are not
// handled the same way", Twilio support 360058144374) reach the application as any text does, for it to answer.

/** The keywords the toll-free network acts on, and what each does. */
const KEYWORDS: Readonly<Record<string, 'opt-out' | 'opt-in'>> = { STOP: 'opt-out', UNSTOP: 'opt-in', START: 'opt-in' };

/**
 * The network's answer. Bandwidth does not publish its wording; this is the toll-free network's as Twilio (support
 * article 360058144374) and Vonage (help.nexmo.com 233429767) quote it. The opt-in one echoes the word sent, as Twilio
 * notes it now does ("Start" / "Unstop").
 */
export function autoReplyText(keyword: string): string {
  return KEYWORDS[keyword] === 'opt-out'
    ? 'NETWORK MSG: You replied with the word "stop" which blocks all texts sent from this number. Text back "unstop" to receive messages again.'
    : `NETWORK MSG: You have replied "${keyword.toLowerCase()}" and will begin receiving messages again from this number.`;
}

/** The network keyword a handset's text is, if any: the whole text, trimmed, in any case (STOP, UNSTOP or START). */
export function networkKeyword(text: string | undefined): string | undefined {
  const word = text?.trim().toUpperCase();
  return word !== undefined && Object.hasOwn(KEYWORDS, word) ? word : undefined;
}

/** What the network did with one inbound copy: the auto-reply it stored, and how to take it all back (a failed commit). */
export interface NetworkAnswer {
  reply?: StoredMessage;
  undo: () => void;
}

/**
 * The toll-free network's part in an inbound message: a STOP records an opt-out for (account, number, handset), an
 * UNSTOP or START clears it, and either way the network texts the handset back. The auto-reply is stored as a message
 * from the number to the handset marked `network`, journaled (type `network-auto-reply`, outcome `network`, no POST),
 * and gets no callbacks; the inbound message still reaches the application (its caller plays it). Nothing happens
 * unless the receiving number is toll-free and the account's `optOut` part is on.
 */
export function answerKeyword(parts: CoreParts, message: StoredMessage, entry: NumberConfig | undefined): NetworkAnswer | undefined {
  if (entry?.type !== 'tollFree' || message.channel === 'RBM' || !parts.traffic.for(message.accountId).optOut) return undefined;
  const keyword = networkKeyword(message.text);
  if (!keyword) return undefined;
  const { clock, store, journal, optOuts, timeline, log } = parts;
  const now = clock.now();
  const { accountId, owner: number, from: handset } = message;
  const undo: Array<() => void> = [];
  let changed: boolean;
  if (KEYWORDS[keyword] === 'opt-out') {
    const added = optOuts.add({ accountId, number, handset, at: now, source: 'handset' });
    if ('full' in added) {
      const reason = fullReason(accountId, added);
      store.note(message, { at: now, what: 'opt-out-not-recorded', detail: { keyword, reason } });
      log.warn({ accountId, number, handset }, `the toll-free network's STOP was not recorded: ${reason}`);
      return { undo: () => {} };
    }
    changed = added.added;
    if (changed) undo.push(() => optOuts.remove(accountId, number, handset));
  } else {
    const previous = optOuts.get(accountId, number, handset);
    changed = previous !== undefined && optOuts.remove(accountId, number, handset);
    if (previous && changed) undo.push(() => optOuts.add(previous));
  }
  const text = autoReplyText(keyword);
  const reply: StoredMessage = {
    id: newMessageId(now),
    accountId,
    direction: 'out',
    applicationId: message.applicationId,
    owner: number,
    from: number,
    to: [handset],
    text,
    priority: 'default',
    time: now,
    segmentCount: countSegments({ text, to: [handset] }),
    recipients: [{ to: handset, status: 'DELIVERED', errorCode: 0, updatedAt: now }],
    timeline: [{ at: now, what: 'network-auto-reply', detail: { keyword, inReplyTo: message.id } }],
    network: 'opt-out-auto-reply',
  };
  store.add(reply);
  undo.push(() => store.withdraw(reply));
  store.note(message, {
    at: now,
    what: KEYWORDS[keyword]!,
    detail: { keyword, number, handset, changed, autoReplyId: reply.id },
  });
  const explanation =
    KEYWORDS[keyword] === 'opt-out'
      ? `${handset} texted ${keyword} to the toll-free number ${number}: the network ${changed ? 'recorded' : 'kept'} its opt-out and answered it; messages from ${number} to it now fail with 4775 (README "Toll-free opt-out")`
      : `${handset} texted ${keyword} to the toll-free number ${number}: the network ${changed ? 'cleared its opt-out' : 'had no opt-out for it'} and answered it`;
  const recorded = journal.record({
    eventId: timeline.newEventId(),
    accountId,
    messageId: reply.id,
    applicationId: message.applicationId,
    type: 'network-auto-reply',
    recipient: handset,
    attempt: 0,
    at: now,
    durationMs: 0,
    request: {
      headers: {},
      body: [
        {
          type: 'network-auto-reply',
          time: new Date(now).toISOString(),
          description: `The toll-free network answered ${keyword}; the application gets no callback for this message`,
          to: handset,
          keyword,
          inReplyTo: message.id,
          message: {
            id: reply.id,
            time: new Date(now).toISOString(),
            direction: 'out',
            from: number,
            to: [handset],
            text,
            owner: number,
            segmentCount: reply.segmentCount,
          },
        },
      ],
    },
    outcome: 'network',
    explanation,
  });
  undo.push(() => journal.withdraw(recorded.seq));
  return {
    reply,
    undo: () => {
      for (const fn of undo.reverse()) fn();
    },
  };
}

/**
 * Recipients that opted out of this toll-free number fail: 4775 destination-rejected-due-to-user-opt-out ("User has
 * opted out of receiving messages from a particular sender", Bandwidth/api-docs errors.mdx). Bandwidth ties no code to
 * toll-free STOP; 4775 is the one opt-out code it publishes, so the mapping is this emulator's inference. Only those
 * recipients fail, as 4401 does (Rejection.recipients).
 */
export function optOutRejection(parts: CoreParts, account: AccountConfig, entry: NumberConfig, to: readonly string[] | undefined): Rejection | undefined {
  if (entry.type !== 'tollFree' || !to?.length || !parts.traffic.for(account.id).optOut) return undefined;
  const opted = to.filter((handset) => parts.optOuts.has(account.id, entry.number, handset));
  if (opted.length === 0) return undefined;
  return {
    errorCode: 4775,
    recipients: new Set(opted),
    why: `${opted.join(', ')} texted STOP to the toll-free number ${entry.number} and has not texted START or UNSTOP since: the network blocks the message (message-failed 4775, the emulator's inference: README "Toll-free opt-out")`,
  };
}

/** The outcome of adding an opt-out through the control API: done, an unknown account, or what is wrong. */
export type AddOptOutResult = { entry: OptOutEntry; created: boolean } | { unknownAccount: true } | { problems: Problem[] };

/**
 * Add an opt-out as if the handset had texted STOP (the control API): the number must be a toll-free number of the
 * account (long codes and short codes have no platform opt-out), both numbers E.164, and the caps not reached.
 */
export function addOptOut(parts: CoreParts, accountId: string, request: { number?: unknown; handset?: unknown }): AddOptOutResult {
  const account = parts.accounts.find(accountId);
  if (!account) return { unknownAccount: true };
  const source = `POST /__emulator/accounts/${accountId.slice(0, 64)}/opt-outs`;
  const problems: Problem[] = [];
  const number = typeof request.number === 'string' ? request.number : '';
  const handset = typeof request.handset === 'string' ? request.handset : '';
  for (const [field, value] of [
    ['number', number],
    ['handset', handset],
  ] as const)
    if (value.length > 16 || !isE164(value))
      problems.push({
        source,
        field,
        problem: `${JSON.stringify(String(value).slice(0, 40))} is not an E.164 number`,
        fix: 'write it as +<country><number>, e.g. +18005550100',
      });
  if (problems.length > 0) return { problems };
  const entry = parts.accounts.number(account, number);
  if (!entry)
    return {
      problems: [
        { source, field: 'number', problem: `is not a number of account ${account.id}`, fix: `GET /__emulator/accounts/${account.id}/numbers lists them` },
      ],
    };
  if (entry.type !== 'tollFree')
    return {
      problems: [
        {
          source,
          field: 'number',
          problem: `is a ${entry.type === 'local' ? 'local number' : 'short code'}: Bandwidth's network handles opt-out for toll-free numbers only`,
          fix: "use one of the account's toll-free numbers; a long code's opt-out comes from a scenario (scenarios/opt-out.yaml)",
        },
      ],
    };
  const added = parts.optOuts.add({ accountId: account.id, number, handset, at: parts.clock.now(), source: 'control' });
  if ('full' in added)
    return { problems: [{ source, field: '(list)', problem: fullReason(account.id, added), fix: 'remove opt-outs first (DELETE one, or all)' }] };
  return { entry: added.entry, created: added.added };
}

function fullReason(accountId: string, full: OptOutFull): string {
  return full.full === 'account'
    ? `account ${accountId} holds ${full.cap} opt-outs already (the cap per account)`
    : `the emulator holds ${full.cap} opt-outs already (the cap over all accounts)`;
}
