import type { FastifyInstance } from 'fastify';
import type { Emulator } from '../emulator.js';
import { bandwidthErrors, notFoundBody } from '../errors.js';
import { noteRefusal } from '../http/refusals.js';

// Paths the emulated API serves; a request to one with another method is a 405, not a 404.
const KNOWN_PATHS = [/^(\/api\/v2)?\/users\/[^/]+\/messages\/?$/, /^(\/api\/v2)?\/users\/[^/]+\/media(\/.*)?$/, /^\/api\/v1\/oauth2\/token\/?$/];

/** Unknown paths get Bandwidth's Spring-style 404; known paths with a wrong method get a 405. */
export function registerNotFound(app: FastifyInstance, emulator: Emulator): void {
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? req.url;
    if (KNOWN_PATHS.some((re) => re.test(path))) {
      noteRefusal(req, `method not allowed: this path does not take ${req.method}`);
      const error = bandwidthErrors.methodNotAllowed(req.method);
      return reply.code(error.statusCode).send(error.body);
    }
    noteRefusal(req, 'not found: no route serves this path');
    return reply
      .code(404)
      .header('content-type', 'application/json;charset=UTF-8')
      .send(JSON.stringify(notFoundBody(path, emulator.time.now())));
  });
}
