// The header's "Export state" and "Import state": the whole emulator state to a file and back, asking first because
// an import replaces everything.
import { useRef, useState } from 'preact/hooks';
import { NeedsToken } from './api.js';
import { confirmAction } from './confirm.js';
import { downloadState, ImportRefused, uploadState } from './state-transfer.js';

/** Export and import buttons; `onImported` reloads the views. */
export function StateControls(props: { report: (text: string, isError: boolean) => void; onError: (error: Error) => void; onImported: () => void }) {
  const file = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  async function exportState() {
    setBusy(true);
    try {
      props.report(`State exported to ${await downloadState()}`, false);
    } catch (error) {
      props.onError(error as Error);
    } finally {
      setBusy(false);
    }
  }

  async function importFile(picked: File | undefined) {
    if (file.current) file.current.value = '';
    if (!picked) return;
    const ok = await confirmAction({
      title: `Import ${picked.name}?`,
      detail: 'This replaces everything: all messages, media, callbacks, run-time scenarios and opt-outs are forgotten and the file’s state takes their place.',
      confirmLabel: 'Replace everything',
    });
    if (!ok) return;
    setBusy(true);
    try {
      const counts = await uploadState(picked);
      props.onImported();
      props.report(
        `State imported from ${picked.name}: ${counts.messages ?? 0} messages, ${counts.journal ?? 0} callback attempts, ${counts.scenarios ?? 0} scenarios`,
        false,
      );
    } catch (error) {
      if (error instanceof ImportRefused)
        props.report(`Import refused: ${error.message}${error.problems.length ? ` (${error.problems.join('; ')})` : ''}`, true);
      else if (error instanceof NeedsToken) props.onError(error);
      else props.report((error as Error).message, true);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="state-controls">
      <button type="button" onClick={() => void exportState()} disabled={busy}>
        Export state
      </button>
      <button type="button" onClick={() => file.current?.click()} disabled={busy}>
        Import state
      </button>
      <input
        ref={file}
        type="file"
        accept="application/json,.json"
        class="visually-hidden"
        tabIndex={-1}
        aria-label="State file to import"
        onChange={(e) => void importFile(e.currentTarget.files?.[0])}
      />
    </div>
  );
}
