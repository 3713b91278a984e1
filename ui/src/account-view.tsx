// The Account view: numbers with their type and registration, the queue, the opt-out list (issue 20 item 5).
import type { ViewProps } from './inbox-view.js';

/** Provisioning and traffic, per account. */
export function AccountView(_props: ViewProps) {
  return (
    <main class="view" aria-label="Accounts">
      <h2>Accounts</h2>
      <p class="hint">Numbers, the queue and opt-outs will be shown here.</p>
    </main>
  );
}
