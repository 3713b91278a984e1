/** The parts of a JSON Schema node (TypeBox output) that reference tables read. */
export interface SchemaNode {
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

/** A compact kind for a Markdown reference table: `'a' \| 'b'`, `duration`, `list of URL`, `integer ≥ 1`, ... */
export function schemaKind(node: SchemaNode): string {
  if (node.anyOf) {
    if (node.anyOf.every((n) => n.const !== undefined)) return node.anyOf.map((n) => JSON.stringify(n.const).replace(/"/g, "'")).join(' \\| ');
    if (node.anyOf.some((n) => n.pattern?.includes('ms|s|m|h'))) return 'duration';
    // Literals beside other forms ('create' | 'search' or a list of them) read as one choice, then the others.
    const literals = node.anyOf.filter((n) => n.const !== undefined).map((n) => JSON.stringify(n.const).replace(/"/g, "'"));
    const others = node.anyOf.filter((n) => n.const === undefined).map(schemaKind);
    return [...(literals.length > 0 ? [literals.join(' \\| ')] : []), ...others].join(' or ');
  }
  if (node.type === 'array') return `list of ${node.items?.type === 'object' ? 'objects' : schemaKind(node.items ?? {})}`;
  if (node.type === 'string' && node.pattern === '^https?://') return 'URL';
  if (node.type === 'integer' || node.type === 'number') {
    const range =
      node.minimum !== undefined && node.maximum !== undefined ? ` ${node.minimum}–${node.maximum}` : node.minimum !== undefined ? ` ≥ ${node.minimum}` : '';
    return node.type + range;
  }
  return node.type ?? 'any';
}
