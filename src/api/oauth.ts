import basicAuth from '@fastify/basic-auth';
import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.js';
import { bandwidthErrors } from '../errors.js';
import { noteRefusal } from '../http/refusals.js';

/** `POST /api/v1/oauth2/token`: client credentials (as Basic) plus `grant_type=client_credentials` give a Bearer token. */
export async function oauthRoutes(app: FastifyInstance, opts: { emulator: Emulator }): Promise<void> {
  const { accounts } = opts.emulator;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const clientOf = new WeakMap<object, Set<string>>();
  await app.register(basicAuth, {
    async validate(clientId, clientSecret, req) {
      const accountIds = accounts.clientAccounts(clientId, clientSecret);
      if (!(accountIds instanceof Set)) {
        noteRefusal(req, accountIds.why);
        throw bandwidthErrors.unauthorized();
      }
      clientOf.set(req, accountIds);
    },
  });
  app.addHook('onRequest', app.basicAuth);
  app.post('/api/v1/oauth2/token', async (req) => {
    const grantType = (req.body as Record<string, unknown> | undefined)?.grant_type;
    if (grantType !== 'client_credentials') {
      throw bandwidthErrors.validation(
        [],
        `grant_type must be 'client_credentials' (form field grant_type=client_credentials); got '${String(grantType ?? '')}'`,
      );
    }
    const token = accounts.issueToken(clientOf.get(req)!);
    return { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn };
  });
}
