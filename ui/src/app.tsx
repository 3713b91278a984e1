// The page: the header with its views (Inbox, Webhooks, Accounts), the notice line, and the one event stream.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { AccountView } from './account-view.js';
import { control, followEvents, NeedsToken, saveToken, savedToken } from './api.js';
import { InboxView } from './inbox-view.js';
import { DotIcon } from './icons.js';
import { LiveHub } from './live.js';
import { NoticeLine, useNotice } from './notice.js';
import { StateControls } from './state-controls.js';
import { WebhooksView } from './webhooks-view.js';

type Phase = 'checking' | 'needs-token' | 'ready';
type View = 'inbox' | 'webhooks' | 'accounts';
const VIEWS: Array<{ id: View; label: string }> = [
  { id: 'inbox', label: 'Inbox' },
  { id: 'webhooks', label: 'Webhooks' },
  { id: 'accounts', label: 'Accounts' },
];

/** The whole page. */
export function App() {
  const [phase, setPhase] = useState<Phase>('checking');
  const [view, setView] = useState<View>('inbox');
  const [live, setLive] = useState(false);
  const [search, setSearch] = useState('');
  // Bumped after a state import: the views remount and load everything again.
  const [generation, setGeneration] = useState(0);
  const { notice, report, clear } = useNotice();
  const hub = useMemo(() => new LiveHub(), []);

  const onError = useCallback(
    (error: Error) => {
      if (error instanceof NeedsToken) setPhase('needs-token');
      else report(error.message, true);
    },
    [report],
  );

  // Find out whether a token is needed before showing any view.
  useEffect(() => {
    if (phase !== 'checking') return;
    control('GET', '/accounts').then(() => setPhase('ready'), onError);
  }, [phase, onError]);

  // Follow the event stream while ready; reconnect after a drop, telling the views to reload what was missed.
  useEffect(() => {
    if (phase !== 'ready') return;
    const controller = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = (reload: boolean) => {
      followEvents(
        (event) => hub.emit(event),
        () => {
          setLive(true);
          if (reload) hub.reconnected();
        },
        controller.signal,
      )
        .catch((error: Error) => {
          if (error instanceof NeedsToken) setPhase('needs-token');
        })
        .finally(() => {
          setLive(false);
          if (!controller.signal.aborted) retry = setTimeout(() => connect(true), 1000);
        });
    };
    connect(false);
    return () => {
      controller.abort();
      clearTimeout(retry);
    };
  }, [phase, hub]);

  if (phase === 'needs-token') return <TokenForm onSaved={() => setPhase('checking')} />;
  if (phase === 'checking') return <p class="hint">Loading…</p>;
  const props = { subscribe: hub.subscribe, report, onError };
  // A notice is about the view it came from: switching view drops it.
  const switchView = (next: View) => {
    if (next !== view) clear();
    setView(next);
  };

  return (
    <div class="app">
      <header class="top">
        <h1>bandwidth-emulator inbox</h1>
        <span class={`live ${live ? 'on' : 'off'}`} role="status">
          <DotIcon filled={live} /> {live ? 'live' : 'connecting…'}
        </span>
        <nav class="views" aria-label="Views">
          {VIEWS.map((v) => (
            <button key={v.id} type="button" aria-current={view === v.id ? 'page' : undefined} onClick={() => switchView(v.id)}>
              {v.label}
            </button>
          ))}
        </nav>
        {view === 'inbox' && (
          <label class="search">
            Search
            <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="number, text or tag" />
          </label>
        )}
        <StateControls report={report} onError={onError} onImported={() => setGeneration((g) => g + 1)} />
        {savedToken() && (
          <button
            type="button"
            onClick={() => {
              saveToken('');
              setPhase('checking');
            }}
          >
            Forget token
          </button>
        )}
      </header>
      <NoticeLine notice={notice} onDismiss={clear} />
      {view === 'inbox' && <InboxView key={generation} {...props} search={search} />}
      {view === 'webhooks' && <WebhooksView key={generation} {...props} />}
      {view === 'accounts' && <AccountView key={generation} {...props} />}
    </div>
  );
}

function TokenForm({ onSaved }: { onSaved: () => void }) {
  const [token, setToken] = useState('');
  return (
    <form
      class="token-form"
      onSubmit={(e) => {
        e.preventDefault();
        saveToken(token.trim());
        onSaved();
      }}
    >
      <h1>bandwidth-emulator inbox</h1>
      <p>This emulator's control API is protected by a token (config control.token, BW_EMULATOR_CONTROL_TOKEN).</p>
      {savedToken() && (
        <p class="notice error" role="alert">
          The token given was refused; check it and try again.
        </p>
      )}
      <label>
        Control token
        {/* biome-ignore lint/a11y/noAutofocus: the token is all this page asks for; the person came here to type it. */}
        <input type="password" value={token} onInput={(e) => setToken(e.currentTarget.value)} required autoFocus autoComplete="off" />
      </label>
      <button type="submit">Open the inbox</button>
    </form>
  );
}
