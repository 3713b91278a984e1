// Export and import of the emulator's whole state from the page: GET /__emulator/state saved as a file, and a file
// POSTed back to it. Its own fetch (not api.ts's control()) because the export is a download and a refused import
// answers with the list of problems, which the page shows.
import { savedToken } from './api.js';

/** A refused import: the control API's message and every problem it listed. */
export class ImportRefused extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}

function auth(): Record<string, string> {
  const token = savedToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The file name for an export taken now: bandwidth-emulator-state-2026-12-02T14-05-09Z.json (no colons, which Windows refuses). */
function exportFileName(now = new Date()): string {
  return `bandwidth-emulator-state-${now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-')}.json`;
}

/** Download the state as a JSON file; resolves with the file name, rejects with the control API's message. */
export async function downloadState(): Promise<string> {
  const res = await fetch('/__emulator/state', { headers: auth() });
  if (!res.ok) throw new Error(`export failed: HTTP ${res.status}`);
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const name = exportFileName();
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the browser holds the blob until it has it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

/** What an import brought back, as POST /__emulator/state counts it. */
export type RestoredCounts = Record<string, number>;

/** Replace the state with a file's document; rejects with ImportRefused listing the problems on a 400. */
export async function uploadState(file: File): Promise<RestoredCounts> {
  const text = await file.text();
  try {
    JSON.parse(text);
  } catch {
    throw new ImportRefused(`${file.name} is not JSON; pick a file that "Export state" saved`, []);
  }
  const res = await fetch('/__emulator/state', { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: text });
  const answer = (await res.json().catch(() => ({}))) as { message?: string; problems?: Array<{ field?: string; problem?: string }> } & RestoredCounts;
  if (!res.ok) {
    const problems = (answer.problems ?? []).map((p) => [p.field, p.problem].filter(Boolean).join(': '));
    throw new ImportRefused(answer.message ?? `import failed: HTTP ${res.status}`, problems);
  }
  return answer;
}
