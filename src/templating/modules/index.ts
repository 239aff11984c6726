/**
 * dbt's `modules` context object: `modules.re` (Python's re), `modules.datetime` (the
 * `datetime` and `date` constructors, `datetime.now()`, `datetime.utcnow()`,
 * `datetime.fromisoformat()`, `date.today()`) and `modules.itertools` (python-itertools.ts).
 * Packages use them for names and log lines (`modules.re.sub(...)` in dbt_utils' slugify,
 * `modules.datetime.datetime.now().strftime(...)`). What dbt also offers there (`pytz`,
 * `timedelta` arithmetic) is not available: using it is an error naming the file and line.
 */
import { dateObject, datetimeObject } from '../context-helpers.js';
import { bindArgs } from '../jinja/python-args.js';
import { pyError } from '../jinja/python-values.js';
import { pythonRe } from './python-re.js';
import { pythonItertools } from './python-itertools.js';

/** `d` shifted so that its UTC fields read the machine's local time (Python's naive `now()`). */
function localFields(d: Date): Date {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
}

function pythonDatetime(): Record<string, unknown> {
  const datetime = (...raw: unknown[]) => {
    const a = bindArgs('datetime', raw, ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond'], { hour: 0, minute: 0, second: 0, microsecond: 0 });
    const n = (k: string) => Number(a[k]);
    return datetimeObject(new Date(Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'), Math.floor(n('microsecond') / 1000))), { naive: true });
  };
  Object.assign(datetime, {
    now: (tz?: unknown) => {
      if (tz !== undefined && tz !== null) throw pyError('TypeError', 'datetime.now(tz) is not supported in templates (modules.pytz is not available): use datetime.utcnow()');
      return datetimeObject(localFields(new Date()), { naive: true });
    },
    utcnow: () => datetimeObject(new Date(), { naive: true }),
    fromisoformat: (s: unknown) => {
      const text = String(s);
      const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?([+-]\d{2}:\d{2}|Z)?$/.exec(text);
      if (!m) throw pyError('ValueError', `Invalid isoformat string: '${text}'`);
      const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0', tz] = m;
      const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, Math.floor(Number(frac.padEnd(6, '0')) / 1000));
      if (!tz) return datetimeObject(new Date(utc), { naive: true });
      const sign = tz === 'Z' ? 0 : tz[0] === '-' ? -1 : 1;
      const offsetMin = tz === 'Z' ? 0 : sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
      return datetimeObject(new Date(utc - offsetMin * 60_000));
    },
  });
  const date = (...raw: unknown[]) => {
    const a = bindArgs('date', raw, ['year', 'month', 'day']);
    return dateObject(new Date(Date.UTC(Number(a.year), Number(a.month) - 1, Number(a.day))));
  };
  Object.assign(date, { today: () => dateObject(localFields(new Date())) });
  return { datetime, date };
}

/** The `modules` global. */
export function templateModules(): Record<string, unknown> {
  return { re: pythonRe(), datetime: pythonDatetime(), itertools: pythonItertools() };
}
