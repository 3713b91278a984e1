// Receipts as routes produce them (README "Receipts as routes produce them"): what the account's MMS delivery-receipt
// feature does to an MMS timeline, and the receipt window that ends in 9902 (or, carrier-reported, 4794).
import { errorCodeInfo } from '../error-codes.js';
import type { PlannedStep } from '../model/plan.js';
import type { EventStep, ReceiptOutcome } from './compile.js';

/** What the account asks of receipts when a message is planned: its receipt window and its MMS receipts feature. */
export interface ReceiptPolicy {
  /** Emulated ms a message waits for its delivery receipt before it fails with 9902 (traffic `receiptWindow`). */
  windowMs: number;
  /** The account feature Feature_MMS_DLR (config `accounts[].features.mmsDeliveryReceipts`; on unless set to false). */
  mmsDeliveryReceipts: boolean;
  /**
   * The application the status callbacks go to lists `message-sent` in its callbackTypes: Bandwidth's hand-off
   * receipt is opt-in per application (src/scenarios/message-sent.ts). Off unless set.
   */
  messageSent?: boolean;
}

/**
 * Bandwidth's: a two-hour receipt window ("the system timed out at two hours", 9902 on
 * https://dev.bandwidth.com/docs/messaging/errors) and MMS receipts on ("Most accounts are enabled by default for this
 * functionality", https://support.bandwidth.com/hc/en-us/articles/360051643414).
 */
export const DEFAULT_RECEIPT_POLICY: ReceiptPolicy = { windowMs: 2 * 3_600_000, mmsDeliveryReceipts: true };

/**
 * The code each outcome fails with at the end of the window: 9902 `delivery-receipt-expired` ("Bandwidth timed out
 * waiting for the delivery receipt"), and 4794 `destination-rejected-expired` ("Message expired with the mobile
 * operator", effective 2026-02-09: https://www.bandwidth.com/support/en/articles/13566494-new-error-code-for-expired-messages-4-794).
 * When the operator reports its expiry is not published: the emulator uses the same window (ours).
 */
const RECEIPT_FAILURE: Readonly<Record<ReceiptOutcome, number>> = { none: 9902, 'carrier-expired': 4794 };

/** The events of a rule with `receipt`: its events (or the route's before the receipt), then the failure after the window. */
export function withReceiptOutcome(events: EventStep[], outcome: ReceiptOutcome, windowMs: number): EventStep[] {
  return [...events, { type: 'message-failed', errorCode: RECEIPT_FAILURE[outcome], afterMs: windowMs }];
}

/** The words of a receipt outcome in a rule's explain() line. */
export function explainReceipt(outcome: ReceiptOutcome): string {
  return outcome === 'none'
    ? 'no receipt: message-failed 9902 after the receipt window'
    : 'expired at the carrier: message-failed 4794 after the receipt window';
}

/**
 * A failure Bandwidth itself detects (the errors page's Bandwidth-detected groups, 4xxx client and 5xxx service)
 * happens before the hand-off downstream: still reported without Feature_MMS_DLR, and never after a message-sent.
 */
export const beforeHandOff = (step: PlannedStep): boolean => {
  const group = step.errorCode === undefined ? undefined : errorCodeInfo(step.errorCode)?.group;
  return group === 'bandwidth-client' || group === 'bandwidth-service';
};

/**
 * An MMS timeline without Feature_MMS_DLR (https://dev.bandwidth.com/docs/messaging/webhooks): no `message-sending`
 * ("for MMS only if you have the Feature_MMS_DLR feature flag enabled"), and `message-delivered` when the message is
 * handed off to Bandwidth's MMSC ("will not represent true delivery ... has not been confirmed at the downstream
 * carrier"), so what the handset or the carrier does later (a failure, a lost receipt, 9902) is never reported.
 * Returns the steps and, when they changed, what was not reported, for the explanation.
 */
export function mmsWithoutReceipts(steps: PlannedStep[], sendingDelayMs: number): { steps: PlannedStep[]; hidden?: string } {
  const final = steps.find((step) => step.type === 'message-delivered' || step.type === 'message-failed');
  if (final?.type === 'message-failed' && beforeHandOff(final)) {
    const without = steps.filter((step) => step.type !== 'message-sending');
    return without.length === steps.length ? { steps } : { steps: without, hidden: 'message-sending (sent only with the feature)' };
  }
  // A scripted message-sent is the application's own opt-in, not the feature's: it stays, and it marks the hand-off.
  const sent = steps.find((step) => step.type === 'message-sent' && !step.disorder);
  const sending = steps.find((step) => step.type === 'message-sending');
  const handOffMs = (sent ?? sending ?? final)?.afterMs ?? sendingDelayMs;
  const like = final ?? sending;
  const delivered: PlannedStep = { afterMs: handOffMs, type: 'message-delivered', duplicates: like?.duplicates, dropped: like?.dropped };
  const outcome = final ? final.type + (final.errorCode !== undefined ? ` ${final.errorCode}` : '') : 'no receipt';
  return { steps: sent ? [sent, delivered] : [delivered], hidden: `the handset's outcome (${outcome})` };
}
