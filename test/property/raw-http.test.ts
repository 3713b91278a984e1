// What only a real socket can send: truncated bodies, lying or malformed Content-Length, oversized headers, broken
// chunked encoding, garbage instead of HTTP, and a client that never finishes its headers. For each, the answer (if
// the client is still there to get one) is a Bandwidth-shaped 4xx, never a 5xx; nothing half-sent is stored; and the
// emulator keeps serving: a create right after still gets its 202.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { fcParams } from './fc-settings.js';
import { ACCOUNT, APPLICATION, BASIC } from './surfaces.js';

let running: RunningEmulator;
let port: number;

beforeAll(async () => {
  running = await startEmulator({});
  port = Number(new URL(running.url).port);
});
afterAll(async () => {
  await running.close();
});

const VALID = JSON.stringify({ applicationId: APPLICATION, to: ['+19195557001'], from: '+19195550100', text: 'raw' });

/** Send bytes on a fresh connection; resolve with everything the server wrote once it closes (or we end after `endAfterMs` idle). */
function raw(bytes: string | Buffer, options: { halfClose?: boolean } = { halfClose: true }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(bytes, () => {
      if (options.halfClose) socket.end();
    });
  });
}

/** Every response in a raw answer: its status and (when JSON) its body. */
function responses(text: string): Array<{ status: number; body: unknown }> {
  const out: Array<{ status: number; body: unknown }> = [];
  const re = /HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const length = /content-length: *(\d+)/i.exec(m[2]!)?.[1];
    const start = m.index + m[0].length;
    const bodyText = length !== undefined ? text.slice(start, start + Number(length)) : '';
    let body: unknown = bodyText;
    try {
      body = JSON.parse(bodyText);
    } catch {
      // not JSON: left as text for the assertion message
    }
    out.push({ status: Number(m[1]), body });
  }
  return out;
}

function expectSaneAnswers(text: string, what: string): void {
  for (const { status, body } of responses(text)) {
    const context = `${what} -> ${status} ${JSON.stringify(body).slice(0, 300)}`;
    expect(status, context).toBeLessThan(500);
    if (status >= 400 && !(status === 404 && (body as { error?: string }).error === 'Not Found')) {
      expect(typeof (body as { type?: unknown }).type, context).toBe('string');
      expect(typeof (body as { description?: unknown }).description, context).toBe('string');
    }
  }
}

/** The emulator still serves: a well-formed create answers 202 and is searchable. */
async function expectStillServing(): Promise<void> {
  const res = await fetch(`${running.url}/users/${ACCOUNT}/messages`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/json' },
    body: VALID,
  });
  expect(res.status).toBe(202);
}

const head = (extra: string, length?: number | string) =>
  `POST /users/${ACCOUNT}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${BASIC}\r\nContent-Type: application/json\r\n${length !== undefined ? `Content-Length: ${length}\r\n` : ''}${extra}\r\n`;

describe('raw sockets', () => {
  it('a truncated body (Content-Length says more than arrives, then the client hangs up): nothing stored, no 5xx', async () => {
    const before = running.emulator.parts.store.stats().messages;
    const text = await raw(head('', VALID.length) + VALID.slice(0, 20));
    expectSaneAnswers(text, 'truncated');
    expect(running.emulator.parts.store.stats().messages).toBe(before);
    await expectStillServing();
  });

  it('a Content-Length shorter than the body: the body is cut there (invalid JSON, 400), the rest is refused as HTTP', async () => {
    const text = await raw(head('', 10) + VALID);
    const answers = responses(text);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers[0]!.status).toBe(400);
    expectSaneAnswers(text, 'short content-length');
    await expectStillServing();
  });

  for (const bad of ['abc', '-1', '1e3', '99999999999999999999', '10, 20', '']) {
    it(`a malformed Content-Length (${JSON.stringify(bad)}): a Bandwidth-shaped 400`, async () => {
      const text = await raw(head('', bad) + VALID);
      const answers = responses(text);
      expect(answers.map((a) => a.status)).toEqual([expect.any(Number)]);
      expect(answers[0]!.status).toBeGreaterThanOrEqual(400);
      expectSaneAnswers(text, `content-length ${bad}`);
      await expectStillServing();
    });
  }

  it('both Content-Length and Transfer-Encoding (request smuggling shape): refused with a 400', async () => {
    const text = await raw(head('Transfer-Encoding: chunked\r\n', VALID.length) + VALID);
    expect(responses(text).map((a) => a.status)).toEqual([400]);
    expectSaneAnswers(text, 'cl+te');
    await expectStillServing();
  });

  it('a chunked body that never sends its last chunk, then the client hangs up', async () => {
    const before = running.emulator.parts.store.stats().messages;
    const text = await raw(head('Transfer-Encoding: chunked\r\n') + `${VALID.length.toString(16)}\r\n${VALID}\r\n`);
    expectSaneAnswers(text, 'unfinished chunked');
    expect(running.emulator.parts.store.stats().messages).toBe(before);
    await expectStillServing();
  });

  it('a chunked body over the 1 MB limit: a Bandwidth-shaped 413, nothing stored', async () => {
    const before = running.emulator.parts.store.stats().messages;
    const big = 'x'.repeat(64 * 1024);
    const chunks = Array.from({ length: 20 }, () => `${big.length.toString(16)}\r\n${big}\r\n`).join('');
    const text = await raw(head('Transfer-Encoding: chunked\r\n') + chunks + '0\r\n\r\n');
    expect(responses(text)[0]?.status).toBe(413);
    expectSaneAnswers(text, 'chunked 1.25 MB');
    expect(running.emulator.parts.store.stats().messages).toBe(before);
    await expectStillServing();
  });

  it('headers over 16 KB: 431 with a Bandwidth-shaped body that says what to fix', async () => {
    const text = await raw(head(`X-Padding: ${'p'.repeat(20_000)}\r\n`, VALID.length) + VALID);
    const answers = responses(text);
    expect(answers.map((a) => a.status)).toEqual([431]);
    expect(answers[0]!.body).toEqual({ type: 'request-validation', description: expect.stringContaining('headers are larger') });
    await expectStillServing();
  });

  it('many headers (10,000 tiny ones): refused, never a 5xx', async () => {
    const text = await raw(head(Array.from({ length: 10_000 }, (_, i) => `X-H${i}: 1\r\n`).join(''), VALID.length) + VALID);
    expectSaneAnswers(text, 'many headers');
    expect(responses(text)[0]?.status).toBeGreaterThanOrEqual(400);
    await expectStillServing();
  });

  it('a client that never finishes its headers does not stall anyone else', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.on('connect', resolve));
    socket.write(`POST /users/${ACCOUNT}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
    try {
      await Promise.all(Array.from({ length: 5 }, () => expectStillServing()));
    } finally {
      socket.destroy();
    }
  });

  it('any bytes at all on a connection: any answer is a 4xx in Bandwidth shape, and the emulator keeps serving', async () => {
    const validRequest = head('', VALID.length) + VALID;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
          // A valid request with bytes flipped, cut, or inserted somewhere.
          fc
            .tuple(fc.nat({ max: validRequest.length }), fc.nat({ max: validRequest.length }), fc.uint8Array({ maxLength: 20 }))
            .map(([at, cut, junk]) =>
              Buffer.concat([
                Buffer.from(validRequest.slice(0, at), 'latin1'),
                Buffer.from(junk),
                Buffer.from(validRequest.slice(Math.max(at, cut)), 'latin1'),
              ]),
            ),
        ),
        async (bytes) => {
          const text = await raw(bytes);
          expectSaneAnswers(text, JSON.stringify(bytes.toString('latin1').slice(0, 200)));
        },
      ),
      fcParams(0.5),
    );
    await expectStillServing();
  });

  it('an event-stream client that stops reading is cut off once 256 KB (MAX_UNSENT_EVENT_BYTES) wait for it, instead of growing memory', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.on('connect', resolve));
    socket.write('GET /__emulator/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    let received = 0;
    socket.on('data', (c: Buffer) => (received += c.length));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    // Each accepted message is an event of ~2.5 KB; 8,000 of them (~20 MB) overflow the kernel's socket buffers and the cap.
    const text = 'e'.repeat(2048);
    for (let i = 0; i < 8000; i++) running.emulator.acceptOutbound(ACCOUNT, { applicationId: APPLICATION, to: ['+19195557001'], from: '+19195550100', text });
    socket.resume();
    // The server closed the stream: without the cap this would wait for ever (the test's timeout would fail it).
    await closed;
    expect(received).toBeLessThan(8000 * 2500);
    await running.reset(ACCOUNT);
    await expectStillServing();
  });

  it('GET /__emulator/events with a bad query: the documented 400; a stream a client drops is let go', async () => {
    const bad = await fetch(`${running.url}/__emulator/events?nope=1`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'bad-request' });
    const text = await raw(`GET /__emulator/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    await expectStillServing();
  });
});
