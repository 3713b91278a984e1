import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { EmulatorConfigError } from '../../src/errors.js';

// accounts[].statusCallbackApplication (README "Which application gets the callbacks"): its defaults by mode, and a
// value outside its two refused with the file, the line, the field and the values it takes.
const dir = mkdtempSync(join(tmpdir(), 'bw-emulator-routing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function configWith(extra: string[]): string {
  const path = join(dir, `config-${++seq}.yaml`);
  const lines = [
    'accounts:',
    '  - id: "1234567"',
    '    users: [{ username: u, password: p }]',
    '    applications: [{ id: app-1 }, { id: app-2 }]',
    '    numbers: ["+19195550100", { number: "+19195550101", applicationId: app-2 }]',
    ...extra.map((l) => `    ${l}`),
  ];
  writeFileSync(path, lines.join('\n'));
  return path;
}

const routingOf = (path: string, permissive?: boolean) =>
  resolveConfig({ flags: { config: path, ...(permissive ? { permissive: 'true' } : {}) } }).accounts[0]!.statusCallbackApplication;

describe('accounts[].statusCallbackApplication', () => {
  it("defaults to 'fromNumber' in strict mode (the embedded default account too) and to 'request' in permissive mode", () => {
    expect(resolveConfig({}).accounts[0]!.statusCallbackApplication).toBe('fromNumber');
    expect(routingOf(configWith([]))).toBe('fromNumber');
    expect(routingOf(configWith([]), true)).toBe('request');
    expect(resolveConfig({ flags: { permissive: 'true' } }).accounts[0]!.statusCallbackApplication).toBe('request');
  });

  it('takes either value in either mode', () => {
    expect(routingOf(configWith(['statusCallbackApplication: request']))).toBe('request');
    expect(routingOf(configWith(['statusCallbackApplication: fromNumber']), true)).toBe('fromNumber');
  });

  it.each([['from-number'], ['"fromnumber"'], ['""'], ['true'], ['[request]']])('%s is refused with the file, the field and the values', (value) => {
    const path = configWith([`statusCallbackApplication: ${value}`]);
    let message = '';
    try {
      resolveConfig({ flags: { config: path } });
    } catch (error) {
      expect(error).toBeInstanceOf(EmulatorConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(new RegExp(`${path}:6: accounts\\[0\\]\\.statusCallbackApplication`));
    expect(message).toContain("'fromNumber'");
    expect(message).toContain("'request'");
  });
});
