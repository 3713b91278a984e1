// The control API and Bandwidth's API driven from other languages with their standard library only: Python (urllib)
// and Ruby (net/http), the runtimes Debian gives these machines. Each script (test/fixtures/stdlib-clients/) sends
// with Basic auth, loads a YAML scenario, long-polls the journal, waits for idle and resets; this test reads what it
// printed and checks it against the emulator's own record and the callback sink. Without the runtime the test is
// skipped with the reason, except under CI, where it fails (.ci/run installs ruby; python3 is on the machine).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useEmulators } from '../helpers/fixture.js';

const run = promisify(execFile);
const { start, newSink } = useEmulators();

const ACCOUNT = '9904001';
const APP = 'a5d1b000-0000-4000-8000-0000000000c1';
const FROM = '+19195550400';

const CLIENTS = [
  {
    language: 'Python',
    command: 'python3',
    script: 'control.py',
    install: 'python3 (apt-get install -y python3)',
    rejected: '+15557770042',
    delivered: '+19195551234',
  },
  { language: 'Ruby', command: 'ruby', script: 'control.rb', install: 'ruby (apt-get install -y ruby)', rejected: '+15557770043', delivered: '+19195551235' },
] as const;

/** Whether `command` runs here; when it does not, the skip reason (or, under CI, an error). */
async function missing(command: string, install: string): Promise<string | undefined> {
  try {
    await run(command, ['--version'], { timeout: 30_000 });
    return undefined;
  } catch {
    const reason = `${command} is not installed; install ${install} to run this test`;
    if (process.env.CI) throw new Error(`${reason}. CI is set, so the test fails instead of skipping (.ci/run installs it).`);
    console.warn(`SKIPPING the ${command} standard-library client test: ${reason}`);
    return reason;
  }
}

describe.each(CLIENTS)('$language standard-library client', ({ command, script, install, rejected, delivered }) => {
  it(`${script}: Basic auth, a YAML scenario, the journal long-poll, idle and reset against a listening emulator`, async (ctx) => {
    const reason = await missing(command, install);
    if (reason) return ctx.skip(reason);
    const sink = await newSink();
    const running = await start({
      accounts: [
        {
          id: ACCOUNT,
          users: [{ username: 'stdlib-user', password: 'stdlib-password' }],
          applications: [{ id: APP, callbackUrl: sink.url }],
          numbers: [{ number: FROM, applicationId: APP }],
        },
      ],
    });
    const path = fileURLToPath(new URL(`../fixtures/stdlib-clients/${script}`, import.meta.url));
    // Asynchronous: the emulator answering the script runs in this very process.
    const { stdout } = await run(command, [path], {
      timeout: 60_000,
      env: {
        ...process.env,
        BW_URL: running.url,
        BW_ACCOUNT: ACCOUNT,
        BW_USER: 'stdlib-user',
        BW_PASSWORD: 'stdlib-password',
        BW_APPLICATION: APP,
        BW_FROM: FROM,
      },
    });
    const steps = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown> & { step: string });
    const sent = steps.filter((s) => s.step === 'sent');
    expect(steps).toEqual([
      { step: 'ready', status: 200 },
      { step: 'scenario', status: 201, name: `${command === 'ruby' ? 'ruby' : 'python'}-carrier-rejection`, rules: 1 },
      // The problem names the field and its line, as for a file.
      { step: 'bad-scenario', status: 400, field: 'rules[0].events[0].errorCode', line: 3 },
      { step: 'wrong-credentials', status: 401 },
      { step: 'sent', status: 202, to: delivered, id: expect.stringMatching(/^\w{29}$/) },
      { step: 'sent', status: 202, to: rejected, id: expect.stringMatching(/^\w{29}$/) },
      { step: 'callback', status: 200, to: delivered, type: 'message-delivered', errorCode: null },
      { step: 'callback', status: 200, to: rejected, type: 'message-failed', errorCode: 4720 },
      { step: 'time', status: 200 },
      { step: 'idle', status: 200, total: 0 },
      { step: 'reset', status: 204, messages: 0, scenarios: 0 },
    ]);
    // What the script saw is what happened: the sink got both callbacks, for the ids the script was given.
    const bodies = sink.requests.map((r) => (r.body as Array<{ type: string; message: { id: string } }>)[0]!);
    expect(bodies.map((b) => [b.type, b.message.id]).sort()).toEqual(
      [
        ['message-delivered', sent[0]!.id],
        ['message-failed', sent[1]!.id],
      ].sort(),
    );
    expect(await running.messages.list()).toEqual([]);
  });
});
