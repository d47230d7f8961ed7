/**
 * Recognises the date forms we accept in data and normalises them to ISO-8601.
 * Hand-written rather than Date.parse, which accepts almost anything ("1" is 2001 in V8)
 * and reads zone-less times in the server's local zone.
 */

const ISO = /^(\d{4})([-/])(\d{2})\2(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const MONTH_DAY_YEAR = /^([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/i;
const DAY_MONTH_YEAR = /^(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})$/i;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/**
 * The ISO-8601 form of a date string, or undefined when it is not a date we recognise:
 * YYYY-MM-DD (or YYYY/MM/DD) with an optional time and zone, "Jun 12 1998", "June 12, 1998", "12 Jun 1998".
 * Date-only values become YYYY-MM-DD; values with a time become UTC (YYYY-MM-DDTHH:mm:ss.sssZ),
 * a time without a zone being read as UTC so the result does not depend on the server.
 */
export function normaliseDate(text: string): string | undefined {
  const s = text.trim();
  const iso = ISO.exec(s);
  if (iso) return fromIsoParts(iso);
  const mdy = MONTH_DAY_YEAR.exec(s);
  if (mdy) return dateOnly(Number(mdy[3]), monthNumber(mdy[1]), Number(mdy[2]));
  const dmy = DAY_MONTH_YEAR.exec(s);
  if (dmy) return dateOnly(Number(dmy[3]), monthNumber(dmy[2]), Number(dmy[1]));
  return undefined;
}

function fromIsoParts(m: RegExpExecArray): string | undefined {
  const [, y, , mo, d, hh, mm, ss, fraction, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (hh === undefined) return dateOnly(year, month, day);
  if (!isValidDay(year, month, day)) return undefined;
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = ss === undefined ? 0 : Number(ss);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const offsetMinutes = zone === undefined ? 0 : zoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return undefined;
  const t = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  t.setUTCFullYear(year, month - 1, day);
  t.setUTCHours(hours, minutes - offsetMinutes, seconds, ms);
  return t.toISOString();
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

function monthNumber(name: string): number {
  const lower = name.toLowerCase();
  const full = MONTH_NAMES.indexOf(lower);
  if (full >= 0) return full + 1;
  if (lower === 'sept') return 9;
  return MONTHS.indexOf(lower) + 1; // 0 for an unknown name, which isValidDay rejects
}

function dateOnly(year: number, month: number, day: number): string | undefined {
  if (!isValidDay(year, month, day)) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function isValidDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
