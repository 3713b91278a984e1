// One media item of a message, shown from the emulator's own copy: Bandwidth's media URLs want Basic credentials a
// browser tab does not have, so the bytes come through the control API (with its token) as a blob: URL.
import { useEffect, useState } from 'preact/hooks';
import { mediaKind, type MediaKind } from '../../src/inline-media.js';
import { controlBlob } from './api.js';
import { isLinkable, mediaName } from './model.js';

type State = { kind: 'loading' } | { kind: 'shown'; show: MediaKind; src: string } | { kind: 'missing'; why: string };

/** A message's media item: an image inline, an audio or video player, a download link, or the URL with a note. */
export function MediaPreview({ messageId, index, url }: { messageId: string; index: number; url: string }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const name = mediaName(url);
  useEffect(() => {
    const abort = new AbortController();
    let src: string | undefined;
    controlBlob(`/messages/${encodeURIComponent(messageId)}/media/${index}`, abort.signal).then(
      (answer) => {
        if (abort.signal.aborted) return;
        if ('missing' in answer) return setState({ kind: 'missing', why: answer.missing });
        const show = mediaKind(answer.contentType);
        // A download is handed over as plain bytes: a blob: URL of an SVG or HTML file opened directly would render.
        const blob = show === 'download' ? new Blob([answer.blob], { type: 'application/octet-stream' }) : answer.blob;
        src = URL.createObjectURL(blob);
        setState({ kind: 'shown', show, src });
      },
      (error: Error) => {
        if (!abort.signal.aborted) setState({ kind: 'missing', why: error.message });
      },
    );
    // The blob stays in memory until revoked: when the message leaves the page, so does its media.
    return () => {
      abort.abort();
      if (src) URL.revokeObjectURL(src);
    };
  }, [messageId, index]);

  return (
    <div class="media" data-media-index={index}>
      <Paperclip />
      {state.kind === 'loading' && <span class="media-loading">{name}</span>}
      {state.kind === 'shown' && state.show === 'image' && <img src={state.src} alt={name} class="media-image" />}
      {state.kind === 'shown' && state.show === 'audio' && (
        // biome-ignore lint/a11y/useMediaCaption: a handset's voice note comes without captions.
        <audio controls src={state.src} aria-label={name} />
      )}
      {state.kind === 'shown' && state.show === 'video' && (
        // biome-ignore lint/a11y/useMediaCaption: a handset's video comes without captions.
        <video controls src={state.src} aria-label={name} class="media-video" />
      )}
      {state.kind === 'shown' && state.show === 'download' && (
        <a href={state.src} download={name}>
          Download {name}
        </a>
      )}
      {state.kind === 'missing' && <Unheld url={url} name={name} why={state.why} />}
    </div>
  );
}

// Media the emulator does not hold: an http(s) URL stays a link to open elsewhere, anything else is shown as text.
function Unheld({ url, name, why }: { url: string; name: string; why: string }) {
  return (
    <>
      {isLinkable(url) ? (
        <a href={url} target="_blank" rel="noreferrer noopener">
          {name}
        </a>
      ) : (
        <span class="unlinked" title="not an http(s) URL">
          {url}
        </span>
      )}
      {/* The route's reason names the message; for the common case, an external link, a short note says enough. */}
      <span class="media-note" title={why}>
        {' '}
        ({/external URL/.test(why) ? 'external URL: the emulator does not hold it' : why})
      </span>
    </>
  );
}

// A paperclip drawn by the style sheet (a CSS mask of a data: SVG): no emoji font needed, no markup in the thread.
function Paperclip() {
  return <span class="media-icon" aria-hidden="true" />;
}
