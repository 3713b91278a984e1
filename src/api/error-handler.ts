import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { BandwidthError, bandwidthErrors } from '../errors.js';
import { noteRefusal } from '../http/refusals.js';
import { StorageWriteError } from '../messaging/types.js';

/** Map anything thrown on Bandwidth's surface to the Bandwidth error to answer with; only real bugs become a 500. */
export function toBandwidthError(error: FastifyError | BandwidthError, req: FastifyRequest): BandwidthError {
  if (error instanceof BandwidthError) return error;
  if (error instanceof StorageWriteError) {
    req.log.error({ err: error.cause, file: error.file }, 'data dir write failed; the request was refused with nothing kept');
    return bandwidthErrors.storageUnavailable(error.message);
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return bandwidthErrors.unsupportedContentType(req.headers['content-type']);
  if (error.statusCode === 401) return bandwidthErrors.unauthorized();
  if (error.statusCode === 413) {
    const limit = req.url.includes('/media/') ? 'the media size limit' : 'the request size limit';
    return new BandwidthError(413, {
      type: 'request-validation',
      description: `The request body is larger than ${limit}; upload a smaller file or raise media.maxObjectBytes in the emulator's config`,
    });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    // Unparsable JSON, an empty JSON body, a bad header: Bandwidth answers its generic validation error.
    return bandwidthErrors.validation([], `Your request could not be accepted: ${error.message}`);
  }
  req.log.error({ err: error }, 'unexpected error');
  return bandwidthErrors.internal();
}

/**
 * Note, for the refusal log, why a Bandwidth error answers this request (unless the check that threw noted it
 * already): the field errors of a 400, the size limit of a 413, the missing credentials of a 401.
 */
export function noteBandwidthRefusal(error: FastifyError | BandwidthError, mapped: BandwidthError, req: FastifyRequest): void {
  if (mapped.statusCode >= 500) return;
  const fields = mapped.body.fieldErrors ?? [];
  noteRefusal(
    req,
    !(error instanceof BandwidthError) && error.statusCode === 401
      ? 'basic auth: missing or malformed Authorization header'
      : mapped.statusCode === 413
        ? `body larger than the ${req.routeOptions.bodyLimit ?? 'configured'}-byte limit`
        : `${mapped.body.type}: ${fields.length > 0 ? fields.map((f) => `${f.fieldName}: ${f.description}`).join('; ') : mapped.body.description}`,
  );
}

/** Answer everything thrown on Bandwidth's surface in Bandwidth's error shape. */
export function registerBandwidthErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | BandwidthError, req, reply) => {
    const mapped = toBandwidthError(error, req);
    noteBandwidthRefusal(error, mapped, req);
    void reply.code(mapped.statusCode).headers(mapped.headers).send(mapped.body);
  });
}
