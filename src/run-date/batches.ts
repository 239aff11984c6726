import { UserError } from '../errors.js';

/**
 * Time windows of microbatch models (incremental_strategy 'microbatch'): how a
 * run is cut into batches of `batch_size`, each the half-open window
 * [start, end) in UTC, as dbt 1.9 cuts them.
 */
export type BatchSize = 'hour' | 'day' | 'month' | 'year';

export const BATCH_SIZES: readonly BatchSize[] = ['hour', 'day', 'month', 'year'];

export interface BatchWindow {
  start: Date;
  end: Date;
}

/** One batch as a template sees it (`model.batch`): dbt's id and the window. */
export interface BatchContext extends BatchWindow {
  id: string;
}

/** The start of the batch holding `d`: 16:06 → 16:00 (hour), → 00:00 (day), → the 1st (month), → 1 January (year). */
export function truncateTime(d: Date, size: BatchSize): Date {
  const y = d.getUTCFullYear();
  switch (size) {
    case 'hour':
      return new Date(Date.UTC(y, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()));
    case 'day':
      return new Date(Date.UTC(y, d.getUTCMonth(), d.getUTCDate()));
    case 'month':
      return new Date(Date.UTC(y, d.getUTCMonth(), 1));
    case 'year':
      return new Date(Date.UTC(y, 0, 1));
  }
}

/** The batch start `n` batches after (or before, n < 0) the batch holding `d`. */
export function offsetTime(d: Date, size: BatchSize, n: number): Date {
  const t = truncateTime(d, size);
  switch (size) {
    case 'hour':
      return new Date(t.getTime() + n * 3_600_000);
    case 'day':
      return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + n));
    case 'month':
      return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + n, 1));
    case 'year':
      return new Date(Date.UTC(t.getUTCFullYear() + n, 0, 1));
  }
}

/** `d` itself when it starts a batch, else the start of the next batch. */
export function ceilingTime(d: Date, size: BatchSize): Date {
  const t = truncateTime(d, size);
  return t.getTime() === d.getTime() ? t : offsetTime(t, size, 1);
}

/** Whole batches from `start` until `end` (both batch starts); none when end is not after start. */
export function batchesBetween(start: Date, end: Date, size: BatchSize): BatchWindow[] {
  const out: BatchWindow[] = [];
  for (let s = truncateTime(start, size); s < end; ) {
    const e = offsetTime(s, size, 1);
    out.push({ start: s, end: e });
    s = e;
  }
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** dbt's batch id (`model.batch.id`): 20240917, or 20240917T16 for hourly batches. */
export function batchId(start: Date, size: BatchSize): string {
  const day = `${start.getUTCFullYear()}${pad(start.getUTCMonth() + 1)}${pad(start.getUTCDate())}`;
  return size === 'hour' ? `${day}T${pad(start.getUTCHours())}` : day;
}

/** How a batch is shown: 2024-09-17 16:00, 2024-09-17, 2024-09, 2024. */
export function batchLabel(start: Date, size: BatchSize): string {
  const iso = start.toISOString();
  switch (size) {
    case 'hour':
      return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
    case 'day':
      return iso.slice(0, 10);
    case 'month':
      return iso.slice(0, 7);
    case 'year':
      return iso.slice(0, 4);
  }
}

/** A bound as engines compare it: '2024-09-17 00:00:00+00:00' (UTC, as dbt writes it). */
export function eventTimeText(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}+00:00`;
}

const EVENT_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A point in time as users write it (begin config, --event-time-start):
 * 2024-01-01, 2024-01-01 06:00, 2024-01-01T06:00:00Z, …+02:00. Without an
 * offset it is UTC. Undefined when it is not such a point.
 */
export function parseEventTime(text: string): Date | undefined {
  const m = EVENT_TIME.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  const utc = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (utc.getUTCFullYear() !== y || utc.getUTCMonth() !== mo - 1 || utc.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  const tz = m[7];
  if (!tz || tz.toUpperCase() === 'Z') return utc;
  const sign = tz.startsWith('-') ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return new Date(utc.getTime() - sign * minutes * 60_000);
}

/** --event-time-start / --event-time-end: both or neither, start before end. */
export function parseEventTimeFlags(start: string | undefined, end: string | undefined): BatchWindow | undefined {
  if (start === undefined && end === undefined) return undefined;
  if (start === undefined || end === undefined) throw new UserError('--event-time-start and --event-time-end go together', {}, { hint: 'e.g. --event-time-start 2024-09-01 --event-time-end 2024-09-04' });
  const parse = (text: string, flag: string) => {
    const d = parseEventTime(text);
    if (!d) throw new UserError(`${flag} must be a date or a date and time (UTC), like 2024-09-01 or 2024-09-01T06:00:00, got '${text}'`);
    return d;
  };
  const window = { start: parse(start, '--event-time-start'), end: parse(end, '--event-time-end') };
  if (window.start >= window.end) throw new UserError(`--event-time-start ${start} is not before --event-time-end ${end}`);
  return window;
}

/** What decides a run's batches (see README "Microbatch"). */
export interface BatchPlanInput {
  size: BatchSize;
  begin: Date;
  lookback: number;
  /** no table yet, or a full refresh: from `begin` */
  fresh: boolean;
  /** --event-time-start/--event-time-end, or one day of a --start/--end backfill: exactly these batches */
  window?: BatchWindow;
  /** --ds given: the run is day D's (its batches and `lookback` before) */
  day?: string;
  /** the run's start (a retry: the retried run's) */
  now: Date;
}

/**
 * The batches one run builds. An explicit window gives the batches it covers;
 * otherwise the run ends at `now` (with --ds D, at the end of D) and starts at
 * `begin` (a fresh build) or `lookback` batches before the batch holding now
 * (with --ds, before the first batch of D), never before `begin`.
 */
export function planBatches(p: BatchPlanInput): BatchWindow[] {
  const { size } = p;
  if (p.window) return batchesBetween(p.window.start, ceilingTime(p.window.end, size), size);
  const dayStart = p.day ? new Date(`${p.day}T00:00:00Z`) : undefined;
  const endPoint = dayStart ? new Date(dayStart.getTime() + 86_400_000) : p.now;
  const end = ceilingTime(endPoint, size);
  const begin = truncateTime(p.begin, size);
  if (p.fresh) return batchesBetween(begin, end, size);
  // the batch holding now (dbt: a `now` on a boundary belongs to the batch before it), or D's first
  const current = dayStart ? truncateTime(dayStart, size) : offsetTime(end, size, -1);
  const start = offsetTime(current, size, -p.lookback);
  return batchesBetween(start < begin ? begin : start, end, size);
}
