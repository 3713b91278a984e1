import { createHash } from 'node:crypto';
import type { Rejection } from '../scenarios/engine.js';
import type { CoreParts } from './parts.js';

// Bandwidth screens content before the downstream carrier ("Bandwidth uses the same network protection technology as
// the mobile telco operators. This allows us to screen messages before they're sent to the downstream carrier",
// https://dev.bandwidth.com/docs/messaging/rateLimits/). The two filters with codes of their own (errors page,
// https://dev.bandwidth.com/docs/messaging/errors): 4771 rejected-shortened-url and 4785 volumetric-violation, both
// carrier-reported client errors, billable. On only with the traffic part `contentFilter` (README "Content filtering").

/**
 * Public URL shortener domains. Bandwidth names bit.ly ("Do not use bit.ly links. Private/custom URLs are more widely
 * accepted within the industry", https://www.bandwidth.com/support/en/articles/12822930-messaging-test-plan) and
 * public shorteners in general ("a branded short URL",
 * https://www.bandwidth.com/blog/sending-text-messages-with-shortened-urls-might-not-get-deliveredheres-why/); the
 * rest are the well-known public shorteners that carrier filter lists name (third-party lists, not Bandwidth's).
 */
export const SHORTENER_DOMAINS: readonly string[] = [
  'bit.ly',
  'bitly.com',
  'tinyurl.com',
  'goo.gl',
  'ow.ly',
  't.co',
  'is.gd',
  'cutt.ly',
  'rb.gy',
  'tiny.cc',
  't.ly',
  'bit.do',
  'rebrand.ly',
];

// A link on a shortener domain (SHORTENER_DOMAINS, written out twice; a unit test checks every one): with a scheme
// (`https://bit.ly`, `http://www.bit.ly/x`), or without one but with a path (`bit.ly/x`), so the bare name in a
// sentence ("I use t.co") is not a link. The domain must end there (`bit.lyrics.com` is not bit.ly), and must not be
// the tail of a longer name (`habit.ly/x`) or an address (`a@t.co`). No nested quantifiers: linear in the text.
const SHORT_LINK =
  /\bhttps?:\/\/(?:www\.)?(bit\.ly|bitly\.com|tinyurl\.com|goo\.gl|ow\.ly|t\.co|is\.gd|cutt\.ly|rb\.gy|tiny\.cc|t\.ly|bit\.do|rebrand\.ly)(?![\w-]|\.[\w-])|(?<![\w.@/-])(?:www\.)?(bit\.ly|bitly\.com|tinyurl\.com|goo\.gl|ow\.ly|t\.co|is\.gd|cutt\.ly|rb\.gy|tiny\.cc|t\.ly|bit\.do|rebrand\.ly)\//i;

/** The shortener domain a text links to (lower case), if any. */
export function shortenedLink(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const match = SHORT_LINK.exec(text);
  return match ? (match[1] ?? match[2])!.toLowerCase() : undefined;
}

/** What a message carries that the filters read: its text, media and recipients. */
export interface ScreenedContent {
  text?: string;
  media?: readonly string[];
  to?: readonly string[];
}

/**
 * Bandwidth's content filters, when the account's traffic settings switch them on: a link on a public shortener
 * (4771), then the same content at volume (4785, counted only for messages the shortener filter let through). The
 * whole message fails, every recipient, after the 202.
 */
export function contentRejection(parts: CoreParts, accountId: string, content: ScreenedContent): Rejection | undefined {
  const settings = parts.traffic.for(accountId);
  if (!settings.contentFilter) return undefined;
  const domain = shortenedLink(content.text);
  if (domain)
    return {
      errorCode: 4771,
      why: `the text links to ${domain}, a public URL shortener (content filter): carriers reject public shortened URLs; use a domain of your own: message-failed 4771`,
    };
  const text = content.text ?? '';
  const media = content.media ?? [];
  if (!text && media.length === 0) return undefined;
  // A digest keeps the counters small whatever the text's length.
  const digest = createHash('sha256').update(text).update('\u0000').update(media.join('\n')).digest('base64');
  // The limit is the traffic settings' `contentVolume` (src/config/traffic.ts: 100 a minute unless configured). A
  // group message counts once per recipient, as Bandwidth counts group MMS toward its rates
  // (https://dev.bandwidth.com/messaging/ratelimits.html).
  const { messages, windowMs } = settings.contentVolume;
  const counted = parts.contentVolume.take(`${accountId.length}:${accountId}${digest}`, [accountId], windowMs, messages, content.to?.length || 1);
  if (!counted.over) return undefined;
  return {
    errorCode: 4785,
    why: `${counted.count} messages with this same content from account ${accountId} within ${windowMs / 1000} s, over the content filter's limit of ${messages}: back off sending: message-failed 4785`,
  };
}
