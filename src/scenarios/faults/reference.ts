import { schemaKind, type SchemaNode } from '../../validation/schema-kind.js';
import { apiFaults } from './api-faults.js';
import { callbackFaults } from './callback-faults.js';
import { SELECTION_DOCS, SELECTION_FIELDS, type FaultBlock, type FaultKind } from './registry.js';

/** One documented fault field: the block(s) it belongs to, its name, kind of value, and what it does. */
export interface FaultField {
  blocks: string[];
  field: string;
  value: string;
  effect: string;
}

const BLOCKS: ReadonlyArray<FaultBlock<readonly FaultKind[]>> = [apiFaults, callbackFaults];

/** Every fault field, from the registry: each block's kinds in schema order, then the selection they share. */
export function faultReference(): FaultField[] {
  const rows: FaultField[] = BLOCKS.flatMap((block) =>
    block.kinds.flatMap((kind) =>
      Object.entries(kind.fields).map(([field, schema]) => ({
        blocks: [block.key],
        field,
        value: schemaKind(schema as SchemaNode),
        effect: kind.docs[field]!,
      })),
    ),
  );
  const selection = Object.entries(SELECTION_FIELDS).map(([field, schema]) => ({
    blocks: BLOCKS.map((block) => block.key),
    field,
    value: schemaKind(schema as SchemaNode),
    effect: SELECTION_DOCS[field as keyof typeof SELECTION_DOCS],
  }));
  return [...rows, ...selection];
}

/** The README's fault table, in Markdown. */
export function faultTable(): string {
  const cell = (text: string) => text.replace(/(?<!\\)\|/g, '\\|');
  const rows = faultReference().map((f) => `| ${f.blocks.map((b) => `\`${b}\``).join(', ')} | \`${f.field}\` | ${f.value} | ${cell(f.effect)} |`);
  return ['| In | Field | Value | What it does |', '|---|---|---|---|', ...rows].join('\n');
}
