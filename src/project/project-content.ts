import type { ErrorCollector } from '../errors.js';
import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { findFiles } from './files.js';
import { FolderConfig } from './folder-config.js';
import type { ProjectSettings } from './project-file.js';
import { readSqlFiles, type SqlFile } from './load.js';
import { parseSchemaFile, type ResourcePatch, type SchemaFileContent, type SourceOverride, type SourceTableDef, type TestDef } from './schema-yaml.js';
import { readTextFile } from './text-file.js';
import { unreadFiles } from './unread-files.js';
import { readSnapshotBlocks, snapshotNameErrors, yamlSnapshot, type SnapshotFile } from './snapshot-files.js';
import type { ExposureDef } from './exposures-yaml.js';
import type { GroupDef } from './groups-yaml.js';
import type { MacroPatch } from './macros-yaml.js';
import { readDocBlocks, type DocBlock } from './doc-blocks.js';
import { addOnce } from './yaml-entries.js';

/**
 * What one project is made of: the root project, or a package `tsql deps`
 * installed. Its nodes' unique ids and fqns start with `name`; every path
 * (relPath of files, `file` of YAML definitions) is relative to the root
 * project, so messages name the file a user can open.
 */
export interface ProjectContent extends Omit<SchemaFileContent, 'models' | 'seeds' | 'snapshots' | 'analyses' | 'singularTests'> {
  /** the project's (or package's) name, from its project file */
  name: string;
  /** its folder relative to the root project: '' for the root, e.g. dbt_packages/pkg_a for a package */
  relDir: string;
  settings: ProjectSettings;
  models: SqlFile[];
  seeds: SqlFile[];
  macroFiles: SqlFile[];
  singularTests: SqlFile[];
  /** `.sql` files under analysis-paths: compiled, never run */
  analyses: SqlFile[];
  /** snapshot blocks under snapshot-paths, and snapshots defined in properties files (relation:) */
  snapshots: SnapshotFile[];
  /** properties of its models and seeds, by name (sourceOverrides: applied to packages by loadProject) */
  modelPatches: Map<string, ResourcePatch>;
  seedPatches: Map<string, ResourcePatch>;
  /** properties of snapshots (a YAML-defined snapshot's own entry included) */
  snapshotPatches: Map<string, ResourcePatch>;
  /** properties of analyses and (top-level `data_tests:`) of singular tests, by name */
  analysisPatches: Map<string, ResourcePatch>;
  singularTestPatches: Map<string, ResourcePatch>;
  folderConfigs: { models: FolderConfig; seeds: FolderConfig; tests: FolderConfig; sources: FolderConfig; snapshots: FolderConfig; analyses: FolderConfig; unit_tests: FolderConfig };
  /** `{% docs %}` blocks of the .md files under its docs-paths */
  docBlocks: DocBlock[];
}

/** A folder of the project file, relative to the root project. */
export function under(relDir: string, path: string): string {
  return relDir ? `${relDir}/${path.replace(/^\.\/?/, '')}`.replace(/\/+$/, '') : path;
}

/** A path relative to the root project, as its own project sees it (models/x.sql for dbt_packages/pkg/models/x.sql). */
export function pathInProject(relPath: string, relDir: string): string {
  return relDir && relPath.startsWith(relDir + '/') ? relPath.slice(relDir.length + 1) : relPath;
}

/**
 * Reads the files of one project (the root at relDir '', or an installed
 * package): models, seeds, macros and generic tests, singular tests, analyses
 * and properties files. Problems are collected in `errors`; keys and files
 * tsql does not act on are `warnings` naming the file. Templates are not rendered.
 */
export function readProjectContent(projectDir: string, relDir: string, settings: ProjectSettings, errors: ErrorCollector, warnings: string[]): ProjectContent {
  const name = settings.name;
  const at = (paths: string[]) => paths.map((p) => under(relDir, p));
  const paths = {
    modelPaths: at(settings.modelPaths),
    seedPaths: at(settings.seedPaths),
    macroPaths: at(settings.macroPaths),
    testPaths: at(settings.testPaths),
    analysisPaths: at(settings.analysisPaths),
    snapshotPaths: at(settings.snapshotPaths),
  };
  const rooted = { ...settings, ...paths };
  const unread = unreadFiles(projectDir, rooted);
  unread.errors.forEach((e) => errors.add(e));
  warnings.push(...unread.warnings);

  const models = readSqlFiles(projectDir, paths.modelPaths, '.sql', name, errors, { model: true });
  const seeds = readSqlFiles(projectDir, paths.seedPaths, '.csv', name, errors, { withText: false });
  const macroFiles = readSqlFiles(projectDir, paths.macroPaths, '.sql', name, errors);
  const genericTestDirs = paths.testPaths.map((p) => `${p.replace(/\/+$/, '')}/generic`);
  const testFiles = readSqlFiles(projectDir, paths.testPaths, '.sql', name, errors);
  const analyses = readSqlFiles(projectDir, paths.analysisPaths, '.sql', name, errors);
  const snapshots = readSnapshotBlocks(projectDir, paths.snapshotPaths, name, errors);
  const singularTests = testFiles.filter((f) => !genericTestDirs.some((d) => f.relPath.startsWith(d + '/')));
  macroFiles.push(...testFiles.filter((f) => genericTestDirs.some((d) => f.relPath.startsWith(d + '/'))));

  const where = relDir ? ` in package '${name}'` : ' in a project';
  checkDuplicates(models, 'model', where, errors);
  checkDuplicates(seeds, 'seed', where, errors);
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
  const analysisPatches = new Map<string, ResourcePatch>();
  const singularTestPatches = new Map<string, ResourcePatch>();
  const sources: SourceTableDef[] = [];
  const sourceOverrides: SourceOverride[] = [];
  const tests: TestDef[] = [];
  const unitTests: ProjectContent['unitTests'] = [];
  const exposures: ExposureDef[] = [];
  const groups: GroupDef[] = [];
  const macroPatches = new Map<string, MacroPatch>();
  const report = (e: UserError) => errors.add(e);
  const yamlRoots = [...new Set(Object.values(paths).flat())];
  for (const f of findFiles(projectDir, yamlRoots, ['.yml', '.yaml'])) {
    const parsed = errors.guard(() => parseSchemaFile(readTextFile(f.absPath, f.relPath), f.relPath));
    if (!parsed) continue;
    parsed.errors.forEach((e) => errors.add(e));
    warnings.push(...parsed.warnings);
    const { content } = parsed;
    for (const p of content.models) addPatch(modelPatches, p, 'model', errors);
    for (const p of content.seeds) addPatch(seedPatches, p, 'seed', errors);
    for (const p of content.analyses) addPatch(analysisPatches, p, 'analysis', errors);
    for (const p of content.singularTests) addPatch(singularTestPatches, p, 'singular test', errors);
    for (const p of content.snapshots) {
      addPatch(snapshotPatches, p, 'snapshot', errors);
      if (p.relation === undefined) continue;
      const s = yamlSnapshot({ ...p, relation: p.relation }, f, name);
      if (s instanceof UserError) errors.add(s);
      else snapshots.push(s);
    }
    sources.push(...content.sources);
    sourceOverrides.push(...content.sourceOverrides);
    tests.push(...content.tests);
    unitTests.push(...content.unitTests);
    exposures.push(...content.exposures);
    groups.push(...content.groups.map((g) => ({ ...g, pathInRoot: f.pathInRoot })));
    for (const m of content.macroPatches) addOnce(macroPatches, m.name, m, `macro '${m.name}'`, 'described', report);
  }
  const seenSources = new Map<string, SourceTableDef>();
  for (const s of sources) addOnce(seenSources, `${s.sourceName}.${s.name}`, s, `source table '${s.sourceName}.${s.name}'`, 'defined', report);
  for (const [n, patch] of modelPatches) {
    if (!modelNames.has(n)) warnings.push(`${patch.file}:${patch.line ?? '?'}: properties for model '${n}', but no such model file${hintSuffix(n, modelNames)}`);
  }
  const seedNames = new Set(seeds.map((s) => s.name));
  for (const [n, patch] of seedPatches) {
    if (!seedNames.has(n)) warnings.push(`${patch.file}:${patch.line ?? '?'}: properties for seed '${n}', but no such seed file${hintSuffix(n, seedNames)}`);
  }
  snapshotNameErrors(snapshots, [...models.map((m) => ({ name: m.name, relPath: m.relPath, kind: 'model' })), ...seeds.map((x) => ({ name: x.name, relPath: x.relPath, kind: 'seed' }))]).forEach((e) => errors.add(e));
  const snapshotNames = new Set(snapshots.map((s) => s.name));
  for (const [n, patch] of snapshotPatches) {
    if (!snapshotNames.has(n)) warnings.push(`${patch.file}:${patch.line ?? '?'}: properties for snapshot '${n}', but no such snapshot block (and no relation: to define one)${hintSuffix(n, snapshotNames)}`);
  }
  checkDuplicates(analyses, 'analysis file', where, errors);
  unmatchedPatches(analysisPatches, new Set(analyses.map((a) => a.name)), 'analysis', 'no such analysis file', warnings);
  unmatchedPatches(singularTestPatches, new Set(singularTests.map((t) => t.name)), 'singular test', 'no such test file (generic tests are declared under a model, seed, source or column)', warnings);
  const seenExposures = new Map<string, ExposureDef>();
  for (const x of exposures) addOnce(seenExposures, x.name, x, `exposure '${x.name}'`, 'defined', report);
  const folderConfigs = {
    models: new FolderConfig(settings.models, 'model'),
    seeds: new FolderConfig(settings.seeds, 'seed'),
    tests: new FolderConfig(settings.tests, 'test'),
    sources: new FolderConfig(settings.sources, 'source'),
    snapshots: new FolderConfig(settings.snapshots, 'snapshot'),
    analyses: new FolderConfig(settings.analyses, 'analysis'),
    unit_tests: new FolderConfig(settings.unitTests, 'unit_test'),
  };
  const docBlocks = readDocBlocks(projectDir, at(settings.docsPaths), name, errors);
  return { name, relDir, settings, models, seeds, macroFiles, singularTests, analyses, snapshots, modelPatches, seedPatches, snapshotPatches, analysisPatches, singularTestPatches, macroPatches: [...macroPatches.values()], sources, sourceOverrides, tests, unitTests, exposures, groups, folderConfigs, docBlocks };
}

/** Every prefix of each fqn, joined with dots: the folder paths a `models:` / `seeds:` tree may name. */
export function fqnPrefixes(fqns: string[][]): Set<string> {
  const out = new Set<string>();
  for (const fqn of fqns) for (let i = 1; i <= fqn.length; i++) out.add(fqn.slice(0, i).join('.'));
  return out;
}

/**
 * Checks the `models:` / `seeds:` / `tests:` / `sources:` / `snapshots:` trees of a project
 * file against the nodes they can reach: the project's own, and for the root
 * project also every package's (the root's `models: <pkg>: …` configures them).
 */
export function validateFolderConfigs(own: ProjectContent, reachable: ProjectContent[], errors: ErrorCollector, warnings: string[]): void {
  const fqns = (pick: (c: ProjectContent) => string[][]) => fqnPrefixes(reachable.flatMap(pick));
  const checks: Array<[FolderConfig, string, Set<string>]> = [
    [own.folderConfigs.models, 'models', fqns((c) => c.models.map((m) => m.fqn))],
    [own.folderConfigs.seeds, 'seeds', fqns((c) => c.seeds.map((s) => s.fqn))],
    [own.folderConfigs.tests, 'tests', fqns((c) => [[c.name], ...c.singularTests.map((t) => t.fqn)])],
    [own.folderConfigs.sources, 'sources', fqns((c) => c.sources.map((s) => [c.name, s.sourceName, s.name]))],
    [own.folderConfigs.snapshots, 'snapshots', fqns((c) => c.snapshots.map((s) => s.fqn))],
    [own.folderConfigs.analyses, 'analyses', fqns((c) => c.analyses.map((a) => a.fqn))],
    [own.folderConfigs.unit_tests, 'unit_tests', fqns((c) => c.unitTests.map((u) => unitTestFqn(c, u.raw)).filter((f) => f !== undefined))],
  ];
  for (const [fc, key, known] of checks) {
    const r = fc.validate(own.settings.yaml, [key], known);
    r.errors.forEach((e) => errors.add(e));
    warnings.push(...r.warnings);
  }
}

/**
 * A unit test's fqn, as dbt gives it: the project, the folders of the model it
 * tests, the model, the test (undefined while its entry is incomplete: the compiler reports that).
 */
export function unitTestFqn(c: Pick<ProjectContent, 'name' | 'models'>, raw: unknown): string[] | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { name, model } = raw as { name?: unknown; model?: unknown };
  if (typeof name !== 'string' || typeof model !== 'string') return undefined;
  const file = c.models.find((m) => m.name === model);
  return [c.name, ...(file ? file.fqn.slice(1, -1) : []), model, name];
}

/** Properties written for a name the project has no file for: a warning at their line. */
function unmatchedPatches(patches: Map<string, ResourcePatch>, names: Set<string>, what: string, why: string, warnings: string[]): void {
  for (const [n, patch] of patches) {
    if (!names.has(n)) warnings.push(`${patch.file}:${patch.line ?? '?'}: properties for ${what} '${n}', but ${why}${hintSuffix(n, names)}`);
  }
}

function hintSuffix(name: string, names: Set<string>): string {
  const d = didYouMean(name, names);
  return d ? ` (${d})` : '';
}

function checkDuplicates(files: SqlFile[], what: string, where: string, errors: ErrorCollector): void {
  const seen = new Map<string, SqlFile>();
  for (const f of files) {
    const prev = seen.get(f.name);
    if (prev) errors.add(new UserError(`two ${what}s are named '${f.name}': ${prev.relPath} and ${f.relPath}`, { file: f.relPath }, { hint: `${what} names must be unique${where}` }));
    else seen.set(f.name, f);
  }
}

function addPatch(map: Map<string, ResourcePatch>, p: ResourcePatch, what: string, errors: ErrorCollector): void {
  addOnce(map, p.name, p, `${what} '${p.name}'`, 'described', (e) => errors.add(e));
}
