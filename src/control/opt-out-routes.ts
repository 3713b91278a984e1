import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ControlRoute } from './openapi.js';
import type { OptOutOperations } from './opt-out-operations.js';

type Req = FastifyRequest<{ Params: Record<string, string>; Body: unknown }>;
type SendError = (reply: FastifyReply, status: number, error: string, message: string) => unknown;

const noAccount = (accountId: string) => `no account ${accountId.slice(0, 64)} (GET /__emulator/accounts lists them)`;

const E164 = (description: string) => Type.String({ maxLength: 16, pattern: '^\\+[1-9]\\d{1,14}$', description });

/** Body of POST /__emulator/accounts/{accountId}/opt-outs: which handset opted out of which toll-free number. */
const OptOutBody = Type.Object(
  {
    number: E164('a toll-free number of the account, E.164'),
    handset: E164('the handset that opts out, E.164'),
  },
  { additionalProperties: false },
);

/** The routes of the toll-free opt-out list, /accounts/:accountId/opt-outs[/:number/:handset] (README "Toll-free opt-out"). */
export function optOutRoutes(optOuts: OptOutOperations, sendError: SendError): ControlRoute[] {
  return [
    {
      method: 'GET',
      url: '/accounts/:accountId/opt-outs',
      summary: "An account's toll-free opt-outs: each handset that texted STOP to one of its toll-free numbers (or was added), oldest first",
      handler: async (req: Req, reply: FastifyReply) =>
        (await optOuts.list(req.params.accountId!)) ?? sendError(reply, 404, 'not-found', noAccount(req.params.accountId!)),
    },
    {
      method: 'POST',
      url: '/accounts/:accountId/opt-outs',
      summary:
        'Add an opt-out as if the handset had texted STOP ({number, handset}: a toll-free number of the account and the handset); 400 for a long code, a bad number or a full list',
      body: OptOutBody,
      status: 201,
      handler: async (req: Req, reply: FastifyReply) => {
        const added = await optOuts.add(req.params.accountId!, req.body as { number: string; handset: string });
        return added ? reply.code(201).send(added) : sendError(reply, 404, 'not-found', noAccount(req.params.accountId!));
      },
    },
    {
      method: 'DELETE',
      url: '/accounts/:accountId/opt-outs/:number/:handset',
      summary: 'Remove one opt-out, as if the handset had texted START (encode + as %2B)',
      handler: async (req: Req, reply: FastifyReply) => {
        if (await optOuts.remove(req.params.accountId!, req.params.number!, req.params.handset!)) return reply.code(204).send();
        return sendError(
          reply,
          404,
          'not-found',
          `account ${req.params.accountId!.slice(0, 64)} has no opt-out of ${req.params.handset!.slice(0, 40)} from ${req.params.number!.slice(0, 40)}`,
        );
      },
    },
    {
      method: 'DELETE',
      url: '/accounts/:accountId/opt-outs',
      summary: "Remove all of an account's opt-outs (a reset of the account does too); answers how many went, {removed}",
      status: 200,
      handler: async (req: Req, reply: FastifyReply) =>
        (await optOuts.clear(req.params.accountId!)) ?? sendError(reply, 404, 'not-found', noAccount(req.params.accountId!)),
    },
  ];
}
