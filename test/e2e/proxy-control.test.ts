// GET /__emulator/proxy and GET /__emulator/proxy/ca.pem (src/control/proxy-routes.ts): proxy mode's state and the CA
// certificate a test container fetches over the network (README "Proxy mode in Docker"). The certificate only, never
// the key; the same CA the app's tunnels use (certificatesOf(app)); behind the control token; no input beyond it; a
// damaged CA folder answers 503 with the folder and the fix while the emulator stays up, and works once it is fixed.
import { certificatesOf } from '../../src/proxy/app-certificates.js';
import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { PEM_CONTENT_TYPE } from '../../src/control/proxy-routes.js';
import { EmulatorConfigError } from '../../src/errors.js';
import { EMULATED_HOSTS } from '../../src/proxy/bandwidth-hosts.js';
import { CA_CERT_FILE, CA_KEY_FILE } from '../../src/proxy/certificate-authority.js';
import { useEmulators } from '../helpers/fixture.js';
import { LEVEL, startLogged } from '../helpers/logs.js';

const TOKEN = 'proxy-token-1';
const emulators = useEmulators();
const freshDir = () => join(mkdtempSync(join(tmpdir(), 'bwe-proxy-ctl-')), 'ca');

/** The base64 lines of the private key: none may appear in any answer. */
const keyLines = (caDir: string) =>
  readFileSync(join(caDir, CA_KEY_FILE), 'utf8')
    .split('\n')
    .filter((line) => line.length > 20 && !line.startsWith('-----'));

describe('the control API for proxy mode', () => {
  it('GET /proxy reports the settings without opening the CA; GET /proxy/ca.pem creates it and answers the certificate only', async () => {
    const caDir = freshDir();
    const running = await emulators.start({ caDir });
    const before = await fetch(`${running.url}/__emulator/proxy`);
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ enabled: true, hosts: [...EMULATED_HOSTS], caCertPath: join(caDir, CA_CERT_FILE) });
    // Asking where the CA is makes nothing.
    expect(() => readFileSync(join(caDir, CA_CERT_FILE))).toThrow();

    const res = await fetch(`${running.url}/__emulator/proxy/ca.pem`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(PEM_CONTENT_TYPE);
    const pem = await res.text();
    expect(pem).toBe(readFileSync(join(caDir, CA_CERT_FILE), 'utf8'));
    const cert = new X509Certificate(pem);
    expect(cert.ca).toBe(true);
    expect(pem).not.toMatch(/PRIVATE KEY/);
    for (const line of keyLines(caDir)) expect(pem).not.toContain(line);

    // Now open: the fingerprint is the certificate's, and it is the app's own CA (the one its tunnels use).
    const after = (await (await fetch(`${running.url}/__emulator/proxy`)).json()) as Record<string, unknown>;
    expect(after.caFingerprint).toBe(cert.fingerprint256);
    expect(certificatesOf(running.app).opened?.fingerprint).toBe(cert.fingerprint256);
    expect(JSON.stringify(after)).not.toMatch(/PRIVATE KEY/);

    // The library and the remote client give the same.
    expect(await running.proxy.caCertificate()).toBe(pem);
    const remote = connectEmulator(running.url);
    expect(await remote.proxy.caCertificate()).toBe(pem);
    expect(await remote.proxy.info()).toEqual(await running.proxy.info());
  });

  it('with --proxy=false it says so, and still hands out the CA (the HTTPS listener uses it)', async () => {
    const caDir = freshDir();
    const running = await emulators.start({ caDir, proxy: { enabled: false } });
    expect((await running.proxy.info()).enabled).toBe(false);
    expect(new X509Certificate(await running.proxy.caCertificate()).ca).toBe(true);
  });

  it('behind the control token: 401 without it on both routes, 200 with it; connectEmulator(url, {token}) reads them', async () => {
    const caDir = freshDir();
    const running = await emulators.start({ caDir, controlToken: TOKEN });
    for (const path of ['/__emulator/proxy', '/__emulator/proxy/ca.pem']) {
      const refused = await fetch(`${running.url}${path}`);
      expect(refused.status, path).toBe(401);
      const text = await refused.text();
      expect(text).not.toContain('BEGIN CERTIFICATE');
      expect((await fetch(`${running.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, path).toBe(200);
    }
    const remote = connectEmulator(running.url, { token: TOKEN });
    expect(await remote.proxy.caCertificate()).toBe(readFileSync(join(caDir, CA_CERT_FILE), 'utf8'));
    await expect(connectEmulator(running.url).proxy.caCertificate()).rejects.toThrow(/401/);
  });

  it('bounds: no input is read (a query, a path beside it, another method change nothing), and 20 first requests at once make one CA', async () => {
    const caDir = freshDir();
    const running = await emulators.start({ caDir });
    const pems = await Promise.all(Array.from({ length: 20 }, () => fetch(`${running.url}/__emulator/proxy/ca.pem`).then((r) => r.text())));
    expect(new Set(pems).size).toBe(1);
    const pem = pems[0]!;
    expect(await (await fetch(`${running.url}/__emulator/proxy/ca.pem?dir=/etc&file=${CA_KEY_FILE}`)).text()).toBe(pem);
    for (const path of [
      '/__emulator/proxy/ca-key.pem',
      '/__emulator/proxy/..%2fca-key.pem',
      `/__emulator/proxy/ca.pem/${CA_KEY_FILE}`,
      '/__emulator/proxy/%2e%2e/ca-key.pem',
    ]) {
      const res = await fetch(`${running.url}${path}`);
      const text = await res.text();
      expect(res.status, path).toBe(404);
      for (const line of keyLines(caDir)) expect(text, path).not.toContain(line);
    }
    const post = await fetch(`${running.url}/__emulator/proxy/ca.pem`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(404);
  });

  it('a damaged CA folder: 503 naming the folder and the fix, the emulator stays up, and the next request after the fix works', async () => {
    const caDir = freshDir();
    const running = await emulators.start({ caDir });
    await running.proxy.caCertificate();
    // A second emulator on the same folder after it was damaged (the first keeps its CA open in memory).
    writeFileSync(join(caDir, CA_CERT_FILE), 'x'.repeat(100_000));
    const damaged = await emulators.start({ caDir });
    const res = await fetch(`${damaged.url}/__emulator/proxy/ca.pem`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; message: string; problems: Array<{ field: string }> };
    expect(body.error).toBe('ca-unavailable');
    expect(body.message).toContain(`${join(caDir, CA_CERT_FILE)}: proxy.caDir: is 100000 bytes, not a PEM file this emulator wrote. Fix: delete ${caDir}`);
    expect(body.problems[0]!.field).toBe('proxy.caDir');
    await expect(connectEmulator(damaged.url).proxy.caCertificate()).rejects.toBeInstanceOf(EmulatorConfigError);
    await expect(damaged.proxy.caCertificate()).rejects.toThrow(/not a PEM file/);
    expect((await fetch(`${damaged.url}/__emulator/health`)).status).toBe(200);
    expect(await damaged.proxy.info()).not.toHaveProperty('caFingerprint');

    // The fix the message gives: delete the folder. No restart: the open is tried again.
    rmSync(caDir, { recursive: true });
    const fixed = await fetch(`${damaged.url}/__emulator/proxy/ca.pem`);
    expect(fixed.status).toBe(200);
    expect(new X509Certificate(await fixed.text()).ca).toBe(true);
  });

  it('the log says where the CA was made, and warns about a key other users can read, each time an emulator opens it', async () => {
    const caDir = freshDir();
    const first = await startLogged({ proxy: { caDir } });
    emulators.defer(() => first.close());
    await fetch(`${first.url}/__emulator/proxy/ca.pem`);
    const made = first.lines().find((l) => l.msg.startsWith('made the local CA'));
    expect(made).toMatchObject({ level: LEVEL.info, certPath: join(caDir, CA_CERT_FILE) });
    expect(made!.msg).toContain('bandwidth-emulator ca');
    expect(first.lines().filter((l) => l.level >= LEVEL.warn)).toEqual([]);

    chmodSync(join(caDir, CA_KEY_FILE), 0o640);
    const second = await startLogged({ proxy: { caDir } });
    emulators.defer(() => second.close());
    await fetch(`${second.url}/__emulator/proxy/ca.pem`);
    const warned = second.lines().filter((l) => l.level === LEVEL.warn);
    expect(warned.map((l) => l.msg)).toEqual([`${join(caDir, CA_KEY_FILE)} is readable by other users (mode 640): run chmod 600 ${join(caDir, CA_KEY_FILE)}`]);
    expect(second.lines().some((l) => l.msg.startsWith('made the local CA'))).toBe(false);
  });
});
