// Callback faults (`callbackFaults`): the matched message's status events are planned as usual, then each kind
// reshapes the planned steps (src/callbacks/timeline.ts carries out `duplicates` and `dropped`) or the whole plan.
import { Type } from 'typebox';
import { Duration } from '../../config/schema.js';
import type { OutboundPlan, PlannedStep } from '../../model/plan.js';
import { checkDelayBound, durationMs, faultBlock, type CompiledBlock, type FaultFields, type FaultKind } from './registry.js';

/** A callback fault kind: a fault kind that also reshapes the plan of a message its rule picks. */
interface CallbackFaultKind<F extends FaultFields = FaultFields, C extends object = object> extends FaultKind<F, C> {
  /** Reshape one recipient's planned steps, when the rule's selection picks it. */
  steps?(steps: PlannedStep[], compiled: C): PlannedStep[];
  /** Reshape the whole plan once, after every recipient is planned; `picked` are the blocks that picked a recipient. */
  acrossRecipients?(plan: OutboundPlan, picked: readonly C[]): void;
}

// Identity, so each entry's field and compiled types are inferred from the entry itself.
const callbackFaultKind = <F extends FaultFields, C extends object>(kind: CallbackFaultKind<F, C>): CallbackFaultKind<F, C> => kind;

const duplicate = callbackFaultKind({
  fields: { duplicate: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'send each selected event this many extra times' })) },
  docs: { duplicate: 'send each status callback this many extra times: the same body, each copy with its own event id in the journal' },
  suggestion: 'duplicate: N',
  inUse: (spec) => spec.duplicate !== undefined,
  compile: (spec) => ({ duplicate: spec.duplicate }),
  explain: (fault) => (fault.duplicate === undefined ? undefined : `${fault.duplicate} extra ${fault.duplicate === 1 ? 'copy' : 'copies'}`),
  steps: (steps, fault) => (fault.duplicate === undefined ? steps : steps.map((step) => ({ ...step, duplicates: fault.duplicate }))),
});

const delay = callbackFaultKind({
  fields: { delay: Type.Optional(Duration) },
  docs: { delay: "move the recipient's status events (and their callbacks) this much later" },
  suggestion: 'delay',
  inUse: (spec) => spec.delay !== undefined,
  check: (spec, at, problem) => checkDelayBound(spec.delay, [...at, 'delay'], problem),
  compile: (spec) => ({ delayMs: durationMs(spec.delay) }),
  explain: (fault) => (fault.delayMs ? `delay ${fault.delayMs} ms` : undefined),
  steps: (steps, { delayMs }) => (delayMs ? steps.map((step) => ({ ...step, afterMs: step.afterMs + delayMs })) : steps),
});

const drop = callbackFaultKind({
  fields: { drop: Type.Optional(Type.Boolean({ description: 'true: selected events are never sent (journaled as dropped)' })) },
  docs: { drop: '`true`: the events happen (the status moves) but their callbacks are never sent; the journal says `dropped`' },
  suggestion: 'drop: true',
  inUse: (spec) => spec.drop === true,
  compile: (spec) => ({ drop: spec.drop }),
  explain: (fault) => (fault.drop ? 'dropped' : undefined),
  steps: (steps, fault) => (fault.drop === undefined ? steps : steps.map((step) => ({ ...step, dropped: fault.drop }))),
});

const reorder = callbackFaultKind({
  fields: { reorder: Type.Optional(Type.Boolean({ description: "true: a group's recipients get their events in reverse order" })) },
  docs: { reorder: "`true`: a group's recipients get their events in reverse recipient order, each keeping its own order" },
  suggestion: 'reorder: true',
  inUse: (spec) => spec.reorder === true,
  compile: (spec) => ({ reorder: spec.reorder }),
  explain: (fault) => (fault.reorder ? 'recipients in reverse order' : undefined),
  acrossRecipients: (plan, picked) => {
    if (picked.some((fault) => fault.reorder === true)) reverseRecipients(plan);
  },
});

// The disorder faults (README "Receipts as routes produce them"). Bandwidth documents duplicates ("at least once
// delivery of events", https://dev.bandwidth.com/docs/messaging/webhooks) but not the order of a recipient's events;
// the dispatcher keeps them in order, so these put the callbacks out of order in the plan itself, on purpose.

const earlyReceipt = callbackFaultKind({
  fields: { earlyReceipt: Type.Optional(Type.Boolean({ description: "true: the recipient's events, its receipt included, come 0 ms after the 202" })) },
  docs: {
    earlyReceipt:
      "`true`: the recipient's events, the final one included, are sent 0 ms after the `202` (the `202` still leaves first), for apps that store the message id late; not with `delay`",
  },
  suggestion: 'earlyReceipt: true',
  inUse: (spec) => spec.earlyReceipt === true,
  // The block is passed whole (registry.ts), so the delay kind's field is there to read.
  check(spec, at, problem) {
    if (spec.earlyReceipt === true && (spec as { delay?: unknown }).delay !== undefined)
      problem([...at, 'earlyReceipt'], 'sends the events 0 ms after the 202, so it cannot go with delay', 'keep earlyReceipt or delay, not both');
  },
  compile: (spec) => ({ earlyReceipt: spec.earlyReceipt }),
  explain: (fault) => (fault.earlyReceipt ? 'receipt 0 ms after the 202' : undefined),
  steps: (steps, fault) => (fault.earlyReceipt ? steps.map((step) => ({ ...step, afterMs: 0 })) : steps),
});

const sendingAfterFinal = callbackFaultKind({
  fields: {
    sendingAfterFinal: Type.Optional(Type.Boolean({ description: "true: the recipient's message-sending arrives after its final event" })),
  },
  docs: {
    sendingAfterFinal:
      "`true`: the recipient's `message-sending` is sent after its final `message-delivered`/`message-failed` instead of before it (added when the route has none, as SMS); the status stays final, the journal's explanation starts `scripted disorder`",
  },
  suggestion: 'sendingAfterFinal: true',
  inUse: (spec) => spec.sendingAfterFinal === true,
  compile: (spec) => ({ sendingAfterFinal: spec.sendingAfterFinal }),
  explain: (fault) => (fault.sendingAfterFinal ? 'message-sending after the final event' : undefined),
  steps: (steps, fault) => (fault.sendingAfterFinal ? sendingAfterTheFinal(steps) : steps),
});

/** The most stale callbacks one recipient may get after its final event. */
const MAX_STALE = 10;

const staleAfterFinal = callbackFaultKind({
  fields: {
    staleAfterFinal: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_STALE, description: `how many stale message-sending callbacks follow the final event (1 to ${MAX_STALE})` }),
    ),
  },
  docs: {
    staleAfterFinal: `this many copies (1 to ${MAX_STALE}) of a stale status come after the final event: the recipient's \`message-sending\` again, with its first \`time\` (the \`202\`'s when it had none); the status stays final, the journal's explanation starts \`scripted disorder\``,
  },
  suggestion: 'staleAfterFinal: N',
  inUse: (spec) => spec.staleAfterFinal !== undefined,
  compile: (spec) => ({ staleAfterFinal: spec.staleAfterFinal }),
  explain: (fault) => (fault.staleAfterFinal === undefined ? undefined : `${fault.staleAfterFinal} stale message-sending after the final event`),
  steps: (steps, fault) => (fault.staleAfterFinal === undefined ? steps : staleAfterTheFinal(steps, fault.staleAfterFinal)),
});

const CALLBACK_FAULT_KINDS = [duplicate, delay, drop, reorder, earlyReceipt, sendingAfterFinal, staleAfterFinal] as const;

/** The `callbackFaults` block: its schema, checks, compiled form and explain() text. */
export const callbackFaults = faultBlock('callbackFaults', CALLBACK_FAULT_KINDS, {
  // An empty block has always been accepted (it changes nothing), unlike an API fault that does nothing.
  requireOne: false,
  describe: (parts) => (parts.length ? `callback faults: ${parts.join(', ')}` : 'callback faults'),
});

/** A compiled `callbackFaults`. */
export type CompiledCallbackFaults = CompiledBlock<typeof CALLBACK_FAULT_KINDS>;

/** One recipient's planned steps with the callback faults of the rule that picked it. */
export function applyCallbackFaults(fault: CompiledCallbackFaults, steps: PlannedStep[]): PlannedStep[] {
  return CALLBACK_FAULT_KINDS.reduce((planned, kind) => kind.steps?.(planned, fault) ?? planned, steps);
}

/** The plan-wide callback faults, each kind once, of the blocks that picked any of a message's recipients. */
export function applyCallbackFaultsAcrossRecipients(picked: readonly CompiledCallbackFaults[], plan: OutboundPlan): void {
  if (picked.length === 0) return;
  for (const kind of CALLBACK_FAULT_KINDS) kind.acrossRecipients?.(plan, picked);
}

// The index of the recipient's final event (delivered or failed), or -1 for a timeline without one.
function finalIndex(steps: readonly PlannedStep[]): number {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.type === 'message-delivered' || steps[i]!.type === 'message-failed') return i;
  return -1;
}

// The recipient's message-sending moves behind its last event (one is made when the route sends none); a timeline
// without a final event (a lost receipt) has nothing to be out of order with and is left as it is.
function sendingAfterTheFinal(steps: PlannedStep[]): PlannedStep[] {
  const final = finalIndex(steps);
  if (final === -1) return steps;
  const sending = steps.findIndex((step, i) => i < final && step.type === 'message-sending');
  const rest = steps.filter((_, i) => i !== sending);
  const like = sending === -1 ? { dropped: steps[final]!.dropped } : { duplicates: steps[sending]!.duplicates, dropped: steps[sending]!.dropped };
  return [...rest, { ...like, afterMs: rest.at(-1)!.afterMs, type: 'message-sending', disorder: 'sending-after-final' }];
}

// `count` stale message-sending events behind the recipient's last event, at the same moment (one after the other).
function staleAfterTheFinal(steps: PlannedStep[], count: number): PlannedStep[] {
  const final = finalIndex(steps);
  if (final === -1) return steps;
  const stale: PlannedStep = { afterMs: steps.at(-1)!.afterMs, type: 'message-sending', dropped: steps[final]!.dropped, disorder: 'stale-after-final' };
  return [...steps, ...Array.from({ length: count }, () => ({ ...stale }))];
}

// Out-of-order delivery for a group: the last recipient's events come first, each recipient keeping its own order.
function reverseRecipients(plan: OutboundPlan): void {
  const recipients = [...plan.steps.keys()];
  const gap = Math.max(...[...plan.steps.values()].map((steps) => steps.at(-1)?.afterMs ?? 0)) + 1;
  recipients.forEach((to, i) => {
    const offset = (recipients.length - 1 - i) * gap;
    plan.steps.set(
      to,
      plan.steps.get(to)!.map((s) => ({ ...s, afterMs: s.afterMs + offset })),
    );
  });
}
