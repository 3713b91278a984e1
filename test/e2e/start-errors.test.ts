// Start-up errors name their real cause: a port in use, a host that does not resolve or is not this machine's, a
// privileged port; a corrupt state file, a folder path through a file, no permission, a read-only or full disk. What
// this machine can produce is produced for real through the CLI; the rest goes through the same explaining functions.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { explainListenError } from '../../src/http/listen-error.js';
import { explainDataDirError } from '../../src/persistence/data-dir-errors.js';
import { startEmulator } from '../../src/start.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-start-errors-'));
  folders.push(dir);
  return dir;
};

/** Run the CLI until it exits (it fails before listening, or the test fails on the timeout). */
function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/bandwidth-emulator.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolveRun) => child.once('exit', (code) => resolveRun({ code, stderr })));
}

describe('listen errors through the CLI', () => {
  it('a port in use: pick another --port', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = (busy.address() as { port: number }).port;
      const run = await cli(['--port', String(port)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is already in use. Fix: pick another --port`);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('a host name that does not resolve: not a port problem', async () => {
    const run = await cli(['--host', 'no-such-host.invalid', '--port', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the host name no-such-host.invalid does not resolve to an address. Fix: give --host an IP address');
    expect(run.stderr).not.toContain('pick another --port');
  });

  it("an address that is not this machine's (TEST-NET 192.0.2.1)", async () => {
    const run = await cli(['--host', '192.0.2.1', '--port', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('192.0.2.1 is not an address of this machine. Fix: use 127.0.0.1');
  });

  it('each code its own text (privileged port, permissions, no IPv6, DNS down, the rest)', () => {
    const err = (code: string) => Object.assign(new Error(`listen ${code}`), { code });
    expect(explainListenError(err('EACCES'), '0.0.0.0', 80)).toContain(
      'ports below 1024 need privileges this user does not have. Fix: use a port of 1024 or more',
    );
    expect(explainListenError(err('EACCES'), '0.0.0.0', 8080)).toContain('this user is not allowed to (EACCES)');
    expect(explainListenError(err('EAFNOSUPPORT'), '::', 4010)).toContain('no IPv6');
    expect(explainListenError(err('EAI_AGAIN'), 'emulator', 4010)).toContain('could not be resolved right now (DNS did not answer)');
    expect(explainListenError(err('EWHATEVER'), '127.0.0.1', 4010)).toContain('(EWHATEVER: listen EWHATEVER). Fix: check --host and --port');
  });
});

describe('data dir errors', () => {
  it('junk in the state file: corrupt, move it away (was: "give a folder this user can create and write")', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'emulator.sqlite'), 'this is not a database, just text that looks like one: SQLite format 3 '.repeat(100));
    const run = await cli(['--port', '0', '--data-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(dir, 'emulator.sqlite')} is corrupt or not an emulator state file (SQLITE_NOTADB`);
    expect(run.stderr).toContain(`Fix: move it away to start empty (mv ${join(dir, 'emulator.sqlite')}`);
    expect(run.stderr).not.toContain('this user can create and write');
  });

  it('a state file damaged after its first page: corrupt, move it away', async () => {
    const dir = tempDir();
    const first = await startEmulator({ dataDir: dir });
    for (let i = 0; i < 50; i++) await first.inbound({ from: '+19195557001', to: ['+19195550100'], text: `message ${i} ${'x'.repeat(500)}` });
    await first.close();
    const file = join(dir, 'emulator.sqlite');
    const bytes = readFileSync(file);
    expect(statSync(file).size).toBeGreaterThan(8192);
    // Keep the first page (header and schema) and overwrite the rest: the tables' pages are junk.
    bytes.fill(0x5a, 4096);
    writeFileSync(file, bytes);
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    const run = await cli(['--port', '0', '--data-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is corrupt or not an emulator state file \(SQLITE_(CORRUPT|NOTADB)/);
    // Found when the file is opened, or when its rows are read: either way the fix is to move it away.
    expect(run.stderr).toMatch(/move (it|the file) away to start empty/);
    expect(run.stderr).not.toContain('this user can create and write');
  });

  it('a folder path that runs through a file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), 'x');
    const run = await cli(['--port', '0', '--data-dir', join(dir, 'a-file', 'state')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(dir, 'a-file', 'state')}, or a folder on its path, is a file (ENOTDIR: not a directory`);
  });

  it('each code its own text: permissions, read-only, disk full, locked, I/O', () => {
    const err = (code: string, message = `${code}: failed`) => Object.assign(new Error(message), { code });
    const explain = (code: string) => explainDataDirError(err(code), '/data', '/data/emulator.sqlite');
    expect(explain('EACCES')).toEqual({
      problem: 'this user may not create or write /data (EACCES: failed)',
      fix: expect.stringContaining('check its owner and mode'),
    });
    expect(explain('SQLITE_READONLY').problem).toContain('may not create or write /data/emulator.sqlite');
    expect(explain('EROFS').problem).toContain('read-only file system');
    expect(explain('EROFS').fix).toContain('without :ro');
    expect(explain('ENOSPC').problem).toContain('is full');
    expect(explain('SQLITE_FULL').problem).toContain('is full');
    expect(explain('SQLITE_BUSY').problem).toContain('locked by another process');
    expect(explain('SQLITE_IOERR_WRITE').problem).toContain('failed at the disk');
    expect(explain('SQLITE_CORRUPT_VTAB').problem).toContain('is corrupt');
    for (const code of ['EACCES', 'EROFS', 'ENOSPC', 'SQLITE_BUSY']) expect(explain(code).problem, code).not.toContain('corrupt');
  });
});
