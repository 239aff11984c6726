import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { resourcePaths, type ProjectSettings } from './project-file.js';
import { entryPath, isProjectFile } from './files.js';

/**
 * The state of every file a project is loaded from, by its metadata (size, modification and
 * change times, inode), as git's index tells a changed file without reading it: the files under
 * the resource folders (models, seeds, macros, tests, analyses, snapshots, docs), every
 * installed package, and the YAML files at the project's top (the project file, packages,
 * selectors …). Taken before the files are read, so that a file changed while tsql reads it
 * shows as changed the next time. The change time cannot be set back by tools that restore a
 * modification time (`touch -d`, `tar`, `rsync -t`), and an editor that saves by renaming gives
 * the file a new inode.
 */
export interface InputSnapshot {
  /** one line per file and per missing folder, sorted */
  files: string;
  /**
   * A file changed less than RACY_MS before the snapshot: another change within the file
   * system's time resolution could leave its metadata as it is, so the snapshot cannot vouch
   * for its content.
   */
  racy: boolean;
}

const RACY_MS = 2000;

export function snapshotInputs(projectDir: string, settings: ProjectSettings): InputSnapshot {
  const now = Date.now();
  const lines: string[] = [];
  let racy = false;
  const note = (rel: string, abs: string): void => {
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    if (now - st.mtimeMs < RACY_MS || now - st.ctimeMs < RACY_MS) racy = true;
    lines.push(`${rel}\t${st.size}\t${st.mtimeMs}\t${st.ctimeMs}\t${st.ino}`);
  };
  for (const e of readdirSync(projectDir, { withFileTypes: true })) {
    // a linked project or profiles file is read through its link
    if ((e.isFile() || e.isSymbolicLink()) && /\.ya?ml$/.test(e.name)) note(e.name, join(projectDir, e.name));
  }
  const roots = new Set([...resourcePaths(settings), ...settings.docsPaths, settings.packagesInstallPath]);
  for (const root of roots) {
    const absRoot = join(projectDir, root);
    let entries;
    try {
      entries = readdirSync(absRoot, { recursive: true, withFileTypes: true });
    } catch {
      lines.push(`${root}\tmissing`);
      continue;
    }
    for (const e of entries) {
      const abs = entryPath(e);
      // a linked file: the metadata of the file it leads to (statSync follows the link)
      if (isProjectFile(e, abs)) note(relative(projectDir, abs).split(sep).join('/'), abs);
    }
  }
  lines.sort();
  return { files: lines.join('\n'), racy };
}
