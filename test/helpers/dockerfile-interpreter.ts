// A Dockerfile interpreter for the engine-less Dockerfile test (test/e2e/dockerfile.test.ts): it parses the file, lays
// out every stage in a temp folder standing for that image's root and really runs its RUN steps (npm ci, the
// TypeScript build); the test then starts the final stage's ENTRYPOINT with the image's ENV.
//
// What is emulated: FROM/AS stages, WORKDIR, COPY from the build context (honouring .dockerignore) and COPY --from a
// stage, RUN (bash -c, in the mapped WORKDIR, with the ENV so far), ENV, USER, EXPOSE, HEALTHCHECK, ENTRYPOINT/CMD,
// and the /scenarios volume mount (a host folder at the same place). What is not: the base image itself (this
// machine's Node and npm stand in for node:20-bookworm-slim's), file ownership and the switch to the non-root user
// (checked instead: everything the user must read is world-readable and no RUN runs after USER), network isolation
// and port publishing. Any instruction, flag or RUN command the interpreter does not understand throws, so the
// Dockerfile cannot grow something untested.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: the build context. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The Dockerfile the test checks. */
export const DOCKERFILE = join(ROOT, 'Dockerfile');
/** The build context's .dockerignore. */
export const DOCKERIGNORE = join(ROOT, '.dockerignore');
// better-sqlite3's binding as npm built it on this machine (same Node ABI and platform as the emulated image).
const HOST_SQLITE_BINDING = join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');

// ---------------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------------

/** A Dockerfile problem the interpreter reports as a test failure. */
class DockerfileError extends Error {
  constructor(line: number, message: string) {
    super(`Dockerfile line ${line}: ${message}`);
  }
}

const unsupported = (line: number, what: string) =>
  new DockerfileError(line, `${what} is not emulated by test/helpers/dockerfile-interpreter.ts; teach the interpreter about it before using it`);

/** Environment variables, as ENV and RUN see them. */
export type Env = Record<string, string>;

/** An instruction's command: shell form or exec (JSON) form. */
interface CommandForm {
  /** Shell form: run with a shell. */
  shell?: string;
  /** Exec (JSON) form. */
  exec?: string[];
}

/** One step of a stage, in Dockerfile order. */
type Step =
  | { kind: 'WORKDIR'; line: number; path: string }
  | { kind: 'COPY'; line: number; from?: string; chown?: string; sources: string[]; dest: string }
  | ({ kind: 'RUN'; line: number; env: Env } & CommandForm)
  | { kind: 'USER'; line: number; user: string };

/** One FROM stage: its steps and what it leaves in the image (ENV, USER, EXPOSE, HEALTHCHECK, ENTRYPOINT/CMD). */
export interface Stage {
  index: number;
  name?: string;
  image: string;
  line: number;
  steps: Step[];
  env: Env;
  user?: string;
  expose: string[];
  healthcheck?: { line: number; options: Record<string, string> } & CommandForm;
  entrypoint?: CommandForm;
  cmd?: CommandForm;
  workdir: string;
}

/** A parsed Dockerfile. */
export interface Parsed {
  stages: Stage[];
  /** Parser directives and other things accepted but without effect here. */
  notes: string[];
}

/** Join continuation lines, drop comments (also inside a continued instruction) and blank lines. */
function logicalLines(text: string, notes: string[]): Array<{ line: number; keyword: string; args: string }> {
  const out: Array<{ line: number; keyword: string; args: string }> = [];
  const lines = text.split(/\r?\n/);
  let buffer: string | undefined;
  let start = 0;
  let directives = true;
  const flush = () => {
    if (buffer === undefined) return;
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(buffer);
    if (m) out.push({ line: start, keyword: m[1]!.toUpperCase(), args: m[2]!.trim() });
    buffer = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) {
      const directive = buffer === undefined && directives ? /^#\s*([A-Za-z]+)\s*=\s*(.*)$/.exec(trimmed) : null;
      if (directive) {
        const name = directive[1]!.toLowerCase();
        if (name === 'escape') throw unsupported(i + 1, `the parser directive '# escape=${directive[2]!}'`);
        notes.push(`parser directive '# ${name}=${directive[2]!}' accepted without effect`);
      } else {
        directives = false;
      }
      continue;
    }
    directives = false;
    if (trimmed === '') continue;
    const continued = /\\\s*$/.test(raw);
    const content = continued ? raw.replace(/\\\s*$/, '') : raw;
    if (buffer === undefined) {
      buffer = content;
      start = i + 1;
    } else {
      buffer += content;
    }
    if (!continued) flush();
  }
  flush();
  return out;
}

/** Expand $NAME and ${NAME} the way Docker does in ENV, WORKDIR, COPY, USER and EXPOSE. */
function substitute(text: string, env: Env, line: number): string {
  return text.replace(/\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_all, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw unsupported(line, `the variable expansion '\${${name}}'`);
    return env[name] ?? '';
  });
}

/** Split into words the way Docker does: whitespace separates; quotes group; backslash escapes; $VAR expands. */
function words(text: string, env: Env, line: number): string[] {
  const out: string[] = [];
  let current: string | undefined;
  let i = 0;
  const add = (s: string) => (current = (current ?? '') + s);
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (current !== undefined) out.push(current);
      current = undefined;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new DockerfileError(line, `unterminated single quote in: ${text}`);
      add(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$'.includes(text[j + 1]!)) {
          value += text[j + 1] === '$' ? '\u0000' : text[j + 1];
          j += 2;
        } else {
          value += text[j];
          j++;
        }
      }
      if (j >= text.length) throw new DockerfileError(line, `unterminated double quote in: ${text}`);
      add(substitute(value, env, line));
      i = j + 1;
    } else if (c === '\\' && i + 1 < text.length) {
      add(text[i + 1] === '$' ? '\u0000' : text[i + 1]!);
      i += 2;
    } else {
      const m = /^[^\s'"\\]+/.exec(text.slice(i))!;
      add(substitute(m[0], env, line));
      i += m[0].length;
    }
  }
  if (current !== undefined) out.push(current);
  return out.map((w) => w.replaceAll('\u0000', '$'));
}

/** Exec form when the arguments are a JSON array of strings (as Docker decides), shell form otherwise. */
function commandForm(args: string): CommandForm {
  if (args.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(args);
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return { exec: value as string[] };
    } catch {
      // not JSON: Docker falls back to the shell form
    }
  }
  return { shell: args };
}

/** Leading --name=value flags of COPY/FROM; throws on a flag the interpreter does not know. */
function flags(all: string[], known: readonly string[], line: number, instruction: string): { flags: Record<string, string>; rest: string[] } {
  const found: Record<string, string> = {};
  let i = 0;
  for (; i < all.length && all[i]!.startsWith('--'); i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(all[i]!);
    if (!m || !known.includes(m[1]!)) throw unsupported(line, `${instruction} flag '${all[i]!}'`);
    found[m[1]!] = m[2] ?? 'true';
  }
  return { flags: found, rest: all.slice(i) };
}

/** Parse a Dockerfile; throws DockerfileError on anything the interpreter does not understand. */
export function parseDockerfile(text: string): Parsed {
  const notes: string[] = [];
  const stages: Stage[] = [];
  const stage = (line: number, keyword: string): Stage => {
    const current = stages.at(-1);
    if (!current) throw new DockerfileError(line, `${keyword} before the first FROM`);
    return current;
  };
  for (const { line, keyword, args } of logicalLines(text, notes)) {
    if (/<<-?\s*['"]?[A-Za-z_]/.test(args) && (keyword === 'RUN' || keyword === 'COPY')) throw unsupported(line, `a heredoc in ${keyword}`);
    switch (keyword) {
      case 'FROM': {
        const w = words(args, {}, line);
        if (w.some((x) => x.startsWith('--'))) throw unsupported(line, `FROM flag '${w.find((x) => x.startsWith('--'))!}'`);
        if (!(w.length === 1 || (w.length === 3 && w[1]!.toUpperCase() === 'AS'))) throw new DockerfileError(line, `cannot read 'FROM ${args}'`);
        const image = w[0]!;
        if (stages.some((s) => s.name === image)) throw unsupported(line, `FROM a previous stage ('${image}')`);
        stages.push({ index: stages.length, name: w[2], image, line, steps: [], env: {}, expose: [], workdir: '/' });
        break;
      }
      case 'WORKDIR': {
        const s = stage(line, keyword);
        const w = words(args, s.env, line);
        if (w.length !== 1) throw new DockerfileError(line, `WORKDIR takes one path, got '${args}'`);
        s.workdir = posix.resolve(s.workdir, w[0]!);
        s.steps.push({ kind: 'WORKDIR', line, path: s.workdir });
        break;
      }
      case 'COPY': {
        const s = stage(line, keyword);
        const form = commandForm(args);
        const all = form.exec ?? words(args, s.env, line);
        const { flags: f, rest } = flags(all, ['from', 'chown'], line, 'COPY');
        if (rest.length < 2) throw new DockerfileError(line, `COPY needs at least one source and a destination: '${args}'`);
        const dest = rest.at(-1)!;
        const sources = rest.slice(0, -1);
        for (const src of sources) if (/[*?[]/.test(src)) throw unsupported(line, `the wildcard COPY source '${src}'`);
        if (sources.length > 1 && !dest.endsWith('/')) {
          throw new DockerfileError(line, `COPY with more than one source needs a destination ending in '/' (docker build fails otherwise): '${args}'`);
        }
        s.steps.push({ kind: 'COPY', line, from: f.from, chown: f.chown, sources, dest: posix.resolve(s.workdir, dest) + (dest.endsWith('/') ? '/' : '') });
        break;
      }
      case 'RUN': {
        const s = stage(line, keyword);
        if (args.startsWith('--')) throw unsupported(line, `RUN flag '${args.split(/\s/)[0]!}'`);
        if (s.user !== undefined && !isRoot(s.user)) throw unsupported(line, `RUN after 'USER ${s.user}' (the interpreter cannot run as another user)`);
        s.steps.push({ kind: 'RUN', line, env: { ...s.env }, ...commandForm(args) });
        break;
      }
      case 'ENV': {
        const s = stage(line, keyword);
        const w = words(args, s.env, line);
        if (w.length === 0) throw new DockerfileError(line, 'ENV without a value');
        if (!w[0]!.includes('=')) {
          // Legacy form: ENV NAME the rest of the line.
          const m = /^\S+\s+([\s\S]*)$/.exec(args);
          if (!m) throw new DockerfileError(line, `cannot read 'ENV ${args}'`);
          s.env[w[0]!] = words(m[1]!, s.env, line).join(' ');
          break;
        }
        for (const pair of w) {
          const eq = pair.indexOf('=');
          if (eq <= 0) throw new DockerfileError(line, `ENV expects NAME=value pairs, got '${pair}'`);
          s.env[pair.slice(0, eq)] = pair.slice(eq + 1);
        }
        break;
      }
      case 'USER': {
        const s = stage(line, keyword);
        const w = words(args, s.env, line);
        if (w.length !== 1) throw new DockerfileError(line, `USER takes one user, got '${args}'`);
        s.user = w[0]!;
        s.steps.push({ kind: 'USER', line, user: s.user });
        break;
      }
      case 'EXPOSE': {
        const s = stage(line, keyword);
        for (const port of words(args, s.env, line)) {
          if (!/^\d+(\/(tcp|udp))?$/.test(port)) throw new DockerfileError(line, `EXPOSE expects PORT[/tcp|udp], got '${port}'`);
          s.expose.push(port);
        }
        break;
      }
      case 'HEALTHCHECK': {
        const s = stage(line, keyword);
        let rest = args;
        const options: Record<string, string> = {};
        for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
          if (!['interval', 'timeout', 'start-period', 'start-interval', 'retries'].includes(m[1]!)) throw unsupported(line, `HEALTHCHECK option '--${m[1]!}'`);
          options[m[1]!] = m[2]!;
          rest = rest.slice(m[0].length);
        }
        if (/^NONE$/i.test(rest)) throw unsupported(line, 'HEALTHCHECK NONE');
        const cmd = /^CMD\s+([\s\S]+)$/i.exec(rest);
        if (!cmd) throw new DockerfileError(line, `HEALTHCHECK expects [OPTIONS] CMD command, got '${args}'`);
        s.healthcheck = { line, options, ...commandForm(cmd[1]!.trim()) };
        break;
      }
      case 'ENTRYPOINT':
        stage(line, keyword).entrypoint = commandForm(args);
        break;
      case 'CMD':
        stage(line, keyword).cmd = commandForm(args);
        break;
      default:
        throw unsupported(line, `the instruction ${keyword}`);
    }
  }
  if (stages.length === 0) throw new DockerfileError(1, 'no FROM instruction');
  return { stages, notes };
}

/** Whether a USER value names root. */
export function isRoot(user: string): boolean {
  const name = user.split(':')[0]!;
  return name === '' || name === 'root' || name === '0';
}

// ---------------------------------------------------------------------------------------------------------------
// .dockerignore
// ---------------------------------------------------------------------------------------------------------------

/** Docker's .dockerignore matching: paths relative to the context, `*`, `?`, `**`, `!` exceptions, last match wins. */
export function dockerignore(text: string): { ignored: (rel: string) => boolean; patterns: string[] } {
  const patterns = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const compiled = patterns.map((p) => {
    const negate = p.startsWith('!');
    const body = posix
      .normalize((negate ? p.slice(1) : p).trim())
      .replace(/^\/+/, '')
      .replace(/\/+$/, '');
    let re = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c === '*' && body[i + 1] === '*') {
        re += '.*';
        i++;
        if (body[i + 1] === '/') i++;
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return { negate, re: new RegExp(`^${re}$`) };
  });
  const ignored = (rel: string): boolean => {
    const parts = posix.normalize(rel).replace(/^\/+/, '').split('/');
    let result = false;
    for (const { negate, re } of compiled) {
      // A pattern matching a parent folder excludes everything inside it.
      for (let n = 1; n <= parts.length; n++) {
        if (re.test(parts.slice(0, n).join('/'))) {
          result = !negate;
          break;
        }
      }
    }
    return result;
  };
  return { ignored, patterns };
}

// ---------------------------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------------------------

/** The environment a node:*-slim container starts with, stood in for by this machine's Node and npm. */
export function baseEnv(): Env {
  const env: Env = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: process.env.HOME ?? homedir(),
  };
  for (const name of [
    'NODE_EXTRA_CA_CERTS',
    'SSL_CERT_FILE',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    'TMPDIR',
    'LANG',
  ]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** npm settings for RUN steps: this machine's normal cache (so npm ci is fast), no audit/fund/update chatter. */
function npmEnv(): Env {
  const cache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8', env: baseEnv() }).stdout.trim();
  const env: Env = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  if (cache) env.npm_config_cache = cache;
  return env;
}

/** A build: each stage's root folder on this machine, and what was run, skipped or noted. */
export interface Built {
  parsed: Parsed;
  roots: Map<Stage, string>;
  /** What was run, skipped or noted, for the test output. */
  log: string[];
  skipped: string[];
}

/** Commands a RUN step may use; anything else could touch this machine and fails the test. */
const RUN_COMMANDS = new Set(['npm', 'mkdir', 'chmod', 'cp', 'mv', 'ln', 'rm', 'touch', 'echo', 'printf', 'true', 'test', 'node', 'ls', 'cat']);
const NPM_SUBCOMMANDS = new Set(['ci', 'install', 'i', 'run', 'run-script', 'prune', 'rebuild']);

/** Split a shell command into simple commands and the operators between them (quotes respected). */
function splitShell(command: string, line: number): Array<{ text: string; op: string }> {
  const out: Array<{ text: string; op: string }> = [];
  let text = '';
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      text += c;
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) text += command[++i];
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      text += c;
      continue;
    }
    if (c === '`' || (c === '$' && command[i + 1] === '(') || c === '(' || c === ')' || c === '{' || c === '}') {
      throw unsupported(line, `the shell construct '${c === '$' ? '$(' : c}' in RUN`);
    }
    const two = command.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      out.push({ text, op: two });
      text = '';
      i++;
    } else if (c === ';' || c === '|' || c === '\n') {
      out.push({ text, op: c });
      text = '';
    } else if (c === '&') {
      throw unsupported(line, "a background job ('&') in RUN");
    } else {
      text += c;
    }
  }
  if (quote) throw new DockerfileError(line, `unterminated quote in RUN: ${command}`);
  out.push({ text, op: '' });
  return out;
}

/** Map absolute image paths in a shell word list to the stage root (e.g. /scenarios → <stageRoot>/scenarios). */
function mapPaths(text: string, root: string): string {
  return text.replace(/(^|[\s=])(['"]?)(\/(?!\/)[^\s'";&|]*)/g, (all, before: string, q: string, path: string) =>
    path === '/dev/null' ? all : `${before}${q}${join(root, path)}`,
  );
}

/** Rewrite one RUN shell command for this machine: skip what would touch the host, map image paths. */
function rewriteRun(command: string, root: string, line: number, skipped: string[]): string {
  return splitShell(command, line)
    .map(({ text, op }) => {
      const trimmed = text.trim();
      const w = trimmed.split(/\s+/).filter((x) => x !== '');
      while (w.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0]!)) w.shift();
      const program = w[0];
      let result = trimmed;
      if (program === undefined) {
        if (op !== '' && op !== '\n') throw new DockerfileError(line, `empty command before '${op}' in RUN: ${command}`);
      } else if (program === 'chown') {
        skipped.push(`line ${line}: '${trimmed}' → true (the image's user may not exist on this host; ownership is not emulated)`);
        result = 'true';
      } else if (program === 'npm' && w[1] === 'rebuild' && w[2] === 'better-sqlite3' && w.length === 3 && existsSync(HOST_SQLITE_BINDING)) {
        // In the image prebuild-install downloads the prebuilt binding for the platform; this machine may be offline
        // (then it would compile SQLite for minutes), so the prebuilt file npm already made here stands in for it.
        skipped.push(`line ${line}: '${trimmed}' → copy of this machine's prebuilt binding (in the image prebuild-install downloads the same prebuilt file)`);
        result =
          'mkdir -p node_modules/better-sqlite3/build/Release && cp "$BWEMU_HOST_SQLITE_BINDING" node_modules/better-sqlite3/build/Release/better_sqlite3.node';
      } else if (program === 'npm' && w[1] === 'cache' && w[2] === 'clean') {
        skipped.push(`line ${line}: '${trimmed}' → true (it would wipe this machine's npm cache; in the image it only slims the layer)`);
        result = 'true';
      } else if (!RUN_COMMANDS.has(program)) {
        throw unsupported(line, `the RUN command '${program}' (it would run on this machine, outside the temp stage folder)`);
      } else if (program === 'npm') {
        const sub = w.slice(1).find((x) => !x.startsWith('-'));
        if (!sub || !NPM_SUBCOMMANDS.has(sub)) throw unsupported(line, `'npm ${sub ?? ''}' in RUN`);
        if (w.includes('-g') || w.includes('--global') || w.some((x) => x.startsWith('--prefix')))
          throw unsupported(line, `a global or --prefix npm install in RUN`);
      }
      return `${mapPaths(result, root)}${op === '' ? '' : ` ${op === '\n' ? ';' : op} `}`;
    })
    .join('')
    .trim();
}

/** Run a process; resolve with its exit code and combined output; reject when it exceeds `timeoutMs`. */
export function run(
  file: string,
  args: string[],
  options: { cwd: string; env: Env; timeoutMs: number },
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not finish within ${options.timeoutMs} ms; output so far:\n${output}`));
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output, ms: performance.now() - started });
    });
  });
}

/** Map an image path to the host path inside the stage root; refuse to leave it. */
export function inRoot(root: string, imagePath: string): string {
  const host = join(root, posix.resolve('/', imagePath));
  if (host !== root && !host.startsWith(root + '/')) throw new Error(`${imagePath} leaves the stage root`);
  return host;
}

/** Copy a file, folder (its contents) or symlink; `skip` filters by path relative to the copy source's base. */
function copyEntry(src: string, dest: string, rel: string, skip: (rel: string) => boolean): number {
  if (skip(rel)) return 0;
  const stat = lstatSync(src);
  if (stat.isSymbolicLink()) {
    rmSync(dest, { force: true });
    symlinkSync(readlinkSync(src), dest);
    return 1;
  }
  if (stat.isDirectory()) {
    mkdirSync(dest, { recursive: true });
    let count = 0;
    for (const name of readdirSync(src)) count += copyEntry(join(src, name), join(dest, name), rel === '' ? name : `${rel}/${name}`, skip);
    return count;
  }
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
  chmodSync(dest, stat.mode & 0o7777);
  return 1;
}

/** `docker build` on this machine: lay out every stage in a folder under `base` and really run its RUN steps. */
export async function build(parsed: Parsed, base: string, ignored: (rel: string) => boolean): Promise<Built> {
  const roots = new Map<Stage, string>();
  const log: string[] = [];
  const skipped: string[] = [];
  const npm = npmEnv();
  log.push(`npm cache: ${npm.npm_config_cache ?? '(npm default)'} (this machine's normal cache, prefer-offline)`);
  for (const stage of parsed.stages) {
    const label = stage.name ?? String(stage.index);
    const root = join(base, `stage-${stage.index}-${stage.name ?? 'final'}`);
    if (/\s/.test(root)) throw new Error(`the temp folder ${root} contains whitespace; the RUN path mapping needs a plain path`);
    mkdirSync(root, { recursive: true });
    roots.set(stage, root);
    log.push(`[${label}] FROM ${stage.image} → ${root}`);
    let workdir = '/';
    for (const step of stage.steps) {
      switch (step.kind) {
        case 'WORKDIR':
          workdir = step.path;
          mkdirSync(inRoot(root, workdir), { recursive: true });
          log.push(`[${label}] WORKDIR ${workdir}`);
          break;
        case 'USER':
          log.push(`[${label}] USER ${step.user} (recorded; the interpreter keeps running as ${process.getuid?.() ?? '?'})`);
          break;
        case 'COPY': {
          if (step.chown) skipped.push(`line ${step.line}: COPY --chown=${step.chown} (ownership is not emulated)`);
          let from: { root: string; label: string; skip: (rel: string) => boolean; base: (src: string) => string };
          if (step.from !== undefined) {
            const source = parsed.stages.find((s) => s.name === step.from || String(s.index) === step.from);
            if (!source || source.index >= stage.index) throw new DockerfileError(step.line, `COPY --from=${step.from}: no earlier stage of that name`);
            from = { root: roots.get(source)!, label: `stage ${step.from}`, skip: () => false, base: (src) => posix.resolve('/', src) };
          } else {
            from = {
              root: ROOT,
              label: 'the build context',
              skip: ignored,
              base: (src) => {
                const rel = posix.normalize(src).replace(/^\/+/, '').replace(/\/+$/, '');
                if (rel === '..' || rel.startsWith('../')) throw new DockerfileError(step.line, `COPY source '${src}' is outside the build context`);
                return rel === '.' ? '' : rel;
              },
            };
          }
          let count = 0;
          for (const src of step.sources) {
            const rel = from.base(src);
            const hostSrc = step.from !== undefined ? inRoot(from.root, rel) : join(ROOT, rel);
            const relForSkip = step.from !== undefined ? '' : rel;
            if (!existsSync(hostSrc) || (rel !== '' && from.skip(relForSkip))) {
              throw new DockerfileError(step.line, `COPY source '${src}' not found in ${from.label} or excluded by .dockerignore; docker build would fail`);
            }
            const isDir = statSync(hostSrc).isDirectory();
            const destIsDir = step.dest.endsWith('/') || (existsSync(inRoot(root, step.dest)) && statSync(inRoot(root, step.dest)).isDirectory());
            const dest = isDir || !destIsDir ? inRoot(root, step.dest) : join(inRoot(root, step.dest), posix.basename(rel));
            count += copyEntry(hostSrc, dest, relForSkip, step.from !== undefined ? () => false : (r) => r !== '' && ignored(r));
          }
          log.push(`[${label}] COPY ${step.from ? `--from=${step.from} ` : ''}${step.sources.join(' ')} ${step.dest} (${count} files)`);
          break;
        }
        case 'RUN': {
          const cwd = inRoot(root, workdir);
          const env = { ...baseEnv(), ...npm, ...step.env, BWEMU_HOST_SQLITE_BINDING: HOST_SQLITE_BINDING };
          let result: { code: number | null; output: string; ms: number };
          let shown: string;
          if (step.exec) {
            const argv = step.exec.map((a) => (a.startsWith('/') && !a.startsWith('//') ? inRoot(root, a) : a));
            if (!RUN_COMMANDS.has(posix.basename(argv[0]!)) || argv[0] === 'npm')
              throw unsupported(step.line, `the exec-form RUN ${JSON.stringify(step.exec)}`);
            shown = argv.join(' ');
            result = await run(argv[0]!, argv.slice(1), { cwd, env, timeoutMs: 180_000 });
          } else {
            shown = rewriteRun(step.shell!, root, step.line, skipped);
            result = await run('bash', ['-c', shown], { cwd, env, timeoutMs: 180_000 });
          }
          log.push(
            `[${label}] RUN ${step.shell ?? JSON.stringify(step.exec)}\n      ran: bash -c '${shown}' in ${cwd} (${(result.ms / 1000).toFixed(1)} s, exit ${result.code})`,
          );
          if (result.code !== 0)
            throw new DockerfileError(step.line, `RUN failed with exit ${result.code} (docker build would fail):\n${shown}\n${result.output.slice(-4000)}`);
          break;
        }
      }
    }
  }
  return { parsed, roots, log, skipped };
}

/** Every file and folder under `dir` that a non-owner cannot read (or enter). */
export function unreadableByOthers(dir: string): string[] {
  const bad: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      if ((stat.mode & 0o005) !== 0o005) bad.push(path);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if ((stat.mode & 0o004) === 0) {
      bad.push(path);
    }
  };
  walk(dir);
  return bad;
}

/** A HEALTHCHECK duration (e.g. 5s) in ms, or the fallback. */
export const parseDuration = (text: string | undefined, fallbackMs: number): number => {
  const m = text ? /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text) : null;
  if (!m) return fallbackMs;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
};
