// Property tests over the scenario loader: the compiler (data and text), the file reader and the size cap. Whatever
// a scenario file holds, loading it never throws: it compiles, or every problem names the file, field and fix.
// Every regex that compiles is then run (on RE2) against adversarial text: it must finish (a hang would fail the test
// by its timeout; no timing is asserted). test/property/user-regex.test.ts generates the exponential shapes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { compileScenario, compileScenarioText, type CompiledScenario } from '../../src/scenarios/compile.js';
import { MAX_SCENARIO_FILE_BYTES } from '../../src/scenarios/compile.js';
import { compileScenarioFile } from '../../src/scenarios/files.js';
import type { MatchSubject } from '../../src/scenarios/matcher.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { createEmulator } from '../../src/compose.js';
import { EmulatorConfigError } from '../../src/errors.js';
import { DELAY_BOUND } from '../../src/validation/durations.js';
import type { Problem } from '../../src/validation/schema-check.js';
import { anyJson } from './arbitraries.js';
import { fcParams } from './fc-settings.js';
import { scenarioDocument } from './scenario-arbitraries.js';

const dir = mkdtempSync(join(tmpdir(), 'bwe-scenario-props-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Inputs chosen to make backtracking regexes slow: long runs of one character with a mismatch at the end.
const ADVERSARIAL = ['a'.repeat(2048) + '!', 'x'.repeat(2048), '1'.repeat(2048) + 'a', 'ab'.repeat(1024), '', '\ud800'.repeat(100)];

function expectOutcome(result: { scenario?: CompiledScenario; problems: Problem[] }, source: string): void {
  if (result.scenario) {
    expect(result.problems).toEqual([]);
    runEveryMatcher(result.scenario);
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  for (const p of result.problems) {
    expect(p.source).toBe(source);
    for (const key of ['field', 'problem', 'fix'] as const) expect(typeof p[key], JSON.stringify(p)).toBe('string');
  }
}

function runEveryMatcher(scenario: CompiledScenario): void {
  for (const rule of scenario.rules) {
    for (const text of ADVERSARIAL) {
      const subject: MatchSubject = {
        to: text,
        from: text,
        text,
        tag: text,
        applicationId: text,
        accountId: text,
        media: false,
        group: false,
        segments: 1,
        channel: 'SMS',
      };
      for (const m of rule.matchers) expect(typeof m.test(subject)).toBe('boolean');
    }
  }
}

describe('compileScenario (data, as POST /__emulator/scenarios gives it)', () => {
  it('any JSON value: compiles or names its problems, never throws', () => {
    fc.assert(
      fc.property(anyJson, (value) => expectOutcome(compileScenario(value, 'prop', 'fallback'), 'prop')),
      fcParams(2),
    );
  });

  it('scenario-shaped documents with hostile values (bad durations, unsafe regexes, wrong types)', () => {
    fc.assert(
      fc.property(scenarioDocument, (doc) => expectOutcome(compileScenario(doc, 'prop', 'fallback'), 'prop')),
      fcParams(4),
    );
  });

  it('every duration a compiled scenario holds is a finite number of milliseconds within the delay bound', () => {
    fc.assert(
      fc.property(scenarioDocument, (doc) => {
        const { scenario } = compileScenario(doc, 'prop', 'fallback');
        if (!scenario) return;
        const delays = [
          ...scenario.rules.flatMap((r) => [...(r.events ?? []).map((e) => e.afterMs), r.reply?.afterMs, r.callbackFaults?.delayMs, r.apiFault?.delayMs]),
          ...scenario.inbound.map((i) => i.afterMs),
        ].filter((d): d is number => d !== undefined);
        for (const d of delays) expect(Number.isFinite(d) && d >= 0 && d <= DELAY_BOUND.maxMs, String(d)).toBe(true);
      }),
      fcParams(2),
    );
  });
});

describe('compileScenarioText (a file body)', () => {
  it('any text at all', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (text) => expectOutcome(compileScenarioText(text, 'f.yaml', 'f'), 'f.yaml')),
      fcParams(2),
    );
  });

  it('YAML and JSON of hostile documents, whole or cut short anywhere', () => {
    fc.assert(
      fc.property(scenarioDocument, fc.boolean(), fc.nat(), fc.boolean(), (doc, asYaml, cut, truncate) => {
        const text = asYaml ? stringify(doc) : JSON.stringify(doc);
        const body = truncate ? text.slice(0, cut % (text.length + 1)) : text;
        expectOutcome(compileScenarioText(body, 'f.yaml', 'f'), 'f.yaml');
      }),
      fcParams(2),
    );
  });

  it('YAML bombs and tricks: anchors and aliases, deep nesting, tags, duplicate keys', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    for (const text of [
      bomb,
      'version: 1\nrules: ' + '['.repeat(5000),
      'version: !!js/function "x"',
      'version: 1\nversion: 1',
      '!!binary AAAA',
      '%YAML 9.9\n---\nversion: 1',
      '---\n---\n---',
    ]) {
      expectOutcome(compileScenarioText(text, 'f.yaml', 'f'), 'f.yaml');
    }
  });
});

describe('scenario files on disk', () => {
  it('any bytes in a .yaml file (invalid UTF-8 included)', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const file = join(dir, `bytes-${n++}.yaml`);
        writeFileSync(file, bytes);
        expectOutcome(compileScenarioFile(file), file);
      }),
      fcParams(0.5),
    );
  });

  it('a file over the size cap is refused before parsing, naming the file and the fix', () => {
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, `version: 1\ndescription: "${'x'.repeat(MAX_SCENARIO_FILE_BYTES)}"\n`);
    const { scenario, problems } = compileScenarioFile(file);
    expect(scenario).toBeUndefined();
    expect(problems).toEqual([
      { source: file, field: '(file)', problem: `is larger than ${MAX_SCENARIO_FILE_BYTES} bytes`, fix: 'split it into several smaller scenario files' },
    ]);
    // At start-up the same problem stops the emulator with a message that names the file and the fix.
    const config = resolveConfig({ overrides: { logLevel: 'silent', scenarios: [file] } });
    expect(() => createEmulator(config)).toThrow(EmulatorConfigError);
    expect(() => createEmulator(config)).toThrow(
      `${file}: (file): is larger than ${MAX_SCENARIO_FILE_BYTES} bytes. Fix: split it into several smaller scenario files`,
    );
  });
});
