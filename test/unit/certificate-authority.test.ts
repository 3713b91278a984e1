// The local CA (src/proxy/certificate-authority.ts): made once with private permissions, shared by emulators that
// start together, and issuing leaf certificates a real TLS client accepts for the name it asked.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { CA_CERT_FILE, CA_KEY_FILE, openCertificateAuthority } from '../../src/proxy/certificate-authority.js';

const freshDir = () => join(mkdtempSync(join(tmpdir(), 'bwe-ca-')), 'ca');

describe('the local certificate authority', () => {
  it('is created once, private to its owner, and two emulators opening it together agree on one CA', async () => {
    const dir = freshDir();
    const [a, b] = await Promise.all([openCertificateAuthority(dir), openCertificateAuthority(dir)]);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, CA_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, CA_CERT_FILE)).mode & 0o777).toBe(0o644);
    const again = await openCertificateAuthority(dir);
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(a.fingerprint);
  });

  it('issues a leaf a TLS client trusting only the CA accepts for the requested name', async () => {
    const ca = await openCertificateAuthority(freshDir());
    const server = createServer({ SNICallback: (name, done) => ca.secureContext(name).then((c) => done(null, c), done) }, (s) => s.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'messaging.bandwidth.com', ca: ca.certPem });
        socket.on('data', (d) => resolve(String(d)));
        socket.on('error', reject);
      });
      expect(answer).toBe('ok');
      // The same client asking for a name the leaf was not issued for is refused by its own checks.
      const refused = await new Promise<string>((resolve) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          servername: 'messaging.bandwidth.com',
          ca: ca.certPem,
          checkServerIdentity: (_h, cert) => (cert.subjectaltname?.includes('api.bandwidth.com') ? undefined : new Error('wrong name')),
        });
        socket.on('secureConnect', () => resolve('accepted'));
        socket.on('error', (e) => resolve(e.message));
      });
      expect(refused).toBe('wrong name');
    } finally {
      server.close();
    }
  });

  it('refuses a folder whose files it cannot use, naming the file and the fix', async () => {
    const dir = freshDir();
    await openCertificateAuthority(dir);
    writeFileSync(join(dir, CA_CERT_FILE), 'not a certificate');
    await expect(openCertificateAuthority(dir)).rejects.toThrow(/ca\.pem.*delete/s);
  });

  it('keeps at most 64 leaves: past that the least recently used is forgotten (and issued anew when asked again); IP and several names', async () => {
    const ca = await openCertificateAuthority(freshDir());
    const first = await ca.leafPem('n0.localhost');
    const kept = await ca.leafPem('kept.localhost');
    // Cached: asking again gives the same certificate.
    expect(await ca.leafPem('n0.localhost')).toBe(first);
    for (let i = 1; i <= 64; i++) {
      await ca.leafPem(`n${i}.localhost`);
      // Used all along, so never the least recently used.
      if (i % 8 === 0) expect(await ca.leafPem('kept.localhost')).toBe(kept);
    }
    expect(await ca.leafPem('kept.localhost')).toBe(kept);
    // n0 was the least recently used of 66 names: forgotten, so a new certificate (a new serial) is issued.
    expect(await ca.leafPem('n0.localhost')).not.toBe(first);
    // An IP address gets an IP SAN.
    expect(new X509Certificate(await ca.leafPem('[::1]')).subjectAltName).toBe('IP Address:0:0:0:0:0:0:0:1');
    expect(new X509Certificate(await ca.leafPem('127.0.0.1')).subjectAltName).toBe('IP Address:127.0.0.1');
    // Several names on one leaf (duplicates once), cached apart from the leaf of the first name alone.
    const several = await ca.leafPem('127.0.0.1', ['localhost', '127.0.0.1', 'LOCALHOST.']);
    expect(new X509Certificate(several).subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(await ca.leafPem('127.0.0.1', ['localhost'])).toBe(several);
    expect(await ca.leafPem('127.0.0.1')).not.toBe(several);
  });
});
