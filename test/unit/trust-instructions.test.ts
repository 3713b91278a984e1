// The README and `bandwidth-emulator ca` say the same (src/proxy/trust-instructions.ts holds the words): every command
// the command prints for a stack or an OS, with the README's placeholders for the paths, is in "Trusting the CA",
// and every variable it sets is named there. The SDK recipes name the variables the command prints, use the SDK's
// own OAuth with no basePath, and parse; the Docker recipes use the folder the Dockerfile sets.
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { PROXY_VARIABLE, systemRecipes, trustRecipes, type TrustFacts } from '../../src/proxy/trust-instructions.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const DOCKERFILE = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

/** The text of one `### heading` section of the README, up to the next heading. */
function section(heading: string): string {
  const start = README.indexOf(`\n### ${heading}\n`);
  expect(start, `README has ### ${heading}`).toBeGreaterThan(0);
  const end = README.slice(start + 5).search(/\n##+ /);
  return README.slice(start, start + 5 + end);
}

/** The fenced blocks of a section, by language. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```', 'g'))].map((m) => m[1]!);
}

// The README writes the paths and identifiers as placeholders; the command fills in the real ones.
const PLACEHOLDERS: TrustFacts = {
  certPath: '/path/ca.pem',
  keyPath: '/path/ca-key.pem',
  fingerprint: 'FINGERPRINT',
  sha1: 'SHA1',
  serial: 'SERIAL',
  proxyUrl: 'http://127.0.0.1:4010',
};

/** The commands of a recipe: its lines without trailing comments, leaving out comment-only and prose lines. */
const commands = (lines: readonly string[]) =>
  lines.map((line) => line.replace(/\s+#.*$/, '')).filter((line) => !line.startsWith('#') && !line.startsWith('(') && !line.startsWith('drop '));

describe('README "Trusting the CA" and `bandwidth-emulator ca`', () => {
  const trusting = section('Trusting the CA');
  const recipes = [...trustRecipes(PLACEHOLDERS), ...systemRecipes(PLACEHOLDERS)];

  it.each(recipes.map((r) => [r.stack, r] as const))('%s: every trust and removal command is in the README', (_stack, recipe) => {
    for (const command of [...commands(recipe.trust), ...commands(recipe.remove)]) expect(trusting, command).toContain(`\`${command}\``);
    expect(commands(recipe.trust).length, 'a recipe has at least one command').toBeGreaterThan(0);
  });

  it('names every variable the command sets, and the proxy variable', () => {
    const variables = new Set([PROXY_VARIABLE, ...recipes.flatMap((r) => r.variables)]);
    expect([...variables].sort()).toEqual(['HTTPS_PROXY', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE']);
    for (const name of variables) expect(section('Proxy mode in Docker') + trusting + section('Recipes per SDK'), name).toContain(name);
    for (const name of variables) if (name !== PROXY_VARIABLE) expect(trusting, name).toContain(name);
    expect(trusting).toContain('ca --path');
    expect(trusting).toContain('ca --pem');
    expect(trusting).toContain('A key that other users can read is warned about');
  });
});

describe('README "Recipes per SDK"', () => {
  const text = section('Recipes per SDK');
  const [sdk, legacy] = blocks(text, 'js');

  it('the bandwidth-sdk recipe: HTTPS_PROXY and the CA from `ca --path`, client credentials, no basePath', () => {
    expect(sdk).toBeDefined();
    expect(sdk).toContain(`${PROXY_VARIABLE}=http://127.0.0.1:4010`);
    expect(sdk).toContain('NODE_EXTRA_CA_CERTS=$(npx bandwidth-emulator ca --path)');
    expect(sdk).toMatch(/clientId: '[^']+', clientSecret: '[^']+'/);
    expect(sdk).not.toContain('basePath');
    expect(sdk).not.toContain('127.0.0.1:4010/');
  });

  it('the legacy @bandwidth/messaging recipe keeps its default environment (no baseUrl, no Custom)', () => {
    expect(legacy).toBeDefined();
    expect(legacy).toContain("from '@bandwidth/messaging'");
    expect(legacy).not.toMatch(/baseUrl|Custom/);
  });

  it('both Node recipes are valid modules (they parse as written)', () => {
    for (const code of [sdk!, legacy!]) expect(() => transformSync(code, { loader: 'js', format: 'esm' })).not.toThrow();
  });

  it('every other SDK recipe says it was not run here', () => {
    for (const sdkName of ['Python, `bandwidth-sdk`', 'Ruby, `bandwidth-sdk`', 'Java, `bandwidth-sdk`', 'C#, `Bandwidth.Standard`', 'PHP, `bandwidth/sdk`']) {
      const at = text.indexOf(`**${sdkName}**`);
      expect(at, sdkName).toBeGreaterThan(0);
      expect(text.slice(at, at + 200), sdkName).toContain('not run here');
    }
  });
});

describe('README "Proxy mode in Docker" and the Dockerfile', () => {
  const text = section('Proxy mode in Docker');

  it('the image keeps the CA where the README says, in a folder the node user owns', () => {
    const dir = /BW_EMULATOR_CA_DIR=(\S+)/.exec(DOCKERFILE)?.[1];
    expect(dir).toBe('/data/ca');
    expect(DOCKERFILE).toMatch(new RegExp(`mkdir -p [^\\n]*${dir}[^\\n]*chown -R node:node [^\\n]*/data`));
    expect(text).toContain(`BW_EMULATOR_CA_DIR=${dir}`);
    expect(text).toContain(`bw-ca:${dir}`);
  });

  it('the compose recipes: the proxy by service name, the CA fetched from the control route or shared, the host-name alternative', () => {
    expect(text).toContain('HTTPS_PROXY: http://emulator:4010');
    expect(text).toContain('http://emulator:4010/__emulator/proxy/ca.pem');
    expect(text).toContain("command: ['ca', '--path']");
    expect(text).toContain('aliases: [messaging.bandwidth.com, api.bandwidth.com]');
    expect(text).toContain('BW_EMULATOR_HTTPS_PORT: 443');
    expect(text).toContain('net.ipv4.ip_unprivileged_port_start');
  });
});
