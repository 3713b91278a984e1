import { describeErrorCode } from '../error-codes.js';
import type { StoredMessage } from '../store/messages.js';

/** Callback `type` strings, verbatim as Bandwidth sends them. */
export const CallbackType = {
  sending: 'message-sending',
  delivered: 'message-delivered',
  failed: 'message-failed',
  received: 'message-received',
} as const;

/** An outbound status event type. */
export type StatusType = (typeof CallbackType)['sending' | 'delivered' | 'failed'];

/** One element of the JSON array Bandwidth POSTs to a callback URL. */
export interface CallbackEvent {
  type: string;
  time: string;
  description: string;
  to: string;
  errorCode?: number;
  message: Record<string, unknown>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The `message` object of an event: the spec's statusCallbackMessage / inboundCallbackMessage. */
function messageObject(message: StoredMessage, text: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: message.id,
    owner: message.owner,
    applicationId: message.applicationId,
    time: iso(message.time),
    segmentCount: message.segmentCount,
    direction: message.direction,
    to: message.to,
    from: message.from,
    text,
  };
  if (message.media) body.media = message.media;
  if (message.tag !== undefined) body.tag = message.tag;
  if (message.direction === 'out') body.priority = message.priority;
  return body;
}

const isMms = (message: StoredMessage) => (message.media?.length ?? 0) > 0 || message.to.length > 1;

/** A status event for one recipient: text is never repeated in status callbacks, tag always is. */
export function statusEvent(
  message: StoredMessage,
  type: StatusType,
  recipient: string,
  atMs: number,
  failure?: { errorCode: number; description?: string },
): CallbackEvent {
  const event: CallbackEvent = {
    type,
    time: iso(atMs),
    description: describeStatus(message, type, failure),
    to: recipient,
    message: messageObject(message, ''),
  };
  if (type === CallbackType.failed) event.errorCode = failure?.errorCode ?? 9999;
  return event;
}

function describeStatus(message: StoredMessage, type: StatusType, failure?: { errorCode: number; description?: string }): string {
  if (type === CallbackType.sending) return 'Message is sending to carrier';
  if (type === CallbackType.delivered) return isMms(message) ? 'Message delivered to carrier' : 'Message delivered to handset.';
  return failure?.description ?? describeErrorCode(failure?.errorCode ?? 9999);
}

/** The `message-received` event for one owned recipient of an inbound message. */
export function inboundEvent(message: StoredMessage, atMs: number): CallbackEvent {
  return {
    type: CallbackType.received,
    time: iso(atMs),
    description: 'Incoming message received',
    to: message.owner,
    message: messageObject(message, message.text),
  };
}
