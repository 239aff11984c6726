import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { artifactPath, type ModelNode } from '../compiler/nodes.js';
import { isMicrobatch, microbatchConfig } from '../compiler/microbatch-check.js';
import type { MaterializeContext, MaterializeResult } from '../materializations/context.js';
import { applyBatch, finishBatches, fullRefreshOf, prepareBatchTarget, type BatchTarget } from '../materializations/microbatch.js';
import type { PlanStep } from '../plan/plan.js';
import { batchId, batchLabel, planBatches, type BatchContext, type BatchWindow } from '../run-date/batches.js';
import { scrubSecrets } from '../util/secrets.js';
import { failureMessage, inNodeSession, materializeContext, renderNow, runNodeHooks } from './node-context.js';
import type { RunOptions, RunWarehouse } from './run-plan.js';
import type { MappedCode } from './failure-place.js';
import { mapBounded } from '../util/bounded.js';

/** What decides the batches of the microbatch models of one run (README "Microbatch models"). */
export interface MicrobatchOptions {
  /** --event-time-start/--event-time-end, or the day of one pass of a --start/--end backfill */
  window?: BatchWindow;
  /** an explicit --ds: the run is that day's */
  day?: string;
  /** the run's start (for tsql retry, the retried run's: the same batches come out) */
  now: Date;
  /** tsql retry: per model, the batches that failed (run instead of planning) and those already in its table */
  retry?: Map<string, BatchResults>;
}

/** Which batches landed in the model's table and which did not (run_results.json `batch_results`). */
export interface BatchResults {
  successful: BatchWindow[];
  failed: BatchWindow[];
}

export function isMicrobatchStep(step: PlanStep): step is PlanStep & { node: ModelNode } {
  return isMicrobatch(step.node);
}

interface Batch extends BatchContext {
  /** its place among the run's batches, from 1 */
  index: number;
}

interface BatchOutcome {
  batch: Batch;
  status: 'success' | 'error' | 'skipped';
  rows?: number;
  message: string;
}

const plural = (n: number) => `${n} batch${n === 1 ? '' : 'es'}`;

/**
 * A microbatch model: its batches, each rendered with its window (refs and
 * sources with `event_time` read through it) and applied on its own
 * (materializations/microbatch.ts). The first batch runs alone, on the
 * connection that prepared the table; if it fails the rest are skipped, as in
 * dbt. The others run one after another or, with `concurrent_batches` (by
 * default when the model does not read `this`) on an engine whose tables take
 * concurrent writers, up to --threads at once, each on a connection of its own.
 * A failed batch leaves the others: the node is then a partial success, and
 * `tsql retry` runs the failed batches again. Pre-hooks run before the first
 * batch, post-hooks after the last. No connection is held while waiting for another.
 */
export async function runMicrobatch(step: PlanStep & { node: ModelNode }, w: RunWarehouse, opts: RunOptions, statements: string[]): Promise<MaterializeResult & { batchResults?: BatchResults }> {
  const node = step.node;
  const cfg = microbatchConfig(node);
  const mb = opts.microbatch ?? { now: new Date() };
  const retried = mb.retry?.get(node.uniqueId);
  const d = w.adapter.dialect;
  const onConnection = <T>(record: string[], fn: (ctx: MaterializeContext) => Promise<T>) =>
    w.adapter.withConnection((conn) => {
      const ctx = materializeContext(conn, w, opts, record);
      return inNodeSession(ctx, node, () => fn(ctx));
    });
  const renderer = (ctx: MaterializeContext, record: string[]) => (t: Parameters<typeof renderNow>[1]) => renderNow(opts, t, ctx.adapter, ctx.conn, (sql) => record.push(sql));
  const hooks = (ctx: MaterializeContext, which: 'pre_hook' | 'post_hook') => runNodeHooks(ctx, node, which, renderer(ctx, statements));

  let batches: Batch[] = [];
  const report = (o: BatchOutcome, t0: number) => {
    opts.emit({ type: 'batch_end', uniqueId: node.uniqueId, index: o.batch.index, total: batches.length, label: batchLabel(o.batch.start, cfg.batchSize), status: o.status, message: o.message, seconds: (performance.now() - t0) / 1000 });
    return o;
  };
  /** Renders and applies one batch on `ctx`'s connection; its statements go to its own file under target/run/. */
  const runBatch = async (ctx: MaterializeContext, batch: Batch, target: BatchTarget, rendered?: RenderedBatch): Promise<BatchOutcome> => {
    const t0 = performance.now();
    const record: string[] = [];
    const own = materializeContext(ctx.conn, w, opts, record);
    let select = rendered;
    try {
      select ??= await renderBatch(own, batch, record);
      const rows = await applyBatch(own, node, target, batch, cfg.eventTime, select.compiledCode);
      return report({ batch, status: 'success', rows, message: `${rows ?? '?'} row${rows === 1 ? '' : 's'}` }, t0);
    } catch (e) {
      return report({ batch, status: 'error', message: failureMessage(e, select, d) }, t0);
    } finally {
      writeBatchFile(opts, 'run', node, batch, record.map((s) => s.trim() + ';').join('\n\n') + '\n');
    }
  };
  const renderBatch = async (ctx: MaterializeContext, batch: Batch, record: string[]): Promise<RenderedBatch> => {
    const out = await renderer(ctx, record)({ kind: 'model', id: node.uniqueId, batch: { id: batch.id, start: batch.start, end: batch.end } });
    writeBatchFile(opts, 'compiled', node, batch, out.sql + '\n');
    return { compiledCode: out.sql, sourceMap: out.sourceMap };
  };

  // the table, and the first batch on the same connection, after the pre-hooks
  let target: BatchTarget | undefined;
  const outcomes: BatchOutcome[] = [];
  await onConnection(statements, async (ctx) => {
    // a retry brings the failed batches into the table as it is now (from `begin` only when the table is gone)
    const fresh = ctx.existing(node.relation) !== 'table' || (!retried && fullRefreshOf(ctx, node));
    const windows = retried ? retried.failed : planBatches({ size: cfg.batchSize, begin: cfg.begin, lookback: cfg.lookback, fresh, window: mb.window, day: mb.day, now: mb.now });
    batches = windows.map((b, i) => ({ ...b, id: batchId(b.start, cfg.batchSize), index: i + 1 }));
    if (!batches.length) return;
    await hooks(ctx, 'pre_hook');
    const first = await renderBatch(ctx, batches[0], statements);
    target = await prepareBatchTarget(ctx, node, first.compiledCode, fresh);
    // --empty: the table with its columns and no rows (a full refresh's is swapped in), no batch
    if (opts.empty) await finishBatches(ctx, node, target, true);
    else outcomes.push(await runBatch(ctx, batches[0], target, first));
  });
  if (!target) return { message: 'MICROBATCH (no batches between begin and the end of the run)', kind: 'table', batchResults: { successful: retried?.successful ?? [], failed: [] } };
  const table = target;
  if (opts.empty) return { message: 'EMPTY (no batches run under --empty)', kind: 'table' };

  const rest = batches.slice(1);
  if (outcomes[0].status !== 'success') {
    // as in dbt: when the first batch fails, the others would most likely fail the same way
    for (const b of rest) outcomes.push(report({ batch: b, status: 'skipped', message: 'the first batch failed' }, performance.now()));
  } else {
    const parallel = (cfg.concurrent ?? !node.readsThis) && !!d.capabilities.concurrentWrites && opts.threads > 1 && rest.length > 1;
    let stopped = false;
    const run = await mapBounded(rest, parallel ? opts.threads : 1, async (batch) => {
      if (stopped) return report({ batch, status: 'skipped', message: 'not run: --fail-fast' }, performance.now());
      const o = await onConnection([], (ctx) => runBatch(ctx, batch, table)).catch((e: unknown) => report({ batch, status: 'error', message: failureMessage(e) }, performance.now()));
      if (o.status !== 'success' && opts.failFast) stopped = true;
      return o;
    });
    outcomes.push(...run);
  }

  outcomes.sort((a, b) => a.batch.index - b.batch.index);
  const ok = outcomes.filter((o) => o.status === 'success');
  const bad = outcomes.filter((o) => o.status !== 'success');
  // a full refresh built aside lands only whole
  const landed = table.aside && bad.length ? [] : ok;
  await onConnection(statements, async (ctx) => {
    await finishBatches(ctx, node, table, bad.length === 0);
    if (landed.length) await hooks(ctx, 'post_hook');
  });

  const window = (o: BatchOutcome): BatchWindow => ({ start: o.batch.start, end: o.batch.end });
  const batchResults: BatchResults = {
    successful: [...(retried?.successful ?? []), ...landed.map(window)].sort((a, b) => a.start.getTime() - b.start.getTime()),
    failed: (table.aside && bad.length ? outcomes : bad).map(window),
  };
  const rows = ok.reduce<number | undefined>((n, o) => (o.rows === undefined ? n : (n ?? 0) + o.rows), undefined);
  if (!bad.length) return { message: `MICROBATCH (${plural(ok.length)}, ${rows ?? '?'} rows)`, rowsAffected: rows, kind: 'table', batchResults };
  const errors = bad.filter((o) => o.status === 'error');
  const notRun = bad.length - errors.length;
  // a batch's message may go on with the model's line (failure-place.ts): the batch's own line showed it
  const why = `${errors.map((o) => batchLabel(o.batch.start, cfg.batchSize)).join(', ')} failed: ${(errors[0]?.message ?? bad[0].message).split('\n')[0]}${notRun ? `; ${plural(notRun)} not run` : ''}`;
  if (table.aside) {
    return { status: 'error', message: `${plural(bad.length)} of ${batches.length} did not succeed (${why}); the full refresh was not swapped in, ${d.renderRelation(node.relation)} is as it was`, kind: 'table', batchResults };
  }
  if (!ok.length) return { status: 'error', message: `no batch succeeded (${why})`, kind: 'table', batchResults };
  return { status: 'partial success', message: `PARTIAL SUCCESS (${ok.length} of ${plural(batches.length)}): ${why}`, rowsAffected: rows, kind: 'table', batchResults };
}

/** One batch's select, and where its text came from. */
type RenderedBatch = MappedCode & { compiledCode: string };

/** target/compiled|run/<package>/<model path>/<name>_<batch id>.sql: each batch's select and statements, as dbt writes them. */
function writeBatchFile(opts: RunOptions, kind: 'compiled' | 'run', node: ModelNode, batch: Batch, text: string): void {
  const file = join(opts.targetDir, kind, node.packageName, artifactPath(node).replace(/\.sql$/, ''), `${node.name}_${batch.id}.sql`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, scrubSecrets(text));
}
