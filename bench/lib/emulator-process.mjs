// The emulator under test in its own process, as users run it: the built CLI (`bin/bandwidth-emulator.js`, which
// runs `dist/bundle/cli.js`; HOSTILE_EMULATOR_ROOT names another built checkout to measure that one instead) on 127.0.0.1 port 0, with a config file. Its memory is read
// from outside (/proc), the same way for every version of the code. A watchdog kills it when its RSS passes a
// ceiling, so a load that makes it grow without bound fails the run instead of taking the machine's memory.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryOf } from './proc.mjs';

const DEFAULT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BANNER = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
// What is kept of the child's output for an error message: its last few KB.
const OUTPUT_TAIL_CHARS = 4096;
const WATCH_INTERVAL_MS = 100;

// memoryOf, refusing a reading without figures (a process that has exited but not been reaped has no VmRSS).
function readMemory(pid) {
  const reading = memoryOf(pid);
  if (!Number.isFinite(reading.rssMb) || !Number.isFinite(reading.peakRssMb)) throw new Error(`no memory figures for ${pid}`);
  return reading;
}

/** Start the emulator CLI with `config` (a config file's content); resolves once it has printed its listen URL. */
export async function startEmulatorProcess({
  config = {},
  cli = join(process.env.HOSTILE_EMULATOR_ROOT ?? DEFAULT_ROOT, 'bin', 'bandwidth-emulator.js'),
  // The flags `npm start` and the Docker image use, plus a heap cap so V8 fails before the machine does.
  heapMb = 1024,
  ceilingMb = 1536,
  startTimeoutMs = 20_000,
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bw-hostile-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ logLevel: 'warn', ...config }));
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=32', `--max-old-space-size=${heapMb}`, cli, '--config', configFile, '--port', '0', '--host', '127.0.0.1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-OUTPUT_TAIL_CHARS);
  };
  // Both pipes are always drained: a child whose log pipe fills would block on its next write.
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  let died;
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      died ??= `exited (code ${code}, signal ${signal})`;
      clearInterval(watch);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  let peakRssMb = 0;
  let lastRssMb = 0;
  const watch = setInterval(() => {
    try {
      const { rssMb, peakRssMb: hwm } = readMemory(child.pid);
      lastRssMb = rssMb;
      peakRssMb = Math.max(peakRssMb, hwm, rssMb);
      if (rssMb > ceilingMb && !died) {
        died = `killed by the watchdog: RSS ${rssMb} MB passed the ${ceilingMb} MB ceiling`;
        child.kill('SIGKILL');
      }
    } catch {
      // The process is gone; `exit` says how.
    }
  }, WATCH_INTERVAL_MS);
  watch.unref();

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the emulator did not print its URL within ${startTimeoutMs} ms; output: ${output}`)), startTimeoutMs);
    const onData = () => {
      const match = BANNER.exec(output);
      if (match) done(match[1]);
    };
    const onExit = () => fail(new Error(`the emulator ${died} before listening; output: ${output}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
    };
    const done = (value) => {
      cleanup();
      resolve(value);
    };
    const fail = (error) => {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout.on('data', onData);
    child.on('exit', onExit);
  });

  return {
    url,
    pid: child.pid,
    /** RSS now and the highest seen (VmHWM and the watchdog's readings), in MB; the last reading once it is gone. */
    memory() {
      try {
        const now = readMemory(child.pid);
        peakRssMb = Math.max(peakRssMb, now.peakRssMb, now.rssMb);
        lastRssMb = now.rssMb;
      } catch {
        // gone: keep the last readings
      }
      return { rssMb: lastRssMb, peakRssMb };
    },
    /** Why the process is gone (exit, crash, watchdog), or undefined while it runs. */
    died: () => died,
    /** The last few KB it printed. */
    output: () => output,
    /** Stop it (SIGTERM, then SIGKILL after `graceMs`) and wait for the exit. */
    async stop(graceMs = 3_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      died ??= 'stopped';
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
