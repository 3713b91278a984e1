// Scenario files, version 1: the compiler's checks and the text matchers, without any server.
import { describe, expect, it } from 'vitest';
import { compileScenario, compileScenarioText, type CompiledScenario } from '../../src/scenarios/compile.js';
import { compileMatch, compileText, firstMiss, type MatchSubject } from '../../src/scenarios/matcher.js';
import { seededRandom } from '../../src/scenarios/random.js';
import type { Problem } from '../../src/validation/schema-check.js';

const SOURCE = '/tmp/unit-scenario.yaml';

function compile(text: string): { scenario?: CompiledScenario; problems: Problem[] } {
  return compileScenarioText(text, SOURCE, 'unit');
}

/** Compile text that must be valid; fail with its problems otherwise. */
function compileOk(text: string): CompiledScenario {
  const { scenario, problems } = compile(text);
  expect(problems).toEqual([]);
  expect(scenario).toBeDefined();
  return scenario!;
}

/** The problems of text that must be invalid: no scenario comes back, and each problem names the source and a fix. */
function problemsOf(text: string): Problem[] {
  const { scenario, problems } = compile(text);
  expect(scenario).toBeUndefined();
  expect(problems.length).toBeGreaterThan(0);
  for (const p of problems) {
    expect(p.source).toBe(SOURCE);
    expect(p.fix.length).toBeGreaterThan(0);
  }
  return problems;
}

function subject(fields: Partial<MatchSubject> = {}): MatchSubject {
  return {
    to: '+15557770001',
    from: '+19195550100',
    text: 'Hello World',
    tag: 'order-77',
    applicationId: 'app-1',
    accountId: '9900000',
    media: false,
    group: false,
    segments: 1,
    channel: 'SMS',
    ...fields,
  };
}

describe('text matchers', () => {
  it('an exact string matches only that value', () => {
    const m = compileText('+15557770001', ['to']);
    expect(m.test('+15557770001')).toBe(true);
    expect(m.test('+155577700011')).toBe(false);
    expect(m.test('+1555777000')).toBe(false);
    expect(m.test(undefined)).toBe(false);
    expect(m.describe).toBe("is '+15557770001'");
  });

  it("'prefix*' matches values starting with the prefix", () => {
    const m = compileText('+1555777*', ['to']);
    expect(m.test('+15557770001')).toBe(true);
    expect(m.test('+1555777')).toBe(true);
    expect(m.test('+15557780001')).toBe(false);
    expect(m.test(undefined)).toBe(false);
    expect(m.describe).toBe("starts with '+1555777'");
  });

  it("an escaped '\\*' at the end is a literal, not a prefix", () => {
    const m = compileText('a\\*', ['text']);
    expect(m.test('a\\*')).toBe(true);
    expect(m.test('abc')).toBe(false);
  });

  it("'/regex/flags' is a regular expression, flags honoured", () => {
    const plain = compileText('/^hello/', ['text']);
    expect(plain.test('hello there')).toBe(true);
    expect(plain.test('Hello there')).toBe(false);
    expect(plain.test('say hello')).toBe(false);
    const insensitive = compileText('/^hello/i', ['text']);
    expect(insensitive.test('HELLO there')).toBe(true);
    expect(insensitive.test('say hello')).toBe(false);
    expect(insensitive.describe).toBe('matches /^hello/i');
    const dotAll = compileText('/a.b/s', ['text']);
    expect(dotAll.test('a\nb')).toBe(true);
    expect(compileText('/a.b/', ['text']).test('a\nb')).toBe(false);
  });

  it("regex flags other than i, m, s, u are refused (a 'g' regex would be stateful)", () => {
    expect(() => compileText('/x/g', ['rules', 0, 'match', 'text'])).toThrow(/flags 'g' are not allowed/);
  });

  it('{prefix} and {equals} object forms', () => {
    const prefix = compileText({ prefix: '+1919' }, ['from']);
    expect(prefix.test('+19195550100')).toBe(true);
    expect(prefix.test('+12125550100')).toBe(false);
    const equals = compileText({ equals: 'a*' }, ['text']);
    // {equals} is literal even with a trailing star.
    expect(equals.test('a*')).toBe(true);
    expect(equals.test('abc')).toBe(false);
  });

  it('{regex, flags} object form', () => {
    const m = compileText({ regex: '\\bcode\\s+\\d{6}\\b', flags: 'i' }, ['text']);
    expect(m.test('Your CODE 123456 expires')).toBe(true);
    expect(m.test('Your code 12345 expires')).toBe(false);
    const noFlags = compileText({ regex: '^abc$' }, ['text']);
    expect(noFlags.test('abc')).toBe(true);
    expect(noFlags.test('ABC')).toBe(false);
  });

  it('a list matches any of its exact values (no prefix or regex inside a list)', () => {
    const m = compileText(['+15550000001', '+15550000002', 'x*'], ['to']);
    expect(m.test('+15550000001')).toBe(true);
    expect(m.test('+15550000002')).toBe(true);
    expect(m.test('+15550000003')).toBe(false);
    expect(m.test('x*')).toBe(true);
    expect(m.test('xyz')).toBe(false);
    expect(m.describe).toBe("one of '+15550000001', '+15550000002', 'x*'");
  });

  it('nested quantifiers (refused by the old heuristic check) run on RE2, with their JavaScript meaning', () => {
    const nested = compileText('/(a+)+$/', ['text']);
    expect(nested.test('baa')).toBe(true);
    expect(nested.test('a'.repeat(5000) + '!')).toBe(false);
    const star = compileText({ regex: '(.*)*x' }, ['text']);
    expect(star.test('abcx')).toBe(true);
    expect(star.test('y'.repeat(5000))).toBe(false);
  });

  it('lookaround and backreferences, which RE2 cannot run, are refused with a rewrite', () => {
    expect(() => compileText('/^(?=STOP)/', ['text'])).toThrow(/uses a lookahead/);
    expect(() => compileText('/x(?!y)/', ['text'])).toThrow(/uses a negative lookahead/);
    expect(() => compileText({ regex: '(?<=a)b' }, ['text'])).toThrow(/uses a lookbehind/);
    expect(() => compileText('/(a)\\1/', ['text'])).toThrow(/backreference/);
  });

  it('a malformed regex is rejected with a fix', () => {
    expect(() => compileText('/(unclosed/', ['text'])).toThrow(/not a valid regular expression/);
  });
});

describe('compileMatch / firstMiss', () => {
  it('every given field must match; firstMiss explains the first that does not', () => {
    const matchers = compileMatch({ to: '+1555777*', text: '/world$/i', tag: ['order-77', 'order-78'], media: false, group: false, segments: { max: 2 } }, [
      'rules',
      0,
      'match',
    ]);
    expect(matchers.map((m) => m.field)).toEqual(['to', 'text', 'tag', 'media', 'group', 'segments']);
    expect(firstMiss(matchers, subject())).toBeUndefined();
    expect(firstMiss(matchers, subject({ to: '+15558880001' }))).toBe("to was '+15558880001', rule wants to starts with '+1555777'");
    expect(firstMiss(matchers, subject({ text: 'worlds' }))).toBe("text was 'worlds', rule wants text matches /world$/i");
    expect(firstMiss(matchers, subject({ tag: undefined }))).toBe("tag was undefined, rule wants tag one of 'order-77', 'order-78'");
    expect(firstMiss(matchers, subject({ media: true }))).toBe('media was true, rule wants has no media');
    expect(firstMiss(matchers, subject({ group: true }))).toBe('group was true, rule wants is a 1:1 message');
    expect(firstMiss(matchers, subject({ segments: 3 }))).toBe('segments was 3, rule wants segments 1..2');
  });

  it('segments as a number is an exact count; {min} is open-ended', () => {
    const exact = compileMatch({ segments: 2 }, []);
    expect(firstMiss(exact, subject({ segments: 2 }))).toBeUndefined();
    expect(firstMiss(exact, subject({ segments: 1 }))).toBeDefined();
    expect(firstMiss(exact, subject({ segments: 3 }))).toBeDefined();
    const min = compileMatch({ segments: { min: 2 } }, []);
    expect(firstMiss(min, subject({ segments: 1 }))).toBeDefined();
    expect(firstMiss(min, subject({ segments: 99 }))).toBeUndefined();
  });

  it('applicationId, accountId and from matchers', () => {
    const matchers = compileMatch({ applicationId: 'app-2', accountId: '99*', from: { prefix: '+1919' } }, []);
    expect(firstMiss(matchers, subject({ applicationId: 'app-2' }))).toBeUndefined();
    expect(firstMiss(matchers, subject())).toBe("applicationId was 'app-1', rule wants applicationId is 'app-2'");
    expect(firstMiss(matchers, subject({ applicationId: 'app-2', accountId: '1234' }))).toMatch(/^accountId was '1234'/);
    expect(firstMiss(matchers, subject({ applicationId: 'app-2', from: '+12125550100' }))).toMatch(/^from was '\+12125550100'/);
  });

  it('no match block matches everything', () => {
    expect(compileMatch(undefined, [])).toEqual([]);
    expect(firstMiss([], subject())).toBeUndefined();
  });
});

describe('compileScenarioText', () => {
  it('compiles a valid file: rule names, durations, events, reply, inbound, default seed', () => {
    const s = compileOk(`
version: 1
name: ok
rules:
  - name: reject
    match: { to: '+1555777*' }
    times: 3
    events:
      - { type: message-sending, after: 20ms }
      - { type: message-failed, errorCode: 4720, after: 1.5s }
  - match: { tag: t }
    reply: { text: 'hi {{from}}', after: 2s }
inbound:
  - { from: '+15550001234', to: ['+19195550100'], text: hello, trigger: manual, name: later }
`);
    expect(s.name).toBe('ok');
    expect(s.seed).toBe(1);
    expect(s.rules.map((r) => [r.id, r.name, r.times])).toEqual([
      ['ok#0', 'reject', 3],
      ['ok#1', 'rule 2', undefined],
    ]);
    expect(s.rules[0]!.events).toEqual([
      { type: 'message-sending', afterMs: 20, errorCode: undefined, description: undefined },
      { type: 'message-failed', afterMs: 1500, errorCode: 4720, description: undefined },
    ]);
    expect(s.rules[1]!.reply).toEqual({ afterMs: 2000, text: 'hi {{from}}', media: undefined });
    expect(s.inbound).toEqual([{ name: 'later', trigger: 'manual', afterMs: 0, from: '+15550001234', to: ['+19195550100'], text: 'hello', media: undefined }]);
  });

  it('the name falls back to the given one', () => {
    expect(compileOk('version: 1\nrules: []\n').name).toBe('unit');
  });

  it('a regex RE2 cannot run (a lookahead) is rejected at its field and line, with a rewrite', () => {
    const problems = problemsOf(`version: 1
rules:
  - match:
      text: '/^(?=.*STOP)/'
    events: [{ type: message-delivered }]
`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field: 'rules[0].match.text', line: 4 });
    expect(problems[0]!.problem).toBe('regex /^(?=.*STOP)/ uses a lookahead (?=…), which RE2 cannot run');
    expect(problems[0]!.fix).toMatch(/^rewrite without lookahead/);
  });

  it('message-failed without an errorCode is rejected', () => {
    const problems = problemsOf(`version: 1
rules:
  - events:
      - { type: message-failed }
`);
    expect(problems).toEqual([expect.objectContaining({ field: 'rules[0].events[0].errorCode', problem: 'is required for message-failed', line: 4 })]);
  });

  it('an unknown error code is rejected', () => {
    const problems = problemsOf(`version: 1
rules:
  - events:
      - { type: message-failed, errorCode: 1234 }
`);
    expect(problems).toEqual([expect.objectContaining({ field: 'rules[0].events[0].errorCode' })]);
    expect(problems[0]!.problem).toMatch(/1234 is not in Bandwidth's/);
  });

  it('an errorCode on a non-failed event is rejected', () => {
    const problems = problemsOf(`version: 1
rules:
  - events:
      - { type: message-delivered, errorCode: 4720 }
`);
    expect(problems).toEqual([expect.objectContaining({ field: 'rules[0].events[0].errorCode' })]);
  });

  it('a terminal event followed by another event is rejected', () => {
    const delivered = problemsOf(`version: 1
rules:
  - events:
      - { type: message-delivered }
      - { type: message-sending }
`);
    expect(delivered).toEqual([expect.objectContaining({ field: 'rules[0].events[0]', line: 4 })]);
    expect(delivered[0]!.problem).toBe('message-delivered is final, but more events follow it');
    const failed = problemsOf(`version: 1
rules:
  - events:
      - { type: message-sending }
      - { type: message-failed, errorCode: 4720 }
      - { type: message-delivered }
`);
    expect(failed).toEqual([expect.objectContaining({ field: 'rules[0].events[1]', problem: 'message-failed is final, but more events follow it' })]);
  });

  it('an apiFault rule with events (or a reply, or callback faults) is rejected', () => {
    for (const extra of ['events: [{ type: message-delivered }]', "reply: { text: 'x' }", 'callbackFaults: { drop: true }']) {
      const problems = problemsOf(`version: 1
rules:
  - apiFault: { status: 500 }
    ${extra}
`);
      expect(problems).toEqual([expect.objectContaining({ field: 'rules[0].apiFault', line: 3 })]);
      expect(problems[0]!.problem).toMatch(/cannot also script events, a reply or callback faults/);
    }
  });

  it('an apiFault that does nothing is rejected', () => {
    const problems = problemsOf('version: 1\nrules:\n  - apiFault: { times: 2 }\n');
    expect(problems).toEqual([expect.objectContaining({ field: 'rules[0].apiFault', problem: 'does nothing' })]);
  });

  it('retryAfter without status 429 is rejected', () => {
    for (const status of ['500', '503']) {
      const problems = problemsOf(`version: 1\nrules:\n  - apiFault: { status: ${status}, retryAfter: 5 }\n`);
      expect(problems).toEqual([expect.objectContaining({ field: 'rules[0].apiFault.retryAfter', problem: 'only goes with status 429' })]);
    }
    const noStatus = problemsOf('version: 1\nrules:\n  - apiFault: { delay: 10ms, retryAfter: 5 }\n');
    expect(noStatus).toEqual([expect.objectContaining({ field: 'rules[0].apiFault.retryAfter' })]);
    compileOk('version: 1\nrules:\n  - apiFault: { status: 429, retryAfter: 5 }\n');
  });

  it('an apiFault operation: create, search or media, or a list of them; anything else is refused with the field and fix', () => {
    const ok = compileOk('version: 1\nrules:\n  - apiFault: { status: 429, operation: [search, media] }\n  - apiFault: { status: 500 }\n');
    expect([...ok.rules[0]!.apiFault!.operations]).toEqual(['search', 'media']);
    expect([...ok.rules[1]!.apiFault!.operations]).toEqual(['create']);
    const unknown = problemsOf('version: 1\nrules:\n  - apiFault: { status: 429, operation: list }\n');
    expect(unknown).toEqual([expect.objectContaining({ field: 'rules[0].apiFault.operation', line: 3, fix: expect.stringContaining("'search'") })]);
    for (const bad of ['[]', '[search, search]', '[create, search, media, create]']) {
      expect(problemsOf(`version: 1\nrules:\n  - apiFault: { status: 429, operation: ${bad} }\n`)).toEqual([
        expect.objectContaining({ field: 'rules[0].apiFault.operation' }),
      ]);
    }
    // An operation alone does nothing.
    expect(problemsOf('version: 1\nrules:\n  - apiFault: { operation: search }\n')).toEqual([
      expect.objectContaining({ field: 'rules[0].apiFault', problem: 'does nothing', fix: 'give status (404, 415, 429, 500, 503), delay, or drop: true' }),
    ]);
  });

  it('a rule faulting search or media matches on accountId only: a message field is refused, naming it and the fix', () => {
    compileOk("version: 1\nrules:\n  - match: { accountId: '9900000' }\n    apiFault: { status: 429, operation: search }\n");
    compileOk("version: 1\nrules:\n  - match: { to: '+15550000000' }\n    apiFault: { status: 429, operation: create }\n");
    const problems = problemsOf("version: 1\nrules:\n  - match: { tag: burst, to: '+1555*' }\n    apiFault: { status: 429, operation: [create, media] }\n");
    expect(problems.map((p) => p.field).sort()).toEqual(['rules[0].match.tag', 'rules[0].match.to']);
    expect(problems[0]).toMatchObject({
      problem: expect.stringContaining('a media request has no message'),
      fix: expect.stringContaining('operation: create'),
    });
  });

  it('every together with probability is rejected (on apiFault and on callbackFaults)', () => {
    const api = problemsOf('version: 1\nrules:\n  - apiFault: { status: 503, every: 2, probability: 0.5 }\n');
    expect(api).toEqual([expect.objectContaining({ field: 'rules[0].apiFault', problem: "has both 'every' and 'probability'" })]);
    const cb = problemsOf('version: 1\nrules:\n  - callbackFaults: { drop: true, every: 2, probability: 0.5 }\n');
    expect(cb).toEqual([expect.objectContaining({ field: 'rules[0].callbackFaults', problem: "has both 'every' and 'probability'" })]);
  });

  it('schema problems: an unknown field, a wrong version, a non-E.164 inbound number', () => {
    const unknown = problemsOf('version: 1\nrules:\n  - match: { to: x }\n    colour: red\n');
    expect(unknown).toEqual([expect.objectContaining({ field: 'rules[0].colour', problem: 'is not a known field', line: 4 })]);
    const version = problemsOf('version: 2\n');
    expect(version).toEqual([expect.objectContaining({ field: 'version', line: 1 })]);
    const inbound = problemsOf("version: 1\ninbound:\n  - { from: '5551234', to: ['+19195550100'] }\n");
    expect(inbound).toEqual([expect.objectContaining({ field: 'inbound[0].from' })]);
  });

  it('every problem of a file is reported in one pass', () => {
    const problems = problemsOf(`version: 1
rules:
  - events: [{ type: message-failed }]
  - apiFault: { status: 503, retryAfter: 1 }
  - match: { text: '/(x)\\1/' }
`);
    expect(problems.map((p) => p.field).sort()).toEqual(['rules[0].events[0].errorCode', 'rules[1].apiFault.retryAfter', 'rules[2].match.text']);
  });

  it('YAML syntax errors (and duplicate keys) are reported as (file) problems with their line', () => {
    const unclosed = problemsOf('version: 1\nrules:\n  - match: { to: [unclosed\n');
    expect(unclosed[0]).toMatchObject({ field: '(file)', line: 4, fix: 'correct the YAML/JSON syntax at that line' });
    expect(unclosed[0]!.problem).toMatch(/Flow (sequence|map)/);
    const duplicate = problemsOf('version: 1\nrules:\n  - name: a\n    name: b\n');
    expect(duplicate).toEqual([expect.objectContaining({ field: '(file)', line: 4, problem: 'Map keys must be unique' })]);
  });

  it('compileScenario takes data as well as text', () => {
    const { scenario, problems } = compileScenario(
      { version: 1, seed: 9, rules: [{ match: { to: '+1555*' }, events: [{ type: 'message-delivered', after: 5 }] }] },
      'data',
      'fallback',
    );
    expect(problems).toEqual([]);
    expect(scenario!.seed).toBe(9);
    expect(scenario!.rules[0]!.events).toEqual([{ type: 'message-delivered', afterMs: 5, errorCode: undefined, description: undefined }]);
  });
});

describe('seededRandom', () => {
  const draw = (seed: number, n: number) => {
    const random = seededRandom(seed);
    return Array.from({ length: n }, () => random());
  };

  it('the same seed gives the same sequence, in [0, 1)', () => {
    const a = draw(7, 50);
    const b = draw(7, 50);
    expect(a).toEqual(b);
    for (const x of a) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    // Not a constant stream.
    expect(new Set(a).size).toBe(50);
  });

  it('different seeds give different sequences', () => {
    expect(draw(7, 20)).not.toEqual(draw(8, 20));
    expect(draw(0, 20)).not.toEqual(draw(1, 20));
  });

  it("a compiled scenario's stream starts from its seed", () => {
    const s = compileOk('version: 1\nseed: 7\nrules: []\n');
    expect(s.seed).toBe(7);
    expect(Array.from({ length: 5 }, () => s.random())).toEqual(draw(7, 5));
  });
});

describe('multichannel: channel matcher, message-read, RBM responses', () => {
  it('channel matches one channel or a list, and says what it saw when it misses', () => {
    const one = compileMatch({ channel: 'RBM' }, ['match']);
    expect(firstMiss(one, subject({ channel: 'RBM' }))).toBeUndefined();
    expect(firstMiss(one, subject({ channel: 'SMS' }))).toBe("channel was 'SMS', rule wants channel RBM");
    const list = compileMatch({ channel: ['SMS', 'MMS'] }, ['match']);
    expect(firstMiss(list, subject({ channel: 'MMS' }))).toBeUndefined();
    expect(firstMiss(list, subject({ channel: 'RBM' }))).toContain('channel SMS or MMS');
  });

  it('an unknown channel is a schema problem naming the field', () => {
    const problems = problemsOf('version: 1\nrules:\n  - match: { channel: FAX }\n');
    expect(problems[0]).toMatchObject({ field: 'rules[0].match.channel', line: 3 });
  });

  it('message-read is allowed last, right after message-delivered, on a rule that only matches RBM', () => {
    const scenario = compileOk(`version: 1
rules:
  - match: { channel: RBM }
    events: [{ type: message-sending }, { type: message-delivered }, { type: message-read, after: 2s }]
`);
    expect(scenario.rules[0]!.events!.map((e) => e.type)).toEqual(['message-sending', 'message-delivered', 'message-read']);
    expect(scenario.rules[0]!.events![2]!.afterMs).toBe(2000);
  });

  it('message-read without RBM-only matching, not after delivered, or followed by more is refused with a fix', () => {
    const anyChannel = problemsOf('version: 1\nrules:\n  - events: [{ type: message-delivered }, { type: message-read }]\n');
    expect(anyChannel).toEqual([expect.objectContaining({ field: 'rules[0].events[1]', fix: 'add match: { channel: RBM } to the rule' })]);
    const notAfterDelivered = problemsOf('version: 1\nrules:\n  - match: { channel: RBM }\n    events: [{ type: message-sending }, { type: message-read }]\n');
    expect(notAfterDelivered.map((p) => p.problem)).toEqual(['message-read must come right after message-delivered']);
    const afterFailed = problemsOf(
      'version: 1\nrules:\n  - match: { channel: RBM }\n    events: [{ type: message-failed, errorCode: 4720 }, { type: message-read }]\n',
    );
    expect(afterFailed.map((p) => p.field)).toEqual(['rules[0].events[0]', 'rules[0].events[1]']);
  });

  it('a reply may be an RBM suggestion or location response, but not both and not empty', () => {
    const scenario = compileOk(`version: 1
rules:
  - match: { channel: RBM }
    reply: { suggestionResponse: { text: Yes, postbackData: eWVz } }
inbound:
  - { from: '+15551230000', to: ['+19195550100'], locationResponse: { latitude: '37.7749', longitude: '-122.4194' } }
`);
    expect(scenario.rules[0]!.reply).toMatchObject({ text: '', suggestionResponse: { text: 'Yes', postbackData: 'eWVz' } });
    expect(scenario.inbound[0]!.locationResponse).toEqual({ latitude: '37.7749', longitude: '-122.4194' });
    const both = problemsOf(
      "version: 1\nrules:\n  - reply: { suggestionResponse: { text: a, postbackData: YQ== }, locationResponse: { latitude: '1', longitude: '2' } }\n",
    );
    expect(both.map((p) => p.problem)).toEqual(['has both suggestionResponse and locationResponse']);
    const empty = problemsOf('version: 1\nrules:\n  - reply: { after: 1s }\n');
    expect(empty.map((p) => p.problem)).toEqual(['says nothing']);
    const badLatitude = problemsOf(
      "version: 1\ninbound:\n  - { from: '+15551230000', to: ['+19195550100'], locationResponse: { latitude: north, longitude: '2' } }\n",
    );
    expect(badLatitude[0]!.field).toBe('inbound[0].locationResponse.latitude');
  });
});
