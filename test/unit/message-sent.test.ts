// withMessageSent (src/scenarios/message-sent.ts): where the hand-off receipt goes in one recipient's timeline.
import { describe, expect, it } from 'vitest';
import type { PlannedStep } from '../../src/model/plan.js';
import { withMessageSent } from '../../src/scenarios/message-sent.js';
import { mmsWithoutReceipts } from '../../src/scenarios/receipts.js';

const SENDING_DELAY = 20;
const kinds = (steps: PlannedStep[]) => steps.map((s) => `${s.type}@${s.afterMs}`);

describe('withMessageSent', () => {
  it('SMS: at the sending delay, before message-delivered', () => {
    expect(kinds(withMessageSent([{ afterMs: 500, type: 'message-delivered' }], SENDING_DELAY))).toEqual(['message-sent@20', 'message-delivered@500']);
  });

  it('MMS: right after message-sending, at its moment', () => {
    const steps: PlannedStep[] = [
      { afterMs: 100, type: 'message-sending' },
      { afterMs: 500, type: 'message-delivered' },
    ];
    expect(kinds(withMessageSent(steps, SENDING_DELAY))).toEqual(['message-sending@100', 'message-sent@100', 'message-delivered@500']);
  });

  it('never after the final event: a receipt at once keeps it at the same moment, before it', () => {
    expect(kinds(withMessageSent([{ afterMs: 0, type: 'message-delivered' }], SENDING_DELAY))).toEqual(['message-sent@0', 'message-delivered@0']);
  });

  it('before a carrier-reported failure, not before one Bandwidth detects itself', () => {
    expect(kinds(withMessageSent([{ afterMs: 30, type: 'message-failed', errorCode: 4720 }], SENDING_DELAY))).toEqual(['message-sent@20', 'message-failed@30']);
    const refused: PlannedStep[] = [{ afterMs: 20, type: 'message-failed', errorCode: 4452 }];
    expect(withMessageSent(refused, SENDING_DELAY)).toBe(refused);
    const service: PlannedStep[] = [{ afterMs: 20, type: 'message-failed', errorCode: 5500 }];
    expect(withMessageSent(service, SENDING_DELAY)).toBe(service);
  });

  it('a lost receipt (no final event) was still handed off: message-sent comes last; a scripted one is kept as it is', () => {
    expect(kinds(withMessageSent([], SENDING_DELAY))).toEqual(['message-sent@20']);
    expect(kinds(withMessageSent([{ afterMs: 40, type: 'message-sending' }], SENDING_DELAY))).toEqual(['message-sending@40', 'message-sent@40']);
    const scripted: PlannedStep[] = [
      { afterMs: 300, type: 'message-sent' },
      { afterMs: 400, type: 'message-delivered' },
    ];
    expect(withMessageSent(scripted, SENDING_DELAY)).toBe(scripted);
  });

  it('without Feature_MMS_DLR a scripted message-sent stays and marks the hand-off that message-delivered reports', () => {
    const { steps } = mmsWithoutReceipts(
      [
        { afterMs: 20, type: 'message-sending' },
        { afterMs: 300, type: 'message-sent' },
        { afterMs: 900, type: 'message-failed', errorCode: 4720 },
      ],
      SENDING_DELAY,
    );
    expect(kinds(steps)).toEqual(['message-sent@300', 'message-delivered@300']);
  });
});
