import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { MESSAGE_LIMITS } from '../api/message-request.js';
import type { Emulator } from '../emulator.js';
import { mediaKind } from '../inline-media.js';
import { ownMediaIdOf } from '../messaging/media-checks.js';
import type { ControlRoute } from './openapi.js';

/** The most media items a message carries (Bandwidth's MMS limit): the index is 0 to one less. */
export const MAX_MESSAGE_MEDIA = MESSAGE_LIMITS.media;

/** One media item of a message, as the emulator stores it. */
export interface MessageMediaItem {
  found: true;
  contentType: string;
  bytes: Uint8Array;
  /** The file name, the last part of its media id. */
  name: string;
}

/** Why a message's media item cannot be served: no such message or index, an external URL, an object gone. */
export interface MessageMediaMiss {
  found: false;
  reason: string;
}

/** What `messages.media(id, index)` answers: the item, or why not. */
export type MessageMediaResult = MessageMediaItem | MessageMediaMiss;

/** Path parameters of GET /__emulator/messages/{id}/media/{index}, bounded. */
const MessageMediaParams = Type.Object({
  // Ids the emulator makes are well under this; Fastify answers 414 to any path parameter over 100 characters.
  id: Type.String({ minLength: 1, maxLength: 64, description: 'the message id' }),
  // Path parameters arrive as text: a whole number 0 to MAX_MESSAGE_MEDIA - 1 (one digit while that is 10).
  index: Type.String({ pattern: `^[0-${MAX_MESSAGE_MEDIA - 1}]$`, maxLength: 1, description: `the media item, 0 to ${MAX_MESSAGE_MEDIA - 1}` }),
});

/** A message's media item from the emulator's media store; external URLs are never fetched (the emulator keeps none). */
export function messageMedia(emulator: Emulator, messageId: string, index: number): MessageMediaResult {
  const message = emulator.messages.find(messageId);
  if (!message) return { found: false, reason: `no stored message ${messageId.slice(0, 128)} (it may have been evicted or reset)` };
  const media = message.media ?? [];
  if (!Number.isInteger(index) || index < 0 || index >= media.length)
    return { found: false, reason: `message ${message.id} has ${media.length} media item(s); there is no index ${String(index)}` };
  const url = media[index]!;
  const mediaId = ownMediaIdOf(emulator.parts, message.accountId, url);
  if (mediaId === undefined)
    return { found: false, reason: `media ${index} of message ${message.id} is an external URL the emulator does not hold; open it at its own address` };
  const object = emulator.parts.media.get(message.accountId, mediaId);
  if (!object)
    return {
      found: false,
      reason: `media ${index} of message ${message.id} (${mediaId.slice(0, 300)}) is no longer stored: deleted, evicted or past media.retention`,
    };
  return { found: true, contentType: safeContentType(object.contentType), bytes: object.bytes, name: mediaId.split('/').pop() || 'attachment' };
}

// A stored type is whatever the uploader sent: one that is not `type/subtype[; params]` in plain text goes as bytes.
function safeContentType(contentType: string): string {
  return /^[\w.+-]+\/[\w.+-]+(\s*;[\x20-\x7e]*)?$/.test(contentType) ? contentType : 'application/octet-stream';
}

// A file name for Content-Disposition: plain ASCII in `filename`, the exact name in `filename*`.
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

type Req = FastifyRequest<{ Params: { id: string; index: string } }>;
type SendError = (reply: FastifyReply, status: number, error: string, message: string) => unknown;

/** GET /messages/:id/media/:index: the bytes of a message's stored media item, with headers that keep it inert. */
export function messageMediaRoutes(media: (id: string, index: number) => Promise<MessageMediaResult>, sendError: SendError): ControlRoute[] {
  return [
    {
      method: 'GET',
      url: '/messages/:id/media/:index',
      summary:
        "The bytes of a message's media item when the emulator stores it (inbound attachments, uploads to the media API): its content type, nosniff, a sandbox CSP; a download unless a raster image, audio or video",
      params: MessageMediaParams,
      notFound: 'No such message or index, an external URL the emulator does not hold, or an object deleted, evicted or expired',
      handler: async (req: Req, reply: FastifyReply) => {
        const item = await media(req.params.id, Number(req.params.index));
        if (!item.found) return sendError(reply, 404, 'not-found', item.reason);
        const inline = mediaKind(item.contentType) !== 'download';
        return reply
          .header('content-type', item.contentType)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "sandbox; default-src 'none'")
          .header('content-disposition', disposition(inline ? 'inline' : 'attachment', item.name))
          .header('cache-control', 'no-store')
          .send(Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength));
      },
    },
  ];
}
