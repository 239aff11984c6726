import { UserError, type ErrorCollector } from '../errors.js';
import { findFiles } from './files.js';
import type { ProjectSettings } from './project-file.js';
import { duplicateSnapshotNames, parseSnapshotBlocks } from './snapshot-blocks.js';
import { readTextFile } from './text-file.js';

/**
 * tsql does not build snapshots yet. Skipping them with a warning would lose
 * history for good (a snapshot records what a table held on the day it ran),
 * so every snapshot block under `snapshot-paths` is an error naming its file
 * and line, unless the project opts out with `snapshot-paths: []`. The blocks
 * are parsed, so a malformed one gets its own message.
 */
export function refuseSnapshots(projectDir: string, settings: ProjectSettings, errors: ErrorCollector): void {
  const found: Array<{ name: string; file: string; line: number }> = [];
  for (const f of findFiles(projectDir, settings.snapshotPaths, ['.sql'])) {
    const text = errors.guard(() => readTextFile(f.absPath, f.relPath));
    if (text === undefined) continue;
    const parsed = parseSnapshotBlocks(text, f.relPath);
    parsed.errors.forEach((e) => errors.add(e));
    for (const b of parsed.blocks) found.push({ name: b.name, file: f.relPath, line: b.line });
  }
  duplicateSnapshotNames(found).forEach((e) => errors.add(e));
  for (const s of found) errors.add(snapshotRefused(s.name, { file: s.file, line: s.line }, settings.file));
}

/** The error for one snapshot (a block, or an entry under `snapshots:` in a properties file with `relation:`). */
export function snapshotRefused(name: string, place: { file: string; line?: number }, projectFile: string): UserError {
  return new UserError(`snapshot '${name}' cannot be built: tsql does not run snapshots yet, and skipping one would lose its history`, place, {
    hint: `keep running it with dbt for now, or set snapshot-paths: [] in ${projectFile} to build the rest of the project without snapshots`,
  });
}
