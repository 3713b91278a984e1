/** What stands in for the `user:password` of a URL wherever one is shown (banner, logs, journal, inbox, errors). */
const REDACTED_USERINFO = '[redacted]';

// scheme://userinfo@ : the userinfo is everything between '//' and an '@' before the first '/', '?' or '#'.
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/** `text` with the credentials of every URL in it (`http://user:pass@host`) replaced by [redacted]. */
export function redactUrlCredentials(text: string): string {
  // Most texts hold no '@' at all: no regex runs for them (this is on the path of every journaled attempt).
  return text.includes('@') ? text.replace(USERINFO, `$1${REDACTED_USERINFO}@`) : text;
}

/** A URL split into the URL without its userinfo and the credentials it carried (percent-decoded). */
export interface SplitUrl {
  url: string;
  credentials?: { username: string; password: string };
}

/**
 * Take the `user:password@` out of a URL. undici, which sends callbacks, drops userinfo without a word (fetch refuses
 * such a URL), so credentials written there would never reach the receiver; the emulator sends them as Basic instead.
 * A URL without userinfo comes back as it was written.
 */
export function splitUrlCredentials(url: string): SplitUrl {
  if (!url.includes('@') || !URL.canParse(url)) return { url };
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url };
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  const credentials = { username: decode(parsed.username), password: decode(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, credentials };
}
