// Bundle the compiled CLI (dist/cli.js and every dependency it loads at start-up) into one file,
// dist/bundle/cli.js, which bin/bandwidth-emulator.js runs. Why: a start from dist/ resolves, reads and compiles
// about 300 module files, which was most of the cold start to the first 202 (BENCHMARKS.md); one file is read and
// compiled once. dist/index.js and its modules stay as they are for the library and the test kit.
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
await build({
  entryPoints: [new URL('dist/cli.js', root).pathname],
  outfile: new URL('dist/bundle/cli.js', root).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: ['node20'],
  // Loaded on demand through createRequire (never at start-up), and better-sqlite3 is a native addon.
  external: ['better-sqlite3', 'pino-pretty', 'yaml', 're2js'],
  // CommonJS dependencies call require() for Node built-ins; an ES module has no require of its own.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  // No source map: the package ships no sources for it to point at (it was half of the tarball).
  sourcemap: false,
  legalComments: 'linked',
  logLevel: 'warning',
});
