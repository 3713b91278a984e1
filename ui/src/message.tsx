// One message in a conversation: the bubble, its recipients' statuses, the carrier console and the timeline.
import { useErrorBoundary, useState } from 'preact/hooks';
import { redactUrlCredentials } from '../../src/config/url-credentials.js';
import { MESSAGE_ERROR_CODES } from '../../src/error-codes.js';
import { control } from './api.js';
import { LintLine } from './lint.js';
import { MediaPreview } from './media-preview.js';
import { FINAL_STATUSES, failureFacts, timelineRows, type ControlMessage, type JournalEntry, type TimelineRow } from './model.js';

const ERROR_CODES = Object.entries(MESSAGE_ERROR_CODES).map(([code, info]) => ({ code: Number(code), label: `${code} ${info.name}` }));

/** A clock time for a message or step, in the viewer's locale. */
export function shortTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

interface Props {
  message: ControlMessage;
  attempts: JournalEntry[];
  open: boolean;
  onToggle: () => void;
  onReply: (message: ControlMessage) => void;
  onResult: (text: string, isError: boolean) => void;
}

/** A message bubble with Timeline and Reply buttons, and carrier actions for recipients still in flight. */
function MessageCard({ message, attempts, open, onToggle, onReply, onResult }: Props) {
  const timelineId = `timeline-${message.id}`;
  return (
    <li class={`message ${message.direction}`} data-message-id={message.id}>
      <div class="bubble">
        <div class="meta">
          {message.direction === 'out' ? `${message.from} → ${message.to.join(', ')}` : `${message.from} → ${message.owner}`}
          <span class="time"> · {shortTime(message.time)}</span>
          {message.tag !== undefined && <span class="tag">tag: {message.tag}</span>}
          {message.network && (
            <span class="tag network" title="Sent by Bandwidth's toll-free network, not by your application: it gets no callbacks for it">
              network auto-reply
            </span>
          )}
        </div>
        {message.text && <p class="text">{message.text}</p>}
        {message.media?.map((url, i) => (
          <MediaPreview key={i} messageId={message.id} index={i} url={url} />
        ))}
        {message.direction === 'out' && <LintLine message={message} />}
        <ul class="recipients" aria-label="Recipients">
          {message.recipients.map((r) => (
            <li key={r.to}>
              <span class={`status status-${r.status.toLowerCase()}`}>{r.status}</span>
              {r.errorCode ? <span class="error-code"> {r.errorCode}</span> : null}
              <ErrorFacts message={message} recipient={r.to} /> <span class="number">{r.to}</span>
              {message.direction === 'out' && !FINAL_STATUSES.has(r.status) && <CarrierActions message={message} recipient={r.to} onResult={onResult} />}
            </li>
          ))}
        </ul>
        <div class="actions">
          <button type="button" aria-expanded={open} aria-controls={timelineId} onClick={onToggle}>
            {open ? 'Hide timeline' : 'Timeline'}
          </button>
          {message.direction === 'out' && (
            <button type="button" onClick={() => onReply(message)}>
              Reply as {message.to[0]}
            </button>
          )}
        </div>
      </div>
      {open && <Timeline id={timelineId} rows={timelineRows(message, attempts)} />}
    </li>
  );
}

// Billable and whether a retry helps, from the control API's `failures`; the why (the table's reason) on hover and
// for screen readers as the element's description.
function ErrorFacts({ message, recipient }: { message: ControlMessage; recipient: string }) {
  const facts = failureFacts(message, recipient);
  if (!facts) return null;
  return (
    <span class="error-facts" title={facts.why} aria-description={facts.why}>
      {' '}
      ({facts.facts})
    </span>
  );
}

/**
 * One message, kept from breaking the page: should a stored value still make its card throw while rendering, that
 * card says so and the rest of the inbox stays (an error in a Preact render otherwise unmounts everything).
 */
export function SafeMessageCard(props: Props) {
  const [error] = useErrorBoundary();
  if (error) {
    return (
      <li class="message broken" data-message-id={props.message.id}>
        <p class="notice error">
          Message {props.message.id} could not be shown: {String((error as Error).message ?? error)}
        </p>
      </li>
    );
  }
  return <MessageCard {...props} />;
}

function CarrierActions({ message, recipient, onResult }: { message: ControlMessage; recipient: string; onResult: Props['onResult'] }) {
  const [code, setCode] = useState(4720);
  const [busy, setBusy] = useState(false);
  async function act(body: { action: 'deliver' | 'fail'; errorCode?: number }) {
    setBusy(true);
    try {
      await control('POST', `/messages/${encodeURIComponent(message.id)}/carrier`, { ...body, recipient });
      onResult(body.action === 'deliver' ? `Delivered to ${recipient} now` : `Failed for ${recipient} with ${body.errorCode}`, false);
    } catch (error) {
      onResult((error as Error).message, true);
    } finally {
      setBusy(false);
    }
  }
  const selectId = `code-${message.id}-${recipient}`;
  return (
    <fieldset class="carrier" aria-label={`Carrier actions for ${recipient}`}>
      <button type="button" disabled={busy} onClick={() => act({ action: 'deliver' })}>
        Deliver now
      </button>
      <label for={selectId} class="visually-hidden">
        Error code for {recipient}
      </label>
      <select id={selectId} value={String(code)} onChange={(e) => setCode(Number(e.currentTarget.value))}>
        {ERROR_CODES.map((c) => (
          <option key={c.code} value={String(c.code)}>
            {c.label}
          </option>
        ))}
      </select>
      <button type="button" class="danger" disabled={busy} onClick={() => act({ action: 'fail', errorCode: code })}>
        Fail
      </button>
    </fieldset>
  );
}

function describeStep(row: Extract<TimelineRow, { kind: 'step' }>): string {
  const detail = row.detail ?? {};
  const to = row.recipient ? ` for ${row.recipient}` : '';
  switch (row.what) {
    case 'accepted':
      return 'Accepted (202)';
    case 'received':
      return 'Received from the handset';
    case 'planned':
      return `Scenario${to}: ${String(detail.explanation ?? 'default outcome')}`;
    case 'opt-out':
    case 'opt-in':
      return `Toll-free network: ${String(detail.keyword)} ${row.what === 'opt-out' ? (detail.changed ? 'recorded an opt-out' : 'kept the opt-out') : detail.changed ? 'cleared the opt-out' : '(no opt-out to clear)'} and answered the handset`;
    case 'network-auto-reply':
      return `Sent by the toll-free network in answer to ${String(detail.keyword)} (no callbacks to the application)`;
    case 'carrier':
      return `Carrier console${to}: ${String(detail.action)}${detail.errorCode !== undefined ? ` ${String(detail.errorCode)}` : ''}, replacing ${String(detail.cancelledSteps)} scheduled step(s)`;
    default:
      return `${row.what}${to}${detail.errorCode !== undefined ? ` (error ${String(detail.errorCode)})` : ''}${detail.reason !== undefined ? `: ${String(detail.reason)}` : ''}`;
  }
}

function describeAttempt(entry: JournalEntry): string {
  if (entry.outcome === 'network') return `Network auto-reply to ${entry.recipient}: no callback to the application`;
  const answer = entry.response ? `HTTP ${entry.response.status}` : entry.error ? entry.error : 'not sent';
  return `Callback ${entry.type} to ${entry.recipient}: attempt ${entry.attempt}, ${answer}, ${entry.durationMs} ms, ${entry.outcome}`;
}

function Timeline({ id, rows }: { id: string; rows: TimelineRow[] }) {
  return (
    <ol class="timeline" id={id} aria-label="Timeline">
      {rows.map((row, i) =>
        row.kind === 'step' ? (
          <li key={`s${i}`} class={`step step-${row.what}`}>
            <time>{shortTime(row.at)}</time> {describeStep(row)}
          </li>
        ) : (
          <li key={`a${row.entry.seq}`} class={`attempt outcome-${row.entry.outcome}`}>
            <time>{shortTime(row.at)}</time> {describeAttempt(row.entry)}
            {row.entry.target && <span class="target"> → {redactUrlCredentials(row.entry.target)}</span>}
            <details>
              <summary>Bodies</summary>
              <p>Request body</p>
              <pre>{JSON.stringify(row.entry.request.body, null, 2)}</pre>
              {row.entry.response && (
                <>
                  <p>Response body</p>
                  <pre>{row.entry.response.body || '(empty)'}</pre>
                </>
              )}
              {row.entry.explanation && <p>Why: {row.entry.explanation}</p>}
            </details>
          </li>
        ),
      )}
    </ol>
  );
}
