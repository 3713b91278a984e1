// The package from CommonJS: runs test/fixtures/cjs-consumer/consumer.test.cjs under Node's own test runner, in a
// child process, so require('bandwidth-emulator') goes through the package's `exports` to the built dist/ exactly as
// it would in a CommonJS project (it needs the build: `npm test` runs it first).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('CommonJS consumer', () => {
  it('require()s the package, sends through bandwidth-sdk and sees the delivered callback (node --test)', async () => {
    expect(existsSync(`${root}dist/index.js`), 'dist/index.js is missing: run `npm run build` first').toBe(true);
    // TAP output: the stable, line-oriented reporter (the default one depends on whether stdout is a terminal).
    const result = await run(process.execPath, ['--test', '--test-reporter=tap', 'test/fixtures/cjs-consumer/consumer.test.cjs'], {
      cwd: root,
      timeout: 30_000,
      env: { ...process.env, NODE_OPTIONS: '' }, // the parent's loader flags, if any, are not the consumer's
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
    );
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(0);
    expect(result.stdout, output).toMatch(/^# tests 1$/m);
    expect(result.stdout, output).toMatch(/^# pass 1$/m);
    expect(result.stdout, output).toMatch(/^# fail 0$/m);
    expect(result.stdout, output).toMatch(/^ok 1 - require\(\) the emulator/m);
  });
});
