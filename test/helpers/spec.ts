import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

const Ajv = AjvModule.default ?? AjvModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;

// Read Bandwidth's official spec from the installed SDK at test time; it is never copied into this repo.
const require = createRequire(import.meta.url);
const specPath = require.resolve('bandwidth-sdk/bandwidth.yml');
const spec = parse(readFileSync(specPath, 'utf8')) as { components: { schemas: Record<string, unknown> } };

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
// OpenAPI 3.0's `nullable` and `discriminator`/`example` keywords are not JSON Schema; ajv knows `nullable` natively.
ajv.addVocabulary(['example', 'xml', 'externalDocs']);
ajv.addSchema({ $id: 'bandwidth', components: spec.components } as object);

/** Names of schemas in the spec's components.schemas. */
export type SpecSchemaName = string;

/** Throw a readable error unless `data` is valid against `#/components/schemas/<name>` of Bandwidth's spec. */
export function assertMatchesSpec(name: SpecSchemaName, data: unknown): void {
  const validate = ajv.getSchema(`bandwidth#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema '${name}' in ${specPath}`);
  if (!validate(data)) {
    const detail = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n  ');
    throw new Error(`body does not match the spec's '${name}' schema:\n  ${detail}\nbody: ${JSON.stringify(data)}`);
  }
}

/** Validate a callback POST body (always a JSON array) against statusCallback / inboundCallback by event type. */
export function assertCallbackMatchesSpec(body: unknown): void {
  if (!Array.isArray(body)) throw new Error(`callback body must be a JSON array, got ${JSON.stringify(body)}`);
  for (const event of body as Array<{ type?: string }>) {
    const inbound = ['message-received', 'suggestion-response', 'requested-location-response'].includes(String(event.type));
    assertMatchesSpec(inbound ? 'inboundCallback' : 'statusCallback', event);
  }
}
