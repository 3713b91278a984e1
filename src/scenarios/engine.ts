import type { TrafficSpec } from '../config/traffic.js';
import type { Channel, StoredMessage } from '../store/messages.js';
import type { CompiledReply, CompiledRule, CompiledScenario, EventStep } from './compile.js';
import { apiFaultActions, apiFaults, type ApiFaultAction, type ApiOperation } from './faults/api-faults.js';
import { applyCallbackFaults, applyCallbackFaultsAcrossRecipients, callbackFaults, type CompiledCallbackFaults } from './faults/callback-faults.js';
import { selects } from './faults/registry.js';
import { magicOutcome } from './magic.js';
import { seededRandom } from './random.js';
import { clip, EXPLAIN_LIMITS, quote } from './explain-bounds.js';
import { describeMiss, firstFailing, type MatchSubject, type SenderRegistration } from './matcher.js';
import type { OutboundPlan, PlannedReply, PlannedStep } from '../model/plan.js';
import { renderReply } from './reply-template.js';
import { DEFAULT_RECEIPT_POLICY, explainReceipt, mmsWithoutReceipts, withReceiptOutcome, type ReceiptPolicy } from './receipts.js';
import { withMessageSent } from './message-sent.js';

/** Delays the engine falls back on when a rule or the default does not give one. */
export interface PlanTimings {
  deliveryDelayMs: number;
  sendingDelayMs: number;
}

/** Why the account's own checks fail a message before any scenario is asked (Bandwidth's asynchronous rejections). */
export interface Rejection {
  errorCode: number;
  why: string;
  /** The message got as far as message-sending before failing (MMS media checks). */
  afterSending?: boolean;
  /** Only these recipients fail (a message to its own from number); the others are planned as usual. */
  recipients?: ReadonlySet<string>;
}

/** An API fault chosen for a request: the rule that chose it, the operation it answers and what the API layer does, in order. */
export interface ApiFault {
  rule: CompiledRule;
  operation: ApiOperation;
  actions: ApiFaultAction[];
}

/** A scenario as the control API lists it: rules with hit counts and explain() lines. */
export interface ScenarioSummary {
  name: string;
  source: string;
  scope: string;
  seed: number;
  /** `unreachable`: why the rule can never match (an earlier rule always matches first), when it cannot. */
  rules: Array<{ id: string; name: string; hits: number; times?: number; explain: string; unreachable?: string }>;
  /** The traffic settings the scenario applies while loaded, as written. */
  traffic?: TrafficSpec;
}

/** A scenario as the control API lists it, in a scope ('file', '*' or an account id). */
export function summaryOf(scenario: CompiledScenario, scope: string): ScenarioSummary {
  return {
    name: scenario.name,
    source: scenario.source,
    scope,
    seed: scenario.seed,
    rules: scenario.rules.map((r) => ({
      id: r.id,
      name: r.name,
      hits: r.hits,
      times: r.times,
      explain: explainRule(r),
      ...(r.unreachable !== undefined ? { unreachable: r.unreachable } : {}),
    })),
    ...(scenario.traffic ? { traffic: scenario.traffic } : {}),
  };
}

const isMms = (m: Pick<StoredMessage, 'media' | 'to'>) => (m.media?.length ?? 0) > 0 || m.to.length > 1;

/** A rule's one-line explain(): what it matches and what it does. */
export function explainRule(rule: CompiledRule): string {
  const when = rule.matchers.length ? rule.matchers.map((m) => m.describe).join(' and ') : 'every message';
  const what: string[] = [];
  if (rule.apiFault) what.push(apiFaults.explain(rule.apiFault));
  if (rule.events)
    what.push(
      rule.events.length
        ? rule.events.map((e) => e.type + (e.errorCode ? ` ${e.errorCode}` : '')).join(' → ')
        : rule.receipt
          ? 'no events'
          : 'no events (lost receipt)',
    );
  if (rule.receipt) what.push(explainReceipt(rule.receipt));
  if (rule.reply)
    what.push(
      rule.reply.suggestionResponse
        ? `reply suggestion-response ${quote(rule.reply.suggestionResponse.text)}`
        : rule.reply.locationResponse
          ? 'reply requested-location-response'
          : `reply ${quote(rule.reply.text)}`,
    );
  if (rule.callbackFaults) what.push(callbackFaults.explain(rule.callbackFaults));
  const limit = rule.times ? ` (first ${rule.times}; ${rule.hits} used)` : ` (${rule.hits} hits)`;
  return `${ruleLabel(rule)}: when ${when} → ${what.join(', ') || 'default outcome'}${limit}`;
}

// A rule as explanations name it: its id (the scenario's name and index) and its name, both clipped.
const ruleLabel = (rule: CompiledRule) => `${clip(rule.id)} ${quote(rule.name)}`;

/**
 * Scenarios in force and the planning over them (pure but for hit counters and seeded streams): run-time scenarios
 * of the account first (newest first), then global run-time ones, then files, then magic numbers, then the default.
 * For a magic-number recipient only the rules that match on `to` come before its magic outcome: a catch-all (or a
 * rule on text, tag, media...) never switches the magic numbers off.
 */
export class ScenarioEngine {
  private files: CompiledScenario[] = [];
  private readonly runtime = new Map<string, CompiledScenario[]>();
  private readonly changeListeners = new Set<() => void>();
  private readonly anyChangeListeners = new Set<() => void>();

  /** Replace the scenarios loaded from files (start-up and hot reload). */
  setFileScenarios(scenarios: CompiledScenario[]): void {
    this.files = scenarios;
    for (const listener of this.anyChangeListeners) listener();
  }

  /** Call `listener` whenever the scenarios in force change, files included (traffic settings); returns the unsubscribe function. */
  onAnyChange(listener: () => void): () => void {
    this.anyChangeListeners.add(listener);
    return () => this.anyChangeListeners.delete(listener);
  }

  /**
   * The traffic sections of the scenarios in force, lowest first: with no account, the global ones (files in load
   * order, then global run-time scenarios oldest first); with one, that account's run-time scenarios, oldest first.
   */
  trafficSections(accountId?: string): Array<{ scenario: string; traffic: TrafficSpec }> {
    const scenarios =
      accountId === undefined ? [...this.files, ...[...(this.runtime.get('*') ?? [])].reverse()] : [...(this.runtime.get(accountId) ?? [])].reverse();
    return scenarios.flatMap((s) => (s.traffic ? [{ scenario: s.name, traffic: s.traffic }] : []));
  }

  /** Add a run-time scenario in front of everything, for one account or (scope '*') all. Same name replaces. */
  use(scenario: CompiledScenario, scope = '*'): void {
    const list = (this.runtime.get(scope) ?? []).filter((s) => s.name !== scenario.name);
    this.runtime.set(scope, [scenario, ...list]);
    for (const listener of [...this.changeListeners, ...this.anyChangeListeners]) listener();
  }

  /** Call `listener` whenever the run-time scenarios change (persistence); returns the unsubscribe function. */
  onRuntimeChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** The run-time scenarios with their scope, newest first within each scope. */
  runtimeScenarios(): Array<{ scope: string; scenario: CompiledScenario }> {
    return [...this.runtime].flatMap(([scope, list]) => list.map((scenario) => ({ scope, scenario })));
  }

  /** Remove run-time scenarios: all, one scope's, or one by name within a scope. */
  clear(scope?: string, name?: string): void {
    if (scope === undefined) this.runtime.clear();
    else if (name === undefined) this.runtime.delete(scope);
    else
      this.runtime.set(
        scope,
        (this.runtime.get(scope) ?? []).filter((s) => s.name !== name),
      );
    for (const listener of [...this.changeListeners, ...this.anyChangeListeners]) listener();
  }

  /** Restore the file scenarios' baseline: hit counters to zero and seeded streams back to their start. */
  resetCounters(): void {
    for (const scenario of this.files) {
      scenario.random = seededRandom(scenario.seed);
      for (const rule of scenario.rules) {
        rule.hits = 0;
        if (rule.apiFault) rule.apiFault.seen = 0;
        if (rule.callbackFaults) rule.callbackFaults.seen = 0;
      }
    }
  }

  /** Scenarios in matching order for an account. */
  inForce(accountId: string): CompiledScenario[] {
    return [...(this.runtime.get(accountId) ?? []), ...(accountId === '*' ? [] : (this.runtime.get('*') ?? [])), ...this.files];
  }

  /** Every scenario with its scope, rules, hit counts and explain() lines. */
  summaries(): ScenarioSummary[] {
    const out: ScenarioSummary[] = [];
    const add = (scenario: CompiledScenario, scope: string) => out.push(summaryOf(scenario, scope));
    for (const [scope, list] of this.runtime) for (const s of list) add(s, scope);
    for (const s of this.files) add(s, 'file');
    return out;
  }

  /** Scenarios whose inbound messages should be scheduled when they are loaded. */
  filesAndRuntime(): CompiledScenario[] {
    return [...[...this.runtime.values()].flat(), ...this.files];
  }

  /** The API fault for a create request, if a rule with `apiFault` on `create` matches any recipient and its selection fires. */
  apiFault(
    accountId: string,
    subject: () => Pick<StoredMessage, 'to' | 'from' | 'text' | 'tag' | 'applicationId' | 'media' | 'segmentCount' | 'channel'>,
    sender?: (from: string) => SenderRegistration | undefined,
  ): ApiFault | undefined {
    // The request's view (with its segment count) is built only once a rule has an API fault: most runs have none,
    // and building it for every create request showed up in the saturation profile.
    let message: ReturnType<typeof subject> | undefined;
    let registration: SenderRegistration | undefined;
    return this.firstFault(accountId, 'create', (rule) => {
      if (!message) {
        message = subject();
        registration = sender?.(message.from);
      }
      const request = message;
      return request.to.some((to) => firstFailing(rule.matchers, subjectOf(request, accountId, to, registration)) === undefined);
    });
  }

  /**
   * The API fault for a search or a media request of an account, if a rule with `apiFault` on that operation matches
   * and its selection fires. Such a rule matches on `accountId` only (the compiler refuses other conditions).
   */
  operationFault(accountId: string, operation: Exclude<ApiOperation, 'create'>): ApiFault | undefined {
    return this.firstFault(accountId, operation, (rule) => rule.matchers.every((m) => m.field === 'accountId' && m.test({ accountId } as MatchSubject)));
  }

  // The first rule in force with an API fault on this operation whose conditions hold (`hits`) and whose selection fires.
  private firstFault(accountId: string, operation: ApiOperation, hits: (rule: CompiledRule) => boolean): ApiFault | undefined {
    for (const scenario of this.inForce(accountId)) {
      for (const rule of scenario.rules) {
        if (!rule.apiFault?.operations.has(operation) || (rule.times !== undefined && rule.hits >= rule.times)) continue;
        if (!hits(rule)) continue;
        if (!selects(rule.apiFault, scenario.random)) continue;
        rule.hits++;
        return { rule, operation, actions: apiFaultActions(rule.apiFault) };
      }
    }
    return undefined;
  }

  /**
   * Plan an accepted message: per recipient, the first matching rule (or magic number, or the default) and why;
   * `receipts` is the account's receipt window and MMS delivery-receipt feature (Bandwidth's when not given), and
   * whether the application wants message-sent (then each timeline gets it at the hand-off, before callback faults).
   */
  planOutbound(
    message: StoredMessage,
    timings: PlanTimings,
    rejection?: Rejection,
    sender?: SenderRegistration,
    receipts: ReceiptPolicy = DEFAULT_RECEIPT_POLICY,
  ): OutboundPlan {
    const plan: OutboundPlan = { steps: new Map(), explanations: new Map(), replies: [] };
    const channel = subjectOf(message, message.accountId, message.to[0] ?? '').channel;
    // Without Feature_MMS_DLR an MMS is reported delivered at the hand-off to Bandwidth's MMSC (src/scenarios/receipts.ts).
    const handOffOnly = channel === 'MMS' && !receipts.mmsDeliveryReceipts;
    const receiptsOf = (steps: PlannedStep[]): { steps: PlannedStep[]; note: string } => {
      if (!handOffOnly) return { steps, note: '' };
      const changed = mmsWithoutReceipts(steps, timings.sendingDelayMs);
      return {
        steps: changed.steps,
        note: changed.hidden
          ? `; without the MMS delivery-receipt feature (Feature_MMS_DLR): message-delivered when handed off to Bandwidth's MMSC, ${changed.hidden} not reported`
          : '',
      };
    };
    const handOff = (steps: PlannedStep[]) => (receipts.messageSent ? withMessageSent(steps, timings.sendingDelayMs) : steps);
    const picked: CompiledCallbackFaults[] = [];
    for (const to of message.to) {
      if (rejection && (!rejection.recipients || rejection.recipients.has(to))) {
        const failed: EventStep = { type: 'message-failed', errorCode: rejection.errorCode, afterMs: timings.sendingDelayMs };
        plan.steps.set(to, handOff(timeline(rejection.afterSending ? [{ type: 'message-sending' }, failed] : [failed], timings)));
        plan.explanations.set(to, rejection.why);
        continue;
      }
      const subject = subjectOf(message, message.accountId, to, sender);
      const magic = magicOutcome(to, channel !== 'SMS', timings.sendingDelayMs);
      // Every rule is tried, but only the first few misses are written out; the rest are counted.
      const misses: string[] = [];
      let unlisted = 0;
      const missed = (why: () => string) => {
        if (misses.length < EXPLAIN_LIMITS.missesPerMessage) misses.push(why());
        else unlisted++;
      };
      let chosen: { rule: CompiledRule; scenario: CompiledScenario } | undefined;
      for (const scenario of this.inForce(message.accountId)) {
        for (const rule of scenario.rules) {
          if (rule.apiFault) continue;
          if (magic && !rule.matchesTo) {
            missed(() => `${ruleLabel(rule)} skipped: ${to} is a magic number and the rule does not match on to`);
            continue;
          }
          if (rule.times !== undefined && rule.hits >= rule.times) {
            missed(() => `${ruleLabel(rule)} used up (${rule.times} times)`);
            continue;
          }
          const failing = firstFailing(rule.matchers, subject);
          if (failing) {
            missed(() => `${ruleLabel(rule)}: ${describeMiss(failing, subject)}`);
            continue;
          }
          chosen = { rule, scenario };
          break;
        }
        if (chosen) break;
      }
      const missedText = misses.length ? `; missed: ${misses.join('; ')}${unlisted ? `; … (+${unlisted} more rules missed)` : ''}` : '';
      if (chosen) {
        const { rule, scenario } = chosen;
        rule.hits++;
        // A read receipt exists only for RBM: a rule that scripts one and matches another channel sends the rest.
        const scripted = rule.events?.filter((e) => e.type !== 'message-read' || channel === 'RBM');
        // With `receipt`, the route's events up to the receipt (an MMS's message-sending), then the failure after the window.
        const events = rule.receipt
          ? withReceiptOutcome(scripted ?? defaultEvents(channel).filter((e) => e.type === 'message-sending'), rule.receipt, receipts.windowMs)
          : (scripted ?? defaultEvents(channel));
        const routed = receiptsOf(timeline(events, timings));
        let steps = handOff(routed.steps);
        const faults = rule.callbackFaults;
        if (faults && selects(faults, scenario.random)) {
          steps = applyCallbackFaults(faults, steps);
          picked.push(faults);
        }
        plan.steps.set(to, steps);
        if (rule.reply) plan.replies.push(replyFor(rule.reply, message, to));
        plan.explanations.set(to, `matched ${explainRule(rule)}${routed.note}${missedText}`);
        continue;
      }
      if (magic) {
        const routed = receiptsOf(timeline(magic.events, timings).map((s) => (TERMINAL.has(s.type) ? { ...s, duplicates: magic.duplicate } : s)));
        plan.steps.set(to, handOff(routed.steps));
        plan.explanations.set(to, `${magic.explanation}${routed.note}${missedText}`);
        continue;
      }
      const routed = receiptsOf(timeline(defaultEvents(channel), timings));
      plan.steps.set(to, handOff(routed.steps));
      plan.explanations.set(to, `no scenario rule matched: default outcome, delivered${channel === 'RBM' ? ' and read' : ''}${routed.note}${missedText}`);
    }
    applyCallbackFaultsAcrossRecipients(picked, plan);
    return plan;
  }
}

const TERMINAL = new Set(['message-delivered', 'message-failed']);

function subjectOf(
  message: Pick<StoredMessage, 'to' | 'from' | 'text' | 'tag' | 'applicationId' | 'media' | 'segmentCount' | 'channel'>,
  accountId: string,
  to: string,
  sender?: SenderRegistration,
): MatchSubject {
  return {
    ...sender,
    to,
    from: message.from,
    text: message.text,
    tag: message.tag,
    applicationId: message.applicationId,
    accountId,
    media: (message.media?.length ?? 0) > 0,
    group: message.to.length > 1,
    segments: message.segmentCount,
    channel: message.channel ?? (isMms(message) ? 'MMS' : 'SMS'),
  };
}

// SMS: delivered. MMS: sending, delivered. RBM: sending, delivered, then read (the spec's `statusCallbackTypeEnum`: message-read is RBM only).
function defaultEvents(channel: Channel): EventStep[] {
  if (channel === 'SMS') return [{ type: 'message-delivered' }];
  if (channel === 'MMS') return [{ type: 'message-sending' }, { type: 'message-delivered' }];
  return [{ type: 'message-sending' }, { type: 'message-delivered' }, { type: 'message-read' }];
}

// Relative `after`s become absolute times since the 202; missing ones take the configured default for their type.
function timeline(events: EventStep[], timings: PlanTimings): PlannedStep[] {
  let at = 0;
  return events.map((event) => {
    // A read receipt follows its delivery by one more delivery delay; the hand-off (message-sent) is at the sending
    // delay after the 202, or at once when that has passed (after a message-sending).
    const fallback =
      event.type === 'message-sending'
        ? timings.sendingDelayMs
        : event.type === 'message-read'
          ? timings.deliveryDelayMs
          : event.type === 'message-sent'
            ? Math.max(0, timings.sendingDelayMs - at)
            : Math.max(0, timings.deliveryDelayMs - at);
    at += event.afterMs ?? fallback;
    return { afterMs: at, type: event.type, errorCode: event.errorCode, description: event.description };
  });
}

// An RBM suggestion response answers the outbound message unless the rule names another one.
function replyFor(reply: CompiledReply, message: StoredMessage, recipient: string): PlannedReply {
  const planned: PlannedReply = {
    afterMs: reply.afterMs,
    from: recipient,
    to: [message.from],
    text: renderReply(reply.text, { text: message.text, tag: message.tag ?? '', from: message.from, to: recipient, id: message.id }),
    media: reply.media,
  };
  if (reply.suggestionResponse)
    planned.suggestionResponse = {
      ...reply.suggestionResponse,
      pairedMessageId: reply.suggestionResponse.pairedMessageId === undefined ? message.id : reply.suggestionResponse.pairedMessageId,
    };
  if (reply.locationResponse) planned.locationResponse = reply.locationResponse;
  return planned;
}
