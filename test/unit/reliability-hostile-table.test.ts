import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostileBoundsTable } from '../hostile/bounds.js';

// RELIABILITY.md states the hostile-load bounds the suite asserts (test/hostile/bounds.ts): its table is generated
// from them, so the document cannot promise other numbers than the tests hold the emulator to.
describe('RELIABILITY.md hostile-load bounds', () => {
  it('is the table generated from test/hostile/bounds.ts (paste the expected table into RELIABILITY.md on a change)', () => {
    const doc = readFileSync(new URL('../../RELIABILITY.md', import.meta.url), 'utf8');
    const table = hostileBoundsTable();
    expect(doc.includes(table), `RELIABILITY.md must contain, under "## Hostile load":\n\n${table}\n`).toBe(true);
  });
});
