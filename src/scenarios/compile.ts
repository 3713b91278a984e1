import { trafficProblems, type TrafficSpec } from '../config/traffic.js';
import { isE164 } from '../config/schema.js';
import { isKnownErrorCode } from '../error-codes.js';
import type { StatusType } from '../model/events.js';
import { tooDeep } from '../validation/depth.js';
import { DELAY_BOUND, durationBoundProblem, parseDuration } from '../validation/durations.js';
import { compileSchemaCheck, fieldName, parseLocated, type Problem } from '../validation/schema-check.js';
import { apiFaults, type CompiledApiFault } from './faults/api-faults.js';
import { callbackFaults, type CompiledCallbackFaults } from './faults/callback-faults.js';
import { compileMatch, MatcherError, type FieldMatcher } from './matcher.js';
import { seededRandom } from './random.js';
import { templateProblem } from './reply-template.js';
import type { LocationResponse, SuggestionResponse } from '../store/messages.js';
import { ScenarioFileSchema, type InboundSpec, type RuleSpec, type ScenarioFile } from './schema.js';

/** A scripted status event; `afterMs` counts from the previous event (or the 202), undefined takes the default delay. */
export interface EventStep {
  type: StatusType;
  afterMs?: number;
  errorCode?: number;
  description?: string;
}

/** A rule's scripted receipt outcome: none comes back (9902), or the carrier reports the message expired (4794). */
export type ReceiptOutcome = 'none' | 'carrier-expired';

/** A rule ready to match: compiled matchers plus what happens, and counters for explain(). */
export interface CompiledRule {
  id: string;
  scenario: string;
  index: number;
  name: string;
  /** The line of the rule in its file, when it came from one. */
  line?: number;
  matchers: FieldMatcher[];
  /** The rule matches on `to`: only such rules come before a magic number's own outcome. */
  matchesTo: boolean;
  /** Why the rule can never match (an earlier rule always matches first), when it cannot; set at load. */
  unreachable?: string;
  times?: number;
  hits: number;
  events?: EventStep[];
  /** No receipt comes back (9902) or the carrier reports the message expired (4794), after the receipt window. */
  receipt?: ReceiptOutcome;
  reply?: CompiledReply;
  callbackFaults?: CompiledCallbackFaults;
  apiFault?: CompiledApiFault;
}

/** What a rule's handset sends back: text (and media), or an RBM suggestion or location response. */
export interface CompiledReply {
  afterMs: number;
  text: string;
  media?: string[];
  suggestionResponse?: SuggestionResponse;
  locationResponse?: LocationResponse;
}

/** A scheduled inbound message of a scenario. */
export interface CompiledInbound {
  name: string;
  trigger: 'start' | 'manual';
  afterMs: number;
  from: string;
  to: string[];
  text: string;
  media?: string[];
  suggestionResponse?: SuggestionResponse;
  locationResponse?: LocationResponse;
}

/** A loaded scenario: rules in order, inbound messages, and its own seeded random stream. */
export interface CompiledScenario {
  name: string;
  source: string;
  description?: string;
  seed: number;
  rules: CompiledRule[];
  inbound: CompiledInbound[];
  random: () => number;
  /** Traffic settings while the scenario is loaded (README "Traffic"): applied over the config's, in its scope. */
  traffic?: TrafficSpec;
}

const checkScenarioFile = compileSchemaCheck(ScenarioFileSchema);
const TERMINAL = new Set(['message-delivered', 'message-failed']);

// Scenarios are small; a huge one is a mistake (or an attack) and is refused before parsing: a file, or the YAML text
// of a run-time scenario, which is read exactly as a file is.
/** The most bytes of scenario text (a file, a control API body) the emulator parses. */
export const MAX_SCENARIO_FILE_BYTES = 1024 * 1024;
// The deepest valid scenario is about 7 levels (rules[0].match.to[0].regex); anything far deeper is refused before
// the recursive checks see it. YAML aliases are bounded by the yaml parser (its maxAliasCount, 100 by default).
/** How deeply nested a scenario document may be (the root is level 1). */
export const MAX_SCENARIO_DEPTH = 32;

/** Where a field of a scenario's text is: its line, for problems. */
type LineOf = (path: ReadonlyArray<string | number>) => number | undefined;

/** Parse a scenario's YAML or JSON text as a file's is: at most MAX_SCENARIO_FILE_BYTES, yaml's alias bound, lines kept. */
export function parseScenarioText(text: string, source: string): { value?: unknown; lineOf?: LineOf; problems: Problem[] } {
  if (Buffer.byteLength(text) > MAX_SCENARIO_FILE_BYTES) {
    return {
      problems: [{ source, field: '(file)', problem: `is larger than ${MAX_SCENARIO_FILE_BYTES} bytes`, fix: 'split it into several smaller scenarios' }],
    };
  }
  const doc = parseLocated(text, source);
  if (doc.syntaxProblems.length > 0) return { problems: doc.syntaxProblems };
  return { value: doc.value, lineOf: doc.lineOf, problems: [] };
}

/** Parse and check a scenario file's text; problems name the file, line, field and fix. */
export function compileScenarioText(text: string, source: string, fallbackName: string): { scenario?: CompiledScenario; problems: Problem[] } {
  const doc = parseScenarioText(text, source);
  if (doc.problems.length > 0) return { problems: doc.problems };
  return compileScenario(doc.value, source, fallbackName, doc.lineOf);
}

/** Check and compile a scenario given as data (a parsed file, or a body posted to the control API). */
export function compileScenario(value: unknown, source: string, fallbackName: string, lineOf?: LineOf): { scenario?: CompiledScenario; problems: Problem[] } {
  const deep = tooDeep(value, MAX_SCENARIO_DEPTH);
  if (deep !== undefined) {
    return {
      problems: [
        {
          source,
          field: deep,
          problem: `is nested deeper than ${MAX_SCENARIO_DEPTH} levels`,
          fix: 'a scenario is a few levels deep (rules[].match.to); remove the extra nesting',
        },
      ],
    };
  }
  const problems = checkScenarioFile(value, source, lineOf);
  const schemaOk = problems.length === 0;
  const file = value as ScenarioFile;
  const name = (typeof file?.name === 'string' ? file.name : undefined) ?? fallbackName;
  const problem = (path: Array<string | number>, what: string, fix: string) =>
    problems.push({ source, field: fieldName(path), problem: what, fix, line: lineOf?.(path) });
  // Semantic checks still run on every rule the schema found well-formed, so one pass reports every problem.
  const wellFormed = (prefix: string) => !problems.some((p) => p.field === prefix || p.field.startsWith(`${prefix}.`) || p.field.startsWith(`${prefix}[`));

  const rules: CompiledRule[] = [];
  const ruleSpecs = Array.isArray(file?.rules) ? file.rules : [];
  ruleSpecs.forEach((spec, index) => {
    if (!wellFormed(`rules[${index}]`)) return;
    const rule = compileRule(spec, index, name, problem);
    if (rule) rules.push({ ...rule, line: lineOf?.(['rules', index]) });
  });
  const inboundSpecs = Array.isArray(file?.inbound) ? file.inbound : [];
  const inbound: CompiledInbound[] = [];
  inboundSpecs.forEach((spec, index) => {
    if (wellFormed(`inbound[${index}]`)) inbound.push(compileInbound(spec, index, problem));
  });
  if (schemaOk) for (const found of trafficProblems(file.traffic)) problem(['traffic', found.field], found.problem, found.fix);
  if (!schemaOk || problems.length > 0) return { problems };
  const seed = file.seed ?? 1;
  const traffic = file.traffic ? { traffic: file.traffic } : {};
  return { scenario: { name, source, description: file.description, seed, rules, inbound, random: seededRandom(seed), ...traffic }, problems };
}

type Report = (path: Array<string | number>, what: string, fix: string) => void;

// A delay in milliseconds; one past DELAY_BOUND (or too large to be a number) is reported, not silently replaced.
function delayMs(value: string | number | undefined, path: Array<string | number>, problem: Report): number | undefined {
  if (value === undefined) return undefined;
  const bound = durationBoundProblem(value, DELAY_BOUND);
  if (bound) problem(path, bound.problem, bound.fix);
  return parseDuration(value);
}

function compileRule(spec: RuleSpec, index: number, scenario: string, problem: Report): CompiledRule | undefined {
  const at: Array<string | number> = ['rules', index];
  let matchers: FieldMatcher[] = [];
  try {
    matchers = compileMatch(spec.match, [...at, 'match']);
  } catch (error) {
    if (!(error instanceof MatcherError)) throw error;
    problem(error.path, error.message, error.fix);
  }
  const events = spec.events?.map((event, i) => {
    const path = [...at, 'events', i];
    if (event.type === 'message-failed') {
      if (event.errorCode === undefined)
        problem([...path, 'errorCode'], 'is required for message-failed', "add an errorCode from Bandwidth's table, e.g. 4720");
      else if (!isKnownErrorCode(event.errorCode))
        problem(
          [...path, 'errorCode'],
          `${event.errorCode} is not in Bandwidth's message-failed code table`,
          'use a published code such as 4720, 4470, 4775 or 9902',
        );
    } else if (event.errorCode !== undefined) {
      problem([...path, 'errorCode'], `is only meaningful on message-failed, not ${event.type}`, 'remove it or make the event message-failed');
    }
    const next = spec.events![i + 1];
    const readFollows = event.type === 'message-delivered' && next?.type === 'message-read' && i + 1 === spec.events!.length - 1;
    if (TERMINAL.has(event.type) && next !== undefined && !readFollows)
      problem(
        path,
        `${event.type} is final, but more events follow it`,
        'make the delivered/failed event the last one (only a message-read may follow message-delivered)',
      );
    // One hand-off per message: Bandwidth confirms it once (a duplicated callback is callbackFaults.duplicate).
    if (event.type === 'message-sent' && spec.events!.findIndex((e) => e.type === 'message-sent') < i)
      problem(path, 'message-sent is the hand-off, and it happens once', 'keep one message-sent (callbackFaults.duplicate sends copies)');
    if (event.type === 'message-read') {
      if (spec.events![i - 1]?.type !== 'message-delivered')
        problem(path, 'message-read must come right after message-delivered', 'put a message-delivered event before it');
      if (!rbmOnly(spec))
        problem(path, 'message-read is an RBM read receipt, but this rule can match other channels', 'add match: { channel: RBM } to the rule');
    }
    return { type: event.type, afterMs: delayMs(event.after, [...path, 'after'], problem), errorCode: event.errorCode, description: event.description };
  });
  if (spec.apiFault) {
    if (spec.events || spec.reply || spec.callbackFaults)
      problem([...at, 'apiFault'], 'a rule with apiFault cannot also script events, a reply or callback faults', 'put those in a separate rule after this one');
    apiFaults.check(spec.apiFault, [...at, 'apiFault'], problem);
    checkOperationMatch(spec, at, problem);
  }
  if (spec.callbackFaults) callbackFaults.check(spec.callbackFaults, [...at, 'callbackFaults'], problem);
  if (spec.receipt !== undefined) checkReceipt(spec, at, problem);
  if (spec.reply) {
    checkHandsetContent(spec.reply, [...at, 'reply'], problem, true);
    const template = spec.reply.text !== undefined ? templateProblem(spec.reply.text) : undefined;
    if (template) problem([...at, 'reply', 'text'], template.problem, template.fix);
  }
  return {
    id: `${scenario}#${index}`,
    scenario,
    index,
    name: spec.name ?? `rule ${index + 1}`,
    matchers,
    matchesTo: matchers.some((m) => m.field === 'to'),
    times: spec.times,
    hits: 0,
    events,
    receipt: spec.receipt,
    reply: spec.reply && {
      afterMs: delayMs(spec.reply.after, [...at, 'reply', 'after'], problem) ?? 0,
      text: spec.reply.text ?? '',
      media: spec.reply.media,
      suggestionResponse: spec.reply.suggestionResponse,
      locationResponse: spec.reply.locationResponse,
    },
    callbackFaults: spec.callbackFaults && callbackFaults.compile(spec.callbackFaults),
    apiFault: spec.apiFault && apiFaults.compile(spec.apiFault),
  };
}

// `receipt` is the rule's outcome: its events may lead up to it (message-sending, message-sent) but not end it, and it cannot come
// 0 ms after the 202 or go with an API fault, which answers the request instead.
function checkReceipt(spec: RuleSpec, at: Array<string | number>, problem: Report): void {
  const path = [...at, 'receipt'];
  const final = spec.events?.findIndex((event) => TERMINAL.has(event.type) || event.type === 'message-read') ?? -1;
  if (final !== -1)
    problem(
      [...at, 'events', final],
      `receipt: ${spec.receipt} is the outcome (message-failed after the receipt window), so the events cannot include ${spec.events![final]!.type}`,
      'keep only message-sending and message-sent events, or remove receipt',
    );
  if (spec.apiFault) problem(path, 'a rule with apiFault answers the request instead, so it has no receipt', 'put receipt in a separate rule after this one');
  if (spec.callbackFaults?.earlyReceipt === true)
    problem(path, 'cannot go with callbackFaults.earlyReceipt: the outcome waits for the receipt window', 'keep receipt or earlyReceipt, not both');
}

function compileInbound(spec: InboundSpec, index: number, problem: Report): CompiledInbound {
  const at = ['inbound', index];
  if (!isE164(spec.from)) problem([...at, 'from'], `'${spec.from}' is not an E.164 number`, 'write it as +<country><number>, e.g. +15551230000');
  spec.to.forEach((to, i) => {
    if (!isE164(to)) problem([...at, 'to', i], `'${to}' is not an E.164 number`, 'use one of your configured numbers, e.g. +19195550100');
  });
  checkHandsetContent(spec, at, problem, false);
  return {
    name: spec.name ?? `inbound ${index + 1}`,
    trigger: spec.trigger ?? 'start',
    afterMs: delayMs(spec.after, [...at, 'after'], problem) ?? 0,
    from: spec.from,
    to: spec.to,
    text: spec.text ?? '',
    media: spec.media,
    suggestionResponse: spec.suggestionResponse,
    locationResponse: spec.locationResponse,
  };
}

// A search or a media request has no message: a rule that faults one may match on the account only.
function checkOperationMatch(spec: RuleSpec, at: Array<string | number>, problem: Report): void {
  const named = spec.apiFault?.operation;
  const operations = named === undefined ? [] : Array.isArray(named) ? named : [named];
  const messageless = operations.filter((operation) => operation !== 'create');
  if (messageless.length === 0) return;
  for (const field of Object.keys(spec.match ?? {})) {
    if (field === 'accountId') continue;
    problem(
      [...at, 'match', field],
      `a ${messageless.join(' or ')} request has no message to match ${field} on`,
      `match only on accountId in this rule, or put the ${field} condition in a rule with operation: create`,
    );
  }
}

// A rule whose match admits only the RBM channel.
function rbmOnly(spec: RuleSpec): boolean {
  const channel = spec.match?.channel;
  return channel === 'RBM' || (Array.isArray(channel) && channel.every((c) => c === 'RBM'));
}

// A handset sends one thing: a text message (text and/or media), or one RBM response. A reply must say something
// (its text was required before RBM responses existed); an inbound entry may be empty, as it always could.
function checkHandsetContent(
  spec: { text?: string; media?: string[]; suggestionResponse?: unknown; locationResponse?: unknown },
  path: Array<string | number>,
  problem: Report,
  requireContent: boolean,
): void {
  const responses = (spec.suggestionResponse ? 1 : 0) + (spec.locationResponse ? 1 : 0);
  if (responses > 1) problem(path, 'has both suggestionResponse and locationResponse', 'keep one of them; each is its own event');
  else if (responses === 1 && spec.media?.length) problem(path, 'an RBM response carries no media', 'remove media, or send the media as a separate message');
  else if (requireContent && responses === 0 && spec.text === undefined && !spec.media?.length)
    problem(path, 'says nothing', 'give text (or media), a suggestionResponse or a locationResponse');
}
