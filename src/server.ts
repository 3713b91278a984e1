import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerAcceptCheck } from './api/accept.js';
import { registerBandwidthAuth } from './api/auth.js';
import { bandwidthClientErrorHandler } from './api/client-errors.js';
import { registerBandwidthErrorHandler } from './api/error-handler.js';
import { registerInboxPage } from './api/inbox-page.js';
import { mediaRoutes } from './api/media.js';
import { messagesRoutes } from './api/messages.js';
import { multiChannelRoutes } from './api/multichannel.js';
import { isMultiChannelUrl, multiChannelErrorBody } from './api/multichannel-errors.js';
import { registerNotFound } from './api/not-found.js';
import { oauthRoutes } from './api/oauth.js';
import { bandwidthValidatorCompiler } from './api/validator.js';
import { createControlOperations } from './control/operations.js';
import { controlRoutes } from './control/routes.js';
import type { Emulator } from './emulator.js';
import { bandwidthErrors } from './errors.js';
import { registerHostGuard } from './http/host-guard.js';
import { noteRefusal, registerRefusalLog } from './http/refusals.js';
import { destroyUnusedSocketsOnClose } from './http/unused-sockets.js';
import { absoluteFormRewrite, registerAbsoluteFormRefusals, requestOrigin } from './proxy/absolute-form.js';
import { registerBandwidthHostPaths } from './proxy/bandwidth-host-paths.js';
import { CERTIFICATES, certificatesOf } from './proxy/app-certificates.js';
import { type CertificateAuthority, LazyCertificateAuthority } from './proxy/certificate-authority.js';
import { registerConnectTunnels, type TunnelBounds } from './proxy/connect-tunnel.js';

// Per-request lines are noise at info level under load; they stay available with --log-level debug.
class DebugRequestLogs extends LogController {
  override incomingRequest(request: Parameters<LogController['incomingRequest']>[0]): void {
    request.log.debug({ req: request }, 'incoming request');
  }
  override requestCompleted(
    error: Parameters<LogController['requestCompleted']>[0],
    _request: Parameters<LogController['requestCompleted']>[1],
    reply: Parameters<LogController['requestCompleted']>[2],
  ): void {
    reply.log.debug({ statusCode: reply.statusCode, responseTime: reply.elapsedTime, err: error ?? undefined }, 'request completed');
  }
}

/** Where the CA is when the emulator makes it, and a key others can read, in the log (README "Trusting the CA"). */
function logCaOpened(emulator: Emulator, ca: CertificateAuthority): void {
  if (ca.created) emulator.log.info({ certPath: ca.certPath, fingerprint: ca.fingerprint }, 'made the local CA; `bandwidth-emulator ca` says how to trust it');
  for (const warning of ca.warnings) emulator.log.warn({ certPath: ca.certPath }, warning);
}

/** Build the HTTP app for an emulator. It never listens: the CLI and startEmulator() do. `tunnels` shortens the CONNECT bounds (tests). */
export async function buildApp(emulator: Emulator, tunnels?: Partial<TunnelBounds>): Promise<FastifyInstance> {
  // Links the emulator hands out (media, paging) use the configured public URL, or the scheme and host the client
  // named (a proxied https://messaging.bandwidth.com request gets https links though it arrived in clear).
  const publicBase = (req: FastifyRequest) => emulator.config.publicUrl ?? requestOrigin(req);
  const app = Fastify({
    // Typed as Fastify's base logger so the app is a plain FastifyInstance for every plugin.
    loggerInstance: emulator.log as FastifyBaseLogger,
    logController: new DebugRequestLogs(),
    // Bandwidth's own limit is far below this; it keeps a hostile body from costing memory.
    bodyLimit: 1024 * 1024,
    // Proxy mode: an absolute-form request for a Bandwidth host is routed as its path (src/proxy/absolute-form.ts).
    rewriteUrl: absoluteFormRewrite(emulator.config.proxy.enabled),
    // Requests Node's HTTP parser refuses (bad Content-Length, oversized headers) get Bandwidth's error shape too.
    clientErrorHandler: bandwidthClientErrorHandler,
    // A malformed URL (bad percent-encoding) is the client's error: answer it in Bandwidth's shape, not Fastify's.
    frameworkErrors: (error, req, reply) => {
      noteRefusal(req as unknown as FastifyRequest, `unroutable URL: ${error.message}`);
      // The control API answers in its own documented shape, even for a URL Fastify could not route.
      if (req.url.startsWith('/__emulator') && error.statusCode !== undefined && error.statusCode < 500) {
        void (reply as unknown as FastifyReply).code(error.statusCode).send({ error: 'bad-request', message: error.message });
        return;
      }
      const mapped =
        error.statusCode !== undefined && error.statusCode < 500
          ? bandwidthErrors.validation([], `Your request could not be accepted: ${error.message}`)
          : bandwidthErrors.internal();
      // The multichannel endpoint answers in its own envelope, even for a URL Fastify could not route.
      void (reply as unknown as FastifyReply).code(mapped.statusCode).send(isMultiChannelUrl(req.url) ? multiChannelErrorBody(mapped, req) : mapped.body);
    },
  });
  // One CA per app, opened on first use: a run that never tunnels never touches its folder.
  app.decorate(CERTIFICATES, new LazyCertificateAuthority(emulator.config.proxy.caDir, (ca) => logCaOpened(emulator, ca)));
  // First of all hooks, so they cover every route registered below and the not-found handler.
  registerRefusalLog(app);
  registerAbsoluteFormRefusals(app, emulator.config.proxy.enabled);
  registerHostGuard(app, emulator.config);
  registerBandwidthHostPaths(app, emulator);
  destroyUnusedSocketsOnClose(app);
  registerConnectTunnels(app, emulator.config.proxy.enabled, tunnels);
  app.setValidatorCompiler(bandwidthValidatorCompiler());
  registerNotFound(app, emulator);

  // Bandwidth's messaging API, at the root (bandwidth-sdk with basePath) and under /api/v2 (legacy SDK, CLI).
  for (const prefix of ['', '/api/v2']) {
    await app.register(
      async (api) => {
        registerBandwidthErrorHandler(api);
        // Only JSON is accepted on Bandwidth's JSON endpoints; Fastify's default text/plain parser would let text in.
        api.removeContentTypeParser('text/plain');
        await registerBandwidthAuth(api, emulator.accounts);
        registerAcceptCheck(api);
        await api.register(messagesRoutes, { emulator });
        await api.register(multiChannelRoutes, { emulator });
        await api.register(mediaRoutes, { emulator, publicBase });
      },
      { prefix },
    );
  }
  await app.register(async (oauth) => {
    registerBandwidthErrorHandler(oauth);
    await oauth.register(oauthRoutes, { emulator });
  });
  registerInboxPage(app);
  await app.register(controlRoutes, {
    prefix: '/__emulator',
    emulator,
    ops: createControlOperations(emulator, certificatesOf(app)),
    token: emulator.config.control.token,
  });
  app.addHook('onClose', async () => {
    await emulator.close();
  });
  return app;
}
