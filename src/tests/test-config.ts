import { UserError, type SourcePlace } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { TestNode } from '../compiler/nodes.js';

export interface TestSettings {
  severity: 'error' | 'warn';
  /** SQL comparison applied to the failure count, e.g. '!= 0', '> 10' */
  errorIf: string;
  warnIf: string;
  failCalc: string;
  limit?: number;
  /** where the failing rows are kept (store_failures / store_failures_as); undefined: nowhere */
  storeFailuresAs?: 'table' | 'view';
}

const STORE_AS = ['ephemeral', 'table', 'view'];

const THRESHOLD = /^\s*(>=|<=|!=|<>|==|=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** '>10' → '> 10'; anything else is a user error naming the test. */
function threshold(value: unknown, key: string, place: SourcePlace, test: string): string {
  const text = String(value ?? '!=0');
  const m = THRESHOLD.exec(text);
  if (!m) {
    throw new UserError(`test '${test}': malformed ${key} '${text}'`, place, { hint: "use a comparison with a number, like '>10', '>=1' or '!=0'" });
  }
  const op = m[1] === '==' ? '=' : m[1];
  return `${op} ${m[2]}`;
}

/** A test's config, validated: severity, thresholds, limit, store_failures(_as). */
export function testSettings(test: TestNode): TestSettings {
  const cfg = test.config;
  const place = { file: test.originalFilePath, line: test.line };
  const severity = String(cfg.severity ?? 'error').toLowerCase();
  if (severity !== 'error' && severity !== 'warn') {
    throw new UserError(`test '${test.name}': severity must be 'error' or 'warn', got '${String(cfg.severity)}'`, place, { hint: didYouMean(severity, ['error', 'warn']) });
  }
  let limit: number | undefined;
  if (cfg.limit !== undefined && cfg.limit !== null) {
    limit = Number(cfg.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new UserError(`test '${test.name}': limit must be a whole number, got '${String(cfg.limit)}'`, place);
  }
  return {
    severity,
    errorIf: threshold(cfg.error_if, 'error_if', place, test.name),
    warnIf: threshold(cfg.warn_if, 'warn_if', place, test.name),
    failCalc: typeof cfg.fail_calc === 'string' && cfg.fail_calc.trim() ? cfg.fail_calc : 'count(*)',
    limit,
    storeFailuresAs: storeFailuresAs(cfg, place, test.name),
  };
}

/** store_failures_as wins over store_failures (as in dbt): ephemeral stores nothing. */
function storeFailuresAs(cfg: Record<string, unknown>, place: SourcePlace, test: string): 'table' | 'view' | undefined {
  const as = cfg.store_failures_as;
  if (as !== undefined && as !== null) {
    const v = String(as).toLowerCase();
    if (!STORE_AS.includes(v)) throw new UserError(`test '${test}': store_failures_as must be one of ${STORE_AS.join(', ')}, not '${String(as)}'`, place, { hint: didYouMean(v, STORE_AS) });
    return v === 'ephemeral' ? undefined : (v as 'table' | 'view');
  }
  return cfg.store_failures === true || cfg.store_failures === 'true' ? 'table' : undefined;
}
