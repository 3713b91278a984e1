import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.js';
import { BandwidthError, bandwidthErrors } from '../errors.js';
import { channelFields, type MultiChannelRequest } from '../multichannel.js';
import type { StoredMessage } from '../store/messages.js';
import { JSON_TYPES } from './accept.js';
import { actOutApiFault } from './api-fault.js';
import { MultiChannelRequestSchema, multiChannelSchemaErrors, multiChannelSemanticErrors } from './multichannel-request.js';
import { registerMultiChannelErrorHandler } from './multichannel-errors.js';
import { isoTime } from '../iso-time.js';

const PATH = '/users/:accountId/messages/multiChannel';

/** The 202 body (spec `createMultiChannelMessageResponse`): the request echoed, each channel with its `owner`. */
function multiChannelResponse(message: StoredMessage): Record<string, unknown> {
  const data: Record<string, unknown> = {
    id: message.id,
    time: isoTime(message.time),
    direction: message.direction,
    to: message.to,
    channelList: (message.channelList ?? []).map((item) => ({ ...item, owner: item.from })),
  };
  if (message.tag !== undefined) data.tag = message.tag;
  data.priority = message.priority;
  if (message.expiration !== undefined) data.expiration = message.expiration;
  return { links: [], data, errors: [] };
}

/**
 * `POST /users/:accountId/messages/multiChannel` (beta), in its own scope so that every non-2xx, auth and content
 * type included, is answered in the multichannel envelope; other methods get its 405, paths below it its 404.
 */
export async function multiChannelRoutes(app: FastifyInstance, opts: { emulator: Emulator }): Promise<void> {
  const { emulator } = opts;
  registerMultiChannelErrorHandler(app);

  app.post<{ Params: { accountId: string }; Body: MultiChannelRequest }>(
    PATH,
    { schema: { body: MultiChannelRequestSchema }, attachValidation: true, config: { produces: JSON_TYPES } },
    async (req, reply) => {
      const body = req.body as unknown;
      const fieldErrors = [
        ...(req.validationError ? multiChannelSchemaErrors((req.validationError as unknown as { validation: [] }).validation) : []),
        ...(body && typeof body === 'object' && !Array.isArray(body) ? multiChannelSemanticErrors(body as Record<string, unknown>, emulator.time.now()) : []),
      ];
      if (fieldErrors.length > 0) throw bandwidthErrors.validation(fieldErrors);
      const first = req.body.channelList[0]!;
      const fault = emulator.apiFaultFor(req.params.accountId, () => ({ ...channelFields(first, req.body.to), to: [req.body.to], tag: req.body.tag }));
      if (fault && (await actOutApiFault(emulator, fault, req, reply)) === 'dropped') return;
      const message = emulator.acceptMultiChannel(req.params.accountId, req.body);
      return reply.code(202).send(multiChannelResponse(message));
    },
  );

  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: PATH,
    handler: async (req) => {
      throw bandwidthErrors.methodNotAllowed(req.method);
    },
  });
  app.all(`${PATH}/*`, async () => {
    throw new BandwidthError(404, { type: 'not-found', description: 'Resource not found.' });
  });
}
