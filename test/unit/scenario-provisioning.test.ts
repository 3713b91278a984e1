// Scenario conditions on the from number's provisioning (README "Provisioning"): numberType, campaignClass and
// verificationStatus compile with their bounds, match the registration the core passes in, explain themselves, and
// take part in the reachability check. Without any server.
import { describe, expect, it } from 'vitest';
import { compileScenario, compileScenarioText, type CompiledScenario } from '../../src/scenarios/compile.js';
import { explainRule, ScenarioEngine } from '../../src/scenarios/engine.js';
import { checkReachability } from '../../src/scenarios/reachability.js';
import type { StoredMessage } from '../../src/store/messages.js';

const ACCOUNT = '9900001';
const TIMINGS = { deliveryDelayMs: 100, sendingDelayMs: 20 };
const TOLL_FREE = { numberType: 'tollFree', verificationStatus: 'PENDING' } as const;
const LOCAL_T = { numberType: 'local', campaignClass: 'T' } as const;

function scenario(yaml: string): CompiledScenario {
  const { scenario: compiled, problems } = compileScenarioText(`version: 1\nname: prov\n${yaml}`, 'prov.yaml', 'prov');
  expect(problems).toEqual([]);
  return compiled!;
}

function message(): StoredMessage {
  return {
    id: 'm-1',
    accountId: ACCOUNT,
    direction: 'out',
    applicationId: 'app-1',
    owner: '+18005550100',
    from: '+18005550100',
    to: ['+15551230000'],
    text: 'hi',
    priority: 'default',
    time: 0,
    segmentCount: 1,
    recipients: [],
    timeline: [],
  };
}

const RULES = `rules:
  - name: toll-free throttled
    match: { numberType: tollFree, verificationStatus: [PENDING, UNVERIFIED] }
    events: [{ type: message-failed, errorCode: 4785 }]
  - name: sole proprietors blocked
    match: { campaignClass: [W] }
    events: [{ type: message-failed, errorCode: 4781 }]
`;

describe('provisioning conditions', () => {
  it('match the from number’s registration, and explain it', () => {
    const engine = new ScenarioEngine();
    const compiled = scenario(RULES);
    engine.use(compiled, ACCOUNT);
    const failed = (sender?: Parameters<ScenarioEngine['planOutbound']>[3]) =>
      engine.planOutbound(message(), TIMINGS, undefined, sender).steps.get('+15551230000')!.at(-1);
    expect(failed(TOLL_FREE)).toMatchObject({ type: 'message-failed', errorCode: 4785 });
    expect(failed({ numberType: 'tollFree', verificationStatus: 'VERIFIED' })).toMatchObject({ type: 'message-delivered' });
    expect(failed({ numberType: 'local', campaignClass: 'W' })).toMatchObject({ type: 'message-failed', errorCode: 4781 });
    expect(failed(LOCAL_T)).toMatchObject({ type: 'message-delivered' });
    // No registration (an RBM agent, an unknown number): no provisioning condition matches.
    expect(failed(undefined)).toMatchObject({ type: 'message-delivered' });
    expect(explainRule(compiled.rules[0]!)).toContain('when numberType tollFree and verificationStatus PENDING or UNVERIFIED');
    expect(explainRule(compiled.rules[1]!)).toContain("campaignClass one of 'W'");
    const why = engine.planOutbound(message(), TIMINGS, undefined, LOCAL_T).explanations.get('+15551230000');
    expect(why).toContain("numberType was 'local', rule wants numberType tollFree");
  });

  it('apply to API faults too, with the registration of the request’s from number', () => {
    const engine = new ScenarioEngine();
    engine.use(scenario('rules:\n  - match: { numberType: shortCode }\n    apiFault: { status: 429 }\n'), ACCOUNT);
    const request = () => ({ ...message(), text: 'hi' });
    expect(engine.apiFault(ACCOUNT, request, () => ({ numberType: 'shortCode' }))).toBeDefined();
    expect(engine.apiFault(ACCOUNT, request, () => LOCAL_T)).toBeUndefined();
  });

  it.each([
    ['numberType', 'landline'],
    ['numberType', ['local', 'local', 'local', 'local']],
    ['numberType', []],
    ['campaignClass', 'TT'],
    ['campaignClass', 't'],
    ['campaignClass', Array.from({ length: 27 }, () => 'T')],
    ['verificationStatus', 'DENIED'],
    ['verificationStatus', ['VERIFIED', 'PENDING', 'UNVERIFIED', 'VERIFIED']],
  ])('refuse %s %j with the field named', (field, value) => {
    const { problems } = compileScenario({ version: 1, rules: [{ match: { [field]: value }, events: [{ type: 'message-delivered' }] }] }, 'bad.yaml', 'bad');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.source).toBe('bad.yaml');
    expect(problems[0]!.field).toContain(`rules[0].match.${field}`);
  });

  it('take part in the reachability check: a rule on every toll-free number shadows a narrower one after it', () => {
    const s = scenario(`rules:
  - name: every toll-free
    match: { numberType: tollFree }
    events: [{ type: message-failed, errorCode: 4785 }]
  - name: pending toll-free
    match: { numberType: [tollFree], verificationStatus: PENDING }
    events: [{ type: message-failed, errorCode: 4795 }]
  - name: local or toll-free
    match: { numberType: [local, tollFree] }
    events: [{ type: message-delivered }]
`);
    const { warnings } = checkReachability([s]);
    expect(warnings.map((w) => w.field)).toEqual(['rules[1]']);
    expect(warnings[0]!.problem).toContain("prov#0 'every toll-free'");
  });
});
