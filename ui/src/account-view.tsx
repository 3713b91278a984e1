// The Accounts view: per account its numbers with their type and registration, the traffic settings and what waits
// in its queue, and the toll-free opt-out list with a remove per entry (README "Accounts view").
import { confirmAction } from './confirm.js';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { NumberConfig } from '../../src/config/numbers.js';
import type { AccountSummary } from '../../src/control/operations.js';
import type { OptOutList } from '../../src/control/opt-out-operations.js';
import type { QueueView } from '../../src/control/traffic-operations.js';
import type { TrafficView } from '../../src/messaging/traffic-settings.js';
import { control } from './api.js';
import type { ViewProps } from './inbox-view.js';

/** Everything the view shows of one account, loaded together. */
interface AccountDetail {
  summary: AccountSummary;
  numbers: NumberConfig[];
  traffic?: TrafficView;
  queue?: QueueView;
  optOuts?: OptOutList;
}

const PARTS = ['throughput', 'searchRateLimit', 'optOut', 'onNet', 'contentFilter'] as const;
const path = (accountId: string) => `/accounts/${encodeURIComponent(accountId)}`;

// One account's details; a part that fails (the account removed meanwhile) is left out rather than failing the view.
async function loadAccount(summary: AccountSummary): Promise<AccountDetail> {
  const base = path(summary.id);
  const [numbers, traffic, queue, optOuts] = await Promise.all([
    control<{ numbers: NumberConfig[] }>('GET', `${base}/numbers`).then(
      (r) => r.numbers,
      () => [],
    ),
    control<TrafficView>('GET', `${base}/traffic`).catch(() => undefined),
    control<QueueView>('GET', `${base}/queue`).catch(() => undefined),
    control<OptOutList>('GET', `${base}/opt-outs`).catch(() => undefined),
  ]);
  return { summary, numbers, traffic, queue, optOuts };
}

// "campaign CEMULAT (T, ACTIVE/APPROVED)", "toll-free VERIFIED", or nothing for a short code.
function registration(n: NumberConfig): string {
  if (n.campaign) return `campaign ${n.campaign.id} (class ${n.campaign.class}, ${n.campaign.status}/${n.campaign.mnoStatus})`;
  if (n.campaign === null) return 'no campaign';
  if (n.tollFreeVerification) return `verification ${n.tollFreeVerification.status}${n.tollFreeVerification.denial ? ' (denied)' : ''}`;
  return '—';
}

/** Provisioning and traffic, per account. */
export function AccountView({ subscribe, report, onError }: ViewProps) {
  const [accounts, setAccounts] = useState<AccountDetail[] | undefined>();

  // One load at a time, and one more after it if asked meanwhile: a burst of messages costs two loads, not one each.
  const state = useRef<{ running: boolean; again: boolean }>({ running: false, again: false });
  const load = useCallback(() => {
    const s = state.current;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    control<{ accounts: AccountSummary[] }>('GET', '/accounts')
      .then((r) => Promise.all(r.accounts.map(loadAccount)))
      .then(setAccounts, onError)
      .finally(() => {
        s.running = false;
        if (s.again) {
          s.again = false;
          load();
        }
      });
  }, [onError]);

  useEffect(load, [load]);
  // A message changes the queue, and a STOP the opt-out list: reload on each (coalesced), and after a drop.
  useEffect(
    () =>
      subscribe({
        event({ event }) {
          if (event === 'message') load();
        },
        reconnected: load,
      }),
    [subscribe, load],
  );

  async function removeOptOut(accountId: string, number: string, handset: string) {
    if (
      !(await confirmAction({
        title: `Remove the opt-out of ${handset}?`,
        detail: `Messages from ${number} to ${handset} will be sent again.`,
        confirmLabel: 'Remove opt-out',
      }))
    )
      return;
    try {
      await control('DELETE', `${path(accountId)}/opt-outs/${encodeURIComponent(number)}/${encodeURIComponent(handset)}`);
      report(`Removed the opt-out of ${handset} from ${number}`, false);
    } catch (error) {
      report((error as Error).message, true);
    }
    load();
  }

  return (
    <main class="view" aria-label="Accounts">
      <h2>Accounts</h2>
      {/* A throwaway account created or a number provisioned sends no message event: this picks them up. */}
      <button type="button" onClick={load}>
        Refresh
      </button>
      {accounts === undefined && <p class="hint">Loading…</p>}
      {accounts?.length === 0 && <p class="hint">No accounts.</p>}
      {accounts?.map((a) => (
        <section key={a.summary.id} class="account-card" aria-label={`Account ${a.summary.id}`} data-account-id={a.summary.id}>
          <h3>
            {a.summary.id}
            {a.summary.throwaway && <span class="tag">throwaway{a.summary.expiresAt ? ` until ${a.summary.expiresAt}` : ''}</span>}
          </h3>
          <table aria-label={`Numbers of ${a.summary.id}`}>
            <thead>
              <tr>
                <th>Number</th>
                <th>Type</th>
                <th>Registration</th>
                <th>Application</th>
                <th>Location</th>
              </tr>
            </thead>
            <tbody>
              {a.numbers.map((n) => (
                <tr key={n.number} data-number={n.number}>
                  <td>{n.number}</td>
                  <td>{n.type}</td>
                  <td>{registration(n)}</td>
                  <td>{n.applicationId}</td>
                  <td>{n.location}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {a.traffic && <Traffic traffic={a.traffic} queue={a.queue} />}
          {a.optOuts && (
            <section class="opt-outs" aria-label={`Opt-outs of ${a.summary.id}`}>
              <h4>
                Toll-free opt-outs ({a.optOuts.optOuts.length} of at most {a.optOuts.capPerAccount})
              </h4>
              {a.optOuts.optOuts.length === 0 ? (
                <p class="hint">None: a handset that texts STOP to a toll-free number (traffic part optOut) is listed here.</p>
              ) : (
                <ul>
                  {a.optOuts.optOuts.map((o) => (
                    <li key={`${o.number}|${o.handset}`} data-handset={o.handset}>
                      {o.handset} opted out of {o.number} ({o.source === 'handset' ? 'texted STOP' : 'added by the control API'}, {o.at}){' '}
                      <button type="button" class="danger" onClick={() => removeOptOut(a.summary.id, o.number, o.handset)}>
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}
        </section>
      ))}
    </main>
  );
}

function Traffic({ traffic, queue }: { traffic: TrafficView; queue?: QueueView }) {
  const s = traffic.settings;
  const on = PARTS.filter((p) => s[p]);
  return (
    <section class="traffic" aria-label="Traffic">
      <h4>Traffic</h4>
      <p>
        Profile <strong>{s.profile}</strong>
        {traffic.runtime ? ' (changed at run time)' : ''}; parts on: {on.length > 0 ? on.join(', ') : 'none'}; account rate {s.rates.account} segment(s)/s;
        queue depth {Math.round(s.queueDepthMs / 1000)} s
      </p>
      {queue && (
        <p class="queue">
          Queue: {queue.messages} message(s) waiting, {queue.segments} of {queue.capacitySegments} segments
          {queue.oldestQueuedAt ? `, oldest queued at ${queue.oldestQueuedAt}` : ''}
          {!s.throughput && ' (throughput is off: nothing waits)'}
        </p>
      )}
    </section>
  );
}
