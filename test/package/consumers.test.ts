// `npm run test:package`: the package as users get it. Packs the built package once (npm pack), installs the tarball
// into an empty folder (no npm warning allowed; then its CLI, `validate` and the library from it) and into a temp copy
// of each runner fixture in test/fixtures/runners/ (jest 29 + ts-jest in CommonJS with the README's
// globalSetup/globalTeardown recipe, jest in ESM mode, vitest with the README's globalSetup recipe, node:test, and a
// strict TypeScript consumer), runs each and reads its own summary line. Needs the npm registry for the fixtures'
// own dependencies (jest, vitest, typescript, bandwidth-sdk), through npm's normal cache.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test/fixtures/runners');
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const work = mkdtempSync(join(tmpdir(), 'bw-emu-package-'));
let tarball = '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr, without colour codes. */
  output: string;
}

/** The environment of a consumer's shell: none of this test run's own npm, vitest or Node settings leak in. */
function consumerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', FORCE_COLOR: '0' };
  const kept = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|NODE_OPTIONS$|NODE_ENV$|TEST$|JEST_WORKER_ID$)/i.test(key) && !kept.has(key.toLowerCase())) continue;
    env[key] = value;
  }
  return env;
}

/** Run a command to its end (bounded by timeoutMs); never rejects, so the caller's assertion shows the output. */
function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: consumerEnv(), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      const killed = error && 'killed' in error && error.killed ? `\n[killed after ${timeoutMs} ms: it did not end by itself]` : '';
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
      const output = `${stdout}\n${stderr}${killed}`.replace(/\u001b\[[0-9;]*m/g, '');
      resolve({ code, stdout, stderr, output });
    });
  });
}

const npm = (args: readonly string[], cwd: string, timeoutMs = 240_000) => run('npm', args, cwd, timeoutMs);
const INSTALL = ['install', '--no-audit', '--no-fund'];

/** A temp copy of a runner fixture with the tarball installed beside its own dependencies. */
async function installFixture(fixture: string): Promise<string> {
  const dir = join(work, fixture);
  cpSync(join(fixtures, fixture), dir, { recursive: true });
  const installed = await npm([...INSTALL, tarball], dir);
  expect(installed.code, `npm install in ${fixture}:\n${installed.output}`).toBe(0);
  return dir;
}

beforeAll(async () => {
  for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.cjs', 'dist/cjs/index.d.cts', 'dist/bundle/cli.js']) {
    expect(existsSync(join(root, file)), `${file} is missing: run \`npm run build\` first (npm run test:package does)`).toBe(true);
  }
  // --ignore-scripts: prepack would build again; the build is fresh (test:package builds first).
  const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], root, 120_000);
  expect(packed.code, packed.output).toBe(0);
  const [info] = JSON.parse(packed.stdout) as Array<{
    filename: string;
    size: number;
    unpackedSize: number;
    entryCount: number;
    files: Array<{ path: string }>;
  }>;
  tarball = join(work, info!.filename);
  writeFileSync(join(work, 'pack.json'), JSON.stringify(info, null, 2));
  console.log(`tarball ${info!.filename}: ${info!.size} bytes, ${info!.unpackedSize} unpacked, ${info!.entryCount} files`);
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('holds what users need and nothing else', () => {
    const { files } = JSON.parse(readFileSync(join(work, 'pack.json'), 'utf8')) as { files: Array<{ path: string }> };
    const paths = files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'bin/bandwidth-emulator.js',
      'dist/bundle/cli.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cjs/index.cjs',
      'dist/cjs/index.d.cts',
      'dist/inbox/index.html',
      'scenarios/two-factor.yaml',
      'schema/config.schema.json',
      'schema/scenario.schema.json',
    ]) {
      expect(paths, needed).toContain(needed);
    }
    const unwanted = paths.filter(
      (p) =>
        p.endsWith('.map') || p.endsWith('.ts') !== p.endsWith('.d.ts') || /^(src|test|ui|bench|examples|scripts|docs|build)\//.test(p) || p === 'dist/cli.js',
    );
    expect(unwanted).toEqual([]);
    // The only declaration files are the two bundled ones: the internals' paths stay out of the public types.
    expect(paths.filter((p) => /\.d\.c?ts$/.test(p)).sort()).toEqual(['dist/cjs/index.d.cts', 'dist/index.d.ts']);
  });

  it('installs into an empty folder without one npm warning; its CLI, validate and library work', async () => {
    const dir = join(work, 'empty');
    mkdirSync(dir);
    const installed = await npm([...INSTALL, tarball], dir);
    expect(installed.code, installed.output).toBe(0);
    expect(installed.output.split('\n').filter((line) => /\bnpm (warn|WARN|ERR)/.test(line))).toEqual([]);
    expect(existsSync(join(dir, 'node_modules/better-sqlite3')), 'better-sqlite3 is an optional peer: not installed').toBe(false);

    const cli = join(dir, 'node_modules/.bin/bandwidth-emulator');
    const shown = await run(cli, ['--version'], dir, 30_000);
    expect(shown.stdout, shown.output).toBe(`${version}\n`);

    const bundled = join(dir, `node_modules/${name}/scenarios`);
    const valid = await run(cli, ['validate', join(bundled, 'two-factor.yaml'), join(bundled, 'opt-out.yaml')], dir, 30_000);
    expect(valid.code, valid.output).toBe(0);
    expect(valid.stdout.match(/^ok {2}.*\.yaml {2}\(\d+ rules, \d+ inbound\)$/gm), valid.output).toHaveLength(2);
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nrules:\n  - match: { to: 12 }\n');
    const invalid = await run(cli, ['validate', join(dir, 'bad.yaml')], dir, 30_000);
    expect(invalid.code, invalid.output).toBe(1);
    expect(invalid.stderr).toContain('bad.yaml');

    await expectCliServes(cli, dir);

    // The library, both ways, from the install: send a message over plain HTTP and wait for its callback event.
    const script = (load: string) => `${load}
const bw = await startEmulator();
const response = await fetch(bw.url + '/users/' + bw.account.id + '/messages', {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64') },
  body: JSON.stringify({ applicationId: bw.account.applicationId, from: '+19195550100', to: ['+19195551234'], text: 'hi' }),
});
const { id } = await response.json();
const entry = await bw.callbacks.waitFor({ type: 'message-delivered', messageId: id }, { timeoutMs: 5000 });
console.log(JSON.stringify({ status: response.status, type: entry.type, recipient: entry.recipient }));
await bw.close();
`;
    writeFileSync(join(dir, 'library.mjs'), script("import { startEmulator } from 'bandwidth-emulator';"));
    writeFileSync(join(dir, 'library.cjs'), `(async () => {\n${script("const { startEmulator } = require('bandwidth-emulator');")}})();\n`);
    for (const file of ['library.mjs', 'library.cjs']) {
      const ran = await run(process.execPath, [file], dir, 30_000);
      expect(ran.code, `${file}:\n${ran.output}`).toBe(0);
      expect(JSON.parse(ran.stdout), file).toEqual({ status: 202, type: 'message-delivered', recipient: '+19195551234' });
    }
  }, 300_000);
});

/** Start the installed CLI on a free port, read its URL from the banner, check health, stop it with SIGTERM. */
async function expectCliServes(cli: string, dir: string): Promise<void> {
  const child: ChildProcess = spawn(cli, ['--port', '0', '--log-level', 'warn'], { cwd: dir, env: consumerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${out}`)), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      exited.then((code) => reject(new Error(`the CLI exited (${code}) before its banner:\n${out}`)));
    });
    const health = await fetch(`${url}/__emulator/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited, out).toBe(0);
}

describe.concurrent('runner fixtures against the installed tarball', () => {
  // First: the slowest (a full type check of the package's types and everything they import, twice).
  it('a strict TypeScript consumer (skipLibCheck: false) compiles: node16 ESM and CommonJS, node10/CommonJS', async () => {
    const dir = await installFixture('ts-strict');
    const tsc = join(dir, 'node_modules/typescript/bin/tsc');
    const expected: Record<string, string[]> = {
      'tsconfig.node16.json': ['dist/index.d.ts', 'dist/cjs/index.d.cts'],
      'tsconfig.node10.json': ['dist/cjs/index.d.cts'],
    };
    const prefix = `node_modules/${name}/`;
    for (const [config, files] of Object.entries(expected)) {
      // --listFiles: every file the compiler read, one a line, after any error (tsc prints nothing else on success).
      const compiled = await run(process.execPath, [tsc, '-p', config, '--listFiles'], dir, 120_000);
      expect(compiled.code, `${config}:\n${compiled.output}`).toBe(0);
      const lines = compiled.stdout.split('\n').filter((line) => line.trim() !== '');
      expect(
        lines.filter((line) => !line.startsWith('/')),
        config,
      ).toEqual([]);
      // Which of the package's declaration files this resolution mode read.
      const read = lines.filter((line) => line.includes(prefix)).map((line) => line.slice(line.indexOf(prefix) + prefix.length));
      expect(read.sort(), config).toEqual([...files].sort());
    }
  }, 360_000);

  it('jest 29 + ts-jest, CommonJS, with the globalSetup/globalTeardown recipe: passes and exits by itself', async () => {
    const dir = await installFixture('jest-cjs');
    // No --forceExit: a recipe that leaves the emulator open makes jest hang, and the timeout kills it (a failure).
    const result = await npm(['test'], dir, 120_000);
    expect(result.code, result.output).toBe(0);
    expect(result.output, result.output).toMatch(/^Test Suites:\s+2 passed, 2 total$/m);
    expect(result.output, result.output).toMatch(/^Tests:\s+2 passed, 2 total$/m);
    expect(result.output).not.toMatch(/did not exit/);
  }, 360_000);

  it('jest 29 in ESM mode (--experimental-vm-modules): passes', async () => {
    const dir = await installFixture('jest-esm');
    const result = await npm(['test'], dir, 120_000);
    expect(result.code, result.output).toBe(0);
    expect(result.output, result.output).toMatch(/^Tests:\s+1 passed, 1 total$/m);
  }, 360_000);

  it('vitest 4 with the globalSetup recipe: passes', async () => {
    const dir = await installFixture('vitest');
    const result = await npm(['test'], dir, 120_000);
    expect(result.code, result.output).toBe(0);
    expect(result.output, result.output).toMatch(/^\s*Test Files\s+2 passed \(2\)$/m);
    expect(result.output, result.output).toMatch(/^\s*Tests\s+2 passed \(2\)$/m);
  }, 360_000);

  it('node:test, require() and import: passes', async () => {
    const dir = await installFixture('node-test');
    const result = await npm(['test'], dir, 120_000);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout, result.output).toMatch(/^# pass 2$/m);
    expect(result.stdout, result.output).toMatch(/^# fail 0$/m);
  }, 360_000);
});
