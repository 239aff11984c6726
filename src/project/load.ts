import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { digest } from '../util/digest.js';
import { ErrorCollector, UserError } from '../errors.js';
import { findFiles, type ProjectFile } from './files.js';
import { loadProjectFile, type ProjectOverrides, type ProjectSettings } from './project-file.js';
import { readTextFile } from './text-file.js';
import { checkDepsInstalled } from './deps-check.js';
import { readInstalledPackage, type InstalledPackage } from './installed-package.js';
import { readProjectContent, validateFolderConfigs, type ProjectContent } from './project-content.js';
import { applySourceOverrides } from './source-overrides.js';
import { DocIndex, resolveDocCalls, type DocBlock } from './doc-blocks.js';

export interface SqlFile extends ProjectFile {
  name: string;
  text: string;
  checksum: string;
  fqn: string[];
}

/** The root project (its own content, see project-content.ts) and the packages installed in it. */
export interface LoadedProject extends ProjectContent {
  projectDir: string;
  /** installed packages (see installed-package.ts): their macros, models, seeds, tests … join the project */
  packages: InstalledPackage[];
  /** the doc blocks of the project and its packages (descriptions' doc() calls are already resolved) */
  allDocBlocks: DocBlock[];
  warnings: string[];
}

export function sha256(text: string): string {
  return digest('sha256', text, 'hex');
}

/** sha256 of a file's bytes, read in chunks (seeds may be big). */
export function fileSha256(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * The SQL (or, without text, CSV) files under `roots`. A file that cannot be
 * read as UTF-8 text is an error naming it and the byte offset; for models,
 * also a binary file and one without SQL (empty, or only comments).
 */
export function readSqlFiles(projectDir: string, roots: string[], ext: string, packageName: string, errors: ErrorCollector, opts: { withText?: boolean; model?: boolean } = {}): SqlFile[] {
  const withText = opts.withText ?? true;
  const out: SqlFile[] = [];
  for (const f of findFiles(projectDir, roots, [ext])) {
    const text = withText ? errors.guard(() => readTextFile(f.absPath, f.relPath, { binary: opts.model ? 'refuse' : undefined })) : '';
    if (text === undefined) continue;
    if (opts.model) {
      const empty = withoutSql(text);
      if (empty) errors.add(new UserError(`the model is ${empty}`, { file: f.relPath }, { hint: 'write a select, or delete the file' }));
    }
    const parts = f.pathInRoot.split('/');
    const name = parts[parts.length - 1].slice(0, -ext.length);
    out.push({ ...f, name, text, checksum: withText ? sha256(text) : '', fqn: [packageName, ...parts.slice(0, -1), name] });
  }
  return out;
}

/** 'empty' or 'only comments' for a model file without SQL; undefined otherwise. */
function withoutSql(text: string): string | undefined {
  if (!text.trim()) return 'empty';
  const bare = text
    .replace(/\{#[\s\S]*?#\}/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/--[^\n]*/g, '');
  return bare.trim() ? undefined : 'only comments, no select';
}

/**
 * Reads everything a project is made of from disk, with the packages `tsql
 * deps` installed, validating the project files and the properties (schema)
 * files. Templates are not rendered here.
 */
export function loadProject(projectDir: string, overrides: ProjectOverrides = {}, settings: ProjectSettings = loadProjectFile(projectDir, overrides)): LoadedProject {
  const errors = new ErrorCollector();
  const warnings: string[] = [...settings.warnings];
  const packageNames = checkDepsInstalled(projectDir, settings.packagesInstallPath);
  const root = readProjectContent(projectDir, '', settings, errors, warnings);
  const packages = packageNames.map((name) => errors.guard(() => readInstalledPackage(projectDir, settings.packagesInstallPath, name, errors, warnings))).filter((p) => p !== undefined);
  applySourceOverrides([root, ...packages].flatMap((p) => p.sourceOverrides), packages, errors);
  validateFolderConfigs(root, [root, ...packages], errors, warnings);
  for (const p of packages) validateFolderConfigs(p, [p], errors, warnings);
  checkPackageNames(root, packages, errors);
  const allDocBlocks = [root, ...packages].flatMap((p) => p.docBlocks);
  const docs = new DocIndex(root.name, allDocBlocks);
  for (const p of [root, ...packages]) resolveDescriptions(p, docs, errors);
  errors.throwIfAny();
  return { ...root, projectDir, packages, allDocBlocks, warnings };
}

/** A package named like the project would give its nodes the project's unique ids. */
function checkPackageNames(root: ProjectContent, packages: InstalledPackage[], errors: ErrorCollector): void {
  for (const p of packages) {
    if (p.name === root.name) errors.add(new UserError(`package '${p.name}' has the name of this project`, { file: p.settings.file }, { hint: `rename this project in ${root.settings.file}: unique ids (model.${p.name}.…) would collide` }));
  }
}

/** Every description's `{{ doc('name') }}` replaced by its block (models, seeds, sources, their columns, exposures). */
function resolveDescriptions(p: ProjectContent, docs: DocIndex, errors: ErrorCollector): void {
  const resolve = (text: string, file: string, line: number | undefined) => resolveDocCalls(text, docs, p.name, { file, line }, errors);
  for (const patch of [...p.modelPatches.values(), ...p.seedPatches.values(), ...p.analysisPatches.values(), ...p.singularTestPatches.values()]) {
    patch.description = resolve(patch.description, patch.file, patch.line);
    for (const c of Object.values(patch.columns)) c.description = resolve(c.description, patch.file, c.line);
  }
  for (const s of p.sources) {
    s.description = resolve(s.description, s.file, s.line);
    s.sourceDescription = resolve(s.sourceDescription, s.file, s.line);
    for (const c of Object.values(s.columns)) c.description = resolve(c.description, s.file, c.line);
  }
  for (const x of p.exposures) x.description = resolve(x.description, x.file, x.line);
  for (const m of p.macroPatches) {
    m.description = resolve(m.description, m.file, m.line);
    for (const a of m.arguments) a.description = resolve(a.description, m.file, a.line);
  }
}
