import type { Logger } from 'pino';
import type { DeliveryBooks } from '../callbacks/dispatcher.js';
import type { Clock } from '../clock.js';
import type { Channel, LocationResponse, SuggestionResponse } from '../store/messages.js';

/** A create-message request that passed validation. */
export interface MessageRequest {
  applicationId: string;
  to: string[];
  from: string;
  text?: string;
  media?: string[];
  tag?: string;
  priority?: 'default' | 'high';
  expiration?: string;
}

/** An attachment a handset sends: stored by the emulator and linked from message-received. */
export interface InboundAttachment {
  filename: string;
  contentType: string;
  /** The bytes, base64-encoded (JSON-friendly for the control API). */
  contentBase64: string;
}

/** A handset sending to one or more of our numbers. */
export interface InboundRequest {
  from: string;
  to: string[];
  text?: string;
  /** URLs passed through as they are, or attachments the emulator stores and serves. */
  media?: Array<string | InboundAttachment>;
  /** Limit routing to this account; otherwise each number's owning account receives it. */
  accountId?: string;
  /** The channel it arrives on (multichannel); an RBM response implies RBM. */
  channel?: Channel;
  /** An RBM suggestion-response instead of a text message. */
  suggestionResponse?: SuggestionResponse;
  /** An RBM requested-location-response instead of a text message. */
  locationResponse?: LocationResponse;
}

/** Thrown when an inbound message names none of the emulator's numbers. */
export class NoOwnedRecipientError extends Error {
  constructor(readonly to: readonly string[]) {
    super(`none of ${to.join(', ')} is a number of a configured account; send to one of the numbers in the config (accounts[].numbers)`);
    this.name = 'NoOwnedRecipientError';
  }
}

/** What close() found still pending: reported, never silently dropped. */
export interface CloseReport {
  stepsNotFired: number;
  callbacks: DeliveryBooks;
  /** External media fetches (--fetch-external-media) still running, aborted: their messages get no outcome. */
  mediaFetchesAborted: number;
}

/** What drain() saw: whether everything pending finished within the grace period, and what was left. */
export interface DrainReport {
  drained: boolean;
  waitedMs: number;
  pendingSteps: number;
  pendingCallbacks: number;
}

/** Options for an emulator beyond its config: a clock and a logger can be injected, and the listen URL passed in. */
export interface EmulatorOptions {
  clock?: Clock;
  logger?: Logger;
  /** The URL the emulator is reached at once it listens (links it hands out); `config.publicUrl` wins over it. */
  listenUrl?: () => string | undefined;
}

/** Durable storage attached above the core (the data dir): the core only tells it what must be on file. */
export interface DurableStorage {
  /** Where it keeps the state, for messages and health. */
  readonly file: string;
}

/**
 * Durable storage could not write what an answer depends on (disk full, file removed): what was being accepted is
 * withdrawn (nothing is sent for it) and the request is refused with a 503; the state is as it was before.
 */
export class StorageWriteError extends Error {
  constructor(
    /** The file that could not be written. */
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(
      `could not write ${file} (${(cause as { code?: string }).code ?? (cause as Error).message}); nothing was kept or sent for this request: free disk space or fix the data dir, then send it again`,
    );
    this.name = 'StorageWriteError';
  }
}
