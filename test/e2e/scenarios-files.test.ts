// Scenario files on disk: the `validate` command (the built CLI, spawned), hot reload of a running emulator, and a
// broken file stopping start-up.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { pino } from 'pino';
import { createEmulator } from '../../src/compose.js';
import { resolveConfig } from '../../src/config/resolve.js';
import type { ScenarioSummary } from '../../src/scenarios/engine.js';
import { buildApp } from '../../src/server.js';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { EmulatorConfigError } from '../../src/errors.js';
import { startSink, type CallbackSink } from '../helpers/sink.js';
import { assertCallbackMatchesSpec } from '../helpers/spec.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/bandwidth-emulator.js');
const BUNDLED = readdirSync(join(ROOT, 'scenarios'))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort()
  .map((f) => join(ROOT, 'scenarios', f));

const ACCOUNT = '9900000';
const USER = 'bw-user';
const PASS = 'bw-password';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const WAIT = { timeoutMs: 5000 };

const dir = mkdtempSync(join(tmpdir(), 'bw-scenarios-'));
const emulators: RunningEmulator[] = [];
const sinks: CallbackSink[] = [];

afterEach(async () => {
  const started = emulators.splice(0);
  const used = sinks.splice(0);
  try {
    await Promise.all(started.map((r) => r.close()));
    for (const sink of used) for (const request of sink.requests) assertCallbackMatchesSpec(request.body);
  } finally {
    await Promise.all(used.map((s) => s.close()));
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
/** Write a scenario file in the temp folder; returns its absolute path. */
function scenarioFile(text: string, name = `scenario-${++fileCount}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Run the built CLI's validate command; resolves with the exit code and both streams. */
function validate(...paths: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return validateIn(ROOT, ...paths);
}

/** The same, from another working folder. */
function validateIn(cwd: string, ...paths: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, 'validate', ...paths], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe('bandwidth-emulator validate', () => {
  it('an unknown error code: exit 1, stderr names file:line, the field and a fix', async () => {
    const file = scenarioFile(`version: 1
name: bad-code
rules:
  - match: { to: '+15550001111' }
    events:
      - type: message-failed
        errorCode: 1234
`);
    const { code, stdout, stderr } = await validate(file);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${file}:7: rules[0].events[0].errorCode: 1234 is not in Bandwidth's message-failed code table. Fix: `);
    expect(stderr).toMatch(/Fix: use a published code such as 4720/);
  });

  it('an unknown field: exit 1, stderr names file:line, the field and a fix listing the known fields', async () => {
    const file = scenarioFile(`version: 1
rules:
  - match: { to: '+15550001111' }
    events: [{ type: message-delivered }]
    colour: red
`);
    const { code, stderr } = await validate(file);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `${file}:5: rules[0].colour: is not a known field. Fix: remove it or check its spelling; known fields here: name, match, times, events`,
    );
  });

  it('a malformed regex: exit 1, stderr names file:line, the field and a fix', async () => {
    const file = scenarioFile(`version: 1
rules:
  - name: broken regex
    match:
      to: '+1555*'
      text: '/(unclosed/'
    events: [{ type: message-delivered }]
`);
    const { code, stderr } = await validate(file);
    expect(code).toBe(1);
    expect(stderr).toContain(`${file}:6: rules[0].match.text: is not a valid regular expression`);
    expect(stderr).toContain('Fix: fix the pattern; write it as /pattern/flags');
  });

  it('several problems in several files are all reported; a good file next to them is still ok', async () => {
    const bad = scenarioFile(`version: 1
rules:
  - events: [{ type: message-failed }]
  - apiFault: { status: 500, retryAfter: 3 }
`);
    const good = BUNDLED[0]!;
    const { code, stdout, stderr } = await validate(bad, good);
    expect(code).toBe(1);
    expect(stdout).toContain(`ok  ${good}`);
    expect(stderr).toContain(`${bad}:3: rules[0].events[0].errorCode: is required for message-failed. Fix: `);
    expect(stderr).toContain(`${bad}:4: rules[1].apiFault.retryAfter: only goes with status 429. Fix: `);
    expect(stderr.trim().split('\n')).toHaveLength(2);
  });

  it('every bundled scenario is valid: exit 0, one ok line each, nothing on stderr', async () => {
    expect(BUNDLED.length).toBeGreaterThanOrEqual(10);
    const { code, stdout, stderr } = await validate(...BUNDLED);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(BUNDLED.length);
    for (const [i, file] of BUNDLED.entries())
      expect(lines[i]).toMatch(new RegExp(`^ok  ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  \\(\\d+ rules, \\d+ inbound\\)$`));
  });
});

describe('rules that can never match', () => {
  const catchAll = `version: 1
name: everything
rules:
  - name: all delivered
    events: [{ type: message-delivered }]
`;
  const later = `version: 1
name: landlines
rules:
  - name: landline rejected
    match: { to: '+1555777*' }
    events: [{ type: message-failed, errorCode: 4720 }]
`;

  it('validate warns, naming file, line, rule, the shadowing rule and the fix; the files stay valid (exit 0)', async () => {
    const folder = mkdtempSync(join(dir, 'shadow-'));
    writeFileSync(join(folder, 'a-everything.yaml'), catchAll);
    writeFileSync(join(folder, 'b-landlines.yaml'), later);
    const { code, stdout, stderr } = await validate(folder);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(2);
    expect(stderr).toBe(
      `warning: ${join(folder, 'b-landlines.yaml')}:4: rules[0]: rule 'landline rejected' can never match: everything#0 'all delivered' (${join(folder, 'a-everything.yaml')}:4) has no match conditions, so it matches every message and comes first. Fix: load this file before ${join(folder, 'a-everything.yaml')} (files in a folder load in name order), narrow that rule's match (or give it times: N), or delete this rule\n`,
    );
  });

  it('validate names files as given: a relative argument gives relative names', async () => {
    const folder = mkdtempSync(join(dir, 'relative-'));
    mkdirSync(join(folder, 'scenarios'));
    writeFileSync(join(folder, 'scenarios', 'one.yaml'), catchAll.replace('name: everything\n', '') + later.slice(later.indexOf('  - name')));
    const { code, stdout, stderr } = await validateIn(folder, 'scenarios');
    expect(code).toBe(0);
    expect(stdout).toBe('ok  scenarios/one.yaml  (2 rules, 0 inbound)\n');
    expect(stderr).toMatch(/^warning: scenarios\/one\.yaml:5: rules\[1\]: rule 'landline rejected' can never match: one#0 'all delivered' \(line 3\)/);
  });

  it("the README's example line is what validate prints for its example problem", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    // The first plain fenced block of the section: the example output.
    const example = /\n```\n([^\n]+)\n```\n/.exec(readme.slice(readme.indexOf('\n## Scenario files')))?.[1];
    expect(example, 'the example line under "Scenario files" in README.md').toBeDefined();
    const folder = mkdtempSync(join(dir, 'readme-'));
    mkdirSync(join(folder, 'scenarios'));
    writeFileSync(
      join(folder, 'scenarios', 'bad.yaml'),
      "version: 1\nname: bad\nrules:\n  - match: { to: '+15557770001' }\n    events:\n      - type: message-failed\n        errorCode: 4999\n",
    );
    const { code, stderr } = await validateIn(folder, 'scenarios/bad.yaml');
    expect(code).toBe(1);
    expect(stderr).toBe(`${example}\n`);
  });

  it('at load: logged as a warning, and the scenario listing marks the rule unreachable', async () => {
    const folder = mkdtempSync(join(dir, 'load-'));
    writeFileSync(join(folder, 'a-everything.yaml'), catchAll);
    writeFileSync(join(folder, 'b-landlines.yaml'), later);
    const lines: Array<{ level: number; msg: string; file?: string; rule?: string }> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const emulator = createEmulator(resolveConfig({ overrides: { scenarios: [folder], hotReload: false } }), { logger });
    const app = await buildApp(emulator);
    try {
      const warned = lines.filter((l) => l.msg.startsWith('scenario rule can never match'));
      expect(warned).toEqual([
        expect.objectContaining({
          level: 40,
          file: join(folder, 'b-landlines.yaml'),
          rule: 'rules[0]',
          msg: expect.stringContaining("rule 'landline rejected' can never match: everything#0"),
        }),
      ]);
      const listing = (await app.inject({ method: 'GET', url: '/__emulator/scenarios' })).json() as { scenarios: ScenarioSummary[] };
      const rules = listing.scenarios.flatMap((sc) => sc.rules.map((r) => [r.id, r.unreachable]));
      expect(rules).toEqual([
        ['everything#0', undefined],
        ['landlines#0', expect.stringMatching(/^rule 'landline rejected' can never match: .* Fix: load this file before /)],
      ]);
    } finally {
      await app.close();
    }
  });

  it('a run-time scenario is checked within itself, and listed the same way', async () => {
    const running = await startEmulator({});
    emulators.push(running);
    const summary = await running.scenarios.use({ version: 1, name: 'rt', rules: [{ events: [] }, { match: { tag: 'x' }, events: [] }] });
    expect(summary.rules.map((r) => r.unreachable)).toEqual([undefined, expect.stringContaining("can never match: rt#0 'rule 1' has no match conditions")]);
    const { scenarios } = await running.scenarios.list();
    expect(scenarios[0]!.rules[1]!.unreachable).toBe(summary.rules[1]!.unreachable);
  });
});

describe('hot reload', () => {
  const TARGET = '+15550001111';
  const rule = (code: number) => `version: 1
name: reloadable
rules:
  - name: fail ${code}
    match: { to: '${TARGET}' }
    events:
      - { type: message-failed, errorCode: ${code} }
`;

  async function start(file: string): Promise<{ running: RunningEmulator; api: MessagesApi; sink: CallbackSink }> {
    const sink = await startSink();
    sinks.push(sink);
    const running = await startEmulator({
      scenarios: [file],
      callbacks: { deliveryDelay: '10ms', sendingDelay: '5ms', retryDelays: ['20ms'] },
      accounts: [
        {
          id: ACCOUNT,
          users: [{ username: USER, password: PASS }],
          applications: [{ id: APP, callbackUrl: sink.url }],
          numbers: [{ number: FROM, applicationId: APP }],
        },
      ],
    });
    emulators.push(running);
    return { running, api: new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS })), sink };
  }

  /** Send to `to` and return its terminal callback: the message-failed error code, or 'delivered'. */
  async function outcome(running: RunningEmulator, api: MessagesApi, to = TARGET): Promise<number | 'delivered'> {
    const req: MessageRequest = { applicationId: APP, to: [to] as unknown as Set<string>, from: FROM, text: 'reload check' };
    const res = await api.createMessage(ACCOUNT, req);
    expect(res.status).toBe(202);
    const messageId = res.data.id!;
    const entry = await Promise.race([
      running.callbacks.waitFor({ messageId, type: 'message-failed', outcome: 'delivered' }, WAIT),
      running.callbacks.waitFor({ messageId, type: 'message-delivered', outcome: 'delivered' }, WAIT),
    ]);
    return entry.type === 'message-delivered' ? 'delivered' : (entry.request.body[0] as { errorCode: number }).errorCode;
  }

  it('a broken edit keeps the last good version in force and is reported; a good edit takes over', async () => {
    const file = scenarioFile(rule(4720), 'hot-reload.yaml');
    const { running, api } = await start(file);
    expect(running.emulator.scenarioProblems).toEqual([]);
    expect(await outcome(running, api)).toBe(4720);

    // An unknown error code: the reload fails, the problem is reported, the 4720 rule stays.
    writeFileSync(file, rule(1234));
    await vi.waitFor(() => expect(running.emulator.scenarioProblems.length).toBeGreaterThan(0), { timeout: 5000, interval: 10 });
    expect(running.emulator.scenarioProblems[0]).toMatchObject({ source: file, field: 'rules[0].events[0].errorCode', line: 7 });
    expect((await running.health()).scenarioProblems).toHaveLength(1);
    expect(await outcome(running, api)).toBe(4720);

    // Broken YAML: still the last good version.
    writeFileSync(file, 'version: 1\nrules:\n  - match: { to: [oops\n');
    await vi.waitFor(() => expect(running.emulator.scenarioProblems.map((p) => p.field)).toContain('(file)'), { timeout: 5000, interval: 10 });
    for (const p of running.emulator.scenarioProblems) expect(p).toMatchObject({ source: file, field: '(file)' });
    expect(await outcome(running, api)).toBe(4720);

    // A valid change: the problems clear and the new rule applies.
    writeFileSync(file, rule(4730));
    await vi.waitFor(
      () => {
        expect(running.emulator.scenarioProblems).toEqual([]);
        expect(running.emulator.parts.scenarios.summaries().flatMap((s) => s.rules.map((r) => r.name))).toEqual(['fail 4730']);
      },
      { timeout: 5000, interval: 10 },
    );
    expect(await outcome(running, api)).toBe(4730);
  });

  it("editing one file of a folder leaves the other files' counters and start-up inbound messages alone", async () => {
    const folder = mkdtempSync(join(dir, 'folder-'));
    writeFileSync(
      join(folder, 'a.yaml'),
      `version: 1
name: a
rules:
  - name: once
    match: { to: '${TARGET}' }
    times: 1
    events: [{ type: message-failed, errorCode: 4720 }]
inbound:
  - { from: '+15550009999', to: ['${FROM}'], text: 'hello once' }
`,
    );
    const other = '+15550002222';
    const b = (code: number) => `version: 1\nname: b\nrules:\n  - match: { to: '${other}' }\n    events: [{ type: message-failed, errorCode: ${code} }]\n`;
    writeFileSync(join(folder, 'b.yaml'), b(4730));
    const { running, api } = await start(folder);
    await running.callbacks.waitFor({ type: 'message-received', outcome: 'delivered' }, WAIT);
    expect(await outcome(running, api)).toBe(4720);
    expect(await outcome(running, api, other)).toBe(4730);

    writeFileSync(join(folder, 'b.yaml'), b(4740));
    await vi.waitFor(() => expect(running.emulator.parts.scenarios.summaries().find((s) => s.name === 'b')!.rules[0]!.explain).toContain('4740'), {
      timeout: 5000,
      interval: 10,
    });
    expect(running.emulator.scenarioProblems).toEqual([]);
    expect(await outcome(running, api, other)).toBe(4740);
    // a.yaml did not change: its `times: 1` rule stays used up, and its start-up inbound message is not sent again.
    expect(await outcome(running, api)).toBe('delivered');
    expect(running.emulator.parts.scenarios.summaries().find((s) => s.name === 'a')!.rules[0]).toMatchObject({ hits: 1, times: 1 });
    expect((await running.messages.list({ direction: 'in' })).map((m) => m.text)).toEqual(['hello once']);
  });
});

describe('start-up', () => {
  it('startEmulator with a broken scenario file rejects with an EmulatorConfigError naming the file', async () => {
    const file = scenarioFile(`version: 1
rules:
  - match: { text: '/^(?!STOP)/' }
    events: [{ type: message-delivered }]
`);
    const error = await startEmulator({ scenarios: [file] }).then(
      (running) => {
        emulators.push(running);
        throw new Error('expected startEmulator to reject');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmulatorConfigError);
    const configError = error as EmulatorConfigError;
    expect(configError.message).toContain(
      `${file}:3: rules[0].match.text: regex /^(?!STOP)/ uses a negative lookahead (?!…), which RE2 cannot run. Fix: rewrite without lookahead`,
    );
    expect(configError.problems).toEqual([expect.objectContaining({ source: file, field: 'rules[0].match.text', line: 3 })]);
  });

  it('a scenario path that does not exist is refused too', async () => {
    const missing = join(dir, 'no-such-file.yaml');
    await expect(startEmulator({ scenarios: [missing] })).rejects.toThrow(missing);
  });
});
