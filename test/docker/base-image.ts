// The base image the image test builds on: the Dockerfile's default (node:20-bookworm-slim) when the engine has it
// or can pull it; otherwise a stand-in built here from Debian packages, because a machine that reaches Debian's
// mirror and the npm registry but no container registry cannot pull one. The stand-in is what the official image
// is where the Dockerfile relies on it: Node 20 (Debian trixie's nodejs), npm 10, a `node` user with uid 1000. It
// adds what the official image does not need: python3, make and g++ with Node's headers, because here
// better-sqlite3 cannot download its prebuilt binding and compiles it, and the host's CA bundle when the host's
// Node trusts one (NODE_EXTRA_CA_CERTS: a proxy that re-signs TLS), so npm inside the build reaches the registry as
// npm on the host does. It is cached by tag: a second run reuses it.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, must, run } from './engine.js';

/** The Dockerfile's default base. */
const OFFICIAL_BASE = 'node:20-bookworm-slim';

const SUITE = 'trixie';
// nodejs 20.19 in trixie; libnode-dev has the headers node-gyp compiles against (npm_config_nodedir=/usr).
const PACKAGES = ['nodejs', 'libnode-dev', 'python3', 'make', 'g++', 'ca-certificates'];
const NPM = 'npm@10';

/** Which base was used and how it was had. */
export interface Base {
  image: string;
  how: 'present' | 'pulled' | 'stand-in cached' | 'stand-in built';
  ms: number;
}

/** The first Debian mirror in this machine's apt sources (deb822 `URIs:` or one-line `deb URL`), security excluded. */
export function debianMirror(sources: readonly string[]): string | undefined {
  for (const text of sources) {
    for (const m of text.matchAll(/^\s*(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/gm)) {
      const uri = m[1]!.replace(/\/+$/, '');
      if (/\/debian$/.test(uri)) return uri;
    }
  }
  return undefined;
}

function aptSources(): string[] {
  const files = ['/etc/apt/sources.list'];
  if (existsSync('/etc/apt/sources.list.d')) files.push(...readdirSync('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f)));
  return files.filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
}

/** The host's extra CA bundle for the stand-in, when this Node trusts one. */
function hostCa(): Buffer | undefined {
  const path = process.env.NODE_EXTRA_CA_CERTS;
  return path && existsSync(path) ? readFileSync(path) : undefined;
}

/** The stand-in's tag: it changes with the recipe, so an edited recipe is rebuilt rather than a stale one reused. */
function standInTag(ca: Buffer | undefined): string {
  const recipe = createHash('sha256')
    .update(JSON.stringify({ SUITE, PACKAGES, NPM, v: 1 }))
    .update(ca ?? '')
    .digest('hex');
  return `bandwidth-emulator-test-base:${SUITE}-node20-${recipe.slice(0, 12)}`;
}

async function hasImage(image: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', image], { timeoutMs: 20_000 })).code === 0;
}

/** The base to pass as BASE_IMAGE: the official one if it can be had, else the stand-in (built once, then reused). */
export async function baseImage(log: (line: string) => void): Promise<Base> {
  const started = performance.now();
  const took = () => performance.now() - started;
  if (await hasImage(OFFICIAL_BASE)) return { image: OFFICIAL_BASE, how: 'present', ms: took() };
  const pulled = await run('docker', ['pull', OFFICIAL_BASE], { timeoutMs: 120_000 });
  if (pulled.code === 0) return { image: OFFICIAL_BASE, how: 'pulled', ms: took() };
  log(`cannot pull ${OFFICIAL_BASE} (${pulled.stderr.trim().split('\n').at(-1)}); using a stand-in built from Debian packages`);
  const ca = hostCa();
  const tag = standInTag(ca);
  if (await hasImage(tag)) return { image: tag, how: 'stand-in cached', ms: took() };
  await buildStandIn(tag, ca, log);
  return { image: tag, how: 'stand-in built', ms: took() };
}

async function buildStandIn(tag: string, ca: Buffer | undefined, log: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('building the stand-in base needs root (debootstrap); or give the engine node:20-bookworm-slim (docker load)');
  if ((await run('sh', ['-c', 'command -v debootstrap'], { timeoutMs: 5_000 })).code !== 0) {
    throw new Error('building the stand-in base needs debootstrap: apt-get install debootstrap');
  }
  const mirror = debianMirror(aptSources());
  if (!mirror) throw new Error('no Debian mirror in /etc/apt/sources.list*: the stand-in base is built from one');
  const work = mkdtempSync(join(tmpdir(), 'bw-base-'));
  const root = join(work, 'rootfs');
  try {
    log(`debootstrap ${SUITE} from ${mirror} with ${PACKAGES.join(', ')}`);
    await must('debootstrap', ['--variant=minbase', `--include=${PACKAGES.join(',')}`, SUITE, root, mirror], { timeoutMs: 900_000 });
    // npm 10 as the official Node 20 image has it: the registry's tarball (npm bundles its dependencies).
    const packed = await must('npm', ['pack', NPM, '--pack-destination', work, '--silent'], { timeoutMs: 120_000 });
    const npmDir = join(root, 'usr/local/lib/node_modules/npm');
    mkdirSync(npmDir, { recursive: true });
    await must('tar', ['-xzf', join(work, packed.stdout.trim().split('\n').at(-1)!), '-C', npmDir, '--strip-components=1'], { timeoutMs: 60_000 });
    await must('ln', ['-sf', '../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm')], { timeoutMs: 5_000 });
    await must('ln', ['-sf', '../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx')], { timeoutMs: 5_000 });
    await must('chroot', [root, 'useradd', '--create-home', '--uid', '1000', '--user-group', '--shell', '/bin/bash', 'node'], { timeoutMs: 30_000 });
    const env = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'ENV npm_config_nodedir=/usr'];
    if (ca) {
      writeFileSync(join(root, 'usr/local/share/host-ca.pem'), ca);
      env.push('ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.pem');
    }
    rmSync(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
    mkdirSync(join(root, 'var/cache/apt/archives/partial'), { recursive: true });
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await must('docker', ['import', ...env.flatMap((e) => ['--change', e]), '--change', 'CMD ["node"]', '-', tag], { timeoutMs: 300_000, input: tar.stdout });
    log(
      `stand-in base ${tag}: ${(await docker(['run', '--rm', tag, 'sh', '-c', 'echo node $(node --version), npm $(npm --version), $(id node)'])).stdout.trim()}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
