import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const Ajv = AjvModule.default ?? AjvModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;

/**
 * Fastify's ajv, set up for an emulator of someone else's API: report every problem at once (allErrors), keep the
 * offending value (verbose) for the error text, never coerce or strip bodies (Bandwidth does not), but coerce
 * query strings, which arrive as text.
 */
export function bandwidthValidatorCompiler(): FastifySchemaCompiler<object> {
  // validateSchema off: the route schemas are our own, and checking them against the meta-schema costs cold start.
  const strictAjv = new Ajv({ allErrors: true, verbose: true, coerceTypes: false, useDefaults: false, strict: false, validateSchema: false });
  const queryAjv = new Ajv({ allErrors: true, verbose: true, coerceTypes: true, useDefaults: true, strict: false, validateSchema: false });
  addFormats(strictAjv);
  addFormats(queryAjv);
  return ({ schema, httpPart }) => {
    // Compiled on a route's first request, not at start-up: most routes (the control API, search, media) are never
    // called in a given run, and compiling them all cost ~50 ms of every cold start.
    const ajv = httpPart === 'querystring' ? queryAjv : strictAjv;
    let compiled: ValidateFunction | undefined;
    const validate = ((data: unknown) => {
      compiled ??= ajv.compile(schema);
      const valid = compiled(data) as boolean;
      // Fastify reads a failed validation's problems from the function it was given.
      validate.errors = compiled.errors;
      return valid;
    }) as ValidateFunction;
    validate.errors = null;
    return validate;
  };
}
