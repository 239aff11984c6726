import { writeCiReports } from '../../artifacts/ci-reports.js';
import { newReport } from '../../artifacts/run-report.js';
import { diffJson, diffTextLines } from '../../diff/diff-render.js';
import { hasDifferences, type ModelDiff } from '../../diff/model-diff.js';
import { runDiff } from '../../diff/run-diff.js';
import { isUserError, UserError, UserErrors } from '../../errors.js';
import { emptySelectionError } from '../../graph/empty-selection.js';
import { selectFromManifest } from '../../graph/manifest-graph.js';
import { didYouMean } from '../../util/suggest.js';
import type { ParsedOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import { closeSession, openSession, type Session } from '../session.js';

const OUTPUTS = ['text', 'json'];

/** What --output takes; a mistake is a user error before anything runs. */
export function checkDiffOutput(output: string | undefined): 'text' | 'json' {
  const out = output ?? 'text';
  if (!OUTPUTS.includes(out)) throw new UserError(`--output must be text or json, got '${out}'`, {}, { hint: didYouMean(out, OUTPUTS) });
  return out as 'text' | 'json';
}

/**
 * `tsql diff`: each selected model here against production's relation, in the
 * warehouse. Exit 0 when the comparison ran (differences are information),
 * 1 when a query failed or, with --fail-on-diff, anything differs.
 */
export async function diffCommand(options: ParsedOptions, output: string | undefined): Promise<number> {
  const report = newReport('diff');
  const t0 = performance.now();
  try {
    const out = checkDiffOutput(output);
    if (!options.state) throw new UserError("tsql diff compares with production: pass --state DIR, the folder holding production's manifest.json", {}, { hint: 'e.g. tsql diff --state prod-artifacts --target ci' });
    const reporter = new Reporter(options.logFormat, out === 'json' ? process.stderr : process.stdout);
    const session = await openSession(options, { which: 'diff', readCatalog: false });
    try {
      report.target = session.target.targetName;
      report.adapterType = session.target.type;
      for (const w of session.compiled.warnings) reporter.warn(w);
      // the default is state:modified, not selectors.yml's default selector
      const selector = options.selector && !options.selector.isDefault ? options.selector : undefined;
      const select = options.select.length || selector ? options.select : ['state:modified'];
      const selected = selectFromManifest(session.compiled.manifest, { select, selector, indirectSelection: options.indirectSelection, exclude: options.exclude, state: options.state, targetDir: session.targetDir, types: ['model'] });
      if (!selected.size) {
        if (options.select.length || options.exclude.length || selector) throw emptySelectionError(session.compiled.manifest, { select: options.select, exclude: options.exclude, selector, types: ['model'], command: 'diff' });
        const note = `nothing to diff: no model is modified against --state ${options.state.label}`;
        reporter.info(note);
        report.notes.push(note);
        report.dataDiff = [];
        return 0;
      }
      const diffs = await diffSelected(session, selected, reporter, out);
      report.dataDiff = diffs;
      report.exitCode = diffExitCode(diffs, options.failOnDiff);
      return report.exitCode;
    } finally {
      await closeSession(session);
    }
  } catch (e) {
    report.exitCode = isUserError(e) ? 2 : 1;
    report.stopErrors = e instanceof UserErrors ? e.errors.map((x) => x.format()) : e instanceof UserError ? [e.format()] : [String((e as Error)?.message ?? e).split('\n')[0]];
    throw e;
  } finally {
    report.seconds = (performance.now() - t0) / 1000;
    writeCiReports({ summaryMd: options.summaryMd }, report);
  }
}

/** Compares the selected models and prints them: text lines through the reporter, or one JSON object per model on stdout. */
export async function diffSelected(session: Session, selected: Iterable<string>, reporter: Reporter, output: 'text' | 'json' = 'text'): Promise<ModelDiff[]> {
  const state = session.options.state!;
  if (output === 'text') reporter.info(`Comparing with production (--state ${state.label}) on ${session.adapter.describe()}`);
  const diffs = await runDiff({ manifest: session.compiled.manifest, selected, state, warehouse: session.warehouseOf(undefined), threads: session.threads });
  if (output === 'json') {
    for (const d of diffs) process.stdout.write(JSON.stringify(diffJson(d)) + '\n');
  } else {
    for (const d of diffs) for (const line of diffTextLines(d)) (d.status === 'error' ? reporter.warn(line) : reporter.info(line));
    const differing = diffs.filter(hasDifferences).length;
    reporter.info(`Data diff: ${diffs.length} model${diffs.length === 1 ? '' : 's'} compared, ${differing} ${differing === 1 ? 'differs' : 'differ'}`);
  }
  return diffs;
}

/** 1 when a comparison failed, or when something differs and --fail-on-diff asks for it; else 0. */
export function diffExitCode(diffs: ModelDiff[], failOnDiff: boolean): number {
  if (diffs.some((d) => d.status === 'error')) return 1;
  return failOnDiff && diffs.some(hasDifferences) ? 1 : 0;
}
