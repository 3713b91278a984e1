import { Type, type Static } from 'typebox';
import { DurationMs, SafeInteger } from '../validation/bounds.js';
import { LocationResponseSchema, SuggestionResponseSchema } from '../store/messages.js';
import { CallbackType } from './events.js';

// What planning (scenarios) hands to delivery (callbacks): a neutral module, so neither imports the other for it.

/** The most extra copies a step may send: the scenario schema's `callbackFaults.duplicate` maximum. */
const MAX_DUPLICATES = 10;

/** One status event a recipient will get, `afterMs` emulated milliseconds after the 202. */
export const PlannedStepSchema = Type.Object({
  afterMs: DurationMs('emulated ms after the 202'),
  type: Type.Union([
    Type.Literal(CallbackType.sending),
    Type.Literal(CallbackType.sent),
    Type.Literal(CallbackType.delivered),
    Type.Literal(CallbackType.failed),
    Type.Literal(CallbackType.read),
  ]),
  errorCode: Type.Optional(SafeInteger()),
  description: Type.Optional(Type.String()),
  /** Extra copies to send (a duplicated callback). */
  duplicates: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_DUPLICATES })),
  /** The event happens (status moves) but its callback is never sent. */
  dropped: Type.Optional(Type.Boolean()),
  /**
   * A scripted disorder (scenario `callbackFaults`): the callback is sent where it stands, after the final event, but
   * the recipient's status does not move back, and the journal says it was scripted. `sending-after-final`: the
   * recipient's only message-sending; `stale-after-final`: an earlier message-sending again, with its first time.
   */
  disorder: Type.Optional(Type.Union([Type.Literal('sending-after-final'), Type.Literal('stale-after-final')])),
});
/** One status event a recipient will get, `afterMs` emulated milliseconds after the 202. */
export type PlannedStep = Static<typeof PlannedStepSchema>;

/** A reply the recipient's handset sends back, `afterMs` after the 202. */
export const PlannedReplySchema = Type.Object({
  afterMs: DurationMs('emulated ms after the 202'),
  from: Type.String(),
  to: Type.Array(Type.String()),
  text: Type.String(),
  media: Type.Optional(Type.Array(Type.String())),
  suggestionResponse: Type.Optional(SuggestionResponseSchema),
  locationResponse: Type.Optional(LocationResponseSchema),
});
/** A reply the recipient's handset sends back, `afterMs` after the 202. */
export type PlannedReply = Static<typeof PlannedReplySchema>;

/** What will happen to an outbound message: a timeline and an explanation per recipient, and any replies. */
export interface OutboundPlan {
  steps: Map<string, PlannedStep[]>;
  explanations: Map<string, string>;
  replies: PlannedReply[];
}
