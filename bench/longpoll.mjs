// Long-poll latency: how soon GET /__emulator/callbacks?wait= answers after the matching journal entry is recorded.
// Loopback only, bounded (ITERATIONS sequential rounds), stops by itself. Run after a build: npm run bench.
import { createServer } from 'node:http';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { startEmulator } from '../dist/index.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const sink = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
await new Promise((resolve) => sink.listen(0, '127.0.0.1', () => resolve(undefined)));
const callbackUrl = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (sink.address()).port}/cb`;
const bw = await startEmulator({
  callbacks: { deliveryDelay: '1ms' },
  accounts: [
    {
      id: '9900000',
      users: [{ username: 'u', password: 'p' }],
      applications: [{ id: 'app', callbackUrl }],
      numbers: [{ number: '+19195550100', applicationId: 'app' }],
    },
  ],
});
const auth = 'Basic ' + Buffer.from('u:p').toString('base64');
const epochNow = () => performance.timeOrigin + performance.now();
const gaps = [];
let lastSeq = 0;
for (let i = 0; i < ITERATIONS; i++) {
  const poll = fetch(`${bw.url}/__emulator/callbacks?type=message-delivered&outcome=delivered&afterSeq=${lastSeq}&wait=5000`);
  const sent = await fetch(`${bw.url}/users/9900000/messages`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ applicationId: 'app', to: ['+19195551234'], from: '+19195550100', text: `bench ${i}` }),
  });
  await sent.arrayBuffer();
  const res = await poll;
  const answeredAt = epochNow();
  const { entries } = await res.json();
  const entry = entries[0];
  lastSeq = entry.seq;
  // The entry is recorded when the attempt ends: its start plus its duration.
  gaps.push(answeredAt - (entry.at + entry.durationMs));
}
await bw.close();
sink.close();

gaps.sort((a, b) => a - b);
const pct = (p) => gaps[Math.min(gaps.length - 1, Math.floor((p / 100) * gaps.length))];
const result = {
  benchmark: 'long-poll latency (journal entry recorded → long-poll response received)',
  iterations: ITERATIONS,
  p50Ms: +pct(50).toFixed(2),
  p99Ms: +pct(99).toFixed(2),
  maxMs: +gaps[gaps.length - 1].toFixed(2),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  at: new Date().toISOString(),
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/longpoll.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
console.log(`long-poll: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms over ${ITERATIONS} callbacks`);
