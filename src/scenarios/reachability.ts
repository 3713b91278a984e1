import type { Problem } from '../validation/schema-check.js';
import type { CompiledRule, CompiledScenario } from './compile.js';
import { isMagicNumber, mayStartMagicNumber } from './magic.js';
import type { FieldMatcher, MatcherShape } from './matcher.js';

/**
 * Pairs of rules compared at most per check: a folder of 1,000-rule files is still checked in well under a second,
 * and past the budget the check stops and says so rather than holding up a load.
 */
export const REACHABILITY_BUDGET = 2_000_000;

/** The rules that can never match, as warnings naming file, line, rule, the rule that shadows it and the fix. */
export interface ReachabilityReport {
  warnings: Problem[];
  /** False when the budget ran out before every rule was compared: later rules were not checked. */
  complete: boolean;
}

/**
 * Find the rules that can never match because an earlier rule (same scenario, or an earlier one in `scenarios`, which
 * are in matching order) always matches whatever they would match, and nothing makes that earlier rule stop: it has no
 * `times` (and, for API faults, no `times`, `every` or `probability` either). A rule B is shadowed by A when each of A's
 * conditions is implied by a condition of B on the same field: exact values within A's values or prefix (or passing
 * A's regex), a prefix within A's prefix, the same regex (source and flags), the same boolean, channels within A's,
 * segments within A's range; a rule without conditions shadows every later one. Regexes are only compared by their
 * text: whether one regex's matches fall within another's is not decided. Magic numbers are taken into account: a
 * rule that does not match on `to` is skipped for a magic-number recipient, so it shadows a rule on `to` only when
 * that rule can match no magic number.
 *
 * Each rule found gets `unreachable` set (the warning's text); the others get it cleared.
 */
export function checkReachability(scenarios: readonly CompiledScenario[]): ReachabilityReport {
  const warnings: Problem[] = [];
  // The rules so far that always apply when their conditions hold: outcome rules, and API-fault rules, apart.
  const always: { outcome: Array<{ rule: CompiledRule; source: string }>; apiFault: Array<{ rule: CompiledRule; source: string }> } = {
    outcome: [],
    apiFault: [],
  };
  let budget = REACHABILITY_BUDGET;
  let complete = true;
  for (const scenario of scenarios) {
    for (const rule of scenario.rules) {
      rule.unreachable = undefined;
      if (!complete) continue;
      const pass = rule.apiFault ? always.apiFault : always.outcome;
      let by: { rule: CompiledRule; source: string } | undefined;
      for (const earlier of pass) {
        budget -= 1 + rule.matchers.length;
        if (budget < 0) {
          complete = false;
          break;
        }
        if (shadows(earlier.rule, rule)) {
          by = earlier;
          break;
        }
      }
      if (!complete) continue;
      if (by) {
        const warning = unreachableWarning(rule, scenario.source, by.rule, by.source);
        rule.unreachable = `${warning.problem}. Fix: ${warning.fix}`;
        warnings.push(warning);
        // A shadowed rule shadows nothing the earlier one does not already: no need to compare against it.
        continue;
      }
      if (alwaysApplies(rule)) pass.push({ rule, source: scenario.source });
    }
  }
  return { warnings, complete };
}

// A rule that, whenever its conditions hold, is the one chosen: nothing counts it out.
function alwaysApplies(rule: CompiledRule): boolean {
  if (rule.times !== undefined) return false;
  if (!rule.apiFault) return true;
  const { times, every, probability } = rule.apiFault.selection;
  return times === undefined && every === undefined && probability === undefined;
}

/** Whether `earlier` matches everything `later` matches (so `later` is never reached). */
function shadows(earlier: CompiledRule, later: CompiledRule): boolean {
  // An API fault on other operations (search, media) never answers the requests this one answers.
  if (earlier.apiFault && later.apiFault && ![...later.apiFault.operations].every((operation) => earlier.apiFault!.operations.has(operation))) return false;
  for (const condition of earlier.matchers) {
    if (!later.matchers.some((m) => m.field === condition.field && implies(m.shape, condition.shape))) return false;
  }
  // Outcome rules only: a rule that does not match on `to` is skipped for magic numbers; a later rule on `to` that can
  // match one is reached for it.
  if (!later.apiFault && !earlier.matchesTo && later.matchesTo) return excludesMagicNumbers(later.matchers.find((m) => m.field === 'to')!);
  return true;
}

/** Whether every value `narrow` accepts is accepted by `wide`. */
function implies(narrow: MatcherShape, wide: MatcherShape): boolean {
  switch (wide.kind) {
    case 'values':
      return narrow.kind === 'values' && [...narrow.values].every((v) => wide.values.has(v));
    case 'prefix':
      if (narrow.kind === 'values') return [...narrow.values].every((v) => v.startsWith(wide.prefix));
      return narrow.kind === 'prefix' && narrow.prefix.startsWith(wide.prefix);
    case 'regex':
      if (narrow.kind === 'values') return [...narrow.values].every((v) => wide.test(v));
      return narrow.kind === 'regex' && narrow.key === wide.key;
    case 'boolean':
      return narrow.kind === 'boolean' && narrow.value === wide.value;
    case 'channels':
      return narrow.kind === 'channels' && [...narrow.values].every((c) => wide.values.has(c));
    case 'range':
      return narrow.kind === 'range' && narrow.min >= wide.min && narrow.max <= wide.max;
  }
}

function excludesMagicNumbers(to: FieldMatcher): boolean {
  if (to.shape.kind === 'values') return ![...to.shape.values].some(isMagicNumber);
  if (to.shape.kind === 'prefix') return !mayStartMagicNumber(to.shape.prefix);
  return false;
}

function unreachableWarning(rule: CompiledRule, source: string, by: CompiledRule, bySource: string): Problem {
  const where = `${by.id} '${by.name}'${bySource === source ? (by.line ? ` (line ${by.line})` : '') : ` (${bySource}${by.line ? `:${by.line}` : ''})`}`;
  const what = by.matchers.length === 0 ? 'has no match conditions, so it matches every message' : 'matches everything this rule matches';
  const does = rule.apiFault ? 'and answers with its fault first' : 'and comes first';
  const fix =
    bySource === source
      ? `move this rule above ${by.id}, narrow that rule's match (or give it times: N), or delete this rule`
      : `load this file before ${bySource} (files in a folder load in name order), narrow that rule's match (or give it times: N), or delete this rule`;
  return {
    source,
    line: rule.line,
    field: `rules[${rule.index}]`,
    problem: `rule '${rule.name}' can never match: ${where} ${what} ${does}`,
    fix,
  };
}
