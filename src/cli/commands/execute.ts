import { writeRunResults } from '../../artifacts/write.js';
import { writeCiReports } from '../../artifacts/ci-reports.js';
import { newReport, reportNode, type RunReport } from '../../artifacts/run-report.js';
import { formatPlace, isUserError, UserError, UserErrors } from '../../errors.js';
import { executePlan } from '../../execution/run-plan.js';
import { describeSelection, emptySelectionMistake, selectionGiven, selectsByRunState, unmatchedSelectorError } from '../../graph/empty-selection.js';
import { commandSelection, selectFromManifest } from '../../graph/manifest-graph.js';
import type { ResourceType } from '../../graph/selector.js';
import { buildPlan, type ExecutableType } from '../../plan/plan.js';
import { checkTestColumns } from '../../tests/preflight.js';
import { inferColumnsOfRebuilt } from '../../tests/inferred-columns.js';
import { addDays, daysBetween } from '../../run-date/run-date.js';
import { isFailure } from '../../execution/dag-runner.js';
import { isMicrobatchStep, type BatchResults } from '../../execution/run-microbatch.js';
import type { Column } from '../../adapters/types.js';
import type { ParsedOptions } from '../options.js';
import { Reporter, tally, type ClosingNote } from '../reporter.js';
import { StatusLine } from '../status-line.js';
import { RunProgress } from '../../execution/progress.js';
import { isInterrupted } from '../../util/interrupt-state.js';
import { artifactMeta, closeSession, openSession, publishCompiled } from '../session.js';
import type { Manifest } from '../../compiler/compiler.js';
import { describeProject } from './describe.js';
import { diffExitCode, diffSelected } from './diff.js';

export type ExecuteCommand = 'run' | 'seed' | 'build' | 'test' | 'stage-external' | 'snapshot';

/** What each command selects from, and what it executes. */
export const COMMAND_TYPES: Record<ExecuteCommand, { select: ResourceType[]; execute: ExecutableType[] }> = {
  run: { select: ['model'], execute: ['model', 'external'] },
  seed: { select: ['seed'], execute: ['seed'] },
  build: { select: ['seed', 'model', 'snapshot', 'test', 'unit_test'], execute: ['seed', 'model', 'snapshot', 'external', 'test'] },
  test: { select: ['test', 'unit_test'], execute: ['test'] },
  'stage-external': { select: ['source'], execute: ['external'] },
  snapshot: { select: ['snapshot'], execute: ['snapshot', 'external'] },
};

/** How `tsql retry` narrows a command: exactly these nodes, and how it names itself. */
export interface RetryScope {
  nodes: Set<string>;
  /** microbatch models that partly succeeded: only their failed batches run again */
  batches: Map<string, BatchResults>;
  /** 'retry': recorded in run_results.json's args, shown in the reports */
  invokedAs: string;
}

/**
 * `run`, `seed`, `build`, `test` and `stage-external`, for one run date or, with
 * --start/--end, once per day in date order (each day a full DAG pass; the
 * first failed day stops the backfill). Returns the exit code. The CI reports
 * (--junit-xml, --summary-md) are written however it ends, a mistake on the
 * command line included.
 */
export async function executeCommand(command: ExecuteCommand, options: ParsedOptions, retry?: RetryScope): Promise<number> {
  const reporter = new Reporter(options.logFormat);
  const report = newReport(retry ? `${retry.invokedAs} (${command})` : command);
  const t0 = performance.now();
  try {
    report.exitCode = await executeDays(command, options, reporter, report, retry);
    return report.exitCode;
  } catch (e) {
    report.exitCode = isUserError(e) ? 2 : 1;
    report.stopErrors = e instanceof UserErrors ? e.errors.map((x) => x.format()) : e instanceof UserError ? [e.format()] : [firstLine(e)];
    throw e;
  } finally {
    report.seconds = (performance.now() - t0) / 1000;
    writeCiReports(options, report);
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

async function executeDays(command: ExecuteCommand, options: ParsedOptions, reporter: Reporter, report: RunReport, retry?: RetryScope): Promise<number> {
  if (!options.backfill) return executeDay(command, options, reporter, report, retry);
  const days = daysBetween(options.backfill.start, options.backfill.end);
  for (let i = 0; i < days.length; i++) {
    reporter.info(`Run date ${days[i]} (${i + 1} of ${days.length})`);
    const code = await executeDay(command, { ...options, runDate: { ds: days[i] } }, reporter, report, retry);
    if (code !== 0) {
      const message = `backfill stopped: run date ${days[i]} failed${i + 1 < days.length ? `; ${days.slice(i + 1).join(', ')} not run` : ''}`;
      reporter.emit({ type: 'log', level: 'error', message });
      report.notes.push(message);
      return code;
    }
  }
  reporter.info(`Backfill completed: ${days.length} run date${days.length === 1 ? '' : 's'}, ${days[0]} to ${days[days.length - 1]}`);
  return 0;
}

async function executeDay(command: ExecuteCommand, options: ParsedOptions, reporter: Reporter, report: RunReport, retry?: RetryScope): Promise<number> {
  const t0 = performance.now();
  const types = COMMAND_TYPES[command];
  const select = (m: Manifest, targetDir: string) => selectFromManifest(m, { ...commandSelection(options), targetDir, types: types.select });
  const session = await openSession(options, { which: command, readCatalog: true, selection: select, runLock: { onWait: (m) => reporter.info(m) } });
  // manifest.json is written once the big seeds' checksums are done; the nodes do not wait for it
  let manifestWritten: Promise<void> = Promise.resolve();
  const writeResults = async (...args: Parameters<typeof writeRunResults>) => {
    await manifestWritten;
    writeRunResults(...args);
  };
  try {
    report.target = session.target.targetName;
    report.adapterType = session.target.type;
    report.runDates.push(options.runDate.ds);
    if (options.warnError && session.compiled.warnings.length) {
      throw new UserErrors(session.compiled.warnings.map((w) => new UserError(`${w} [a warning, an error with --warn-error]`)));
    }
    manifestWritten = publishCompiled(session, reporter, command);
    const { manifest } = session.compiled;
    const meta = artifactMeta(session, command);
    const args = runArgs(command, options, session.startedAt, retry);

    const gone = retry ? [...retry.nodes].filter((id) => !manifest.nodes.has(id)) : [];
    if (gone.length) reporter.warn(`not retried, no longer in the project: ${gone.join(', ')}`);
    const selected = retry
      ? new Set([...retry.nodes].filter((id) => types.select.includes(manifest.nodes.get(id)?.resourceType as ResourceType)))
      : select(manifest, session.targetDir);
    // state:, result: and source_status: depend on the run, not on the project: a pull request
    // that changes no node (only docs, say) has nothing to build, and that is not a mistake
    const byRunState = selectionGiven(options) && selectsByRunState(options);
    const err = !selected.size && !retry ? emptySelectionMistake(manifest, { select: options.select, exclude: options.exclude, selector: options.selector, types: types.select, command }) : undefined;
    if (err && !options.allowEmptySelection) throw err;
    if (!selected.size && !retry && (err || byRunState)) {
      const note = err ? `nothing to ${command}: ${err.message} (allowed by --allow-empty-selection)` : `nothing to ${command}: no node matches ${describeSelection(options)} against --state ${options.state?.label ?? ''}`.trimEnd();
      reporter.info(note);
      report.notes.push(note);
      await writeResults(session.targetDir, [], meta, (performance.now() - t0) / 1000, args);
      return 0;
    }
    const unmatched = retry ? undefined : unmatchedSelectorError(manifest, { select: options.select, exclude: options.exclude, types: types.select });
    if (unmatched && !options.allowEmptySelection) throw unmatched;
    if (unmatched) reporter.warn(`${unmatched.format()}; allowed by --allow-empty-selection`);
    const plan = buildPlan(manifest, selected, { types: types.execute, dialectOf: (n) => session.warehouseOf(n).adapter.dialect, foldTests: options.foldTests, lakeRootOf: (n) => session.warehouseOf(n).lakeRoot });
    if (options.backfill && options.fullRefresh) {
      const rebuilt = plan.steps.filter((st) => isMicrobatchStep(st) && st.node.config.full_refresh !== false).map((st) => st.node);
      if (rebuilt.length) {
        const n = rebuilt[0];
        throw new UserError(`--full-refresh with --start/--end would rebuild microbatch model '${n.name}' on every day of the backfill, keeping only the last day`, { file: n.originalFilePath }, {
          hint: `rebuild the range once: tsql ${command} --full-refresh --event-time-start ${options.backfill.start} --event-time-end ${addDays(options.backfill.end, 1)}`,
        });
      }
    }
    if (plan.steps.some((s) => s.node.resourceType === 'test' || s.node.resourceType === 'unit_test')) {
      const columns = new Map<string, Column[]>();
      for (const w of session.warehouses.values()) for (const [k, v] of await w.adapter.listColumns()) columns.set(k, v);
      checkTestColumns(plan, manifest, columns, await inferColumnsOfRebuilt(plan, manifest, columns));
    }

    reporter.info(`Running with tsql on ${session.adapter.describe()}, target '${session.target.targetName}', ${session.threads} thread${session.threads === 1 ? '' : 's'}, run date ${options.runDate.ds}`);
    for (const w of session.warehouses.values()) {
      if (w.adapter !== session.adapter) reporter.info(`  and on ${w.adapter.describe()}, connection '${w.name}'`);
    }
    reporter.info(`Found ${describeProject(manifest)}`);
    if (options.fullRefresh && plan.steps.some((s) => s.node.resourceType === 'snapshot')) {
      reporter.info('--full-refresh leaves snapshots as they are: their history cannot be rebuilt (as in dbt, they run as usual)');
    }
    if (!plan.steps.length) {
      const message = `nothing to ${command}: the selection matched no ${types.select.join(' or ')}s`;
      if (options.warnError && !options.allowEmptySelection) throw new UserError(`${message} [a warning, an error with --warn-error]`);
      reporter.warn(message);
      report.notes.push(message);
      await writeResults(session.targetDir, [], meta, (performance.now() - t0) / 1000, args);
      return 0;
    }
    reporter.info('');
    const progress = new RunProgress(plan.steps.length);
    reporter.attachStatus(StatusLine.forRun(progress));
    const outcome = await executePlan(plan, {
      progress,
      warehouseOf: (n) => session.warehouseOf(n),
      threads: session.threads,
      failFast: options.failFast,
      fullRefresh: options.fullRefresh,
      targetDir: session.targetDir,
      emit: (e) => reporter.emit(e),
      onRunStart: manifest.onRunStart,
      onRunEnd: manifest.onRunEnd,
      runDate: options.runDate.ds,
      warnError: options.warnError,
      empty: options.empty,
      runTime: session.compiled.runTime,
      microbatch: {
        // a backfill's pass builds its day's batches; --event-time-* exactly theirs; --ds D the batches of D and lookback before
        window: options.eventTime ?? (options.backfill ? { start: new Date(`${options.runDate.ds}T00:00:00Z`), end: new Date(`${addDays(options.runDate.ds, 1)}T00:00:00Z`) } : undefined),
        day: !options.backfill && options.runDateGiven ? options.runDate.ds : undefined,
        now: options.batchNow ?? session.startedAt,
        retry: retry?.batches,
      },
    }).finally(() => reporter.detachStatus());
    const elapsed = (performance.now() - t0) / 1000;
    await writeResults(session.targetDir, outcome.results, meta, elapsed, args);
    const materializations = new Map(plan.steps.map((s) => [s.id, s.materialization]));
    // in the order they ran; what was skipped last
    const ran = [...outcome.results].sort((a, b) => (a.startedAt ?? '~').localeCompare(b.startedAt ?? '~'));
    for (const r of ran) {
      report.nodes.push(reportNode(manifest.nodes.get(r.uniqueId)!, materializations.get(r.uniqueId) ?? '', r, options.backfill ? options.runDate.ds : undefined));
    }
    report.hookErrors.push(...outcome.hookErrors.map((h) => `${formatPlace(h)}: ${h.message}`));

    const kinds = plan.steps.map((s) => s.materialization);
    reporter.emit({ type: 'summary', counts: Object.fromEntries(stepCounts(kinds)), seconds: elapsed, description: describeSteps(kinds) });
    const counts = tally(outcome.results.map((r) => r.status));
    const notes = (keep: (status: string) => boolean): ClosingNote[] =>
      outcome.results
        .filter((r) => keep(r.status))
        .map((r) => {
          const n = manifest.nodes.get(r.uniqueId)!;
          return { label: `${n.resourceType} ${n.name}`, file: n.originalFilePath, message: r.message };
        });
    const failures = notes(isFailure);
    for (const h of outcome.hookErrors) failures.push({ label: 'hook', file: h.file, line: h.line, message: h.message });
    counts.error += outcome.hookErrors.length;
    reporter.done(counts, failures, notes((s) => s === 'warn'));
    const code = counts.error ? 1 : 0;
    if (!options.diff || isInterrupted()) return code;
    // build --diff: the models this build made, against production's
    const built = outcome.results.filter((r) => r.status === 'success' && manifest.nodes.get(r.uniqueId)?.resourceType === 'model').map((r) => r.uniqueId);
    reporter.info('');
    const diffs = await diffSelected(session, built, reporter);
    report.dataDiff = diffs;
    return Math.max(code, diffExitCode(diffs, options.failOnDiff));
  } finally {
    await manifestWritten.catch(() => undefined);
    await closeSession(session);
  }
}

/**
 * run_results.json's `args`, as dbt stores them: what `tsql retry` needs to run
 * the same command again (`which`, the run date, vars, target, flags).
 */
function runArgs(command: string, o: ParsedOptions, startedAt: Date, retry?: RetryScope): Record<string, unknown> {
  return {
    which: command,
    invoked_as: retry?.invokedAs ?? command,
    ds: o.runDate.ds,
    ds_given: o.runDateGiven,
    event_time_start: o.eventTime?.start.toISOString() ?? null,
    event_time_end: o.eventTime?.end.toISOString() ?? null,
    // microbatch models count their batches from here (a retry keeps the first run's)
    run_started_at: (o.batchNow ?? startedAt).toISOString(),
    backfill: o.backfill ?? null,
    select: o.select,
    exclude: o.exclude,
    full_refresh: o.fullRefresh,
    fail_fast: o.failFast,
    warn_error: o.warnError,
    fold_tests: o.foldTests ?? null,
    threads: o.threads ?? null,
    target: o.target ?? null,
    profiles_dir: o.profilesDir ?? null,
    vars: o.vars,
    state: o.state?.dir ?? null,
    defer: o.defer,
    favor_state: o.favorState,
    empty: o.empty,
    diff: o.diff,
    fail_on_diff: o.failOnDiff,
  };
}

/** How many nodes of each kind (seed, view, table, …, test, unit_test) the plan ran. */
function stepCounts(materializations: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of materializations) counts.set(m, (counts.get(m) ?? 0) + 1);
  return counts;
}

function describeSteps(materializations: string[]): string {
  const counts = stepCounts(materializations);
  const order = ['unit_test', 'seed', 'unload', 'external', 'snapshot', 'view', 'table', 'incremental', 'test'];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [...counts]
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([m, n]) => (m === 'seed' || m === 'snapshot' ? plural(n, m) : m === 'external' ? plural(n, 'external source') : m === 'test' ? plural(n, 'data test') : m === 'unit_test' ? plural(n, 'unit test') : plural(n, `${m} model`)))
    .join(', ');
}
