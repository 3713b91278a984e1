import type { CarrierOutcome } from '../callbacks/timeline.js';
import { describeErrorCode, isKnownErrorCode, MESSAGE_ERROR_CODES } from '../error-codes.js';
import type { MessageStatus } from '../store/messages.js';
import type { CoreParts } from './parts.js';

/** What the carrier console asks for: deliver now, or fail with a Bandwidth error code; one recipient or every one in flight. */
export interface CarrierRequest {
  action: 'deliver' | 'fail';
  /** Required for `fail`: a code of Bandwidth's message-failed table (src/error-codes.ts). */
  errorCode?: number;
  /** One recipient of the message; without it, every recipient still in flight. */
  recipient?: string;
}

/** What a carrier action did, per recipient: the scheduled steps it replaced. */
export interface CarrierResult {
  messageId: string;
  acted: Array<{ recipient: string; type: CarrierOutcome['type']; cancelledSteps: number }>;
}

// Statuses a recipient cannot leave: the carrier has already answered for it.
const FINAL: ReadonlySet<MessageStatus> = new Set(['DELIVERED', 'FAILED', 'UNDELIVERED']);

/** Why a carrier request cannot be carried out (unknown message, inbound, final recipient, bad code). */
export class CarrierRefusal extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
    this.name = 'CarrierRefusal';
  }
}

/** Act as the carrier on an outbound message still in flight: its remaining steps are replaced by the chosen one. */
export function actAsCarrier(parts: CoreParts, messageId: string, request: CarrierRequest): CarrierResult {
  const message = parts.store.find(messageId);
  if (!message) throw new CarrierRefusal(`no stored message ${messageId} (it may have been evicted or reset)`, true);
  if (message.direction !== 'out') throw new CarrierRefusal(`message ${messageId} is inbound: only outbound messages are in flight at a carrier`);
  const outcome = toOutcome(request);
  const rows =
    request.recipient === undefined ? message.recipients.filter((r) => !FINAL.has(r.status)) : message.recipients.filter((r) => r.to === request.recipient);
  if (request.recipient !== undefined && rows.length === 0) {
    throw new CarrierRefusal(
      `${request.recipient} is not a recipient of message ${messageId}; its recipients are ${message.recipients.map((r) => r.to).join(', ')}`,
    );
  }
  const final = rows.find((r) => FINAL.has(r.status));
  if (final) throw new CarrierRefusal(`recipient ${final.to} of message ${messageId} is already ${final.status}: the carrier has answered for it`);
  if (rows.length === 0) throw new CarrierRefusal(`message ${messageId} has no recipient in flight: every one is already delivered or failed`);
  const account = parts.accounts.get(message.accountId);
  const app = account && parts.accounts.application(account, message.callbackApplicationId ?? message.applicationId);
  const acts = rows.map((row) => ({ recipient: row.to, act: parts.timeline.carrierAct(message, row.to, outcome, app) }));
  // Durable before the answer: a process killed right after it must not replay the replaced steps at its next start.
  // When that write fails the act is taken back (its event never sent, the steps left as they were) and refused.
  try {
    parts.hooks.emit('committed');
  } catch (error) {
    for (const { act } of [...acts].reverse()) act.undo();
    throw error;
  }
  for (const { act } of acts) act.finalize();
  return { messageId, acted: acts.map(({ recipient, act }) => ({ recipient, type: outcome.type, cancelledSteps: act.cancelled })) };
}

function toOutcome(request: CarrierRequest): CarrierOutcome {
  if (request.action === 'deliver') {
    if (request.errorCode !== undefined) throw new CarrierRefusal(`errorCode goes with action 'fail', not 'deliver'`);
    return { type: 'message-delivered' };
  }
  if (request.action !== 'fail') throw new CarrierRefusal(`action must be 'deliver' or 'fail', got ${JSON.stringify(request.action)}`);
  const code = request.errorCode;
  if (code === undefined || !isKnownErrorCode(code)) {
    throw new CarrierRefusal(
      `action 'fail' needs an errorCode from Bandwidth's table (e.g. 4720, 4770, 5999), got ${String(code)}; known codes: ${Object.keys(MESSAGE_ERROR_CODES).join(', ')}`,
    );
  }
  return { type: 'message-failed', errorCode: code, description: describeErrorCode(code) };
}
