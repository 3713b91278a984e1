// Scenario inputs that cost memory or CPU per message are bounded, each with its load-time problem or documented cut.
// Regressions: explanations quoted every missed rule with the whole message text and pattern (a 1,000-rule file made
// megabytes per recipient); a reply template had no size or placeholder limit (a 1 MB file of {{text}} rendered
// hundreds of MB per message); a delay of any length, or too large to be a number, was taken.
import { describe, expect, it } from 'vitest';
import { compileScenario, compileScenarioText, type CompiledScenario } from '../../src/scenarios/compile.js';
import { explainRule, ScenarioEngine } from '../../src/scenarios/engine.js';
import { EXPLAIN_LIMITS } from '../../src/scenarios/explain-bounds.js';
import { compileText } from '../../src/scenarios/matcher.js';
import { REPLY_LIMITS, renderReply } from '../../src/scenarios/reply-template.js';
import type { StoredMessage } from '../../src/store/messages.js';

const TIMINGS = { deliveryDelayMs: 100, sendingDelayMs: 20 };
const LONGEST_TEXT = 3270; // an RBM text, the longest a message can carry

function scenarioOf(doc: Record<string, unknown>): CompiledScenario {
  const { scenario, problems } = compileScenario({ version: 1, ...doc }, 'bounds', 'bounds');
  expect(problems).toEqual([]);
  return scenario!;
}

function problemsOf(yaml: string) {
  const { scenario, problems } = compileScenarioText(yaml, 'bounds.yaml', 'bounds');
  expect(scenario).toBeUndefined();
  return problems;
}

function message(fields: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id: '1700000000000abcdefghij',
    accountId: '9900000',
    direction: 'out',
    applicationId: 'app-1',
    owner: '+19195550100',
    from: '+19195550100',
    to: ['+15557770001'],
    text: 'hello',
    priority: 'default',
    time: 0,
    segmentCount: 1,
    recipients: [],
    timeline: [],
    ...fields,
  };
}

function plan(scenario: CompiledScenario, m: StoredMessage) {
  const engine = new ScenarioEngine();
  engine.setFileScenarios([scenario]);
  return engine.planOutbound(m, TIMINGS);
}

describe('explanations', () => {
  it(`quote at most ${EXPLAIN_LIMITS.quotedChars} characters of a value and list at most ${EXPLAIN_LIMITS.missesPerMessage} missed rules, counting the rest`, () => {
    const rules = Array.from({ length: 200 }, (_, i) => ({
      name: `rule ${i} ${'n'.repeat(500)}`,
      match: { text: `/^${'q'.repeat(300)}${i}$/` },
      events: [{ type: 'message-delivered' }],
    }));
    const scenario = scenarioOf({ name: 'S'.repeat(300), rules });
    const why = plan(scenario, message({ text: 't'.repeat(LONGEST_TEXT) })).explanations.get('+15557770001')!;
    expect(why.startsWith('no scenario rule matched: default outcome, delivered; missed: ')).toBe(true);
    expect(why.endsWith(`; … (+${200 - EXPLAIN_LIMITS.missesPerMessage} more rules missed)`)).toBe(true);
    const entries = why
      .slice(why.indexOf('missed: ') + 'missed: '.length)
      .split('; ')
      .slice(0, -1);
    expect(entries).toHaveLength(EXPLAIN_LIMITS.missesPerMessage);
    // Each quoted value is cut and says how much is missing: the scenario name, the rule name, the text, the pattern.
    expect(entries[0]).toBe(
      `${'S'.repeat(200)}…(+102 chars) '${'rule 0 ' + 'n'.repeat(193)}…(+307 chars)': text was '${'t'.repeat(200)}…(+${LONGEST_TEXT - 200} chars)', rule wants text matches /^${'q'.repeat(199)}…(+103 chars)/`,
    );
    // Unbounded, this explanation was over 800 KB (4 MB for 1,000 rules); now each entry is a few hundred characters.
    expect(why.length).toBeLessThan(EXPLAIN_LIMITS.missesPerMessage * 1000);
  });

  it('a list matcher shows its first values and counts the rest; explain() quotes a long reply clipped', () => {
    const list = compileText(
      Array.from({ length: 50 }, (_, i) => `+1555000${String(i).padStart(4, '0')}`),
      ['to'],
    );
    expect(list.describe).toBe(`one of ${Array.from({ length: 10 }, (_, i) => `'+1555000${String(i).padStart(4, '0')}'`).join(', ')}, … (+40 more)`);
    const scenario = scenarioOf({ rules: [{ name: 'r', reply: { text: 'x'.repeat(2000) } }] });
    expect(explainRule(scenario.rules[0]!)).toBe(`bounds#0 'r': when every message → reply '${'x'.repeat(200)}…(+1800 chars)' (0 hits)`);
  });

  it('short values are quoted whole, as before', () => {
    const scenario = scenarioOf({ name: 'e', rules: [{ name: 'other', match: { to: '+15557779999' }, events: [{ type: 'message-delivered' }] }] });
    expect(plan(scenario, message()).explanations.get('+15557770001')).toBe(
      "no scenario rule matched: default outcome, delivered; missed: e#0 'other': to was '+15557770001', rule wants to is '+15557779999'",
    );
  });
});

describe('reply templates', () => {
  const replyYaml = (text: string) => `version: 1\nrules:\n  - name: r\n    reply:\n      text: ${JSON.stringify(text)}\n`;

  it(`a template of ${REPLY_LIMITS.templateChars} characters loads; one more is refused at its field and line`, () => {
    expect(compileScenarioText(replyYaml('x'.repeat(REPLY_LIMITS.templateChars)), 'ok.yaml', 'ok').problems).toEqual([]);
    expect(problemsOf(replyYaml('x'.repeat(REPLY_LIMITS.templateChars + 1)))).toEqual([
      {
        source: 'bounds.yaml',
        field: 'rules[0].reply.text',
        line: 5,
        problem: 'is 2049 characters, over the limit of 2048',
        fix: 'shorten the reply text to 2048 characters or fewer',
      },
    ]);
  });

  it(`${REPLY_LIMITS.placeholders} placeholders load; one more is refused`, () => {
    expect(compileScenarioText(replyYaml('{{text}}'.repeat(REPLY_LIMITS.placeholders)), 'ok.yaml', 'ok').problems).toEqual([]);
    expect(problemsOf(replyYaml(`{{ from }}${'{{text}}'.repeat(REPLY_LIMITS.placeholders)}`))).toEqual([
      expect.objectContaining({
        field: 'rules[0].reply.text',
        problem: 'has 11 placeholders, over the limit of 10',
        fix: expect.stringContaining('use at most 10 of {{text}}'),
      }),
    ]);
  });

  it(`the rendered text is cut at ${REPLY_LIMITS.renderedChars} characters, saying how much was cut`, () => {
    const scenario = scenarioOf({ rules: [{ reply: { text: 'Re: {{text}} / {{text}} / {{text}}' } }] });
    const text = 'x'.repeat(LONGEST_TEXT);
    const [reply] = plan(scenario, message({ text })).replies;
    const full = `Re: ${text} / ${text} / ${text}`;
    expect(reply!.text).toBe(`${full.slice(0, REPLY_LIMITS.renderedChars)}…(+${full.length - REPLY_LIMITS.renderedChars} chars)`);
  });

  it('a template that fits is filled in whole; a cut never splits a surrogate pair', () => {
    const values = { text: 'hi', tag: 't', from: '+1', to: '+2', id: 'm1' };
    expect(renderReply('{{text}}|{{ tag }}|{{from}}|{{to}}|{{id}}|{{other}}', values)).toBe('hi|t|+1|+2|m1|{{other}}');
    const emoji = renderReply('{{text}}', { ...values, text: `${'a'.repeat(REPLY_LIMITS.renderedChars - 1)}😀😀` });
    expect(emoji).toBe(`${'a'.repeat(REPLY_LIMITS.renderedChars - 1)}…(+4 chars)`);
  });
});

describe('scenario delays', () => {
  const slots = (after: string | number) => ({
    rules: [{ events: [{ type: 'message-delivered', after }], reply: { text: 'r', after }, callbackFaults: { delay: after } }, { apiFault: { delay: after } }],
    inbound: [{ from: '+15551230000', to: ['+19195550100'], after, trigger: 'manual' }],
  });

  it('600h, past a 32-bit timer, is kept in every delay slot (the clock waits in chunks)', () => {
    const scenario = scenarioOf(slots('600h'));
    const [rule, fault] = scenario.rules;
    expect([rule!.events![0]!.afterMs, rule!.reply!.afterMs, rule!.callbackFaults!.delayMs, fault!.apiFault!.delayMs, scenario.inbound[0]!.afterMs]).toEqual(
      Array(5).fill(2_160_000_000),
    );
  });

  for (const tooLong of ['8761h', 8760 * 3_600_000 + 1, `${'9'.repeat(400)}ms`, Infinity]) {
    it(`${String(tooLong).slice(0, 12)} is refused in every slot, naming the field`, () => {
      const { scenario, problems } = compileScenario({ version: 1, ...slots(tooLong) }, 'bounds', 'bounds');
      expect(scenario).toBeUndefined();
      // Every slot, once each (the fault registry checks its delays before the reply is compiled: order is not the point).
      expect(problems.map((p) => p.field).sort()).toEqual(
        ['rules[0].events[0].after', 'rules[0].reply.after', 'rules[0].callbackFaults.delay', 'rules[1].apiFault.delay', 'inbound[0].after'].sort(),
      );
      for (const p of problems) {
        expect(p.problem).toMatch(/ is longer than the longest delay the emulator schedules \(8760h, 365 days\)$/);
        expect(p.fix).toBe('use at most 8760h');
      }
    });
  }
});
