import type { FastifyReply } from 'fastify';
import { EmulatorConfigError } from '../errors.js';
import type { ControlRoute } from './openapi.js';
import type { ProxyOperations } from './proxy-operations.js';

type SendError = (reply: FastifyReply, status: number, error: string, message: string, extra?: Record<string, unknown>) => unknown;

/** The PEM's media type: what `curl -o ca.pem` and browsers save as a certificate file. */
export const PEM_CONTENT_TYPE = 'application/x-pem-file';

/**
 * GET /proxy and GET /proxy/ca.pem (README "Proxy mode in Docker"): neither takes input beyond the control token, and
 * the certificate route answers the CA certificate only; the key never leaves the emulator's folder.
 */
export function proxyRoutes(proxy: ProxyOperations, sendError: SendError): ControlRoute[] {
  return [
    {
      method: 'GET',
      url: '/proxy',
      summary: "Proxy mode: enabled, the Bandwidth hosts it answers for, the CA certificate's path, and its SHA-256 fingerprint once the CA is open",
      handler: async () => proxy.info(),
    },
    {
      method: 'GET',
      url: '/proxy/ca.pem',
      summary: "The local CA's certificate, PEM (never its key), for a container to trust; creates the CA if there is none yet",
      textType: PEM_CONTENT_TYPE,
      errors: { '503': 'The CA folder cannot be used: the message names the folder, the problem and the fix' },
      handler: async (_req: unknown, reply: FastifyReply) => {
        try {
          const pem = await proxy.caCertificate();
          return reply.header('content-type', PEM_CONTENT_TYPE).header('content-disposition', 'attachment; filename="ca.pem"').send(pem);
        } catch (error) {
          // The emulator stays up: the folder is the machine's problem, fixed without a restart (the open is retried).
          if (error instanceof EmulatorConfigError) {
            reply.log.warn({ problems: error.problems }, 'GET /__emulator/proxy/ca.pem: the CA folder cannot be used');
            return sendError(reply, 503, 'ca-unavailable', error.message, { problems: error.problems });
          }
          throw error;
        }
      },
    },
  ];
}
