// The spec coverage check: walks Bandwidth's bandwidth.yml (from the installed bandwidth-sdk) and, for every messaging
// operation × declared response code and every callback type, produces it from a real listening emulator and validates
// status and body against the schema the spec declares for it; it records which callback fields appeared. A case with
// no way to produce it fails; one documented as not applicable is printed with its reason. The README's table is
// generated from the result (paste the expected table from the failure message on a change).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmulators } from '../helpers/fixture.js';
import { CALLBACK_CASES, type CaseContext, coverageConfig, FIELDS_NOT_APPLICABLE, OPERATION_CASES, type Produced } from '../helpers/spec-coverage-cases.js';
import { type DeclaredResponse, loadCoverageSpec, presentPaths, specValidator } from '../helpers/spec-coverage.js';
import { type CoverageResult, coverageTable, type ResponseOutcome } from '../helpers/spec-coverage-table.js';

const emulators = useEmulators();
const validator = specValidator();

// The problems of one produced answer against the declared response: status, body schema, and the body's absence
// where none is declared (204).
function responseProblems(declared: DeclaredResponse, produced: Produced): string[] {
  const problems: string[] = [];
  if (String(produced.status) !== declared.code) problems.push(`status ${produced.status}, expected ${declared.code}`);
  if (declared.schema && declared.mediaType === 'application/json') {
    problems.push(...validator.problems(declared.schema, produced.body).map((p) => `body: ${p}`));
  } else if (declared.mediaType === 'application/octet-stream') {
    if (!Buffer.isBuffer(produced.body) || produced.body.length === 0) problems.push('expected the bytes of the media');
  } else if (declared.code === '204' && produced.body !== undefined) problems.push('a 204 must have no body');
  if (declared.code === '429' && !produced.headers['retry-after']) problems.push('a 429 without Retry-After');
  return problems.length > 0
    ? [...problems, `answer: ${JSON.stringify(Buffer.isBuffer(produced.body) ? `<${produced.body.length} bytes>` : produced.body)}`]
    : [];
}

describe('spec coverage: bandwidth.yml, produced and proven', () => {
  const result: CoverageResult = { operations: [], callbackTypes: [], fields: {} };
  const callbackProblems: string[] = [];

  beforeAll(async () => {
    const spec = await loadCoverageSpec();
    const sink = await emulators.newSink();
    const running = await emulators.start(coverageConfig(sink));
    const ctx: CaseContext = { running, sink, start: (config) => emulators.start(config) };

    for (const op of spec.operations) {
      const cases = OPERATION_CASES[op.operationId] ?? {};
      const responses: ResponseOutcome[] = [];
      for (const declared of op.responses) {
        const known = cases[declared.code];
        if (!known) {
          responses.push({ code: declared.code, state: 'failed', problem: 'no case produces it' });
        } else if ('notApplicable' in known) {
          responses.push({ code: declared.code, state: 'not-applicable', reason: known.notApplicable });
        } else {
          await running.scenarios.clear();
          const problems = responseProblems(declared, await known.produce(ctx));
          responses.push(
            problems.length === 0
              ? { code: declared.code, state: 'covered' }
              : { code: declared.code, state: 'failed', problem: `${known.how}: ${problems.join('; ')}` },
          );
        }
      }
      result.operations.push({ operationId: op.operationId, method: op.method, path: op.path, responses });
    }
    await running.scenarios.clear();

    for (const { type, envelope } of spec.callbackTypes) {
      const known = CALLBACK_CASES[type];
      if (!known || 'notApplicable' in known) {
        result.callbackTypes.push({ type, covered: false, how: known ? known.notApplicable : 'no case produces it' });
        if (!known) callbackProblems.push(`${type}: no case produces it`);
        continue;
      }
      try {
        const events = await known.produce(ctx);
        const problems = events.flatMap((e) => validator.problems(spec.schemas[envelope]!, e));
        if (events.length === 0) problems.push('no event reached the sink');
        if (problems.length > 0) callbackProblems.push(`${type} (${known.how}): ${problems.join('; ')}`);
        result.callbackTypes.push({ type, covered: problems.length === 0, how: known.how });
      } catch (error) {
        callbackProblems.push(`${type} (${known.how}): ${(error as Error).message.slice(0, 400)}`);
        result.callbackTypes.push({ type, covered: false, how: known.how });
      }
    }

    // Fields: every event any sink received in this run, by the envelope its type belongs to.
    const envelopeOf = new Map(spec.callbackTypes.map((c) => [c.type, c.envelope]));
    for (const name of ['statusCallback', 'inboundCallback'] as const)
      result.fields[name] = { total: spec.fields[name], seen: new Set(), notApplicable: FIELDS_NOT_APPLICABLE[name] ?? {} };
    for (const request of sink.requests) {
      for (const event of Array.isArray(request.body) ? (request.body as Array<{ type?: string }>) : []) {
        const envelope = envelopeOf.get(String(event.type));
        if (envelope) for (const path of presentPaths(event)) result.fields[envelope]!.seen.add(path);
      }
    }
  }, 30_000);

  it('produces every declared response of every messaging operation, each matching its schema', () => {
    const notApplicable = result.operations.flatMap((o) =>
      o.responses.flatMap((r) => (r.state === 'not-applicable' ? [`${o.operationId} ${r.code}: ${r.reason}`] : [])),
    );
    if (notApplicable.length > 0) console.log(`spec coverage: not applicable\n  ${notApplicable.join('\n  ')}`);
    const failed = result.operations.flatMap((o) => o.responses.flatMap((r) => (r.state === 'failed' ? [`${o.operationId} ${r.code}: ${r.problem}`] : [])));
    expect(failed, `responses not produced or not matching the spec:\n  ${failed.join('\n  ')}`).toEqual([]);
    expect(result.operations.map((o) => o.operationId).sort()).toEqual(Object.keys(OPERATION_CASES).sort());
  });

  it('produces every callback type at a sink, each matching its callback schema', () => {
    expect(callbackProblems, `callback types not produced or not matching the spec:\n  ${callbackProblems.join('\n  ')}`).toEqual([]);
    expect(result.callbackTypes.every((c) => c.covered)).toBe(true);
  });

  it('the README shows the table this run produced (paste the expected table below under "### Spec coverage")', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = coverageTable(result);
    expect(readme.includes(table), `README.md must contain, under "### Spec coverage":\n\n${table}\n`).toBe(true);
  });
});
