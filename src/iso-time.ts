// Every callback carries two ISO 8601 times and every 202 one; `new Date(ms).toISOString()` was among the heaviest
// calls of the emulator's own code in the saturation profile. This is the same text from integer arithmetic
// (Howard Hinnant's days-to-civil algorithm), about three times faster, with Date's own method outside its range.

const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000; // 10000-01-01T00:00:00.000Z
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** `new Date(ms).toISOString()`, computed without a Date for times from 1970 to 9999. */
export function isoTime(ms: number): string {
  // Before 1970, from 10000 on, NaN and Infinity: Date's own text (or its RangeError).
  if (!(ms >= 0 && ms < MAX_FOUR_DIGIT_YEAR_MS)) return new Date(ms).toISOString();
  const t = Math.trunc(ms); // as Date does with a fractional millisecond
  const days = Math.floor(t / 86_400_000);
  let rem = t - days * 86_400_000;
  const hour = Math.floor(rem / 3_600_000);
  rem -= hour * 3_600_000;
  const minute = Math.floor(rem / 60_000);
  rem -= minute * 60_000;
  const second = Math.floor(rem / 1000);
  const milli = rem - second * 1000;
  // Days since 1970-01-01 to year, month, day in the proleptic Gregorian calendar, eras of 400 years from 0000-03-01.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153); // 0 = March
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${pad3(milli)}Z`;
}
