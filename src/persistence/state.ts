import type { Delivery } from '../callbacks/dispatcher.js';
import type { Emulator } from '../emulator.js';
import { waitsInQueue } from '../messaging/account-queues.js';
import { compileRuntimeScenario } from '../scenarios/lifecycle.js';
import { Journal } from '../store/journal.js';
import { MediaStore } from '../store/media.js';
import { MessageStore, type StoredMessage } from '../store/messages.js';
import { OptOutStore } from '../store/opt-outs.js';
import type { Problem } from '../validation/schema-check.js';
import { DataDir } from './data-dir.js';
import {
  checkStateDocument,
  MAX_EVENT_NUMBER,
  playableSteps,
  ruleHitsOf,
  scopedScenarios,
  STATE_VERSION,
  StateDocumentError,
  type RestoreCounts,
  type StagedState,
  type StateDocument,
} from './state-document.js';

/** The emulator's state as one JSON document. `pending` is there only with a data dir (which tracks it). */
export function exportState(emulator: Emulator): StateDocument {
  const { store, clock, timeline, media, journal, scenarios, optOuts } = emulator.parts;
  const messages: StoredMessage[] = [];
  // A loop, not push(...list): spreading 200,000 messages into one call overflows the stack.
  for (const accountId of store.accounts()) for (const message of store.list(accountId)) messages.push(message);
  messages.sort((a, b) => a.time - b.time);
  const pending = emulator.storage instanceof DataDir ? emulator.storage.pending() : undefined;
  return {
    kind: 'bandwidth-emulator-state',
    version: STATE_VERSION,
    exportedAt: new Date(clock.now()).toISOString(),
    lastEventNumber: timeline.lastEventNumber,
    messages,
    media: media.entries().map((o) => ({
      accountId: o.accountId,
      mediaId: o.mediaId,
      contentType: o.contentType,
      ...(o.cacheControl !== undefined ? { cacheControl: o.cacheControl } : {}),
      createdAt: o.createdAt,
      contentBase64: o.bytes.toString('base64'),
    })),
    journal: journal.list(),
    scenarios: scenarios
      .runtimeScenarios()
      .map(({ scope, scenario }) => ({ scope, name: scenario.name, document: emulator.scenarioDocument(scenario) ?? null })),
    ...(pending ? { pending } : {}),
    ruleHits: ruleHitsOf(emulator),
    optOuts: optOuts.entries(),
  };
}

function applyRuleHits(emulator: Emulator, hits: Record<string, number>): void {
  for (const { scope, scenario } of scopedScenarios(emulator))
    for (const rule of scenario.rules) rule.hits = hits[`${scope}/${scenario.name}/${rule.id}`] ?? rule.hits;
}

/**
 * A state document built aside, before anything is replaced: its scenarios compiled, its media decoded and its
 * messages and journal in stores of their own (caps applied). Everything that can fail happens while staging.
 */

// Ids of the messages a document still owes work for: they are kept over the message cap until it is done.
function messagesWithPendingWork(doc: StateDocument): Set<string> {
  const ids = new Set<string>();
  for (const p of playableSteps(doc)) ids.add(p.messageId);
  for (const p of doc.pending?.replies ?? []) ids.add(p.messageId);
  for (const m of doc.messages) if (m.direction === 'in' && !m.timeline.some((t) => t.what === 'message-received')) ids.add(m.id);
  for (const m of doc.messages) if (waitsInQueue(m)) ids.add(m.id);
  return ids;
}

/** Build a checked state document aside (StateDocumentError when a scenario does not compile); nothing changes. */
function stageState(emulator: Emulator, doc: StateDocument): StagedState {
  const { config, clock } = emulator.parts;
  const problems: Problem[] = [];
  const scenarios = doc.scenarios.map((s, i) => {
    const { scenario, problems: found } = compileRuntimeScenario(s.document, s.scope, s.name);
    for (const p of found) problems.push({ ...p, field: `scenarios[${i}].document.${p.field}` });
    return { scope: s.scope, scenario: scenario!, document: structuredClone(s.document) };
  });
  if (problems.length > 0) throw new StateDocumentError(problems);
  const media = new MediaStore(config.media, clock);
  for (const m of [...doc.media].sort((a, b) => a.createdAt - b.createdAt)) {
    media.restore({
      accountId: m.accountId,
      mediaId: m.mediaId,
      contentType: m.contentType,
      cacheControl: m.cacheControl,
      createdAt: m.createdAt,
      bytes: Buffer.from(m.contentBase64, 'base64'),
    });
  }
  const store = new MessageStore(config.limits.maxMessages);
  const pinned = messagesWithPendingWork(doc);
  for (const message of doc.messages) {
    store.add(structuredClone(message));
    if (pinned.has(message.id)) store.pin(message.id);
  }
  const journal = new Journal(config.limits.maxJournalEntries);
  journal.restore(doc.journal);
  // A loop, not Math.max(...ids): spreading a journal of 200,000 entries into one call overflows the stack.
  let lastEventNumber = Math.max(doc.lastEventNumber ?? 0, 0);
  const consider = (eventId: string) => {
    const n = Number(/^ev-(\d+)$/.exec(eventId)?.[1] ?? 0);
    // An id beyond the exact integers is never handed out again anyway; reserving it would stall the counter.
    if (n <= MAX_EVENT_NUMBER && n > lastEventNumber) lastEventNumber = n;
  };
  for (const entry of doc.journal) consider(entry.eventId);
  for (const p of doc.pending?.deliveries ?? []) consider(p.delivery.eventId);
  const optOuts = new OptOutStore();
  optOuts.restore(doc.optOuts ?? []);
  return { doc, scenarios, store, journal, media, optOuts, lastEventNumber, pinned };
}

/**
 * Put a staged state in force in an emulator that holds nothing (start-up, or right after a full reset): the stores
 * take over what was built aside, then the pending events are scheduled again. Only hand-overs and scheduling here.
 */
function commitState(emulator: Emulator, staged: StagedState): RestoreCounts {
  const { clock, media, store, journal, timeline, accounts, dispatcher, optOuts } = emulator.parts;
  const { doc } = staged;
  const now = clock.now();
  for (const s of [...staged.scenarios].reverse()) emulator.restoreScenario(s.scenario, s.scope, s.document);
  media.adopt(staged.media);
  store.adopt(staged.store);
  journal.adopt(staged.journal);
  optOuts.restore(staged.optOuts.entries());
  timeline.reserveEventIds(staged.lastEventNumber);

  // Emulated delay from a due time: what is left of the wait in real ms, divided by the time scale.
  const delayUntil = (dueAt: number) => (clock.scale > 0 ? Math.max(0, dueAt - now) / clock.scale : 0);
  const appOf = (accountId: string, applicationId: string) => {
    const account = accounts.get(accountId);
    return account && accounts.application(account, applicationId);
  };
  let pendingSteps = 0;
  for (const p of playableSteps(doc)) {
    const message = store.get(p.accountId, p.messageId);
    if (!message) continue;
    timeline.resumeOutbound(
      message,
      p.recipient,
      p.steps,
      p.next,
      delayUntil(p.dueAt),
      appOf(p.accountId, message.callbackApplicationId ?? message.applicationId),
      p.explanation,
    );
    pendingSteps++;
  }
  // An inbound message whose message-received never went out (the process stopped first) gets it now.
  for (const message of doc.messages) {
    if (message.direction !== 'in' || message.timeline.some((t) => t.what === 'message-received')) continue;
    const stored = store.get(message.accountId, message.id);
    const account = accounts.get(message.accountId);
    if (stored && account) {
      timeline.playInbound(stored, accounts.numberApplication(account, stored.owner));
      pendingSteps++;
    }
  }
  for (const p of doc.pending?.replies ?? []) {
    const message = store.get(p.accountId, p.messageId);
    if (!message) continue;
    emulator.scheduleReply(message, p.key, p.reply, delayUntil(p.dueAt));
    pendingSteps++;
  }
  // Messages that were waiting in an account queue wait again, high first, then as accepted (their plan is made
  // when they leave, so they have no pending steps on file): each recipient counts as a step pending.
  const waiting: StoredMessage[] = [];
  for (const message of doc.messages) {
    const stored = waitsInQueue(message) ? store.get(message.accountId, message.id) : undefined;
    if (!stored || !accounts.get(stored.accountId)) continue;
    waiting.push(stored);
    pendingSteps += stored.to.length;
  }
  emulator.requeueOutbound(waiting);
  let pendingDeliveries = 0;
  for (const p of doc.pending?.deliveries ?? []) {
    const app = appOf(p.delivery.accountId, p.delivery.applicationId);
    const delivery: Delivery = { ...(p.delivery as Delivery), auth: app?.callbackAuth ?? { mode: 'none' }, requested: true };
    dispatcher.resume(delivery, { ...p.next, delayMs: delayUntil(p.dueAt) });
    pendingDeliveries++;
  }
  if (doc.ruleHits) applyRuleHits(emulator, doc.ruleHits);
  // The work scheduled above holds its messages now; a message whose work could not be scheduled (no such account
  // any more) is evicted here if it is over the cap.
  for (const id of staged.pinned) store.unpin(id);
  return {
    messages: doc.messages.length,
    media: doc.media.length,
    journal: doc.journal.length,
    scenarios: doc.scenarios.length,
    pendingSteps,
    pendingDeliveries,
  };
}

/** Put a state document's contents into an emulator that holds nothing yet (start-up): staged, then committed. */
export function restoreState(emulator: Emulator, doc: StateDocument): RestoreCounts {
  return commitState(emulator, stageState(emulator, doc));
}

/**
 * Replace all state with a state document (POST /__emulator/state), atomically: the document is checked completely
 * and built aside (stageState) before anything is replaced; then, with a data dir, the file is rewritten in one
 * transaction; only then are the emulator's state reset and the staged state put in force. A StateDocumentError
 * (every problem), or a StorageWriteError when the file cannot be written, leaves everything as it was.
 */
export function importState(emulator: Emulator, value: unknown): RestoreCounts {
  const problems = checkStateDocument(value, 'state document', emulator.config.media);
  if (problems.length > 0) throw new StateDocumentError(problems);
  const doc = value as StateDocument;
  let staged: StagedState;
  try {
    staged = stageState(emulator, doc);
  } catch (error) {
    if (error instanceof StateDocumentError) throw error;
    // Whatever else went wrong while building aside, nothing was replaced: the document is refused as it is.
    throw new StateDocumentError([
      {
        source: 'state document',
        field: '(document)',
        problem: `could not be restored (${(error as Error).message})`,
        fix: 'export the state again from an emulator and import that document',
      },
    ]);
  }
  const putInForce = () => {
    emulator.reset();
    return commitState(emulator, staged);
  };
  return emulator.storage instanceof DataDir ? emulator.storage.replace(staged, putInForce) : putInForce();
}
