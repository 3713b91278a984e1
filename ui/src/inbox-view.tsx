// The Inbox view: conversations on the left, the open conversation with the handset composer, the carrier's panels.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AccountSummary } from '../../src/control/operations.js';
import type { ScenarioSummary } from '../../src/scenarios/engine.js';
import { control } from './api.js';
import { Compose, type Addressing } from './compose.js';
import { Between } from './icons.js';
import type { Subscribe } from './live.js';
import { SafeMessageCard, shortTime } from './message.js';
import { groupConversations, matchesSearch, theirNumbers, type ControlMessage, type Conversation, type JournalEntry } from './model.js';
import { AccountsPanel, ScenariosPanel } from './panels.js';

interface Scenarios {
  scenarios: ScenarioSummary[];
  problems: Array<{ source: string; field: string; problem: string }>;
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
  const [messages, setMessages] = useState<Map<string, ControlMessage>>(new Map());
  const [attempts, setAttempts] = useState<Map<string, JournalEntry[]>>(new Map());
  const [accounts, setAccounts] = useState<AccountSummary[]>([]);
  const [scenarios, setScenarios] = useState<Scenarios>({ scenarios: [], problems: [] });
  const [selected, setSelected] = useState<string | undefined>();
  const [openTimelines, setOpenTimelines] = useState<Set<string>>(new Set());
  const [reply, setReply] = useState<{ from: string; to: string; also: string; nonce: number } | undefined>();
  const openRef = useRef(openTimelines);
  openRef.current = openTimelines;

  const upsert = useCallback((message: ControlMessage) => setMessages((prev) => new Map(prev).set(message.id, message)), []);
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
    const [list, accountList] = await Promise.all([
      control<{ messages: ControlMessage[] }>('GET', '/messages?limit=1000'),
      control<{ accounts: AccountSummary[] }>('GET', '/accounts'),
    ]);
    setMessages(new Map(list.messages.map((m) => [m.id, m])));
    setAccounts(accountList.accounts);
    loadScenarios();
  }, [loadScenarios]);

  useEffect(() => {
    loadAll().catch(onError);
  }, [loadAll, onError]);

  // Live: a message added or changed, a callback attempt; after a drop, reload what was missed meanwhile.
  useEffect(
    () =>
      subscribe({
        event({ event, data }) {
          if (event === 'message') {
            const change = data as { kind: string; message: ControlMessage };
            upsert(change.message);
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
    [subscribe, upsert, addAttempts, loadAll, loadScenarios, refreshMessage, onError],
  );

  const conversations = useMemo(() => groupConversations([...messages.values()].filter((m) => matchesSearch(m, search))), [messages, search]);
  const current = conversations.find((c) => c.key === selected);

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

  function select(key: string | undefined) {
    setReply(undefined);
    setSelected(key);
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
        <h2>Conversations ({conversations.length})</h2>
        {conversations.length === 0 && <p class="hint">No messages yet. Send one through the API or as a handset below.</p>}
        <ul>
          {conversations.map((c) => (
            <li key={c.key}>
              <ConversationButton conversation={c} selected={c.key === selected} onSelect={() => select(c.key)} />
            </li>
          ))}
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
              {[...current.messages].reverse().map((m) => (
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

function ConversationButton({ conversation: c, selected, onSelect }: { conversation: Conversation; selected: boolean; onSelect: () => void }) {
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
        account {c.accountId} · {c.messages.length} message{c.messages.length === 1 ? '' : 's'} · {shortTime(latest.time)} · {statuses}
      </span>
    </button>
  );
}
