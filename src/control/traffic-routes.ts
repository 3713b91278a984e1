import type { FastifyReply, FastifyRequest } from 'fastify';
import { TrafficSchema, type TrafficSpec } from '../config/traffic.js';
import type { ControlRoute } from './openapi.js';
import type { TrafficOperations } from './traffic-operations.js';

type Req = FastifyRequest<{ Params: Record<string, string>; Body: unknown }>;
type SendError = (reply: FastifyReply, status: number, error: string, message: string) => unknown;

const noAccount = (accountId: string) => `no account ${accountId.slice(0, 64)} (GET /__emulator/accounts lists them)`;

/** The routes of traffic settings at run time: /traffic (global) and /accounts/:accountId/traffic (README "Traffic"). */
export function trafficRoutes(traffic: TrafficOperations, sendError: SendError): ControlRoute[] {
  return [
    {
      method: 'GET',
      url: '/traffic',
      summary: 'The traffic settings every account without its own has: profile, parts, rates, queue depth',
      handler: async () => traffic.get(),
    },
    {
      method: 'PUT',
      url: '/traffic',
      summary:
        "Change the global traffic settings until a reset ({profile: 'production'}, {optOut: true}, as the config's traffic section); the fields given replace those set before",
      body: TrafficSchema,
      handler: async (req: Req) => traffic.set((req.body ?? {}) as TrafficSpec),
    },
    {
      method: 'GET',
      url: '/accounts/:accountId/traffic',
      summary: 'The traffic settings in force for one account, with its config section and run-time change',
      handler: async (req: Req, reply: FastifyReply) =>
        (await traffic.get(req.params.accountId!)) ?? sendError(reply, 404, 'not-found', noAccount(req.params.accountId!)),
    },
    {
      method: 'GET',
      url: '/accounts/:accountId/queue',
      summary: "What waits in one account's queue (production profile): messages, segments, recipients, capacity, oldest queued",
      handler: async (req: Req, reply: FastifyReply) =>
        (await traffic.queue(req.params.accountId!)) ?? sendError(reply, 404, 'not-found', noAccount(req.params.accountId!)),
    },
    {
      method: 'PUT',
      url: '/accounts/:accountId/traffic',
      summary: "Change one account's traffic settings until a reset of it (a traffic section as in the config)",
      body: TrafficSchema,
      handler: async (req: Req, reply: FastifyReply) =>
        (await traffic.set((req.body ?? {}) as TrafficSpec, req.params.accountId!)) ?? sendError(reply, 404, 'not-found', noAccount(req.params.accountId!)),
    },
  ];
}
