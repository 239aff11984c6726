import { strftime } from '../run-date/run-date.js';

/** nunjucks passes keyword arguments as a trailing object marked `__keywords`. */
export function splitArgs(args: unknown[]): { positional: unknown[]; kwargs: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (last && typeof last === 'object' && (last as Record<string, unknown>).__keywords) {
    const kwargs = { ...(last as Record<string, unknown>) };
    delete kwargs.__keywords;
    return { positional: args.slice(0, -1), kwargs };
  }
  return { positional: args, kwargs: {} };
}

/** `fn(` as a regex, by name (compiled once: it is asked for every model). */
const callPatterns = new Map<string, RegExp>();

/** 1-based line of the first `fn(` call whose first string argument is `arg`, or of `fn(` at all. */
export function lineOfCall(raw: string, fn: string, arg?: string): number | undefined {
  const escaped = arg?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let call = callPatterns.get(fn);
  if (!call) callPatterns.set(fn, (call = new RegExp(`\\b${fn}\\s*\\(`)));
  const patterns = escaped ? [new RegExp(`\\b${fn}\\s*\\([^)]*['"]${escaped}['"]`), call] : [call];
  for (const re of patterns) {
    const m = re.exec(raw);
    if (m) return lineAt(raw, m.index);
  }
  return undefined;
}

/** 1-based line of offset `at`. */
function lineAt(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * A datetime-like object for `run_started_at`, `model.batch` and `modules.datetime`
 * (strftime, isoformat, str(), date()). As Python prints a UTC datetime: 2024-01-01
 * 00:00:00+00:00, microseconds only when there are some; a naive one (`datetime.now()`)
 * without the offset.
 */
export function datetimeObject(d: Date, opts: { naive?: boolean } = {}): Record<string, unknown> {
  const ms = d.getUTCMilliseconds();
  const iso = d.toISOString().replace(/\.\d{3}Z$/, ms ? `.${String(ms * 1000).padStart(6, '0')}Z` : 'Z');
  const offset = opts.naive ? '' : '+00:00';
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    microsecond: ms * 1000,
    strftime: (fmt: string) => strftime(d, opts.naive ? String(fmt).replace(/%z/g, '') : fmt),
    isoformat: () => iso.replace('Z', offset),
    timestamp: () => d.getTime() / 1000,
    date: () => dateObject(d),
    weekday: () => (d.getUTCDay() + 6) % 7,
    isoweekday: () => ((d.getUTCDay() + 6) % 7) + 1,
    toString: () => iso.replace('T', ' ').replace('Z', offset),
  };
}

/** A Python `date` (from the UTC fields of `d`). */
export function dateObject(d: Date): Record<string, unknown> {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const iso = day.toISOString().slice(0, 10);
  return {
    year: day.getUTCFullYear(),
    month: day.getUTCMonth() + 1,
    day: day.getUTCDate(),
    strftime: (fmt: string) => strftime(day, fmt),
    isoformat: () => iso,
    weekday: () => (day.getUTCDay() + 6) % 7,
    isoweekday: () => ((day.getUTCDay() + 6) % 7) + 1,
    toString: () => iso,
  };
}
