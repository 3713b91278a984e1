// The package from CommonJS and from an ES module, against this repository's build: the node:test fixture
// (test/fixtures/runners/node-test/) run in a temp folder whose node_modules links to this package, so
// require('bandwidth-emulator') goes through the package's `exports` to dist/cjs/index.cjs and import to dist/index.js
// as in a consumer's project (it needs the build: `npm test` runs it first). `npm run test:package` runs the same
// fixture, and the other runners', against the packed tarball.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const project = mkdtempSync(join(tmpdir(), 'bw-emu-consumer-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('CommonJS and ESM consumers of the build', () => {
  it('require()s and imports the package, sends through bandwidth-sdk and sees the delivered callbacks (node --test)', async () => {
    for (const file of ['dist/index.js', 'dist/cjs/index.cjs'])
      expect(existsSync(join(root, file)), `${file} is missing: run \`npm run build\` first`).toBe(true);
    cpSync(join(root, 'test/fixtures/runners/node-test'), project, { recursive: true });
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(root, join(project, 'node_modules/bandwidth-emulator'), 'dir');
    symlinkSync(join(root, 'node_modules/bandwidth-sdk'), join(project, 'node_modules/bandwidth-sdk'), 'dir');
    // TAP output: the stable, line-oriented reporter (the default one depends on whether stdout is a terminal).
    const result = await run(process.execPath, ['--test', '--test-reporter=tap', 'test/require.test.cjs', 'test/import.test.mjs'], {
      cwd: project,
      timeout: 30_000,
      env: { ...process.env, NODE_OPTIONS: '' }, // the parent's loader flags, if any, are not the consumer's
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
    );
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(0);
    expect(result.stdout, output).toMatch(/^# tests 2$/m);
    expect(result.stdout, output).toMatch(/^# pass 2$/m);
    expect(result.stdout, output).toMatch(/^# fail 0$/m);
    expect(result.stdout, output).toMatch(/^ok \d - require\(\) the emulator/m);
    expect(result.stdout, output).toMatch(/^ok \d - import the emulator/m);
  });
});
