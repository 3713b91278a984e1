// The fault registry (src/scenarios/faults/): each fault kind is one entry that the schema, the compiler, explain(),
// the API layer's actions and the callback planner all read. Without any server.
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { compileScenario, type CompiledRule } from '../../src/scenarios/compile.js';
import { explainRule, ScenarioEngine } from '../../src/scenarios/engine.js';
import { apiFaultActions, apiFaults } from '../../src/scenarios/faults/api-faults.js';
import { callbackFaults } from '../../src/scenarios/faults/callback-faults.js';
import { faultBlock, type FieldPath } from '../../src/scenarios/faults/registry.js';
import { RuleSchema } from '../../src/scenarios/schema.js';
import type { StoredMessage } from '../../src/store/messages.js';
import { compileSchemaCheck, fieldName } from '../../src/validation/schema-check.js';

const ACCOUNT = '9900001';
const TIMINGS = { deliveryDelayMs: 100, sendingDelayMs: 20 };

/** Compile rules that must be valid. */
function rules(...specs: unknown[]): CompiledRule[] {
  const { scenario, problems } = compileScenario({ version: 1, name: 'unit', rules: specs }, 'unit', 'unit');
  expect(problems).toEqual([]);
  return scenario!.rules;
}

/** An engine whose only scenario holds these rules (a run-time scenario for ACCOUNT). */
function engineWith(...specs: unknown[]): ScenarioEngine {
  const engine = new ScenarioEngine();
  const { scenario, problems } = compileScenario({ version: 1, name: 'unit', rules: specs }, 'unit', 'unit');
  expect(problems).toEqual([]);
  engine.use(scenario!, ACCOUNT);
  return engine;
}

function message(to: string[], tag?: string): StoredMessage {
  return {
    id: 'm-1',
    accountId: ACCOUNT,
    direction: 'out',
    applicationId: 'app-1',
    owner: '+19195550100',
    from: '+19195550100',
    to,
    text: 'hi',
    tag,
    priority: 'default',
    time: 0,
    segmentCount: 1,
    recipients: [],
    timeline: [],
  };
}

// The part of an explain() line that says what the rule does.
const does = (rule: CompiledRule) => /→ (.*) \(\d+ hits\)$/.exec(explainRule(rule))?.[1];

describe('the scenario schema is assembled from the registry', () => {
  it("apiFault and callbackFaults accept exactly their kinds' fields, then the shared selection", () => {
    for (const block of [apiFaults, callbackFaults]) {
      const kindFields = block.kinds.flatMap((kind) => Object.keys(kind.fields));
      expect(Object.keys(RuleSchema.properties[block.key as 'apiFault' | 'callbackFaults'].properties)).toEqual([
        ...kindFields,
        'times',
        'every',
        'probability',
      ]);
      expect(RuleSchema.properties[block.key as 'apiFault' | 'callbackFaults']).toMatchObject({ additionalProperties: false });
    }
    // At least today's kinds (a new kind adds to these without touching this test).
    expect(apiFaults.kinds.flatMap((kind) => Object.keys(kind.fields))).toEqual(expect.arrayContaining(['status', 'retryAfter', 'delay', 'drop']));
    expect(callbackFaults.kinds.flatMap((kind) => Object.keys(kind.fields))).toEqual(expect.arrayContaining(['duplicate', 'delay', 'drop', 'reorder']));
  });
});

describe('a new fault kind needs only its entry', () => {
  // A made-up kind, as a new entry would be written: fields with schemas, docs, a check, a compiled form, words.
  const jitter = {
    fields: { jitter: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'milliseconds, 0 to 1000' })) },
    docs: { jitter: 'wait up to this long more' },
    suggestion: 'jitter',
    inUse: (spec: { jitter?: number }) => spec.jitter !== undefined,
    check(spec: { jitter?: number }, at: FieldPath, problem: (path: FieldPath, what: string, fix: string) => void) {
      if (spec.jitter === 13) problem([...at, 'jitter'], 'is unlucky', 'pick another number');
    },
    compile: (spec: { jitter?: number }) => ({ jitterMs: spec.jitter }),
    explain: (fault: { jitterMs?: number }) => (fault.jitterMs ? `jitter ${fault.jitterMs} ms` : undefined),
  };
  const block = faultBlock('testFault', [jitter], { requireOne: true, describe: (parts) => `test fault ${parts.join(' ')}`.trim() });
  const problemsOf = (spec: object) => {
    const problems: Array<{ field: string; problem: string; fix: string }> = [];
    block.check(spec, ['rules', 0, 'testFault'], (path, problem, fix) => problems.push({ field: fieldName(path), problem, fix }));
    return problems;
  };

  it("its schema: the kind's field and the selection, nothing else, with the bounds of the entry", () => {
    const check = compileSchemaCheck(block.schema);
    expect(check({ jitter: 10, times: 2 }, 'unit')).toEqual([]);
    expect(check({ jitter: 1001 }, 'unit')).toEqual([expect.objectContaining({ field: 'jitter' })]);
    expect(check({ jiter: 10 }, 'unit')).toEqual([
      expect.objectContaining({ field: 'jiter', problem: 'is not a known field', fix: expect.stringContaining('jitter, times, every, probability') }),
    ]);
  });

  it('its checks, the block\'s "does nothing" (its suggestion in the fix) and the selection check', () => {
    expect(problemsOf({ times: 1 })).toEqual([{ field: 'rules[0].testFault', problem: 'does nothing', fix: 'give jitter' }]);
    expect(problemsOf({ jitter: 13, every: 2, probability: 0.5 })).toEqual([
      { field: 'rules[0].testFault.jitter', problem: 'is unlucky', fix: 'pick another number' },
      { field: 'rules[0].testFault', problem: "has both 'every' and 'probability'", fix: 'keep one of them' },
    ]);
    expect(problemsOf({ jitter: 12 })).toEqual([]);
  });

  it('its compiled form (with the selection, not yet having seen a match) and its explain() words', () => {
    const compiled = block.compile({ jitter: 40, every: 3 });
    expect(compiled).toEqual({ jitterMs: 40, selection: { every: 3 }, seen: 0 });
    expect(block.explain(compiled)).toBe('test fault jitter 40 ms');
    expect(block.explain(block.compile({ jitter: 0 }))).toBe('test fault');
  });
});

describe('explain() words come from the entries', () => {
  it('API faults: status, delay and drop, in registry order', () => {
    const [status, slow, all, retry] = rules(
      { apiFault: { status: 500 } },
      { apiFault: { delay: '30ms' } },
      { apiFault: { status: 503, delay: '1s', drop: true } },
      { apiFault: { status: 429, retryAfter: 3 } },
    );
    expect(does(status!)).toBe('API fault 500');
    expect(does(slow!)).toBe('API fault delay 30 ms');
    expect(does(all!)).toBe('API fault 503 delay 1000 ms drop connection');
    expect(does(retry!)).toBe('API fault 429');
    const [search, both] = rules({ apiFault: { status: 429, operation: 'search' } }, { apiFault: { status: 503, operation: ['create', 'media'] } });
    expect(does(search!)).toBe('API fault 429 on search');
    expect(does(both!)).toBe('API fault 503 on create and media');
  });

  it('callback faults say which ones the rule has', () => {
    const [every, one, none] = rules(
      { callbackFaults: { duplicate: 2, delay: '100ms', drop: true, reorder: true } },
      { callbackFaults: { duplicate: 1, drop: false, reorder: false } },
      { callbackFaults: { times: 2 } },
    );
    expect(does(every!)).toBe('callback faults: 2 extra copies, delay 100 ms, dropped, recipients in reverse order');
    expect(does(one!)).toBe('callback faults: 1 extra copy');
    expect(does(none!)).toBe('callback faults');
  });
});

describe('API fault actions, as the API layer performs them', () => {
  const actions = (spec: object) => apiFaultActions(apiFaults.compile(spec));

  it('a delay comes first, a drop before an answer; a 429 defaults to Retry-After 1', () => {
    expect(actions({ status: 429, delay: '20ms', drop: true })).toEqual([
      { kind: 'wait', ms: 20 },
      { kind: 'drop' },
      { kind: 'answer', status: 429, retryAfter: 1 },
    ]);
    expect(actions({ status: 429, retryAfter: 7 })).toEqual([{ kind: 'answer', status: 429, retryAfter: 7 }]);
    expect(actions({ status: 503 })).toEqual([{ kind: 'answer', status: 503 }]);
  });

  it('a zero delay waits for nothing; drop: false drops nothing', () => {
    expect(actions({ status: 500, delay: 0 })).toEqual([{ kind: 'answer', status: 500 }]);
    expect(actions({ delay: '5ms', drop: false })).toEqual([{ kind: 'wait', ms: 5 }]);
  });

  it('the engine hands the matching rule and its actions to the API layer, once its selection fires', () => {
    const engine = engineWith({ match: { tag: 'busy' }, apiFault: { status: 429, retryAfter: 2, every: 2 } });
    const request = (tag: string) => () => ({ to: ['+19195557001'], from: '+19195550100', text: 'x', tag, applicationId: 'app-1', segmentCount: 1 });
    expect(engine.apiFault(ACCOUNT, request('busy'))).toBeUndefined();
    expect(engine.apiFault(ACCOUNT, request('calm'))).toBeUndefined();
    const fault = engine.apiFault(ACCOUNT, request('busy'));
    expect(fault?.actions).toEqual([{ kind: 'answer', status: 429, retryAfter: 2 }]);
    expect(fault?.rule.id).toBe('unit#0');
    expect(fault?.operation).toBe('create');
  });

  it('a rule on search or media answers only that operation, matched on the account; one without faults only the create', () => {
    const engine = engineWith(
      { match: { accountId: 'other' }, apiFault: { status: 500, operation: 'search' } },
      { apiFault: { status: 429, retryAfter: 9, operation: 'search', times: 1 } },
      { apiFault: { status: 503, operation: ['media'] } },
    );
    const request = () => ({ to: ['+19195557001'], from: '+19195550100', text: 'x', applicationId: 'app-1', segmentCount: 1 });
    expect(engine.apiFault(ACCOUNT, request)).toBeUndefined();
    expect(engine.operationFault(ACCOUNT, 'search')).toMatchObject({ operation: 'search', actions: [{ kind: 'answer', status: 429, retryAfter: 9 }] });
    expect(engine.operationFault(ACCOUNT, 'search')).toBeUndefined();
    expect(engine.operationFault(ACCOUNT, 'media')).toMatchObject({ operation: 'media', actions: [{ kind: 'answer', status: 503 }] });
  });
});

describe('callback faults applied to the plan', () => {
  it('duplicate, delay and drop reshape each step of the recipient the rule picked', () => {
    const engine = engineWith({
      match: { tag: 'faulty' },
      events: [
        { type: 'message-sending', after: '10ms' },
        { type: 'message-delivered', after: '20ms' },
      ],
      callbackFaults: { duplicate: 2, delay: '100ms', drop: true },
    });
    const plan = engine.planOutbound(message(['+19195557001'], 'faulty'), TIMINGS);
    expect(plan.steps.get('+19195557001')).toEqual([
      { afterMs: 110, type: 'message-sending', duplicates: 2, dropped: true },
      { afterMs: 130, type: 'message-delivered', duplicates: 2, dropped: true },
    ]);
  });

  it("the selection picks recipients: every: 2 shifts only a group's second recipient", () => {
    const engine = engineWith({ events: [{ type: 'message-delivered', after: '10ms' }], callbackFaults: { delay: '100ms', every: 2 } });
    const plan = engine.planOutbound(message(['+19195557001', '+19195557002', '+19195557003']), TIMINGS);
    expect([...plan.steps.values()].map((steps) => steps.map((s) => s.afterMs))).toEqual([[10], [110], [10]]);
  });

  it('reorder reverses the recipients once, when the rule picked any of them', () => {
    const group = ['+19195557001', '+19195557002', '+19195557003'];
    const reordered = engineWith({ events: [{ type: 'message-delivered', after: '10ms' }], callbackFaults: { reorder: true } }).planOutbound(
      message(group),
      TIMINGS,
    );
    // The gap is the latest step plus one: the last recipient first, each 11 ms before the one listed before it.
    expect(group.map((to) => reordered.steps.get(to)![0]!.afterMs)).toEqual([32, 21, 10]);
    const onlySecond = engineWith({ events: [{ type: 'message-delivered', after: '10ms' }], callbackFaults: { reorder: true, every: 2 } }).planOutbound(
      message(group),
      TIMINGS,
    );
    expect(group.map((to) => onlySecond.steps.get(to)![0]!.afterMs)).toEqual([32, 21, 10]);
    const never = engineWith({ events: [{ type: 'message-delivered', after: '10ms' }], callbackFaults: { reorder: true, probability: 0 } }).planOutbound(
      message(group),
      TIMINGS,
    );
    expect(group.map((to) => never.steps.get(to)![0]!.afterMs)).toEqual([10, 10, 10]);
  });
});
