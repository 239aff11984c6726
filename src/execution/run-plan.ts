import { mkdirSync, writeFileSync } from 'node:fs';
import { scrubSecrets } from '../util/secrets.js';
import { dirname, join } from 'node:path';
import type { Adapter, Column, Connection, Relation, RelationKind } from '../adapters/types.js';
import { relationKey } from '../compiler/compiler.js';
import { artifactPath, type BuiltNode, type ManifestNode, type ModelNode, type SeedNode, type SnapshotNode, type TestNode } from '../compiler/nodes.js';
import { materializeIncremental } from '../materializations/incremental.js';
import type { MaterializeContext, MaterializeResult } from '../materializations/context.js';
import { materializeSeed } from '../materializations/seed.js';
import { materializeTable } from '../materializations/table.js';
import { materializeView } from '../materializations/view.js';
import { materializeExternal } from '../materializations/external.js';
import { materializeUnload } from '../materializations/unload.js';
import { materializeSnapshot } from '../materializations/snapshot.js';
import { runTest, verdict } from '../tests/run-test.js';
import { checkBuiltColumns } from '../tests/preflight.js';
import { runUnitTest } from '../tests/unit/run.js';
import { meetsThreshold } from '../tests/folding.js';
import type { TestSettings } from '../tests/test-config.js';
import type { Plan, PlanStep } from '../plan/plan.js';
import { runDag, type NodeStatus } from './dag-runner.js';
import { createPlanSchemas } from './create-schemas.js';
import { runEndContext, type RunEndContext } from './run-end-context.js';
import { isInterrupted, throwIfInterrupted } from '../util/interrupt-state.js';
import type { EventSink } from './events.js';
import type { RunProgress } from './progress.js';
import type { RenderTarget, RunTimeRenderer } from '../compiler/run-time-render.js';
import type { CompiledHook, HookPlace } from '../compiler/package-scope.js';
import { failureMessage, inNodeSession, materializeContext, renderNow, runNodeHooks } from './node-context.js';
import type { MappedCode } from './failure-place.js';
import { isMicrobatchStep, runMicrobatch, type BatchResults, type MicrobatchOptions } from './run-microbatch.js';

export interface NodeResult {
  uniqueId: string;
  status: NodeStatus;
  message: string;
  /** tests: number of failing rows (fail_calc) */
  failures?: number;
  /** tests and models: the compiled SQL file, relative to the project */
  compiledPath?: string;
  startedAt?: string;
  completedAt?: string;
  executionTime: number;
  rowsAffected?: number;
  relationName?: string;
  location?: string;
  /** a microbatch model: the batches in its table and those that failed */
  batchResults?: BatchResults;
}

/** Where a node runs: an engine, what exists there, and its lake. */
export interface RunWarehouse {
  adapter: Adapter;
  catalog: Map<string, RelationKind>;
  /** the data lake's root for unloads and external tables */
  lakeRoot: string;
  database: string | undefined;
  schema: string;
}

export interface RunOptions {
  /** the node's warehouse (its `connection:` output, else the target); hooks run on the target */
  warehouseOf(node: { connection?: string } | undefined): RunWarehouse;
  threads: number;
  failFast: boolean;
  fullRefresh: boolean;
  /** absolute target path, for target/run/ */
  targetDir: string;
  emit: EventSink;
  onRunStart: CompiledHook[];
  onRunEnd: CompiledHook[];
  runDate: string;
  /** --warn-error: a test that warns fails instead (and skips what depends on it, in a build) */
  warnError?: boolean;
  /** --empty: models build with zero rows; unload models are skipped (they would write files) */
  empty?: boolean;
  /** renders, when they run, the models and hooks whose SQL depends on queries */
  runTime?: RunTimeRenderer;
  /** what decides the batches of microbatch models */
  microbatch?: MicrobatchOptions;
  /** what runs now, for the live status line */
  progress?: RunProgress;
}

/** A project hook that failed: `on-run-end hook 2: <error>`, and the project file line that holds it. */
export interface HookFailure extends HookPlace {
  message: string;
}

export interface RunOutcome {
  results: NodeResult[];
  hookErrors: HookFailure[];
}

/** The node as the status line names it. */
function shortLabel(step: PlanStep): string {
  const n = step.node;
  if (n.resourceType === 'unit_test') return `unit test ${n.name}`;
  const kind = n.resourceType === 'model' ? step.materialization : n.resourceType;
  return `${kind} ${n.name}`;
}

function label(step: PlanStep): string {
  const n = step.node;
  if (n.resourceType === 'test') return `test ${n.name}`;
  if (n.resourceType === 'unit_test') return `unit test ${n.model.split('.').pop()}::${n.name}`;
  const rel = [n.relation.schema, n.relation.identifier].join('.');
  if (n.resourceType === 'seed') return `seed file ${rel}`;
  if (n.resourceType === 'source') return `external source ${n.sourceName}.${n.name}`;
  if (n.resourceType === 'snapshot') return `snapshot ${rel}`;
  if (step.materialization === 'unload') return `sql unload model ${n.name}`;
  return `sql ${step.materialization} model ${rel}`;
}

async function runHooks(opts: RunOptions, which: 'on-run-start' | 'on-run-end', compiled: CompiledHook[], runEnd?: RunEndContext): Promise<HookFailure[]> {
  const errors: HookFailure[] = [];
  // hooks that ask the warehouse are rendered one by one, each just before it runs
  const atRunTime = opts.runTime?.hooksAtRunTime(which);
  const hooks = atRunTime === undefined ? compiled : atRunTime.map((place) => ({ ...place, sql: '' }));
  for (let i = 0; i < hooks.length; i++) {
    throwIfInterrupted();
    const t0 = performance.now();
    try {
      const { adapter } = opts.warehouseOf(undefined);
      await adapter.withConnection(async (c) => {
        const sql = atRunTime === undefined ? hooks[i].sql : (await renderNow(opts, { kind: 'project-hook', which, index: i, ...(runEnd ? { runEnd: { ...runEnd } } : {}) }, adapter, c, () => undefined)).sql;
        if (sql) await c.execute(sql);
      });
      opts.emit({ type: 'hook', which, index: i + 1, total: hooks.length, status: 'success', seconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      const message = (e as Error).message;
      errors.push({ message: `${which} hook ${i + 1}: ${message}`, file: hooks[i].file, line: hooks[i].line });
      opts.emit({ type: 'hook', which, index: i + 1, total: hooks.length, status: 'error', seconds: (performance.now() - t0) / 1000, message });
      if (which === 'on-run-start') break;
    }
  }
  return errors;
}

/** Executes a plan: on-run-start, schemas, every step in DAG order, on-run-end. */
export async function executePlan(plan: Plan, opts: RunOptions): Promise<RunOutcome> {
  throwIfInterrupted();
  const results = new Map<string, NodeResult>();
  const hookErrors = await runHooks(opts, 'on-run-start', opts.onRunStart);
  const total = plan.steps.length;
  if (hookErrors.length) {
    for (const s of plan.steps) results.set(s.id, { uniqueId: s.id, status: 'skipped', message: 'on-run-start failed', executionTime: 0 });
    return { results: [...results.values()], hookErrors };
  }
  throwIfInterrupted();

  await createPlanSchemas(plan.schemas, (connection) => opts.warehouseOf({ connection }).adapter);

  let started = 0;
  const indexOf = new Map<string, number>();
  await runDag(plan.steps, {
    threads: opts.threads,
    failFast: opts.failFast,
    shouldStop: isInterrupted,
    stopReason: 'not run: the run was interrupted',
    onSkip: (step, reason) => {
      const index = indexOf.get(step.id) ?? ++started;
      indexOf.set(step.id, index);
      results.set(step.id, { uniqueId: step.id, status: 'skipped', message: reason, executionTime: 0 });
      opts.progress?.skipped();
      opts.emit({ type: 'node_end', index, total, uniqueId: step.id, label: label(step), status: 'skipped', message: reason, seconds: 0 });
    },
    run: async (step) => {
      const index = ++started;
      indexOf.set(step.id, index);
      opts.emit({ type: 'node_start', index, total, uniqueId: step.id, label: label(step) });
      opts.progress?.start(step.id, shortLabel(step), step.materialization === 'seed' ? 'loaded' : step.materialization === 'unload' ? 'unloaded' : undefined);
      if (opts.empty && step.materialization === 'unload') {
        const message = 'skipped under --empty: an unload writes files to the lake, and --empty writes nothing there';
        results.set(step.id, { uniqueId: step.id, status: 'skipped', message, executionTime: 0 });
        opts.progress?.end(step.id);
        opts.emit({ type: 'node_end', index, total, uniqueId: step.id, label: label(step), status: 'skipped', message, seconds: 0 });
        return { status: 'success', message };
      }
      const startedAt = new Date();
      const t0 = performance.now();
      const statements: string[] = [];
      // the node as it ran (rendered again at run time when its SQL depends on queries)
      const ran = { node: step.node };
      let result: NodeResult;
      const w = opts.warehouseOf(step.node);
      const d = w.adapter.dialect;
      try {
        const r: MaterializeResult & { batchResults?: BatchResults } = isMicrobatchStep(step) ? await runMicrobatch(step, w, opts, statements) : await w.adapter.withConnection((conn) => runStep(step, conn, w, opts, statements, plan, ran));
        result = {
          uniqueId: step.id,
          status: r.status ?? 'success',
          message: r.message,
          failures: r.failures,
          compiledPath: 'compiledPath' in step.node ? step.node.compiledPath : undefined,
          rowsAffected: r.rowsAffected,
          relationName: step.materialization === 'unload' || !('relation' in step.node) ? undefined : d.renderRelation(step.node.relation),
          location: r.location,
          batchResults: r.batchResults,
          startedAt: startedAt.toISOString(),
          completedAt: new Date().toISOString(),
          executionTime: (performance.now() - t0) / 1000,
        };
      } catch (e) {
        result = {
          uniqueId: step.id,
          status: 'error',
          message: failureMessage(e, mappedCode(ran.node), d),
          relationName: 'relation' in step.node ? d.renderRelation(step.node.relation) : undefined,
          startedAt: startedAt.toISOString(),
          completedAt: new Date().toISOString(),
          executionTime: (performance.now() - t0) / 1000,
        };
      }
      if (opts.warnError && result.status === 'warn') result = { ...result, status: 'fail', message: `${result.message} (a warning, failed by --warn-error)` };
      writeRunFile(opts, step, statements);
      results.set(step.id, result);
      opts.progress?.end(step.id);
      opts.emit({ type: 'node_end', index, total, uniqueId: step.id, label: label(step), status: result.status, message: result.message, seconds: result.executionTime, failures: result.failures });
      return { status: result.status, message: result.message };
    },
  });

  // an interrupted run ends now: on-run-end hooks would start new work
  if (!isInterrupted()) hookErrors.push(...(await runHooks(opts, 'on-run-end', opts.onRunEnd, runEndContext(plan, results))));
  const ordered = plan.steps.map((s) => results.get(s.id)!).filter(Boolean);
  return { results: ordered, hookErrors };
}


/** Model materializations by name; each is written against dialect primitives only. */
const MATERIALIZATIONS: Record<string, (ctx: MaterializeContext, node: ModelNode) => Promise<MaterializeResult>> = {
  view: materializeView,
  table: materializeTable,
  incremental: materializeIncremental,
  unload: materializeUnload,
};

/** A model's or test's compiled select and its source map, for placing a warehouse error at its line. */
function mappedCode(node: ManifestNode): MappedCode | undefined {
  return node.resourceType === 'model' || node.resourceType === 'snapshot' || node.resourceType === 'test' ? node : undefined;
}

async function runStep(step: PlanStep, conn: Connection, w: RunWarehouse, opts: RunOptions, statements: string[], plan: Plan, ran: { node: ManifestNode }): Promise<MaterializeResult> {
  const adapter = w.adapter;
  const ctx = materializeContext(conn, w, opts, statements, step.id);
  let node = step.node;
  const atRunTime = node.resourceType === 'model' || node.resourceType === 'snapshot' ? (node.renderAtRunTime ?? []) : [];
  const render = (target: RenderTarget) => renderNow(opts, target, adapter, conn, (sql) => statements.push(sql));
  if (node.resourceType === 'test' && node.renderAtRunTime?.includes('sql')) {
    const out = await render({ kind: 'test', id: node.uniqueId });
    node = ran.node = { ...node, compiledCode: out.sql, sourceMap: out.sourceMap };
    writeCompiledFile(opts, node);
  }
  if ((node.resourceType === 'model' || node.resourceType === 'snapshot') && atRunTime.includes('sql')) {
    // its SQL depends on queries: rendered now that its parents are built
    const out = await render({ kind: 'model', id: node.uniqueId });
    node = ran.node = { ...node, compiledCode: out.sql, sourceMap: out.sourceMap };
    writeCompiledFile(opts, node);
  }
  // where store_failures keeps failing rows: <schema>_tsql_test__audit
  const auditSchema = { database: w.database, schema: `${w.schema}_tsql_test__audit` };
  if (node.resourceType === 'source') return materializeExternal(ctx, node);
  if (node.resourceType === 'test' || node.resourceType === 'unit_test') {
    await checkBuiltColumns(node, rebuiltNodes(plan), (rel) => builtColumns(plan, rel, ctx.columns));
  }
  if (node.resourceType === 'unit_test') {
    const outcome = await runUnitTest(ctx, node, step.model);
    return { message: outcome.message, status: outcome.status, failures: outcome.failures, kind: 'view' };
  }
  if (node.resourceType === 'test') {
    const s = step.test!;
    let outcome;
    if (plan.folded.has(step.id)) {
      // One failing expression fails the shared scan: then each test runs its own query,
      // so only the broken test reports an error.
      // A probe that found bad rows (accepted_values) also needs the test's own query for the exact count.
      const count = await plan.folded.failures(ctx, step.id).catch(() => undefined);
      outcome = count === undefined ? await runTest(ctx, node, s, auditSchema) : foldedOutcome(count, s);
    } else {
      outcome = await runTest(ctx, node, s, auditSchema);
    }
    return { message: outcome.message, status: outcome.status, failures: outcome.failures, kind: 'view' };
  }
  return inNodeSession(ctx, node, async () => {
    await runNodeHooks(ctx, node, 'pre_hook', render);
    let result: MaterializeResult;
    if (node.resourceType === 'seed') {
      result = await materializeSeed(ctx, node as SeedNode, step.seed!);
    } else if (node.resourceType === 'snapshot') {
      result = await materializeSnapshot(ctx, node as SnapshotNode);
    } else {
      const materialize = MATERIALIZATIONS[step.materialization];
      if (!materialize) throw new Error(`materialization '${step.materialization}' is not available on ${adapter.dialect.type}`);
      result = await materialize(ctx, node as ModelNode);
    }
    await runNodeHooks(ctx, node, 'post_hook', render);
    return result;
  });
}

const rebuiltByPlan = new WeakMap<Plan, Map<string, ManifestNode>>();

/** The models and seeds the plan builds, by id. */
function rebuiltNodes(plan: Plan): Map<string, ManifestNode> {
  let m = rebuiltByPlan.get(plan);
  if (!m) {
    m = new Map(plan.steps.filter((s) => s.node.resourceType === 'model' || s.node.resourceType === 'seed' || s.node.resourceType === 'snapshot').map((s) => [s.id, s.node]));
    rebuiltByPlan.set(plan, m);
  }
  return m;
}

const columnsByPlan = new WeakMap<Plan, Map<string, Promise<Column[]>>>();

/** A rebuilt relation's columns, asked for once per run (its tests run after it is built, and it does not change after). */
function builtColumns(plan: Plan, rel: Relation, ask: (rel: Relation) => Promise<Column[]>): Promise<Column[]> {
  let m = columnsByPlan.get(plan);
  if (!m) columnsByPlan.set(plan, (m = new Map()));
  const key = relationKey(rel);
  let p = m.get(key);
  if (!p) {
    p = ask(rel).catch(() => []);
    m.set(key, p);
  }
  return p;
}

/** target/compiled/: a model rendered at run time replaces what the compile wrote. */
function writeCompiledFile(opts: RunOptions, node: BuiltNode | TestNode): void {
  const file = join(opts.targetDir, 'compiled', node.packageName, artifactPath(node));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, scrubSecrets((node.compiledCode ?? '') + '\n'));
}

function writeRunFile(opts: RunOptions, step: PlanStep, statements: string[]): void {
  if (!statements.length) return;
  const file = join(opts.targetDir, 'run', step.node.packageName, artifactPath(step.node));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, scrubSecrets(statements.map((s) => s.trim() + ';').join('\n\n') + '\n'));
}

/** A folded test's verdict from its count: the same thresholds and limit as its own query. */
function foldedOutcome(count: number, s: TestSettings) {
  const failures = s.limit !== undefined ? Math.min(count, s.limit) : count;
  return verdict(failures, meetsThreshold(failures, s.warnIf), meetsThreshold(failures, s.errorIf), s);
}
