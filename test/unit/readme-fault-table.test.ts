import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { faultReference, faultTable } from '../../src/scenarios/faults/reference.js';
import { RuleSchema } from '../../src/scenarios/schema.js';

// The README's fault table is generated from the fault registry (src/scenarios/faults/): it must be in the README
// exactly, and it must cover every field the scenario schema accepts in apiFault and callbackFaults, each explained.
describe('README fault table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('is the table generated from the fault registry (paste the expected table below into README.md on a change)', () => {
    const table = faultTable();
    expect(readme.includes(table), `README.md must contain, under "#### Fault fields":\n\n${table}\n`).toBe(true);
  });

  it('documents every field of apiFault and callbackFaults in the scenario schema, once, each with what it does', () => {
    const rows = faultReference();
    for (const block of ['apiFault', 'callbackFaults'] as const) {
      const schemaFields = Object.keys(RuleSchema.properties[block].properties);
      const documented = rows.filter((row) => row.blocks.includes(block)).map((row) => row.field);
      expect(documented.sort(), block).toEqual([...schemaFields].sort());
    }
    for (const row of rows) {
      expect(row.effect.trim(), `${row.field} needs docs in its registry entry`).not.toBe('');
      expect(row.value, `${row.field} has a kind of value`).not.toBe('any');
    }
  });
});
