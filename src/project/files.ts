import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface ProjectFile {
  /** posix path relative to the project directory, e.g. models/staging/orders.sql */
  relPath: string;
  absPath: string;
  /** the configured root it was found under, e.g. models */
  root: string;
  /** posix path relative to that root, e.g. staging/orders.sql */
  pathInRoot: string;
}

/** The absolute path of an entry of a recursive `readdirSync(…, { withFileTypes: true })` (Node 20's `parentPath`, `path` before it). */
export function entryPath(e: Dirent): string {
  const parent = (e as unknown as { parentPath?: string; path?: string }).parentPath ?? (e as unknown as { path: string }).path;
  return join(parent, e.name);
}

/**
 * Whether a folder entry is a file the project is read from: a file, or a symbolic link to
 * one (as dbt reads them). A linked folder below a root is not followed, as in dbt.
 */
export function isProjectFile(e: Dirent, absPath: string): boolean {
  return e.isFile() || (e.isSymbolicLink() && statSync(absPath, { throwIfNoEntry: false })?.isFile() === true);
}

/** Files under the given roots whose names end with one of `exts`, sorted by path. */
export function findFiles(projectDir: string, roots: string[], exts: string[]): ProjectFile[] {
  const out: ProjectFile[] = [];
  for (const root of roots) {
    const absRoot = join(projectDir, root);
    if (!existsSync(absRoot)) continue;
    const entries = readdirSync(absRoot, { recursive: true, withFileTypes: true });
    // paths below the root are cut from the entries' own paths (path.relative per file is slow on large projects)
    const rootRel = relative(projectDir, absRoot).split(sep).join('/');
    const rootName = root.replace(/\/+$/, '');
    for (const e of entries) {
      if (!exts.some((x) => e.name.endsWith(x))) continue;
      const absPath = entryPath(e);
      if (!isProjectFile(e, absPath)) continue;
      const below = absPath.startsWith(absRoot + sep) ? absPath.slice(absRoot.length + 1) : relative(absRoot, absPath);
      const pathInRoot = sep === '/' ? below : below.split(sep).join('/');
      if (pathInRoot.startsWith('.') || pathInRoot.includes('/.')) continue;
      out.push({ relPath: rootRel && !rootRel.startsWith('..') ? `${rootRel}/${pathInRoot}` : relative(projectDir, absPath).split(sep).join('/'), absPath, root: rootName, pathInRoot });
    }
  }
  out.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  return out;
}
