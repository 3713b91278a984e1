import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.js';
import { BandwidthError, bandwidthErrors } from '../errors.js';
import { JSON_TYPES, NO_CONTENT_TYPES, negotiate, shortAccept } from './accept.js';
import { actOutApiFault } from './api-fault.js';

/** At most this many objects per list page (Bandwidth's documented page size). */
const MEDIA_PAGE_SIZE = 1000;

/** The spec's declared type of getMedia's 200: what a client that accepts nothing else gets the bytes as. */
const OCTET_STREAM = 'application/octet-stream';

const mediaIdOf = (req: FastifyRequest) => (req.params as { '*': string })['*'];

/** Bandwidth's answer for a media object that does not exist (the exact body is unpublished; ours is documented). */
function mediaNotFound(mediaId: string): BandwidthError {
  return new BandwidthError(404, { type: 'not-found', description: `Media '${mediaId}' was not found (never uploaded, deleted, or past its retention)` });
}

/** The 400 for a request on one media object whose path gives no media id. */
const emptyMediaId = () => bandwidthErrors.validation([{ fieldName: 'mediaId', description: 'A media id is required in the path' }]);

/** The media API: upload (any content type), download, delete and list with Continuation-Token paging. */
export async function mediaRoutes(app: FastifyInstance, opts: { emulator: Emulator; publicBase: (req: FastifyRequest) => string }): Promise<void> {
  const media = opts.emulator.mediaLibrary;
  // A scenario's API fault on `media` (upload, download, list, delete): true when it dropped the connection.
  const dropped = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const fault = opts.emulator.operationFaultFor((req.params as { accountId: string }).accountId, 'media');
    return fault !== undefined && (await actOutApiFault(opts.emulator, fault, req, reply)) === 'dropped';
  };
  // A path ending at `/media/` names no object: a 400 naming `mediaId` for download and delete as for upload, before
  // anything else looks the object up (a hook, so each handler keeps to its own operation).
  app.addHook('preHandler', async (req) => {
    if (req.routeOptions.url === '/users/:accountId/media/*' && !mediaIdOf(req)) throw emptyMediaId();
  });
  // Uploads are raw bytes of any type: application/json and application/octet-stream (the two SDKs' defaults) included.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: media.limits.maxObjectBytes }, (_req, body, done) => done(null, body));

  app.put('/users/:accountId/media/*', { config: { produces: NO_CONTENT_TYPES } }, async (req, reply) => {
    if (await dropped(req, reply)) return;
    const mediaId = mediaIdOf(req);
    if (!mediaId) throw emptyMediaId();
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    opts.emulator.uploadMedia({
      accountId: (req.params as { accountId: string }).accountId,
      mediaId,
      bytes,
      contentType: req.headers['content-type'] ?? 'application/octet-stream',
      cacheControl: req.headers['cache-control'],
    });
    return reply.code(204).send();
  });

  app.get('/users/:accountId/media/*', async (req, reply) => {
    const object = media.get((req.params as { accountId: string }).accountId, mediaIdOf(req));
    // Negotiated here, not in the Accept hook: what it answers with is the stored object's type (or the spec's
    // octet-stream), known only once it is looked up. Before the fault, as the hook is for the other operations.
    const servedAs = object && servedType(req.headers.accept, object.contentType);
    if (object && servedAs === undefined) throw bandwidthErrors.notAcceptable(shortAccept(req.headers.accept), [object.contentType, OCTET_STREAM]);
    if (await dropped(req, reply)) return;
    if (!object) throw mediaNotFound(mediaIdOf(req));
    void reply.header('content-type', servedAs);
    if (object.cacheControl) void reply.header('cache-control', object.cacheControl);
    return reply.send(object.bytes);
  });

  app.delete('/users/:accountId/media/*', { config: { produces: NO_CONTENT_TYPES } }, async (req, reply) => {
    if (await dropped(req, reply)) return;
    if (!media.remove((req.params as { accountId: string }).accountId, mediaIdOf(req))) throw mediaNotFound(mediaIdOf(req));
    return reply.code(204).send();
  });

  app.get('/users/:accountId/media', { config: { produces: JSON_TYPES } }, async (req, reply) => {
    if (await dropped(req, reply)) return;
    const { accountId } = req.params as { accountId: string };
    const token = req.headers['continuation-token'];
    const after = typeof token === 'string' && token ? decodeToken(token) : undefined;
    const all = media.list(accountId);
    const start = after === undefined ? 0 : all.findIndex((o) => o.mediaId > after);
    const page = start === -1 ? [] : all.slice(start, start + MEDIA_PAGE_SIZE);
    const base = opts.publicBase(req);
    if (start !== -1 && start + MEDIA_PAGE_SIZE < all.length) void reply.header('continuation-token', encodeToken(page[page.length - 1]!.mediaId));
    return page.map((o) => ({
      content: `${base}/api/v2/users/${encodeURIComponent(accountId)}/media/${o.mediaId.split('/').map(encodeURIComponent).join('/')}`,
      contentLength: o.bytes.length,
      mediaName: o.mediaId,
    }));
  });
}

// Tokens carry the last id of the page: objects added or deleted while paging never shift a page.
const encodeToken = (lastId: string) => Buffer.from(lastId, 'utf8').toString('base64url');

function decodeToken(token: string): string {
  const id = Buffer.from(token, 'base64url').toString('utf8');
  if (!id || encodeToken(id) !== token) {
    throw bandwidthErrors.validation([], `Continuation-Token '${token}' is not one this API issued; send the Continuation-Token header of the previous page`);
  }
  return id;
}

/**
 * The type getMedia sends an object as: its stored type when the Accept takes it (a missing Accept or a wildcard
 * does), else application/octet-stream when the Accept takes that; undefined when it takes neither (a 406).
 */
function servedType(accept: string | undefined, stored: string): string | undefined {
  if (accept === undefined || accept.trim() === '' || negotiate(accept, [stored]) !== undefined) return stored;
  return negotiate(accept, [OCTET_STREAM]);
}
