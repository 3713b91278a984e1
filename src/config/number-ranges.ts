import { Type } from 'typebox';

// What a number's digits say beyond its type (src/config/numbers.ts): its country, as the search API's
// callingNumberCountryA3 / calledNumberCountryA3 report it (the spec's listMessageItem: "The A3 country code of the
// calling number", example 'USA'), and the carrier serving it, as the search API's carrierName (example 'other') and,
// with the account feature, the callbacks' carrierName report it. Carriers here are fictional and configurable.

/** A range of numbers served by one (fictional) carrier: every E.164 number starting with `prefix`. */
export interface CarrierRange {
  prefix: string;
  name: string;
}

/** The carriers when the config names none: NANP numbers on one made-up carrier, every other number on another. */
export const DEFAULT_CARRIERS: readonly CarrierRange[] = [
  { prefix: '+1', name: 'Emulated Wireless' },
  { prefix: '+', name: 'Emulated Global' },
];

/** The most carrier ranges a config may list. */
const MAX_CARRIER_RANGES = 1000;

/** The config's `carriers` list: ranges by prefix, the longest matching prefix wins. */
export const CarriersSchema = Type.Array(
  Type.Object(
    {
      prefix: Type.String({
        pattern: '^\\+\\d{0,15}$',
        description: "'+' and up to 15 digits, such as '+1919' ('+' alone: every number)",
        title: 'The numbers of the range: every E.164 number starting with this prefix',
      }),
      name: Type.String({
        pattern: '^[^\\u0000-\\u001f\\u007f]{1,64}$',
        description: "1 to 64 printable characters, such as 'AT&T' or 'Emulated Wireless'",
        title: 'The carrier name search rows (and, with the account feature, callbacks) report for it',
      }),
    },
    { additionalProperties: false },
  ),
  {
    maxItems: MAX_CARRIER_RANGES,
    title: 'Fictional carriers by number range (longest prefix wins) for carrierName; a list here replaces the default, a number no range covers has none',
    default: DEFAULT_CARRIERS.map((range) => ({ ...range })),
  },
);

/** The carrier ranges sorted for lookup: longest prefix first, so the first match is the most specific. */
export function carrierTable(ranges: readonly CarrierRange[]): CarrierRange[] {
  return [...ranges].sort((a, b) => b.prefix.length - a.prefix.length);
}

/** The carrier of a number in a table from carrierTable(), or null when no range covers it (a short code, a sender id). */
export function carrierOf(table: readonly CarrierRange[], number: string): string | null {
  if (!number.startsWith('+')) return null;
  return table.find((range) => number.startsWith(range.prefix))?.name ?? null;
}

// E.164 country codes of one country each, as ISO 3166-1 alpha-3 (the spec's "A3"). +1 is the whole North American
// Numbering Plan: it is read as the USA (Canada and the Caribbean share it; an owned number can say `country: CAN`).
// Codes shared by several countries (+7, for one) are left out: such a number has no country here (null).
const COUNTRY_BY_CODE = new Map<string, string>(
  Object.entries({
    1: 'USA',
    20: 'EGY',
    27: 'ZAF',
    30: 'GRC',
    31: 'NLD',
    32: 'BEL',
    33: 'FRA',
    34: 'ESP',
    36: 'HUN',
    39: 'ITA',
    40: 'ROU',
    41: 'CHE',
    43: 'AUT',
    44: 'GBR',
    45: 'DNK',
    46: 'SWE',
    47: 'NOR',
    48: 'POL',
    49: 'DEU',
    52: 'MEX',
    54: 'ARG',
    55: 'BRA',
    56: 'CHL',
    57: 'COL',
    61: 'AUS',
    62: 'IDN',
    63: 'PHL',
    64: 'NZL',
    65: 'SGP',
    81: 'JPN',
    82: 'KOR',
    86: 'CHN',
    90: 'TUR',
    91: 'IND',
    351: 'PRT',
    353: 'IRL',
    358: 'FIN',
    972: 'ISR',
  }),
);

/** The ISO 3166-1 alpha-3 country of an E.164 number by its country code (+1: USA), or null when unknown or not E.164. */
export function countryA3Of(number: string): string | null {
  if (!/^\+\d/.test(number)) return null;
  // E.164 country codes are prefix-free: at most one of the 1-, 2- and 3-digit prefixes is a code.
  for (const length of [1, 2, 3]) {
    const country = COUNTRY_BY_CODE.get(number.slice(1, 1 + length));
    if (country) return country;
  }
  return null;
}
