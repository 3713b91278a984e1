import type { Delivery } from '../callbacks/dispatcher.js';
import type { Emulator } from '../emulator.js';
import type { StoredMessage } from '../store/messages.js';
import { DataDir } from './data-dir.js';
import { checkStateDocument, MAX_EVENT_NUMBER, playableSteps, ruleHitsOf, scopedScenarios, STATE_VERSION, StateDocumentError, type RestoreCounts, type StateDocument } from './state-document.js';

/** The emulator's state as one JSON document. `pending` is there only with a data dir (which tracks it). */
export function exportState(emulator: Emulator): StateDocument {
  const { store, clock, timeline, media, journal, scenarios } = emulator.parts;
  const messages: StoredMessage[] = [];
  for (const accountId of store.accounts()) messages.push(...store.list(accountId));
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
    scenarios: scenarios.runtimeScenarios().map(({ scope, scenario }) => ({ scope, name: scenario.name, document: emulator.scenarioDocument(scenario) ?? null })),
    ...(pending ? { pending } : {}),
    ruleHits: ruleHitsOf(emulator),
  };
}

function applyRuleHits(emulator: Emulator, hits: Record<string, number>): void {
  for (const { scope, scenario } of scopedScenarios(emulator)) for (const rule of scenario.rules) rule.hits = hits[`${scope}/${scenario.name}/${rule.id}`] ?? rule.hits;
}

/**
 * Put a state document's contents into an emulator that holds nothing yet (start-up, or after a full reset):
 * run-time scenarios, media, messages, journal, then the pending events, which are scheduled again.
 */
export function restoreState(emulator: Emulator, doc: StateDocument): RestoreCounts {
  const { clock, media, store, journal, timeline, accounts, dispatcher } = emulator.parts;
  const now = clock.now();
  for (const s of [...doc.scenarios].reverse()) emulator.useScenario(s.document, s.scope, s.name);
  for (const m of [...doc.media].sort((a, b) => a.createdAt - b.createdAt)) {
    media.restore({ accountId: m.accountId, mediaId: m.mediaId, contentType: m.contentType, cacheControl: m.cacheControl, createdAt: m.createdAt, bytes: Buffer.from(m.contentBase64, 'base64') });
  }
  for (const message of doc.messages) store.add(structuredClone(message));
  journal.restore([...doc.journal].sort((a, b) => a.seq - b.seq));
  const eventNumbers = [...doc.journal.map((e) => e.eventId), ...(doc.pending?.deliveries ?? []).map((d) => d.delivery.eventId)].map((id) => Number(/^ev-(\d+)$/.exec(id)?.[1] ?? 0))
    // An id beyond the exact integers is never handed out again anyway; reserving it would stall the counter.
    .filter((n) => n <= MAX_EVENT_NUMBER);
  timeline.reserveEventIds(Math.max(doc.lastEventNumber ?? 0, 0, ...eventNumbers));

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
    timeline.resumeOutbound(message, p.recipient, p.steps, p.next, delayUntil(p.dueAt), appOf(p.accountId, message.applicationId), p.explanation);
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
  let pendingDeliveries = 0;
  for (const p of doc.pending?.deliveries ?? []) {
    const app = appOf(p.delivery.accountId, p.delivery.applicationId);
    const delivery: Delivery = { ...(p.delivery as Delivery), auth: app?.callbackAuth ?? { mode: 'none' }, requested: true };
    dispatcher.resume(delivery, { ...p.next, delayMs: delayUntil(p.dueAt) });
    pendingDeliveries++;
  }
  if (doc.ruleHits) applyRuleHits(emulator, doc.ruleHits);
  return { messages: doc.messages.length, media: doc.media.length, journal: doc.journal.length, scenarios: doc.scenarios.length, pendingSteps, pendingDeliveries };
}

/**
 * Replace all state with a state document (POST /__emulator/state): checked completely first, then a full reset
 * (the one meaning of reset: src/emulator.ts) and the document's contents; the data dir, if any, is rewritten.
 * Throws StateDocumentError with every problem when the document is not valid; nothing is changed then.
 */
export function importState(emulator: Emulator, value: unknown): RestoreCounts {
  const problems = checkStateDocument(value, 'state document');
  if (problems.length > 0) throw new StateDocumentError(problems);
  const doc = value as StateDocument;
  emulator.reset();
  const counts = restoreState(emulator, doc);
  if (emulator.storage instanceof DataDir) emulator.storage.rewrite(doc);
  return counts;
}

