// Preloaded (node --import) before a README snippet runs: installs hooks.mjs.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
