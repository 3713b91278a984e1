import { Type, type Static } from 'typebox';
import type { Delivery, NextAttempt } from '../callbacks/dispatcher.js';
import type { Emulator } from '../emulator.js';
import type { PlannedReply, PlannedStep } from '../scenarios/plan.js';
import { compileScenario, type CompiledScenario } from '../scenarios/compile.js';
import type { JournalEntry } from '../store/journal.js';
import type { StoredMessage } from '../store/messages.js';
import { compileSchemaCheck, type Problem } from '../validation/schema-check.js';

/** The state document's format version; an import of another version is refused with a clear error. */
export const STATE_VERSION = 1;

/** The highest ev-N a document may reserve: past 2^53 `N + 1 === N`, and every later event would share one id. */
const MAX_EVENT_NUMBER = 2 ** 52;

/** A recipient's planned status events not fired yet: `next` is the index of the next step, due at `dueAt` (epoch ms). */
export interface PendingSteps {
  accountId: string;
  messageId: string;
  recipient: string;
  steps: PlannedStep[];
  next: number;
  dueAt: number;
  explanation?: string;
}

/** A callback event not settled yet (first attempt or a retry waiting), with its next attempt due at `dueAt`. */
export interface PendingDelivery {
  delivery: Omit<Delivery, 'auth' | 'requested' | 'dropped'>;
  next: Omit<NextAttempt, 'delayMs'>;
  dueAt: number;
}

/** A scenario reply not sent yet: the handset's answer to message `messageId`, due at `dueAt`. */
export interface PendingReply {
  key: string;
  accountId: string;
  messageId: string;
  reply: PlannedReply;
  dueAt: number;
}

const RbmSuggestionResponse = Type.Object({ text: Type.String(), postbackData: Type.String(), pairedMessageId: Type.Optional(Type.Union([Type.String(), Type.Null()])) });
const RbmLocationResponse = Type.Object({ latitude: Type.String(), longitude: Type.String() });

const Step = Type.Object({
  afterMs: Type.Number({ minimum: 0 }),
  type: Type.Union([Type.Literal('message-sending'), Type.Literal('message-delivered'), Type.Literal('message-failed'), Type.Literal('message-read')]),
  errorCode: Type.Optional(Type.Integer()),
  description: Type.Optional(Type.String()),
  duplicates: Type.Optional(Type.Integer({ minimum: 0 })),
  dropped: Type.Optional(Type.Boolean()),
});

const Message = Type.Object({
  id: Type.String({ minLength: 1 }),
  accountId: Type.String({ minLength: 1 }),
  direction: Type.Union([Type.Literal('out'), Type.Literal('in')]),
  applicationId: Type.String(),
  owner: Type.String(),
  from: Type.String(),
  to: Type.Array(Type.String()),
  text: Type.String(),
  media: Type.Optional(Type.Array(Type.String())),
  tag: Type.Optional(Type.String()),
  priority: Type.Union([Type.Literal('default'), Type.Literal('high')]),
  expiration: Type.Optional(Type.String()),
  time: Type.Number({ description: 'epoch milliseconds' }),
  segmentCount: Type.Integer({ minimum: 0 }),
  recipients: Type.Array(Type.Object({ to: Type.String(), status: Type.String(), errorCode: Type.Integer(), updatedAt: Type.Number() })),
  timeline: Type.Array(Type.Object({ at: Type.Number(), what: Type.String(), recipient: Type.Optional(Type.String()), detail: Type.Optional(Type.Object({})) })),
  // Multichannel fields (src/store/messages.ts); kept as given, checked by the multichannel API when they were made.
  channel: Type.Optional(Type.Union([Type.Literal('RBM'), Type.Literal('SMS'), Type.Literal('MMS')])),
  channelList: Type.Optional(Type.Array(Type.Unknown())),
  suggestionResponse: Type.Optional(RbmSuggestionResponse),
  locationResponse: Type.Optional(RbmLocationResponse),
});

const Media = Type.Object({
  accountId: Type.String({ minLength: 1 }),
  mediaId: Type.String({ minLength: 1 }),
  contentType: Type.String({ minLength: 1 }),
  cacheControl: Type.Optional(Type.String()),
  createdAt: Type.Number({ description: 'upload time, epoch ms (retention counts from it)' }),
  contentBase64: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', description: 'the bytes, base64' }),
});

const Entry = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  eventId: Type.String(),
  accountId: Type.String(),
  messageId: Type.String(),
  applicationId: Type.String(),
  type: Type.String(),
  recipient: Type.String(),
  target: Type.Optional(Type.String()),
  attempt: Type.Integer({ minimum: 0 }),
  at: Type.Number(),
  durationMs: Type.Number(),
  request: Type.Object({ headers: Type.Record(Type.String(), Type.String()), body: Type.Array(Type.Unknown()) }),
  response: Type.Optional(Type.Object({ status: Type.Integer(), body: Type.String() })),
  error: Type.Optional(Type.String()),
  outcome: Type.Union(['delivered', 'retrying', 'exhausted', 'no-target', 'not-requested', 'dropped', 'cancelled'].map((o) => Type.Literal(o))),
  explanation: Type.Optional(Type.String()),
});

const Scenario = Type.Object({
  scope: Type.String({ minLength: 1, description: "an account id, or '*' for all accounts" }),
  name: Type.String({ minLength: 1 }),
  document: Type.Unknown({ description: 'the scenario document as it was added (schema/scenario.schema.json)' }),
});

const Pending = Type.Object({
  steps: Type.Array(
    Type.Object({
      accountId: Type.String(),
      messageId: Type.String(),
      recipient: Type.String(),
      steps: Type.Array(Step, { minItems: 1 }),
      next: Type.Integer({ minimum: 0 }),
      dueAt: Type.Number(),
      explanation: Type.Optional(Type.String()),
    }),
  ),
  deliveries: Type.Array(
    Type.Object({
      delivery: Type.Object({
        eventId: Type.String({ minLength: 1 }),
        accountId: Type.String(),
        messageId: Type.String(),
        applicationId: Type.String(),
        type: Type.String(),
        recipient: Type.String(),
        body: Type.Array(Type.Unknown()),
        target: Type.Optional(Type.String()),
        explanation: Type.Optional(Type.String()),
      }),
      next: Type.Object({ attempt: Type.Integer({ minimum: 1 }), retriesUsed: Type.Integer({ minimum: 0 }), withCredentials: Type.Boolean() }),
      dueAt: Type.Number(),
    }),
  ),
  replies: Type.Optional(
    Type.Array(
      Type.Object({
        key: Type.String({ minLength: 1 }),
        accountId: Type.String(),
        messageId: Type.String(),
        reply: Type.Object({ afterMs: Type.Number({ minimum: 0 }), from: Type.String(), to: Type.Array(Type.String()), text: Type.String(), media: Type.Optional(Type.Array(Type.String())), suggestionResponse: Type.Optional(RbmSuggestionResponse), locationResponse: Type.Optional(RbmLocationResponse) }),
        dueAt: Type.Number(),
      }),
    ),
  ),
});

/** The exported state: messages, media (base64), the callback journal, run-time scenarios and, with a data dir, pending callbacks. */
const StateDocumentSchema = Type.Object({
  kind: Type.Literal('bandwidth-emulator-state'),
  version: Type.Literal(STATE_VERSION, { description: `the format version, ${STATE_VERSION}` }),
  exportedAt: Type.Optional(Type.String()),
  lastEventNumber: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_EVENT_NUMBER, description: 'the last ev-N event id handed out' })),
  messages: Type.Array(Message),
  media: Type.Array(Media),
  journal: Type.Array(Entry),
  scenarios: Type.Array(Scenario),
  pending: Type.Optional(Pending),
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

/** The emulator's state as one JSON document. `pending` is there only with a data dir (which tracks it). */
export function exportState(emulator: Emulator): StateDocument {
  const messages: StoredMessage[] = [];
  for (const accountId of emulator.store.accounts()) messages.push(...emulator.store.list(accountId));
  messages.sort((a, b) => a.time - b.time);
  const pending = emulator.dataDir?.pending();
  return {
    kind: 'bandwidth-emulator-state',
    version: STATE_VERSION,
    exportedAt: new Date(emulator.clock.now()).toISOString(),
    lastEventNumber: emulator.timeline.lastEventNumber,
    messages: messages as StateDocument['messages'],
    media: emulator.media.entries().map((o) => ({
      accountId: o.accountId,
      mediaId: o.mediaId,
      contentType: o.contentType,
      ...(o.cacheControl !== undefined ? { cacheControl: o.cacheControl } : {}),
      createdAt: o.createdAt,
      contentBase64: o.bytes.toString('base64'),
    })),
    journal: emulator.journal.list() as StateDocument['journal'],
    scenarios: emulator.scenarios.runtimeScenarios().map(({ scope, scenario }) => ({ scope, name: scenario.name, document: emulator.scenarioDocument(scenario) ?? null })),
    ...(pending ? { pending: pending as StateDocument['pending'] } : {}),
    ruleHits: ruleHitsOf(emulator),
  };
}

// Run-time scenarios with their scope, then the file scenarios (scope 'file').
function scopedScenarios(emulator: Emulator): Array<{ scope: string; scenario: CompiledScenario }> {
  const runtime = emulator.scenarios.runtimeScenarios();
  const isRuntime = new Set(runtime.map((r) => r.scenario));
  return [...runtime, ...emulator.scenarios.filesAndRuntime().filter((s) => !isRuntime.has(s)).map((scenario) => ({ scope: 'file', scenario }))];
}

/** How often each scenario rule has matched, keyed `scope/scenario/rule id`, so `times: N` keeps counting after a restart. */
export function ruleHitsOf(emulator: Emulator): Record<string, number> {
  const hits: Record<string, number> = {};
  for (const { scope, scenario } of scopedScenarios(emulator)) for (const rule of scenario.rules) if (rule.hits > 0) hits[`${scope}/${scenario.name}/${rule.id}`] = rule.hits;
  return hits;
}

function applyRuleHits(emulator: Emulator, hits: Record<string, number>): void {
  for (const { scope, scenario } of scopedScenarios(emulator)) for (const rule of scenario.rules) rule.hits = hits[`${scope}/${scenario.name}/${rule.id}`] ?? rule.hits;
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

/**
 * Put a state document's contents into an emulator that holds nothing yet (start-up, or after a full reset):
 * run-time scenarios, media, messages, journal, then the pending events, which are scheduled again.
 */
export function restoreState(emulator: Emulator, doc: StateDocument): RestoreCounts {
  const now = emulator.clock.now();
  for (const s of [...doc.scenarios].reverse()) emulator.useScenario(s.document, s.scope, s.name);
  for (const m of [...doc.media].sort((a, b) => a.createdAt - b.createdAt)) {
    emulator.media.restore({ accountId: m.accountId, mediaId: m.mediaId, contentType: m.contentType, cacheControl: m.cacheControl, createdAt: m.createdAt, bytes: Buffer.from(m.contentBase64, 'base64') });
  }
  for (const message of doc.messages) emulator.store.add(structuredClone(message) as StoredMessage);
  emulator.journal.restore([...doc.journal].sort((a, b) => a.seq - b.seq) as JournalEntry[]);
  const eventNumbers = [...doc.journal.map((e) => e.eventId), ...(doc.pending?.deliveries ?? []).map((d) => d.delivery.eventId)].map((id) => Number(/^ev-(\d+)$/.exec(id)?.[1] ?? 0))
    // An id beyond the exact integers is never handed out again anyway; reserving it would stall the counter.
    .filter((n) => n <= MAX_EVENT_NUMBER);
  emulator.timeline.reserveEventIds(Math.max(doc.lastEventNumber ?? 0, 0, ...eventNumbers));

  // Emulated delay from a due time: what is left of the wait in real ms, divided by the time scale.
  const delayUntil = (dueAt: number) => (emulator.clock.scale > 0 ? Math.max(0, dueAt - now) / emulator.clock.scale : 0);
  const appOf = (accountId: string, applicationId: string) => {
    const account = emulator.accounts.get(accountId);
    return account && emulator.accounts.application(account, applicationId);
  };
  let pendingSteps = 0;
  for (const p of playableSteps(doc)) {
    const message = emulator.store.get(p.accountId, p.messageId);
    if (!message) continue;
    emulator.timeline.resumeOutbound(message, p.recipient, p.steps as PlannedStep[], p.next, delayUntil(p.dueAt), appOf(p.accountId, message.applicationId), p.explanation);
    pendingSteps++;
  }
  // An inbound message whose message-received never went out (the process stopped first) gets it now.
  for (const message of doc.messages) {
    if (message.direction !== 'in' || message.timeline.some((t) => t.what === 'message-received')) continue;
    const stored = emulator.store.get(message.accountId, message.id);
    const account = emulator.accounts.get(message.accountId);
    if (stored && account) {
      emulator.timeline.playInbound(stored, emulator.accounts.numberApplication(account, stored.owner));
      pendingSteps++;
    }
  }
  for (const p of doc.pending?.replies ?? []) {
    const message = emulator.store.get(p.accountId, p.messageId);
    if (!message) continue;
    emulator.scheduleReply(message, p.key, p.reply as PlannedReply, delayUntil(p.dueAt));
    pendingSteps++;
  }
  let pendingDeliveries = 0;
  for (const p of doc.pending?.deliveries ?? []) {
    const app = appOf(p.delivery.accountId, p.delivery.applicationId);
    const delivery: Delivery = { ...(p.delivery as Delivery), auth: app?.callbackAuth ?? { mode: 'none' }, requested: true };
    emulator.dispatcher.resume(delivery, { ...p.next, delayMs: delayUntil(p.dueAt) });
    pendingDeliveries++;
  }
  if (doc.ruleHits) applyRuleHits(emulator, doc.ruleHits);
  return { messages: doc.messages.length, media: doc.media.length, journal: doc.journal.length, scenarios: doc.scenarios.length, pendingSteps, pendingDeliveries };
}
