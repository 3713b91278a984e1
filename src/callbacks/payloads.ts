import { describeErrorCode } from '../error-codes.js';
import type { StoredMessage } from '../store/messages.js';
import { isoTime } from '../iso-time.js';
import { CallbackType, type InboundType, type StatusType } from '../model/events.js';

/** One element of the JSON array Bandwidth POSTs to a callback URL. */
export interface CallbackEvent {
  type: string;
  time: string;
  description: string;
  to: string;
  errorCode?: number;
  eventTime?: string;
  message: Record<string, unknown>;
  carrierName?: string;
}

// "This field is present only when this account feature has been enabled" (the spec's carrierName of statusCallback
// and inboundCallback): the carrier of the handset's number recorded at acceptance, when the account had the feature.
function withCarrierName(event: CallbackEvent, message: StoredMessage, recipient: string): CallbackEvent {
  if (!message.provisioning?.carrierNameOnCallbacks) return event;
  const carrierName = message.recipients.find((r) => r.to === recipient)?.carrierName;
  if (carrierName) event.carrierName = carrierName;
  return event;
}

const iso = isoTime;

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
  if (message.channel) body.channel = message.channel;
  if (message.suggestionResponse) body.suggestionResponse = message.suggestionResponse;
  if (message.locationResponse) body.locationResponse = message.locationResponse;
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
  // Bandwidth's read receipt says when it was read in eventTime; the emulator reads at the moment it reports.
  if (type === CallbackType.read) event.eventTime = iso(atMs);
  return withCarrierName(event, message, recipient);
}

function describeStatus(message: StoredMessage, type: StatusType, failure?: { errorCode: number; description?: string }): string {
  if (type === CallbackType.sending) return 'Message is sending to carrier';
  // The spec's messageSentCallbackExample.
  if (type === CallbackType.sent) return 'Message sent to carrier';
  if (type === CallbackType.read) return 'Message read by the recipient';
  if (type === CallbackType.delivered) return isMms(message) ? 'Message delivered to carrier' : 'Message delivered to handset.';
  return failure?.description ?? describeErrorCode(failure?.errorCode ?? 9999);
}

/** Which inbound event a stored inbound message is: an RBM response, or a plain `message-received`. */
export function inboundTypeOf(message: StoredMessage): InboundType {
  if (message.suggestionResponse) return CallbackType.suggestionResponse;
  if (message.locationResponse) return CallbackType.locationResponse;
  return CallbackType.received;
}

const INBOUND_DESCRIPTION: Record<InboundType, string> = {
  'message-received': 'Incoming message received',
  'suggestion-response': 'Suggestion response received',
  'requested-location-response': 'Requested location response received',
};

// The spec's rbmMessageContentFile.fileUrl: a URI of at most 1000 characters.
const MAX_CONTENT_FILE_URL = 1000;

/**
 * The spec's inboundCallbackMessage.content (multiChannelMessageContent, `{text?, media?: {fileUrl}}`) of an inbound
 * message in a multichannel conversation (one with a `channel`: RBM, or SMS/MMS on a multichannel message's channel):
 * the same text and the first media file as the message's own `text` and `media`, which stay for every SDK model
 * (the spec's `media` here is one file, not a list; one it could not carry, over 1000 characters or not a URL, is left
 * out). A plain SMS/MMS inbound has no content, as in the spec's examples; nor has a message with neither.
 */
function contentOf(message: StoredMessage): { text?: string; media?: { fileUrl: string } } | undefined {
  if (!message.channel) return undefined;
  const content: { text?: string; media?: { fileUrl: string } } = {};
  if (message.text) content.text = message.text;
  const fileUrl = message.media?.[0];
  if (fileUrl !== undefined && fileUrl.length <= MAX_CONTENT_FILE_URL && URL.canParse(fileUrl)) content.media = { fileUrl };
  return content.text === undefined && content.media === undefined ? undefined : content;
}

/** The inbound event (`message-received`, or an RBM response) for one owned recipient of an inbound message. */
export function inboundEvent(message: StoredMessage, atMs: number): CallbackEvent {
  const type = inboundTypeOf(message);
  const body = messageObject(message, message.text);
  const content = contentOf(message);
  if (content) body.content = content;
  const event = { type, time: iso(atMs), description: INBOUND_DESCRIPTION[type], to: message.owner, message: body };
  return withCarrierName(event, message, message.owner);
}
