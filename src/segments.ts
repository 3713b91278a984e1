// Septets each UTF-16 code unit costs in GSM 03.38: 1 for the default alphabet, 2 for the extension table (an escape
// plus the character), 0 for a unit GSM-7 cannot carry. A table indexed by code unit, built once: looking each
// character up in a Set of one-character strings cost more than the rest of the create request's own work.
const GSM7_SEPTETS = (() => {
  const table = new Uint8Array(0x10000);
  for (const char of '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà')
    table[char.charCodeAt(0)] = 1;
  for (const char of '^{}\\[]~|€\f') table[char.charCodeAt(0)] = 2;
  return table;
})();

/** The encoding a carrier would pick for this text. */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** Encoding and length in encoding units (septets for GSM-7, UTF-16 code units for UCS-2). */
export function measureText(text: string): { encoding: SmsEncoding; units: number } {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    // A surrogate (half of a character beyond the BMP, e.g. an emoji) costs 0 like any unit GSM-7 lacks.
    const cost = GSM7_SEPTETS[text.charCodeAt(i)]!;
    if (cost === 0) return { encoding: 'UCS-2', units: text.length };
    septets += cost;
  }
  return { encoding: 'GSM-7', units: septets };
}

/**
 * Bandwidth's segmentCount: media or a group makes an MMS (always 1); otherwise GSM-7 fits 160 septets
 * in one segment and 153 per part when concatenated, UCS-2 fits 70 units and 67 per part.
 */
export function countSegments(message: { text?: string; media?: readonly string[]; to: readonly string[] }): number {
  if ((message.media && message.media.length > 0) || message.to.length > 1) return 1;
  const { encoding, units } = measureText(message.text ?? '');
  const gsm = encoding === 'GSM-7';
  if (units <= (gsm ? 160 : 70)) return 1;
  return Math.ceil(units / (gsm ? 153 : 67));
}
