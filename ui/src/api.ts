// The control API as the page uses it: every call carries the control token when one is set (kept for this tab only).

const TOKEN_KEY = 'bandwidth-emulator-control-token';

/** The control API answered 401: the page must ask for the token. */
export class NeedsToken extends Error {
  constructor() {
    super('this emulator needs its control token');
  }
}

/** A control API error with its message, shown to the user as is. */
class ControlError extends Error {}

/** The token this tab uses, if any. */
export function savedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** Remember (or forget, with an empty string) the token for this tab. */
export function saveToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function headers(json: boolean): Record<string, string> {
  const token = savedToken();
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) };
}

/** Call a control route (path under /__emulator); resolves with the parsed body, rejects with NeedsToken or ControlError. */
export async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  // JSON also with no body: the control API refuses a POST that is not (what other sites' pages can send).
  const res = await fetch(`/__emulator${path}`, { method, headers: headers(method !== 'GET'), body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) throw new NeedsToken();
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) throw new ControlError((data as { message?: string } | undefined)?.message ?? `HTTP ${res.status}`);
  return data as T;
}

/** A control route's bytes: the blob (with the answer's content type), or the route's reason it has none (a 404). */
export type BlobAnswer = { blob: Blob; contentType: string } | { missing: string };

/** GET a control route that answers bytes (path under /__emulator); rejects with NeedsToken or ControlError. */
export async function controlBlob(path: string, signal?: AbortSignal): Promise<BlobAnswer> {
  const res = await fetch(`/__emulator${path}`, { headers: headers(false), signal });
  if (res.status === 401) throw new NeedsToken();
  if (!res.ok) {
    const text = await res.text();
    let message = `HTTP ${res.status}`;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // Not the control API's JSON error (a proxy's page): the status says enough.
    }
    if (res.status === 404) return { missing: message };
    throw new ControlError(message);
  }
  return { blob: await res.blob(), contentType: res.headers.get('content-type') ?? 'application/octet-stream' };
}

/** One Server-Sent Event: its name and parsed JSON data. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/**
 * Follow /__emulator/events until `signal` aborts. Read with fetch rather than EventSource because EventSource cannot
 * send the Authorization header a token-protected control API needs. Resolves when the stream ends.
 */
export async function followEvents(onEvent: (event: StreamEvent) => void, onOpen: () => void, signal: AbortSignal): Promise<void> {
  const res = await fetch('/__emulator/events', { headers: headers(false), signal });
  if (res.status === 401) throw new NeedsToken();
  if (!res.ok || !res.body) throw new ControlError(`event stream answered HTTP ${res.status}`);
  onOpen();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    // Frames end with a blank line; a partial frame waits for the next chunk.
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) onEvent({ event, data: JSON.parse(data.join('\n')) as unknown });
    }
  }
}
