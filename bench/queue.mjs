// The production profile's account queue at its size (issue 19): 100,000 messages accepted faster than the account's
// rate wait in the queue; the script reports the heap and RSS with them waiting, then drains them all with one
// time/flush and checks nothing is left. Time is frozen (timeScale 1e6), so the queue only moves with the flush. It
// stops by itself; run it under the heap cap RELIABILITY.md states (npm run bench:queue passes
// --max-old-space-size=1024). `node bench/queue.mjs [--messages N]` after a build prints one JSON line.
import { startEmulator } from '../dist/index.js';

const args = process.argv.slice(2);
const count = Number(args[args.indexOf('--messages') + 1] ?? 0) || 100_000;
const ACCOUNT = '9900000';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const mb = (bytes) => Math.round(bytes / 1024 / 1024);

const running = await startEmulator({
  timeScale: 1e6,
  logLevel: 'warn',
  traffic: { profile: 'production', rates: { account: 10, campaignClasses: { T: 10 } }, queueDepth: '4h' },
  limits: { maxMessages: count + 1, maxJournalEntries: 1_000 },
  accounts: [{ id: ACCOUNT, users: [{ username: 'u', password: 'p' }], applications: [{ id: APP }], numbers: [{ number: FROM, applicationId: APP }] }],
});
const core = running.emulator;
globalThis.gc?.();
const before = process.memoryUsage();
const started = performance.now();
for (let i = 0; i < count; i++)
  core.acceptOutbound(ACCOUNT, { applicationId: APP, from: FROM, to: ['+15551230000'], text: `queued ${i}`, priority: i % 10 === 0 ? 'high' : 'default' });
const acceptMs = performance.now() - started;
globalThis.gc?.();
const waiting = process.memoryUsage();
const queued = core.pending().queued ?? 0;
const flushStarted = performance.now();
await core.time.flush();
const flushMs = performance.now() - flushStarted;
const left = core.pending();
await running.close();
const result = {
  messages: count,
  queued,
  acceptMs: Math.round(acceptMs),
  perMessageUs: Math.round((acceptMs * 1000) / count),
  heapUsedMb: { before: mb(before.heapUsed), waiting: mb(waiting.heapUsed) },
  rssMb: { before: mb(before.rss), waiting: mb(waiting.rss), peak: mb(process.resourceUsage().maxRSS * 1024) },
  bytesPerQueuedMessage: Math.round((waiting.heapUsed - before.heapUsed) / count),
  drainFlushMs: Math.round(flushMs),
  leftAfterFlush: { queued: left.queued ?? 0, steps: left.steps },
};
console.log(JSON.stringify(result));
if (queued !== count - 1 || (left.queued ?? 0) !== 0 || result.rssMb.peak > 1536) process.exitCode = 1;
