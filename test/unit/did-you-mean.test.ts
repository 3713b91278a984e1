// "Did you mean": a mistyped flag, config field, scenario field, control API field or search parameter is named
// with the closest known one, when one is close; names past the bound are not compared.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, parseFlags } from '../../src/cli.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { EmulatorConfigError } from '../../src/errors.js';
import { compileScenarioFile } from '../../src/scenarios/files.js';
import { startEmulator } from '../../src/start.js';
import { closestName, didYouMean } from '../../src/validation/suggest.js';

const dir = mkdtempSync(join(tmpdir(), 'bw-emulator-didyoumean-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The message of the EmulatorConfigError `run` throws. */
function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatorConfigError);
    return (error as Error).message;
  }
  throw new Error('expected an EmulatorConfigError');
}

describe('closestName', () => {
  const fields = ['callbackUrl', 'inboundCallbackUrl', 'outboundCallbackUrl', 'callbackAuth', 'callbackTypes', 'id', 'name'];

  it('prefers a case-only difference, then the nearest within one edit in three characters', () => {
    expect(closestName('callbackURL', fields)).toBe('callbackUrl');
    expect(closestName('calbackUrl', fields)).toBe('callbackUrl');
    expect(closestName('callbackAuht', fields)).toBe('callbackAuth');
    expect(closestName('nme', ['name', 'match'])).toBe('name');
    // A transposition is two edits: too many for four characters.
    expect(closestName('nmae', ['name', 'match'])).toBeUndefined();
  });

  it('suggests nothing when nothing is close, or the name is past the bound', () => {
    expect(closestName('colour', ['name', 'match', 'times', 'events'])).toBeUndefined();
    expect(closestName('', fields)).toBeUndefined();
    // 64 characters are compared, 65 are not, even one edit away.
    const long = 'a'.repeat(63);
    expect(closestName(`${long}b`, [`${long}c`])).toBe(`${long}c`);
    expect(closestName(`${long}bb`, [`${long}bc`])).toBeUndefined();
    expect(didYouMean('x'.repeat(1_000_000), ['x'])).toBe('');
    expect(didYouMean('porr', ['port'])).toBe(" (did you mean 'port'?)");
  });
});

describe('command line', () => {
  it('a mistyped flag names the closest one', () => {
    expect(configError(() => parseFlags(['--callback-urls', 'http://127.0.0.1:3000/hook']))).toBe(
      'command line: --callback-urls: is not a known option. Fix: did you mean --callback-url? See --help for every option',
    );
    expect(configError(() => parseFlags(['--Port=4010']))).toContain('did you mean --port?');
    expect(configError(() => parseFlags(['--hlep']))).toContain('did you mean --help?');
  });

  it('a flag with one dash, or none, names the flag', () => {
    expect(configError(() => parseFlags(['start', '-port', '4010']))).toContain('-port: is not an option. Fix: did you mean --port?');
    expect(configError(() => parseFlags(['start', 'permissive']))).toContain('did you mean --permissive?');
  });

  it('nothing close: the list of options, as before', () => {
    expect(configError(() => parseFlags(['--frobnicate']))).toMatch(/Fix: use one of --config, --host, --port/);
  });

  it('a mistyped command names the closest one', async () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await main(['validat'])).toBe(2);
      expect(await main(['-port'])).toBe(2);
    } finally {
      process.stderr.write = original;
    }
    expect(written.join('')).toContain("validat: is not a command. Fix: did you mean 'validate'? See --help");
    expect(written.join('')).toContain('-port: is not a command. Fix: did you mean --port? See --help');
  });
});

describe('config and scenario files', () => {
  it('an unknown config field names the file, the line, the field and the closest known one', () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      [
        'accounts:',
        "  - id: '9906500'",
        '    applications:',
        '      - id: app-1',
        '        callbackURL: http://127.0.0.1:3000/webhooks',
        'timescale: 1',
        '',
      ].join('\n'),
    );
    const message = configError(() => resolveConfig({ flags: { config: file } }));
    expect(message).toContain(`${file}:5: accounts[0].applications[0].callbackURL: is not a known field. Fix: did you mean 'callbackUrl'? Rename it`);
    expect(message).toContain(`${file}:6: timescale: is not a known field. Fix: did you mean 'timeScale'?`);
  });

  it('an unknown scenario field names the closest known one; a far one lists the known fields', () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, ['version: 1', 'rules:', '  - name: r', '    mach: { to: "+15550001111" }', '    colour: red', ''].join('\n'));
    const { problems } = compileScenarioFile(file);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'rules[0].mach',
          line: 4,
          fix: expect.stringMatching(/^did you mean 'match'\? Rename it, or remove it; known fields here: /),
        }),
        expect.objectContaining({ field: 'rules[0].colour', fix: expect.stringMatching(/^remove it or check its spelling; known fields here: /) }),
      ]),
    );
  });

  it('a hostile key far past the bound is reported, not compared', () => {
    const file = join(dir, 'long-key.yaml');
    writeFileSync(file, `version: 1\nrules: []\n${'m'.repeat(1000)}: 1\n`);
    const { problems } = compileScenarioFile(file);
    expect(problems).toEqual([expect.objectContaining({ problem: 'is not a known field', fix: expect.stringMatching(/^remove it or check its spelling/) })]);
  });
});

describe('control API and search parameters', () => {
  it('an unknown body field or query parameter is named with the closest known one', async () => {
    const bw = await startEmulator();
    try {
      const inbound = await bw.app.inject({
        method: 'POST',
        url: '/__emulator/inbound',
        headers: { 'content-type': 'application/json' },
        payload: { from: '+15550001111', to: [bw.account.numbers[0]], txt: 'hi' },
      });
      expect(inbound.statusCode).toBe(400);
      expect(inbound.json()).toEqual({ error: 'bad-request', message: "body: unknown field 'txt' (did you mean 'text'?)" });
      const journal = await bw.app.inject({ method: 'GET', url: '/__emulator/callbacks?mesageId=x' });
      expect(journal.json()).toEqual({ error: 'bad-request', message: "querystring: unknown field 'mesageId' (did you mean 'messageId'?)" });
      // Other schema problems keep Fastify's wording.
      const time = await bw.app.inject({ method: 'PUT', url: '/__emulator/time', headers: { 'content-type': 'application/json' }, payload: { scale: 'fast' } });
      expect(time.json()).toEqual({ error: 'bad-request', message: 'body/scale must be number' });
      const search = await bw.app.inject({
        method: 'GET',
        url: `/users/${bw.account.id}/messages?sourceTN=%2B19195550100`,
        headers: { authorization: `Basic ${Buffer.from(`${bw.account.username}:${bw.account.password}`).toString('base64')}` },
      });
      expect(search.statusCode).toBe(400);
      expect(search.json().description).toBe("Invalid query parameters: sourceTN is not a search parameter of this API (did you mean 'sourceTn'?)");
    } finally {
      await bw.close();
    }
  });
});
