// The event vocabulary that planning (scenarios) and delivery (callbacks) share: neither imports the other for it.

/** Callback `type` strings, verbatim as Bandwidth sends them. */
export const CallbackType = {
  sending: 'message-sending',
  /**
   * The hand-off downstream (Bandwidth, July 2026: "triggers when Bandwidth confirms the handoff of your message
   * downstream"); opt-in per application, so only applications whose callbackTypes list it get it planned.
   */
  sent: 'message-sent',
  delivered: 'message-delivered',
  failed: 'message-failed',
  received: 'message-received',
  /** RBM only: the recipient read the message (carries `eventTime`). */
  read: 'message-read',
  /** RBM only, inbound: the user tapped a suggested reply or action. */
  suggestionResponse: 'suggestion-response',
  /** RBM only, inbound: the user shared the location an RBM message asked for. */
  locationResponse: 'requested-location-response',
} as const;

/** An outbound status event type. */
export type StatusType = (typeof CallbackType)['sending' | 'sent' | 'delivered' | 'failed' | 'read'];

/** An inbound event type. */
export type InboundType = (typeof CallbackType)['received' | 'suggestionResponse' | 'locationResponse'];
