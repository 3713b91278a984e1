// Bandwidth's hand-off receipt, `message-sent` (README "Callbacks"): "Effective July 6, 2026, Bandwidth is introducing
// a new message-sent callback ... The message-sent event triggers when Bandwidth confirms the handoff of your message
// downstream. It indicates receipt at the transport level, however it does not confirm that the carrier has processed
// or accepted the message" (https://www.bandwidth.com/support/en/articles/15606778-changes-to-message-delivery-callbacks-and-dlr-wait-time).
// It is opt-in per application ("enable it on each relevant Application separately"), so it is planned only for an
// application that lists it in callbackTypes; for the others it does not exist, as at Bandwidth.
import type { PlannedStep } from '../model/plan.js';
import { beforeHandOff } from './receipts.js';

const isFinal = (step: PlannedStep) => step.type === 'message-delivered' || step.type === 'message-failed';

/**
 * One recipient's timeline with its `message-sent` at the hand-off: after any message-sending, at `sendingDelayMs`
 * after the plan starts at the earliest, never after the final event (delivered or failed), which stays the one final
 * event. Left as it is when a message-sent is already there (a scenario scripted it, with its own timing), or when the
 * final event is a failure Bandwidth detects itself (4xxx/5xxx of its own groups: the message never left). A timeline
 * without a final event (a lost receipt) was still handed off: its message-sent comes after its last event.
 */
export function withMessageSent(steps: PlannedStep[], sendingDelayMs: number): PlannedStep[] {
  if (steps.some((step) => step.type === 'message-sent')) return steps;
  const final = steps.findIndex(isFinal);
  if (final !== -1 && beforeHandOff(steps[final]!)) return steps;
  const end = final === -1 ? steps.length : final;
  const previous = end > 0 ? steps[end - 1]! : undefined;
  const latest = final === -1 ? Number.POSITIVE_INFINITY : steps[final]!.afterMs;
  const afterMs = Math.min(Math.max(previous?.afterMs ?? 0, sendingDelayMs), latest);
  // Planned before the callback faults, which then reshape it with the rest (drop, delay, duplicate...).
  const sent: PlannedStep = { afterMs, type: 'message-sent' };
  return [...steps.slice(0, end), sent, ...steps.slice(end)];
}
