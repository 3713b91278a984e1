import { request } from 'undici';

/**
 * Content types an MMS may carry. Bandwidth publishes no definitive list; this follows its support article on MMS
 * file types (images, audio, video, plain text, vCard, calendar, PDF, SMIL).
 */
const MMS_MEDIA_TYPES = [/^image\//, /^audio\//, /^video\//, /^text\/(plain|vcard|x-vcard|calendar|directory)$/, /^application\/(pdf|smil)$/];

/** Whether a Content-Type header names a media type an MMS may carry. */
function isMmsMediaType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return MMS_MEDIA_TYPES.some((re) => re.test(type));
}

/** Why fetching a message's media fails it, as Bandwidth's code and a sentence naming the URL. */
export interface MediaFetchFailure {
  errorCode: 4410 | 4411 | 4412;
  why: string;
}

/** Limits for fetching one message's media. */
export interface MediaFetchOptions {
  /** Per file and for all files together (Bandwidth's MMS limit is per message). */
  maxBytes: number;
  timeoutMs: number;
  /** Aborted when the emulator closes. */
  signal: AbortSignal;
}

/**
 * Fetch a message's external media one after the other as Bandwidth's MMS gateway would, stopping at the first
 * problem: unreachable or non-2xx → 4410, too large (one file or all together) → 4411, a type an MMS cannot carry
 * → 4412. Bodies are read only up to the limit and always consumed or destroyed, so no socket is left behind.
 */
export async function fetchExternalMedia(urls: readonly string[], options: MediaFetchOptions): Promise<MediaFetchFailure | undefined> {
  let total = 0;
  for (const url of urls) {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, { method: 'GET', signal: options.signal, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
    } catch (error) {
      if (options.signal.aborted) throw error;
      return { errorCode: 4410, why: `media ${url} could not be fetched (${(error as Error).message}): message-failed 4410` };
    }
    // Destroying a body early makes undici emit an AbortError on it; that is our own doing, not a failure to report.
    res.body.on('error', () => undefined);
    if (res.statusCode < 200 || res.statusCode > 299) {
      await res.body.dump();
      return { errorCode: 4410, why: `media ${url} answered ${res.statusCode}: message-failed 4410` };
    }
    const contentType = res.headers['content-type'];
    const typeText = Array.isArray(contentType) ? contentType[0] : contentType;
    if (!isMmsMediaType(typeText)) {
      await res.body.dump();
      return { errorCode: 4412, why: `media ${url} is '${typeText ?? '(no content type)'}', not a type an MMS can carry: message-failed 4412` };
    }
    const declared = Number(res.headers['content-length']);
    const tooLarge = (bytes: number) => ({
      errorCode: 4411 as const,
      why: `media ${url} brings the message to ${bytes} bytes or more, over the ${options.maxBytes}-byte MMS limit: message-failed 4411`,
    });
    if (Number.isFinite(declared) && total + declared > options.maxBytes) {
      res.body.destroy();
      return tooLarge(total + declared);
    }
    try {
      for await (const chunk of res.body) {
        total += (chunk as Buffer).length;
        if (total > options.maxBytes) {
          res.body.destroy();
          return tooLarge(total);
        }
      }
    } catch (error) {
      if (options.signal.aborted) throw error;
      return { errorCode: 4410, why: `media ${url} could not be read (${(error as Error).message}): message-failed 4410` };
    }
  }
  return undefined;
}
