// The soak, in its own process: the built emulator with the default config and caps, in-process, no HTTP. Messages
// enter through acceptOutbound (the call the create route makes after validation); the default application has no
// callback URL, so each event is planned, played on the clock and journaled (`no-target`) without a POST. At a
// million messages HTTP would set the pace of the run, not the emulator's memory, which is what the soak measures;
// the saturation phase covers callbacks over HTTP. RSS is read after a forced GC at each checkpoint.
// argv: checkpoints (comma-separated); prints one JSON line.
import { createEmulator, resolveConfig } from '../../dist/index.js';

const checkpoints = process.argv[2].split(',').map(Number);
const config = resolveConfig({ overrides: { logLevel: 'silent' } });
const emulator = createEmulator(config);
const account = config.accounts[0];
const request = { applicationId: account.applications[0].id, to: ['+19195551234'], from: account.numbers[0].number, text: 'soak' };
// Bounded in flight, so the soak measures the caps rather than a backlog of its own making.
const MAX_PENDING = 2_000;
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 100) / 100;
// RSS is the goal's figure; the heap in use after a full GC is reported beside it because RSS also holds pages V8
// has freed but not yet returned, which moves a reading by tens of MB from run to run.
// Two full GCs with a pause after each: V8 sweeps concurrently and unmaps the pages it freed only once sweeping is
// done, so a reading taken right after gc() returns still counts some of them.
const memory = async () => {
  for (let i = 0; i < 2; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rssMb: mb(rss), heapUsedMb: mb(heapUsed), heapTotalMb: mb(heapTotal), externalMb: mb(external) };
};

const readings = [];
const started = performance.now();
let sent = 0;
for (const checkpoint of checkpoints) {
  while (sent < checkpoint) {
    const batch = Math.min(500, checkpoint - sent);
    for (let i = 0; i < batch; i++) emulator.acceptOutbound(account.id, request);
    sent += batch;
    await yieldToLoop();
    while (emulator.parts.dispatcher.stats().pending + emulator.parts.timeline.pendingSteps > MAX_PENDING)
      await new Promise((resolve) => setTimeout(resolve, 1));
  }
  // Let what is in flight settle, so each reading holds the same kind of state: full stores, nothing pending.
  while (emulator.parts.dispatcher.stats().pending + emulator.parts.timeline.pendingSteps > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const reading = await memory();
  readings.push({ messages: checkpoint, ...reading, seconds: Math.round((performance.now() - started) / 10) / 100 });
}
const books = emulator.parts.dispatcher.stats();
const stores = { messages: emulator.parts.store.stats(), journal: emulator.parts.journal.stats(), media: emulator.parts.media.stats() };
await emulator.close();
process.stdout.write(JSON.stringify({ readings, books, stores }) + '\n');
