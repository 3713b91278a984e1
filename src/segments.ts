// GSM 03.38 default alphabet; each costs one septet.
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// Extension table: each costs an escape plus the character, two septets.
const GSM7_EXTENSION = new Set('^{}\\[]~|€\f');

/** The encoding a carrier would pick for this text. */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** Encoding and length in encoding units (septets for GSM-7, UTF-16 code units for UCS-2). */
export function measureText(text: string): { encoding: SmsEncoding; units: number } {
  let septets = 0;
  for (const char of text) {
    if (GSM7_BASIC.has(char)) septets += 1;
    else if (GSM7_EXTENSION.has(char)) septets += 2;
    else return { encoding: 'UCS-2', units: text.length };
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
  const [single, part] = encoding === 'GSM-7' ? [160, 153] : [70, 67];
  if (units <= single) return 1;
  return Math.ceil(units / part);
}
