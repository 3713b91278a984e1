import { fetchExternalMedia } from '../media-fetch.js';
import type { Rejection } from '../scenarios/engine.js';
import type { MediaObject } from '../store/media.js';
import type { StoredMessage } from '../store/messages.js';
import type { CoreParts } from './parts.js';

const LOCAL_HOSTS = new Set(['messaging.bandwidth.com', 'localhost', '127.0.0.1', '[::1]']);

/** The media id a URL names in this account's media store, when the URL points at Bandwidth's or this emulator's media API. */
function ownMediaId(url: string, accountId: string, publicUrl?: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const ours = LOCAL_HOSTS.has(parsed.hostname) || (publicUrl !== undefined && parsed.host === new URL(publicUrl).host);
  if (!ours) return undefined;
  const match = /^(?:\/api\/v2)?\/users\/([^/]+)\/media\/(.+)$/.exec(parsed.pathname);
  // Broken percent-encoding (`%ZZ`) is kept as written rather than thrown: a create must never answer 500 for it.
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  if (!match || decode(match[1]!) !== accountId) return undefined;
  return match[2]!.split('/').map(decode).join('/');
}

// Whether a URL is on Bandwidth's media host or this emulator's own (public or listen) host: never fetched as external media.
function isOwnHost(url: string, baseUrl: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.hostname === 'messaging.bandwidth.com' || parsed.host === new URL(baseUrl).host;
  } catch {
    return false;
  }
}

/**
 * Media URLs that point at this emulator's media API must exist; Bandwidth fails such an MMS with 4410 after
 * message-sending. External URLs are not fetched here: the emulator works offline.
 */
export function missingMedia(parts: CoreParts, accountId: string, media: readonly string[] | undefined): Rejection | undefined {
  for (const url of media ?? []) {
    const mediaId = ownMediaId(url, accountId, parts.config.publicUrl);
    if (mediaId !== undefined && !parts.media.get(accountId, mediaId)) {
      return { errorCode: 4410, afterSending: true, why: `media ${url} does not exist in account ${accountId}'s media: message-failed 4410` };
    }
  }
  return undefined;
}

/** The media id a URL names on this emulator's media API (public or listen host) in this account, stored or not. */
export function ownMediaIdOf(parts: CoreParts, accountId: string, url: string): string | undefined {
  return ownMediaId(url, accountId, parts.config.publicUrl) ?? ownMediaId(url, accountId, parts.baseUrl());
}

/** The stored object a media URL names on this emulator's media API in this account, if it exists (on-net copies). */
export function ownMediaObject(parts: CoreParts, accountId: string, url: string): MediaObject | undefined {
  const mediaId = ownMediaId(url, accountId, parts.config.publicUrl);
  return mediaId === undefined ? undefined : parts.media.get(accountId, mediaId);
}

/** The sizes in bytes of the media that are on this emulator's media API (the only sizes known before sending). */
export function knownMediaSizes(parts: CoreParts, accountId: string, media: readonly string[] | undefined): Array<{ url: string; bytes: number }> {
  const sizes: Array<{ url: string; bytes: number }> = [];
  for (const url of media ?? []) {
    const mediaId = ownMediaId(url, accountId, parts.config.publicUrl);
    const object = mediaId === undefined ? undefined : parts.media.get(accountId, mediaId);
    if (object) sizes.push({ url, bytes: object.bytes.length });
  }
  return sizes;
}

/** Fetches of external MMS media (--fetch-external-media): checked before the message plays, aborted on close. */
export class ExternalMediaFetches {
  private readonly aborts = new AbortController();
  private inFlight = 0;

  constructor(private readonly parts: CoreParts) {}

  /** External media (not this emulator's, nor Bandwidth's media API) to fetch, when fetching is switched on. */
  externalOf(accountId: string, media: readonly string[] | undefined): string[] {
    if (!this.parts.config.media.fetchExternal) return [];
    const base = this.parts.baseUrl();
    return (media ?? []).filter((url) => ownMediaId(url, accountId, this.parts.config.publicUrl) === undefined && !isOwnHost(url, base));
  }

  /**
   * Fetch each list of URLs (one per channel), then continue with what failed. Nothing is played when the emulator
   * closed or the account was reset meanwhile; a fetch in flight is aborted by abortAll().
   */
  async fetchThen(
    message: StoredMessage,
    lists: ReadonlyArray<readonly string[]>,
    then: (failures: Array<Rejection | undefined>) => void,
    /** Per list, a smaller limit in bytes for all its files together (a toll-free route's 525 KB). */
    maxBytes?: ReadonlyArray<number | undefined>,
  ): Promise<void> {
    // Its outcome is pending while the media is fetched: the message is not evicted meanwhile.
    this.parts.store.pin(message.id);
    try {
      await this.fetchAndContinue(message, lists, then, maxBytes);
    } finally {
      this.parts.store.unpin(message.id);
    }
  }

  private async fetchAndContinue(
    message: StoredMessage,
    lists: ReadonlyArray<readonly string[]>,
    then: (failures: Array<Rejection | undefined>) => void,
    maxBytes: ReadonlyArray<number | undefined> = [],
  ): Promise<void> {
    const { store, clock, config, log } = this.parts;
    store.note(message, { at: clock.now(), what: 'fetching-media', detail: { urls: lists.flat() } });
    const options = { maxBytes: config.media.maxObjectBytes, timeoutMs: config.media.fetchTimeoutMs, signal: this.aborts.signal };
    let failures: Array<Rejection | undefined>;
    this.inFlight++;
    try {
      failures = await Promise.all(
        lists.map(async (urls, i) => {
          const limit = Math.min(options.maxBytes, maxBytes[i] ?? options.maxBytes);
          const failure = urls.length > 0 ? await fetchExternalMedia(urls, { ...options, maxBytes: limit }) : undefined;
          return failure && { ...failure, afterSending: true };
        }),
      );
    } catch (error) {
      if (this.aborts.signal.aborted) return;
      // Not a media problem but ours: the message still gets an outcome (4410) rather than none at all.
      log.error({ err: error, messageId: message.id }, 'external media fetch failed unexpectedly');
      failures = lists.map((urls) =>
        urls.length > 0
          ? { errorCode: 4410, afterSending: true, why: `media could not be fetched (${(error as Error).message}): message-failed 4410` }
          : undefined,
      );
    } finally {
      this.inFlight--;
    }
    if (this.aborts.signal.aborted || store.get(message.accountId, message.id) !== message) {
      log.info({ messageId: message.id }, 'media fetched after the message was reset or withdrawn: nothing more happens to it');
      return;
    }
    store.note(message, { at: clock.now(), what: 'fetched-media', detail: { failures: failures.filter(Boolean) } });
    then(failures);
  }

  /** Fetches still running. */
  get running(): number {
    return this.inFlight;
  }

  /** Abort every fetch in flight (close); returns how many were running. */
  abortAll(): number {
    const running = this.inFlight;
    this.aborts.abort();
    return running;
  }
}
