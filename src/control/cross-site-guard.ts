import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noteRefusal } from '../http/refusals.js';
import { isYamlContentType, takesYaml, YAML_ROUTES_TEXT } from './yaml-bodies.js';

// Methods that change nothing: a cross-site page may send them, but the answer is not readable to it (no CORS).
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The error of a state-changing control request sent by another site's page (or marked so by the browser). */
export const CROSS_SITE_REFUSED = 'cross-site-request';

/** The error of a control POST that is not JSON: what any web page can send without the browser asking first. */
export const NOT_JSON_REFUSED = 'unsupported-media-type';

/** Whether a Content-Type header names JSON (`application/json`, any parameters). */
function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && header.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** The host:port an Origin header names, lower case; undefined for `null` or an unparsable value. */
function originHost(origin: string): string | undefined {
  if (!URL.canParse(origin)) return undefined;
  const url = new URL(origin);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : undefined;
}

/** The Host header without a default port, lower case: an Origin leaves :80 and :443 out. */
const requestHost = (req: FastifyRequest) => (req.headers.host ?? '').toLowerCase().replace(/:(80|443)$/, '');

/**
 * Why a state-changing control request must be refused, or undefined when it may go on. A web page on another site
 * can make the browser send a "simple" request (POST with a form or text body, or none) without asking the server
 * first (no CORS preflight), so such a page could reset or flush the emulator. Refused, for POST, PUT, PATCH and
 * DELETE under /__emulator:
 * - a browser's own word that the request is not same-origin (`Sec-Fetch-Site: cross-site` or `same-site`);
 * - an `Origin` that is not this emulator's (the Host it was reached by, or the public URL's), or `null`;
 * - a POST whose Content-Type is not application/json, or that has none, even with no body: browsers never send JSON
 *   cross-site without a preflight, and curl, the SDK client and the inbox send it. A route that takes a scenario
 *   also takes YAML (application/yaml, text/yaml, application/x-yaml): not a CORS-safelisted type either, so a
 *   browser asks first, and the control API never answers a preflight with permission.
 * A request without Origin and Sec-Fetch-Site (curl, SDKs, any non-browser client) only meets the last rule.
 */
function crossSiteRefusal(req: FastifyRequest, publicHost: string | undefined): { status: number; error: string; message: string; reason: string } | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return {
      status: 403,
      error: CROSS_SITE_REFUSED,
      reason: `the browser marks it Sec-Fetch-Site: ${site.slice(0, 50)}`,
      message: `refused a ${req.method} the browser marks Sec-Fetch-Site: ${site}: the control API changes state only for this emulator's own pages and for non-browser clients (curl, SDKs, the library)`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const host = originHost(origin);
    if (host === undefined || (host !== requestHost(req) && host !== publicHost)) {
      return {
        status: 403,
        error: CROSS_SITE_REFUSED,
        reason: `Origin ${origin.slice(0, 200)} is not this emulator's`,
        message: `refused a ${req.method} from the page at Origin ${origin.slice(0, 200)}: the control API changes state only for this emulator's own pages and for non-browser clients (curl, SDKs, the library)`,
      };
    }
  }
  const type = req.headers['content-type'];
  if (req.method === 'POST' && !isJsonContentType(type) && !(isYamlContentType(type) && takesYaml(req))) {
    return {
      status: 415,
      error: NOT_JSON_REFUSED,
      reason: `a POST without Content-Type: application/json (got ${req.headers['content-type'] ? `'${req.headers['content-type'].slice(0, 100)}'` : 'none'})`,
      message: `a POST to the control API must send Content-Type: application/json, also with no body (got ${req.headers['content-type'] ? `'${req.headers['content-type'].slice(0, 100)}'` : 'none'}): any web page can make a browser send other types without asking. With curl: -H 'content-type: application/json'${isYamlContentType(type) ? `. ${YAML_ROUTES_TEXT}` : ''}`,
    };
  }
  return undefined;
}

/**
 * Register the cross-site guard on the control API's scope, and let a JSON POST have an empty body (Fastify refuses
 * `Content-Type: application/json` with no body; here it means "no body", as for POST /reset).
 */
export function registerCrossSiteGuard(app: FastifyInstance, publicUrl: string | undefined): void {
  const publicHost = publicUrl ? new URL(publicUrl).host.toLowerCase() : undefined;
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const refused = crossSiteRefusal(req, publicHost);
    if (!refused) return;
    noteRefusal(req, `cross-site guard: ${refused.reason}`);
    return reply.code(refused.status).send({ error: refused.error, message: refused.message });
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body.toString();
    if (text === '') return done(null, undefined);
    parseJson(req, text, done);
  });
}
