// A confirm dialog for actions that lose data: a modal <dialog> that names what will be lost, focuses Cancel, and
// cancels on Escape. Imperative (`await confirmAction(...)`) so any view or panel can ask without holding state.
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** What the dialog says: a question, what will be lost, and the words on the confirming button. */
export interface ConfirmRequest {
  title: string;
  /** What the action forgets or replaces, in plain words. */
  detail: string;
  confirmLabel: string;
}

/** The dialog itself; `onClose(true)` only from the confirming button, false on Cancel, Escape or any other close. */
function ConfirmDialog({ title, detail, confirmLabel, onClose }: ConfirmRequest & { onClose: (confirmed: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const answered = useRef(false);
  const answer = (confirmed: boolean) => {
    if (answered.current) return;
    answered.current = true;
    dialog.current?.close();
    onClose(confirmed);
  };
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (!d.open) d.showModal();
    // The safe choice has the focus: Enter or Space by reflex keeps the data.
    cancel.current?.focus();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-detail"
      // Escape fires cancel, then close; any way of closing that is not the confirming button is a No.
      onCancel={() => answer(false)}
      onClose={() => answer(false)}
    >
      <h2 id="confirm-title">{title}</h2>
      <p id="confirm-detail">{detail}</p>
      <div class="confirm-actions">
        <button type="button" ref={cancel} onClick={() => answer(false)}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={() => answer(true)}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** Ask before a destructive action: resolves true when confirmed, false when cancelled (Cancel, Escape). */
export function confirmAction(request: ConfirmRequest): Promise<boolean> {
  const host = document.createElement('div');
  document.body.append(host);
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  return new Promise((resolve) => {
    render(
      <ConfirmDialog
        {...request}
        onClose={(confirmed) => {
          // Unmount after this event has run its course: preact must not remove the node it is dispatching on.
          queueMicrotask(() => {
            render(null, host);
            host.remove();
            before?.focus();
          });
          resolve(confirmed);
        }}
      />,
      host,
    );
  });
}
