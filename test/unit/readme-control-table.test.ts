import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { createControlOperations } from '../../src/control/operations.js';
import { controlRouteTable } from '../../src/control/routes.js';
import { createEmulator } from '../../src/compose.js';

// The README's control API table is the user's map of /__emulator: every route the code registers must be in it, and
// it must name no route the code does not have. Routes are compared as `METHOD /path` with parameters as `{}`.

/** `GET /messages/{}` from a method and a path written either way (`:id` in the code, `{id}` in the README). */
const key = (method: string, path: string) => `${method} ${path.replace(/[:{][A-Za-z]+}?/g, '{}')}`;

/** The routes one table cell names: `GET/POST /scenarios`, `POST /reset[?accountId=]`, `GET /messages?accountId&to`... */
function cellRoutes(cell: string): string[] {
  const out: string[] = [];
  for (const [, methods, path] of cell.matchAll(/`((?:GET|POST|PUT|DELETE)(?:\/(?:GET|POST|PUT|DELETE))*) (\/[^`\s?[]*)/g)) {
    for (const method of methods!.split('/')) out.push(key(method, path!));
  }
  return out;
}

/** The routes named in the first column of the table under "## Control API and test kit". */
function readmeControlRoutes(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Control API and test kit'));
  const table = section.slice(section.indexOf('| Route | What |'));
  const rows = table.split('\n').slice(2);
  const body = rows.slice(
    0,
    rows.findIndex((line) => !line.startsWith('|')),
  );
  return body.flatMap((row) => cellRoutes(row.split(/(?<!\\)\|/)[1] ?? ''));
}

describe('README control API table', () => {
  const emulator = createEmulator(resolveConfig({ overrides: { logLevel: 'silent' } }));
  const table = controlRouteTable(createControlOperations(emulator), emulator);
  // Registered next to the table (not described by it): the OpenAPI document and the Prometheus metrics.
  const code = [...table.map((r) => key(r.method, r.url)), key('GET', '/openapi.json'), key('GET', '/metrics')];
  const documented = readmeControlRoutes();
  afterAll(() => emulator.close());

  it('reads the table (a sanity check on the parser)', () => {
    expect(documented).toContain('GET /health');
    expect(documented).toContain('DELETE /scenarios/{}');
    expect(documented).toContain('GET /callbacks');
  });

  it.each(code)('lists %s', (route) => {
    expect(documented, `README's control API table has no row for ${route}`).toContain(route);
  });

  it('lists no route the code does not have', () => {
    expect(documented.filter((route) => !code.includes(route))).toEqual([]);
  });
});
