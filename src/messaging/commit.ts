import type { MediaObject } from '../store/media.js';
import type { StoredMessage } from '../store/messages.js';
import type { CoreParts } from './parts.js';

/** What one request accepted: the messages it stored (and planned), and media objects it stored with them. */
export interface Accepted {
  messages: readonly StoredMessage[];
  media?: ReadonlyArray<{ accountId: string; mediaId: string }>;
  /** What else it changed, each taken back when the commit fails (the toll-free network's opt-out and auto-reply). */
  undo?: ReadonlyArray<() => void>;
}

/**
 * Make what a request just accepted durable before it is answered (the `committed` hook: the data dir commits).
 * When that fails (StorageWriteError: disk full, file gone) everything the request accepted is taken back before the
 * error goes on to become a 503: its planned steps and replies are cancelled and its messages and media removed, so
 * nothing is ever sent for a request that was refused. (No callback goes out synchronously while a request is
 * served: every step waits for the clock, so cancelling them here is in time.)
 */
export function commitOrWithdraw(parts: CoreParts, accepted: Accepted): void {
  try {
    parts.hooks.emit('committed');
  } catch (error) {
    for (const message of accepted.messages) {
      parts.timeline.cancelMessage(message.accountId, message.id);
      parts.queue.withdraw(message);
      parts.store.withdraw(message);
    }
    for (const { accountId, mediaId } of accepted.media ?? []) parts.media.withdraw(accountId, mediaId);
    for (const undo of accepted.undo ?? []) undo();
    throw error;
  }
}

/**
 * Store an uploaded media object, durable before the 204: when the commit fails the upload is taken back and the
 * object it replaced (same id) is put back, so the store is as it was and the error becomes a 503.
 */
export function uploadMedia(parts: CoreParts, object: Omit<MediaObject, 'createdAt'>): MediaObject {
  const previous = parts.media.peek(object.accountId, object.mediaId);
  const stored = parts.media.put(object);
  try {
    parts.hooks.emit('committed');
  } catch (error) {
    parts.media.withdraw(object.accountId, object.mediaId, previous);
    throw error;
  }
  return stored;
}
