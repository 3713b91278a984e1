// The carrier side of the console: scenarios in force with hit counts, and reset per account.
import type { AccountSummary } from '../../src/control/operations.js';
import type { ScenarioSummary } from '../../src/scenarios/engine.js';
import { control } from './api.js';
import { confirmAction } from './confirm.js';

// The count the confirm dialog names; the list route caps at this many, so more reads "10000 or more".
const COUNT_LIMIT = 10_000;

/** How many messages a reset would forget, in words ("3 messages"); undefined when the count cannot be had. */
async function messageCount(accountId?: string): Promise<string | undefined> {
  const query = `?limit=${COUNT_LIMIT}${accountId !== undefined ? `&accountId=${encodeURIComponent(accountId)}` : ''}`;
  const list = await control<{ messages: unknown[] }>('GET', `/messages${query}`).catch(() => undefined);
  if (!list) return undefined;
  const n = list.messages.length;
  return `${n}${n >= COUNT_LIMIT ? ' or more' : ''} message${n === 1 ? '' : 's'}`;
}

/** Ask before a reset, naming what it forgets; resolves true to go ahead. */
async function confirmReset(accountId?: string): Promise<boolean> {
  const count = (await messageCount(accountId)) ?? 'all messages';
  return confirmAction(
    accountId === undefined
      ? {
          title: 'Reset everything?',
          detail: `This forgets ${count}, their media and callbacks, the run-time scenarios and the opt-outs of every account. Scenario files and the config stay.`,
          confirmLabel: 'Reset everything',
        }
      : {
          title: `Reset account ${accountId}?`,
          detail: `This forgets account ${accountId}'s ${count}, their media and callbacks, its run-time scenarios and its opt-outs.`,
          confirmLabel: `Reset account ${accountId}`,
        },
  );
}

/** Scenarios in matching order with each rule's hits, and load problems. */
export function ScenariosPanel(props: {
  scenarios: ScenarioSummary[];
  problems: Array<{ source: string; field: string; problem: string }>;
  onRefresh: () => void;
}) {
  return (
    <section class="panel" aria-labelledby="scenarios-heading">
      <div class="panel-head">
        <h2 id="scenarios-heading">Scenarios</h2>
        <button type="button" onClick={props.onRefresh}>
          Refresh
        </button>
      </div>
      {props.scenarios.length === 0 && <p class="hint">No scenario loaded: every message gets the default outcome (delivered).</p>}
      <ul class="scenarios">
        {props.scenarios.map((s) => (
          <li key={`${s.scope}/${s.name}`}>
            <strong>{s.name}</strong>{' '}
            <span class="hint">
              ({s.source}
              {s.scope === '*' ? '' : `, account ${s.scope}`})
            </span>
            <ul>
              {s.rules.map((r) => (
                <li key={r.id} title={r.explain}>
                  {/* A screen reader ignores aria-label on a plain span: it reads the hidden words instead of the bare count. */}
                  <span class="hits" aria-hidden="true">
                    {r.hits}
                    {r.times !== undefined ? `/${r.times}` : ''}
                  </span>
                  <span class="visually-hidden">
                    {r.hits} hits{r.times !== undefined ? ` of ${r.times}` : ''}
                  </span>{' '}
                  {r.name ?? r.id}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {props.problems.map((p, i) => (
        <p key={i} class="error">
          {p.source} {p.field}: {p.problem}
        </p>
      ))}
    </section>
  );
}

/** One Reset button per account, and one for everything; each asks first (confirm.tsx), then calls `onReset`. */
export function AccountsPanel(props: { accounts: AccountSummary[]; onReset: (accountId?: string) => void }) {
  return (
    <section class="panel" aria-labelledby="accounts-heading">
      <h2 id="accounts-heading">Accounts</h2>
      <ul class="accounts">
        {props.accounts.map((a) => (
          <li key={a.id}>
            <span>
              <strong>{a.id}</strong> <span class="hint">{a.numbers.map((n) => n.number).join(', ')}</span>
            </span>
            <button type="button" onClick={async () => (await confirmReset(a.id)) && props.onReset(a.id)}>
              Reset account {a.id}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" class="danger" onClick={async () => (await confirmReset()) && props.onReset()}>
        Reset everything
      </button>
    </section>
  );
}
