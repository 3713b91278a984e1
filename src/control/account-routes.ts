import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_THROWAWAY_ACCOUNTS, ThrowawayAccountError, ThrowawayAccountRequestSchema, type ThrowawayAccountRequest } from '../throwaway-accounts.js';
import type { ControlOperations } from './operations.js';
import type { ControlRoute } from './openapi.js';

type Req = FastifyRequest<{ Params: Record<string, string>; Body: unknown }>;
type SendError = (reply: FastifyReply, status: number, error: string, message: string) => unknown;

// The body cap of POST /__emulator/accounts: a 4 KiB callback URL and ten numbers with room to spare.
const ACCOUNT_BODY_LIMIT = 16 * 1024;

/** The routes of /__emulator/accounts: list, create a throwaway account, remove one (or reset a configured one). */
export function accountRoutes(ops: ControlOperations, sendError: SendError): ControlRoute[] {
  return [
    {
      method: 'GET',
      url: '/accounts',
      summary: 'The accounts, configured then throwaway, and their numbers (no credentials); a throwaway one has throwaway: true and expiresAt',
      handler: async () => ({ accounts: await ops.accounts() }),
    },
    {
      method: 'POST',
      url: '/accounts',
      summary: `Create a throwaway account: 201 with its credentials (answered this once), application, numbers, basePath and expiresAt; 409 when the id or a number is taken, 429 past ${MAX_THROWAWAY_ACCOUNTS} accounts`,
      body: ThrowawayAccountRequestSchema,
      status: 201,
      optionalBody: true,
      bodyLimit: ACCOUNT_BODY_LIMIT,
      errors: {
        '409': 'The account id or a number is taken',
        '413': 'The body is larger than 16 KiB',
        '429': `${MAX_THROWAWAY_ACCOUNTS} throwaway accounts exist already`,
      },
      handler: async (req: Req, reply: FastifyReply) => {
        try {
          return reply.code(201).send(await ops.createAccount((req.body ?? {}) as ThrowawayAccountRequest));
        } catch (error) {
          if (!(error instanceof ThrowawayAccountError) || error.kind === 'invalid') throw error;
          return sendError(reply, error.kind === 'conflict' ? 409 : 429, error.kind, error.message);
        }
      },
    },
    {
      method: 'DELETE',
      url: '/accounts/:accountId',
      summary:
        'Remove a throwaway account and everything it owns (messages, journal, media, pending callbacks, its run-time scenarios, tokens); a configured account is reset instead (same as POST /reset?accountId=)',
      handler: async (req: Req, reply: FastifyReply) => {
        await ops.removeAccount(req.params.accountId!);
        return reply.code(204).send();
      },
    },
  ];
}
