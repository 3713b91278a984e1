import type { FastifyError, FastifyInstance } from 'fastify';
import { BandwidthError, bandwidthErrors } from '../errors.js';

/** Map everything thrown on Bandwidth's surface to Bandwidth's error shape; only real bugs become a 500. */
export function registerBandwidthErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | BandwidthError, req, reply) => {
    let mapped: BandwidthError;
    if (error instanceof BandwidthError) mapped = error;
    else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') mapped = bandwidthErrors.unsupportedContentType(req.headers['content-type']);
    else if (error.statusCode === 401) mapped = bandwidthErrors.unauthorized();
    else if (error.statusCode === 413) {
      const limit = req.url.includes('/media/') ? 'the media size limit' : 'the request size limit';
      mapped = new BandwidthError(413, { type: 'request-validation', description: `The request body is larger than ${limit}; upload a smaller file or raise media.maxObjectBytes in the emulator's config` });
    }
    else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      // Unparsable JSON, an empty JSON body, a bad header: Bandwidth answers its generic validation error.
      mapped = bandwidthErrors.validation([], `Your request could not be accepted: ${error.message}`);
    } else {
      req.log.error({ err: error }, 'unexpected error');
      mapped = bandwidthErrors.internal();
    }
    void reply.code(mapped.statusCode).headers(mapped.headers).send(mapped.body);
  });
}
