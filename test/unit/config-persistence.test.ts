import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { EmulatorConfigError } from '../../src/errors.js';

// --data-dir and --shutdown-grace from every source, with errors that name the source.
describe('dataDir and shutdownGrace settings', () => {
  const folder = mkdtempSync(join(tmpdir(), 'bw-config-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('default to in memory and 5 s', () => {
    const config = resolveConfig({});
    expect(config.dataDir).toBeUndefined();
    expect(config.shutdownGraceMs).toBe(5000);
  });

  it('come from flags and env (flags win), durations parsed', () => {
    const config = resolveConfig({
      flags: { dataDir: '/tmp/flag-dir', shutdownGrace: '250ms' },
      env: { BW_EMULATOR_DATA_DIR: '/tmp/env-dir', BW_EMULATOR_SHUTDOWN_GRACE: '1m' },
    });
    expect(config.dataDir).toBe('/tmp/flag-dir');
    expect(config.shutdownGraceMs).toBe(250);
    expect(resolveConfig({ env: { BW_EMULATOR_DATA_DIR: '/tmp/env-dir', BW_EMULATOR_SHUTDOWN_GRACE: '1m' } })).toMatchObject({
      dataDir: '/tmp/env-dir',
      shutdownGraceMs: 60_000,
    });
  });

  it('a relative dataDir in a config file is relative to the file', () => {
    const file = join(folder, 'emulator.yaml');
    writeFileSync(file, 'dataDir: ./state\nshutdownGrace: 2s\n');
    expect(resolveConfig({ flags: { config: file } })).toMatchObject({ dataDir: join(folder, 'state'), shutdownGraceMs: 2000 });
  });

  it('a bad grace period names the env variable and the fix', () => {
    expect(() => resolveConfig({ env: { BW_EMULATOR_SHUTDOWN_GRACE: 'soon' } })).toThrow(EmulatorConfigError);
    expect(() => resolveConfig({ env: { BW_EMULATOR_SHUTDOWN_GRACE: 'soon' } })).toThrow(
      /env BW_EMULATOR_SHUTDOWN_GRACE: shutdownGrace: 'soon' is not valid\. Fix: use a duration/,
    );
  });
});
