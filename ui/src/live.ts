// The page's one event stream, shared by every view: each view subscribes to what it shows.
import type { StreamEvent } from './api.js';

/** A view's interest in the stream: each event, and `reconnected` after a drop (reload what may have been missed). */
export interface LiveListener {
  event?(event: StreamEvent): void;
  reconnected?(): void;
}

/** Subscribe to the page's event stream; returns the unsubscribe function. */
export type Subscribe = (listener: LiveListener) => () => void;

/** A fan-out of the stream to the listeners of the views mounted now. */
export class LiveHub {
  private readonly listeners = new Set<LiveListener>();

  /** The Subscribe function views receive. */
  readonly subscribe: Subscribe = (listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Hand one event to every listener. */
  emit(event: StreamEvent): void {
    for (const l of this.listeners) l.event?.(event);
  }

  /** Tell every listener the stream came back after a drop. */
  reconnected(): void {
    for (const l of this.listeners) l.reconnected?.();
  }
}
