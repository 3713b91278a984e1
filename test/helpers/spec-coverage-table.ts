// The README's "### Spec coverage" table, rendered from what the spec coverage check produced.

/** What the check found for one (operation, code). */
export type ResponseOutcome =
  | { code: string; state: 'covered' }
  | { code: string; state: 'not-applicable'; reason: string }
  | { code: string; state: 'failed'; problem: string };

/** What the check found, in the spec's order. */
export interface CoverageResult {
  operations: Array<{ operationId: string; method: string; path: string; responses: ResponseOutcome[] }>;
  callbackTypes: Array<{ type: string; covered: boolean; how: string }>;
  /** Envelope name → its field paths, those seen in produced bodies, and those not applicable with the reason. */
  fields: Record<string, { total: string[]; seen: Set<string>; notApplicable: Record<string, string> }>;
}

/** The markdown the README carries between the coverage markers. */
export function coverageTable(result: CoverageResult): string {
  const all = result.operations.flatMap((o) => o.responses);
  const applicable = all.filter((r) => r.state !== 'not-applicable');
  const covered = all.filter((r) => r.state === 'covered');
  const opsCovered = result.operations.filter((o) => o.responses.every((r) => r.state !== 'failed')).length;
  const fieldTotal = Object.values(result.fields).reduce((n, f) => n + f.total.length, 0);
  const fieldNa = Object.values(result.fields).reduce((n, f) => n + f.total.filter((p) => !f.seen.has(p) && p in f.notApplicable).length, 0);
  const fieldSeen = Object.values(result.fields).reduce((n, f) => n + f.total.filter((p) => f.seen.has(p)).length, 0);
  const callbacks = result.callbackTypes.filter((c) => c.covered).length;
  const lines = [
    '| What bandwidth.yml names | Produced and validated / total |',
    '|---|---|',
    `| Messaging operations (tags Messages, Media, Multi-Channel) | ${opsCovered} / ${result.operations.length} |`,
    `| Declared responses (operation × status code) | ${covered.length} / ${applicable.length} (${all.length} declared, ${all.length - applicable.length} not applicable) |`,
    `| Callback types (statusCallbackTypeEnum, inboundCallbackTypeEnum) | ${callbacks} / ${result.callbackTypes.length} |`,
    `| Callback fields (statusCallback, inboundCallback: envelope and message) | ${fieldSeen} / ${fieldTotal - fieldNa} (${fieldTotal} declared, ${fieldNa} not applicable) |`,
    '',
    '| Operation | Produced and validated | Not applicable |',
    '|---|---|---|',
    ...result.operations.map((o) => {
      const done = o.responses.filter((r) => r.state === 'covered').map((r) => r.code);
      const failed = o.responses.filter((r) => r.state === 'failed').map((r) => `~~${r.code}~~`);
      const na = o.responses.filter((r) => r.state === 'not-applicable').map((r) => r.code);
      return `| \`${o.operationId}\` (${o.method} \`${o.path}\`) | ${[...done, ...failed].join(' ')} | ${na.join(' ') || '—'} |`;
    }),
    '',
    '| Callback type | Produced by |',
    '|---|---|',
    ...result.callbackTypes.map((c) => `| \`${c.type}\` | ${c.covered ? c.how : `not produced (${c.how})`} |`),
  ];
  const reasons = new Map<string, string[]>();
  for (const o of result.operations) {
    for (const r of o.responses) if (r.state === 'not-applicable') reasons.set(r.reason, [...(reasons.get(r.reason) ?? []), `${o.operationId} ${r.code}`]);
  }
  if (reasons.size > 0 || Object.values(result.fields).some((f) => Object.keys(f.notApplicable).length > 0)) lines.push('', 'Not applicable:', '');
  for (const [reason, cases] of reasons) lines.push(`- ${cases.join(', ')}: ${reason}.`);
  const fieldReasons = new Map<string, string[]>();
  for (const [schema, f] of Object.entries(result.fields)) {
    for (const p of f.total) {
      const reason = f.notApplicable[p];
      if (!f.seen.has(p) && reason) fieldReasons.set(reason, [...(fieldReasons.get(reason) ?? []), `\`${schema}.${p}\``]);
    }
  }
  for (const [reason, fields] of fieldReasons) lines.push(`- ${fields.join(', ')}: ${reason}.`);
  const missing = Object.entries(result.fields).flatMap(([schema, f]) =>
    f.total.filter((p) => !f.seen.has(p) && !(p in f.notApplicable)).map((p) => `\`${schema}.${p}\``),
  );
  if (missing.length > 0) lines.push('', `Fields no produced callback carried yet: ${missing.join(', ')}.`);
  return lines.join('\n');
}
