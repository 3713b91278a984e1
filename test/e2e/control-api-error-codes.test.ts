// The error table over the control API, identically in-process and over HTTP: GET /__emulator/error-codes and
// /error-codes/{code} (bounded: four digits), and a failed message's `failures` with billable and retry. Magic
// numbers fail with every code in the table (4794 included) and leave an unknown code alone.
import { describe, expect, it } from 'vitest';
import { ControlInputError } from '../../src/control/operations.js';
import { MESSAGE_ERROR_CODES } from '../../src/error-codes.js';
import { CONTROL_CONNECTIONS, events, rejection } from '../helpers/harness.js';
import { sendA, TO1, useControlApi, WAIT } from '../helpers/control-api.js';

const { start, startHttp } = useControlApi();

describe.each(CONTROL_CONNECTIONS)('error codes through the %s', (_mode, connect) => {
  it('errorCodes.list: every code with billable, retry and source, where and when it was checked', async () => {
    const f = await start(connect);
    const table = await f.ops.errorCodes.list();
    expect(table.source).toBe('https://dev.bandwidth.com/docs/messaging/errors');
    expect(table.checkedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(table.errorCodes.map((c) => c.code)).toEqual(Object.keys(MESSAGE_ERROR_CODES).map(Number));
    expect(table.errorCodes.find((c) => c.code === 4794)).toMatchObject({
      name: 'destination-rejected-expired',
      billable: true,
      source: { kind: 'support-article' },
    });
  });

  it('errorCodes.get: one code; undefined for a four-digit code the table lacks; refused past four digits', async () => {
    const f = await start(connect);
    expect(await f.ops.errorCodes.get(4785)).toEqual(MESSAGE_ERROR_CODES[4785]);
    expect(await f.ops.errorCodes.get(4476)).toMatchObject({ source: { kind: 'cli' }, billable: false, retry: 'no' });
    expect(await f.ops.errorCodes.get(4999)).toBeUndefined();
    for (const bad of [12345, 999, 47.2]) {
      const error = await rejection(f.ops.errorCodes.get(bad));
      expect(error, String(bad)).toBeInstanceOf(ControlInputError);
    }
  });

  it('a failed message carries failures: its code with name, text, billable and retry; a delivered one none', async () => {
    const f = await start(connect);
    const FAIL_4785 = '+15551004785';
    const id = await sendA(f, [TO1, FAIL_4785]);
    await f.running.callbacks.waitFor({ messageId: id, recipient: FAIL_4785, type: 'message-failed', outcome: 'delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: id, recipient: TO1, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    const message = (await f.ops.messages.get(id))!;
    expect(message.failures).toEqual([
      {
        to: FAIL_4785,
        errorCode: 4785,
        name: 'volumetric-violation',
        text: 'Carrier rejected due to volumetric violation',
        billable: true,
        retry: 'later',
        retryWhy: MESSAGE_ERROR_CODES[4785]!.retryWhy,
      },
    ]);
    expect((await f.ops.messages.list({ status: 'FAILED' }))[0]!.failures).toEqual(message.failures);
    const delivered = await sendA(f, [TO1]);
    await f.running.callbacks.waitFor({ messageId: delivered, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    expect((await f.ops.messages.get(delivered))!.failures).toBeUndefined();
  });
});

describe('error codes over HTTP', () => {
  it('GET /__emulator/error-codes/{code}: 200 with the entry, 404 for a code the table lacks, 400 for a code that is not four digits', async () => {
    const f = await startHttp();
    const get = (code: string) => fetch(`${f.running.url}/__emulator/error-codes/${code}`);
    const ok = await get('4794');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual(MESSAGE_ERROR_CODES[4794]);
    const missing = await get('4999');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not-found', message: expect.stringContaining('GET /__emulator/error-codes lists them') });
    for (const bad of ['47200', '472', 'abcd', '4720.0', '-472', '%204720', '9'.repeat(90)]) {
      const res = await get(bad);
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { message: string }).message, bad).toMatch(/^params\/code /);
    }
    // Past the router's parameter length (100) Fastify answers 414 before the route's own check, in the same shape.
    const huge = await get('9'.repeat(5000));
    expect(huge.status).toBe(414);
    expect(await huge.json()).toEqual({ error: expect.any(String), message: expect.any(String) });
  });

  it('the OpenAPI document gives the code parameter its bound and both routes their response schemas', async () => {
    const f = await startHttp();
    const doc = (await (await fetch(`${f.running.url}/__emulator/openapi.json`)).json()) as {
      paths: Record<
        string,
        { get: { parameters: Array<{ name: string; schema: unknown }>; responses: Record<string, { content?: Record<string, { schema: unknown }> }> } }
      >;
    };
    const one = doc.paths['/__emulator/error-codes/{code}']!.get;
    expect(one.parameters).toEqual([
      { name: 'code', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', pattern: '^[0-9]{4}$', maxLength: 4 }) },
    ]);
    expect(Object.keys(one.responses)).toContain('404');
    const entry = one.responses['200']!.content!['application/json']!.schema as { properties: Record<string, { enum?: unknown[] }> };
    expect(entry.properties.retry!.enum).toEqual(['no', 'yes', 'once', 'later', 'not-advised']);
    const list = doc.paths['/__emulator/error-codes']!.get.responses['200']!.content!['application/json']!.schema as { properties: Record<string, unknown> };
    expect(Object.keys(list.properties)).toEqual(['source', 'checkedOn', 'errorCodes']);
  });
});

describe('magic numbers and the table', () => {
  it('+1555100DDDD fails with any code in the table, 4794 and the CLI-only 4476 included, with its description', async () => {
    const f = await startHttp();
    for (const code of [4794, 4476, 5229, 4753]) {
      const to = `+1555100${code}`;
      const id = await sendA(f, [to]);
      await f.running.callbacks.waitFor({ messageId: id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    }
    const failed = events(f.sink).filter((e) => e.type === 'message-failed');
    expect(failed.map((e) => [e.errorCode, e.description])).toEqual([4794, 4476, 5229, 4753].map((code) => [code, MESSAGE_ERROR_CODES[code]!.description]));
  });

  it('+1555100DDDD with a code the table lacks is no magic number: it is delivered as any number is', async () => {
    const f = await startHttp();
    const id = await sendA(f, ['+15551004999']);
    await f.running.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    expect((await f.ops.messages.get(id))!.recipients[0]).toMatchObject({ status: 'DELIVERED', errorCode: 0 });
  });
});
