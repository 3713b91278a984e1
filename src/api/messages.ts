import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Emulator } from '../emulator.js';
import { bandwidthErrors } from '../errors.js';
import { JSON_TYPES } from './accept.js';
import { actOutApiFault } from './api-fault.js';
import { noteRefusal } from '../http/refusals.js';
import { requestOrigin } from '../proxy/absolute-form.js';
import { countSegments } from '../segments.js';
import type { StoredMessage } from '../store/messages.js';
import { MessageRequestSchema, schemaFieldErrors, semanticFieldErrors, type MessageRequestBody } from './message-request.js';
import { SearchQuerySchema, SORT_FIELDS, searchMessages, type SearchQuery } from './search-messages.js';
import { searchParamProblems } from './search-params.js';
import { isoTime } from '../iso-time.js';
import { didYouMean } from '../validation/suggest.js';

/** The 202 body of the spec's `createMessage`: its `message` schema, echoing what was sent. */
function messageResponse(message: StoredMessage): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: message.id,
    owner: message.owner,
    applicationId: message.applicationId,
    time: isoTime(message.time),
    segmentCount: message.segmentCount,
    direction: message.direction,
    to: message.to,
    from: message.from,
    text: message.text,
  };
  if (message.media !== undefined) body.media = message.media;
  if (message.tag !== undefined) body.tag = message.tag;
  body.priority = message.priority;
  if (message.expiration !== undefined) body.expiration = message.expiration;
  return body;
}

/**
 * The 202 body as a plain JSON Schema, properties in the order messageResponse writes them: Fastify compiles it
 * once into a serializer (fast-json-stringify) instead of a generic JSON.stringify per request.
 */
const MessageResponseSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    owner: { type: 'string' },
    applicationId: { type: 'string' },
    time: { type: 'string' },
    segmentCount: { type: 'integer' },
    direction: { type: 'string' },
    to: { type: 'array', items: { type: 'string' } },
    from: { type: 'string' },
    text: { type: 'string' },
    media: { type: 'array', items: { type: 'string' } },
    tag: { type: 'string' },
    priority: { type: 'string' },
    expiration: { type: 'string' },
  },
} as const;

/** `POST` and `GET /users/:accountId/messages`: create (202) and search. */
export async function messagesRoutes(app: FastifyInstance, opts: { emulator: Emulator }): Promise<void> {
  const { emulator } = opts;

  app.post<{ Params: { accountId: string }; Body: MessageRequestBody }>(
    '/users/:accountId/messages',
    { schema: { body: MessageRequestSchema, response: { 202: MessageResponseSchema } }, attachValidation: true, config: { produces: JSON_TYPES } },
    async (req, reply) => {
      const body = req.body as unknown;
      const semantic =
        body && typeof body === 'object' && !Array.isArray(body) ? semanticFieldErrors(body as Partial<MessageRequestBody>, emulator.time.now()) : [];
      if (req.validationError || semantic.length > 0) {
        const structural = req.validationError ? schemaFieldErrors((req.validationError as { validation: [] }).validation, body) : [];
        if (structural.length + semantic.length > 0) throw bandwidthErrors.validation([...structural, ...semantic]);
      }
      const fault = emulator.apiFaultFor(req.params.accountId, () => ({
        ...req.body,
        text: req.body.text ?? '',
        segmentCount: countSegments(req.body),
      }));
      if (fault && (await actOutApiFault(emulator, fault, req, reply)) === 'dropped') return;
      const message = emulator.acceptOutbound(req.params.accountId, req.body);
      return reply.code(202).send(messageResponse(message));
    },
  );

  app.get<{ Params: { accountId: string }; Querystring: SearchQuery }>(
    '/users/:accountId/messages',
    { schema: { querystring: SearchQuerySchema }, attachValidation: true, config: { produces: JSON_TYPES } },
    async (req, reply) => {
      // Bandwidth's gateway counts the search before anything else looks at it (per source IP: req.ip, the socket's
      // address; X-Forwarded-For is not trusted, buildApp sets no trustProxy).
      const limited = emulator.searchRateLimited(req.params.accountId, req.ip);
      if (limited) {
        noteRefusal(
          req,
          `search rate limit: ${limited.requests} searches from ${req.ip} per ${limited.windowMs / 1000} s used up (Retry-After ${limited.retryAfterSeconds} s)`,
        );
        throw bandwidthErrors.searchRateLimited(limited.retryAfterSeconds);
      }
      // The raw text's rules first (they word integers, dates and sort better), then the schema's for the rest.
      const question = req.url.indexOf('?');
      const problems = searchParamProblems(new URLSearchParams(question === -1 ? '' : req.url.slice(question + 1)), SORT_FIELDS);
      if (req.validationError) {
        for (const [param, problem] of describeQueryErrors((req.validationError as { validation: QueryError[] }).validation)) {
          if (!problems.has(param)) problems.set(param, problem);
        }
      }
      if (problems.size > 0) throw bandwidthErrors.validation([], `Invalid query parameters: ${[...problems.values()].join('; ')}`);
      // After validation, as on the create: a bad query is still a 400.
      const fault = emulator.operationFaultFor(req.params.accountId, 'search');
      if (fault && (await actOutApiFault(emulator, fault, req, reply)) === 'dropped') return;
      const account = emulator.accounts.get(req.params.accountId);
      return searchMessages(emulator.messages.list(req.params.accountId), req.query, requestUrl(req), {
        requireFilter: !emulator.config.permissive,
        qualityMetrics: account?.features.advancedQualityMetrics ?? false,
      });
    },
  );
}

type QueryError = {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { anyOf?: Array<{ const?: unknown }>; properties?: Record<string, unknown> };
};

// One line per parameter; a value outside a list of literals names the allowed values instead of one line per literal.
function describeQueryErrors(errors: readonly QueryError[]): Map<string, string> {
  const byParam = new Map<string, string>();
  for (const e of errors) {
    const param = e.instancePath.slice(1) || String(e.params.additionalProperty ?? 'query');
    if (e.keyword === 'anyOf') {
      const allowed = (e.parentSchema?.anyOf ?? []).map((branch) => String(branch.const));
      byParam.set(param, `${param} must be one of ${allowed.join(', ')}`);
    } else if (e.keyword === 'additionalProperties') {
      byParam.set(param, `${param} is not a search parameter of this API${didYouMean(param, Object.keys(e.parentSchema?.properties ?? {}))}`);
    } else if (!byParam.has(param) && e.keyword !== 'const' && e.keyword !== 'type') {
      byParam.set(param, `${param} ${e.message ?? 'is invalid'}`);
    } else if (!byParam.has(param) && e.keyword === 'type') {
      byParam.set(param, e.params.type === 'boolean' ? `${param} must be true or false` : `${param} must be ${String(e.params.type)}`);
    }
  }
  return byParam;
}

// The URL as the client named it (scheme and host of a proxied request too), for the paging links.
function requestUrl(req: FastifyRequest): URL {
  return new URL(req.url, requestOrigin(req));
}
