import { Type, type Static } from 'typebox';
import type { Emulator } from '../emulator.js';
import { compileScenario, type CompiledScenario } from '../scenarios/compile.js';
import { JournalEntrySchema } from '../store/journal.js';
import { StoredMessageSchema } from '../store/messages.js';
import { PendingWorkSchema } from '../model/pending.js';
import { compileSchemaCheck, type Problem } from '../validation/schema-check.js';

/** The state document's format version; an import of another version is refused with a clear error. */
export const STATE_VERSION = 1;

/** The highest ev-N a document may reserve: past 2^53 `N + 1 === N`, and every later event would share one id. */
export const MAX_EVENT_NUMBER = 2 ** 52;

const Media = Type.Object({
  accountId: Type.String({ minLength: 1 }),
  mediaId: Type.String({ minLength: 1 }),
  contentType: Type.String({ minLength: 1 }),
  cacheControl: Type.Optional(Type.String()),
  createdAt: Type.Number({ description: 'upload time, epoch ms (retention counts from it)' }),
  contentBase64: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', description: 'the bytes, base64' }),
});

const Scenario = Type.Object({
  scope: Type.String({ minLength: 1, description: "an account id, or '*' for all accounts" }),
  name: Type.String({ minLength: 1 }),
  document: Type.Unknown({ description: 'the scenario document as it was added (schema/scenario.schema.json)' }),
});

/** The exported state: messages, media (base64), the callback journal, run-time scenarios and, with a data dir, pending callbacks. */
const StateDocumentSchema = Type.Object({
  kind: Type.Literal('bandwidth-emulator-state'),
  version: Type.Literal(STATE_VERSION, { description: `the format version, ${STATE_VERSION}` }),
  exportedAt: Type.Optional(Type.String()),
  lastEventNumber: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_EVENT_NUMBER, description: 'the last ev-N event id handed out' })),
  messages: Type.Array(StoredMessageSchema),
  media: Type.Array(Media),
  journal: Type.Array(JournalEntrySchema),
  scenarios: Type.Array(Scenario),
  pending: Type.Optional(PendingWorkSchema),
  ruleHits: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: "how often each scenario rule matched, keyed 'scope/scenario/rule id'" })),
});

/** A state document: what GET /__emulator/state answers and POST /__emulator/state takes. */
export type StateDocument = Static<typeof StateDocumentSchema>;

/** What an import or a restart put back. */
export interface RestoreCounts {
  messages: number;
  media: number;
  journal: number;
  scenarios: number;
  pendingSteps: number;
  pendingDeliveries: number;
}

const checkState = compileSchemaCheck(StateDocumentSchema);

/** Run-time scenarios with their scope, then the file scenarios (scope 'file'). */
export function scopedScenarios(emulator: Emulator): Array<{ scope: string; scenario: CompiledScenario }> {
  const runtime = emulator.parts.scenarios.runtimeScenarios();
  const isRuntime = new Set(runtime.map((r) => r.scenario));
  return [...runtime, ...emulator.parts.scenarios.filesAndRuntime().filter((s) => !isRuntime.has(s)).map((scenario) => ({ scope: 'file', scenario }))];
}

/** How often each scenario rule has matched, keyed `scope/scenario/rule id`, so `times: N` keeps counting after a restart. */
export function ruleHitsOf(emulator: Emulator): Record<string, number> {
  const hits: Record<string, number> = {};
  for (const { scope, scenario } of scopedScenarios(emulator)) for (const rule of scenario.rules) if (rule.hits > 0) hits[`${scope}/${scenario.name}/${rule.id}`] = rule.hits;
  return hits;
}

/** Every problem of a would-be state document (schema, then each scenario), each naming the field and the fix. */
export function checkStateDocument(value: unknown, source: string): Problem[] {
  if (value && typeof value === 'object' && 'version' in value && (value as { version: unknown }).version !== STATE_VERSION) {
    return [{ source, field: 'version', problem: `is ${JSON.stringify((value as { version: unknown }).version)}; this emulator reads version ${STATE_VERSION}`, fix: `export the state again from this version of the emulator, or set version: ${STATE_VERSION} if the document has this shape` }];
  }
  const problems = checkState(value, source);
  if (problems.length > 0) return problems;
  const doc = value as StateDocument;
  doc.scenarios.forEach((s, i) => {
    for (const p of compileScenario(s.document, `${source} scenarios[${i}]`, s.name).problems) problems.push({ ...p, field: `scenarios[${i}].document.${p.field}` });
  });
  return problems;
}

/**
 * The pending steps a document can still play: those of a message it holds, for a recipient no carrier action has
 * answered for. Files and exports written before carrier actions were persisted still hold the steps one replaced.
 */
export function playableSteps(doc: StateDocument): NonNullable<StateDocument['pending']>['steps'] {
  const messages = new Map(doc.messages.map((m) => [`${m.accountId}\u0000${m.id}`, m]));
  return (doc.pending?.steps ?? []).filter((p) => {
    const message = messages.get(`${p.accountId}\u0000${p.messageId}`);
    return message !== undefined && p.next < p.steps.length && !message.timeline.some((t) => t.what === 'carrier' && t.recipient === p.recipient);
  });
}

/** A state document that cannot be imported, with every problem (field and fix). */
export class StateDocumentError extends Error {
  constructor(readonly problems: Problem[]) {
    super('the state document is not valid');
    this.name = 'StateDocumentError';
  }
}
