import { writeRunResults } from '../../artifacts/write.js';
import { executePlan } from '../../execution/run-plan.js';
import { selectFromManifest } from '../../graph/manifest-graph.js';
import type { ResourceType } from '../../graph/selector.js';
import { buildPlan, type ExecutableType } from '../../plan/plan.js';
import type { ParsedOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import { artifactMeta, openSession, publishCompiled } from '../session.js';
import { describeProject } from './describe.js';

/** `run`, `seed` and `build`: select → plan → execute → artifacts. Returns the exit code. */
export async function executeCommand(command: 'run' | 'seed' | 'build', options: ParsedOptions): Promise<number> {
  const reporter = new Reporter(options.logFormat);
  const t0 = performance.now();
  const session = await openSession(options, { readCatalog: true });
  try {
    publishCompiled(session, reporter, command);
    const { manifest } = session.compiled;
    const meta = artifactMeta(session, command);

    const types: ExecutableType[] = command === 'run' ? ['model'] : command === 'seed' ? ['seed'] : ['seed', 'model'];
    const selected = selectFromManifest(manifest, { select: options.select, exclude: options.exclude, types: types as ResourceType[] });
    const plan = buildPlan(manifest, selected, { types, dialect: session.adapter.dialect });

    reporter.info(`Running with tsql on ${session.adapter.describe()}, target '${session.target.targetName}', ${session.threads} thread${session.threads === 1 ? '' : 's'}`);
    reporter.info(`Found ${describeProject(manifest)}`);
    if (!plan.steps.length) {
      reporter.warn(`nothing to ${command}: the selection matched no ${types.join(' or ')}s`);
      writeRunResults(session.targetDir, [], meta, (performance.now() - t0) / 1000, runArgs(command, options));
      return 0;
    }
    reporter.info('');
    const outcome = await executePlan(plan, {
      adapter: session.adapter,
      catalog: session.catalog,
      threads: session.threads,
      failFast: options.failFast,
      fullRefresh: options.fullRefresh,
      targetDir: session.targetDir,
      projectName: manifest.projectName,
      emit: (e) => reporter.emit(e),
      onRunStart: manifest.onRunStart,
      onRunEnd: manifest.onRunEnd,
    });
    const elapsed = (performance.now() - t0) / 1000;
    writeRunResults(session.targetDir, outcome.results, meta, elapsed, runArgs(command, options));

    reporter.emit({ type: 'summary', counts: {}, seconds: elapsed, description: describeSteps(plan.steps.map((s) => s.materialization)) });
    const counts = { pass: 0, warn: 0, error: 0, skip: 0, total: outcome.results.length };
    for (const r of outcome.results) {
      if (r.status === 'success' || r.status === 'pass') counts.pass++;
      else if (r.status === 'warn') counts.warn++;
      else if (r.status === 'skipped') counts.skip++;
      else counts.error++;
    }
    const failures = outcome.results
      .filter((r) => r.status === 'error')
      .map((r) => {
        const n = manifest.nodes.get(r.uniqueId)!;
        return { label: `${n.resourceType} ${n.name}`, file: n.originalFilePath, message: r.message };
      });
    for (const h of outcome.hookErrors) failures.push({ label: 'hook', file: session.project.settings.file, message: h });
    counts.error += outcome.hookErrors.length;
    reporter.done(counts, failures);
    return counts.error ? 1 : 0;
  } finally {
    await session.adapter.close();
  }
}

function runArgs(command: string, o: ParsedOptions): Record<string, unknown> {
  return { which: command, select: o.select, exclude: o.exclude, full_refresh: o.fullRefresh, fail_fast: o.failFast, threads: o.threads ?? null, target: o.target ?? null, vars: o.vars };
}

function describeSteps(materializations: string[]): string {
  const counts = new Map<string, number>();
  for (const m of materializations) counts.set(m, (counts.get(m) ?? 0) + 1);
  const order = ['seed', 'view', 'table', 'incremental'];
  return [...counts]
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([m, n]) => (m === 'seed' ? `${n} seed${n === 1 ? '' : 's'}` : `${n} ${m} model${n === 1 ? '' : 's'}`))
    .join(', ');
}
