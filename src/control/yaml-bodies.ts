import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_SCENARIO_FILE_BYTES } from '../scenarios/compile.js';

/** The media types a YAML body may be sent as (`application/yaml` is the registered one; the others are common). */
export const YAML_CONTENT_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'] as const;

// The routes that read a YAML body: the two that take a scenario document, which a file can hold as YAML.
const YAML_ROUTES = new Set(['POST /__emulator/scenarios', 'PUT /__emulator/scenarios/:name']);

/** Which routes read YAML, for the error of one that does not. */
export const YAML_ROUTES_TEXT = 'A YAML body is read by POST /__emulator/scenarios and PUT /__emulator/scenarios/{name} only';

/** A body sent as YAML text: the route hands the text to the scenario loader, which reads it as it reads a file. */
export class YamlBody {
  constructor(readonly text: string) {}
}

/** Whether a Content-Type header names one of the YAML media types (any parameters). */
export function isYamlContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return (YAML_CONTENT_TYPES as readonly string[]).includes(type);
}

/** Whether this request's route takes a YAML body (a scenario document). */
export function takesYaml(req: FastifyRequest): boolean {
  return YAML_ROUTES.has(`${req.method} ${req.routeOptions.url ?? ''}`);
}

/** A 415 for a YAML body sent to a route that reads only JSON. */
class YamlNotTaken extends Error {
  readonly statusCode = 415;
  readonly code = 'unsupported-media-type';
}

/**
 * Read YAML bodies as text on the control API's scope, at most MAX_SCENARIO_FILE_BYTES (a scenario file's bound),
 * for the routes that take them; any other route answers 415 naming the ones that do.
 */
export function registerYamlBodies(app: FastifyInstance): void {
  app.addContentTypeParser([...YAML_CONTENT_TYPES], { parseAs: 'string', bodyLimit: MAX_SCENARIO_FILE_BYTES }, (req, body, done) => {
    if (!takesYaml(req)) {
      done(
        new YamlNotTaken(
          `${req.method} ${req.url.split('?')[0]} takes JSON only: a YAML body is read by POST /__emulator/scenarios and PUT /__emulator/scenarios/{name}`,
        ),
      );
      return;
    }
    done(null, new YamlBody(body.toString()));
  });
}
