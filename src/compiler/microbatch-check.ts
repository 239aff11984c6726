import { placePrefix, UserError, type SourcePlace } from '../errors.js';
import type { LoadedProject } from '../project/load.js';
import { BATCH_SIZES, batchId, offsetTime, parseEventTime, truncateTime, type BatchContext, type BatchSize } from '../run-date/batches.js';
import type { Config } from '../project/config-merge.js';
import { didYouMean } from '../util/suggest.js';
import { configOrigin } from './config-origin.js';
import type { ManifestNode, ModelNode } from './nodes.js';

/** The config keys only microbatch models act on. */
const MICROBATCH_ONLY = ['batch_size', 'begin', 'lookback', 'concurrent_batches'] as const;

/** A microbatch model's settings, once checked. */
export interface MicrobatchConfig {
  eventTime: string;
  batchSize: BatchSize;
  begin: Date;
  lookback: number;
  /** undefined: tsql decides (in parallel unless the model reads `this`) */
  concurrent?: boolean;
}

export function isMicrobatch(node: ManifestNode): boolean {
  return node.resourceType === 'model' && node.materialized === 'incremental' && node.config.incremental_strategy === 'microbatch';
}

/** The settings of a model the compile has checked (checkMicrobatch). */
export function microbatchConfig(node: ModelNode): MicrobatchConfig {
  const c = node.config;
  return {
    eventTime: String(c.event_time).trim(),
    batchSize: c.batch_size as BatchSize,
    begin: beginOf(c.begin)!,
    lookback: c.lookback === undefined || c.lookback === null ? 1 : Number(c.lookback),
    concurrent: typeof c.concurrent_batches === 'boolean' ? c.concurrent_batches : undefined,
  };
}

/**
 * The batch a microbatch model renders as outside a run (compile, show, the
 * manifest): its first, from `begin`. Undefined for other models, or while its
 * config is incomplete (the compile reports that).
 */
export function firstBatchOf(config: Config): BatchContext | undefined {
  if (config.materialized !== 'incremental' || config.incremental_strategy !== 'microbatch') return undefined;
  const size = config.batch_size as BatchSize;
  const begin = beginOf(config.begin);
  if (!BATCH_SIZES.includes(size) || !begin) return undefined;
  const start = truncateTime(begin, size);
  return { id: batchId(start, size), start, end: offsetTime(start, size, 1) };
}

/** `begin` as written (a string; a YAML timestamp is a Date already). */
function beginOf(v: unknown): Date | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v;
  return typeof v === 'string' ? parseEventTime(v) : undefined;
}

/**
 * Microbatch models need `event_time`, `batch_size` and `begin` with values
 * tsql can act on; `event_time` elsewhere (the models, seeds and sources a
 * batch reads through its window) must name a column. Each mistake is an error
 * naming where the key is set (or, when missing, where the strategy is); the
 * microbatch-only keys on other models and `unique_key` on a microbatch model
 * are warnings, since tsql does nothing with them.
 */
export function checkMicrobatch(nodes: Map<string, ManifestNode>, project: LoadedProject): { errors: UserError[]; warnings: string[] } {
  const errors: UserError[] = [];
  const warnings: string[] = [];
  const where = (n: ManifestNode, key: string): SourcePlace => configOrigin(n, key, project) ?? { file: n.originalFilePath, line: n.resourceType === 'source' ? n.line : undefined };
  for (const n of nodes.values()) {
    if (n.resourceType !== 'model' && n.resourceType !== 'seed' && n.resourceType !== 'source') continue;
    const et = n.config.event_time;
    if (et !== undefined && et !== null && (typeof et !== 'string' || !et.trim())) {
      errors.push(new UserError(`${n.resourceType} '${n.name}': event_time must be the name of its time column, not ${JSON.stringify(et)}`, where(n, 'event_time'), { hint: "e.g. event_time: 'created_at'" }));
    }
    if (n.resourceType !== 'model') continue;
    if (!isMicrobatch(n)) {
      for (const key of MICROBATCH_ONLY) {
        if (n.config[key] !== undefined) warnings.push(`${placePrefix(where(n, key))}model config '${key}' is ignored: it applies to incremental_strategy 'microbatch' only`);
      }
      continue;
    }
    const strategyAt = where(n, 'incremental_strategy');
    const missing = (key: string, example: string) => errors.push(new UserError(`microbatch model '${n.name}' needs ${key}`, strategyAt, { hint: example }));
    if (et === undefined || et === null) missing('event_time (the column holding when each row happened)', "config(event_time='created_at')");
    const size = n.config.batch_size;
    if (size === undefined || size === null) missing('batch_size', `one of ${BATCH_SIZES.join(', ')}`);
    else if (!BATCH_SIZES.includes(size as BatchSize)) {
      errors.push(new UserError(`model '${n.name}': batch_size must be ${BATCH_SIZES.join(', ')}, not ${JSON.stringify(size)}`, where(n, 'batch_size'), { hint: didYouMean(String(size), BATCH_SIZES) }));
    }
    const begin = n.config.begin;
    if (begin === undefined || begin === null) missing('begin (where its first run starts)', "config(begin='2024-01-01')");
    else if (!beginOf(begin)) {
      errors.push(new UserError(`model '${n.name}': begin must be a date or a date and time (UTC), like '2024-01-01' or '2024-01-01 06:00:00', not ${JSON.stringify(begin)}`, where(n, 'begin')));
    }
    const lookback = n.config.lookback;
    if (lookback !== undefined && lookback !== null && !(Number.isInteger(lookback) && (lookback as number) >= 0)) {
      errors.push(new UserError(`model '${n.name}': lookback must be a whole number of batches, 0 or more, not ${JSON.stringify(lookback)}`, where(n, 'lookback')));
    }
    const concurrent = n.config.concurrent_batches;
    if (concurrent !== undefined && concurrent !== null && typeof concurrent !== 'boolean') {
      errors.push(new UserError(`model '${n.name}': concurrent_batches must be true or false, not ${JSON.stringify(concurrent)}`, where(n, 'concurrent_batches')));
    }
    if (n.config.unique_key !== undefined && n.config.unique_key !== null) {
      warnings.push(`${placePrefix(where(n, 'unique_key'))}model config 'unique_key' is ignored: a microbatch model replaces each batch's event_time window, whatever the keys`);
    }
  }
  return { errors, warnings };
}
