import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createRequire } from 'node:module';
import type { Document } from 'yaml';
import { closestName } from './suggest.js';

// Loaded when a file is first parsed: a start with no config or scenario file never loads the YAML parser.
const require = createRequire(import.meta.url);
const loadYaml = () => require('yaml') as typeof import('yaml');

// ajv and ajv-formats are CommonJS; under NodeNext their callable is the default export's default.
const Ajv = AjvModule.default ?? AjvModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;

/** One problem found in a user's file or setting, with where it is and how to fix it. */
export interface Problem {
  source: string;
  field: string;
  problem: string;
  fix: string;
  line?: number;
}

/** A YAML/JSON text parsed with enough position data to point at a field's line. */
export interface LocatedDocument {
  value: unknown;
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
  syntaxProblems: Problem[];
}

/** Parse YAML or JSON text, keeping a way to find the line of any field path. */
export function parseLocated(text: string, source: string): LocatedDocument {
  const { LineCounter, parseDocument, isNode } = loadYaml();
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxProblems: Problem[] = doc.errors.map((error) => ({
    source,
    field: '(file)',
    // prettyErrors is off (it rewrites messages), so the line comes from the error's offset.
    line: error.linePos?.[0]?.line ?? lineCounter.linePos(error.pos[0]).line,
    problem: error.message.split('\n')[0] ?? error.message,
    fix: 'correct the YAML/JSON syntax at that line',
  }));
  let value: unknown;
  if (syntaxProblems.length === 0) {
    try {
      value = doc.toJS();
    } catch (error) {
      // yaml refuses alias bombs (billion laughs) while building the value: a problem in the file, not a crash.
      syntaxProblems.push({
        source,
        field: '(file)',
        problem: `cannot be read: ${(error as Error).message}`,
        fix: 'expand or remove the repeated YAML aliases (*name) and anchors (&name)',
      });
    }
  }
  return {
    value,
    syntaxProblems,
    lineOf(path) {
      // Walk up until a node exists: a missing field is reported at its parent's line.
      for (let depth = path.length; depth >= 0; depth--) {
        const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

/** A compiled JSON Schema check whose failures come back as located, fixable problems. */
export type SchemaCheck = (value: unknown, source: string, lineOf?: LocatedDocument['lineOf']) => Problem[];

/** Compile a JSON Schema (TypeBox output) into a checker that reports every problem with a fix. */
export function compileSchemaCheck(schema: object): SchemaCheck {
  // Compiled on first use: a start without scenario files never pays for the scenario schema (cold start).
  let validate: ValidateFunction | undefined;
  return (value, source, lineOf) => {
    if (!validate) {
      // Our own TypeBox schemas are trusted: checking them against the meta-schema would only cost start-up time.
      const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateSchema: false });
      addFormats(ajv);
      validate = ajv.compile(schema);
    }
    if (validate(value)) return [];
    return simplify(validate.errors ?? []).map((error) => describeAjvError(error, source, lineOf));
  };
}

// anyOf/oneOf failures repeat every branch's error; keep the summary and drop branch noise under the same path.
function simplify(errors: ErrorObject[]): ErrorObject[] {
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf' || !unionPaths.has(e.instancePath));
}

function pathSegments(instancePath: string): Array<string | number> {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Dotted field name from a path: `accounts[0].applications[1].callbackUrl`. */
export function fieldName(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '') || '(root)';
}

function describeAjvError(error: ErrorObject, source: string, lineOf?: LocatedDocument['lineOf']): Problem {
  const path = pathSegments(error.instancePath);
  const hint = (error.parentSchema as { description?: string } | undefined)?.description;
  let field = fieldName(path);
  let problem = error.message ?? 'is invalid';
  let fix = hint ? `expected ${hint}` : 'see the JSON Schema for this file';
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(error.params.additionalProperty);
      path.push(extra);
      field = fieldName(path);
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      problem = 'is not a known field';
      const near = closestName(extra, known);
      fix =
        near === undefined
          ? `remove it or check its spelling; known fields here: ${known.join(', ')}`
          : `did you mean '${near}'? Rename it, or remove it; known fields here: ${known.join(', ')}`;
      break;
    }
    case 'required': {
      const missing = String(error.params.missingProperty);
      field = fieldName([...path, missing]);
      problem = 'is required';
      fix = `add '${missing}'`;
      break;
    }
    case 'enum':
      problem = 'is not one of the allowed values';
      fix = `use one of: ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
      break;
    case 'const':
      fix = `use ${JSON.stringify(error.params.allowedValue)}`;
      break;
    case 'type':
      fix = `make it a ${String(error.params.type)}${hint ? ` (${hint})` : ''}`;
      break;
    case 'anyOf':
    case 'oneOf':
      problem = 'does not match any allowed form';
      break;
    case 'maxLength':
      problem = `is longer than ${String(error.params.limit)} characters`;
      fix = `shorten it to ${String(error.params.limit)} characters or fewer`;
      break;
    case 'maxItems':
      problem = `has more than ${String(error.params.limit)} items`;
      fix = `keep at most ${String(error.params.limit)}`;
      break;
  }
  return { source, field, problem, fix, line: lineOf?.(path) };
}
