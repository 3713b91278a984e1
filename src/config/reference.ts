import { schemaKind as kindOf, type SchemaNode } from '../validation/schema-kind.js';
import { ConfigFileSchema } from './schema.js';

/** One documented config-file field: its dotted path (`[]` for list items), kind, default and meaning. */
export interface ConfigField {
  field: string;
  type: string;
  default: string;
  meaning: string;
}

const shown = (value: unknown) => (value === undefined ? '' : JSON.stringify(value).replace(/"/g, "'").replace(/,/g, ', '));

/** Every field of the config file, walked from the TypeBox schema in document order (objects before their fields). */
export function configReference(): ConfigField[] {
  const out: ConfigField[] = [];
  const walk = (properties: Record<string, SchemaNode>, required: readonly string[], prefix: string) => {
    for (const [key, node] of Object.entries(properties)) {
      const field = prefix + key;
      const meaning = (node.title ?? '') + (required.includes(key) ? ' (required)' : '');
      out.push({ field, type: kindOf(node), default: shown(node.default), meaning });
      // A field that is an object, or may be one (a number as a string or {number, ...}; a campaign or null).
      const object = node.type === 'object' ? node : node.anyOf?.find((n) => n.type === 'object');
      if (object?.properties) walk(object.properties, object.required ?? [], `${field}.`);
      const items = node.type === 'array' ? node.items : undefined;
      const itemObject = items?.type === 'object' ? items : items?.anyOf?.find((n) => n.type === 'object');
      if (itemObject?.properties) walk(itemObject.properties, itemObject.required ?? [], `${field}[].`);
    }
  };
  const root = ConfigFileSchema as unknown as SchemaNode;
  walk(root.properties!, root.required ?? [], '');
  return out;
}

/** The README's config reference table, in Markdown. */
export function configReferenceTable(): string {
  const rows = configReference().map((f) => `| \`${f.field}\` | ${f.type} | ${f.default ? `\`${f.default}\`` : ''} | ${f.meaning} |`);
  return ['| Field | Type | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}
