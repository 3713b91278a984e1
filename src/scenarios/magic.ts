import { isKnownErrorCode } from '../error-codes.js';
import type { EventStep } from './compile.js';

/** A magic number's outcome: the events it scripts, whether its DLR is duplicated, and why. */
export interface MagicOutcome {
  events: EventStep[];
  duplicate?: number;
  explanation: string;
}

/** The magic numbers for people (the banner): each pattern, what it does, and an example `magicOutcome` serves. */
export const MAGIC_NUMBERS: ReadonlyArray<{ pattern: string; outcome: string; example: string }> = [
  { pattern: '+1555100DDDD', outcome: 'message-failed with error code DDDD', example: '+15551004720' },
  { pattern: '+1555200XXXX', outcome: 'no delivery receipt, ever', example: '+15552000001' },
  { pattern: '+1555300SSSS', outcome: 'delivered after SSSS seconds', example: '+15553000030' },
  { pattern: '+1555400XXXX', outcome: 'delivery receipt sent twice', example: '+15554000001' },
];

const MAGIC = /^\+1555([1-4])00(\d{4})$/;
// The magic numbers' shape one character at a time, for "could a number starting with this prefix be magic?".
const MAGIC_CHARS = ['+', '1', '5', '5', '5', '1234', '0', '0', '0123456789', '0123456789', '0123456789', '0123456789'];

/** Whether some magic number starts with `prefix` (an over-estimate: every +1555100DDDD counts, known code or not). */
export function mayStartMagicNumber(prefix: string): boolean {
  return prefix.length <= MAGIC_CHARS.length && [...prefix].every((c, i) => MAGIC_CHARS[i]!.includes(c));
}

/** Whether this recipient is a magic number: one whose digits pick its outcome. */
export function isMagicNumber(to: string): boolean {
  return magicOutcome(to, false, 0) !== undefined;
}

/**
 * Reserved recipient numbers whose digits pick the outcome, with zero config (555 numbers are fictional in NANP):
 * +1555100DDDD fails with error code DDDD; +1555200XXXX never gets a delivery receipt; +1555300SSSS is delivered
 * after SSSS seconds; +1555400XXXX gets its delivery receipt twice.
 */
export function magicOutcome(to: string, isMms: boolean, sendingDelayMs: number): MagicOutcome | undefined {
  const match = MAGIC.exec(to);
  if (!match) return undefined;
  const digits = match[2]!;
  const sending: EventStep[] = isMms ? [{ type: 'message-sending', afterMs: sendingDelayMs }] : [];
  switch (match[1]) {
    case '1': {
      const code = Number(digits);
      if (!isKnownErrorCode(code)) return undefined;
      return { events: [...sending, { type: 'message-failed', errorCode: code }], explanation: `magic number ${to}: message-failed ${code}` };
    }
    case '2':
      return { events: sending, explanation: `magic number ${to}: no delivery receipt, ever` };
    case '3':
      return {
        events: [...sending, { type: 'message-delivered', afterMs: Number(digits) * 1000 }],
        explanation: `magic number ${to}: delivered after ${Number(digits)} s`,
      };
    default:
      return { events: [...sending, { type: 'message-delivered' }], duplicate: 1, explanation: `magic number ${to}: delivery receipt sent twice` };
  }
}
