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

/** 1-based line of the first `fn(` call whose first string argument is `arg`, or of `fn(` at all. */
export function lineOfCall(raw: string, fn: string, arg?: string): number | undefined {
  const escaped = arg?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = escaped ? [new RegExp(`\\b${fn}\\s*\\([^)]*['"]${escaped}['"]`), new RegExp(`\\b${fn}\\s*\\(`)] : [new RegExp(`\\b${fn}\\s*\\(`)];
  for (const re of patterns) {
    const m = re.exec(raw);
    if (m) return raw.slice(0, m.index).split('\n').length;
  }
  return undefined;
}

/**
 * A datetime-like object for `run_started_at` and `model.batch` (strftime,
 * isoformat, str()). As Python prints a UTC datetime: 2024-01-01 00:00:00+00:00,
 * microseconds only when there are some.
 */
export function datetimeObject(d: Date): Record<string, unknown> {
  const ms = d.getUTCMilliseconds();
  const iso = d.toISOString().replace(/\.\d{3}Z$/, ms ? `.${String(ms * 1000).padStart(6, '0')}Z` : 'Z');
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    strftime: (fmt: string) => strftime(d, fmt),
    isoformat: () => iso.replace('Z', '+00:00'),
    timestamp: () => d.getTime() / 1000,
    toString: () => iso.replace('T', ' ').replace('Z', '+00:00'),
  };
}
