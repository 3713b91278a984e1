// The Webhooks view: every callback attempt across messages (issue 20 item 3 fills this in).
import type { ViewProps } from './inbox-view.js';

/** Every callback attempt, filterable, with resend. */
export function WebhooksView(_props: ViewProps) {
  return (
    <main class="view" aria-label="Webhooks">
      <h2>Webhooks</h2>
      <p class="hint">Every callback attempt will be listed here.</p>
    </main>
  );
}
