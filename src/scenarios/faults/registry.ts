// The fault registry: a rule's `apiFault` and `callbackFaults` blocks are each assembled from fault kinds, one entry
// per kind (its fields' schemas and docs, its checks, its compiled form, its explain() words), plus the selection both
// share. The scenario schema, the compiler, explain() and the README's fault table all read the entries, so a new
// kind is one entry (and its applier) instead of edits across the schema, compiler, engine and docs.
import { Type, type Static, type TObject, type TProperties, type TSchema } from 'typebox';
import { DELAY_BOUND, durationBoundProblem, parseDuration } from '../../validation/durations.js';

/** A path into a scenario document, e.g. `['rules', 0, 'apiFault']`. */
export type FieldPath = Array<string | number>;

/** Records one problem at a path, with its fix. */
type Report = (path: FieldPath, what: string, fix: string) => void;

/** The TypeBox schemas of the fields one fault kind owns in its block (each wrapped in `Type.Optional`). */
export type FaultFields = Record<string, TSchema>;

/** One kind's fields as a scenario file writes them. */
type FieldsSpec<F extends FaultFields> = Static<TObject<F>>;

/** One fault kind: the fields it owns in its block, how they are checked and compiled, and how it explains itself. */
export interface FaultKind<F extends FaultFields = FaultFields, C extends object = object> {
  /** Its fields; a schema's description is the value hint that a bad value's fix quotes ("expected ..."). */
  fields: F;
  /** What each field does, one phrase each: the README's fault table. */
  docs: { [K in keyof F]: string };
  /**
   * How the fix for a block that does nothing names this kind, e.g. `drop: true`; none for a kind that only says
   * where the others apply (apiFault's `operation`), which never makes a block do something.
   */
  suggestion?: string;
  /** Whether a block as written uses this kind. */
  inUse(spec: FieldsSpec<F>): boolean;
  /** Checks the schema cannot state (a field that only goes with another); `at` is the block's path. */
  check?(spec: FieldsSpec<F>, at: FieldPath, problem: Report): void;
  /** Its part of the compiled block (durations become milliseconds). */
  compile(spec: FieldsSpec<F>): C;
  /** Its words in the rule's explain() line, or undefined when the compiled block does not use it. */
  explain(compiled: C): string | undefined;
}

/** When a fault applies among the matches it sees: the first N, every Nth, or with a seeded probability. */
export interface Selection {
  times?: number;
  every?: number;
  probability?: number;
}

/** The selection fields every fault block has; the descriptions are value hints, as on a kind's fields. */
export const SELECTION_FIELDS = {
  times: Type.Optional(Type.Integer({ minimum: 1, description: 'apply to the first N matches only' })),
  every: Type.Optional(Type.Integer({ minimum: 1, description: 'apply to every Nth match (1 = all)' })),
  probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'a number from 0 to 1, drawn from the seeded generator' })),
};

/** What each selection field does, for the README's fault table. */
export const SELECTION_DOCS: { [K in keyof typeof SELECTION_FIELDS]: string } = {
  times: 'apply to the first N matches only',
  every: 'apply to every Nth match (1 = all); not together with `probability`',
  probability: "apply with this chance (0 to 1), drawn from the scenario's seeded generator (`seed`), so a run replays",
};

// (A | B | C) → A & B & C: a block's fields and compiled form are the sum of its kinds'.
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Every field of a block: its kinds' fields, then the selection. */
type BlockFields<K extends readonly FaultKind[]> = UnionToIntersection<K[number]['fields']> & typeof SELECTION_FIELDS extends infer P extends TProperties
  ? P
  : never;

/** A block as a scenario file writes it. */
type BlockSpec<K extends readonly FaultKind[]> = Static<TObject<BlockFields<K>>>;

/** A compiled block: every kind's compiled part, the selection, and how many matches the selection has seen. */
export type CompiledBlock<K extends readonly FaultKind[]> = UnionToIntersection<ReturnType<K[number]['compile']>> & { selection: Selection; seen: number };

/** A rule's fault block (`apiFault`, `callbackFaults`) assembled from its kinds. */
export interface FaultBlock<K extends readonly FaultKind[]> {
  /** The rule field that holds it. */
  key: string;
  /** Its kinds, in schema order. */
  kinds: K;
  /** Its TypeBox schema: the kinds' fields, then the selection; nothing else. */
  schema: TObject<BlockFields<K>>;
  /** The checks past the schema: the block does something (where required), each kind's own, the selection's. */
  check(spec: BlockSpec<K>, at: FieldPath, problem: Report): void;
  /** The compiled block, its selection not yet having seen a match. */
  compile(spec: BlockSpec<K>): CompiledBlock<K>;
  /** Its part of the rule's explain() line. */
  explain(compiled: CompiledBlock<K>): string;
}

/** How a block behaves beyond its kinds. */
export interface FaultBlockOptions {
  /** Refuse a block none of whose kinds is in use (an API fault that does nothing is a mistake, not a no-op). */
  requireOne: boolean;
  /** The explain() text from the words of the kinds in use. */
  describe(parts: string[]): string;
}

/** Assemble a fault block from its kinds. */
export function faultBlock<const K extends readonly FaultKind[]>(key: string, kinds: K, options: FaultBlockOptions): FaultBlock<K> {
  const fields = Object.assign({}, ...kinds.map((kind) => kind.fields), SELECTION_FIELDS) as BlockFields<K>;
  // Each kind reads only its own fields of the block, so the whole block is passed to each.
  type Whole = FieldsSpec<FaultFields>;
  return {
    key,
    kinds,
    schema: Type.Object(fields, { additionalProperties: false }),
    check(spec, at, problem) {
      const whole = spec as Whole;
      if (options.requireOne && !kinds.some((kind) => kind.inUse(whole)))
        problem(at, 'does nothing', `give ${orList(kinds.flatMap((kind) => kind.suggestion ?? []))}`);
      for (const kind of kinds) kind.check?.(whole, at, problem);
      const selection = spec as Selection;
      if (selection.every !== undefined && selection.probability !== undefined) problem(at, "has both 'every' and 'probability'", 'keep one of them');
    },
    compile(spec) {
      const { times, every, probability } = spec as Selection;
      return Object.assign({}, ...kinds.map((kind) => kind.compile(spec as Whole)), { selection: { times, every, probability }, seen: 0 }) as CompiledBlock<K>;
    },
    explain(compiled) {
      return options.describe(kinds.map((kind) => kind.explain(compiled)).filter((part): part is string => part !== undefined));
    },
  };
}

/** Milliseconds of a duration the schema has already checked. */
/** Report a delay past DELAY_BOUND (or too large to be a number): a fault delay waits on the emulator's clock like any other. */
export function checkDelayBound(value: string | number | undefined, at: FieldPath, problem: Report): void {
  if (value === undefined) return;
  const bound = durationBoundProblem(value, DELAY_BOUND);
  if (bound) problem(at, bound.problem, bound.fix);
}

export function durationMs(value: string | number | undefined): number | undefined {
  return value === undefined ? undefined : parseDuration(value);
}

/** Whether a selection lets this match through; advances the seen counter and, for probability, the seeded stream. */
export function selects(fault: { selection: Selection; seen: number }, random: () => number): boolean {
  fault.seen++;
  const { times, every, probability } = fault.selection;
  if (times !== undefined && fault.seen > times) return false;
  if (every !== undefined) return fault.seen % every === 0;
  if (probability !== undefined) return random() < probability;
  return true;
}

// 'a', 'a or b', 'a, b, or c'.
function orList(items: string[]): string {
  return items.length <= 2 ? items.join(' or ') : `${items.slice(0, -1).join(', ')}, or ${items.at(-1)}`;
}
