// Bugs the property tests found, each pinned by a plain example so it stays fixed whatever the seed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { createEmulator } from '../../src/emulator.js';
import { compileScenarioText } from '../../src/scenarios/compile.js';
import { buildApp } from '../../src/server.js';

// A "billion laughs" YAML: each anchor repeats the one before nine times.
const ALIAS_BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghij'.split('').map((c, i) => {
  const prev = 'abcdefghij'[i]!;
  return `${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]`;
})].join('\n');

describe('regressions found by the property tests', () => {
  it('a YAML alias bomb in a scenario file is a problem naming the file, not an exception', () => {
    const result = compileScenarioText(ALIAS_BOMB, 'bomb.yaml', 'bomb');
    expect(result.scenario).toBeUndefined();
    expect(result.problems).toEqual([expect.objectContaining({ source: 'bomb.yaml', field: '(file)', problem: expect.stringMatching(/^cannot be read: .*alias/i), fix: expect.stringContaining('aliases') })]);
  });

  it('…and at start-up it stops the emulator with a config error, not a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bwe-bomb-'));
    try {
      const file = join(dir, 'bomb.yaml');
      writeFileSync(file, ALIAS_BOMB);
      expect(() => createEmulator(resolveConfig({ overrides: { logLevel: 'silent', scenarios: [file] } }))).toThrow(`${file}: (file): cannot be read:`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a control API URL with broken percent-encoding gets the control API's error shape, not Bandwidth's", async () => {
    const app = await buildApp(createEmulator(resolveConfig({ overrides: { logLevel: 'silent' } })));
    try {
      const res = await app.inject({ method: 'GET', url: '/__emulator/messages/%' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'bad-request', message: expect.stringContaining('/__emulator/messages/%') });
      // Bandwidth's surface keeps Bandwidth's shape for the same mistake.
      const api = await app.inject({ method: 'GET', url: '/users/%/messages' });
      expect(api.statusCode).toBe(400);
      expect(api.json()).toMatchObject({ type: 'request-validation' });
    } finally {
      await app.close();
    }
  });
});
