import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCALAR_OPTIONS } from '../../src/config/options.js';

// The README's options table is the user's reference: it must list every option exactly as the code defines it.
describe('README configuration reference', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = readme.split('\n').filter((line) => line.startsWith('| `--'));

  it.each(SCALAR_OPTIONS.map((o) => [o.flag, o] as const))('documents %s with its env name, default and meaning', (_flag, option) => {
    const row = rows.find((r) => r.startsWith(`| \`${option.flag}\` |`));
    expect(row, `README has no options row for ${option.flag}`).toBeDefined();
    const cells = row!.split('|').map((c) => c.trim());
    expect(cells[2]).toBe(`\`${option.env}\``);
    expect(cells[3]!.replace(/`/g, '')).toBe(option.default);
    expect(cells[4]).toBe(option.description);
  });

  it('lists no option the code does not have', () => {
    const flags = rows.map((r) => /^\| `(--[a-z-]+)`/.exec(r)?.[1]);
    expect(flags.sort()).toEqual(SCALAR_OPTIONS.map((o) => o.flag).sort());
  });
});
