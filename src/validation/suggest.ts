import { distance } from 'fastest-levenshtein';

// A name this long is no typo of a field or flag (the longest is about 25 characters): it is not compared, so a
// hostile 1 MB key costs nothing (edit distance is quadratic in the lengths).
const MAX_COMPARED = 64;
// At most this many known names are compared (a list of fields or flags is far shorter).
const MAX_CANDIDATES = 200;

/**
 * The known name closest to `given` by edit distance, when it is close enough to be a typo: a case-only difference
 * (`callbackURL` for `callbackUrl`), or at most one edit in three characters. Undefined when nothing is that close.
 */
export function closestName(given: string, known: readonly string[]): string | undefined {
  if (given.length === 0 || given.length > MAX_COMPARED) return undefined;
  const lower = given.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(given.length / 3)) + 1;
  for (const name of known.slice(0, MAX_CANDIDATES)) {
    if (name.length > MAX_COMPARED) continue;
    // Case alone is the likeliest slip (URL vs Url): it wins over any other near name.
    if (name.toLowerCase() === lower) return name;
    const d = distance(lower, name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** ` (did you mean 'x'?)` for the known name closest to `given`, or '' when none is close. */
export function didYouMean(given: string, known: readonly string[], quote = "'"): string {
  const near = closestName(given, known);
  return near === undefined ? '' : ` (did you mean ${quote}${near}${quote}?)`;
}
