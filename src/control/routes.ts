import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Emulator } from '../emulator.js';
import { createMetrics } from '../metrics.js';
import { PendingWorkError } from '../messaging/settle.js';
import { StorageWriteError } from '../messaging/types.js';
import { stateBodyLimit } from '../persistence/state-document.js';
import { MAX_SCENARIO_FILE_BYTES } from '../scenarios/compile.js';
import { JournalWaitCancelled, JournalWaitTimeout, type JournalFilter } from '../store/journal.js';
import { noteRefusal } from '../http/refusals.js';
import { accountRoutes } from './account-routes.js';
import { registerCrossSiteGuard } from './cross-site-guard.js';
import { EventStreams } from './event-streams.js';
import { LongPolls } from './long-polls.js';
import { CallbackResendBusy, ControlInputError, type ControlOperations, type LintRequest, type MessageQuery } from './operations.js';
import { lintText } from '../segment-lint.js';
import { buildControlOpenApi, type ControlRoute } from './openapi.js';
import { messageMediaRoutes } from './message-media.js';
import { numberRoutes } from './number-routes.js';
import { optOutRoutes } from './opt-out-routes.js';
import { proxyRoutes } from './proxy-routes.js';
import { trafficRoutes } from './traffic-routes.js';
import { controlValidationMessage } from './validation-message.js';
import { YamlBody, registerYamlBodies, YAML_CONTENT_TYPES } from './yaml-bodies.js';
import {
  AccountQuery,
  CarrierBody,
  ConversationQuery,
  ErrorCodeList,
  ErrorCodeParams,
  ErrorCodeSchema,
  IdleQuery,
  InboundBody,
  JournalQuery,
  LintBody,
  MessageFilterQuery,
  ResendBody,
  ResendParams,
  TimeBody,
  TriggerBody,
} from './schemas.js';

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, unknown>; Body: unknown }>;

function sendError(reply: FastifyReply, status: number, error: string, message: string, extra: Record<string, unknown> = {}) {
  // The client's mistakes are logged with their reason (the refusal log); the emulator's own are logged at error.
  if (status < 500) noteRefusal(reply.request, `control API ${error}: ${message}`);
  return reply.code(status).send({ error, message, ...extra });
}

const sameToken = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

const SCENARIO_BODY = `a scenario document (schema/scenario.schema.json) as JSON, or as YAML (${YAML_CONTENT_TYPES.join(', ')}) read as a scenario file is: at most 1 MiB, YAML aliases and nesting bounded`;

// A YAML body goes to the loader as text (read as a file is, with lines); a JSON body is the document itself, so a
// JSON string is not taken for YAML text.
function scenarioBody(body: unknown): unknown {
  if (body instanceof YamlBody) return body.text;
  if (typeof body === 'string')
    throw new ControlInputError('a JSON scenario body must be an object (the scenario document); to send YAML text, use Content-Type: application/yaml');
  return body;
}

// PUT /time names the multiplier as the config does (timeScale); `scale`, its first name, is still read, alone.
function timeScaleOf(body: { timeScale?: number; scale?: number } | undefined): number {
  if (body?.timeScale !== undefined && body.scale !== undefined)
    throw new ControlInputError('send timeScale or scale (its deprecated old name), not both: {"timeScale": 0.1}');
  const value = body?.timeScale ?? body?.scale;
  if (value === undefined) throw new ControlInputError('timeScale is required: {"timeScale": 0.1} (1 real time, 0.1 ten times faster)');
  return value;
}

/** The requests that do not end by themselves: event streams and long-polls, which a shutdown ends first. */
export interface LiveRequests {
  streams: EventStreams;
  polls: LongPolls;
}

/**
 * The routes under /__emulator: one table drives both registration and the OpenAPI document. Without `live`, the
 * stream registry is made on the first GET /events (a table built only for its document watches nothing).
 */
export function controlRouteTable(ops: ControlOperations, emulator: Emulator, live?: LiveRequests): ControlRoute[] {
  let streams = live?.streams;
  const polls = live?.polls ?? new LongPolls();
  return [
    { method: 'GET', url: '/health', summary: 'Liveness, store sizes, evictions and the callback books', handler: async () => ops.health() },
    { method: 'GET', url: '/ready', summary: 'Readiness: 200 once the emulator serves requests', handler: async () => ({ ready: true }) },
    {
      method: 'GET',
      url: '/messages',
      summary:
        'Search messages, newest first: account, to, from, tag, direction, status, q, errorCode, since, until, conversation; paged by limit and cursor, with the total',
      querystring: MessageFilterQuery,
      handler: async (req: Req) => ops.messages.search(req.query as MessageQuery),
    },
    {
      method: 'GET',
      url: '/conversations',
      summary:
        'Conversations (account, our number, handset numbers) with a matching message, newest first: the filters of /messages, paged by limit (default 50) and cursor, with the total',
      querystring: ConversationQuery,
      handler: async (req: Req) => ops.conversations(req.query as MessageQuery),
    },
    {
      method: 'GET',
      url: '/messages/:id',
      summary: 'One message with its recipients, full timeline and callback attempts',
      notFound: 'No stored message has that id',
      handler: async (req: Req, reply: FastifyReply) => {
        const message = await ops.messages.get(req.params.id!);
        if (!message) return sendError(reply, 404, 'not-found', `no stored message ${req.params.id} (it may have been evicted or reset)`);
        // The lint of what was sent (README "Message lint"); an inbound message's text was the handset's choice.
        const lint = message.direction === 'out' ? { lint: lintText(message) } : {};
        return { ...message, ...lint, callbacks: await ops.callbacks.list({ messageId: message.id }) };
      },
    },
    {
      method: 'POST',
      url: '/lint',
      summary:
        'Lint a text before sending it ({text, media?, to?}): encoding, segments, units and capacity, the characters that forced UCS-2 or cost two septets, a hint',
      body: LintBody,
      status: 200,
      handler: async (req: Req) => ops.lint(req.body as LintRequest),
    },
    {
      method: 'GET',
      url: '/error-codes',
      summary:
        "The message-failed codes the emulator knows (Bandwidth's errors page, 4794, and 4476 and 5229 from its CLI): name, text, billable, whether a retry can help and why, source",
      response: ErrorCodeList,
      handler: async () => ops.errorCodes.list(),
    },
    {
      method: 'GET',
      url: '/error-codes/:code',
      summary: 'One message-failed code: name, text, billable, whether a retry can help and why, source',
      params: ErrorCodeParams,
      response: ErrorCodeSchema,
      notFound: 'The code is four digits but not in the table',
      handler: async (req: Req, reply: FastifyReply) => {
        const info = await ops.errorCodes.get(Number(req.params.code));
        if (info) return info;
        return sendError(
          reply,
          404,
          'not-found',
          `${req.params.code} is not a message-failed code the emulator knows (Bandwidth's errors page, 4794, 4476 and 5229); GET /__emulator/error-codes lists them`,
        );
      },
    },
    ...messageMediaRoutes((id, index) => ops.messages.media(id, index), sendError),
    ...accountRoutes(ops, sendError),
    ...numberRoutes(ops.numbers, sendError),
    ...trafficRoutes(ops.traffic, sendError),
    ...optOutRoutes(ops.optOuts, sendError),
    ...proxyRoutes(ops.proxy, sendError),
    {
      method: 'POST',
      url: '/messages/:id/carrier',
      summary: 'Act as the carrier on a message in flight: deliver now, or fail with an error code; its remaining scheduled steps are cancelled',
      body: CarrierBody,
      notFound: 'No stored message has that id',
      handler: async (req: Req, reply: FastifyReply) => {
        if (!(await ops.messages.get(req.params.id!)))
          return sendError(reply, 404, 'not-found', `no stored message ${req.params.id} (it may have been evicted or reset)`);
        return ops.carrier(req.params.id!, req.body as Parameters<ControlOperations['carrier']>[1]);
      },
    },
    {
      method: 'GET',
      url: '/callbacks',
      summary:
        'The callback journal, filtered; with wait=ms, a long-poll for the first matching entry (408 on timeout with the newest 10 entries it saw and their total)',
      querystring: JournalQuery,
      handler: async (req: Req, reply: FastifyReply) => {
        const { wait, limit, beforeSeq, ...filter } = req.query as JournalFilter & { wait?: number; limit?: number; beforeSeq?: number };
        const paging = limit !== undefined || beforeSeq !== undefined;
        if (paging && wait !== undefined)
          return sendError(reply, 400, 'bad-request', 'wait (a long-poll for the first match) and limit/beforeSeq (newest-first pages) do not go together');
        if (paging) return ops.callbacks.page(filter, { limit, beforeSeq });
        if (wait === undefined) return { entries: await ops.callbacks.list(filter) };
        return polls.hold(reply, async () => {
          try {
            const first = await ops.callbacks.waitFor(filter, { timeoutMs: wait });
            return { entries: [first] };
          } catch (error) {
            if (error instanceof JournalWaitCancelled) return sendError(reply, 503, 'closing', error.message);
            if (!(error instanceof JournalWaitTimeout)) throw error;
            return sendError(reply, 408, 'timeout', error.message, {
              filter: error.filter,
              waitedMs: error.waitedMs,
              seen: error.seen,
              seenTotal: error.seenTotal,
            });
          }
        });
      },
    },
    {
      method: 'POST',
      url: '/callbacks/:seq/resend',
      summary:
        "POST a journal entry's recorded body again, once (no retries), to its target or {target}, with the application's current callback credentials; 201 with the new entry (replayOf: seq); 503 past 16 resends in flight",
      params: ResendParams,
      body: ResendBody,
      optionalBody: true,
      status: 201,
      notFound: 'No journal entry has that seq (it may have been evicted or reset)',
      handler: async (req: Req, reply: FastifyReply) => {
        try {
          const entry = await ops.callbacks.resend(Number(req.params.seq), req.body as { target?: string });
          if (!entry)
            return sendError(
              reply,
              404,
              'not-found',
              `no journal entry ${req.params.seq} (it may have been evicted or reset); GET /__emulator/callbacks lists them`,
            );
          return reply.code(201).send(entry);
        } catch (error) {
          if (error instanceof CallbackResendBusy) return sendError(reply.header('retry-after', '1'), 503, 'busy', error.message);
          throw error;
        }
      },
    },
    {
      method: 'GET',
      url: '/pending',
      summary: 'What is pending now: steps, callbacks and media fetches, with the first few items',
      handler: async () => ops.pending(),
    },
    {
      method: 'GET',
      url: '/idle',
      summary: 'Long-poll until nothing is pending (200 with the report), or 408 after timeoutMs with what still is',
      querystring: IdleQuery,
      handler: async (req: Req, reply: FastifyReply) =>
        polls.hold(reply, async () => {
          try {
            return await ops.idle({ timeoutMs: (req.query as { timeoutMs?: number }).timeoutMs });
          } catch (error) {
            if (!(error instanceof PendingWorkError)) throw error;
            return sendError(reply, 408, 'timeout', error.message, { pending: error.report });
          }
        }),
    },
    {
      method: 'POST',
      url: '/inbound',
      summary:
        'A handset sends a message to our numbers: each owned recipient gets its own message-received (or, with suggestionResponse / locationResponse, the RBM response event)',
      body: InboundBody,
      handler: async (req: Req, reply: FastifyReply) =>
        reply.code(201).send({ messages: await ops.inbound(req.body as Parameters<ControlOperations['inbound']>[0]) }),
    },
    {
      method: 'GET',
      url: '/scenarios',
      summary: 'Scenarios in force, in matching order, with rules, hit counts, explain() lines and load problems',
      handler: async () => ops.scenarios.list(),
    },
    {
      method: 'POST',
      url: '/scenarios',
      summary: 'Add (or replace by name) a run-time scenario in front of the others; ?accountId= scopes it to one account',
      querystring: AccountQuery,
      bodyDescription: SCENARIO_BODY,
      yamlBody: true,
      handler: async (req: Req, reply: FastifyReply) =>
        reply.code(201).send(await ops.scenarios.use(scenarioBody(req.body), { accountId: (req.query as { accountId?: string }).accountId })),
    },
    {
      method: 'PUT',
      url: '/scenarios/:name',
      summary: 'Replace the run-time scenario of that name (the body name is set to it)',
      querystring: AccountQuery,
      bodyDescription: SCENARIO_BODY,
      yamlBody: true,
      handler: async (req: Req) =>
        ops.scenarios.use(scenarioBody(req.body), { accountId: (req.query as { accountId?: string }).accountId, name: req.params.name }),
    },
    {
      method: 'DELETE',
      url: '/scenarios',
      summary: "Clear run-time scenarios: all, or one account's with ?accountId=",
      querystring: AccountQuery,
      handler: async (req: Req, reply: FastifyReply) => {
        await ops.scenarios.clear({ accountId: (req.query as { accountId?: string }).accountId });
        return reply.code(204).send();
      },
    },
    {
      method: 'DELETE',
      url: '/scenarios/:name',
      summary: 'Remove one run-time scenario by name',
      querystring: AccountQuery,
      handler: async (req: Req, reply: FastifyReply) => {
        await ops.scenarios.clear({ accountId: (req.query as { accountId?: string }).accountId, name: req.params.name });
        return reply.code(204).send();
      },
    },
    {
      method: 'POST',
      url: '/scenarios/:name/trigger',
      summary: "Fire a scenario's manual inbound messages (all, or the one named in the body)",
      body: TriggerBody,
      handler: async (req: Req) => ops.scenarios.trigger(req.params.name!, (req.body as { inbound?: string } | undefined)?.inbound),
    },
    {
      method: 'POST',
      url: '/reset',
      summary: 'Forget messages, callbacks, pending events, run-time scenarios and toll-free opt-outs: everything, or one account with ?accountId=',
      querystring: AccountQuery,
      handler: async (req: Req, reply: FastifyReply) => {
        await ops.reset((req.query as { accountId?: string }).accountId);
        return reply.code(204).send();
      },
    },
    {
      method: 'GET',
      url: '/state',
      summary: 'Export the state as one versioned JSON document: messages, media (base64), journal, run-time scenarios; with --data-dir also pending callbacks',
      handler: async () => ops.state.export(),
    },
    {
      method: 'POST',
      url: '/state',
      summary: 'Import a document from GET /state: replaces all state (a full reset first); 400 names every problem',
      bodyDescription: 'a state document as GET /__emulator/state answers it (kind bandwidth-emulator-state, version 1)',
      handler: async (req: Req) => ops.state.import(req.body),
    },
    { method: 'GET', url: '/time', summary: 'The emulated clock: time scale, now, pending timers', handler: async () => ops.time.get() },
    {
      method: 'PUT',
      url: '/time',
      summary: 'Set the time scale for emulated delays, {timeScale} as in the config (1 real time, 0.1 ten times faster); {scale} is its deprecated old name',
      body: TimeBody,
      handler: async (req: Req) => ops.time.setTimeScale(timeScaleOf(req.body as { timeScale?: number; scale?: number } | undefined)),
    },
    { method: 'POST', url: '/time/flush', summary: 'Deliver everything pending now (timeline steps and retries)', handler: async () => ops.time.flush() },
    {
      method: 'GET',
      url: '/events',
      summary:
        "Server-Sent Events: 'message' (added or status change) and 'callback' (each journal entry); ?accountId= filters; at most 32 streams at once (503 past that), a client 256 KB behind is dropped",
      querystring: AccountQuery,
      stream: true,
      handler: async (req: Req, reply: FastifyReply) =>
        (streams ??= new EventStreams(emulator)).open(req, reply, (req.query as { accountId?: string }).accountId),
    },
  ];
}

/** Register the control API (outside Bandwidth's auth), optionally behind a token. */
export async function controlRoutes(app: FastifyInstance, opts: { emulator: Emulator; ops: ControlOperations; token?: string }): Promise<void> {
  const { emulator, ops, token } = opts;
  const live: LiveRequests = { streams: new EventStreams(emulator), polls: new LongPolls() };
  const table = controlRouteTable(ops, emulator, live);
  const stateLimit = stateBodyLimit(emulator.config);
  // Shutdown: the HTTP server closes once every request has ended, so the never-ending ones end first. Without this
  // an open inbox tab (its event stream) or a waiting long-poll held SIGTERM until `docker stop` killed the process.
  app.addHook('preClose', async () => {
    live.streams.endAll();
    live.polls.releaseAll('the emulator is shutting down; nothing more will be recorded');
  });
  if (token) {
    app.addHook('onRequest', async (req, reply) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const given = bearer ?? (req.headers['x-emulator-token'] as string | undefined) ?? '';
      if (!sameToken(given, token)) {
        // Which check failed, never what was sent.
        noteRefusal(
          req,
          given === ''
            ? `control token: none sent${req.headers.authorization ? ' (an Authorization header that is not Bearer)' : ''}`
            : `control token: wrong token (${bearer !== undefined ? 'Authorization: Bearer' : 'X-Emulator-Token'})`,
        );
        return sendError(reply, 401, 'unauthorized', 'this control API needs its token: send Authorization: Bearer <token> or X-Emulator-Token');
      }
    });
  }
  // After the token check (a wrong token is a 401 on every route), before any route: a cross-site page changes nothing.
  registerCrossSiteGuard(app, emulator.config.publicUrl);
  registerYamlBodies(app);
  app.setErrorHandler(
    (error: Error & { validation?: Parameters<typeof controlValidationMessage>[1]; validationContext?: string; statusCode?: number }, req, reply) => {
      if (error instanceof ControlInputError)
        return sendError(reply, 400, 'bad-request', error.message, error.problems.length ? { problems: error.problems } : {});
      if (error instanceof StorageWriteError) {
        req.log.error({ err: error.cause, file: error.file }, 'data dir write failed; the request was refused with nothing changed');
        return sendError(reply.header('retry-after', '1'), 503, 'storage-unavailable', error.message);
      }
      if (error.validation) return sendError(reply, 400, 'bad-request', controlValidationMessage(error.validationContext, error.validation, error.message));
      if (error.statusCode === 415) return sendError(reply, 415, 'unsupported-media-type', error.message);
      if (error.statusCode === 413) {
        const limit = req.routeOptions.bodyLimit ?? 0;
        const fix =
          req.routeOptions.url === '/__emulator/state'
            ? 'a state document this large cannot be imported here; import a smaller one (fewer messages, journal entries or media), or raise media.maxTotalBytes / limits.* (the cap follows them, up to 384 MiB)'
            : req.routeOptions.url?.startsWith('/__emulator/scenarios')
              ? 'a scenario is at most as large as a scenario file may be: split it into several smaller scenarios'
              : 'send a smaller body';
        return sendError(
          reply,
          413,
          'payload-too-large',
          `the body is larger than the ${limit} bytes ${req.method} ${req.routeOptions.url ?? req.url} takes: ${fix}`,
          { limitBytes: limit },
        );
      }
      if (error.statusCode && error.statusCode < 500) return sendError(reply, error.statusCode, 'bad-request', error.message);
      req.log.error({ err: error }, 'control API error');
      return sendError(reply, 500, 'internal', error.message);
    },
  );
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'not-found', `no control route ${req.method} ${req.url}; see /__emulator/openapi.json`));
  for (const route of table) {
    app.route({
      method: route.method,
      url: route.url,
      // Inbound attachments travel base64 in JSON: allow ten objects of the media size limit.
      ...(route.url === '/inbound' ? { bodyLimit: Math.ceil(emulator.config.media.maxObjectBytes * 10 * 1.4) } : {}),
      // A state document carries every media object base64-encoded, on top of messages and the journal: bounded by
      // the caps, and well below the longest string V8 can hold (the body is read into one before it is parsed).
      ...(route.url === '/state' ? { bodyLimit: stateLimit } : {}),
      // A scenario, JSON or YAML, is bounded as a scenario file is.
      ...(route.yamlBody ? { bodyLimit: MAX_SCENARIO_FILE_BYTES } : {}),
      ...(route.bodyLimit !== undefined ? { bodyLimit: route.bodyLimit } : {}),
      // A route whose every body field is optional takes no body at all as the empty one.
      ...(route.optionalBody
        ? {
            preValidation: async (req: FastifyRequest) => {
              req.body ??= {};
            },
          }
        : {}),
      schema: {
        ...(route.querystring ? { querystring: route.querystring } : {}),
        ...(route.params ? { params: route.params } : {}),
        ...(route.body ? { body: route.body } : {}),
      },
      handler: route.handler as never,
    });
  }
  const document = buildControlOpenApi(table);
  app.get('/openapi.json', async () => document);
  const metrics = createMetrics(emulator);
  app.get('/metrics', async (_req, reply) => reply.header('content-type', metrics.contentType).send(await metrics.metrics()));
}
