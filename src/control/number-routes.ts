import type { FastifyReply, FastifyRequest } from 'fastify';
import { RegistrationSchema } from '../config/numbers.js';
import type { ControlRoute } from './openapi.js';
import type { NumberOperations } from './number-operations.js';

type Req = FastifyRequest<{ Params: Record<string, string>; Body: unknown }>;
type SendError = (reply: FastifyReply, status: number, error: string, message: string) => unknown;

const noAccount = (accountId: string) => `no account ${accountId.slice(0, 64)} (GET /__emulator/accounts lists them)`;

/** The routes of run-time provisioning, /accounts/:accountId/numbers[/:number] (README "Provisioning"). */
export function numberRoutes(numbers: NumberOperations, sendError: SendError): ControlRoute[] {
  return [
    {
      method: 'GET',
      url: '/accounts/:accountId/numbers',
      summary: "An account's numbers with their type, location, application and registration",
      handler: async (req: Req, reply: FastifyReply) => {
        const list = await numbers.list(req.params.accountId!);
        return list ? { numbers: list } : sendError(reply, 404, 'not-found', noAccount(req.params.accountId!));
      },
    },
    {
      method: 'PUT',
      url: '/accounts/:accountId/numbers/:number',
      summary:
        "Add a number to an account or replace its registration ({applicationId, type, location, campaign, tollFreeVerification}, the config's object form); applies from the next message",
      body: RegistrationSchema,
      handler: async (req: Req, reply: FastifyReply) => {
        const entry = await numbers.set(req.params.accountId!, req.params.number!, req.body ?? {});
        return entry ?? sendError(reply, 404, 'not-found', noAccount(req.params.accountId!));
      },
    },
    {
      method: 'DELETE',
      url: '/accounts/:accountId/numbers/:number',
      summary: 'Remove a number from an account: messages from it then fail with 4403, inbound to it is refused',
      handler: async (req: Req, reply: FastifyReply) => {
        if (await numbers.remove(req.params.accountId!, req.params.number!)) return reply.code(204).send();
        return sendError(reply, 404, 'not-found', `account ${req.params.accountId!.slice(0, 64)} has no number ${req.params.number!.slice(0, 40)}`);
      },
    },
  ];
}
