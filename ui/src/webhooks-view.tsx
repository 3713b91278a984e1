// The Webhooks view: every callback attempt across messages, newest first, filterable, each inspectable and resendable.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { control } from './api.js';
import { shortTime } from './message.js';
import type { JournalEntry } from './model.js';
import type { ViewProps } from './inbox-view.js';

const PAGE = 100;
const OUTCOMES = ['delivered', 'retrying', 'exhausted', 'no-target', 'not-requested', 'dropped', 'cancelled', 'network'] as const;
// The outcomes the journal's outcome=failing matches (src/store/journal.ts FAILING_OUTCOMES), for live entries.
const FAILING = new Set(['retrying', 'exhausted', 'no-target', 'dropped', 'cancelled']);

interface Filters {
  outcome: string;
  failingOnly: boolean;
  target: string;
  type: string;
}

interface Page {
  entries: JournalEntry[];
  total: number;
  nextBeforeSeq: number | null;
}

/** Whether a live entry belongs in the list the filters show (the server applies the same filters to pages). */
function matches(entry: JournalEntry, f: Filters): boolean {
  const outcome = f.failingOnly ? 'failing' : f.outcome;
  if (outcome === 'failing' ? !FAILING.has(entry.outcome) : outcome !== '' && entry.outcome !== outcome) return false;
  return (f.target === '' || entry.target === f.target) && (f.type === '' || entry.type === f.type);
}

function query(f: Filters, beforeSeq?: number): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  const outcome = f.failingOnly ? 'failing' : f.outcome;
  if (outcome) q.set('outcome', outcome);
  if (f.target) q.set('target', f.target);
  if (f.type) q.set('type', f.type);
  if (beforeSeq !== undefined) q.set('beforeSeq', String(beforeSeq));
  return `/callbacks?${q.toString()}`;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);
const headerLines = (headers: Record<string, string> | undefined) =>
  headers && Object.keys(headers).length > 0
    ? Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n')
    : '(none)';

/** Every callback attempt, filterable, with resend. */
export function WebhooksView({ subscribe, report, onError }: ViewProps) {
  const [filters, setFilters] = useState<Filters>({ outcome: '', failingOnly: false, target: '', type: '' });
  const [entries, setEntries] = useState<JournalEntry[]>([]);
  const [total, setTotal] = useState(0);
  const [next, setNext] = useState<number | null>(null);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [resending, setResending] = useState<Set<number>>(new Set());
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  // Newest first, no duplicates: pages and live entries may overlap.
  const merge = useCallback((more: JournalEntry[], replace = false) => {
    setEntries((prev) => {
      const bySeq = new Map((replace ? [] : prev).map((e) => [e.seq, e]));
      for (const e of more) bySeq.set(e.seq, e);
      return [...bySeq.values()].sort((a, b) => b.seq - a.seq);
    });
  }, []);

  const loadFirst = useCallback(async () => {
    const page = await control<Page>('GET', query(filtersRef.current));
    merge(page.entries, true);
    setTotal(page.total);
    setNext(page.nextBeforeSeq);
  }, [merge]);

  useEffect(() => {
    loadFirst().catch(onError);
  }, [filters, loadFirst, onError]);

  useEffect(
    () =>
      subscribe({
        event({ event, data }) {
          if (event !== 'callback') return;
          const entry = data as JournalEntry;
          if (!matches(entry, filtersRef.current)) return;
          merge([entry]);
          setTotal((t) => t + 1);
        },
        reconnected() {
          loadFirst().catch(onError);
        },
      }),
    [subscribe, merge, loadFirst, onError],
  );

  async function loadMore() {
    if (next === null) return;
    try {
      const page = await control<Page>('GET', query(filters, next));
      merge(page.entries);
      setTotal(page.total);
      setNext(page.nextBeforeSeq);
    } catch (error) {
      onError(error as Error);
    }
  }

  async function resend(entry: JournalEntry) {
    setResending((s) => new Set(s).add(entry.seq));
    try {
      const made = await control<JournalEntry>('POST', `/callbacks/${entry.seq}/resend`, {});
      if (matches(made, filtersRef.current)) merge([made]);
      const answer = made.response ? `HTTP ${made.response.status}` : (made.error ?? 'no answer');
      report(`Resent #${entry.seq} as #${made.seq}: ${made.outcome} (${answer})`, made.outcome !== 'delivered');
    } catch (error) {
      report(`Resend of #${entry.seq} failed: ${(error as Error).message}`, true);
    } finally {
      setResending((s) => {
        const copy = new Set(s);
        copy.delete(entry.seq);
        return copy;
      });
    }
  }

  const toggle = (seq: number) =>
    setOpen((prev) => {
      const copy = new Set(prev);
      if (!copy.delete(seq)) copy.add(seq);
      return copy;
    });
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <main class="view" aria-label="Webhooks">
      <h2>Webhooks</h2>
      <form
        class="webhook-filters"
        aria-label="Webhook filters"
        onSubmit={(e) => e.preventDefault()}
        style="display:flex;flex-wrap:wrap;gap:0.6rem;align-items:end"
      >
        <label>
          <input type="checkbox" name="failingOnly" checked={filters.failingOnly} onChange={(e) => set({ failingOnly: e.currentTarget.checked })} /> Failing
          only
        </label>
        <label>
          Outcome{' '}
          <select name="outcome" value={filters.outcome} disabled={filters.failingOnly} onChange={(e) => set({ outcome: e.currentTarget.value })}>
            <option value="">any</option>
            <option value="failing">failing</option>
            {OUTCOMES.map((o) => (
              <option value={o}>{o}</option>
            ))}
          </select>
        </label>
        <label>
          Type{' '}
          <input
            name="type"
            maxLength={100}
            placeholder="message-delivered"
            value={filters.type}
            onChange={(e) => set({ type: e.currentTarget.value.trim() })}
          />
        </label>
        <label>
          Target{' '}
          <input name="target" maxLength={2048} placeholder="http://…" value={filters.target} onChange={(e) => set({ target: e.currentTarget.value.trim() })} />
        </label>
        <span class="hint" aria-live="polite">
          {entries.length} of {total} shown
        </span>
      </form>
      {entries.length === 0 ? (
        <p class="hint">No callback attempts{filters.failingOnly || filters.outcome || filters.type || filters.target ? ' match these filters' : ' yet'}.</p>
      ) : (
        <ul class="webhooks timeline" aria-label="Callback attempts" style="list-style:none;padding:0">
          {entries.map((e) => {
            const failing = FAILING.has(e.outcome);
            const expanded = open.has(e.seq);
            return (
              <li
                key={e.seq}
                class={`webhook outcome-${e.outcome}${failing ? ' failing' : ''}`}
                data-seq={e.seq}
                data-outcome={e.outcome}
                style={`border-left:4px solid ${failing ? 'var(--bad, #b91c1c)' : 'var(--line, #ddd)'};padding:0.3rem 0.6rem;margin:0.3rem 0`}
              >
                <div style="display:flex;flex-wrap:wrap;gap:0.6rem;align-items:center">
                  <button type="button" aria-expanded={expanded} onClick={() => toggle(e.seq)}>
                    #{e.seq}
                  </button>
                  <time>{shortTime(new Date(e.at).toISOString())}</time>
                  <span class="type">{e.type}</span>
                  <span>to {e.recipient}</span>
                  <span class={`outcome outcome-${e.outcome}`} style={failing ? 'color:var(--bad, #b91c1c);font-weight:600' : 'font-weight:600'}>
                    {e.outcome}
                  </span>
                  <span>{e.response ? `HTTP ${e.response.status}` : (e.error ?? '')}</span>
                  <span class="hint">
                    attempt {e.attempt} · {e.durationMs} ms{e.replayOf !== undefined ? ` · resend of #${e.replayOf}` : ''}
                  </span>
                  <span class="hint target">{e.target ?? '(no target)'}</span>
                  <button type="button" class="resend" disabled={resending.has(e.seq)} onClick={() => void resend(e)}>
                    {resending.has(e.seq) ? 'Resending…' : 'Resend'}
                  </button>
                </div>
                {expanded && (
                  <section class="webhook-details" aria-label={`Details of #${e.seq}`}>
                    <h4>Request headers</h4>
                    <pre class="request-headers">{headerLines(e.request.headers)}</pre>
                    <h4>Request body</h4>
                    <pre class="request-body">{pretty(e.request.body)}</pre>
                    <h4>Response {e.response ? `(HTTP ${e.response.status}, ${e.durationMs} ms)` : '(none)'}</h4>
                    {e.response && (
                      <>
                        <pre class="response-headers">{headerLines(e.response.headers)}</pre>
                        <pre class="response-body">{e.response.body || '(empty body)'}</pre>
                      </>
                    )}
                    {e.error && <p class="error">Error: {e.error}</p>}
                    {e.explanation && <p class="hint">Why: {e.explanation}</p>}
                  </section>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {next !== null && (
        <button type="button" class="load-more" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </main>
  );
}
