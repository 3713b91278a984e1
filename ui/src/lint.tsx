// The lint line of an outbound message: its encoding and segments at a glance, the characters that cost extra on
// demand (README "Message lint"). Computed in the page with the emulator's own function, so it never disagrees.
import { lintSummary, lintText, type LintChar } from '../../src/segment-lint.js';

// A character as the page shows it: invisible ones (no-break space, form feed) by their code point alone.
const shown = (c: LintChar) => (/^\s$/u.test(c.char) ? c.codePoint : `${c.char} (${c.codePoint})`);

function CharList({ label, chars, more }: { label: string; chars: LintChar[]; more: boolean }) {
  if (chars.length === 0) return null;
  return (
    <div class="lint-chars">
      <p>{label}</p>
      <ul>
        {chars.map((c) => (
          <li key={c.codePoint}>
            {shown(c)}
            {c.name ? ` ${c.name}` : ''} ×{c.count}, first at {c.firstIndex}
          </li>
        ))}
        {more && <li>… and more</li>}
      </ul>
    </div>
  );
}

/** One message's lint: a summary line that opens onto the details. */
export function LintLine({ message }: { message: { text?: string; media?: readonly string[]; to: readonly string[] } }) {
  const lint = lintText(message);
  return (
    <details class="lint" data-encoding={lint.encoding}>
      <summary>{lintSummary(lint)}</summary>
      <p>
        {lint.mms
          ? `An MMS (${lint.mms === 'media' ? 'it has media' : 'a group message'}): Bandwidth counts it as 1 segment whatever its length.`
          : `${lint.units} ${lint.unit} of ${lint.capacity}: ${lint.perSegment} per segment${lint.segments > 1 ? ' (concatenated parts carry a header)' : ''}.`}
      </p>
      <CharList label="Not in GSM-7 (forced UCS-2):" chars={lint.ucs2Chars} more={lint.ucs2More} />
      <CharList label="GSM-7 extension characters (2 septets each):" chars={lint.extensionChars} more={lint.extensionMore} />
      {lint.hint && <p class="lint-hint">Hint: {lint.hint}</p>}
    </details>
  );
}
