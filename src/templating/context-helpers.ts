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

/** A datetime-like object for `run_started_at` (strftime, isoformat, str()). */
export function datetimeObject(d: Date): Record<string, unknown> {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const iso = d.toISOString();
  const strftime = (fmt: string) =>
    fmt.replace(/%([YmdHMSfjyaAbBpz%])/g, (_, c: string) => {
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
          return pad(d.getUTCMilliseconds() * 1000, 6);
        case 'z':
          return '+0000';
        case '%':
          return '%';
        default:
          return '';
      }
    });
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    strftime,
    isoformat: () => iso.replace('Z', '+00:00'),
    timestamp: () => d.getTime() / 1000,
    toString: () => iso.replace('T', ' ').replace('Z', '+00:00'),
  };
}
