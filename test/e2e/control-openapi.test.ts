// The control API's OpenAPI document, as a listening emulator serves it, is a valid OpenAPI 3.0.3 document (checked
// by @apidevtools/swagger-parser, which validates against the official 3.0 schema), and its names are the config's.
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { useEmulators } from '../helpers/fixture.js';

const { start } = useEmulators();

type Operation = { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; parameters?: Array<{ name: string; schema: unknown }> };

async function servedDocument(): Promise<{ paths: Record<string, Record<string, Operation>> } & Record<string, unknown>> {
  const running = await start();
  const res = await fetch(`${running.url}/__emulator/openapi.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

describe('control API OpenAPI document', () => {
  it('validates as OpenAPI 3.0.3 (swagger-parser)', async () => {
    const doc = await servedDocument();
    expect(doc.openapi).toBe('3.0.3');
    // validate() throws with every schema violation listed; it dereferences in place, so give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('holds no JSON Schema 2020-12 keyword that OpenAPI 3.0 lacks (const, type null, numeric exclusive bounds)', async () => {
    const doc = await servedDocument();
    const offending: string[] = [];
    const visit = (node: unknown, path: string) => {
      if (node === null || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'const' || (key === 'type' && (value === 'null' || Array.isArray(value)))) offending.push(`${path}.${key}`);
        if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value !== 'boolean') offending.push(`${path}.${key}`);
        visit(value, `${path}.${key}`);
      }
    };
    visit(doc.paths, 'paths');
    expect(offending).toEqual([]);
    // The literal unions the routes validate with are enums here: the same values.
    const direction = doc.paths['/__emulator/messages']!.get!.parameters!.find((p) => p.name === 'direction');
    expect(direction?.schema).toEqual({ type: 'string', enum: ['out', 'in'] });
    const inbound = doc.paths['/__emulator/inbound']!.post!.requestBody!.content['application/json']!.schema as { properties: Record<string, unknown> };
    expect((inbound.properties.suggestionResponse as { properties: Record<string, unknown> }).properties.pairedMessageId).toEqual({
      type: 'string',
      nullable: true,
    });
  });

  it("PUT /time's body is {timeScale}, the config's name, bounded as the config is; scale is a deprecated alias", async () => {
    const doc = await servedDocument();
    const schema = doc.paths['/__emulator/time']!.put!.requestBody!.content['application/json']!.schema as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(schema.properties.timeScale).toMatchObject({ type: 'number', minimum: 0, maximum: 1_000_000 });
    expect(schema.properties.scale).toMatchObject({ deprecated: true });
  });
  it('POST and PUT of a scenario document JSON and YAML bodies', async () => {
    const doc = await servedDocument();
    for (const operation of [doc.paths['/__emulator/scenarios']!.post!, doc.paths['/__emulator/scenarios/{name}']!.put!]) {
      expect(Object.keys(operation.requestBody!.content).sort()).toEqual(['application/json', 'application/x-yaml', 'application/yaml', 'text/yaml']);
    }
  });
});
