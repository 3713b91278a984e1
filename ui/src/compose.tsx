// The handset: compose an inbound SMS, MMS (with an image) or group message to one of our numbers.
import { useEffect, useRef, useState } from 'preact/hooks';
import { control } from './api.js';
import type { AccountSummary } from '../../src/control/operations.js';

/** Who the handset writes to by default: set from the open conversation or a Reply click. */
export interface Addressing {
  from: string;
  to: string;
  also: string;
  /** Changes on every Reply click so the text field takes focus again. */
  nonce: number;
}

interface Attachment {
  filename: string;
  contentType: string;
  contentBase64: string;
}

function readAttachment(file: File): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve({ filename: file.name, contentType: file.type || 'application/octet-stream', contentBase64: url.slice(url.indexOf(',') + 1) });
    };
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}

/** The compose form; reports each send (or its error) through `onResult`. */
export function Compose(props: { accounts: AccountSummary[]; addressing: Addressing; onResult: (message: string, isError: boolean) => void }) {
  const { accounts, addressing } = props;
  const [from, setFrom] = useState(addressing.from);
  const [to, setTo] = useState(addressing.to);
  const [also, setAlso] = useState(addressing.also);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const textInput = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setFrom(addressing.from);
    setTo(addressing.to);
    setAlso(addressing.also);
    if (addressing.nonce > 0) textInput.current?.focus();
  }, [addressing.from, addressing.to, addressing.also, addressing.nonce]);

  const ourNumbers = accounts.flatMap((a) => a.numbers.map((n) => ({ accountId: a.id, number: n.number })));

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    try {
      const files = [...(fileInput.current?.files ?? [])];
      const media = await Promise.all(files.map(readAttachment));
      const recipients = [to, ...also.split(/[\s,;]+/)].map((n) => n.trim()).filter(Boolean);
      const sent = await control<{ messages: Array<{ id: string }> }>('POST', '/inbound', {
        from: from.trim(),
        to: recipients,
        ...(text ? { text } : {}),
        ...(media.length ? { media } : {}),
      });
      setText('');
      if (fileInput.current) fileInput.current.value = '';
      props.onResult(`Sent from ${from}: ${sent.messages.length} message${sent.messages.length === 1 ? '' : 's'} received`, false);
    } catch (error) {
      props.onResult((error as Error).message, true);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="compose" onSubmit={submit} aria-label="Send as a handset">
      <h2>Send as a handset</h2>
      <div class="compose-grid">
        <label>
          From (handset)
          <input
            name="from"
            value={from}
            onInput={(e) => setFrom(e.currentTarget.value)}
            required
            pattern="^\+[1-9]\d{1,14}$"
            placeholder="+19195550123"
            inputMode="tel"
          />
        </label>
        <label>
          To (our number)
          <select name="to" value={to} onChange={(e) => setTo(e.currentTarget.value)} required>
            {ourNumbers.length === 0 && <option value="">no numbers configured</option>}
            {ourNumbers.map((n) => (
              <option key={n.number} value={n.number}>
                {n.number} (account {n.accountId})
              </option>
            ))}
          </select>
        </label>
        <label>
          Also to (group, optional)
          <input name="also" value={also} onInput={(e) => setAlso(e.currentTarget.value)} placeholder="+19195550124, +19195550125" />
        </label>
        <label class="wide">
          Text
          <textarea name="text" ref={textInput} rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="Type a message" />
        </label>
        <label>
          Image (MMS, optional)
          <input name="media" type="file" ref={fileInput} accept="image/*,video/*,audio/*,application/pdf,text/vcard" multiple />
        </label>
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : 'Send to our number'}
      </button>
    </form>
  );
}
