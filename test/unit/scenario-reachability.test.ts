// Rules that can never match because an earlier rule always matches first, and the ranking of magic numbers before
// rules that do not match on `to`. Regression: a catch-all rule in one bundled file silently shadowed every later
// file and every magic number.
import { describe, expect, it } from 'vitest';
import { compileScenarioText, type CompiledScenario } from '../../src/scenarios/compile.js';
import { ScenarioEngine } from '../../src/scenarios/engine.js';
import { checkReachability, REACHABILITY_BUDGET } from '../../src/scenarios/reachability.js';
import type { StoredMessage } from '../../src/store/messages.js';

function scenario(yaml: string, source = 'a.yaml', name = 'a'): CompiledScenario {
  const { scenario: compiled, problems } = compileScenarioText(`version: 1\nname: ${name}\n${yaml}`, source, name);
  expect(problems).toEqual([]);
  return compiled!;
}

/** The ids of the rules found unreachable, with the id of the rule that shadows each. */
function shadowed(...scenarios: CompiledScenario[]): string[] {
  const { warnings, complete } = checkReachability(scenarios);
  expect(complete).toBe(true);
  return warnings.map((w) => `${w.source} ${w.field} by ${/: (\S+) '/.exec(w.problem)?.[1]}`);
}

const rules = (...lines: string[]) => `rules:\n${lines.map((l) => `  - ${l}`).join('\n')}\n`;

describe('rules that can never match', () => {
  it('after a rule with no conditions: warned with file, line, rule, the shadowing rule and the fix', () => {
    const s = scenario(rules('{ name: everything, events: [{ type: message-delivered }] }', "{ name: landline, match: { to: '+15557770001' }, events: [] }"));
    const { warnings } = checkReachability([s]);
    expect(warnings).toEqual([
      {
        source: 'a.yaml',
        line: 5,
        field: 'rules[1]',
        problem: "rule 'landline' can never match: a#0 'everything' (line 4) has no match conditions, so it matches every message and comes first",
        fix: "move this rule above a#0, narrow that rule's match (or give it times: N), or delete this rule",
      },
    ]);
    expect(s.rules[1]!.unreachable).toBe(`${warnings[0]!.problem}. Fix: ${warnings[0]!.fix}`);
    expect(s.rules[0]!.unreachable).toBeUndefined();
  });

  it('across files: the fix is the load order', () => {
    const first = scenario(rules('{ match: { tag: x }, events: [] }'), 'dir/a.yaml', 'a');
    const second = scenario(rules("{ match: { tag: x, to: '+15557770001' }, events: [] }"), 'dir/b.yaml', 'b');
    const [warning] = checkReachability([first, second]).warnings;
    expect(warning!.problem).toBe("rule 'rule 1' can never match: a#0 'rule 1' (dir/a.yaml:4) matches everything this rule matches and comes first");
    expect(warning!.fix).toContain('load this file before dir/a.yaml (files in a folder load in name order)');
  });

  it.each([
    ['an exact value within a list', "{ match: { to: ['+15557770001', '+15557770002'] } }", "{ match: { to: '+15557770002' } }"],
    ['an exact value under a prefix', "{ match: { to: '+1555777*' } }", "{ match: { to: { equals: '+15557770002' } } }"],
    ['a list under a prefix', "{ match: { from: { prefix: '+1919' } } }", "{ match: { from: ['+19195550100', '+19195550101'] } }"],
    ['a longer prefix under a shorter one', "{ match: { to: '+1555777*' } }", "{ match: { to: '+15557770*' } }"],
    ['values the regex matches', "{ match: { text: '/^stop$/i' } }", "{ match: { text: ['STOP', 'Stop'] } }"],
    ['the same regex', "{ match: { text: '/\\bbit\\.ly\\b/' } }", "{ match: { text: '/\\bbit\\.ly\\b/', media: false } }"],
    ['the same boolean, more conditions', '{ match: { media: true } }', "{ match: { media: true, tag: 'x' } }"],
    ['channels within channels', '{ match: { channel: [RBM, SMS] } }', '{ match: { channel: RBM } }'],
    ['segments within a range', '{ match: { segments: { min: 2 } } }', '{ match: { segments: { min: 3, max: 4 } } }'],
  ])('%s', (_what, earlier, later) => {
    expect(shadowed(scenario(rules(earlier, later)))).toEqual(['a.yaml rules[1] by a#0']);
  });

  it.each([
    ['the earlier rule has times', '{ times: 1, events: [] }', "{ match: { to: '+15557770001' } }"],
    ['the earlier rule is narrower', "{ match: { to: '+15557770001' } }", "{ match: { to: '+1555777*' } }"],
    ['a value the regex does not match', "{ match: { text: '/^stop$/' } }", "{ match: { text: ['STOP'] } }"],
    ['different regexes (not decided)', "{ match: { text: '/a/' } }", "{ match: { text: '/aa/' } }"],
    ['a prefix under a regex (not decided)', "{ match: { to: '/^\\+1/' } }", "{ match: { to: '+1555*' } }"],
    ['another field', '{ match: { tag: x } }', "{ match: { to: '+15557770001' } }"],
    ['an API fault does not shadow outcome rules', '{ apiFault: { status: 500 } }', '{ events: [] }'],
    ['an outcome rule does not shadow API faults', '{ events: [] }', '{ apiFault: { status: 500 } }'],
    ['an API fault that applies only sometimes', '{ apiFault: { status: 500, probability: 0.5 } }', '{ match: { tag: x }, apiFault: { status: 503 } }'],
    ['an API fault for the first N only', '{ apiFault: { status: 500, times: 2 } }', '{ apiFault: { status: 503 } }'],
    // A rule that does not match on `to` is skipped for magic numbers: a later rule for magic numbers is reached.
    ['a magic number after a catch-all', '{ events: [] }', "{ match: { to: '+15551004720' } }"],
    ['a prefix that may be a magic number', '{ events: [] }', "{ match: { to: '+1555*' } }"],
    ['a regex on to (may match a magic number)', '{ events: [] }', "{ match: { to: '/^\\+15557/' } }"],
  ])('not reported: %s', (_what, earlier, later) => {
    expect(shadowed(scenario(rules(earlier, later)))).toEqual([]);
  });

  it('a catch-all does shadow a later rule on to that no magic number can meet', () => {
    const s = scenario(rules('{ events: [] }', "{ match: { to: '+1555777*' } }", "{ match: { to: ['+15557770001', '+19195551234'] } }"));
    expect(shadowed(s)).toEqual(['a.yaml rules[1] by a#0', 'a.yaml rules[2] by a#0']);
  });

  it('an API fault that always applies shadows the later API faults it covers', () => {
    expect(shadowed(scenario(rules('{ apiFault: { status: 503 } }', '{ match: { tag: burst }, apiFault: { status: 429 } }')))).toEqual([
      'a.yaml rules[1] by a#0',
    ]);
  });

  it('API faults on other operations do not shadow each other; on the same (or fewer) operations they do', () => {
    const s = scenario(
      rules(
        '{ apiFault: { status: 429, operation: search } }',
        '{ apiFault: { status: 503 } }',
        '{ apiFault: { status: 500, operation: media } }',
        '{ match: { accountId: x }, apiFault: { status: 500, operation: search } }',
        '{ apiFault: { status: 500, operation: [create, media] } }',
        '{ apiFault: { status: 500, operation: [search, media] } }',
      ),
    );
    // rules[3]: search, behind rule 0. rules[4] and [5]: each operation is behind some rule, but no one rule covers all
    // of them (whether several together do is not decided, as for regexes).
    expect(shadowed(s)).toEqual(['a.yaml rules[3] by a#0']);
  });

  it('a check clears what an earlier check found (hot reload of the shadowing file)', () => {
    const later = scenario(rules("{ match: { to: '+15557770001' } }"), 'b.yaml', 'b');
    checkReachability([scenario(rules('{ events: [] }')), later]);
    expect(later.rules[0]!.unreachable).toBeDefined();
    checkReachability([scenario(rules('{ match: { tag: x } }')), later]);
    expect(later.rules[0]!.unreachable).toBeUndefined();
  });

  it(`stops at its budget of ${REACHABILITY_BUDGET} comparisons and says so`, () => {
    // Twelve files of 1,000 rules, none shadowing another: every pair is compared until the budget runs out.
    const files = Array.from({ length: 12 }, (_, f) =>
      scenario(rules(...Array.from({ length: 1000 }, (_, i) => `{ match: { to: '+1919${String(f * 1000 + i).padStart(7, '0')}' } }`)), `f${f}.yaml`, `f${f}`),
    );
    const { warnings, complete } = checkReachability(files);
    expect(complete).toBe(false);
    expect(warnings).toEqual([]);
  });
});

describe('magic numbers rank before rules that do not match on to', () => {
  const message = (to: string, fields: Partial<StoredMessage> = {}): StoredMessage => ({
    id: '1700000000000abcdefghij',
    accountId: '9900000',
    direction: 'out',
    applicationId: 'app-1',
    owner: '+19195550100',
    from: '+19195550100',
    to: [to],
    text: 'hello',
    priority: 'default',
    time: 0,
    segmentCount: 1,
    recipients: [],
    timeline: [],
    ...fields,
  });
  const planFor = (s: CompiledScenario, m: StoredMessage) => {
    const engine = new ScenarioEngine();
    engine.setFileScenarios([s]);
    return engine.planOutbound(m, { deliveryDelayMs: 100, sendingDelayMs: 20 });
  };

  it('a catch-all, a text rule: skipped for a magic number, which keeps its outcome', () => {
    const s = scenario(rules("{ name: words, match: { text: '/hello/' }, events: [] }", '{ name: all, events: [{ type: message-delivered }] }'));
    const plan = planFor(s, message('+15551004720'));
    expect(plan.steps.get('+15551004720')!.map((step) => [step.type, step.errorCode])).toEqual([['message-failed', 4720]]);
    expect(plan.explanations.get('+15551004720')).toBe(
      "magic number +15551004720: message-failed 4720; missed: a#0 'words' skipped: +15551004720 is a magic number and the rule does not match on to; a#1 'all' skipped: +15551004720 is a magic number and the rule does not match on to",
    );
    // Any other recipient gets the rules.
    expect(plan.explanations.get('+15551004720')).not.toContain('matched');
    expect(planFor(s, message('+15557001234')).explanations.get('+15557001234')).toMatch(/^matched a#0 'words'/);
  });

  it('a rule that matches on to wins over the magic outcome', () => {
    const s = scenario(rules("{ name: mine, match: { to: '+1555100*' }, events: [{ type: message-delivered }] }"));
    const plan = planFor(s, message('+15551004720'));
    expect(plan.steps.get('+15551004720')!.map((step) => step.type)).toEqual(['message-delivered']);
    expect(plan.explanations.get('+15551004720')).toMatch(/^matched a#0 'mine'/);
  });
});
