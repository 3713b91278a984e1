// The Inbox view: conversations on the left, the open conversation with the handset composer, the carrier's panels.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AccountSummary } from '../../src/control/operations.js';
import type { ScenarioSummary } from '../../src/scenarios/engine.js';
import { control } from './api.js';
import { Compose, type Addressing } from './compose.js';
import { Between } from './icons.js';
import type { Subscribe } from './live.js';
import { SafeMessageCard, shortTime } from './message.js';
import { theirNumbers, type ControlMessage, type ConversationSummary, type JournalEntry } from './model.js';
import { coalesce } from './coalesce.js';
import { conversationKey } from '../../src/control/message-query.js';
import { AccountsPanel, ScenariosPanel } from './panels.js';

interface Scenarios {
  scenarios: ScenarioSummary[];
  problems: Array<{ source: string; field: string; problem: string }>;
}

/** Conversations a page asks for at a time, and the most messages an open thread shows (the newest). */
const PAGE = 50;
const THREAD_LIMIT = 1000;

interface ConversationPage {
  conversations: ConversationSummary[];
  total: number;
  nextCursor: string | null;
}

/** The conversations loaded so far, for the search (`query`) the server answered. */
interface ConversationList extends ConversationPage {
  query: string;
}

/** True when message `a` comes after `b` newest first (strictly older): same-millisecond ones are left to the next page. */
function olderThan(a: ControlMessage, b: ControlMessage): boolean {
  return a.time < b.time;
}

/** What every view gets from the page: the event stream, the notice line, and where to send a failed call. */
export interface ViewProps {
  subscribe: Subscribe;
  report: (text: string, isError: boolean) => void;
  /** A control call failed for want of the token (or any other reason): the page decides what to do. */
  onError: (error: Error) => void;
}

/** Conversations, the open thread with its composer, and the carrier console. */
export function InboxView({ subscribe, report, onError, search }: ViewProps & { search: string }) {
  const [list, setList] = useState<ConversationList>({ conversations: [], total: 0, nextCursor: null, query: '' });
  const [thread, setThread] = useState<ControlMessage[]>([]);
  const [attempts, setAttempts] = useState<Map<string, JournalEntry[]>>(new Map());
  const [accounts, setAccounts] = useState<AccountSummary[]>([]);
  const [scenarios, setScenarios] = useState<Scenarios>({ scenarios: [], problems: [] });
  const [selected, setSelected] = useState<string | undefined>();
  const [openTimelines, setOpenTimelines] = useState<Set<string>>(new Set());
  const [reply, setReply] = useState<{ from: string; to: string; also: string; nonce: number } | undefined>();
  const openRef = useRef(openTimelines);
  openRef.current = openTimelines;

  // The search as the server last answered it, the open conversation, and the list: read by loads that outlive a render.
  const searchRef = useRef(search.trim());
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const listRef = useRef(list);
  listRef.current = list;
  const [selectedSummary, setSelectedSummary] = useState<ConversationSummary | undefined>();

  const upsert = useCallback(
    (message: ControlMessage) => setThread((prev) => (prev.some((m) => m.id === message.id) ? prev.map((m) => (m.id === message.id ? message : m)) : prev)),
    [],
  );

  // The first page for the current search. A refresh after live events keeps the pages scrolled in below it.
  const loadFirstPage = useMemo(
    () =>
      coalesce(async () => {
        const query = searchRef.current;
        const page = await control<ConversationPage>('GET', `/conversations?limit=${PAGE}${query ? `&q=${encodeURIComponent(query)}` : ''}`).catch(
          (e: Error) => {
            onError(e);
            throw e;
          },
        );
        if (query !== searchRef.current) return;
        setList((prev) => {
          if (prev.query !== query || prev.conversations.length <= PAGE) return { ...page, query };
          const keys = new Set(page.conversations.map((c) => c.key));
          const last = page.conversations[page.conversations.length - 1];
          const below = last ? prev.conversations.filter((c) => !keys.has(c.key) && olderThan(c.latest, last.latest)) : [];
          return { conversations: [...page.conversations, ...below], total: page.total, nextCursor: prev.nextCursor, query };
        });
      }),
    [onError],
  );

  // The next page, when the sentinel below the list scrolls into view.
  const loadingMore = useRef(false);
  const loadMore = useCallback(async () => {
    const { nextCursor, query } = listRef.current;
    if (!nextCursor || loadingMore.current || query !== searchRef.current) return;
    loadingMore.current = true;
    try {
      const page = await control<ConversationPage>(
        'GET',
        `/conversations?limit=${PAGE}&cursor=${encodeURIComponent(nextCursor)}${query ? `&q=${encodeURIComponent(query)}` : ''}`,
      );
      setList((prev) => {
        if (prev.query !== query || prev.nextCursor !== nextCursor) return prev;
        const keys = new Set(prev.conversations.map((c) => c.key));
        return {
          conversations: [...prev.conversations, ...page.conversations.filter((c) => !keys.has(c.key))],
          total: page.total,
          nextCursor: page.nextCursor,
          query,
        };
      });
    } catch (error) {
      report((error as Error).message, true);
    } finally {
      loadingMore.current = false;
    }
  }, [report]);

  // The open conversation's messages, newest first, from the server.
  const loadThread = useMemo(
    () =>
      coalesce(async () => {
        const key = selectedRef.current;
        if (key === undefined) return;
        const page = await control<{ messages: ControlMessage[] }>('GET', `/messages?limit=${THREAD_LIMIT}&conversation=${encodeURIComponent(key)}`);
        if (key === selectedRef.current) setThread(page.messages);
      }),
    [],
  );
  const addAttempts = useCallback((messageId: string, entries: JournalEntry[]) => {
    setAttempts((prev) => {
      const known = prev.get(messageId) ?? [];
      const seqs = new Set(known.map((e) => e.seq));
      const merged = [...known, ...entries.filter((e) => !seqs.has(e.seq))].sort((a, b) => a.seq - b.seq);
      return new Map(prev).set(messageId, merged);
    });
  }, []);

  // Steps noted without a status change (the scenario's explanation) arrive with the full message, fetched here.
  const refreshMessage = useCallback(
    async (id: string) => {
      const full = await control<ControlMessage & { callbacks: JournalEntry[] }>('GET', `/messages/${encodeURIComponent(id)}`).catch(() => undefined);
      if (!full) return;
      const { callbacks, ...message } = full;
      upsert(message);
      addAttempts(id, callbacks);
    },
    [upsert, addAttempts],
  );

  // One request at a time, and one more after it if asked meanwhile: a burst of messages costs two requests, not one each.
  const scenarioLoad = useRef<{ running: boolean; again: boolean }>({ running: false, again: false });
  const loadScenarios = useCallback(() => {
    const state = scenarioLoad.current;
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    control<Scenarios>('GET', '/scenarios')
      .then(setScenarios, (e: Error) => report(e.message, true))
      .finally(() => {
        state.running = false;
        if (state.again) {
          state.again = false;
          loadScenarios();
        }
      });
  }, [report]);

  const loadAll = useCallback(async () => {
    const accountList = await control<{ accounts: AccountSummary[] }>('GET', '/accounts');
    setAccounts(accountList.accounts);
    loadFirstPage();
    loadThread();
    loadScenarios();
  }, [loadScenarios, loadFirstPage, loadThread]);

  useEffect(() => {
    loadAll().catch(onError);
  }, [loadAll, onError]);

  // A new search asks the server after a short pause in typing (100 ms), so each keystroke does not cost a request.
  useEffect(() => {
    const query = search.trim();
    if (query === searchRef.current) return;
    const timer = setTimeout(() => {
      searchRef.current = query;
      loadFirstPage();
    }, 100);
    return () => clearTimeout(timer);
  }, [search, loadFirstPage]);

  useEffect(() => {
    setThread([]);
    loadThread();
  }, [selected, loadThread]);

  // Infinite scroll: a sentinel after the last conversation loads the next page as it comes into view.
  const sentinel = useRef<HTMLLIElement>(null);
  useEffect(() => {
    const target = sentinel.current;
    if (!target) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMore();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [list.nextCursor, loadMore]);

  // Live: a message added or changed, a callback attempt; after a drop, reload what was missed meanwhile.
  useEffect(
    () =>
      subscribe({
        event({ event, data }) {
          if (event === 'message') {
            const change = data as { kind: string; message: ControlMessage };
            upsert(change.message);
            loadFirstPage();
            if (conversationKey(change.message) === selectedRef.current) loadThread();
            if (change.kind === 'added') loadScenarios();
            if (openRef.current.has(change.message.id)) void refreshMessage(change.message.id);
          } else if (event === 'callback') {
            const entry = data as JournalEntry;
            addAttempts(entry.messageId, [entry]);
          }
        },
        reconnected() {
          loadAll().catch(onError);
        },
      }),
    [subscribe, upsert, addAttempts, loadAll, loadScenarios, loadFirstPage, loadThread, refreshMessage, onError],
  );

  const conversations = list.conversations;
  const current = selected === undefined ? undefined : (conversations.find((c) => c.key === selected) ?? selectedSummary);

  const addressing: Addressing = useMemo(() => {
    if (reply) return reply;
    const fallback = accounts[0]?.numbers[0]?.number ?? '';
    if (!current) return { from: '+19195550123', to: fallback, also: '', nonce: 0 };
    return { from: current.theirs[0] ?? '+19195550123', to: current.ours, also: current.theirs.slice(1).join(', '), nonce: 0 };
  }, [reply, current, accounts]);

  function toggleTimeline(id: string) {
    const next = new Set(openTimelines);
    if (next.has(id)) next.delete(id);
    else {
      next.add(id);
      void refreshMessage(id);
    }
    setOpenTimelines(next);
  }

  function replyTo(message: ControlMessage) {
    const [first, ...others] = message.to;
    setReply({ from: first ?? '', to: message.owner, also: others.join(', '), nonce: Date.now() });
  }

  function select(conversation: ConversationSummary | undefined) {
    setReply(undefined);
    setSelectedSummary(conversation);
    setSelected(conversation?.key);
  }

  async function reset(accountId?: string) {
    try {
      await control('POST', `/reset${accountId !== undefined ? `?accountId=${encodeURIComponent(accountId)}` : ''}`);
      setAttempts(new Map());
      await loadAll();
      report(accountId !== undefined ? `Account ${accountId} reset` : 'Everything reset', false);
    } catch (error) {
      report((error as Error).message, true);
    }
  }

  return (
    <div class={`layout ${current ? 'has-selection' : ''}`}>
      <nav class="conversations" aria-label="Conversations">
        <h2>Conversations ({list.total})</h2>
        {conversations.length === 0 &&
          (list.query ? (
            <p class="hint">No conversation matches “{list.query}”.</p>
          ) : (
            <p class="hint">No messages yet. Send one through the API or as a handset below.</p>
          ))}
        <ul>
          {conversations.map((c) => (
            <li key={c.key}>
              <ConversationButton conversation={c} selected={c.key === selected} onSelect={() => select(c)} />
            </li>
          ))}
          {list.nextCursor && (
            <li ref={sentinel} class="hint more">
              Loading more…
            </li>
          )}
        </ul>
      </nav>
      <main class="thread" aria-label="Conversation">
        {current ? (
          <>
            <div class="thread-head">
              <button type="button" class="back" onClick={() => select(undefined)}>
                ← Conversations
              </button>
              <h2>
                {current.ours}
                <Between />
                {current.theirs.join(', ')} <span class="hint">account {current.accountId}</span>
              </h2>
            </div>
            <ol class="messages" aria-label="Messages, oldest first">
              {[...thread].reverse().map((m) => (
                <SafeMessageCard
                  key={m.id}
                  message={m}
                  attempts={attempts.get(m.id) ?? []}
                  open={openTimelines.has(m.id)}
                  onToggle={() => toggleTimeline(m.id)}
                  onReply={replyTo}
                  onResult={report}
                />
              ))}
            </ol>
          </>
        ) : (
          <p class="hint">Pick a conversation, or write as a handset to one of our numbers.</p>
        )}
        <Compose accounts={accounts} addressing={addressing} onResult={report} />
      </main>
      <aside class="side" aria-label="Carrier console">
        <ScenariosPanel scenarios={scenarios.scenarios} problems={scenarios.problems} onRefresh={loadScenarios} />
        <AccountsPanel accounts={accounts} onReset={(id) => void reset(id)} />
      </aside>
    </div>
  );
}

function ConversationButton({ conversation: c, selected, onSelect }: { conversation: ConversationSummary; selected: boolean; onSelect: () => void }) {
  const latest = c.latest;
  const statuses = latest.recipients.map((r) => r.status).join(', ');
  return (
    <button type="button" class="conversation" aria-current={selected ? 'true' : undefined} onClick={onSelect}>
      <span class="pair">
        {c.ours}
        <Between />
        {theirNumbers(latest).join(', ')}
      </span>
      <span class="preview">
        {latest.direction === 'out' ? '→ ' : '← '}
        {latest.text || (latest.media?.length ? '[media]' : '')}
      </span>
      <span class="meta">
        account {c.accountId} · {c.count} message{c.count === 1 ? '' : 's'} · {shortTime(latest.time)} · {statuses}
      </span>
    </button>
  );
}
