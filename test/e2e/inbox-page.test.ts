// The web inbox's HTTP surface, without a browser: the page and its assets at / and /__emulator/ui, which never
// change how other paths and methods answer (Bandwidth's 404/405), and the control token guarding the data, not the page.
import { describe, expect, it } from 'vitest';
import { useEmulators } from '../helpers/fixture.js';

const { start } = useEmulators();

async function get(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', csp: res.headers.get('content-security-policy') ?? '', text: await res.text() };
}

describe('web inbox page', () => {
  it('serves the page at / and /__emulator/ui, and its script and stylesheet', async () => {
    const r = await start();
    for (const path of ['/', '/__emulator/ui', '/__emulator/ui/']) {
      const page = await get(`${r.url}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.type).toMatch(/^text\/html/);
      expect(page.text).toContain('<script type="module" src="/__emulator/ui/app.js">');
      expect(page.csp).toContain("default-src 'self'");
    }
    const script = await get(`${r.url}/__emulator/ui/app.js`);
    expect(script).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/javascript/) });
    expect(script.text).toContain('/__emulator/events');
    const style = await get(`${r.url}/__emulator/ui/app.css`);
    expect(style).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/css/) });
    expect((await fetch(`${r.url}/`, { method: 'HEAD' })).status).toBe(200);
  });

  it('leaves other paths and methods to Bandwidth: 404 Spring-style, 405 on a known path, control 404 under /__emulator', async () => {
    const r = await start();
    for (const [method, path] of [
      ['POST', '/'],
      ['DELETE', '/'],
      ['GET', '/index.html'],
      ['GET', '/ui'],
    ] as const) {
      const res = await get(`${r.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(res.text)).toMatchObject({ status: 404, error: 'Not Found', path });
    }
    const wrongMethod = await get(`${r.url}/users/${r.account.id}/messages`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    const controlMiss = await get(`${r.url}/__emulator/ui/nope.js`);
    expect(controlMiss.status).toBe(404);
    expect(JSON.parse(controlMiss.text)).toMatchObject({ error: 'not-found' });
  });

  it('with a control token: the page loads without it (it asks for it), the data it shows needs it', async () => {
    const r = await start({ control: { token: 'page-token-1' } });
    expect((await get(`${r.url}/`)).status).toBe(200);
    expect((await get(`${r.url}/__emulator/ui/app.js`)).status).toBe(200);
    expect((await get(`${r.url}/__emulator/messages`)).status).toBe(401);
    expect((await get(`${r.url}/__emulator/accounts`)).status).toBe(401);
    expect((await get(`${r.url}/__emulator/events`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const accounts = await get(`${r.url}/__emulator/accounts`, { headers: { authorization: 'Bearer page-token-1' } });
    expect(accounts.status).toBe(200);
    // The accounts the handset composer offers: ids and numbers, never credentials.
    expect(JSON.parse(accounts.text)).toEqual({
      accounts: [{ id: r.account.id, numbers: r.account.numbers.map((number) => ({ number, applicationId: r.account.applicationId })) }],
    });
    expect(accounts.text).not.toContain(r.account.password);
  });
});
