// `bandwidth-emulator ca` (src/proxy/ca-command.ts): the CA made once in the folder the config names, the words that
// say where it is and how to trust it, --path and --pem for scripts, and a folder it cannot use as exit 2 with the fix.
// Called as a function (the CLI bundle needs `npm run build`); main() once for the wiring, the built CLI when dist exists.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, parseFlags } from '../../src/cli.js';
import { caCommand, type CaOutput } from '../../src/proxy/ca-command.js';
import { CA_CERT_FILE, CA_KEY_FILE } from '../../src/proxy/certificate-authority.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const freshDir = () => join(mkdtempSync(join(tmpdir(), 'bwe-ca-cmd-')), 'ca');

/** Run the command as the CLI would, with `argv` after `ca`; what it printed and its exit code. */
async function ca(argv: string[], env: Record<string, string | undefined> = {}) {
  const parsed = parseFlags(['ca', ...argv]);
  let stdout = '';
  let stderr = '';
  const code = await caCommand({ flags: parsed.flags, env }, (parsed.caOutput ?? 'all') as CaOutput, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('bandwidth-emulator ca', () => {
  it('creates the CA in --ca-dir, private to its owner, and prints its path, key, fingerprint, the proxy line and every stack', async () => {
    const dir = freshDir();
    const first = await ca(['--ca-dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const certPath = join(dir, CA_CERT_FILE);
    const keyPath = join(dir, CA_KEY_FILE);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(certPath).mode & 0o777).toBe(0o644);
    const cert = new X509Certificate(readFileSync(certPath));
    expect(first.stdout).toContain('(created now)');
    expect(first.stdout).toContain(`certificate   ${certPath}`);
    expect(first.stdout).toContain(`private key   ${keyPath}   (mode 0600`);
    expect(first.stdout).toContain(`SHA-256       ${cert.fingerprint256}`);
    expect(first.stdout).toContain('HTTPS_PROXY=http://127.0.0.1:4010');
    for (const line of [
      `export NODE_EXTRA_CA_CERTS=${certPath}`,
      `export REQUESTS_CA_BUNDLE=${certPath}`,
      `export SSL_CERT_FILE=${certPath}`,
      `keytool -importcert -noprompt -alias bandwidth-emulator -file ${certPath}`,
      '-Djavax.net.ssl.trustStore=emulator-truststore.p12',
      '-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=4010',
      `--cacert ${certPath}`,
      `curl.cainfo=${certPath}`,
      `certutil -user -addstore Root ${certPath}`,
      'update-ca-certificates',
      `security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${certPath}`,
      // How to take the trust back, with the identifiers each store finds the certificate by.
      'unset NODE_EXTRA_CA_CERTS',
      'keytool -delete -alias bandwidth-emulator',
      `certutil -delstore Root ${cert.serialNumber}`,
      `security delete-certificate -Z ${cert.fingerprint.replace(/:/g, '')}`,
      'update-ca-certificates --fresh',
      'readable by other users is warned about',
    ]) {
      expect(first.stdout, line).toContain(line);
    }
    // A second run loads the same CA: nothing is made again.
    const second = await ca(['--ca-dir', dir]);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('(created now)');
    expect(second.stdout).toContain(cert.fingerprint256);
    expect(new X509Certificate(readFileSync(certPath)).fingerprint256).toBe(cert.fingerprint256);
  });

  it('--path prints only the certificate path, --pem only the certificate, byte for byte the file', async () => {
    const dir = freshDir();
    const path = await ca(['--ca-dir', dir, '--path']);
    expect(path).toEqual({ code: 0, stdout: `${join(dir, CA_CERT_FILE)}\n`, stderr: '' });
    const pem = await ca(['--pem', '--ca-dir', dir]);
    expect(pem.code).toBe(0);
    expect(pem.stdout).toBe(readFileSync(join(dir, CA_CERT_FILE), 'utf8'));
    expect(pem.stdout).not.toContain('PRIVATE KEY');
    expect(new X509Certificate(pem.stdout).ca).toBe(true);
    expect(() => parseFlags(['ca', '--path', '--pem'])).toThrow(/--path or --pem, not both/);
  });

  it('finds the folder as the emulator does: BW_EMULATOR_CA_DIR, then the config file (relative to it), --ca-dir over both', async () => {
    const fromEnv = freshDir();
    expect((await ca(['--path'], { BW_EMULATOR_CA_DIR: fromEnv })).stdout).toBe(`${join(fromEnv, CA_CERT_FILE)}\n`);
    const project = mkdtempSync(join(tmpdir(), 'bwe-ca-cfg-'));
    const file = join(project, 'emulator.yaml');
    writeFileSync(file, 'proxy:\n  caDir: ./certs\n');
    expect((await ca(['--config', file, '--path'])).stdout).toBe(`${join(project, 'certs', CA_CERT_FILE)}\n`);
    const flag = freshDir();
    expect((await ca(['--config', file, '--ca-dir', flag, '--path'], { BW_EMULATOR_CA_DIR: fromEnv })).stdout).toBe(`${join(flag, CA_CERT_FILE)}\n`);
  });

  it('names the proxy where it listens: --proxy-port, else --port; and says so when proxy mode is off', async () => {
    const dir = freshDir();
    expect((await ca(['--ca-dir', dir, '--port', '5000'])).stdout).toContain('HTTPS_PROXY=http://127.0.0.1:5000');
    const own = (await ca(['--ca-dir', dir, '--port', '5000', '--proxy-port', '4020'])).stdout;
    expect(own).toContain('HTTPS_PROXY=http://127.0.0.1:4020');
    expect(own).toContain('-Dhttps.proxyPort=4020');
    const off = (await ca(['--ca-dir', dir, '--proxy=false'])).stdout;
    expect(off).toContain('Proxy: off');
    expect(off).not.toContain('HTTPS_PROXY=');
  });

  it('warns about a key other users can read, on stdout in full and on stderr with --path (stdout stays the path)', async () => {
    const dir = freshDir();
    await ca(['--ca-dir', dir, '--path']);
    const keyPath = join(dir, CA_KEY_FILE);
    chmodSync(keyPath, 0o644);
    const full = await ca(['--ca-dir', dir]);
    expect(full.stdout).toContain(`WARNING       ${keyPath} is readable by other users (mode 644): run chmod 600 ${keyPath}`);
    const path = await ca(['--ca-dir', dir, '--path']);
    expect(path.stdout).toBe(`${join(dir, CA_CERT_FILE)}\n`);
    expect(path.stderr).toContain(`warning: ${keyPath} is readable by other users`);
  });

  it('a folder it cannot create, or a damaged one, is exit 2 naming the folder, proxy.caDir and the fix; nothing is printed on stdout', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'bwe-ca-bad-'));
    // A file where a folder must be: no permission bit can stop root, this stops everyone.
    writeFileSync(join(parent, 'file'), 'x');
    const blocked = join(parent, 'file', 'ca');
    const unwritable = await ca(['--ca-dir', blocked]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stdout).toBe('');
    expect(unwritable.stderr).toContain(
      `${blocked}: proxy.caDir: the CA cannot be created or read here (ENOTDIR). Fix: give --ca-dir (BW_EMULATOR_CA_DIR) a folder you can write`,
    );

    const damaged = freshDir();
    await ca(['--ca-dir', damaged, '--path']);
    writeFileSync(join(damaged, CA_CERT_FILE), '-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n');
    const garbled = await ca(['--ca-dir', damaged, '--pem']);
    expect(garbled.code).toBe(2);
    expect(garbled.stdout).toBe('');
    expect(garbled.stderr).toContain(`${join(damaged, CA_CERT_FILE)}: proxy.caDir: cannot be parsed`);
    expect(garbled.stderr).toContain(`Fix: delete ${damaged} and a new CA is made on next use`);

    // A folder where ca.pem should be: cannot be read at all, still the same kind of answer.
    const odd = freshDir();
    await ca(['--ca-dir', odd, '--path']);
    rmSync(join(odd, CA_CERT_FILE));
    mkdirSync(join(odd, CA_CERT_FILE));
    const unreadable = await ca(['--ca-dir', odd]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain(`${join(odd, CA_CERT_FILE)}: proxy.caDir: cannot be read (EISDIR). Fix: delete ${odd}`);

    // A bad flag value is the same exit code as any configuration error.
    const badPort = await ca(['--ca-dir', odd, '--port', 'nope']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port');
  });

  it('main() runs it: `ca --path` exits 0 with the path; an unknown command suggests ca', async () => {
    const dir = freshDir();
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    expect(await main(['ca', '--ca-dir', dir, '--path'])).toBe(0);
    expect(out).toBe(`${join(dir, CA_CERT_FILE)}\n`);
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err += String(chunk);
      return true;
    });
    expect(await main(['caa'])).toBe(2);
    expect(err).toContain("did you mean 'ca'?");
  });

  it.skipIf(!existsSync(join(ROOT, 'dist/bundle/cli.js')))('the built CLI: node bin/bandwidth-emulator.js ca --pem prints the certificate', () => {
    const dir = freshDir();
    const ran = spawnSync(process.execPath, [join(ROOT, 'bin/bandwidth-emulator.js'), 'ca', '--ca-dir', dir, '--pem'], { encoding: 'utf8', timeout: 20_000 });
    expect(ran.status).toBe(0);
    expect(ran.stdout).toBe(readFileSync(join(dir, CA_CERT_FILE), 'utf8'));
  });
});
