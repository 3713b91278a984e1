// Build what the package's `exports` point at beside the ESM tree that tsc wrote to dist/:
//   dist/index.d.ts         the ESM types, one file bundled from tsc's declarations in build/types/
//   dist/cjs/index.cjs      the library for require(): one CommonJS file
//   dist/cjs/index.d.cts    the same types for require() consumers
// Why a CommonJS build: jest's module loader (jest 29 with ts-jest, CommonJS) cannot require() an ES module, even
// on Node versions that can. Why bundled types: a .d.cts may not re-export the ESM .d.ts tree (TypeScript refuses a
// CommonJS file importing an ES module), and one file keeps the internals' paths out of the public types.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const root = new URL('../', import.meta.url);
const path = (relative) => new URL(relative, root).pathname;
const pkg = JSON.parse(await readFile(path('package.json'), 'utf8'));
const requireFromRoot = createRequire(path('package.json'));

/** Whether a dependency has a CommonJS entry that require() finds; ESM-only ones (nanoid, typebox) are bundled. */
function isRequireable(name) {
  let entry;
  try {
    entry = requireFromRoot.resolve(name);
  } catch {
    return false; // no `require` (or default CommonJS) condition in its exports
  }
  if (entry.endsWith('.mjs')) return false;
  if (entry.endsWith('.cjs')) return true;
  // A .js entry is CommonJS unless the dependency's package.json says "type": "module".
  return JSON.parse(readFileSync(path(`node_modules/${name}/package.json`), 'utf8')).type !== 'module';
}

const dependencies = Object.keys(pkg.dependencies ?? {});
const bundled = dependencies.filter((name) => !isRequireable(name));
// Optional peers (better-sqlite3, for --data-dir) are loaded on demand and never bundled.
const external = [...dependencies.filter((name) => !bundled.includes(name)), ...Object.keys(pkg.peerDependencies ?? {})];

await mkdir(path('dist/cjs'), { recursive: true });
await build({
  entryPoints: [path('dist/index.js')],
  outfile: path('dist/cjs/index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: ['node20'],
  external,
  // The sources use import.meta.url (createRequire, the inbox's assets): in CommonJS it is this file's URL.
  // dist/cjs/ is as deep as dist/api/, so relative URLs such as ../../dist/inbox/ still land in the package.
  define: { 'import.meta.url': '__bandwidthEmulatorFileUrl' },
  banner: { js: "const __bandwidthEmulatorFileUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'linked',
  logLevel: 'warning',
});

/** Bundle build/types/index.d.ts (tsc's declarations) into one file; dependencies stay imports. */
async function bundleTypes() {
  const bundle = await rollup({
    input: path('build/types/index.d.ts'),
    plugins: [dts({ respectExternal: false })],
    external: (id) => !id.startsWith('.') && !id.startsWith('/'),
    // A warning here is a type that did not bundle cleanly: fail the build rather than ship it.
    onwarn: (warning) => {
      throw new Error(`rollup-plugin-dts: ${warning.message}`);
    },
  });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  return output[0].code;
}

const types = await bundleTypes();
// The public types must not name an optional peer: a consumer without it (and skipLibCheck: false) would fail.
for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
  if (types.includes(`'${peer}'`) || types.includes(`"${peer}"`)) {
    throw new Error(`the public types import ${peer}, an optional peer dependency: keep its types out of src/index.ts's exports`);
  }
}
await writeFile(path('dist/index.d.ts'), types);
// In a .d.cts an import of an ESM-only package must be a type import with resolution-mode "import" (TypeScript
// 5.3+), else TypeScript refuses a CommonJS file importing an ES module (TS1479/TS1541).
let cjsTypes = types;
for (const name of bundled) {
  const from = new RegExp(`^import (?!type )(.*?) from '${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}';$`, 'gm');
  cjsTypes = cjsTypes.replace(from, `import type $1 from '${name}' with { 'resolution-mode': 'import' };`);
}
await writeFile(path('dist/cjs/index.d.cts'), cjsTypes);
