import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigFileSchema } from '../../src/config/schema.js';
import { ScenarioFileSchema } from '../../src/scenarios/schema.js';

// Editors validate against the JSON Schemas in schema/; they must say exactly what the code checks.
describe('shipped JSON Schemas', () => {
  const read = (name: string) => JSON.parse(readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
  const strip = ({ $schema: _s, $id: _i, ...rest }: Record<string, unknown>) => rest;

  it('schema/scenario.schema.json is the scenario format the loader checks (run `npm run schemas` after changing it)', () => {
    expect(strip(read('scenario.schema.json'))).toEqual(JSON.parse(JSON.stringify(ScenarioFileSchema)));
  });

  it('schema/config.schema.json is the config format the resolver checks', () => {
    expect(strip(read('config.schema.json'))).toEqual(JSON.parse(JSON.stringify(ConfigFileSchema)));
  });
});
