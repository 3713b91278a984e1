import { createEmulator, resolveConfig } from '../dist/index.js';
const config = resolveConfig({ overrides: { logLevel: 'silent' } });
const emulator = createEmulator(config);
const account = config.accounts[0];
const request = { applicationId: account.applications[0].id, to: ['+19195551234'], from: account.numbers[0].number, text: 'soak' };
const settle = async () => { while (emulator.dispatcher.stats().pending + emulator.timeline.pendingSteps > 0) await new Promise((r) => setTimeout(r, 5)); };
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
const h0 = heap();
for (let b = 0; b < 20; b++) { for (let i = 0; i < 500; i++) emulator.acceptOutbound(account.id, request); await settle(); }
const h1 = heap();
console.log('bytes per message (+journal)', Math.round((h1 - h0) / 10000));
const m = emulator.store.list ? null : null;
const any = [...(emulator.store.byAccount?.values() ?? [])][0];
const msg = any ? [...any.values()][0] : undefined;
console.log(JSON.stringify(msg, null, 1).slice(0, 3000));
const entries = emulator.journal.list().slice(-3);
console.log(JSON.stringify(entries, null, 1).slice(0, 3000));
await emulator.close();
