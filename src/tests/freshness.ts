import type { SourceNode } from '../compiler/nodes.js';
import { UserError } from '../errors.js';
import { isPlainObject } from '../project/config-merge.js';
import { didYouMean } from '../util/suggest.js';

const PERIODS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };

export interface FreshnessRule {
  warnAfter?: { count: number; period: string; seconds: number };
  errorAfter?: { count: number; period: string; seconds: number };
  filter?: string;
}

function threshold(v: unknown, key: string, place: { file: string; line?: number }, what: string) {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v) || typeof v.count !== 'number' || typeof v.period !== 'string') {
    throw new UserError(`${what}: freshness.${key} must be {count: <number>, period: minute|hour|day}`, place);
  }
  const period = v.period.replace(/s$/, '');
  if (!(period in PERIODS)) throw new UserError(`${what}: freshness period '${v.period}' is not one of minute, hour, day`, place, { hint: didYouMean(period, Object.keys(PERIODS)) });
  return { count: v.count, period, seconds: v.count * PERIODS[period] };
}

/** The freshness rule of a source table, or undefined when it has none (or `freshness: null`). */
export function freshnessRule(node: SourceNode): FreshnessRule | undefined {
  const f = node.freshness;
  if (f === undefined || f === null || (!node.loadedAtField && !node.loadedAtQuery)) return undefined;
  const place = { file: node.originalFilePath, line: node.line };
  const what = `source ${node.sourceName}.${node.name}`;
  if (!isPlainObject(f)) throw new UserError(`${what}: freshness must be a mapping with warn_after / error_after`, place);
  const rule = {
    warnAfter: threshold(f.warn_after, 'warn_after', place, what),
    errorAfter: threshold(f.error_after, 'error_after', place, what),
    // a loaded_at_query filters itself (as in dbt: the filter is for loaded_at_field's scan)
    filter: typeof f.filter === 'string' && !node.loadedAtQuery ? f.filter : undefined,
  };
  if (!rule.warnAfter && !rule.errorAfter) return undefined;
  return rule;
}

/** pass, warn or error for a source whose newest row is `ageSeconds` old. */
export function freshnessStatus(ageSeconds: number, rule: FreshnessRule): 'pass' | 'warn' | 'error' {
  if (rule.errorAfter && ageSeconds > rule.errorAfter.seconds) return 'error';
  if (rule.warnAfter && ageSeconds > rule.warnAfter.seconds) return 'warn';
  return 'pass';
}

export function describeAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} seconds`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} minutes`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} hours`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
