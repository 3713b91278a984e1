// The local CA (src/proxy/certificate-authority.ts): made once with private permissions, shared by emulators that
// start together, and issuing leaf certificates a real TLS client accepts for the name it asked.
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
});
