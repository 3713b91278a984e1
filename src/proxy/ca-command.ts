import { X509Certificate } from 'node:crypto';
import { resolveConfig } from '../config/resolve.js';
import { EmulatorConfigError } from '../errors.js';
import { openCertificateAuthority } from './certificate-authority.js';
import { trustInstructions, type TrustFacts } from './trust-instructions.js';

/** What `bandwidth-emulator ca` prints: everything (default), only the certificate's path, or only its PEM. */
export type CaOutput = 'all' | 'path' | 'pem';

/** Where the command writes: the process's streams in the CLI, strings in tests. */
export interface CaCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The proxy's loopback URL as a client on this machine names it: the proxy port, else the API port. */
function proxyUrlOf(config: ReturnType<typeof resolveConfig>): string | undefined {
  if (!config.proxy.enabled) return undefined;
  return `http://127.0.0.1:${config.proxy.port ?? config.port}`;
}

/**
 * `bandwidth-emulator ca [--path | --pem]`: open the CA of the configured folder (--ca-dir, BW_EMULATOR_CA_DIR, the
 * config file's proxy.caDir, else the default), creating it if missing, and print how to trust it. Resolves with the
 * exit code: 0, or 2 for a folder it cannot use (the error names the folder, the field and the fix).
 */
export async function caCommand(
  sources: { flags: Record<string, string>; env: Record<string, string | undefined> },
  output: CaOutput,
  io: CaCommandIo,
): Promise<number> {
  try {
    const config = resolveConfig({ flags: sources.flags, env: sources.env });
    const ca = await openCertificateAuthority(config.proxy.caDir);
    // The warnings go to stderr in every form, so `--path` and `--pem` stay clean for $(...) and redirection.
    if (output !== 'all') for (const warning of ca.warnings) io.stderr(`bandwidth-emulator ca: warning: ${warning}\n`);
    if (output === 'path') {
      io.stdout(`${ca.certPath}\n`);
      return 0;
    }
    if (output === 'pem') {
      io.stdout(ca.certPem.endsWith('\n') ? ca.certPem : `${ca.certPem}\n`);
      return 0;
    }
    const cert = new X509Certificate(ca.certPem);
    const facts: TrustFacts = {
      certPath: ca.certPath,
      keyPath: ca.keyPath,
      fingerprint: ca.fingerprint,
      sha1: cert.fingerprint.replace(/:/g, ''),
      serial: cert.serialNumber,
      proxyUrl: proxyUrlOf(config),
    };
    io.stdout(trustInstructions(facts, { created: ca.created, warnings: ca.warnings }));
    return 0;
  } catch (error) {
    if (error instanceof EmulatorConfigError) {
      io.stderr(`bandwidth-emulator ca: the local CA cannot be used\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
