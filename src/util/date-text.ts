/**
 * A JavaScript Date as SQL clients print a timestamp: `2024-01-03 10:00:00`,
 * with its milliseconds when it has any (`2024-01-03 10:00:00.123`), in UTC,
 * without ISO's `T` and `Z`; null for an invalid Date.
 */
export function dateTimeText(d: Date): string | null {
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
}
