import type { InboundRequest } from '../messaging/types.js';
import type { Problem } from '../validation/schema-check.js';

// Standard base64, padding optional; line breaks (as `base64` wraps its output) are allowed and ignored.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Problems with a handset's attachments, before anything is stored: each must be base64 and decode to at most
 * `maxObjectBytes` (media.maxObjectBytes, the same cap an upload to the media API meets). Empty when they are fine.
 */
export function attachmentProblems(media: InboundRequest['media'], maxObjectBytes: number): Problem[] {
  const problems: Problem[] = [];
  (media ?? []).forEach((item, i) => {
    if (typeof item === 'string') return;
    const field = `media[${i}].contentBase64`;
    const text = item.contentBase64.replace(/\s+/g, '');
    // One character past a multiple of four cannot be base64 (Buffer.from would silently drop it).
    if (!BASE64.test(text) || text.length % 4 === 1) {
      problems.push({ source: 'inbound', field, problem: 'is not base64', fix: "encode the file's bytes as standard base64 (A-Z, a-z, 0-9, + and /)" });
      return;
    }
    const bytes = Buffer.byteLength(text, 'base64');
    if (bytes > maxObjectBytes) {
      problems.push({
        source: 'inbound',
        field,
        problem: `decodes to ${bytes} bytes, more than media.maxObjectBytes (${maxObjectBytes})`,
        fix: 'send a smaller file, or raise media.maxObjectBytes in the config',
      });
    }
  });
  return problems;
}
