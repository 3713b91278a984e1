import type { StatusType } from '../callbacks/payloads.js';
import { CallbackType } from '../callbacks/payloads.js';
import type { StoredMessage } from '../store/messages.js';

/** One status event a recipient will get, `afterMs` emulated milliseconds after the 202. */
export interface PlannedStep {
  afterMs: number;
  type: StatusType;
  errorCode?: number;
  description?: string;
}

/** What will happen to an outbound message: a timeline per recipient, and why. */
export interface OutboundPlan {
  steps: Map<string, PlannedStep[]>;
  explanation: string;
}

/** Facts about the send the planner needs but cannot derive from the message alone. */
export interface PlanContext {
  applicationKnown: boolean;
  fromOwned: boolean;
  deliveryDelayMs: number;
  sendingDelayMs: number;
}

const isMms = (message: StoredMessage) => (message.media?.length ?? 0) > 0 || message.to.length > 1;

/** Pure: the default outcome (delivery) or Bandwidth's asynchronous rejections for an unknown application or sender. */
export function planDefault(message: StoredMessage, context: PlanContext): OutboundPlan {
  const fail = (errorCode: number, why: string): OutboundPlan => ({
    steps: new Map(message.to.map((to) => [to, [{ afterMs: context.sendingDelayMs, type: CallbackType.failed, errorCode }]])),
    explanation: why,
  });
  // Bandwidth accepts these with a 202 and fails them asynchronously (reference §3.2).
  if (!context.applicationKnown) return fail(4452, `applicationId ${message.applicationId} is not an application of account ${message.accountId}: message-failed 4452`);
  if (!context.fromOwned) return fail(4403, `from ${message.from} is not a number of account ${message.accountId}: message-failed 4403`);
  const steps: PlannedStep[] = isMms(message)
    ? [
        { afterMs: context.sendingDelayMs, type: CallbackType.sending },
        { afterMs: Math.max(context.deliveryDelayMs, context.sendingDelayMs), type: CallbackType.delivered },
      ]
    : [{ afterMs: context.deliveryDelayMs, type: CallbackType.delivered }];
  return {
    steps: new Map(message.to.map((to) => [to, steps])),
    explanation: 'no scenario rule matched: default outcome, delivered',
  };
}
