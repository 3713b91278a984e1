import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { EmulatorConfigError } from '../../src/errors.js';
import { MAX_TIME_SCALE } from '../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'bw-emulator-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileSeq = 0;
function file(ext: 'yaml' | 'json', text: string): string {
  const path = join(dir, `config-${++fileSeq}.${ext}`);
  writeFileSync(path, text);
  return path;
}

/** Run resolveConfig expecting an EmulatorConfigError; return its message. */
function configError(run: () => unknown): string {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(EmulatorConfigError);
  return (thrown as Error).message;
}

describe('resolveConfig', () => {
  it('has working defaults with no sources at all', () => {
    const config = resolveConfig();
    expect(config.port).toBe(4010);
    expect(config.host).toBe('127.0.0.1');
    expect(config.permissive).toBe(false);
    expect(config.accounts).toHaveLength(1);
    const account = config.accounts[0]!;
    expect(account.id).toBe('9900000');
    expect(account.users.map((u) => u.username)).toEqual(['bw-user', 'bw-forbidden-user']);
    expect(account.users.find((u) => u.username === 'bw-forbidden-user')?.messaging).toBe(false);
    expect(account.applications[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const n of account.numbers) {
      expect(n.number).toMatch(/^\+[1-9]\d{1,14}$/);
      expect(n.applicationId).toBe(account.applications[0]?.id);
    }
    expect(config.oauth.tokenTtlSeconds).toBe(3600);
    expect(config.callbacks.deliveryDelayMs).toBe(100);
    expect(config.limits.maxMessages).toBe(10_000);
  });

  describe('precedence: file < env BW_EMULATOR_* < flags', () => {
    const yaml = () => file('yaml', 'port: 5001\nhost: 127.0.0.2\ntimeScale: 0.5\n');

    it('a YAML file overrides the defaults', () => {
      const config = resolveConfig({ flags: { config: yaml() } });
      expect(config).toMatchObject({ port: 5001, host: '127.0.0.2', timeScale: 0.5 });
    });

    it('a JSON file works too, named by env BW_EMULATOR_CONFIG', () => {
      const path = file('json', JSON.stringify({ port: 5101, permissive: true, callbacks: { deliveryDelay: '2s' } }));
      const config = resolveConfig({ env: { BW_EMULATOR_CONFIG: path } });
      expect(config).toMatchObject({ port: 5101, permissive: true, host: '127.0.0.1' });
      expect(config.callbacks.deliveryDelayMs).toBe(2000);
      // Keys the file does not name keep their defaults.
      expect(config.callbacks.sendingDelayMs).toBe(20);
    });

    it('env overrides the file, key by key', () => {
      const config = resolveConfig({ env: { BW_EMULATOR_CONFIG: yaml(), BW_EMULATOR_PORT: '5002', BW_EMULATOR_PERMISSIVE: 'true' } });
      expect(config).toMatchObject({ port: 5002, host: '127.0.0.2', timeScale: 0.5, permissive: true });
    });

    it('flags override env and file', () => {
      const config = resolveConfig({
        env: { BW_EMULATOR_CONFIG: yaml(), BW_EMULATOR_PORT: '5002', BW_EMULATOR_HOST: '127.0.0.3' },
        flags: { port: '5003', deliveryDelay: '250ms' },
      });
      expect(config).toMatchObject({ port: 5003, host: '127.0.0.3', timeScale: 0.5 });
      expect(config.callbacks.deliveryDelayMs).toBe(250);
    });

    it('flag --config wins over env BW_EMULATOR_CONFIG', () => {
      const envFile = file('yaml', 'port: 6001\n');
      const flagFile = file('yaml', 'port: 6002\n');
      expect(resolveConfig({ env: { BW_EMULATOR_CONFIG: envFile }, flags: { config: flagFile } }).port).toBe(6002);
    });

    it('programmatic overrides sit over the file and under env', () => {
      const path = file('yaml', 'port: 7001\nhost: 127.0.0.9\n');
      const config = resolveConfig({ flags: { config: path }, overrides: { port: 7002, logLevel: 'silent' }, env: { BW_EMULATOR_LOG_LEVEL: 'warn' } });
      expect(config).toMatchObject({ port: 7002, host: '127.0.0.9', logLevel: 'warn' });
    });
  });

  it("callbackUrl (flag) sets the first account's first application callbackUrl", () => {
    const url = 'http://127.0.0.1:3000/webhooks';
    const config = resolveConfig({ flags: { callbackUrl: url } });
    expect(config.accounts[0]!.applications[0]!.callbackUrl).toBe(url);
    // And the env form, for a file-defined account.
    const path = file(
      'yaml',
      ['accounts:', '  - id: "123"', '    users: [{ username: u, password: p }]', '    applications:', '      - id: first', '      - id: second'].join('\n'),
    );
    const fromEnv = resolveConfig({ flags: { config: path }, env: { BW_EMULATOR_CALLBACK_URL: 'https://hooks.example.com/bw' } });
    expect(fromEnv.accounts[0]!.applications.map((a) => a.callbackUrl)).toEqual(['https://hooks.example.com/bw', undefined]);
    // Without one, no callback URL is invented.
    expect(resolveConfig().accounts[0]!.applications[0]!.callbackUrl).toBeUndefined();
  });

  it('a bad port in env names the variable, the field and a fix', () => {
    const message = configError(() => resolveConfig({ env: { BW_EMULATOR_PORT: 'eighty' } }));
    expect(message).toContain('env BW_EMULATOR_PORT');
    expect(message).toContain('port');
    expect(message).toContain('eighty');
    expect(message).toContain('Fix:');
    const outOfRange = configError(() => resolveConfig({ env: { BW_EMULATOR_PORT: '70000' } }));
    expect(outOfRange).toContain('env BW_EMULATOR_PORT');
    expect(outOfRange).toContain('Fix:');
  });

  it('timeScale is bounded (0 to MAX_TIME_SCALE), as PUT /__emulator/time is: past it the env variable is named', () => {
    expect(resolveConfig({ env: { BW_EMULATOR_TIME_SCALE: String(MAX_TIME_SCALE) } }).timeScale).toBe(MAX_TIME_SCALE);
    const tooSlow = configError(() => resolveConfig({ env: { BW_EMULATOR_TIME_SCALE: String(MAX_TIME_SCALE * 10) } }));
    expect(tooSlow).toContain('env BW_EMULATOR_TIME_SCALE');
    expect(tooSlow).toContain('timeScale');
    expect(tooSlow).toContain('Fix:');
  });

  it('a bad flag names the flag', () => {
    const message = configError(() => resolveConfig({ flags: { callbackUrl: 'not a url' } }));
    expect(message).toContain('flag --callback-url');
    expect(message).toContain('Fix:');
  });

  it('a YAML file with an unknown field reports the file, the line and the field', () => {
    const path = file(
      'yaml',
      ['port: 5000', 'accounts:', '  - id: "1234567"', '    applications:', '      - id: my-app', '        callbakUrl: http://127.0.0.1:3000/hooks'].join('\n'),
    );
    const message = configError(() => resolveConfig({ flags: { config: path } }));
    expect(message).toContain(`${path}:6`);
    expect(message).toContain('accounts[0].applications[0].callbakUrl');
    expect(message).toContain('Fix:');
  });

  it('a YAML field of the wrong type reports the file, the line and the field', () => {
    const path = file('yaml', ['host: 127.0.0.1', '', 'port: "abc"', 'permissive: false'].join('\n'));
    const message = configError(() => resolveConfig({ flags: { config: path } }));
    expect(message).toContain(`${path}:3`);
    expect(message).toMatch(/: port: /);
    expect(message).toContain('Fix:');
  });

  it('reports every problem of a file at once', () => {
    const path = file('yaml', ['port: -1', 'permissive: sometimes', 'logLevel: loud'].join('\n'));
    const message = configError(() => resolveConfig({ flags: { config: path } }));
    expect(message).toContain(`${path}:1: port`);
    expect(message).toContain(`${path}:2: permissive`);
    expect(message).toContain(`${path}:3: logLevel`);
  });

  it('a number whose applicationId names no application is reported', () => {
    const path = file(
      'yaml',
      [
        'accounts:',
        '  - id: "1234567"',
        '    applications:',
        '      - id: real-app',
        '    numbers:',
        '      - number: "+15550001111"',
        '        applicationId: real-app',
        '      - number: "+15550002222"',
        '        applicationId: ghost-app',
      ].join('\n'),
    );
    const message = configError(() => resolveConfig({ flags: { config: path } }));
    expect(message).toContain('accounts[0].numbers[1].applicationId');
    expect(message).toContain('1234567');
    expect(message).toContain('real-app');
    expect(message).not.toContain('numbers[0]');
    // The same problem from programmatic options.
    const fromOptions = configError(() =>
      resolveConfig({
        overrides: {
          accounts: [
            { id: '1', users: [{ username: 'u', password: 'p' }], applications: [{ id: 'a' }], numbers: [{ number: '+15550003333', applicationId: 'b' }] },
          ],
        },
      }),
    );
    expect(fromOptions).toContain('accounts[0].numbers[0].applicationId');
  });

  it('an unreadable config file is reported with its path', () => {
    const missing = join(dir, 'does-not-exist.yaml');
    const message = configError(() => resolveConfig({ flags: { config: missing } }));
    expect(message).toContain(missing);
    expect(message).toContain('ENOENT');
    expect(message).toContain('Fix:');
    // A directory is not a readable file either.
    const asDir = configError(() => resolveConfig({ env: { BW_EMULATOR_CONFIG: dir } }));
    expect(asDir).toContain(dir);
  });

  it('a YAML syntax error is reported with its line', () => {
    const path = file('yaml', ['port: 5000', 'accounts: [', '  - id: x'].join('\n'));
    const message = configError(() => resolveConfig({ flags: { config: path } }));
    expect(message).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+`));
  });
});
