// Build the web inbox (ui/) into dist/inbox/: one bundled, minified script, its stylesheet and the page.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

const root = new URL('../', import.meta.url);
const out = new URL('dist/inbox/', root);
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL('ui/src/main.tsx', root).pathname],
  outfile: new URL('app.js', out).pathname,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(new URL('ui/styles.css', root), new URL('app.css', out));
await copyFile(new URL('ui/index.html', root), new URL('index.html', out));
