import { refuseSnapshots } from './snapshots-refused.js';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { ErrorCollector, UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { findFiles, type ProjectFile } from './files.js';
import { FolderConfig } from './folder-config.js';
import { loadProjectFile, type ProjectOverrides, type ProjectSettings } from './project-file.js';
import { readTextFile } from './text-file.js';
import { unreadFiles } from './unread-files.js';
import { readDocBlocks, resolveDocCalls, type DocBlock } from './doc-blocks.js';
import { checkDepsInstalled } from './deps-check.js';
import { readInstalledPackage, type InstalledPackage } from './installed-package.js';
import { parseSchemaFile, type ResourcePatch, type SourceTableDef, type TestDef } from './schema-yaml.js';
import type { ExposureDef } from './exposures-yaml.js';
import type { GroupDef } from './groups-yaml.js';

export interface SqlFile extends ProjectFile {
  name: string;
  text: string;
  checksum: string;
  fqn: string[];
}

export interface LoadedProject {
  projectDir: string;
  settings: ProjectSettings;
  models: SqlFile[];
  seeds: SqlFile[];
  macroFiles: SqlFile[];
  singularTests: SqlFile[];
  modelPatches: Map<string, ResourcePatch>;
  seedPatches: Map<string, ResourcePatch>;
  sources: SourceTableDef[];
  tests: TestDef[];
  unitTests: Array<{ raw: unknown; file: string; line?: number }>;
  /** `.sql` files under analysis-paths: compiled, never run */
  analyses: SqlFile[];
  /** `exposures:` of the properties files */
  exposures: ExposureDef[];
  /** `groups:` of the properties files (for model access) */
  groups: GroupDef[];
  /** `{% docs %}` blocks of the .md files under docs-paths (descriptions' doc() calls are already resolved) */
  docBlocks: DocBlock[];
  /** installed packages (see installed-packages.ts): their macros join the project */
  packages: InstalledPackage[];
  folderConfigs: { models: FolderConfig; seeds: FolderConfig; tests: FolderConfig; sources: FolderConfig };
  warnings: string[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
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
 * Reads everything a project is made of from disk, validating the project file
 * and the properties (schema) files. Templates are not rendered here.
 */
export function loadProject(projectDir: string, overrides: ProjectOverrides = {}): LoadedProject {
  const settings = loadProjectFile(projectDir, overrides);
  const errors = new ErrorCollector();
  const warnings: string[] = [...settings.warnings];
  const pkg = settings.name;
  const packageNames = checkDepsInstalled(projectDir, settings.packagesInstallPath);
  const unread = unreadFiles(projectDir, settings);
  unread.errors.forEach((e) => errors.add(e));
  warnings.push(...unread.warnings);

  const models = readSqlFiles(projectDir, settings.modelPaths, '.sql', pkg, errors, { model: true });
  const seeds = readSqlFiles(projectDir, settings.seedPaths, '.csv', pkg, errors, { withText: false });
  const macroFiles = readSqlFiles(projectDir, settings.macroPaths, '.sql', pkg, errors);
  const genericTestDirs = settings.testPaths.map((p) => `${p.replace(/\/+$/, '')}/generic`);
  const testFiles = readSqlFiles(projectDir, settings.testPaths, '.sql', pkg, errors);
  const analyses = readSqlFiles(projectDir, settings.analysisPaths, '.sql', pkg, errors);
  refuseSnapshots(projectDir, settings, errors);
  const singularTests = testFiles.filter((f) => !genericTestDirs.some((d) => f.relPath.startsWith(d + '/')));
  macroFiles.push(...testFiles.filter((f) => genericTestDirs.some((d) => f.relPath.startsWith(d + '/'))));

  checkDuplicates(models, 'model', errors);
  checkDuplicates(seeds, 'seed', errors);
  const modelNames = new Set(models.map((m) => m.name));
  for (const s of seeds) {
    if (modelNames.has(s.name)) {
      const m = models.find((x) => x.name === s.name)!;
      errors.add(new UserError(`a seed and a model are both named '${s.name}' (${m.relPath})`, { file: s.relPath }, { hint: 'rename one: ref() must be unambiguous' }));
    }
  }

  const modelPatches = new Map<string, ResourcePatch>();
  const seedPatches = new Map<string, ResourcePatch>();
  const sources: SourceTableDef[] = [];
  const tests: TestDef[] = [];
  const unitTests: LoadedProject['unitTests'] = [];
  const exposures: ExposureDef[] = [];
  const groups: GroupDef[] = [];
  const yamlRoots = [...new Set([...settings.modelPaths, ...settings.seedPaths, ...settings.testPaths, ...settings.macroPaths, ...settings.analysisPaths, ...settings.snapshotPaths])];
  for (const f of findFiles(projectDir, yamlRoots, ['.yml', '.yaml'])) {
    const parsed = errors.guard(() => parseSchemaFile(readTextFile(f.absPath, f.relPath), f.relPath));
    if (!parsed) continue;
    parsed.errors.forEach((e) => errors.add(e));
    warnings.push(...parsed.warnings);
    const { content } = parsed;
    for (const p of content.models) addPatch(modelPatches, p, 'model', errors);
    for (const p of content.seeds) addPatch(seedPatches, p, 'seed', errors);
    sources.push(...content.sources);
    tests.push(...content.tests);
    unitTests.push(...content.unitTests);
    exposures.push(...content.exposures);
    groups.push(...content.groups);
  }
  const seenSources = new Map<string, SourceTableDef>();
  for (const s of sources) {
    const key = `${s.sourceName}.${s.name}`;
    const prev = seenSources.get(key);
    if (prev) errors.add(new UserError(`source table '${key}' is defined twice (also in ${prev.file}:${prev.line ?? '?'})`, { file: s.file, line: s.line }));
    seenSources.set(key, s);
  }

  for (const [name, patch] of modelPatches) {
    if (!modelNames.has(name)) warnings.push(`${patch.file}:${patch.line ?? '?'}: properties for model '${name}', but no such model file${hintSuffix(name, modelNames)}`);
  }
  const seedNames = new Set(seeds.map((s) => s.name));
  for (const [name, patch] of seedPatches) {
    if (!seedNames.has(name)) warnings.push(`${patch.file}:${patch.line ?? '?'}: properties for seed '${name}', but no such seed file${hintSuffix(name, seedNames)}`);
  }

  const folderConfigs = {
    models: new FolderConfig(settings.models, 'model'),
    seeds: new FolderConfig(settings.seeds, 'seed'),
    tests: new FolderConfig(settings.tests, 'test'),
    sources: new FolderConfig(settings.sources, 'source'),
  };
  const prefixes = (fqns: string[][]) => {
    const out = new Set<string>();
    for (const fqn of fqns) for (let i = 1; i <= fqn.length; i++) out.add(fqn.slice(0, i).join('.'));
    return out;
  };
  const checks: Array<[FolderConfig, string, Set<string>]> = [
    [folderConfigs.models, 'models', prefixes(models.map((m) => m.fqn))],
    [folderConfigs.seeds, 'seeds', prefixes(seeds.map((s) => s.fqn))],
    [folderConfigs.tests, 'tests', prefixes([[pkg], ...singularTests.map((t) => t.fqn)])],
    [folderConfigs.sources, 'sources', prefixes(sources.map((s) => [pkg, s.sourceName, s.name]))],
  ];
  for (const [fc, key, known] of checks) {
    const r = fc.validate(settings.yaml, [key], known);
    r.errors.forEach((e) => errors.add(e));
    warnings.push(...r.warnings);
  }

  const docBlocks = readDocBlocks(projectDir, settings.docsPaths, errors);
  resolveDescriptions(pkg, docBlocks, { modelPatches, seedPatches, sources, exposures }, errors);

  const packages = packageNames.map((name) => errors.guard(() => readInstalledPackage(projectDir, settings.packagesInstallPath, name, warnings))).filter((p) => p !== undefined);
  errors.throwIfAny();
  checkDuplicates(analyses, 'analysis file', errors);
  const seenExposures = new Map<string, ExposureDef>();
  for (const x of exposures) {
    const prev = seenExposures.get(x.name);
    if (prev) errors.add(new UserError(`exposure '${x.name}' is defined twice (also in ${prev.file}:${prev.line ?? '?'})`, { file: x.file, line: x.line }));
    seenExposures.set(x.name, x);
  }
  return { projectDir, settings, docBlocks, packages, models, seeds, macroFiles, singularTests, analyses, exposures, groups, modelPatches, seedPatches, sources, tests, unitTests, folderConfigs, warnings };
}

function hintSuffix(name: string, names: Set<string>): string {
  const d = didYouMean(name, names);
  return d ? ` (${d})` : '';
}

function checkDuplicates(files: SqlFile[], what: string, errors: ErrorCollector): void {
  const seen = new Map<string, SqlFile>();
  for (const f of files) {
    const prev = seen.get(f.name);
    if (prev) errors.add(new UserError(`two ${what}s are named '${f.name}': ${prev.relPath} and ${f.relPath}`, { file: f.relPath }, { hint: `${what} names must be unique in a project` }));
    else seen.set(f.name, f);
  }
}

function addPatch(map: Map<string, ResourcePatch>, p: ResourcePatch, what: string, errors: ErrorCollector): void {
  const prev = map.get(p.name);
  if (prev) {
    errors.add(new UserError(`${what} '${p.name}' is described twice (also in ${prev.file}:${prev.line ?? '?'})`, { file: p.file, line: p.line }));
    return;
  }
  map.set(p.name, p);
}

/** Every description's `{{ doc('name') }}` replaced by its block (models, seeds, sources, their columns, exposures). */
function resolveDescriptions(
  projectName: string,
  docBlocks: DocBlock[],
  d: { modelPatches: Map<string, ResourcePatch>; seedPatches: Map<string, ResourcePatch>; sources: SourceTableDef[]; exposures: ExposureDef[] },
  errors: ErrorCollector,
): void {
  const blocks = new Map(docBlocks.map((b) => [b.name, b]));
  const resolve = (text: string, file: string, line: number | undefined) => resolveDocCalls(text, blocks, projectName, { file, line }, errors);
  for (const p of [...d.modelPatches.values(), ...d.seedPatches.values()]) {
    p.description = resolve(p.description, p.file, p.line);
    for (const c of Object.values(p.columns)) c.description = resolve(c.description, p.file, c.line);
  }
  for (const s of d.sources) {
    s.description = resolve(s.description, s.file, s.line);
    s.sourceDescription = resolve(s.sourceDescription, s.file, s.line);
    for (const c of Object.values(s.columns)) c.description = resolve(c.description, s.file, c.line);
  }
  for (const x of d.exposures) x.description = resolve(x.description, x.file, x.line);
}
