import { EMULATED_HOSTS } from '../proxy/bandwidth-hosts.js';
import type { LazyCertificateAuthority } from '../proxy/certificate-authority.js';

/** What GET /__emulator/proxy answers: whether proxy mode is on, the hosts it answers for, and where its CA is. */
export interface ProxyInfo {
  /** Proxy mode is on (config proxy.enabled, --proxy). */
  enabled: boolean;
  /** The Bandwidth hosts answered through the proxy; every other host is refused. */
  hosts: string[];
  /** Where the CA certificate is (or will be, once made) on the emulator's machine. */
  caCertPath: string;
  /** The CA certificate's SHA-256 fingerprint, once the emulator has opened the CA (a tunnel, the HTTPS listener, ca.pem). */
  caFingerprint?: string;
}

/** Proxy mode's state and its CA certificate, for a test container that cannot read the emulator's files (README "Proxy mode in Docker"). */
export interface ProxyOperations {
  /** Proxy mode's settings and the CA's path; never opens or creates the CA. */
  info(): Promise<ProxyInfo>;
  /**
   * The CA certificate, PEM (never the key), opening or creating the CA as a tunnel would. Rejects with the
   * EmulatorConfigError naming the folder and the fix when the CA folder cannot be used.
   */
  caCertificate(): Promise<string>;
}

/** The proxy operations over one emulator's CA (`certificatesOf(app)`) and its proxy.enabled setting. */
export function proxyOperations(enabled: boolean, certificates: LazyCertificateAuthority): ProxyOperations {
  return {
    async info() {
      const fingerprint = certificates.opened?.fingerprint;
      return { enabled, hosts: [...EMULATED_HOSTS], caCertPath: certificates.certPath, ...(fingerprint ? { caFingerprint: fingerprint } : {}) };
    },
    async caCertificate() {
      return (await certificates.get()).certPem;
    },
  };
}
