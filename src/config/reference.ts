import { ConfigFileSchema } from './schema.js';

/** One documented config-file field: its dotted path (`[]` for list items), kind, default and meaning. */
export interface ConfigField {
  field: string;
  type: string;
  default: string;
  meaning: string;
}

interface SchemaNode {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  anyOf?: SchemaNode[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
}

// A compact kind for the reference table: `'a' | 'b'`, `duration`, `list of URL`, `integer ≥ 1`, ...
function kindOf(node: SchemaNode): string {
  if (node.anyOf) {
    if (node.anyOf.every((n) => n.const !== undefined)) return node.anyOf.map((n) => JSON.stringify(n.const).replace(/"/g, "'")).join(' \\| ');
    if (node.anyOf.some((n) => n.pattern?.includes('ms|s|m|h'))) return 'duration';
    return node.anyOf.map(kindOf).join(' or ');
  }
  if (node.type === 'array') return `list of ${node.items?.type === 'object' ? 'objects' : kindOf(node.items ?? {})}`;
  if (node.type === 'string' && node.pattern === '^https?://') return 'URL';
  if (node.type === 'integer' || node.type === 'number') {
    const range = node.minimum !== undefined && node.maximum !== undefined ? ` ${node.minimum}–${node.maximum}` : node.minimum !== undefined ? ` ≥ ${node.minimum}` : '';
    return node.type + range;
  }
  return node.type ?? 'any';
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
      if (node.type === 'object' && node.properties) walk(node.properties, node.required ?? [], `${field}.`);
      if (node.type === 'array' && node.items?.type === 'object' && node.items.properties) walk(node.items.properties, node.items.required ?? [], `${field}[].`);
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
