// The page's one notice line: a success clears itself after a few seconds, an error stays until dismissed, and a new
// notice replaces the old (each one starts its own timer).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { CloseIcon } from './icons.js';

/** How long a success notice stays, in ms. */
const SUCCESS_NOTICE_MS = 5000;

/** One notice; `id` tells two notices with the same words apart (the second restarts the timer). */
export interface NoticeState {
  id: number;
  text: string;
  isError: boolean;
}

let nextId = 1;

/** The notice in force, `report` to replace it, and `clear` to drop it (on a view switch). */
export function useNotice(): { notice: NoticeState | undefined; report: (text: string, isError: boolean) => void; clear: () => void } {
  const [notice, setNotice] = useState<NoticeState | undefined>();
  const report = useCallback((text: string, isError: boolean) => setNotice({ id: nextId++, text, isError }), []);
  const clear = useCallback(() => setNotice(undefined), []);
  useEffect(() => {
    if (!notice || notice.isError) return;
    const timer = setTimeout(() => setNotice((current) => (current?.id === notice.id ? undefined : current)), SUCCESS_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  return { notice, report, clear };
}

/** The notice line: a status for a success, an alert with a Dismiss button for an error. */
export function NoticeLine({ notice, onDismiss }: { notice: NoticeState | undefined; onDismiss: () => void }) {
  if (!notice) return null;
  return (
    <div key={notice.id} class={`notice ${notice.isError ? 'error' : ''}`} role={notice.isError ? 'alert' : 'status'}>
      <p class="notice-text">{notice.text}</p>
      {notice.isError && (
        <button type="button" class="dismiss" aria-label="Dismiss" title="Dismiss" onClick={onDismiss}>
          <CloseIcon />
        </button>
      )}
    </div>
  );
}
