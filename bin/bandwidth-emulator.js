#!/usr/bin/env node
// Thin launcher: the CLI bundled into one file (dist/bundle/cli.js: `npm run build`, which `npm pack` and `npm start` run;
// scripts/build-cli.mjs says why one file).
import { main } from '../dist/bundle/cli.js';

main(process.argv.slice(2)).then((code) => {
  if (typeof code === 'number') process.exitCode = code;
});
