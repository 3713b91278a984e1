import { Type, type Static } from 'typebox';
import { Count, EpochMs, Sequence } from '../validation/bounds.js';
import { PlannedReplySchema, PlannedStepSchema } from './plan.js';

// Work the emulator owes but has not done yet, in the form that outlives a process (data dir, state documents).

/** A recipient's planned status events not fired yet: `next` is the index of the next step, due at `dueAt` (epoch ms). */
const PendingStepsSchema = Type.Object({
  accountId: Type.String(),
  messageId: Type.String(),
  recipient: Type.String(),
  steps: Type.Array(PlannedStepSchema, { minItems: 1 }),
  next: Count(),
  dueAt: EpochMs('when the next step is due, epoch ms'),
  explanation: Type.Optional(Type.String()),
});
/** A recipient's planned status events not fired yet; see PendingStepsSchema. */
export type PendingSteps = Static<typeof PendingStepsSchema>;

/** A callback event as it is kept between attempts: everything but the credentials, which come from the config. */
const DeliveryRecordSchema = Type.Object({
  eventId: Type.String({ minLength: 1 }),
  accountId: Type.String(),
  messageId: Type.String(),
  applicationId: Type.String(),
  type: Type.String(),
  recipient: Type.String(),
  body: Type.Array(Type.Unknown()),
  target: Type.Optional(Type.String({ description: 'absent when the application has no URL for this direction' })),
  explanation: Type.Optional(Type.String()),
});
/** A callback event as it is kept between attempts; see DeliveryRecordSchema. */
export type DeliveryRecord = Static<typeof DeliveryRecordSchema>;

/** Where an unsettled event stands: its next attempt, the retries used so far and whether it sends credentials. */
const AttemptStateSchema = Type.Object({ attempt: Sequence(1), retriesUsed: Sequence(0), withCredentials: Type.Boolean() });
/** Where an unsettled event stands; see AttemptStateSchema. */
export type AttemptState = Static<typeof AttemptStateSchema>;

/** A callback event not settled yet (first attempt or a retry waiting), with its next attempt due at `dueAt`. */
const PendingDeliverySchema = Type.Object({
  delivery: DeliveryRecordSchema,
  next: AttemptStateSchema,
  dueAt: EpochMs('when the next attempt is due, epoch ms'),
});
/** A callback event not settled yet; see PendingDeliverySchema. */
export type PendingDelivery = Static<typeof PendingDeliverySchema>;

/** A scenario reply not sent yet: the handset's answer to message `messageId`, due at `dueAt`. */
const PendingReplySchema = Type.Object({
  key: Type.String({ minLength: 1 }),
  accountId: Type.String(),
  messageId: Type.String(),
  reply: PlannedReplySchema,
  dueAt: EpochMs('when the reply is due, epoch ms'),
});
/** A scenario reply not sent yet; see PendingReplySchema. */
export type PendingReply = Static<typeof PendingReplySchema>;

/** Everything pending, as a data dir or a state document holds it. */
export const PendingWorkSchema = Type.Object({
  steps: Type.Array(PendingStepsSchema),
  deliveries: Type.Array(PendingDeliverySchema),
  replies: Type.Optional(Type.Array(PendingReplySchema)),
});
/** Everything pending; see PendingWorkSchema. */
export type PendingWork = Static<typeof PendingWorkSchema>;
