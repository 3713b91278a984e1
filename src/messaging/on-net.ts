import type { PlannedStep } from '../model/plan.js';
import type { Rejection } from '../scenarios/engine.js';
import type { StoredMessage } from '../store/messages.js';
import type { InboundMessaging } from './inbound.js';
import { ownMediaObject } from './media-checks.js';
import type { CoreParts } from './parts.js';
import { StorageWriteError, type InboundAttachment } from './types.js';

// On-net delivery (README "On-net delivery"): a message from one of the emulator's numbers to another of its numbers,
// in the same account or another, also arrives at the destination number's application as message-received, as from
// a handset. Bandwidth's test plan asks to test it ("Local DID testing — Ensure messages sent TO numbers in an
// account are routing properly via applications", https://www.bandwidth.com/support/en/articles/12822930-messaging-test-plan)
// and gives each owned recipient of a group message its own event ("For group messages where you own multiple
// recipient phone numbers, you will receive a distinct event and messageId for each individual recipient",
// https://dev.bandwidth.com/docs/messaging/webhooks). When it arrives is the emulator's choice: Bandwidth documents
// no on-net shortcut, so the message takes its usual road and arrives when that recipient's message-delivered fires.

/**
 * The loop bound, the emulator's own numbers (Bandwidth gives none): more than 20 on-net messages between the same
 * two numbers, either way, within 60 s of the emulator's clock fail with 4401 rejected-routing-error, Bandwidth's
 * code for "a message is being sent repeatedly between the same numbers" (https://dev.bandwidth.com/docs/messaging/errors).
 * Two applications that answer each other's messages end there instead of running for ever.
 */
export const ON_NET_LOOP = { messages: 20, windowMs: 60_000 } as const;

/** Whether an outbound message goes on-net at all: a message from a number (RBM sends from an agent id). */
function fromANumber(message: StoredMessage): boolean {
  return message.direction === 'out' && message.channel !== 'RBM';
}

/**
 * The recipients of an outbound message that would loop between two of the emulator's numbers (ON_NET_LOOP), when
 * the sender's account has on-net delivery on: they fail with 4401; the others go on. Counts every on-net recipient.
 */
export function onNetLoopRejection(parts: CoreParts, accountId: string, from: string, to: readonly string[] | undefined): Rejection | undefined {
  if (!to?.length || !parts.traffic.for(accountId).onNet) return undefined;
  const looping = new Set<string>();
  let count = 0;
  for (const number of new Set(to)) {
    const owner = number === from ? undefined : parts.accounts.ownerOf(number);
    if (!owner) continue;
    const pair = from < number ? `${from} ${number}` : `${number} ${from}`;
    const taken = parts.onNetVolume.take(pair, [accountId, owner.id], ON_NET_LOOP.windowMs, ON_NET_LOOP.messages);
    if (taken.over) {
      looping.add(number);
      count = Math.max(count, taken.count);
    }
  }
  if (looping.size === 0) return undefined;
  return {
    errorCode: 4401,
    recipients: looping,
    why:
      `${count} on-net messages between ${from} and ${[...looping].join(', ')} within ${ON_NET_LOOP.windowMs / 1000} s, over the loop bound of ` +
      `${ON_NET_LOOP.messages}: Bandwidth cannot route a message sent repeatedly between the same numbers: message-failed 4401`,
  };
}

/** Delivers on-net: when a recipient that is one of the emulator's numbers gets message-delivered, its application receives the message. */
export class OnNetDelivery {
  constructor(
    private readonly parts: CoreParts,
    private readonly inbound: InboundMessaging,
  ) {}

  /** Watch the timeline's fired steps; returns the function that stops watching. */
  attach(): () => void {
    return this.parts.timeline.observe({
      planned: () => undefined,
      fired: (message: StoredMessage, recipient: string, index: number, steps: readonly PlannedStep[]) => {
        if (steps[index]?.type === 'message-delivered') this.delivered(message, recipient);
      },
    });
  }

  /**
   * A recipient of an outbound message was delivered: when the sender's account has on-net delivery on and one of
   * the emulator's numbers is that recipient, it receives its own copy (own id, direction in, from the sender, the
   * group's numbers in `to`, the same text, media copied into its account) through the inbound road, once.
   */
  delivered(message: StoredMessage, recipient: string): void {
    const { accounts, clock, log, store, traffic } = this.parts;
    if (!fromANumber(message) || recipient === message.from || !traffic.for(message.accountId).onNet) return;
    if (!accounts.ownerOf(recipient)) return;
    // Once per recipient, whatever a scenario replays after the final event.
    if (message.timeline.some((entry) => entry.what === 'on-net' && entry.recipient === recipient)) return;
    try {
      const [copy] = this.inbound.receive({ from: message.from, to: [...message.to], text: message.text, media: this.mediaOf(message) }, undefined, recipient);
      if (!copy) return;
      const at = clock.now();
      store.note(message, { at, what: 'on-net', recipient, detail: { messageId: copy.id, accountId: copy.accountId } });
      store.note(copy, { at, what: 'on-net', detail: { messageId: message.id, accountId: message.accountId } });
    } catch (error) {
      if (!(error instanceof StorageWriteError)) throw error;
      log.error({ messageId: message.id, recipient, err: error }, 'an on-net message could not be written to the data dir; it was not received');
    }
  }

  // Media on the sender's media API is copied into the receiving account, as Bandwidth serves inbound media under the
  // receiver's account; other URLs pass as they are.
  private mediaOf(message: StoredMessage): Array<string | InboundAttachment> | undefined {
    if (!message.media?.length) return undefined;
    return message.media.map((url) => {
      const object = ownMediaObject(this.parts, message.accountId, url);
      if (!object) return url;
      const filename = object.mediaId.split('/').pop() || 'attachment';
      return { filename, contentType: object.contentType, contentBase64: object.bytes.toString('base64') };
    });
  }
}
