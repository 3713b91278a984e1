import basicAuth from '@fastify/basic-auth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountRegistry, AuthRefusal } from '../accounts.js';
import { bandwidthErrors, type BandwidthError } from '../errors.js';
import { noteRefusal } from '../http/refusals.js';

const BEARER = /^\s*bearer\s+(\S+)\s*$/i;

/** The error for a refused credential check, its reason noted for the log. */
function refuse(req: FastifyRequest, result: AuthRefusal): BandwidthError {
  noteRefusal(req, result.why);
  return result.refused === 'forbidden' ? bandwidthErrors.forbidden() : bandwidthErrors.unauthorized();
}

/**
 * Add Bandwidth's API auth to the calling plugin's scope (and only there, so /__emulator stays outside it):
 * Basic per configured user, or a Bearer token minted by the token endpoint.
 */
export async function registerBandwidthAuth(app: FastifyInstance, accounts: AccountRegistry): Promise<void> {
  const accountOf = (req: FastifyRequest) => (req.params as { accountId?: string }).accountId ?? '';
  await app.register(basicAuth, {
    async validate(username, password, req) {
      const result = accounts.checkBasic(accountOf(req), username, password);
      if (result !== 'ok') throw refuse(req, result);
    },
  });
  app.addHook('onRequest', (req, reply, done) => {
    const bearer = BEARER.exec(req.headers.authorization ?? '');
    if (!bearer) {
      // @fastify/basic-auth refuses these itself (a 401 the error handler words): the log says which it was.
      if (!req.headers.authorization) noteRefusal(req, 'auth: no Authorization header (send Basic credentials or a Bearer token)');
      else if (!/^\s*basic\s+\S/i.test(req.headers.authorization)) noteRefusal(req, 'auth: Authorization header is neither Basic nor Bearer');
      return app.basicAuth(req, reply, done);
    }
    const result = accounts.checkBearer(accountOf(req), bearer[1]!);
    done(result === 'ok' ? undefined : refuse(req, result));
  });
}
