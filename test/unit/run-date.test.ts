import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, parseDs, runDateContext, strftime, strptime } from '../../src/run-date/run-date.js';
import { userError } from '../helpers/assert.js';

describe('run dates', () => {
  it('parses calendar dates and rejects impossible ones', () => {
    expect(parseDs('2024-02-29').ds).toBe('2024-02-29');
    expect(userError(() => parseDs('2023-02-29')).message).toBe("--ds must be a calendar date like 2024-01-03, got '2023-02-29'");
    expect(userError(() => parseDs('2024-1-3')).message).toMatch(/--ds must be a calendar date/);
    expect(userError(() => parseDs('yesterday', '--start')).message).toMatch(/^--start must be/);
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(daysBetween('2024-01-30', '2024-02-02')).toEqual(['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-02']);
    expect(daysBetween('2024-01-01', '2024-01-01')).toEqual(['2024-01-01']);
  });

  it("gives Airflow's template names", () => {
    const ctx = runDateContext({ ds: '2024-01-01' }) as Record<string, any>;
    expect(ctx.ds).toBe('2024-01-01');
    expect(ctx.ds_nodash).toBe('20240101');
    expect(ctx.ts).toBe('2024-01-01T00:00:00+00:00');
    expect(ctx.ts_nodash).toBe('20240101T000000');
    expect(ctx.prev_ds).toBe('2023-12-31');
    expect(ctx.next_ds).toBe('2024-01-02');
    expect(ctx.macros.ds_add('2024-01-01', -1)).toBe('2023-12-31');
    expect(ctx.macros.ds_add('2024-01-01', 31)).toBe('2024-02-01');
    expect(ctx.macros.ds_format('2024-01-05', '%Y-%m-%d', '%Y%m%d')).toBe('20240105');
    expect(ctx.macros.ds_format('05/01/24', '%d/%m/%y', '%Y-%m-%d')).toBe('2024-01-05');
    expect(userError(() => ctx.macros.ds_format('2024/01/05', '%Y-%m-%d', '%Y')).message).toMatch(/does not match the format/);
  });

  it('formats and parses with Python directives', () => {
    const d = strptime('2024-03-09 07:05:01', '%Y-%m-%d %H:%M:%S');
    expect(strftime(d, '%A %d %B %Y, %H:%M:%S, day %j, %%')).toBe('Saturday 09 March 2024, 07:05:01, day 069, %');
    expect(strftime(d, '%a %b %y')).toBe('Sat Mar 24');
  });
});
