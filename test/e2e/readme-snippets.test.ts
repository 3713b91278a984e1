// Every fenced code block of README.md is accounted for: run here verbatim, or declared, by a marker on the line right
// before it, as checked elsewhere. An unmarked block this file cannot run fails, so a new README block is either
// runnable or says which test covers it. Markers (documented in CONTRIBUTING.md):
//   <!-- snippet: same-as PATH -->               the block is byte-identical to PATH (checked here)
//   <!-- snippet: checked-by PATH [why] -->      PATH (a test, or what CI runs) covers it; PATH must exist
// Unmarked blocks run by kind: ts/js modules with node (the built package by its own name, so `npm run build` first;
// `npm test` builds), after esbuild strips the types, to the end and a clean exit; sh with bash; yaml that is a
// scenario is compiled, yaml that is a config file is resolved. The README's fixed addresses 127.0.0.1:4010 and :4011
// are mapped to emulators on free ports (test/helpers/readme-snippets/): the text runs unchanged.
// Regression: the first in-process snippet had no import for Configuration and waited on a callback that had nowhere
// to go (the default application has no callback URL), so it could only time out.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveConfig } from '../../src/config/resolve.js';
import { ConfigFileSchema } from '../../src/config/schema.js';
import { compileScenario } from '../../src/scenarios/compile.js';
import { useEmulators } from '../helpers/fixture.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HELPERS = join(ROOT, 'test/helpers/readme-snippets');
// Inside the package, so a snippet's `import ... from 'bandwidth-emulator'` resolves to this package (self-reference).
const WORK = join(ROOT, `.readme-snippets-${process.pid}`);
const RUN_TIMEOUT_MS = 30_000;

const { start } = useEmulators();
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** One fenced block of the README: where it starts, its language, its text, and the marker line before it. */
interface Block {
  line: number;
  lang: string;
  text: string;
  marker?: string;
}

/** Every fenced block of a Markdown text, with the `<!-- snippet: ... -->` marker on the line right before it. */
function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const close = lines.findIndex((l, j) => j > i && l.startsWith(open[1]!) && l.trim() === open[1]);
    if (close < 0) throw new Error(`README.md:${i + 1}: a fenced block is never closed`);
    const before = /^<!--\s*snippet:\s*(.*?)\s*-->$/.exec(lines[i - 1] ?? '');
    blocks.push({ line: i + 1, lang: open[2]!, text: `${lines.slice(i + 1, close).join('\n')}\n`, marker: before?.[1] });
    i = close;
  }
  return blocks;
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const BLOCKS = fencedBlocks(README);
const label = (b: Block) => `README.md:${b.line} (${b.lang || 'plain'}${b.marker ? `, ${b.marker.split(' ')[0]}` : ''})`;

let seq = 0;
/** Run a snippet process to its end; resolves with its exit code and output (the test times out on a hang). */
function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // A snippet that leaves a server or a timer behind never exits: stopped, and failed with what it printed.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not exit within ${RUN_TIMEOUT_MS} ms (does it close what it starts?)\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** The two emulators the README's fixed addresses stand for, and the environment that maps them. */
async function fixedAddresses() {
  const at4010 = await start({ callbacks: { deliveryDelay: '5ms', sendingDelay: '5ms' } });
  const at4011 = await start({});
  return { at4010, at4011, env: { SNIPPET_URL_4010: at4010.url, SNIPPET_URL_4011: at4011.url } };
}

async function runModule(block: Block, env: Record<string, string>) {
  mkdirSync(WORK, { recursive: true });
  const file = join(WORK, `snippet-${++seq}-line-${block.line}.mjs`);
  const loader = block.lang === 'ts' || block.lang === 'typescript' ? 'ts' : 'js';
  writeFileSync(file, transformSync(block.text, { loader, format: 'esm', target: 'node20' }).code);
  return run(process.execPath, ['--import', join(HELPERS, 'register.mjs'), join(HELPERS, 'runner.mjs'), file], { env });
}

// curl is given the mapped addresses; the block's own text is untouched.
const SH_PRELUDE = `set -euo pipefail
curl() {
  local args=()
  for a in "$@"; do a="\${a//http:\\/\\/127.0.0.1:4010/$SNIPPET_URL_4010}"; a="\${a//http:\\/\\/127.0.0.1:4011/$SNIPPET_URL_4011}"; args+=("$a"); done
  command curl "\${args[@]}"
}
`;

async function runShell(block: Block, env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'bw-readme-sh-'));
  try {
    return await run('bash', ['-c', SH_PRELUDE + block.text], { cwd, env });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * Whether every command of a shell block is a curl to the README's fixed loopback addresses: only such blocks are run
 * (tests only talk to loopback; npm, docker and the like are what CI or another test runs, and are marked).
 */
function onlyLocalCurl(text: string): boolean {
  const commands = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const urls = text.match(/https?:\/\/[^\s'"]+/g) ?? [];
  return (
    commands.length > 0 &&
    commands.every((c) => /^curl\s/.test(c) && !/[;&|`]|\$\(/.test(c)) &&
    urls.every((u) => /^http:\/\/127\.0\.0\.1:(4010|4011)(\/|$)/.test(u))
  );
}

const isScenario = (doc: unknown) => typeof doc === 'object' && doc !== null && (doc as { version?: unknown }).version === 1;
const isConfig = (doc: unknown) =>
  typeof doc === 'object' && doc !== null && !Array.isArray(doc) && Object.keys(doc).every((k) => k in ConfigFileSchema.properties);

describe('README.md code blocks', () => {
  it('there are blocks, and every marker is one this test knows', () => {
    expect(BLOCKS.length).toBeGreaterThan(5);
    for (const block of BLOCKS.filter((b) => b.marker !== undefined)) {
      expect(block.marker, label(block)).toMatch(/^(same-as|checked-by) \S+/);
    }
  });

  const marked = BLOCKS.filter((b) => b.marker !== undefined);
  it.each(marked.map((b) => [label(b), b] as const))('%s: the file it names exists (and, for same-as, is identical)', (_name, block) => {
    const [kind, path] = block.marker!.split(/\s+/);
    const target = join(ROOT, path!);
    expect(existsSync(target), `${label(block)} names ${path}, which does not exist`).toBe(true);
    if (kind === 'same-as') expect(block.text, `${label(block)} differs from ${path}`).toBe(readFileSync(target, 'utf8'));
  });

  const unmarked = BLOCKS.filter((b) => b.marker === undefined);
  it.each(unmarked.map((b) => [label(b), b] as const))(
    '%s runs',
    async (_name, block) => {
      const lang = block.lang;
      if (['ts', 'typescript', 'js', 'javascript', 'mjs'].includes(lang)) {
        const { env } = await fixedAddresses();
        const result = await runModule(block, env);
        expect(result.code, `${label(block)} exited with ${result.code}:\n${result.stderr}`).toBe(0);
        expect(result.stderr, `${label(block)} wrote to stderr`).toBe('');
        expect(result.stdout).toContain('SNIPPET DONE');
        return;
      }
      if (['sh', 'bash', 'shell'].includes(lang) && onlyLocalCurl(block.text)) {
        const { at4010, at4011, env } = await fixedAddresses();
        // Something to move: the state snippet exports 4010 and imports into 4011.
        await at4010.inbound({ from: '+15551230000', to: [at4010.account.numbers[0]!], text: 'seeded by the test' });
        const result = await runShell(block, env);
        expect(result.code, `${label(block)} exited with ${result.code}:\n${result.stderr}`).toBe(0);
        if (block.text.includes('127.0.0.1:4011')) {
          expect((await at4011.messages.list({})).map((m) => m.text)).toEqual(['seeded by the test']);
        }
        return;
      }
      if (lang === 'yaml' || lang === 'yml') {
        const doc = parse(block.text) as unknown;
        if (isScenario(doc)) {
          expect(compileScenario(doc, label(block), 'readme').problems).toEqual([]);
          return;
        }
        if (isConfig(doc)) {
          mkdirSync(WORK, { recursive: true });
          const file = join(WORK, `config-line-${block.line}.yaml`);
          writeFileSync(file, block.text);
          expect(() => resolveConfig({ flags: { config: file } })).not.toThrow();
          return;
        }
      }
      throw new Error(
        `${label(block)} is neither run here nor marked: make it runnable, or put <!-- snippet: checked-by PATH why --> (or same-as PATH) on the line before it (CONTRIBUTING.md)`,
      );
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});

describe('the README snippets that talk to the fixed address reach it', () => {
  it(
    "'Point bandwidth-sdk at it' creates its message on the emulator at 127.0.0.1:4010",
    async () => {
      const block = BLOCKS.find((b) => b.text.includes("basePath: 'http://127.0.0.1:4010'") && b.marker === undefined);
      expect(block, 'the SDK snippet').toBeDefined();
      const { at4010, env } = await fixedAddresses();
      const result = await runModule(block!, env);
      expect(result.code, result.stderr).toBe(0);
      expect((await at4010.messages.list({})).map((m) => m.text)).toEqual(['Hello from the emulator']);
    },
    RUN_TIMEOUT_MS + 10_000,
  );
});

describe('the block finder', () => {
  it('finds fences of any length, their language and the marker right before them only', () => {
    const md = ['<!-- snippet: checked-by a.ts why -->', '```ts', 'x', '```', '', '<!-- snippet: same-as b -->', '', '````', '```', '````'].join('\n');
    expect(fencedBlocks(md)).toEqual([
      { line: 2, lang: 'ts', text: 'x\n', marker: 'checked-by a.ts why' },
      { line: 8, lang: '', text: '```\n', marker: undefined },
    ]);
  });
});
