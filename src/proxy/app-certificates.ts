import type { FastifyInstance } from 'fastify';
import type { LazyCertificateAuthority } from './certificate-authority.js';

/**
 * The decorator name under which buildApp keeps the app's local CA. Read it with certificatesOf() rather than
 * through a `declare module 'fastify'` augmentation: an augmentation is declared once per build of the package's
 * types (ESM and CommonJS), and a consumer compiling both sees two conflicting declarations.
 */
export const CERTIFICATES = 'bandwidthEmulatorCertificates';

/** The local CA buildApp gave `app` (one per app, opened on first use): tunnels, the HTTPS listener, the control API. */
export function certificatesOf(app: FastifyInstance): LazyCertificateAuthority {
  return app.getDecorator<LazyCertificateAuthority>(CERTIFICATES);
}
