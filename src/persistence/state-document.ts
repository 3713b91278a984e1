import { Type, type Static } from 'typebox';
import type { Emulator } from '../emulator.js';
import { compileScenario, type CompiledScenario } from '../scenarios/compile.js';
import type { Journal } from '../store/journal.js';
import type { MediaStore } from '../store/media.js';
import type { MessageStore } from '../store/messages.js';
import { JournalEntrySchema } from '../store/journal.js';
import { StoredMessageSchema } from '../store/messages.js';
import { MAX_OPT_OUTS, MAX_OPT_OUTS_PER_ACCOUNT, OptOutEntrySchema, type OptOutStore } from '../store/opt-outs.js';
import { PendingWorkSchema } from '../model/pending.js';
import { Count, EpochMs, MAX_SEQUENCE, Sequence } from '../validation/bounds.js';
import { tooDeep } from '../validation/depth.js';
import { compileSchemaCheck, type Problem } from '../validation/schema-check.js';

/** The state document's format version; an import of another version is refused with a clear error. */
export const STATE_VERSION = 1;

/** The highest ev-N a document may reserve: past 2^53 `N + 1 === N`, and every later event would share one id. */
export const MAX_EVENT_NUMBER = MAX_SEQUENCE;

/**
 * How deeply a state document may nest (the document itself is level 1). An export nests about 15 levels (a
 * multichannel card in a message, a callback body in the journal, a scenario's rules); free-form fields (timeline
 * details, channel content, callback bodies, scenario documents) may use the rest. Deeper documents are refused:
 * copying or serialising one 100,000 levels deep overflows the stack.
 */
const MAX_STATE_DEPTH = 64;

/** The most a state document body may ever be: well below V8's longest string (512 MiB), which the body is read into. */
export const MAX_STATE_BODY_BYTES = 384 * 1024 * 1024;

// What a stored message or journal entry takes in an export, typically (a long text or a multichannel card is more).
const BYTES_PER_RECORD = 8 * 1024;

/**
 * The body cap of POST /__emulator/state for a config: the media cap base64-encoded, 8 KiB per message and journal
 * entry the caps allow, and 8 MiB for scenarios and pending work, at most MAX_STATE_BODY_BYTES. With the defaults
 * (256 MiB of media, 10,000 messages and journal entries) that is the 384 MiB maximum.
 */
export function stateBodyLimit(config: { media: { maxTotalBytes: number }; limits: { maxMessages: number; maxJournalEntries: number } }): number {
  const derived =
    Math.ceil((config.media.maxTotalBytes * 4) / 3) + (config.limits.maxMessages + config.limits.maxJournalEntries) * BYTES_PER_RECORD + 8 * 1024 * 1024;
  return Math.min(derived, MAX_STATE_BODY_BYTES);
}

const Media = Type.Object({
  accountId: Type.String({ minLength: 1 }),
  mediaId: Type.String({ minLength: 1 }),
  contentType: Type.String({ minLength: 1 }),
  cacheControl: Type.Optional(Type.String()),
  createdAt: EpochMs('upload time, epoch ms (retention counts from it)'),
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
  lastEventNumber: Type.Optional(Sequence(0, 'the last ev-N event id handed out')),
  messages: Type.Array(StoredMessageSchema),
  media: Type.Array(Media),
  journal: Type.Array(JournalEntrySchema),
  scenarios: Type.Array(Scenario),
  pending: Type.Optional(PendingWorkSchema),
  ruleHits: Type.Optional(Type.Record(Type.String(), Count(), { description: "how often each scenario rule matched, keyed 'scope/scenario/rule id'" })),
  optOuts: Type.Optional(
    Type.Array(OptOutEntrySchema, {
      maxItems: MAX_OPT_OUTS,
      description: `the toll-free opt-out list of every account (README "Toll-free opt-out"); at most ${MAX_OPT_OUTS_PER_ACCOUNT} per account`,
    }),
  ),
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
  return [
    ...runtime,
    ...emulator.parts.scenarios
      .filesAndRuntime()
      .filter((s) => !isRuntime.has(s))
      .map((scenario) => ({ scope: 'file', scenario })),
  ];
}

/** How often each scenario rule has matched, keyed `scope/scenario/rule id`, so `times: N` keeps counting after a restart. */
export function ruleHitsOf(emulator: Emulator): Record<string, number> {
  const hits: Record<string, number> = {};
  for (const { scope, scenario } of scopedScenarios(emulator))
    for (const rule of scenario.rules) if (rule.hits > 0) hits[`${scope}/${scenario.name}/${rule.id}`] = rule.hits;
  return hits;
}

// A version as written, but never a nested value spelled out: JSON.stringify of an array 100,000 levels deep
// overflows the stack (the depth check comes after the version's).
function describeVersion(version: unknown): string {
  if (Array.isArray(version)) return 'a list';
  if (version !== null && typeof version === 'object') return 'an object';
  return String(JSON.stringify(version)).slice(0, 64);
}

// A refusal lists this many problems at most (a document of a million bad entries would make a huge answer).
const MAX_PROBLEMS = 100;

/**
 * Every problem of a would-be state document, each naming the field and the fix: its version, depth, schema (every
 * number in its domain), each scenario, keys that must be unique, and media objects against `media` limits.
 */
export function checkStateDocument(value: unknown, source: string, media?: { maxObjectBytes: number }): Problem[] {
  if (value && typeof value === 'object' && 'version' in value && (value as { version: unknown }).version !== STATE_VERSION) {
    return [
      {
        source,
        field: 'version',
        problem: `is ${describeVersion((value as { version: unknown }).version)}; this emulator reads version ${STATE_VERSION}`,
        fix: `export the state again from this version of the emulator, or set version: ${STATE_VERSION} if the document has this shape`,
      },
    ];
  }
  const deep = tooDeep(value, MAX_STATE_DEPTH);
  if (deep !== undefined) {
    return [
      {
        source,
        field: deep,
        problem: `nests deeper than ${MAX_STATE_DEPTH} levels`,
        fix: `export the state again from an emulator, or flatten this value to at most ${MAX_STATE_DEPTH} levels`,
      },
    ];
  }
  const problems = checkState(value, source);
  if (problems.length === 0) {
    const doc = value as StateDocument;
    doc.scenarios.forEach((s, i) => {
      for (const p of compileScenario(s.document, `${source} scenarios[${i}]`, s.name).problems)
        problems.push({ ...p, field: `scenarios[${i}].document.${p.field}` });
    });
    problems.push(...duplicateKeys(doc, source));
    if (media) {
      doc.media.forEach((m, i) => {
        const bytes = Buffer.byteLength(m.contentBase64, 'base64');
        if (bytes > media.maxObjectBytes)
          problems.push({
            source,
            field: `media[${i}].contentBase64`,
            problem: `holds ${bytes} bytes; this emulator's media.maxObjectBytes is ${media.maxObjectBytes}`,
            fix: 'remove the object, or raise media.maxObjectBytes in the config',
          });
      });
    }
  }
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    {
      source,
      field: '(document)',
      problem: `has ${problems.length - MAX_PROBLEMS} more problems`,
      fix: 'fix the ones above, then import again to see the rest',
    },
  ];
}

// Keys that identify one thing each: a second element with the same key would overwrite or shadow the first.
function duplicateKeys(doc: StateDocument, source: string): Problem[] {
  const problems: Problem[] = [];
  const unique = <T>(section: string, list: readonly T[] | undefined, keyOf: (item: T) => string, what: string) => {
    const first = new Map<string, number>();
    (list ?? []).forEach((item, i) => {
      const key = keyOf(item);
      const seen = first.get(key);
      if (seen === undefined) first.set(key, i);
      else
        problems.push({
          source,
          field: `${section}[${i}]`,
          problem: `has the same ${what} as ${section}[${seen}]`,
          fix: `keep one of them: each ${what} appears once`,
        });
    });
  };
  unique('messages', doc.messages, (m) => m.id, 'message id');
  unique('media', doc.media, (m) => `${m.accountId}\u0000${m.mediaId}`, 'account and media id');
  unique('journal', doc.journal, (e) => String(e.seq), 'sequence number (seq)');
  unique('scenarios', doc.scenarios, (s) => `${s.scope}\u0000${s.name}`, 'scope and scenario name');
  unique('pending.steps', doc.pending?.steps, (p) => `${p.messageId}\u0000${p.recipient}`, 'message and recipient');
  unique('pending.deliveries', doc.pending?.deliveries, (p) => p.delivery.eventId, 'event id');
  unique('pending.replies', doc.pending?.replies, (p) => p.key, 'reply key');
  unique('optOuts', doc.optOuts, (o) => `${o.accountId}\u0000${o.number}\u0000${o.handset}`, 'account, number and handset');
  problems.push(...optOutCapProblems(doc, source));
  return problems;
}

// An account past its opt-out cap: the first entry beyond it is named (the total is the schema's maxItems).
function optOutCapProblems(doc: StateDocument, source: string): Problem[] {
  const perAccount = new Map<string, number>();
  const problems: Problem[] = [];
  (doc.optOuts ?? []).forEach((o, i) => {
    const count = (perAccount.get(o.accountId) ?? 0) + 1;
    perAccount.set(o.accountId, count);
    if (count === MAX_OPT_OUTS_PER_ACCOUNT + 1)
      problems.push({
        source,
        field: `optOuts[${i}]`,
        problem: `is account ${o.accountId.slice(0, 64)}'s opt-out number ${count}; an account holds at most ${MAX_OPT_OUTS_PER_ACCOUNT}`,
        fix: 'remove opt-outs of that account from the document',
      });
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

/** A state document built aside in fresh stores (importState), swapped in only once it is complete. */
export interface StagedState {
  readonly doc: StateDocument;
  readonly scenarios: ReadonlyArray<{ scope: string; scenario: CompiledScenario; document: unknown }>;
  readonly store: MessageStore;
  readonly journal: Journal;
  readonly media: MediaStore;
  /** The document's toll-free opt-outs. */
  readonly optOuts: OptOutStore;
  /** The last ev-N the document used (its own counter, its journal and its pending deliveries). */
  readonly lastEventNumber: number;
  /** Messages with pending work (steps, a message-received, a reply), pinned in `store` so the cap kept them. */
  readonly pinned: ReadonlySet<string>;
}
