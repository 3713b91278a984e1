import { register } from 'node:module';
const t = performance.now();
await import('../dist/cli.js');
console.log('import', Math.round(performance.now() - t), 'ms');
