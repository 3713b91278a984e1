import { createPrivateKey, createPublicKey, randomBytes, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { EmulatorConfigError } from '../errors.js';

// Certificates are judged by TLS clients against the real wall clock, so validity uses Date.now(), never the
// emulator's clock (which tests freeze, scale or move): a leaf dated in emulated time would be refused as expired.

/** The CA certificate's file name in its folder (what users trust). */
export const CA_CERT_FILE = 'ca.pem';
/** The CA private key's file name in its folder (mode 0600: only its owner may read it). */
export const CA_KEY_FILE = 'ca-key.pem';

const CA_LIFETIME_MS = 10 * 365 * 86_400_000;
/** Leaf certificates live a week (short-lived, as the issue asks) and are renewed once less than a day is left. */
const LEAF_LIFETIME_MS = 7 * 86_400_000;
const LEAF_RENEW_BEFORE_MS = 86_400_000;
/** Back-dating covers a client whose clock runs a little behind this machine's (a container, a VM). */
const BACKDATE_MS = 3_600_000;
/** Names with a cached leaf; the least recently used is dropped past this, so hostile SNI names cannot grow memory. */
const MAX_CACHED_LEAVES = 64;
/** A PEM file larger than this is not a certificate or key this module wrote. */
const MAX_PEM_BYTES = 64 * 1024;
/** How long a second emulator waits for the first one's CA certificate while both create the folder at once. */
const RACE_WAIT_MS = 5000;

const CA_ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const LEAF_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** A local certificate authority on disk: its certificate for users to trust, and leaf certificates per host name. */
export interface CertificateAuthority {
  /** The folder holding ca.pem and ca-key.pem. */
  readonly dir: string;
  /** Absolute path of the CA certificate (trust this one). */
  readonly certPath: string;
  /** Absolute path of the CA private key (never share it). */
  readonly keyPath: string;
  /** The CA certificate, PEM. */
  readonly certPem: string;
  /** SHA-256 fingerprint of the CA certificate, colon-separated hex, to check a trust store holds this CA. */
  readonly fingerprint: string;
  /** Whether this call made the CA (false: an existing one was loaded). */
  readonly created: boolean;
  /** Problems worth a log line that do not stop it (a key readable by others). */
  readonly warnings: readonly string[];
  /**
   * A TLS context for `name` (DNS name or IP literal): its leaf certificate is issued on first use, cached and renewed.
   * `alsoNames` adds names to the same leaf (the HTTPS listener's address leaf also names 127.0.0.1 and localhost).
   */
  secureContext(name: string, alsoNames?: readonly string[]): Promise<SecureContext>;
  /** The PEM leaf certificate currently served for `name` (and `alsoNames`), issued if need be: for tests and `ca` diagnostics. */
  leafPem(name: string, alsoNames?: readonly string[]): Promise<string>;
}

type X509Module = typeof import('@peculiar/x509');
let x509Module: Promise<X509Module> | undefined;
// Loaded on first use: most runs never open a tunnel, and the library brings a global Reflect polyfill with it.
function loadX509(): Promise<X509Module> {
  x509Module ??= import('@peculiar/x509').then((x509) => {
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x509;
  });
  return x509Module;
}

/** A positive serial number of 16 random bytes (RFC 5280 asks for at most 20, positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

/** The CA's subject: names the user and machine, so a trust store entry says whose emulator it came from. */
function caSubject(): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container running as an arbitrary uid): keep the generic name.
  }
  const who = `${user}@${hostname()}`.replace(/[,=+<>#;"\\]/g, '_').slice(0, 40);
  return `CN=bandwidth-emulator local CA (${who}), O=bandwidth-emulator`;
}

function configError(dir: string, file: string, problem: string, fix: string): EmulatorConfigError {
  return new EmulatorConfigError([{ source: join(dir, file), field: 'proxy.caDir', problem, fix }]);
}

function readPem(dir: string, file: string): string {
  const path = join(dir, file);
  let size: number;
  try {
    size = statSync(path).size;
    if (size <= MAX_PEM_BYTES) return readFileSync(path, 'utf8');
  } catch (error) {
    // A file that cannot be read at all (a folder named ca.pem, no permission) names itself and the fix too.
    throw configError(
      dir,
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      `delete ${dir} and a new CA is made on next use`,
    );
  }
  throw configError(dir, file, `is ${size} bytes, not a PEM file this emulator wrote`, `delete ${dir} and a new CA is made on next use`);
}

async function createFiles(dir: string): Promise<boolean> {
  const x509 = await loadX509();
  const keys = (await webcrypto.subtle.generateKey(CA_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: caSubject(),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_LIFETIME_MS),
    keys,
    signingAlgorithm: CA_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const keyTmp = join(dir, `.${CA_KEY_FILE}.${tag}`);
  const certTmp = join(dir, `.${CA_CERT_FILE}.${tag}`);
  try {
    writeFileSync(keyTmp, keyPem, { mode: 0o600 });
    writeFileSync(certTmp, `${cert.toString('pem')}\n`, { mode: 0o644 });
    // link() fails if the key exists: of two emulators creating the CA at once, exactly one wins, the other loads it.
    try {
      linkSync(keyTmp, join(dir, CA_KEY_FILE));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    renameSync(certTmp, join(dir, CA_CERT_FILE));
    return true;
  } finally {
    rmSync(keyTmp, { force: true });
    rmSync(certTmp, { force: true });
  }
}

async function waitForCert(dir: string): Promise<void> {
  const deadline = Date.now() + RACE_WAIT_MS;
  while (!existsSync(join(dir, CA_CERT_FILE))) {
    if (Date.now() > deadline) {
      throw configError(dir, CA_CERT_FILE, `is missing while ${CA_KEY_FILE} is there`, `delete ${dir} and a new CA is made on next use`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Open the CA in `dir`, creating the folder (0700), a 2048-bit RSA CA valid ten years, ca-key.pem (0600) and ca.pem
 * (0644) if there is none. A folder holding files this module cannot use is an error naming the file and the fix.
 */
export async function openCertificateAuthority(dir: string): Promise<CertificateAuthority> {
  const keyPath = join(dir, CA_KEY_FILE);
  const certPath = join(dir, CA_CERT_FILE);
  let created = false;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!existsSync(keyPath)) created = await createFiles(dir);
    if (!created) await waitForCert(dir);
  } catch (error) {
    if (error instanceof EmulatorConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new EmulatorConfigError([
      {
        source: dir,
        field: 'proxy.caDir',
        problem: `the CA cannot be created or read here (${code})`,
        fix: 'give --ca-dir (BW_EMULATOR_CA_DIR) a folder you can write',
      },
    ]);
  }
  const warnings: string[] = [];
  const keyMode = statSync(keyPath).mode & 0o777;
  if (process.platform !== 'win32' && (keyMode & 0o077) !== 0) {
    warnings.push(`${keyPath} is readable by other users (mode ${keyMode.toString(8)}): run chmod 600 ${keyPath}`);
  }
  const certPem = readPem(dir, CA_CERT_FILE);
  const keyPem = readPem(dir, CA_KEY_FILE);
  let nodeCert: NodeX509;
  let caKey: ReturnType<typeof createPrivateKey>;
  try {
    nodeCert = new NodeX509(certPem);
    caKey = createPrivateKey(keyPem);
  } catch (error) {
    throw configError(
      dir,
      CA_CERT_FILE,
      `cannot be parsed with ${CA_KEY_FILE} (${(error as Error).message})`,
      `delete ${dir} and a new CA is made on next use`,
    );
  }
  if (!nodeCert.ca) throw configError(dir, CA_CERT_FILE, 'is not a CA certificate', `delete ${dir} and a new CA is made on next use`);
  if (!nodeCert.publicKey.equals(createPublicKey(caKey))) {
    throw configError(dir, CA_KEY_FILE, `does not belong to ${CA_CERT_FILE}`, `delete ${dir} and a new CA is made on next use`);
  }
  if (Date.parse(nodeCert.validTo) < Date.now()) {
    throw configError(
      dir,
      CA_CERT_FILE,
      `expired on ${new Date(nodeCert.validTo).toISOString()}`,
      `remove its trust, delete ${dir}, and a new CA is made on next use`,
    );
  }
  return issuer({
    dir,
    certPath,
    keyPath,
    certPem,
    fingerprint: nodeCert.fingerprint256,
    created,
    warnings,
    caKeyPkcs8: caKey.export({ type: 'pkcs8', format: 'der' }),
  });
}

interface IssuerParts {
  dir: string;
  certPath: string;
  keyPath: string;
  certPem: string;
  fingerprint: string;
  created: boolean;
  warnings: string[];
  caKeyPkcs8: Buffer;
}

/** The leaf-issuing half: one P-256 key for every leaf of this process, a certificate per name, cached (LRU). */
function issuer(parts: IssuerParts): CertificateAuthority {
  const leaves = new Map<string, Promise<{ pem: string; context: SecureContext; renewAt: number }>>();
  let signer: Promise<{ caKey: CryptoKey; caCert: import('@peculiar/x509').X509Certificate; leafKeys: CryptoKeyPair; leafKeyPem: string }> | undefined;
  const signing = () => {
    signer ??= (async () => {
      const x509 = await loadX509();
      const caKey = await webcrypto.subtle.importKey('pkcs8', parts.caKeyPkcs8, CA_ALGORITHM, false, ['sign']);
      const leafKeys = (await webcrypto.subtle.generateKey(LEAF_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
      const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
      const leafKeyPem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
      return { caKey: caKey as CryptoKey, caCert: new x509.X509Certificate(parts.certPem), leafKeys, leafKeyPem };
    })();
    // A failure is not kept: the next handshake tries again.
    signer.catch(() => {
      signer = undefined;
    });
    return signer;
  };
  const issue = async (name: string, alsoNames: readonly string[]) => {
    const x509 = await loadX509();
    const { caKey, caCert, leafKeys, leafKeyPem } = await signing();
    const now = Date.now();
    const ip = isIP(name) !== 0;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: `CN=${ip ? 'bandwidth-emulator' : name}`,
      issuer: caCert.subject,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + LEAF_LIFETIME_MS),
      signingKey: caKey,
      publicKey: leafKeys.publicKey,
      signingAlgorithm: CA_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          [name, ...alsoNames].map((san) => ({ type: isIP(san) !== 0 ? ('ip' as const) : ('dns' as const), value: san })),
        ),
        await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ],
    });
    const pem = cert.toString('pem');
    return { pem, context: createSecureContext({ key: leafKeyPem, cert: pem }), renewAt: now + LEAF_LIFETIME_MS - LEAF_RENEW_BEFORE_MS };
  };
  const normal = (raw: string) =>
    raw
      .toLowerCase()
      .replace(/\.$/, '')
      .replace(/^\[(.*)\]$/, '$1');
  const leaf = async (raw: string, rawAlso: readonly string[] = []) => {
    const name = normal(raw);
    const alsoNames = [...new Set(rawAlso.map(normal))].filter((n) => n !== name);
    // One cache entry per set of names, so the LRU bounds them all alike.
    const key = [name, ...alsoNames].join(' ');
    let entry = leaves.get(key);
    const settled = entry ? await entry.catch(() => undefined) : undefined;
    if (entry && settled && settled.renewAt > Date.now()) {
      // Most recently used last: the Map's order is the eviction order.
      leaves.delete(key);
      leaves.set(key, entry);
      return entry;
    }
    entry = issue(name, alsoNames);
    leaves.delete(key);
    leaves.set(key, entry);
    entry.catch(() => leaves.delete(key));
    while (leaves.size > MAX_CACHED_LEAVES) leaves.delete(leaves.keys().next().value!);
    return entry;
  };
  return {
    dir: parts.dir,
    certPath: parts.certPath,
    keyPath: parts.keyPath,
    certPem: parts.certPem,
    fingerprint: parts.fingerprint,
    created: parts.created,
    warnings: parts.warnings,
    secureContext: async (name, alsoNames) => (await leaf(name, alsoNames)).context,
    leafPem: async (name, alsoNames) => (await leaf(name, alsoNames)).pem,
  };
}

/**
 * The CA of one emulator, opened on first use: a run that never tunnels never touches the folder. A failed open is
 * not remembered, so fixing the folder's permissions works without a restart.
 */
export class LazyCertificateAuthority {
  private opening: Promise<CertificateAuthority> | undefined;
  private ready: CertificateAuthority | undefined;

  /** `dir` is config.proxy.caDir; `onOpen` hears of each successful open (the app logs the CA's warnings with it). */
  constructor(
    readonly dir: string,
    private readonly onOpen?: (ca: CertificateAuthority) => void,
  ) {}

  /** Where the CA certificate is (or will be, once made). */
  get certPath(): string {
    return join(this.dir, CA_CERT_FILE);
  }

  /** The CA once a get() has opened it, else undefined: for reports that must not create it (GET /__emulator/proxy). */
  get opened(): CertificateAuthority | undefined {
    return this.ready;
  }

  /** The CA, opened (or created) on the first call. */
  get(): Promise<CertificateAuthority> {
    if (!this.opening) {
      this.opening = openCertificateAuthority(this.dir);
      this.opening.then(
        (ca) => {
          this.ready = ca;
          this.onOpen?.(ca);
        },
        () => {
          this.opening = undefined;
        },
      );
    }
    return this.opening;
  }
}
