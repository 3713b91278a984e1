// TypeBox writes JSON Schema 2020-12; an OpenAPI 3.0 Schema Object is an older, stricter dialect: no `const`, no
// `type: 'null'` (it has `nullable`), boolean `exclusiveMinimum`/`exclusiveMaximum`, and no keyword outside its list.
// The control API's document is 3.0.3 (what most generators and validators read), so each schema is rewritten here
// rather than hand-kept twice.

type Schema = Record<string, unknown>;

// The Schema Object's fields in OpenAPI 3.0.3 (section 4.7.24); anything else (`$id`, `examples`, `$schema`) is dropped.
const OPENAPI_30_KEYWORDS = new Set([
  'title',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'enum',
  'type',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'items',
  'properties',
  'additionalProperties',
  'description',
  'format',
  'default',
  'nullable',
  'discriminator',
  'readOnly',
  'writeOnly',
  'example',
  'externalDocs',
  'deprecated',
]);

const isSchema = (value: unknown): value is Schema => value !== null && typeof value === 'object' && !Array.isArray(value);
const isNullSchema = (value: unknown) => isSchema(value) && (value.type === 'null' || value.const === null);
const jsonType = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value);

/** One JSON Schema (TypeBox output) as an OpenAPI 3.0.3 Schema Object; the input is not changed. */
export function openApi30Schema(schema: unknown): Schema {
  if (!isSchema(schema)) return {};
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'const') {
      out.enum = [value];
      if (schema.type === undefined) out.type = jsonType(value);
    } else if (key === 'examples' && Array.isArray(value) && value.length > 0) {
      out.example = value[0];
    } else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
      // 2020-12: the bound itself; 3.0: a flag on minimum/maximum.
      if (typeof value === 'number') {
        out[key === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = value;
        out[key] = true;
      } else out[key] = value;
    } else if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((t) => t !== 'null');
      if (types.length < value.length) out.nullable = true;
      if (types.length === 1) out.type = types[0];
      else if (types.length > 1) out.anyOf = types.map((t) => ({ type: t }));
    } else if (key === 'properties' && isSchema(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, openApi30Schema(sub)]));
    } else if ((key === 'items' || key === 'not') && isSchema(value)) {
      out[key] = openApi30Schema(value);
    } else if (key === 'additionalProperties') {
      out[key] = isSchema(value) ? openApi30Schema(value) : value;
    } else if ((key === 'anyOf' || key === 'oneOf' || key === 'allOf') && Array.isArray(value)) {
      Object.assign(out, union(key, value));
    } else if (key.startsWith('x-') || OPENAPI_30_KEYWORDS.has(key)) {
      out[key] = value;
    }
  }
  return out;
}

// A union with a null branch becomes `nullable`; a union of constants of one type becomes one `enum`.
function union(key: 'anyOf' | 'oneOf' | 'allOf', branches: unknown[]): Schema {
  const nullable = key !== 'allOf' && branches.some(isNullSchema);
  const rest = (nullable ? branches.filter((b) => !isNullSchema(b)) : branches).map(openApi30Schema);
  const constants = rest.every((b) => Array.isArray(b.enum) && b.enum.length === 1 && Object.keys(b).every((k) => k === 'enum' || k === 'type'));
  const types = new Set(rest.map((b) => b.type));
  if (key !== 'allOf' && rest.length > 0 && constants && types.size === 1) {
    return { type: [...types][0], enum: rest.map((b) => (b.enum as unknown[])[0]), ...(nullable ? { nullable: true } : {}) };
  }
  if (rest.length === 1) return { ...rest[0], ...(nullable ? { nullable: true } : {}) };
  // `nullable` needs a `type` beside it in 3.0.3; on a union of several it goes on each branch instead.
  return { [key]: nullable ? rest.map((b) => ({ ...b, nullable: true })) : rest };
}
