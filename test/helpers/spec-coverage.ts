// The spec coverage check's view of Bandwidth's bandwidth.yml (read from the installed bandwidth-sdk, dereferenced by
// swagger-parser): the messaging operations and their declared responses, the callback types, and every field of the
// callback schemas; plus validators compiled from the very schemas each response and callback declares.
import SwaggerParser from '@apidevtools/swagger-parser';
import { createRequire } from 'node:module';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';

const Ajv = AjvModule.default ?? AjvModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;

/** The tags of bandwidth.yml that make up the Messaging API. */
const MESSAGING_TAGS = ['Messages', 'Media', 'Multi-Channel'] as const;

type Schema = Record<string, unknown>;

/** One declared response of one operation: its status and, when it has a body, the schema of that body. */
export interface DeclaredResponse {
  code: string;
  mediaType?: string;
  schema?: Schema;
}

/** One messaging operation of the spec. */
interface SpecOperation {
  operationId: string;
  method: string;
  path: string;
  responses: DeclaredResponse[];
}

/** What the coverage check reads from the spec. */
export interface CoverageSpec {
  operations: SpecOperation[];
  /** Callback type → the envelope schema (statusCallback or inboundCallback) that carries it. */
  callbackTypes: Array<{ type: string; envelope: 'statusCallback' | 'inboundCallback' }>;
  /** Envelope name → every field path of its schema (`message.to`, `message.content.media.fileUrl`, ...). */
  fields: Record<'statusCallback' | 'inboundCallback', string[]>;
  schemas: Record<string, Schema>;
}

/** Load and dereference the installed SDK's bandwidth.yml (never a copy in this repo). */
export async function loadCoverageSpec(): Promise<CoverageSpec> {
  const require = createRequire(import.meta.url);
  const api = (await SwaggerParser.dereference(require.resolve('bandwidth-sdk/bandwidth.yml'))) as unknown as {
    paths: Record<
      string,
      Record<string, { operationId?: string; tags?: string[]; responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>
    >;
    components: { schemas: Record<string, Schema> };
  };
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(api.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op.operationId || !op.tags?.some((t) => (MESSAGING_TAGS as readonly string[]).includes(t))) continue;
      const responses = Object.entries(op.responses ?? {}).map(([code, r]): DeclaredResponse => {
        const [mediaType, content] = Object.entries(r.content ?? {})[0] ?? [];
        return { code, ...(mediaType ? { mediaType } : {}), ...(content?.schema ? { schema: content.schema } : {}) };
      });
      operations.push({ operationId: op.operationId, method: method.toUpperCase(), path, responses });
    }
  }
  const schemas = api.components.schemas;
  const enumOf = (name: string) => ((schemas[name] as { enum?: string[] }).enum ?? []).map(String);
  return {
    operations,
    callbackTypes: [
      ...enumOf('statusCallbackTypeEnum').map((type) => ({ type, envelope: 'statusCallback' as const })),
      ...enumOf('inboundCallbackTypeEnum').map((type) => ({ type, envelope: 'inboundCallback' as const })),
    ],
    fields: { statusCallback: fieldPaths(schemas.statusCallback!), inboundCallback: fieldPaths(schemas.inboundCallback!) },
    schemas,
  };
}

// The properties of an object schema, those of its allOf parts merged in (inboundCallbackMessage is allOf).
function propertiesOf(schema: Schema): Record<string, Schema> {
  const own = (schema.properties ?? {}) as Record<string, Schema>;
  const parts = ((schema.allOf ?? []) as Schema[]).map(propertiesOf);
  return Object.assign({}, ...parts, own);
}

/** Every field path of a schema, nested objects (and arrays of objects) as dotted paths; bounded by depth. */
function fieldPaths(schema: Schema, prefix = '', depth = 0): string[] {
  if (depth > 6) return [];
  const out: string[] = [];
  for (const [name, sub] of Object.entries(propertiesOf(schema))) {
    const path = prefix ? `${prefix}.${name}` : name;
    out.push(path);
    const inner = (sub.type === 'array' ? sub.items : sub) as Schema | undefined;
    if (inner) out.push(...fieldPaths(inner, path, depth + 1));
  }
  return out;
}

/** Every field path present (value not undefined) in a produced body; arrays of objects contribute each element. */
export function presentPaths(value: unknown, prefix = '', depth = 0): string[] {
  if (depth > 6 || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((v) => presentPaths(v, prefix, depth + 1));
  const out: string[] = [];
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const path = prefix ? `${prefix}.${name}` : name;
    out.push(path, ...presentPaths(v, path, depth + 1));
  }
  return out;
}

/** Validates bodies against dereferenced spec schemas (OpenAPI 3.0 keywords such as `example` ignored). */
export interface SpecValidator {
  /** The problems of `data` against `schema`, empty when it is valid. */
  problems(schema: Schema, data: unknown): string[];
}

/** A validator with its own ajv instance and a cache of compiled schemas. */
export function specValidator(): SpecValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addVocabulary(['example', 'xml', 'externalDocs', 'discriminator', 'x-badges']);
  const compiled = new Map<Schema, ReturnType<typeof ajv.compile>>();
  return {
    problems(schema, data) {
      let validate = compiled.get(schema);
      if (!validate) {
        validate = ajv.compile(schema);
        compiled.set(schema, validate);
      }
      if (validate(data)) return [];
      return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    },
  };
}
