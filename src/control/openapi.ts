import type { FastifyReply, FastifyRequest } from 'fastify';
import { openApi30Schema } from './openapi-schema.js';
import { YAML_CONTENT_TYPES } from './yaml-bodies.js';
import { ControlError } from './schemas.js';

/** One control route: what registers it and what documents it. */
export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  querystring?: { properties?: Record<string, unknown> };
  /** The path parameters' schema, when they are bounded (the others are documented as plain strings). */
  params?: { properties?: Record<string, unknown> };
  body?: object;
  /** The 200 body's schema, for the document (the route does not serialise with it). */
  response?: object;
  /** When the route answers 404: what was not found. */
  notFound?: string;
  bodyDescription?: string;
  /** The body may also be YAML (a scenario document). */
  yamlBody?: boolean;
  stream?: boolean;
  /** The success body's content type when it is text, not JSON (the CA certificate: application/x-pem-file). */
  textType?: string;
  /** The success status, when not the one buildControlOpenApi assigns by method. */
  status?: number;
  /** The route's own error answers beyond the shared ones: status → description. */
  errors?: Record<string, string>;
  /** The body may be left out (it is then `{}`). */
  optionalBody?: boolean;
  /** The body cap, when not Fastify's 1 MiB. */
  bodyLimit?: number;
  handler: (req: FastifyRequest<never>, reply: FastifyReply) => unknown;
}

/** The control API's OpenAPI 3.0 document, built from the same table that registers the routes. */
export function buildControlOpenApi(routes: readonly ControlRoute[]): Record<string, unknown> {
  const errorSchema = openApi30Schema(ControlError);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = '/__emulator' + route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const pathParams = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => {
      const schema = route.params?.properties?.[m[1]!];
      return { name: m[1], in: 'path', required: true, schema: schema ? openApi30Schema(schema) : { type: 'string' } };
    });
    const queryParams = Object.entries(route.querystring?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema: openApi30Schema(schema),
    }));
    const operation: Record<string, unknown> = {
      summary: route.summary,
      operationId: `${route.method.toLowerCase()}${route.url.replace(/[/:]+(\w)/g, (_m, c: string) => c.toUpperCase())}` || 'root',
      parameters: [...pathParams, ...queryParams],
      responses: {
        [route.status !== undefined
          ? String(route.status)
          : route.method === 'POST' && (route.url === '/inbound' || route.url === '/scenarios')
            ? '201'
            : route.method === 'DELETE' || route.url === '/reset'
              ? '204'
              : '200']: {
          description: 'OK',
          content: route.stream
            ? { 'text/event-stream': { schema: { type: 'string' } } }
            : route.textType
              ? { [route.textType]: { schema: { type: 'string' } } }
              : { 'application/json': { schema: route.response ? openApi30Schema(route.response) : { type: 'object' } } },
        },
        '400': { description: 'Bad request', content: { 'application/json': { schema: errorSchema } } },
        ...(route.notFound ? { '404': { description: route.notFound, content: { 'application/json': { schema: errorSchema } } } } : {}),
        '401': {
          description: 'The control token is missing or wrong (only when one is configured)',
          content: { 'application/json': { schema: errorSchema } },
        },
        ...(route.method !== 'GET'
          ? {
              '403': {
                description: 'Refused: sent by a page of another site (Origin, Sec-Fetch-Site)',
                content: { 'application/json': { schema: errorSchema } },
              },
            }
          : {}),
        ...(route.method === 'POST' || route.yamlBody
          ? {
              '415': {
                description: route.yamlBody
                  ? 'Refused: the body must be JSON or YAML (Content-Type application/json, application/yaml, text/yaml or application/x-yaml)'
                  : 'Refused: a POST must send Content-Type: application/json, also with no body',
                content: { 'application/json': { schema: errorSchema } },
              },
            }
          : {}),
        '421': {
          description: 'Refused: the Host header names a host this emulator does not answer to (--allowed-hosts)',
          content: { 'application/json': { schema: errorSchema } },
        },
        ...(route.stream || route.url === '/callbacks'
          ? {
              '503': {
                description: route.stream ? 'Too many event streams are open' : 'The emulator is shutting down',
                content: { 'application/json': { schema: errorSchema } },
              },
            }
          : {}),
        ...Object.fromEntries(
          Object.entries(route.errors ?? {}).map(([status, description]) => [
            status,
            { description, content: { 'application/json': { schema: errorSchema } } },
          ]),
        ),
        ...(route.url === '/callbacks'
          ? { '408': { description: 'wait timed out; the body says what the journal held', content: { 'application/json': { schema: errorSchema } } } }
          : {}),
      },
    };
    if (route.body || route.bodyDescription) {
      operation.requestBody = {
        required: !route.optionalBody,
        description: route.bodyDescription,
        content: {
          'application/json': { schema: route.body ? openApi30Schema(route.body) : { type: 'object' } },
          ...(route.yamlBody ? Object.fromEntries(YAML_CONTENT_TYPES.map((type) => [type, { schema: { type: 'string' } }])) : {}),
        },
      };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  paths['/__emulator/metrics'] = {
    get: {
      summary: 'Prometheus metrics: messages by outcome, callbacks by result, retry queue, store sizes and evictions, callback latency',
      operationId: 'getMetrics',
      responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  };
  paths['/__emulator/openapi.json'] = { get: { summary: 'This document', operationId: 'getOpenApi', responses: { '200': { description: 'OK' } } } };
  return {
    openapi: '3.0.3',
    info: {
      title: 'bandwidth-emulator control API',
      version: '1',
      description:
        'Inspect and drive the emulator from tests: messages, callback journal, inbound, scenarios, reset, time, events. Every POST sends Content-Type: application/json, also with no body.',
    },
    paths,
    components: { securitySchemes: { controlToken: { type: 'http', scheme: 'bearer', description: 'only when control.token is configured' } } },
  };
}
