import Negotiator from 'negotiator';
import type { FastifyInstance } from 'fastify';
import { bandwidthErrors } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The media types an operation's answers can be sent as; the Accept check refuses a request that accepts none. */
    produces?: readonly string[];
  }
}

/** What the JSON operations answer with (errors and 204s included): the type Fastify's serializer writes. */
export const JSON_TYPES: readonly string[] = ['application/json; charset=utf-8'];

/**
 * What a 204 operation (uploadMedia, deleteMedia) takes: its success has no body, its errors are JSON, and the
 * official SDK's own media test uploads with `Accept: text/plain` (bandwidth-sdk tests/unit/api/media-api.test.ts).
 */
export const NO_CONTENT_TYPES: readonly string[] = [...JSON_TYPES, 'text/plain'];

/** The type of `offered` the Accept header prefers (q-values, wildcards and parameters honoured); undefined when it accepts none. */
export function negotiate(accept: string | undefined, offered: readonly string[]): string | undefined {
  // No Accept (or an empty one) means anything is acceptable (RFC 9110 §12.5.1).
  if (accept === undefined || accept.trim() === '') return offered[0];
  // negotiator parses in one pass and scores each offered type against every range: linear in the header, which
  // Node's 16 KB header limit bounds (a few thousand ranges), so a hostile Accept costs a millisecond or so.
  return new Negotiator({ headers: { accept } }).mediaType(offered as string[]);
}

/**
 * The 406 check, in the calling scope, for every route whose config names what it `produces`: after auth (onRequest)
 * and the content-type check (415, while parsing), before validation and scenario faults, as Bandwidth's gateway
 * would order them (README "Content negotiation"). getMedia negotiates in its handler, against the stored type.
 */
export function registerAcceptCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const produces = req.routeOptions.config.produces;
    if (produces === undefined) return;
    const accept = req.headers.accept;
    if (negotiate(accept, produces) !== undefined) return;
    throw bandwidthErrors.notAcceptable(shortAccept(accept), produces);
  });
}

/** An Accept value short enough to quote in an error (the header may be 16 KB). */
export function shortAccept(accept: string | undefined): string {
  const value = accept ?? '';
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}
