// Hostile inputs shared by the property tests: any JSON, wrong types, huge and empty values, Unicode edge cases
// (lone surrogates, NUL, RTL marks, emoji sequences), malformed JSON text and content types.
import fc from 'fast-check';

/** Strings that break naive code: empty, whitespace, NUL, lone surrogates, BOM, RTL, combining marks, long runs. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    '\ufeff',
    '\u202e+1919',
    '👩‍👩‍👧‍👦',
    'e\u0301',
    '%',
    '%ZZ',
    '../..',
    '..\\..',
    '__proto__',
    'constructor',
    'null',
    'NaN',
    '+',
    '+0',
    '+19195550100\n',
  ),
  fc.nat({ max: 5000 }).map((n) => 'x'.repeat(n)),
  fc.nat({ max: 300 }).map((n) => '€'.repeat(n)),
);

/** Any JSON value, with nasty strings for keys and leaves, big arrays and deep nesting. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      nastyString,
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 30 }),
      fc.dictionary(nastyString, tie('value'), { maxKeys: 6 }),
    ),
  })).value,
  fc.constantFrom(null, 0, -1, 1e308, '', [], {}, [[[]]], { __proto__: null }, Array(50).fill('+19195550100')),
);

/** A valid object with one field replaced by (or added as) an arbitrary value. */
export function mutated(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.oneof(fc.constantFrom(...Object.keys(valid)), nastyString), anyJson, fc.boolean()).map(([key, value, drop]) => {
    const copy: Record<string, unknown> = { ...valid };
    if (drop) delete copy[key];
    else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  });
}

/** JSON text that does not parse: a valid document cut short, garbage, or JSON with trailing junk. */
export const brokenJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat()).map(([value, cut]) => {
    const text = JSON.stringify(value) ?? '';
    return text.slice(0, text.length > 1 ? cut % text.length : 0);
  }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', ' ', '{', '[', '{"a":', 'nul', '{"to":["+1"]', '\u0000', '{}}', '[]]', '{"a":1}garbage', '"\\ud800"', '\ufeff{}'),
);

/** Content types a client might send: the right one, wrong ones, malformed ones, charset tricks. */
export const contentType: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'APPLICATION/JSON',
    'text/plain',
    'text/html',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'multipart/form-data',
    'application/octet-stream',
    '*/*',
    'application/',
    '/',
    ';',
    'application/json;;;',
    'application/vnd.api+json',
    'image/png',
    'audio/ogg; codecs=opus',
  ),
  // Only visible ASCII survives as a header value; anything else is refused by the HTTP client, not the emulator.
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 60 }),
);

/** A header value made of visible ASCII (what an HTTP client can put on the wire). */
export const headerValue: fc.Arbitrary<string> = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });

/** A query string: known parameter names and junk ones, with nasty values, repeated keys allowed. */
export function queryString(knownKeys: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...knownKeys), nastyString);
  const value = fc.oneof(nastyString, fc.integer().map(String), fc.constantFrom('true', 'false', '-1', '0', '1e9', '2021-03-14T01:59:26Z', 'asc', 'desc'));
  return fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => {
    const params = new URLSearchParams();
    for (const [k, v] of pairs) params.append(k.replace(/[\ud800-\udfff]/g, ''), v.replace(/[\ud800-\udfff]/g, ''));
    return params.toString();
  });
}

/** A path segment: nasty text, percent-encoded so it stays one segment (or raw, to try traversal). */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  nastyString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))),
  fc.constantFrom('..', '.', '%2e%2e', '%2F', '..%2F..%2Fetc%2Fpasswd', '%00', '%', '%E0%A4%A', 'a%2F..%2F..%2Fb'),
);
