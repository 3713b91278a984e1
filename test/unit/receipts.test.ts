// Receipts as routes produce them, unit level: the bounds of the disorder faults and `receipt` (file, field and fix),
// how they reshape a plan, the MMS delivery-receipt feature, and the traffic setting receiptWindow in a config file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { applyTraffic, FAST_TRAFFIC } from '../../src/config/traffic.js';
import { EmulatorConfigError } from '../../src/errors.js';
import type { PlannedStep } from '../../src/model/plan.js';
import { compileScenarioText } from '../../src/scenarios/compile.js';
import { ScenarioEngine } from '../../src/scenarios/engine.js';
import { mmsWithoutReceipts } from '../../src/scenarios/receipts.js';
import type { StoredMessage } from '../../src/store/messages.js';

const SOURCE = 'scenarios/receipts.yaml';
const compile = (rules: string) => compileScenarioText(`version: 1\nname: receipts\nrules:\n${rules}`, SOURCE, 'receipts');
const TIMINGS = { deliveryDelayMs: 100, sendingDelayMs: 20 };

function message(to: string, media = false): StoredMessage {
  return {
    id: 'm1',
    accountId: 'a1',
    direction: 'out',
    applicationId: 'app',
    owner: '+19195550100',
    from: '+19195550100',
    to: [to],
    text: 'hi',
    ...(media ? { media: ['https://example.com/a.png'] } : {}),
    priority: 'default',
    time: 0,
    segmentCount: 1,
    recipients: [{ to, status: 'QUEUED', errorCode: 0, updatedAt: 0 }],
    timeline: [],
  } as StoredMessage;
}

function plan(rules: string, to: string, options: { media?: boolean; windowMs?: number; mms?: boolean } = {}) {
  const { scenario, problems } = compile(rules);
  expect(problems).toEqual([]);
  const engine = new ScenarioEngine();
  engine.setFileScenarios([scenario!]);
  const planned = engine.planOutbound(message(to, options.media), TIMINGS, undefined, undefined, {
    windowMs: options.windowMs ?? 7_200_000,
    mmsDeliveryReceipts: options.mms ?? true,
  });
  return { steps: planned.steps.get(to)!, explanation: planned.explanations.get(to)! };
}

const shape = (steps: PlannedStep[]) => steps.map((s) => `${s.type}${s.errorCode ? ` ${s.errorCode}` : ''}@${s.afterMs}${s.disorder ? `(${s.disorder})` : ''}`);

describe('disorder faults: bounds', () => {
  it('staleAfterFinal past 10 (or below 1) is refused with the file, line, field and fix', () => {
    for (const value of [11, 0]) {
      const { problems } = compile(`  - match: { to: '+15550001' }\n    callbackFaults: { staleAfterFinal: ${value} }\n`);
      expect(problems[0]).toMatchObject({ source: SOURCE, field: 'rules[0].callbackFaults.staleAfterFinal', line: expect.any(Number) });
      expect(problems[0]!.fix).toMatch(/1 to 10/);
    }
  });

  it('earlyReceipt with delay, or not a boolean, is refused', () => {
    const both = compile(`  - callbackFaults: { earlyReceipt: true, delay: 1s }\n`).problems;
    expect(both[0]).toMatchObject({ source: SOURCE, field: 'rules[0].callbackFaults.earlyReceipt', fix: 'keep earlyReceipt or delay, not both' });
    expect(compile(`  - callbackFaults: { sendingAfterFinal: 'yes' }\n`).problems[0]).toMatchObject({ field: 'rules[0].callbackFaults.sendingAfterFinal' });
  });

  it('receipt: only none or carrier-expired, not with a final event, an API fault or earlyReceipt', () => {
    expect(compile(`  - receipt: lost\n`).problems[0]).toMatchObject({ source: SOURCE, field: 'rules[0].receipt' });
    const final = compile(`  - receipt: none\n    events: [{ type: message-sending }, { type: message-delivered }]\n`).problems;
    expect(final[0]).toMatchObject({ field: 'rules[0].events[1]', fix: 'keep only message-sending and message-sent events, or remove receipt' });
    expect(compile(`  - receipt: none\n    apiFault: { status: 500 }\n`).problems.map((p) => p.field)).toContain('rules[0].receipt');
    expect(compile(`  - receipt: none\n    callbackFaults: { earlyReceipt: true }\n`).problems[0]).toMatchObject({ field: 'rules[0].receipt' });
  });
});

describe('disorder faults: the plan', () => {
  it('sendingAfterFinal moves message-sending behind the final event, or adds one (SMS); a lost receipt is left alone', () => {
    expect(shape(plan(`  - callbackFaults: { sendingAfterFinal: true }\n`, '+19195557001', { media: true }).steps)).toEqual([
      'message-delivered@100',
      'message-sending@100(sending-after-final)',
    ]);
    expect(shape(plan(`  - callbackFaults: { sendingAfterFinal: true }\n`, '+19195557001').steps)).toEqual([
      'message-delivered@100',
      'message-sending@100(sending-after-final)',
    ]);
    expect(shape(plan(`  - events: [{ type: message-sending }]\n    callbackFaults: { sendingAfterFinal: true }\n`, '+19195557001').steps)).toEqual([
      'message-sending@20',
    ]);
  });

  it('staleAfterFinal appends N stale message-sending steps; earlyReceipt puts every step at 0 ms', () => {
    expect(shape(plan(`  - callbackFaults: { staleAfterFinal: 3 }\n`, '+19195557001', { media: true }).steps)).toEqual([
      'message-sending@20',
      'message-delivered@100',
      ...Array.from({ length: 3 }, () => 'message-sending@100(stale-after-final)'),
    ]);
    const early = plan(`  - callbackFaults: { earlyReceipt: true }\n`, '+19195557001', { media: true });
    expect(shape(early.steps)).toEqual(['message-sending@0', 'message-delivered@0']);
    expect(early.explanation).toMatch(/callback faults: receipt 0 ms after the 202/);
  });
});

describe('receipt outcomes and the MMS delivery-receipt feature', () => {
  it('receipt: none fails 9902 after the window (after message-sending for MMS); carrier-expired 4794', () => {
    expect(shape(plan(`  - receipt: none\n`, '+19195557001', { windowMs: 600_000 }).steps)).toEqual(['message-failed 9902@600000']);
    expect(shape(plan(`  - receipt: none\n`, '+19195557001', { media: true }).steps)).toEqual(['message-sending@20', 'message-failed 9902@7200020']);
    expect(shape(plan(`  - receipt: carrier-expired\n`, '+19195557001').steps)).toEqual(['message-failed 4794@7200000']);
  });

  it('without Feature_MMS_DLR: delivered at the hand-off in place of the handset outcome; a Bandwidth-detected failure stays', () => {
    const hidden = plan(`  - events: [{ type: message-sending, after: 30ms }, { type: message-failed, errorCode: 4720, after: 1s }]\n`, '+19195557001', {
      media: true,
      mms: false,
    });
    expect(shape(hidden.steps)).toEqual(['message-delivered@30']);
    expect(hidden.explanation).toMatch(/Feature_MMS_DLR.*message-failed 4720\) not reported/);
    expect(shape(plan(`  - receipt: none\n`, '+19195557001', { media: true, mms: false }).steps)).toEqual(['message-delivered@20']);
    expect(
      shape(
        mmsWithoutReceipts(
          [
            { afterMs: 20, type: 'message-sending' },
            { afterMs: 40, type: 'message-failed', errorCode: 4301 },
          ],
          20,
        ).steps,
      ),
    ).toEqual(['message-failed 4301@40']);
    // SMS and the feature on are left as planned.
    expect(shape(plan(`  - events: [{ type: message-failed, errorCode: 4720 }]\n`, '+19195557001', { mms: false }).steps)).toEqual(['message-failed 4720@100']);
    expect(shape(plan(`  - events: [{ type: message-sending }, { type: message-failed, errorCode: 4720 }]\n`, '+19195557001', { media: true }).steps)).toEqual([
      'message-sending@20',
      'message-failed 4720@100',
    ]);
  });

  it('the feature is on unless the config sets it to false', () => {
    const account = (features?: object) => ({
      id: 'a1',
      users: [{ username: 'u', password: 'p' }],
      applications: [{ id: 'app' }],
      ...(features ? { features } : {}),
    });
    expect(resolveConfig({ overrides: { accounts: [account()] } }).accounts[0]!.features.mmsDeliveryReceipts).toBeUndefined();
    expect(resolveConfig({ overrides: { accounts: [account({ mmsDeliveryReceipts: false })] } }).accounts[0]!.features.mmsDeliveryReceipts).toBe(false);
    expect(() => resolveConfig({ overrides: { accounts: [account({ mmsDeliveryReceipts: 'no' })] } as never })).toThrow(/features\.mmsDeliveryReceipts/);
  });
});

describe('traffic receiptWindow', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-emulator-receipts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to 2h in every profile and takes a duration', () => {
    expect(resolveConfig().traffic.receiptWindowMs).toBe(7_200_000);
    expect(applyTraffic(FAST_TRAFFIC, { profile: 'production' }).receiptWindowMs).toBe(7_200_000);
    expect(applyTraffic(FAST_TRAFFIC, { receiptWindow: '5m' }).receiptWindowMs).toBe(300_000);
  });

  it('past 24h it is refused, naming the file, the field and the fix', () => {
    const path = join(dir, 'config.yaml');
    writeFileSync(path, 'traffic:\n  receiptWindow: 25h\n');
    let thrown: unknown;
    try {
      resolveConfig({ flags: { config: path } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EmulatorConfigError);
    const text = String((thrown as Error).message);
    expect(text).toContain(path);
    expect(text).toMatch(/traffic\.receiptWindow/);
    expect(text).toMatch(/'24h'/);
  });
});
