import { didYouMean } from '../validation/suggest.js';

/** One of Fastify's validation problems: an ajv error (the validator is verbose, so the parent schema is kept). */
interface ValidationProblem {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { properties?: Record<string, unknown> };
}

// A body with thousands of unknown keys is answered with the first few: the answer stays small.
const MAX_LISTED = 10;

/**
 * The message of a control request that failed its schema: Fastify's own text, except that an unknown field is
 * named, with the closest known one (`body: unknown field 'txt' (did you mean 'text'?)`) instead of "must NOT have
 * additional properties".
 */
export function controlValidationMessage(context: string | undefined, problems: readonly ValidationProblem[], fallback: string): string {
  const where = context ?? 'request';
  const lines: string[] = [];
  for (const problem of problems.slice(0, MAX_LISTED)) {
    const at = `${where}${problem.instancePath}`;
    if (problem.keyword === 'additionalProperties') {
      const extra = String(problem.params.additionalProperty).slice(0, 100);
      lines.push(`${at}: unknown field '${extra}'${didYouMean(extra, Object.keys(problem.parentSchema?.properties ?? {}))}`);
    } else lines.push(`${at} ${problem.message ?? 'is invalid'}`);
  }
  if (lines.length === 0) return fallback;
  if (problems.length > MAX_LISTED) lines.push(`(+${problems.length - MAX_LISTED} more)`);
  return lines.join(', ');
}
