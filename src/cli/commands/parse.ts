import type { ParsedOptions } from '../options.js';
import { Reporter } from '../reporter.js';
import { closeSession, openSession, publishCompiled, reusedNote } from '../session.js';
import { describeProject } from './describe.js';

/**
 * `tsql parse`: loads and compiles the whole project without reading the
 * warehouse (no catalog: `is_incremental()` is false, nothing is queried),
 * writes target/manifest.json and prints one line.
 */
export async function parseCommand(options: ParsedOptions): Promise<number> {
  const reporter = new Reporter(options.logFormat);
  const t0 = performance.now();
  const session = await openSession(options, { which: 'parse', readCatalog: false });
  try {
    await publishCompiled(session, reporter, 'parse');
    reporter.info(`Parsed ${describeProject(session.compiled.manifest)} in ${((performance.now() - t0) / 1000).toFixed(2)}s${reusedNote(session)}; wrote ${session.settings.targetPath}/manifest.json`);
    return 0;
  } finally {
    await closeSession(session);
  }
}
