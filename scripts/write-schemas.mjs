// Writes the JSON Schemas shipped in schema/ from the TypeBox definitions (run after a build: npm run schemas).
import { writeFileSync } from 'node:fs';
import { ConfigFileSchema } from '../dist/config/schema.js';
import { ScenarioFileSchema } from '../dist/scenarios/schema.js';

const withId = (schema, id) => ({ $schema: 'http://json-schema.org/draft-07/schema#', $id: id, ...schema });
writeFileSync(
  new URL('../schema/scenario.schema.json', import.meta.url),
  JSON.stringify(withId(ScenarioFileSchema, 'https://bandwidth-emulator.local/schema/scenario.schema.json'), null, 2) + '\n',
);
writeFileSync(
  new URL('../schema/config.schema.json', import.meta.url),
  JSON.stringify(withId(ConfigFileSchema, 'https://bandwidth-emulator.local/schema/config.schema.json'), null, 2) + '\n',
);
