import { commandSelection, selectFromManifest } from '../../graph/manifest-graph.js';
import { checkSelectionNotEmpty } from '../../graph/empty-selection.js';
import type { ResourceType } from '../../graph/selector.js';
import type { ParsedOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import { closeSession, openSession, publishCompiled, reusedNote } from '../session.js';
import type { Manifest } from '../../compiler/compiler.js';
import { describeProject } from './describe.js';
import { checkInline, inlineModel, inlineNode } from '../inline-node.js';

/**
 * Renders every node and writes target/manifest.json and target/compiled/; with `--inline
 * SQL`, prints that SQL compiled in the project's context instead.
 */
export async function compileCommand(options: ParsedOptions, args: { inline?: string } = {}): Promise<number> {
  checkInline(options, args.inline, 'compile');
  if (args.inline !== undefined) return compileInline(options, args.inline);
  const reporter = new Reporter(options.logFormat);
  const t0 = performance.now();
  const selection = (m: Manifest, targetDir: string) => selectFromManifest(m, { ...commandSelection(options), targetDir, types: ['model', 'seed', 'snapshot'] });
  const session = await openSession(options, { which: 'compile', readCatalog: true, selection });
  try {
    const { manifest } = session.compiled;
    // with --select, the selected models' SQL is printed: a selection of nothing is a mistake
    const types: ResourceType[] = ['model', 'snapshot', 'analysis'];
    const picked = options.select.length || (options.selector && !options.selector.isDefault) ? selectFromManifest(manifest, { ...commandSelection(options), targetDir: session.targetDir, types }) : undefined;
    if (picked) checkSelectionNotEmpty(manifest, picked, { select: options.select, exclude: options.exclude, selector: options.selector, types, command: 'compile' });
    await publishCompiled(session, reporter, 'compile');
    if (picked) {
      for (const id of picked) {
        const n = manifest.nodes.get(id);
        if ((n?.resourceType === 'model' || n?.resourceType === 'snapshot' || n?.resourceType === 'analysis') && options.logFormat === 'text') {
          process.stdout.write(`-- ${n.originalFilePath}\n${n.compiledCode}\n\n`);
        }
      }
    }
    reporter.info(`Compiled ${describeProject(manifest)} in ${((performance.now() - t0) / 1000).toFixed(2)}s${reusedNote(session)}; artifacts in ${session.settings.targetPath}/`);
    return 0;
  } finally {
    await closeSession(session);
  }
}

/** `tsql compile --inline SQL`: the compiled SQL on stdout (warnings on stderr); nothing is written to target/. */
async function compileInline(options: ParsedOptions, sql: string): Promise<number> {
  const reporter = new Reporter(options.logFormat, process.stderr);
  const session = await openSession(options, { which: 'compile', readCatalog: true, extraModel: inlineModel(sql) });
  try {
    for (const w of session.compiled.warnings) reporter.warn(w);
    for (const l of session.compiled.logs) reporter.info(l);
    process.stdout.write(`${inlineNode(session.compiled.manifest).compiledCode.trim()}\n`);
    return 0;
  } finally {
    await closeSession(session);
  }
}
