// Where a target's CPU goes under the saturation load: runs it with `node --cpu-prof` (and the bench's Node flags),
// loads it with autocannon for BENCH_SATURATION_SECONDS (default 10) at 32 connections with a callback sink, then
// prints busy CPU µs per accepted message by category: socket writes, Node core, GC, each dependency, and the
// emulator's own modules (from the bundle's `// dist/...` section markers) with their heaviest functions.
// Usage: npm run build && node bench/profile.mjs [emulator|reference] [--keep DIR]. Loopback only; stops by itself.
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const target = process.argv[2] ?? 'emulator';
const keepAt = process.argv.indexOf('--keep');
const dir = keepAt > 0 ? path.resolve(process.argv[keepAt + 1]) : mkdtempSync(path.join(os.tmpdir(), 'bw-profile-'));
const seconds = process.env.BENCH_SATURATION_SECONDS ?? '10';
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean);
const bundle = path.join(root, 'dist/bundle/cli.js');

const sink = fork(path.join(root, 'bench/lib/sink.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const sinkPort = await new Promise((resolve) => sink.once('message', (m) => resolve(/** @type {{ port: number }} */ (m).port)));
const port = 20000 + Math.floor(Math.random() * 20000);
// The reference has no SIGTERM handler; exiting through one lets --cpu-prof write its file.
const exitOnTerm = ['--import', 'data:text/javascript,process.on("SIGTERM",()=>process.exit(0))'];
const profiled = ['--cpu-prof', '--cpu-prof-dir', dir, ...nodeFlags];
const child =
  target === 'reference'
    ? spawn(process.execPath, [...profiled, ...exitOnTerm, path.join(root, 'bench/lib/reference.mjs')], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, PORT: String(port), CALLBACK_URL: `http://127.0.0.1:${sinkPort}/cb/reference` },
      })
    : spawn(
        process.execPath,
        [...profiled, path.join(root, 'bin/bandwidth-emulator.js'), '--port', String(port), '--callback-url', `http://127.0.0.1:${sinkPort}/cb/emulator`],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
try {
  await delay(1500);
  const load = JSON.parse(
    execFileSync(process.execPath, [path.join(root, 'bench/lib/saturate.mjs'), `http://127.0.0.1:${port}`, seconds, '32'])
      .toString()
      .trim()
      .split('\n')
      .at(-1),
  );
  await delay(1500); // let the callbacks of the last requests go out
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  report(
    JSON.parse(
      readFileSync(
        path.join(
          dir,
          readdirSync(dir).find((f) => f.endsWith('.cpuprofile')),
        ),
        'utf8',
      ),
    ),
    load,
  );
} finally {
  child.kill('SIGKILL');
  sink.kill();
  if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
}

function report(profile, load) {
  const perMessage = (us) => (us / load.accepted).toFixed(2);
  const selfUs = new Map();
  for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  // Section markers esbuild writes before each bundled file's code, so a line of the bundle names its module.
  const moduleAt = [];
  let current = '(bundle)';
  readFileSync(bundle, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const marker = /^\/\/ ((?:node_modules|dist)\/.*)$/.exec(line);
      if (marker) current = marker[1].replace(/^node_modules\/((?:@[^/]+\/)?[^/]+).*/, '$1');
      moduleAt[i] = current;
    });
  const categories = new Map();
  const ownFunctions = new Map();
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  let busy = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    const { functionName: name, url, lineNumber } = node.callFrame;
    if (name === '(idle)' || us === 0) continue;
    busy += us;
    let category;
    if (name === '(garbage collector)') category = 'GC';
    else if (name === 'writev' || (name.startsWith('write') && url === '')) category = 'socket writes';
    else if (url.startsWith('node:')) category = 'Node core';
    else if (url.endsWith('bundle/cli.js')) category = moduleAt[lineNumber] ?? '(bundle)';
    else if (url.includes('node_modules/')) category = url.replace(/.*node_modules\/((?:@[^/]+\/)?[^/]+).*/, '$1');
    else if (url.endsWith('reference.mjs')) category = 'bench/lib/reference.mjs';
    else category = `other (${name || 'anonymous'})`;
    add(categories, category, us);
    if (category.startsWith('dist/')) add(ownFunctions, `${category} ${name || '(anonymous)'}`, us);
  }
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${perMessage(us).padStart(7)}  ${k}`)
      .join('\n');
  console.log(`${target}: ${load.requestsPerSec} req/s, ${load.accepted} accepted in ${seconds} s; busy CPU ${perMessage(busy)} µs per message`);
  console.log(`by category (µs per message, self time):\n${top(categories, 25)}`);
  if (ownFunctions.size) console.log(`the emulator's own functions:\n${top(ownFunctions, 15)}`);
  if (keepAt > 0) console.log(`profile kept in ${dir} (open it in Chrome DevTools)`);
}
