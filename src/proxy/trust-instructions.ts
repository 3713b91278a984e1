/**
 * The words of `bandwidth-emulator ca`: how each stack trusts the local CA, and how to remove that trust again. Neutral
 * (no I/O): the command prints them and test/unit/trust-instructions.test.ts checks the README names the same
 * variables, so the two never drift apart.
 */

/** What the instructions name: the CA's files, its fingerprints and serial, and where the proxy listens. */
export interface TrustFacts {
  /** Absolute path of ca.pem (what every stack trusts). */
  certPath: string;
  /** Absolute path of ca-key.pem (never trusted, never shared). */
  keyPath: string;
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint: string;
  /** SHA-1 fingerprint without colons: macOS `security delete-certificate -Z` and the Windows store name it so. */
  sha1: string;
  /** The certificate's serial number, hex: `certutil -delstore` finds it by this. */
  serial: string;
  /** The proxy's URL for HTTPS_PROXY, or undefined when proxy mode is off (--proxy=false). */
  proxyUrl: string | undefined;
}

/** One stack's recipe: the lines that trust the CA, the lines that remove the trust, and the variables it uses. */
export interface TrustRecipe {
  /** The stack, as a heading: 'Node', 'Python', 'Java'... */
  stack: string;
  /** Environment variables the recipe sets (the README's "Trusting the CA" must name each one). */
  variables: readonly string[];
  /** Lines to trust the CA (shell commands or settings). */
  trust: readonly string[];
  /** Lines to remove the trust again. */
  remove: readonly string[];
}

/** The name the CA is stored under where a store wants one (Java truststore alias, system CA file name). */
const TRUST_ALIAS = 'bandwidth-emulator';

/** A file with the system's public CAs (Debian, Ubuntu) to join with ca.pem where a variable replaces the bundle. */
const BUNDLE_HINT = 'cat /etc/ssl/certs/ca-certificates.crt';

/** The environment variable every stack's proxy settings start from. */
export const PROXY_VARIABLE = 'HTTPS_PROXY';

/** The per-process recipes, one per stack: preferred over system-wide trust, they end with the process. */
export function trustRecipes(facts: TrustFacts): TrustRecipe[] {
  const ca = facts.certPath;
  const proxy = new URL(facts.proxyUrl ?? 'http://127.0.0.1:4010');
  return [
    {
      stack: 'Node (bandwidth-sdk, @bandwidth/messaging, axios)',
      variables: ['NODE_EXTRA_CA_CERTS'],
      trust: [`export NODE_EXTRA_CA_CERTS=${ca}`, '# read once when node starts: set it before the process, not from inside it'],
      remove: ['unset NODE_EXTRA_CA_CERTS'],
    },
    {
      stack: 'Python',
      variables: ['REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE'],
      trust: [
        `export REQUESTS_CA_BUNDLE=${ca}   # requests (it ignores the system store and SSL_CERT_FILE)`,
        `export SSL_CERT_FILE=${ca}        # the standard library (urllib.request, http.client, ssl) and urllib3`,
        `# each REPLACES the default bundle: to keep the public CAs too, point it at both (${BUNDLE_HINT} ${ca} > bundle.pem)`,
        '# Bandwidth\'s Python SDK reads no proxy variable: README "Recipes per SDK"',
      ],
      remove: ['unset REQUESTS_CA_BUNDLE', 'unset SSL_CERT_FILE'],
    },
    {
      stack: 'Ruby (Net::HTTP, Faraday)',
      variables: ['SSL_CERT_FILE'],
      trust: [`export SSL_CERT_FILE=${ca}`, `# replaces the default bundle; to keep the public CAs: ${BUNDLE_HINT} ${ca} > bundle.pem`],
      remove: ['unset SSL_CERT_FILE'],
    },
    {
      stack: 'Java (truststore; Java ignores HTTPS_PROXY)',
      variables: [],
      trust: [
        `keytool -importcert -noprompt -alias ${TRUST_ALIAS} -file ${ca} -keystore emulator-truststore.p12 -storetype PKCS12 -storepass changeit`,
        `java -Djavax.net.ssl.trustStore=emulator-truststore.p12 -Djavax.net.ssl.trustStorePassword=changeit -Dhttps.proxyHost=${proxy.hostname} -Dhttps.proxyPort=${proxy.port || '80'} ...`,
        '# or the same -D flags in JAVA_TOOL_OPTIONS, which every JVM reads; both the token and the API requests follow them',
        '# to keep the public CAs too, import into a copy of $JAVA_HOME/lib/security/cacerts instead of a new file',
      ],
      remove: [`keytool -delete -alias ${TRUST_ALIAS} -keystore emulator-truststore.p12 -storepass changeit   # or delete the file`, 'drop the -D flags'],
    },
    {
      stack: '.NET (HttpClient; HTTPS_PROXY is read on .NET Core 3.0 and later)',
      variables: ['SSL_CERT_FILE'],
      trust: [
        `export SSL_CERT_FILE=${ca}   # Linux (OpenSSL; not run here: the system store below is the sure way)`,
        `certutil -user -addstore Root ${ca}   # Windows: the current user's store (a dialog asks to confirm)`,
        '# macOS: the system keychain, below',
      ],
      remove: ['unset SSL_CERT_FILE', `certutil -user -delstore Root ${facts.serial}   # Windows`],
    },
    {
      stack: 'PHP (ext-curl: the Bandwidth SDK, Guzzle; libcurl reads HTTPS_PROXY, not SSL_CERT_FILE)',
      variables: [],
      trust: [
        `php -d curl.cainfo=${ca} your-script.php   # or curl.cainfo=... in php.ini`,
        `# openssl.cafile=${ca} for the stream wrappers (file_get_contents on https://)`,
      ],
      remove: ['drop the -d flag (or the php.ini line)'],
    },
    {
      stack: 'curl',
      variables: [],
      trust: [`curl -x ${facts.proxyUrl ?? 'http://127.0.0.1:4010'} --cacert ${ca} https://messaging.bandwidth.com/api/v2/users/ACCOUNT/messages ...`],
      remove: ['(nothing to remove: --cacert is per command)'],
    },
  ];
}

/** System-wide trust per OS: every program of the machine trusts the CA, so remove it when done. */
export function systemRecipes(facts: TrustFacts): TrustRecipe[] {
  const ca = facts.certPath;
  return [
    {
      stack: 'Debian, Ubuntu',
      variables: [],
      trust: [`sudo cp ${ca} /usr/local/share/ca-certificates/${TRUST_ALIAS}.crt && sudo update-ca-certificates`],
      remove: [`sudo rm /usr/local/share/ca-certificates/${TRUST_ALIAS}.crt && sudo update-ca-certificates --fresh`],
    },
    {
      stack: 'Fedora, RHEL',
      variables: [],
      trust: [`sudo cp ${ca} /etc/pki/ca-trust/source/anchors/${TRUST_ALIAS}.pem && sudo update-ca-trust`],
      remove: [`sudo rm /etc/pki/ca-trust/source/anchors/${TRUST_ALIAS}.pem && sudo update-ca-trust`],
    },
    {
      stack: 'macOS',
      variables: [],
      trust: [`sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${ca}`],
      remove: [`sudo security delete-certificate -Z ${facts.sha1} /Library/Keychains/System.keychain`],
    },
    {
      stack: 'Windows (administrator)',
      variables: [],
      trust: [`certutil -addstore -f Root ${ca}`],
      remove: [`certutil -delstore Root ${facts.serial}`],
    },
  ];
}

const indent = (lines: readonly string[]) => lines.map((line) => `      ${line}`);

function section(recipe: TrustRecipe): string[] {
  return [`  ${recipe.stack}`, '    trust:', ...indent(recipe.trust), '    remove:', ...indent(recipe.remove)];
}

/** The whole text `bandwidth-emulator ca` prints: where the files are, the fingerprint, the proxy line, each recipe. */
export function trustInstructions(facts: TrustFacts, options: { created: boolean; warnings: readonly string[] }): string {
  return [
    `bandwidth-emulator local CA${options.created ? ' (created now)' : ''}`,
    `  certificate   ${facts.certPath}   (trust this one; public)`,
    `  private key   ${facts.keyPath}   (mode 0600, yours alone: never trust, copy or share it)`,
    `  SHA-256       ${facts.fingerprint}`,
    ...options.warnings.map((w) => `  WARNING       ${w}`),
    "  A key readable by other users is warned about here and in the emulator's log when it opens the CA: whoever holds",
    '  it can make certificates every program trusting this CA accepts. Prefer the per-process recipes to system-wide trust.',
    '',
    facts.proxyUrl
      ? `Proxy: ${PROXY_VARIABLE}=${facts.proxyUrl}  (only messaging.bandwidth.com and api.bandwidth.com are answered; nothing leaves this machine:\n       list the other hosts your program calls in NO_PROXY)`
      : 'Proxy: off (--proxy=false); the CA still serves the HTTPS listener (--https-port)',
    '',
    'Trust it per process:',
    ...trustRecipes(facts).flatMap(section),
    '',
    'Or system-wide (curl, Ruby, .NET, the Python standard library; not Node, Java or requests, which keep their own list):',
    ...systemRecipes(facts).flatMap(section),
    '',
    'Only the certificate:  bandwidth-emulator ca --path   (export NODE_EXTRA_CA_CERTS=$(npx bandwidth-emulator ca --path))',
    '                       bandwidth-emulator ca --pem    (docker run IMAGE ca --pem > ca.pem)',
    'SDK recipes and Docker: README "Proxy mode".',
    '',
  ].join('\n');
}
