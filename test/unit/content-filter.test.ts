import { describe, expect, it } from 'vitest';
import { SHORTENER_DOMAINS, shortenedLink } from '../../src/messaging/content-filter.js';

describe('shortenedLink: a link on a public URL shortener domain', () => {
  it.each(SHORTENER_DOMAINS)('%s with a scheme, or with a path', (domain) => {
    expect(shortenedLink(`see https://${domain}/abc`)).toBe(domain);
    expect(shortenedLink(`see ${domain.toUpperCase()}/abc`)).toBe(domain);
    expect(shortenedLink(`see http://www.${domain}`)).toBe(domain);
  });

  it.each([
    'I use t.co and bit.ly',
    'https://example.com/bit.ly/x',
    'habit.ly/x',
    'sub.bit.ly/x',
    'me@t.co/x',
    'https://bit.lyrics.com/x',
    'https://t.cov/x',
    '',
  ])('not a shortener link: %j', (text) => {
    expect(shortenedLink(text)).toBeUndefined();
  });

  it('a text at the API limit (2,048 characters) of near-misses is read in linear time', () => {
    const text = 'bit.l'.repeat(410);
    expect(shortenedLink(text)).toBeUndefined();
  });
});
