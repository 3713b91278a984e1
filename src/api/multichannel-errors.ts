import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { type BandwidthError, ErrorType } from '../errors.js';
import { noteBandwidthRefusal, toBandwidthError } from './error-handler.js';

/** Where a multichannel error comes from (spec `errorSource`): a body field, a query parameter or a header. */
interface ErrorSource {
  field?: string;
  parameter?: string;
  header?: string;
  reference?: string;
}

/** One entry of the multichannel envelope's `errors` (spec `errorObject`). */
interface MultiChannelErrorObject {
  type: string;
  description: string;
  source: ErrorSource;
}

/** The multichannel error envelope (spec `multiChannelError`): `{links: [], data: null, errors: [...]}`. */
export interface MultiChannelErrorBody {
  links: [];
  data: null;
  errors: MultiChannelErrorObject[];
}

/**
 * The multichannel endpoint's error body for an error of the plain messaging API. Where the spec shows an example
 * for a status its wording is used (405, 415, 429, 500, and its 404, whose type the spec gives as `forbidden`).
 */
export function multiChannelErrorBody(error: BandwidthError, req: FastifyRequest): MultiChannelErrorBody {
  const one = (type: string, description: string, source: ErrorSource = {}): MultiChannelErrorBody => ({
    links: [],
    data: null,
    errors: [{ type, description, source }],
  });
  switch (error.statusCode) {
    case 400: {
      const fields = error.body.fieldErrors ?? [];
      if (fields.length === 0) return one(error.body.type, error.body.description);
      // A problem with the body as a whole names no field.
      return {
        links: [],
        data: null,
        errors: fields.map((f) => ({ type: ErrorType.validation, description: f.description, source: f.fieldName === '(body)' ? {} : { field: f.fieldName } })),
      };
    }
    case 404:
      return one(ErrorType.forbidden, 'Resource not found.');
    case 405:
      return one(ErrorType.methodNotAllowed, `Method '${req.method}' not supported for this resource.`);
    case 406:
      // The spec's multiChannelNotAcceptableError declares no body; the envelope is what every other status answers.
      return one(ErrorType.notAcceptable, error.body.description, { header: 'Accept' });
    case 415:
      return one(ErrorType.unsupportedContentType, `Content-Type '${req.headers['content-type'] ?? ''}' is not supported. Please use 'application/json'`, {
        header: 'Content-Type',
      });
    case 429:
      return one('rate-limit-exceeded', 'You have exceeded your rate limit for this endpoint. Please retry later.');
    case 500:
      return one(ErrorType.internal, 'Internal server error. No further information available');
    default:
      return one(error.body.type, error.body.description);
  }
}

const MULTICHANNEL_URL = /^(?:\/api\/v2)?\/users\/[^/?]*\/messages\/multiChannel(?:[/?]|$)/;

/** Whether a raw request URL is the multichannel endpoint's (or below it), for errors raised before routing. */
export function isMultiChannelUrl(url: string): boolean {
  return MULTICHANNEL_URL.test(url);
}

/** Answer every error in this plugin's scope (auth, content type, validation, faults) in the multichannel envelope. */
export function registerMultiChannelErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | BandwidthError, req, reply) => {
    const mapped = toBandwidthError(error, req);
    noteBandwidthRefusal(error, mapped, req);
    void reply.code(mapped.statusCode).headers(mapped.headers).send(multiChannelErrorBody(mapped, req));
  });
}
