import { fork, spawn, execFileSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
const root = '/work/main/';
const [target, dir] = process.argv.slice(2);
const sink = fork(root + 'bench/lib/sink.mjs', [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const { port: sinkPort } = await new Promise((r) => sink.once('message', r));
const port = 47400 + (target === 'ref' ? 1 : 0);
const prof = ['--cpu-prof', '--cpu-prof-dir', dir, ...(process.env.EXTRA ? process.env.EXTRA.split(' ') : [])];
const child = target === 'ref'
  ? spawn(process.execPath, [...prof, '--import', 'data:text/javascript,process.on("SIGTERM",()=>process.exit(0))', root + 'bench/lib/reference.mjs'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PORT: String(port), CALLBACK_URL: `http://127.0.0.1:${sinkPort}/cb/r` } })
  : spawn(process.execPath, [...prof, root + 'bin/bandwidth-emulator.js', '--port', String(port), '--callback-url', `http://127.0.0.1:${sinkPort}/cb/emulator`], { stdio: ['ignore', 'ignore', 'inherit'] });
await delay(1500);
const out = execFileSync(process.execPath, [root + 'bench/lib/saturate.mjs', `http://127.0.0.1:${port}`, '10', '32']).toString();
console.log(target, out.trim());
await delay(1500);
child.kill('SIGTERM'); await new Promise((r) => child.on('exit', r));
sink.kill();
