import { mkdirSync, writeFileSync } from 'node:fs';
import { scrubSecrets } from '../../util/secrets.js';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { SourceNode } from '../../compiler/nodes.js';
import { ErrorCollector } from '../../errors.js';
import { runDag } from '../../execution/dag-runner.js';
import { commandSelection, selectFromManifest } from '../../graph/manifest-graph.js';
import { checkSelectionNotEmpty } from '../../graph/empty-selection.js';
import { describeAge, freshnessRule, freshnessStatus, type FreshnessRule } from '../../tests/freshness.js';
import { TSQL_SCHEMA_VERSION } from '../../artifacts/write.js';
import { TSQL_VERSION } from '../../version.js';
import type { ParsedOptions } from '../options.js';
import { Reporter, tally, type ClosingNote } from '../reporter.js';
import { closeSession, openSession } from '../session.js';

/** One entry of target/sources.json's results. */
export interface FreshnessResult {
  unique_id: string;
  status: 'pass' | 'warn' | 'error' | 'runtime error';
  max_loaded_at: string | null;
  snapshotted_at: string | null;
  max_loaded_at_time_ago_in_s: number | null;
  criteria: Record<string, unknown>;
  execution_time: number;
  message: string;
}

function isoOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : String(v);
}

/** `tsql source freshness`: how old the newest row of each source is, against warn_after / error_after. */
export async function freshnessCommand(options: ParsedOptions, output: string | undefined): Promise<number> {
  const reporter = new Reporter(options.logFormat);
  const t0 = performance.now();
  const session = await openSession(options, { which: 'freshness', readCatalog: true });
  try {
    const { manifest } = session.compiled;
    const picked = selectFromManifest(manifest, { ...commandSelection(options), targetDir: session.targetDir, types: ['source'] });
    checkSelectionNotEmpty(manifest, picked, { select: options.select, exclude: options.exclude, selector: options.selector, types: ['source'], command: 'source freshness' });
    const errors = new ErrorCollector();
    const checks: Array<{ id: string; deps: string[]; node: SourceNode; rule: FreshnessRule }> = [];
    for (const id of [...picked].sort()) {
      const node = manifest.nodes.get(id) as SourceNode;
      const rule = errors.guard(() => freshnessRule(node));
      if (rule) checks.push({ id, deps: [], node, rule });
    }
    errors.throwIfAny();
    reporter.info(`Checking freshness of ${checks.length} source table${checks.length === 1 ? '' : 's'} on ${session.adapter.describe()}`);
    const results: FreshnessResult[] = [];
    let index = 0;
    await runDag(checks, {
      threads: session.threads,
      failFast: false,
      onSkip: () => {},
      run: async (c) => {
        const i = ++index;
        const label = `freshness of ${c.node.sourceName}.${c.node.name}`;
        reporter.emit({ type: 'node_start', index: i, total: checks.length, uniqueId: c.id, label });
        const start = performance.now();
        const criteria = {
          warn_after: c.rule.warnAfter ? { count: c.rule.warnAfter.count, period: c.rule.warnAfter.period } : null,
          error_after: c.rule.errorAfter ? { count: c.rule.errorAfter.count, period: c.rule.errorAfter.period } : null,
          filter: c.rule.filter ?? null,
        };
        let r: FreshnessResult;
        try {
          const { adapter } = session.warehouseOf(c.node);
          const sql = c.node.loadedAtQuery ? adapter.dialect.freshnessOfQuery(c.node.loadedAtQuery) : adapter.dialect.freshnessQuery(c.node.relation, c.node.loadedAtField!, c.rule.filter);
          const rows = await adapter.withConnection((conn) => conn.query(sql));
          const row = rows[0] ?? {};
          const age = row.age_seconds === null || row.age_seconds === undefined ? null : Number(row.age_seconds);
          if (age === null) {
            r = { unique_id: c.id, status: 'runtime error', max_loaded_at: null, snapshotted_at: isoOf(row.snapshotted_at), max_loaded_at_time_ago_in_s: null, criteria, execution_time: 0, message: c.node.loadedAtQuery ? 'the loaded_at_query returned no time' : `no rows with a ${c.node.loadedAtField}` };
          } else {
            const status = freshnessStatus(age, c.rule);
            r = { unique_id: c.id, status, max_loaded_at: isoOf(row.max_loaded_at), snapshotted_at: isoOf(row.snapshotted_at), max_loaded_at_time_ago_in_s: age, criteria, execution_time: 0, message: `newest row is ${describeAge(age)} old` };
          }
        } catch (e) {
          r = { unique_id: c.id, status: 'runtime error', max_loaded_at: null, snapshotted_at: null, max_loaded_at_time_ago_in_s: null, criteria, execution_time: 0, message: String((e as Error).message).split('\n')[0] };
        }
        r.execution_time = (performance.now() - start) / 1000;
        results.push(r);
        const status = r.status === 'pass' ? 'pass' : r.status === 'warn' ? 'warn' : 'error';
        reporter.emit({ type: 'node_end', index: i, total: checks.length, uniqueId: c.id, label, status, message: r.message, seconds: r.execution_time });
        return { status: status === 'error' ? 'error' : 'success' };
      },
    });
    const file = output ? (isAbsolute(output) ? output : resolve(options.projectDir, output)) : join(session.targetDir, 'sources.json');
    mkdirSync(dirname(file), { recursive: true });
    results.sort((a, b) => (a.unique_id < b.unique_id ? -1 : 1));
    writeFileSync(
      file,
      scrubSecrets(JSON.stringify(
        {
          metadata: { tsql_schema_version: TSQL_SCHEMA_VERSION, artifact: 'sources', tsql_version: TSQL_VERSION, generated_at: new Date().toISOString(), invocation_id: session.invocationId },
          elapsed_time: (performance.now() - t0) / 1000,
          results,
        },
        null,
        1,
      )),
    );
    const counts = tally(results.map((r) => r.status));
    const notes = (statuses: string[]): ClosingNote[] =>
      results.filter((r) => statuses.includes(r.status)).map((r) => {
        const n = manifest.nodes.get(r.unique_id)!;
        return { label: `source ${(n as SourceNode).sourceName}.${n.name}`, file: n.originalFilePath, message: r.status === 'runtime error' ? r.message : `stale: ${r.message}` };
      });
    reporter.done(counts, notes(['error', 'runtime error']), notes(['warn']));
    return counts.error ? 1 : 0;
  } finally {
    await closeSession(session);
  }
}
