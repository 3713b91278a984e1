// Integration tests of the two-factor app against an in-process Bandwidth emulator: real HTTP both ways,
// the official bandwidth-sdk, the bundled scenario files, and no sleeps (every wait is on the callback journal).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startEmulator, type RunningEmulator } from 'bandwidth-emulator';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTwoFactorApp, type BandwidthOptions } from './app.js';

// The bundled scenarios ship with the package: found the same way here and in a project that installed it.
const packageRoot = dirname(createRequire(import.meta.url).resolve('bandwidth-emulator/package.json'));
const scenario = (file: string) => join(packageRoot, 'scenarios', file);

// Our own account in the emulator: the app's credentials, messaging application (callbacks to the app) and number.
const ACCOUNT_ID = '5550100';
const APPLICATION_ID = 'two-factor-app';
const APP_NUMBER = '+19195550100';

interface Stack {
  bw: RunningEmulator;
  app: FastifyInstance;
  appUrl: string;
}

/**
 * Start the app, then an emulator whose application calls the app back. The app listens first (its webhook URL goes
 * into the emulator's accounts); it makes its Bandwidth client on first use, so the emulator's URL is filled in after.
 */
async function startStack(scenarios: string[]): Promise<Stack> {
  const bandwidth: BandwidthOptions = {
    basePath: '', // set below, once the emulator listens
    username: 'two-factor-api',
    password: 'two-factor-secret',
    accountId: ACCOUNT_ID,
    applicationId: APPLICATION_ID,
    from: APP_NUMBER,
  };
  const app = buildTwoFactorApp({ bandwidth });
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const bw = await startEmulator({
      scenarios,
      accounts: [
        {
          id: ACCOUNT_ID,
          users: [{ username: bandwidth.username, password: bandwidth.password }],
          applications: [{ id: APPLICATION_ID, callbackUrl: `${appUrl}/webhooks/bandwidth` }],
          numbers: [{ number: APP_NUMBER, applicationId: APPLICATION_ID }],
        },
      ],
      callbacks: { deliveryDelay: '10ms' },
      timeScale: 0.1, // every emulated delay ten times shorter
    });
    bandwidth.basePath = bw.url;
    return { bw, app, appUrl };
  } catch (error) {
    await app.close();
    throw error;
  }
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  // The emulator first: it cancels pending callbacks, so none lands on a closing app.
  await stack?.bw.close();
  await stack?.app.close();
}

const login = (stack: Stack, phone: string) =>
  fetch(`${stack.appUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone }) });

async function status(stack: Stack, phone: string) {
  const res = await fetch(`${stack.appUrl}/status/${encodeURIComponent(phone)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { verified: boolean; optedOut: boolean; delivered: boolean };
}

/** The code in the last message the app texted to `phone`, read from the emulator's store. */
async function lastCodeSentTo(bw: RunningEmulator, phone: string): Promise<string> {
  const [sent] = await bw.messages.list({ to: phone, direction: 'out' });
  const code = /\b(\d{6})\b/.exec(sent?.text ?? '')?.[1];
  expect(code, `a 6-digit code in ${JSON.stringify(sent?.text)}`).toBeDefined();
  return code!;
}

describe('two-factor example: the user types the code back (scenarios/two-factor.yaml)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack([scenario('two-factor.yaml')]);
  });
  afterAll(() => stopStack(stack));
  // Each test starts from an empty journal and no run-time scenarios (the app's state is per phone).
  afterEach(() => stack.bw.reset());

  it('texts a code, sees it delivered and verifies the phone when the reply carries it', async () => {
    const phone = '+15550001234';
    const res = await login(stack, phone);
    expect(res.status).toBe(202);
    const { messageId } = (await res.json()) as { messageId: string };
    const code = await lastCodeSentTo(stack.bw, phone);

    // The receipt reached the app (outcome 'delivered' = the app answered 2xx, so it has processed the event).
    const receipt = await stack.bw.callbacks.waitFor({ type: 'message-delivered', messageId, outcome: 'delivered' });
    expect(receipt.recipient).toBe(phone);
    // two-factor.yaml: the handset answers 'My code is {{text}}', which reaches the app as message-received.
    const reply = await stack.bw.callbacks.waitFor({ type: 'message-received', outcome: 'delivered' });
    const event = reply.request.body[0] as { message: { from: string; to: string[]; text: string } };
    expect(event.message).toMatchObject({ from: phone, to: [APP_NUMBER] });
    expect(event.message.text).toContain(code);

    expect(await status(stack, phone)).toEqual({ verified: true, optedOut: false, delivered: true });
  });

  it('does not verify on a wrong code, then does on the right one', async () => {
    const phone = '+15550002222';
    // A run-time scenario (checked before the files): this handset receives the code but does not answer by itself.
    await stack.bw.scenarios.use({ version: 1, name: 'silent-handset', rules: [{ match: { to: phone }, events: [{ type: 'message-delivered' }] }] });
    expect((await login(stack, phone)).status).toBe(202);
    await stack.bw.callbacks.waitFor({ type: 'message-delivered', recipient: phone, outcome: 'delivered' });
    const code = await lastCodeSentTo(stack.bw, phone);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    // The user types, through the emulator's handset: each inbound message is awaited by its id.
    const [mistyped] = await stack.bw.inbound({ from: phone, to: [APP_NUMBER], text: wrong });
    await stack.bw.callbacks.waitFor({ messageId: mistyped!.id, outcome: 'delivered' });
    expect(await status(stack, phone)).toEqual({ verified: false, optedOut: false, delivered: true });

    const [typed] = await stack.bw.inbound({ from: phone, to: [APP_NUMBER], text: code });
    await stack.bw.callbacks.waitFor({ messageId: typed!.id, outcome: 'delivered' });
    expect(await status(stack, phone)).toEqual({ verified: true, optedOut: false, delivered: true });
  });
});

describe('two-factor example: the user opts out (scenarios/opt-out.yaml)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack([scenario('opt-out.yaml')]);
  });
  afterAll(() => stopStack(stack));

  it('marks the phone opted out on STOP and refuses to text it again', async () => {
    const phone = '+15558880001'; // opt-out.yaml: the first message is delivered, then the handset answers STOP
    expect((await login(stack, phone)).status).toBe(202);
    await stack.bw.callbacks.waitFor({ type: 'message-delivered', recipient: phone, outcome: 'delivered' });
    const stop = await stack.bw.callbacks.waitFor({ type: 'message-received', outcome: 'delivered' });
    expect(stop.request.body[0]).toMatchObject({ message: { from: phone, text: 'STOP' } });
    expect(await status(stack, phone)).toEqual({ verified: false, optedOut: true, delivered: true });

    // The second login is refused by the app itself: nothing more reaches Bandwidth for that number.
    const again = await login(stack, phone);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: 'opted-out', phone });
    expect(await stack.bw.messages.list({ to: phone, direction: 'out' })).toHaveLength(1);
  });

  it('takes UNSUBSCRIBE in any case as an opt-out too', async () => {
    const phone = '+15558880002';
    const [message] = await stack.bw.inbound({ from: phone, to: [APP_NUMBER], text: 'Unsubscribe' });
    await stack.bw.callbacks.waitFor({ messageId: message!.id, outcome: 'delivered' });
    expect(await status(stack, phone)).toMatchObject({ optedOut: true });
    expect((await login(stack, phone)).status).toBe(409);
  });
});

describe('two-factor example: the carrier reports an opt-out (run-time scenario)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack([]);
  });
  afterAll(() => stopStack(stack));

  it('marks the phone opted out on message-failed 4775', async () => {
    const phone = '+15550009999';
    await stack.bw.scenarios.use({ version: 1, rules: [{ match: { to: phone }, events: [{ type: 'message-failed', errorCode: 4775 }] }] });
    expect((await login(stack, phone)).status).toBe(202);

    const failed = await stack.bw.callbacks.waitFor({ type: 'message-failed', recipient: phone, outcome: 'delivered' });
    expect(failed.request.body[0]).toMatchObject({ type: 'message-failed', to: phone, errorCode: 4775 });
    expect(await status(stack, phone)).toEqual({ verified: false, optedOut: true, delivered: false });
    expect((await login(stack, phone)).status).toBe(409);
    expect(await stack.bw.messages.list({ to: phone, direction: 'out' })).toHaveLength(1);
  });
});
