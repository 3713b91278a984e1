// API faults (`apiFault`): a request itself is answered with an error, held, or left without an answer: the create
// (the default), a search, or a media request (`operation`). Each kind yields a typed action; src/api/api-fault.ts
// acts them out over HTTP, with the body Bandwidth's spec gives that operation.
import { Type } from 'typebox';
import { Duration } from '../../config/schema.js';
import { checkDelayBound, durationMs, faultBlock, type CompiledBlock, type FaultFields, type FaultKind } from './registry.js';

/** A status an API fault answers with. */
type ApiFaultStatus = 404 | 415 | 429 | 500 | 503;

/** Bandwidth's error for a status instead of the 202; a 429 says when to retry (Retry-After, in seconds). */
export type ApiFaultAnswer = { kind: 'answer'; status: 429; retryAfter: number } | { kind: 'answer'; status: Exclude<ApiFaultStatus, 429> };

/** One thing the API layer does for an API fault; waits come first, then the outcome (a drop, or an answer). */
export type ApiFaultAction = { kind: 'wait'; ms: number } | { kind: 'drop' } | ApiFaultAnswer;

/** An API fault kind: a fault kind that also says what the API does for it. */
interface ApiFaultKind<F extends FaultFields = FaultFields, C extends object = object> extends FaultKind<F, C> {
  /** The action it asks of the API layer, or undefined when the compiled block does not use it. */
  act(compiled: C): ApiFaultAction | undefined;
}

// Identity, so each entry's field and compiled types are inferred from the entry itself.
const apiFaultKind = <F extends FaultFields, C extends object>(kind: ApiFaultKind<F, C>): ApiFaultKind<F, C> => kind;

const status = apiFaultKind({
  fields: {
    status: Type.Optional(
      Type.Union([Type.Literal(404), Type.Literal(415), Type.Literal(429), Type.Literal(500), Type.Literal(503)], { description: '404, 415, 429, 500 or 503' }),
    ),
    retryAfter: Type.Optional(Type.Integer({ minimum: 0, description: 'seconds, sent as Retry-After with a 429' })),
  },
  docs: {
    status:
      "answer with this status and Bandwidth's error body for the operation instead of serving it (a create's 429 is the queue-full answer, a search's `rate_limit_exceeded`; 404 and 415, which the spec declares on every messaging operation, are `not-found` and `unsupported-content-type`)",
    retryAfter: 'with `status: 429`: the `Retry-After` header, in seconds (1 when not given)',
  },
  suggestion: 'status (404, 415, 429, 500, 503)',
  inUse: (spec) => spec.status !== undefined,
  check(spec, at, problem) {
    if (spec.retryAfter !== undefined && spec.status !== 429)
      problem([...at, 'retryAfter'], 'only goes with status 429', 'set status: 429 or remove retryAfter');
  },
  compile: (spec) => ({ status: spec.status, retryAfter: spec.retryAfter }),
  explain: (fault) => (fault.status === undefined ? undefined : String(fault.status)),
  act: ({ status, retryAfter }) =>
    status === undefined ? undefined : status === 429 ? { kind: 'answer', status, retryAfter: retryAfter ?? 1 } : { kind: 'answer', status },
});

const delay = apiFaultKind({
  fields: { delay: Type.Optional(Duration) },
  docs: { delay: 'hold the answer this long, then give it: the normal `202` unless `status` or `drop` is set too' },
  suggestion: 'delay',
  inUse: (spec) => spec.delay !== undefined,
  check: (spec, at, problem) => checkDelayBound(spec.delay, [...at, 'delay'], problem),
  compile: (spec) => ({ delayMs: durationMs(spec.delay) }),
  explain: (fault) => (fault.delayMs ? `delay ${fault.delayMs} ms` : undefined),
  act: (fault) => (fault.delayMs ? { kind: 'wait', ms: fault.delayMs } : undefined),
});

const drop = apiFaultKind({
  fields: { drop: Type.Optional(Type.Boolean({ description: 'true: the connection is closed without an answer' })) },
  docs: { drop: '`true`: close the connection without an answer (the client sees a network error, not a status)' },
  suggestion: 'drop: true',
  inUse: (spec) => spec.drop === true,
  compile: (spec) => ({ drop: spec.drop }),
  explain: (fault) => (fault.drop ? 'drop connection' : undefined),
  act: (fault) => (fault.drop ? { kind: 'drop' } : undefined),
});

/** The requests an API fault can answer: the create (POST /messages and /messages/multiChannel), GET /messages, the media API. */
const API_OPERATIONS = ['create', 'search', 'media'] as const;
/** One operation an API fault answers. */
export type ApiOperation = (typeof API_OPERATIONS)[number];

const OperationName = Type.Union(
  API_OPERATIONS.map((name) => Type.Literal(name)),
  { description: "'create', 'search' or 'media'" },
);

const operation = apiFaultKind({
  fields: {
    operation: Type.Optional(
      Type.Union(
        [...API_OPERATIONS.map((name) => Type.Literal(name)), Type.Array(OperationName, { minItems: 1, maxItems: API_OPERATIONS.length, uniqueItems: true })],
        {
          description: "'create', 'search' or 'media', or a list of them",
        },
      ),
    ),
  },
  docs: {
    operation:
      'the request it answers: `create` (the default: POST /messages and /messages/multiChannel), `search` (GET /messages: its 429 is `rate_limit_exceeded`) or `media` (upload, download, list, delete), or a list; a rule on `search` or `media` matches only on `accountId`',
  },
  inUse: () => false,
  compile: (spec) => ({
    operations: new Set<ApiOperation>(spec.operation === undefined ? ['create'] : Array.isArray(spec.operation) ? spec.operation : [spec.operation]),
  }),
  explain: (fault) => (fault.operations.size === 1 && fault.operations.has('create') ? undefined : `on ${[...fault.operations].join(' and ')}`),
  act: () => undefined,
});

// `operation` last: its explain() words ("on search") follow what the fault does.
const API_FAULT_KINDS = [status, delay, drop, operation] as const;

/** The `apiFault` block: its schema, checks, compiled form and explain() text. */
export const apiFaults = faultBlock('apiFault', API_FAULT_KINDS, { requireOne: true, describe: (parts) => ['API fault', ...parts].join(' ') });

/** A compiled `apiFault`. */
export type CompiledApiFault = CompiledBlock<typeof API_FAULT_KINDS>;

// A delay holds the answer before anything else; a dropped connection leaves no answer to give.
const ACTION_ORDER: Record<ApiFaultAction['kind'], number> = { wait: 0, drop: 1, answer: 2 };

/** The actions that act out a compiled API fault, in the order the API layer performs them. */
export function apiFaultActions(fault: CompiledApiFault): ApiFaultAction[] {
  return API_FAULT_KINDS.map((kind) => kind.act(fault))
    .filter((action): action is ApiFaultAction => action !== undefined)
    .sort((a, b) => ACTION_ORDER[a.kind] - ACTION_ORDER[b.kind]);
}
