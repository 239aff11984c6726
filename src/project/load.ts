import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { ErrorCollector, UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { findFiles, type ProjectFile } from './files.js';
import { FolderConfig } from './folder-config.js';
import { loadProjectFile, type ProjectOverrides, type ProjectSettings } from './project-file.js';
import { readTextFile } from './text-file.js';
import { unreadFiles } from './unread-files.js';
import { checkDepsInstalled } from './deps-check.js';
import { readInstalledPackage, type InstalledPackage } from './installed-package.js';
import { parseSchemaFile, type ResourcePatch, type SourceTableDef, type TestDef } from './schema-yaml.js';
import { readSnapshotBlocks, snapshotNameErrors, yamlSnapshot, type SnapshotFile } from './snapshot-files.js';
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
  /** snapshot blocks under snapshot-paths, and snapshots defined in properties files (relation:) */
  snapshots: SnapshotFile[];
  modelPatches: Map<string, ResourcePatch>;
  seedPatches: Map<string, ResourcePatch>;
  /** properties of snapshots (a YAML-defined snapshot's own entry included) */
  snapshotPatches: Map<string, ResourcePatch>;
  sources: SourceTableDef[];
  tests: TestDef[];
  unitTests: Array<{ raw: unknown; file: string; line?: number }>;
  /** `.sql` files under analysis-paths: compiled, never run */
  analyses: SqlFile[];
  /** `exposures:` of the properties files */
  exposures: ExposureDef[];
  /** `groups:` of the properties files (for model access) */
  groups: GroupDef[];
  /** installed packages (see installed-packages.ts): their macros join the project */
  packages: InstalledPackage[];
  folderConfigs: { models: FolderConfig; seeds: FolderConfig; tests: FolderConfig; sources: FolderConfig; snapshots: FolderConfig };
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
  const snapshots = readSnapshotBlocks(projectDir, settings.snapshotPaths, pkg, errors);
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
  const snapshotPatches = new Map<string, ResourcePatch>();
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
    for (const p of content.snapshots) {
      addPatch(snapshotPatches, p, 'snapshot', errors);
      if (p.relation === undefined) continue;
      const s = yamlSnapshot({ ...p, relation: p.relation }, f, pkg);
      if (s instanceof UserError) errors.add(s);
      else snapshots.push(s);
    }
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
  snapshotNameErrors(snapshots, [...models.map((m) => ({ name: m.name, relPath: m.relPath, kind: 'model' })), ...seeds.map((x) => ({ name: x.name, relPath: x.relPath, kind: 'seed' }))]).forEach((e) => errors.add(e));
  const snapshotNames = new Set(snapshots.map((s) => s.name));
  for (const [name, patch] of snapshotPatches) {
    if (!snapshotNames.has(name)) warnings.push(`${patch.file}:${patch.line ?? '?'}: properties for snapshot '${name}', but no such snapshot block (and no relation: to define one)${hintSuffix(name, snapshotNames)}`);
  }

  const folderConfigs = {
    models: new FolderConfig(settings.models, 'model'),
    seeds: new FolderConfig(settings.seeds, 'seed'),
    tests: new FolderConfig(settings.tests, 'test'),
    sources: new FolderConfig(settings.sources, 'source'),
    snapshots: new FolderConfig(settings.snapshots, 'snapshot'),
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
    [folderConfigs.snapshots, 'snapshots', prefixes(snapshots.map((s) => s.fqn))],
  ];
  for (const [fc, key, known] of checks) {
    const r = fc.validate(settings.yaml, [key], known);
    r.errors.forEach((e) => errors.add(e));
    warnings.push(...r.warnings);
  }

  const packages = packageNames.map((name) => errors.guard(() => readInstalledPackage(projectDir, settings.packagesInstallPath, name, warnings))).filter((p) => p !== undefined);
  errors.throwIfAny();
  checkDuplicates(analyses, 'analysis file', errors);
  const seenExposures = new Map<string, ExposureDef>();
  for (const x of exposures) {
    const prev = seenExposures.get(x.name);
    if (prev) errors.add(new UserError(`exposure '${x.name}' is defined twice (also in ${prev.file}:${prev.line ?? '?'})`, { file: x.file, line: x.line }));
    seenExposures.set(x.name, x);
  }
  return { projectDir, settings, packages, models, seeds, snapshots, macroFiles, singularTests, analyses, exposures, groups, modelPatches, seedPatches, snapshotPatches, sources, tests, unitTests, folderConfigs, warnings };
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
