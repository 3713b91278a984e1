// The control API end to end, asserted identically in-process and over HTTP (connectEmulator(url)): run-time
// scenarios (use, list, clear, trigger) and the problems of an invalid one.
// Messages go in through the official bandwidth-sdk; callbacks go out to a real HTTP sink on 127.0.0.1:0.
import { describe, expect, it, vi } from 'vitest';
import { ControlInputError } from '../../src/control/operations.js';
import { CONTROL_CONNECTIONS, rejection } from '../helpers/harness.js';
import { ACCOUNT_A, ACCOUNT_B, HANDSET, NUM_A1, NUM_A2, scenarioNames, sendA, sendB, TO1, TO5, useControlApi, WAIT } from '../helpers/control-api.js';

const { start } = useControlApi();

describe.each(CONTROL_CONNECTIONS)('control operations through the %s', (_mode, connect) => {
  it('scenarios.use / list: explain lines, scope, hit counts that rise after a matching send', async () => {
    const f = await start(connect);
    const summary = await f.ops.scenarios.use(
      {
        version: 1,
        name: 'ctl-reject-to5',
        seed: 3,
        rules: [{ name: 'TO5 rejected', match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }],
      },
      { accountId: ACCOUNT_A },
    );
    expect(summary).toMatchObject({ name: 'ctl-reject-to5', scope: ACCOUNT_A, seed: 3, rules: [{ id: 'ctl-reject-to5#0', name: 'TO5 rejected', hits: 0 }] });
    expect(summary.source).toContain(ACCOUNT_A);
    expect(summary.rules[0]!.explain).toContain("'TO5 rejected'");
    expect(summary.rules[0]!.explain).toContain(TO5);
    expect(summary.rules[0]!.explain).toContain('message-failed 4720');
    expect(summary.rules[0]!.explain).toContain('(0 hits)');

    const listed = async () => (await f.ops.scenarios.list()).scenarios.find((s) => s.name === 'ctl-reject-to5')!;
    const first = await f.ops.scenarios.list();
    expect(first.problems).toEqual([]);
    expect(first.scenarios).toHaveLength(1);
    expect(await listed()).toEqual(summary);

    const id = await sendA(f, [TO5]);
    const failed = await f.running.callbacks.waitFor({ messageId: id, type: 'message-failed' }, WAIT);
    expect((failed.request.body[0] as { errorCode: number }).errorCode).toBe(4720);
    expect(String((await f.ops.messages.get(id))!.timeline.find((t) => t.what === 'planned')!.detail!.explanation)).toContain(
      "matched ctl-reject-to5#0 'TO5 rejected'",
    );
    let rule = (await listed()).rules[0]!;
    expect(rule.hits).toBe(1);
    expect(rule.explain).toContain('(1 hits)');

    // Not a match (another recipient, or another account's message): the count stays.
    const plain = await sendA(f, [TO1]);
    const otherAccount = await sendB(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: plain, type: 'message-delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: otherAccount, type: 'message-delivered' }, WAIT);
    expect((await listed()).rules[0]!.hits).toBe(1);

    const again = await sendA(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: again, type: 'message-failed' }, WAIT);
    rule = (await listed()).rules[0]!;
    expect(rule.hits).toBe(2);
    expect(rule.explain).toContain('(2 hits)');

    // Same name replaces, hit counts start again.
    const replaced = await f.ops.scenarios.use(
      {
        version: 1,
        name: 'ctl-reject-to5',
        rules: [{ name: 'TO5 delivered late', match: { to: TO5 }, events: [{ type: 'message-delivered', after: '20ms' }] }],
      },
      { accountId: ACCOUNT_A },
    );
    expect(replaced.rules.map((r) => [r.name, r.hits])).toEqual([['TO5 delivered late', 0]]);
    expect((await f.ops.scenarios.list()).scenarios).toHaveLength(1);
  });

  it('scenarios.clear: by name within a scope, by account, global by name, then everything', async () => {
    const f = await start(connect);
    const rejectTo5 = (name: string) => ({
      version: 1,
      name,
      rules: [{ name: `${name} rule`, match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }],
    });
    await f.ops.scenarios.use(rejectTo5('s-a1'), { accountId: ACCOUNT_A });
    await f.ops.scenarios.use(rejectTo5('s-a2'), { accountId: ACCOUNT_A });
    await f.ops.scenarios.use(rejectTo5('s-b'), { accountId: ACCOUNT_B });
    await f.ops.scenarios.use(rejectTo5('s-all'));
    const scopes = Object.fromEntries((await f.ops.scenarios.list()).scenarios.map((s) => [s.name, s.scope]));
    expect(scopes).toEqual({ 's-a1': ACCOUNT_A, 's-a2': ACCOUNT_A, 's-b': ACCOUNT_B, 's-all': '*' });

    await f.ops.scenarios.clear({ accountId: ACCOUNT_A, name: 's-a1' });
    expect(await scenarioNames(f.ops)).toEqual(['s-a2', 's-all', 's-b']);
    // A name in another scope is not touched.
    await f.ops.scenarios.clear({ accountId: ACCOUNT_B, name: 's-a2' });
    expect(await scenarioNames(f.ops)).toEqual(['s-a2', 's-all', 's-b']);

    await f.ops.scenarios.clear({ accountId: ACCOUNT_A });
    expect(await scenarioNames(f.ops)).toEqual(['s-all', 's-b']);

    // Account A's messages to TO5 still fail through the global scenario; once it is cleared they are delivered.
    const before = await sendA(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: before, type: 'message-failed' }, WAIT);
    await f.ops.scenarios.clear({ name: 's-all' });
    expect(await scenarioNames(f.ops)).toEqual(['s-b']);
    const after = await sendA(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: after, type: 'message-delivered' }, WAIT);
    // B's own scenario still applies to B.
    const ofB = await sendB(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: ofB, type: 'message-failed' }, WAIT);

    await f.ops.scenarios.clear();
    expect((await f.ops.scenarios.list()).scenarios).toEqual([]);
  });

  it('scenarios.trigger: a manual inbound arrives only when triggered, all or by name', async () => {
    const f = await start(connect);
    await f.ops.scenarios.use({
      version: 1,
      name: 'ctl-handset',
      inbound: [
        { name: 'hello', trigger: 'manual', from: HANDSET, to: [NUM_A1], text: 'HELP' },
        { name: 'bye', trigger: 'manual', from: HANDSET, to: [NUM_A2], text: 'BYE' },
      ],
    });
    expect(await f.ops.messages.list({ direction: 'in' })).toEqual([]);

    expect(await f.ops.scenarios.trigger('ctl-handset', 'hello')).toEqual({ scheduled: 1 });
    const hello = await f.running.callbacks.waitFor({ type: 'message-received', recipient: NUM_A1, outcome: 'delivered' }, WAIT);
    expect((hello.request.body[0] as { message: { text: string; from: string } }).message).toMatchObject({ text: 'HELP', from: HANDSET });
    expect((await f.ops.messages.list({ direction: 'in' })).map((m) => [m.owner, m.text])).toEqual([[NUM_A1, 'HELP']]);

    expect(await f.ops.scenarios.trigger('ctl-handset')).toEqual({ scheduled: 2 });
    await f.running.callbacks.waitFor({ type: 'message-received', recipient: NUM_A2, outcome: 'delivered' }, WAIT);
    await vi.waitFor(async () => expect(await f.ops.callbacks.list({ type: 'message-received', recipient: NUM_A1 })).toHaveLength(2), { timeout: 3000 });
    expect((await f.ops.messages.list({ direction: 'in' })).map((m) => m.text).sort()).toEqual(['BYE', 'HELP', 'HELP']);

    expect(await f.ops.scenarios.trigger('ctl-handset', 'no-such-inbound')).toEqual({ scheduled: 0 });
    expect(await f.ops.scenarios.trigger('no-such-scenario')).toEqual({ scheduled: 0 });
  });

  it('scenarios.use: an invalid scenario is a ControlInputError whose problems name the field, and is not added', async () => {
    const f = await start(connect);
    const bad = await rejection(
      f.ops.scenarios.use({
        version: 1,
        name: 'ctl-bad',
        rules: [{ name: 'bad code', match: { to: TO1 }, events: [{ type: 'message-failed', errorCode: 4999 }] }],
      }),
    );
    expect(bad).toBeInstanceOf(ControlInputError);
    const problems = (bad as ControlInputError).problems;
    expect(problems).toEqual([
      expect.objectContaining({ field: 'rules[0].events[0].errorCode', problem: expect.stringContaining('4999'), fix: expect.stringContaining('4720') }),
    ]);

    const wrongVersion = (await rejection(f.ops.scenarios.use({ version: 2, rules: [] }))) as ControlInputError;
    expect(wrongVersion).toBeInstanceOf(ControlInputError);
    expect(wrongVersion.problems.map((p) => p.field)).toContain('version');

    expect((await f.ops.scenarios.list()).scenarios).toEqual([]);
    // The default still applies.
    const id = await sendA(f, [TO1]);
    await f.running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT);
  });
});
