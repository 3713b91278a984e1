// A scripted reply's text is a template filled in from each outbound message it answers. Unbounded, a template of
// 100,000 `{{text}}`s (well inside a 1 MB scenario file) rendered 100,000 copies of a 3,270-character text, 300 MB,
// for every matching message.

/** The bounds on a reply template and on the text it renders; the README documents them. */
export const REPLY_LIMITS = {
  /** Characters of template (a message's text limit). */
  templateChars: 2048,
  /** Placeholders in one template. */
  placeholders: 10,
  /** Characters of rendered text; anything past it is cut, ending in `…(+N chars)`. */
  renderedChars: 8192,
} as const;

/** What a template's placeholders are filled from. */
export interface ReplyValues {
  text: string;
  tag: string;
  from: string;
  to: string;
  id: string;
}

// Our own pattern on a template of at most 2,048 characters: each \s* run belongs to one {{, so this is linear.
const PLACEHOLDER = /\{\{\s*(text|tag|from|to|id)\s*\}\}/g;

/** What is wrong with a template (too long, too many placeholders) and the fix; undefined when it is within bounds. */
export function templateProblem(template: string): { problem: string; fix: string } | undefined {
  if (template.length > REPLY_LIMITS.templateChars) {
    return {
      problem: `is ${template.length} characters, over the limit of ${REPLY_LIMITS.templateChars}`,
      fix: `shorten the reply text to ${REPLY_LIMITS.templateChars} characters or fewer`,
    };
  }
  const placeholders = template.match(PLACEHOLDER)?.length ?? 0;
  if (placeholders > REPLY_LIMITS.placeholders) {
    return {
      problem: `has ${placeholders} placeholders, over the limit of ${REPLY_LIMITS.placeholders}`,
      fix: `use at most ${REPLY_LIMITS.placeholders} of {{text}}, {{tag}}, {{from}}, {{to}} and {{id}}`,
    };
  }
  return undefined;
}

/** A template with {{text}}, {{tag}}, {{from}}, {{to}} and {{id}} filled in, cut at REPLY_LIMITS.renderedChars. */
export function renderReply(template: string, values: ReplyValues): string {
  const pieces: string[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    pieces.push(template.slice(last, m.index), values[m[1] as keyof ReplyValues]);
    last = m.index + m[0].length;
  }
  pieces.push(template.slice(last));
  const total = pieces.reduce((n, piece) => n + piece.length, 0);
  if (total <= REPLY_LIMITS.renderedChars) return pieces.join('');
  // Join only what is kept: nothing past the bound is ever built.
  const max = REPLY_LIMITS.renderedChars;
  let kept = '';
  for (const piece of pieces) {
    kept += piece.slice(0, max - kept.length);
    if (kept.length === max) break;
  }
  // Never cut a surrogate pair in two.
  const high = kept.charCodeAt(max - 1);
  if (high >= 0xd800 && high <= 0xdbff) kept = kept.slice(0, max - 1);
  return `${kept}…(+${total - kept.length} chars)`;
}
