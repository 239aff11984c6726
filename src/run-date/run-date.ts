import { UserError } from '../errors.js';

/**
 * The run date ("logical date" in Airflow terms): one calendar day, UTC.
 * Templates see the same names Airflow gives them, so SQL written for
 * Airflow renders unchanged: ds, ds_nodash, ts, prev_ds, next_ds, macros.ds_add …
 */
export interface RunDate {
  ds: string;
}

const DS = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD, rejecting impossible dates (2024-02-30). */
export function parseDs(text: string, what = '--ds'): RunDate {
  const m = DS.exec(text.trim());
  if (m) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])) return { ds: text.trim() };
  }
  throw new UserError(`${what} must be a calendar date like 2024-01-03, got '${text}'`);
}

export function todayUtc(): RunDate {
  return { ds: new Date().toISOString().slice(0, 10) };
}

function toDate(ds: string): Date {
  const [y, m, d] = ds.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

function fromDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(ds: string, n: number): string {
  const d = toDate(ds);
  d.setUTCDate(d.getUTCDate() + n);
  return fromDate(d);
}

/** Every day from start to end, inclusive, in order. */
export function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) out.push(d);
  return out;
}

const STRFTIME = /%([YmdHMSjyBbAafz%])/g;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Python strftime for the directives that make sense on a date. */
export function strftime(d: Date, fmt: string): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return fmt.replace(STRFTIME, (_, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'y':
        return pad(d.getUTCFullYear() % 100);
      case 'm':
        return pad(d.getUTCMonth() + 1);
      case 'd':
        return pad(d.getUTCDate());
      case 'H':
        return pad(d.getUTCHours());
      case 'M':
        return pad(d.getUTCMinutes());
      case 'S':
        return pad(d.getUTCSeconds());
      case 'f':
        return String(d.getUTCMilliseconds() * 1000).padStart(6, '0');
      case 'z':
        return '+0000';
      case 'j': {
        const start = Date.UTC(d.getUTCFullYear(), 0, 1);
        return pad(Math.floor((d.getTime() - start) / 86400000) + 1, 3);
      }
      case 'B':
        return MONTHS[d.getUTCMonth()];
      case 'b':
        return MONTHS[d.getUTCMonth()].slice(0, 3);
      case 'A':
        return DAYS[d.getUTCDay()];
      case 'a':
        return DAYS[d.getUTCDay()].slice(0, 3);
      default:
        return '%';
    }
  });
}

/** Python strptime for %Y %m %d (and literal text): enough for dates. */
export function strptime(text: string, fmt: string): Date {
  let re = '';
  const fields: string[] = [];
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] === '%' && i + 1 < fmt.length) {
      const c = fmt[++i];
      if (c === 'Y') re += '(\\d{4})';
      else if (c === 'm' || c === 'd' || c === 'H' || c === 'M' || c === 'S') re += '(\\d{1,2})';
      else if (c === 'y') re += '(\\d{2})';
      else if (c === '%') {
        re += '%';
        continue;
      } else throw new UserError(`ds_format: directive %${c} is not supported when parsing`);
      fields.push(c);
    } else {
      re += fmt[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const m = new RegExp(`^${re}$`).exec(text);
  if (!m) throw new UserError(`ds_format: '${text}' does not match the format '${fmt}'`);
  const v: Record<string, number> = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0 };
  fields.forEach((f, i) => (v[f === 'y' ? 'Y' : f] = f === 'y' ? 2000 + Number(m[i + 1]) : Number(m[i + 1])));
  return new Date(Date.UTC(v.Y, v.m - 1, v.d, v.H, v.M, v.S));
}

/** The template names a run date provides (Airflow's). */
export function runDateContext(runDate: RunDate): Record<string, unknown> {
  const ds = runDate.ds;
  const nodash = ds.replace(/-/g, '');
  return {
    ds,
    ds_nodash: nodash,
    ts: `${ds}T00:00:00+00:00`,
    ts_nodash: `${nodash}T000000`,
    prev_ds: addDays(ds, -1),
    next_ds: addDays(ds, 1),
    prev_ds_nodash: addDays(ds, -1).replace(/-/g, ''),
    next_ds_nodash: addDays(ds, 1).replace(/-/g, ''),
    yesterday_ds: addDays(ds, -1),
    tomorrow_ds: addDays(ds, 1),
    macros: {
      ds_add: (d: string, n: number) => addDays(parseDs(String(d), 'macros.ds_add').ds, Number(n)),
      ds_format: (d: string, input: string, output: string) => strftime(strptime(String(d), String(input)), String(output)),
    },
  };
}
