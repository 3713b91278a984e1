// `bandwidth-emulator --version` (and -v): the version of the package the CLI runs from, read from its package.json
// (the built bundle, dist/bundle/cli.js: `npm test` builds first).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };

describe('CLI --version', () => {
  it.each(['--version', '-v'])('%s prints package.json version and exits 0 without starting', async (flag) => {
    const { stdout, stderr } = await run(process.execPath, ['bin/bandwidth-emulator.js', flag], { cwd: root, timeout: 15_000 });
    expect(stdout).toBe(`${version}\n`);
    expect(stderr).toBe('');
  });

  it('--help lists --version', async () => {
    const { stdout } = await run(process.execPath, ['bin/bandwidth-emulator.js', '--help'], { cwd: root, timeout: 15_000 });
    expect(stdout).toMatch(/^ {2}--version, -v +print the version$/m);
  });
});
