// The Docker engine as the image test drives it: the docker CLI as child processes, each with a bound on its time,
// failing with the command and what it printed.
import { spawn } from 'node:child_process';

/** What one command printed and how long it took. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** How to run one command: its time bound, and optionally its standard input, environment and folder. */
export interface RunOptions {
  timeoutMs: number;
  input?: NodeJS.ReadableStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Run `command args`; resolves whatever the exit code (killed with SIGKILL after `timeoutMs`). */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (options.input) options.input.pipe(child.stdin!);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Run a command that must succeed; throws with its output otherwise. */
export async function must(command: string, args: readonly string[], options: RunOptions): Promise<Ran> {
  const ran = await run(command, args, options);
  if (ran.code !== 0) {
    const tail = (text: string) => text.split('\n').slice(-40).join('\n');
    throw new Error(
      `${command} ${args.join(' ')} exited ${ran.code ?? 'on a signal (timeout?)'} after ${(ran.ms / 1000).toFixed(1)} s\nstdout:\n${tail(ran.stdout)}\nstderr:\n${tail(ran.stderr)}`,
    );
  }
  return ran;
}

let buildx: Promise<boolean> | undefined;

/**
 * `docker ...`, which must succeed. Without the buildx plugin (Debian's docker.io has none) the CLI is told to use
 * the classic builder, which the Dockerfile is written to work with, instead of failing for the missing plugin.
 */
export async function docker(args: readonly string[], timeoutMs = 60_000, cwd?: string): Promise<Ran> {
  buildx ??= run('docker', ['buildx', 'version'], { timeoutMs: 20_000 }).then(
    (r) => r.code === 0,
    () => false,
  );
  const env = (await buildx) ? process.env : { ...process.env, DOCKER_BUILDKIT: '0' };
  return must('docker', args, { timeoutMs, cwd, env });
}

/** Whether a Docker engine answers here, and why not when it does not. */
export async function engineProblem(): Promise<string | undefined> {
  try {
    const ran = await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 });
    return ran.code === 0 ? undefined : `docker version failed: ${ran.stderr.trim()} (start the engine: dockerd >/tmp/dockerd.log 2>&1 &)`;
  } catch (error) {
    return `no docker CLI: ${(error as Error).message} (apt-get install docker.io)`;
  }
}

/** The image's size in bytes, as `docker image inspect` reports it (every layer, the base's included). */
export async function imageBytes(image: string): Promise<number> {
  return Number((await docker(['image', 'inspect', '--format', '{{.Size}}', image])).stdout.trim());
}

/** One `docker inspect --format` value of a container or image. */
export async function inspect(target: string, format: string): Promise<string> {
  return (await docker(['inspect', '--format', format, target])).stdout.trim();
}

/**
 * Follow a streaming command (docker logs -f, docker events) until a line satisfies `match`; resolves with that line,
 * rejects with what was seen when the stream ends or `timeoutMs` passes first. The stream is stopped either way.
 */
function follow(args: readonly string[], match: (line: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const seen: string[] = [];
    let partial = '';
    let done = false;
    const finish = (error: Error | undefined, line?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(line!);
    };
    const onData = (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        seen.push(line);
        if (match(line)) return finish(undefined, line);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    const timer = setTimeout(
      () => finish(new Error(`docker ${args.join(' ')}: no matching line within ${timeoutMs} ms; saw:\n${seen.slice(-30).join('\n')}`)),
      timeoutMs,
    );
    child.once('close', () => finish(new Error(`docker ${args.join(' ')} ended before a matching line; saw:\n${seen.slice(-30).join('\n')}${partial}`)));
  });
}

/** Wait for a container's log (stdout and stderr) to show a line matching `pattern`. */
export function waitForLog(container: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  return follow(['logs', '--follow', container], (line) => pattern.test(line), timeoutMs);
}

/**
 * Wait for the engine to report the container healthy (its HEALTHCHECK passed), from its events since `since`
 * (unix seconds, taken before `docker run`), so a report made before this call is not missed. Rejects on
 * unhealthy or on the container's exit.
 */
export async function waitHealthy(container: string, since: string, timeoutMs: number): Promise<void> {
  const line = await follow(
    ['events', '--since', since, '--filter', `container=${container}`, '--filter', 'event=health_status', '--filter', 'event=die', '--format', '{{.Status}}'],
    (l) => /^(health_status: (healthy|unhealthy)|die)$/.test(l.trim()),
    timeoutMs,
  );
  if (line.trim() !== 'health_status: healthy')
    throw new Error(`${container}: ${line.trim()}\n${(await run('docker', ['logs', container], { timeoutMs: 20_000 })).stdout}`);
}
