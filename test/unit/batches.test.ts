import { describe, expect, it } from 'vitest';
import { batchId, batchLabel, ceilingTime, offsetTime, parseEventTime, parseEventTimeFlags, planBatches, truncateTime, type BatchWindow } from '../../src/run-date/batches.js';
import { userError } from '../helpers/assert.js';

const t = (s: string) => new Date(s.endsWith('Z') ? s : `${s}Z`);
const iso = (d: Date) => d.toISOString().replace(':00.000Z', '').replace('T', ' ');
const show = (ws: BatchWindow[]) => ws.map((w) => `${iso(w.start)} → ${iso(w.end)}`);

describe('microbatch windows', () => {
  it("truncates, offsets and ceils as dbt's MicrobatchBuilder", () => {
    const d = t('2024-09-17T16:06:00');
    expect(iso(truncateTime(d, 'hour'))).toBe('2024-09-17 16:00');
    expect(iso(truncateTime(d, 'day'))).toBe('2024-09-17 00:00');
    expect(iso(truncateTime(d, 'month'))).toBe('2024-09-01 00:00');
    expect(iso(truncateTime(d, 'year'))).toBe('2024-01-01 00:00');
    expect(iso(offsetTime(d, 'hour', -1))).toBe('2024-09-17 15:00');
    expect(iso(offsetTime(d, 'day', 1))).toBe('2024-09-18 00:00');
    expect(iso(offsetTime(d, 'month', -1))).toBe('2024-08-01 00:00');
    expect(iso(offsetTime(t('2024-01-31T00:00:00'), 'month', 1))).toBe('2024-02-01 00:00');
    expect(iso(offsetTime(d, 'year', 1))).toBe('2025-01-01 00:00');
    expect(iso(ceilingTime(d, 'day'))).toBe('2024-09-18 00:00');
    expect(iso(ceilingTime(t('2024-09-17T00:00:00'), 'day'))).toBe('2024-09-17 00:00');
    expect(iso(ceilingTime(d, 'month'))).toBe('2024-10-01 00:00');
  });

  it("gives dbt's batch ids and readable labels", () => {
    const d = t('2024-09-17T16:00:00');
    expect(batchId(d, 'day')).toBe('20240917');
    expect(batchId(d, 'hour')).toBe('20240917T16');
    expect(batchLabel(d, 'hour')).toBe('2024-09-17 16:00');
    expect(batchLabel(d, 'month')).toBe('2024-09');
    expect(batchLabel(d, 'year')).toBe('2024');
  });

  it('reads points in time as UTC, with an offset when given', () => {
    expect(parseEventTime('2024-01-01')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(parseEventTime('2024-01-01 06:30')?.toISOString()).toBe('2024-01-01T06:30:00.000Z');
    expect(parseEventTime('2024-01-01T06:30:15Z')?.toISOString()).toBe('2024-01-01T06:30:15.000Z');
    expect(parseEventTime('2024-01-01T02:00:00+02:00')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(parseEventTime('2024-01-01T00:00:00.000Z')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(parseEventTime('2024-02-30')).toBeUndefined();
    expect(parseEventTime('yesterday')).toBeUndefined();
    expect(userError(() => parseEventTimeFlags('2024-01-01', undefined)).message).toBe('--event-time-start and --event-time-end go together');
  });

  const base = { size: 'day' as const, begin: t('2024-01-01T00:00:00'), lookback: 1 };

  it('a fresh build runs from begin to the batch holding now', () => {
    expect(show(planBatches({ ...base, fresh: true, now: t('2024-01-03T10:00:00') }))).toEqual(['2024-01-01 00:00 → 2024-01-02 00:00', '2024-01-02 00:00 → 2024-01-03 00:00', '2024-01-03 00:00 → 2024-01-04 00:00']);
  });

  it('an incremental run covers the batch holding now and lookback batches before it', () => {
    expect(show(planBatches({ ...base, fresh: false, now: t('2024-01-10T10:00:00') }))).toEqual(['2024-01-09 00:00 → 2024-01-10 00:00', '2024-01-10 00:00 → 2024-01-11 00:00']);
    // now on a boundary belongs to the batch before it, as in dbt
    expect(show(planBatches({ ...base, fresh: false, now: t('2024-01-10T00:00:00') }))).toEqual(['2024-01-08 00:00 → 2024-01-09 00:00', '2024-01-09 00:00 → 2024-01-10 00:00']);
    expect(show(planBatches({ ...base, lookback: 0, fresh: false, now: t('2024-01-10T10:00:00') }))).toEqual(['2024-01-10 00:00 → 2024-01-11 00:00']);
    // never before begin
    expect(show(planBatches({ ...base, lookback: 5, fresh: false, now: t('2024-01-02T10:00:00') }))).toEqual(['2024-01-01 00:00 → 2024-01-02 00:00', '2024-01-02 00:00 → 2024-01-03 00:00']);
  });

  it('--ds D runs the batches of D and lookback before them', () => {
    expect(show(planBatches({ ...base, fresh: false, day: '2024-01-10', now: t('2030-01-01T00:00:00') }))).toEqual(['2024-01-09 00:00 → 2024-01-10 00:00', '2024-01-10 00:00 → 2024-01-11 00:00']);
    const hours = planBatches({ ...base, size: 'hour', fresh: false, day: '2024-01-10', now: t('2030-01-01T00:00:00') });
    expect(hours).toHaveLength(25);
    expect(iso(hours[0].start)).toBe('2024-01-09 23:00');
    expect(iso(hours[24].end)).toBe('2024-01-11 00:00');
    expect(show(planBatches({ ...base, size: 'month', fresh: false, day: '2024-03-31', now: t('2030-01-01T00:00:00') }))).toEqual(['2024-02-01 00:00 → 2024-03-01 00:00', '2024-03-01 00:00 → 2024-04-01 00:00']);
    expect(planBatches({ ...base, fresh: true, day: '2024-01-03', now: t('2030-01-01T00:00:00') })).toHaveLength(3);
  });

  it('an explicit window gives exactly the batches it covers, whole', () => {
    const window = { start: t('2024-01-05T06:00:00'), end: t('2024-01-07T00:00:00') };
    expect(show(planBatches({ ...base, fresh: true, window, now: t('2030-01-01T00:00:00') }))).toEqual(['2024-01-05 00:00 → 2024-01-06 00:00', '2024-01-06 00:00 → 2024-01-07 00:00']);
    expect(planBatches({ ...base, fresh: false, window: { start: t('2024-01-05T00:00:00'), end: t('2024-01-05T00:30:00') }, now: t('2030-01-01T00:00:00') })).toHaveLength(1);
  });

  it('has no batches when begin is after the end', () => {
    expect(planBatches({ ...base, begin: t('2025-01-01T00:00:00'), fresh: true, now: t('2024-06-01T00:00:00') })).toEqual([]);
  });
});
