// Writes docs/error-codes.md from the error table in src/error-codes.ts (run after a build: npm run docs:error-codes).
import { writeFileSync } from 'node:fs';
import { errorCodesMarkdown } from '../dist/error-codes-doc.js';

writeFileSync(new URL('../docs/error-codes.md', import.meta.url), errorCodesMarkdown());
