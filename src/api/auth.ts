import basicAuth from '@fastify/basic-auth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountRegistry } from '../accounts.js';
import { bandwidthErrors } from '../errors.js';

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/**
 * Add Bandwidth's API auth to the calling plugin's scope (and only there, so /__emulator stays outside it):
 * Basic per configured user, or a Bearer token minted by the token endpoint.
 */
export async function registerBandwidthAuth(app: FastifyInstance, accounts: AccountRegistry): Promise<void> {
  const accountOf = (req: FastifyRequest) => (req.params as { accountId?: string }).accountId ?? '';
  await app.register(basicAuth, {
    async validate(username, password, req) {
      const result = accounts.checkBasic(accountOf(req), username, password);
      if (result === 'unauthorized') throw bandwidthErrors.unauthorized();
      if (result === 'forbidden') throw bandwidthErrors.forbidden();
    },
  });
  app.addHook('onRequest', (req, reply, done) => {
    const bearer = BEARER.exec(req.headers.authorization ?? '');
    if (!bearer) return app.basicAuth(req, reply, done);
    const result = accounts.checkBearer(accountOf(req), bearer[1]!);
    done(result === 'ok' ? undefined : bandwidthErrors.unauthorized());
  });
}
