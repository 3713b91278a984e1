// Run-time scenarios given as YAML text, read as scenario files are: the same loader, the same bounds (1 MiB, YAML
// aliases, nesting), problems naming the field and its line. In-process and over HTTP (Content-Type: application/yaml),
// then what only HTTP has: the other YAML media types, 413 past the size, 415 on a route that takes JSON only.
import { describe, expect, it } from 'vitest';
import { ControlInputError } from '../../src/control/operations.js';
import { MAX_SCENARIO_DEPTH, MAX_SCENARIO_FILE_BYTES } from '../../src/scenarios/compile.js';
import { CONTROL_CONNECTIONS, rejection } from '../helpers/harness.js';
import { ACCOUNT_A, getJson, sendA, TO1, TO5, useControlApi, WAIT } from '../helpers/control-api.js';

const { start, startHttp } = useControlApi();

const REJECT_TO5 = `# a run-time scenario, as a file would hold it
version: 1
name: yaml-reject
rules:
  - name: TO5 rejected
    match: { to: '${TO5}' }
    events:
      - { type: message-failed, errorCode: 4720 }
`;

// Line 6 holds the bad code: the problem must say so.
const BAD_CODE = `version: 1
name: yaml-bad
rules:
  - match: { to: '${TO5}' }
    events:
      - { type: message-failed, errorCode: 4999 }
`;

// Billion laughs: each alias doubles the expansion. yaml refuses it past its alias bound (maxAliasCount).
const ALIAS_BOMB = [
  'version: 1',
  'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]',
  ...Array.from({ length: 9 }, (_, i) => {
    const prev = String.fromCharCode(97 + i);
    const next = String.fromCharCode(98 + i);
    return `${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`;
  }),
].join('\n');

/** A valid scenario whose rule's `match.to` is nested `levels` objects deep. */
function nested(levels: number): string {
  let to = "'+15550000000'";
  for (let i = 0; i < levels; i++) to = `{ a: ${to} }`;
  return `version: 1\nname: deep\nrules:\n  - match: { to: ${to} }\n`;
}

async function refusal(promise: Promise<unknown>): Promise<ControlInputError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ControlInputError);
  return error as ControlInputError;
}

describe.each(CONTROL_CONNECTIONS)('YAML run-time scenarios through the %s', (_mode, connect) => {
  it('scenarios.use(yamlText) puts it in force, as the same document in JSON would be', async () => {
    const f = await start(connect);
    const summary = await f.ops.scenarios.use(REJECT_TO5, { accountId: ACCOUNT_A });
    expect(summary).toMatchObject({ name: 'yaml-reject', scope: ACCOUNT_A, rules: [{ name: 'TO5 rejected', hits: 0 }] });
    const id = await sendA(f, [TO5]);
    const failed = await f.running.callbacks.waitFor({ messageId: id, type: 'message-failed' }, WAIT);
    expect((failed.request.body[0] as { errorCode: number }).errorCode).toBe(4720);
    // Exported (and kept in a data dir) as the document it was parsed into.
    const exported = await f.ops.state.export();
    expect(exported.scenarios).toEqual([
      expect.objectContaining({ scope: ACCOUNT_A, document: { version: 1, name: 'yaml-reject', rules: [expect.objectContaining({ name: 'TO5 rejected' })] } }),
    ]);
  });

  it('a name option (PUT /scenarios/{name}) replaces the name the text gives', async () => {
    const f = await start(connect);
    const summary = await f.ops.scenarios.use(REJECT_TO5, { name: 'renamed' });
    expect(summary.name).toBe('renamed');
    expect((await f.ops.scenarios.list()).scenarios.map((s) => s.name)).toEqual(['renamed']);
    const json = await f.ops.scenarios.use({ version: 1, name: 'ignored', rules: [] }, { name: 'renamed' });
    expect(json.rules).toEqual([]);
    expect((await f.ops.scenarios.list()).scenarios.map((s) => s.name)).toEqual(['renamed']);
  });

  it('problems name the field, the line and the fix, as for a file; nothing is put in force', async () => {
    const f = await start(connect);
    const bad = await refusal(f.ops.scenarios.use(BAD_CODE));
    expect(bad.problems).toEqual([
      expect.objectContaining({ source: 'scenario for all accounts', field: 'rules[0].events[0].errorCode', line: 6, fix: expect.stringContaining('4720') }),
    ]);
    const syntax = await refusal(f.ops.scenarios.use('version: 1\nrules: [\n  { match: {to: x}\n'));
    expect(syntax.problems[0]).toMatchObject({ field: '(file)', line: expect.any(Number), fix: 'correct the YAML/JSON syntax at that line' });
    const duplicateKey = await refusal(f.ops.scenarios.use('version: 1\nname: a\nname: b\n'));
    expect(duplicateKey.problems[0]).toMatchObject({ line: 3 });
    expect((await f.ops.scenarios.list()).scenarios).toEqual([]);
  });

  it('past the bounds: an alias bomb, deep nesting (flow and block), and more than 1 MiB are refused, naming why', async () => {
    const f = await start(connect);
    const bomb = await refusal(f.ops.scenarios.use(ALIAS_BOMB));
    expect(bomb.problems[0]!.problem).toMatch(/alias/i);
    const deep = await refusal(f.ops.scenarios.use(nested(MAX_SCENARIO_DEPTH)));
    expect(deep.problems).toEqual([
      expect.objectContaining({ field: expect.stringMatching(/^rules\[0\]\.match\.to(\.a)+$/), problem: `is nested deeper than ${MAX_SCENARIO_DEPTH} levels` }),
    ]);
    // The same depth as JSON data is refused the same way.
    const deepJson = await refusal(f.ops.scenarios.use({ version: 1, rules: [{ match: { to: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) } }] }));
    expect(deepJson.problems[0]!.problem).toBe(`is nested deeper than ${MAX_SCENARIO_DEPTH} levels`);
    // Far deeper flow nesting stops the YAML parser itself (a problem, not a crash).
    const flow = await refusal(f.ops.scenarios.use(`version: 1\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`));
    expect(flow.problems[0]!.field).toBe('(file)');
    if (_mode === 'library') {
      const huge = await refusal(f.ops.scenarios.use(`version: 1\ndescription: "${'x'.repeat(MAX_SCENARIO_FILE_BYTES)}"\n`));
      expect(huge.problems[0]).toMatchObject({ field: '(file)', problem: `is larger than ${MAX_SCENARIO_FILE_BYTES} bytes` });
    }
    expect((await f.ops.scenarios.list()).scenarios).toEqual([]);
    // Just within the depth bound is fine (the matcher just does not match an object, so it is a schema problem).
    const within = await refusal(f.ops.scenarios.use(nested(1)));
    expect(within.problems[0]!.problem).not.toContain('nested deeper');
  });
});

describe('YAML run-time scenarios over HTTP only', () => {
  const send = (url: string, method: string, type: string | undefined, body: string, headers: Record<string, string> = {}) =>
    getJson(url, { method, headers: { ...(type ? { 'content-type': type } : {}), ...headers }, body });

  it('takes application/yaml, text/yaml and application/x-yaml on POST and PUT', async () => {
    const f = await startHttp();
    const base = `${f.running.url}/__emulator/scenarios`;
    for (const [i, type] of ['application/yaml', 'text/yaml; charset=utf-8', 'application/x-yaml'].entries()) {
      const posted = await send(base, 'POST', type, `version: 1\nname: s${i}\n`);
      expect(posted, type).toMatchObject({ status: 201, body: { name: `s${i}` } });
      const put = await send(`${base}/p${i}`, 'PUT', type, 'version: 1\n');
      expect(put, type).toMatchObject({ status: 200, body: { name: `p${i}` } });
    }
    const bad = await send(base, 'POST', 'application/yaml', BAD_CODE);
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([expect.objectContaining({ field: 'rules[0].events[0].errorCode', line: 6 })]);
  });

  it('past 1 MiB: 413 naming the bound, before anything is parsed', async () => {
    const f = await startHttp();
    const huge = await send(
      `${f.running.url}/__emulator/scenarios`,
      'POST',
      'application/yaml',
      `version: 1\ndescription: "${'x'.repeat(MAX_SCENARIO_FILE_BYTES)}"\n`,
    );
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: 'payload-too-large', limitBytes: MAX_SCENARIO_FILE_BYTES });
    expect(String(huge.body.message)).toContain('split it into several smaller scenarios');
    expect((await getJson(`${f.running.url}/__emulator/scenarios`)).body.scenarios).toEqual([]);
  });

  it('YAML elsewhere is a 415 naming the routes that take it; a JSON string is not YAML; text/plain and cross-site stay refused', async () => {
    const f = await startHttp();
    const inbound = await send(`${f.running.url}/__emulator/inbound`, 'POST', 'application/yaml', 'from: "+15551230000"\nto: ["+19195550200"]\ntext: hi\n');
    expect(inbound.status).toBe(415);
    expect(inbound.body.error).toBe('unsupported-media-type');
    expect(String(inbound.body.message)).toContain('POST /__emulator/scenarios');
    const time = await send(`${f.running.url}/__emulator/time`, 'PUT', 'application/yaml', 'timeScale: 0\n');
    expect(time.status).toBe(415);
    const jsonString = await send(`${f.running.url}/__emulator/scenarios`, 'POST', 'application/json', JSON.stringify('version: 1\n'));
    expect(jsonString.status).toBe(400);
    expect(String(jsonString.body.message)).toContain('application/yaml');
    const plain = await send(`${f.running.url}/__emulator/scenarios`, 'POST', 'text/plain', 'version: 1\n');
    expect(plain.status).toBe(415);
    const crossSite = await send(`${f.running.url}/__emulator/scenarios`, 'POST', 'application/yaml', 'version: 1\nname: evil\n', {
      origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    expect((await getJson(`${f.running.url}/__emulator/scenarios`)).body.scenarios).toEqual([]);
    // And the plain path still works after all that.
    expect((await send(`${f.running.url}/__emulator/scenarios`, 'POST', 'application/yaml', REJECT_TO5)).status).toBe(201);
    const id = await sendA(f, [TO1]);
    await f.running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT);
  });
});
