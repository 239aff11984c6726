import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readQuoting, type Quoting } from './quoting.js';
import { ErrorCollector, UserError } from '../errors.js';
import { resolveInside } from './paths.js';
import { didYouMean } from '../util/suggest.js';
import { readYamlFile, type YamlFile } from '../util/yaml-file.js';
import { asHookList } from './config-merge.js';
import { checkUnsupported, UNSUPPORTED_PROJECT } from './unsupported.js';
import { flagValueProblem, PROJECT_FLAGS } from './project-flags.js';

const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const hookList = z.union([z.string(), z.array(z.unknown())]).transform((v) => asHookList(v));
const folderTree = z.record(z.string(), z.unknown());

/** The project file, as dbt writes it (kebab-case keys). */
const projectFileSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be letters, digits and underscores, not starting with a digit'),
    version: z.union([z.string(), z.number()]).optional(),
    'config-version': z.number().optional(),
    profile: z.string().optional(),
    'model-paths': stringList.optional(),
    'seed-paths': stringList.optional(),
    'macro-paths': stringList.optional(),
    'test-paths': stringList.optional(),
    'analysis-paths': stringList.optional(),
    'snapshot-paths': stringList.optional(),
    'docs-paths': stringList.optional(),
    'asset-paths': stringList.optional(),
    'target-path': z.string().optional(),
    'log-path': z.string().optional(),
    'packages-install-path': z.string().optional(),
    'clean-targets': stringList.optional(),
    'require-dbt-version': z.unknown().optional(),
    vars: z.record(z.string(), z.unknown()).nullish(),
    models: folderTree.nullish(),
    seeds: folderTree.nullish(),
    tests: folderTree.nullish(),
    data_tests: folderTree.nullish(),
    unit_tests: folderTree.nullish(),
    sources: folderTree.nullish(),
    snapshots: folderTree.nullish(),
    analyses: folderTree.nullish(),
    exposures: folderTree.nullish(),
    metrics: folderTree.nullish(),
    'semantic-models': folderTree.nullish(),
    'saved-queries': folderTree.nullish(),
    'on-run-start': hookList.nullish(),
    'on-run-end': hookList.nullish(),
    dispatch: z.array(z.object({ macro_namespace: z.string(), search_order: z.array(z.string()) }).strict()).optional(),
    flags: z.record(z.string(), z.unknown()).optional(),
    quoting: z.unknown().optional(),
    'query-comment': z.unknown().optional(),
    'restrict-access': z.boolean().optional(),
  })
  .strict();


export interface ProjectSettings {
  /** 'tsql_project.yml' or 'dbt_project.yml' */
  file: string;
  name: string;
  profile: string;
  modelPaths: string[];
  seedPaths: string[];
  macroPaths: string[];
  testPaths: string[];
  analysisPaths: string[];
  snapshotPaths: string[];
  /** where `{% docs %}` blocks (.md files) are read: docs-paths, else every resource folder (as dbt) */
  docsPaths: string[];
  /** folders copied into the docs site (images a description shows) */
  assetPaths: string[];
  targetPath: string;
  packagesInstallPath: string;
  cleanTargets: string[];
  vars: Record<string, unknown>;
  models: Record<string, unknown>;
  seeds: Record<string, unknown>;
  tests: Record<string, unknown>;
  sources: Record<string, unknown>;
  /** the `snapshots:` folder tree (+config per folder and snapshot) */
  snapshots: Record<string, unknown>;
  /** the `analyses:` folder tree (+enabled, +tags, +docs … per folder and analysis) */
  analyses: Record<string, unknown>;
  /** the `unit_tests:` folder tree (+enabled, +tags, +meta per folder, model and unit test) */
  unitTests: Record<string, unknown>;
  onRunStart: string[];
  onRunEnd: string[];
  /** `dispatch:`: per macro namespace, the projects and packages adapter.dispatch searches, in order */
  dispatch: Record<string, string[]>;
  /** the project's `quoting:` (database / schema / identifier) */
  quoting: Quoting;
  yaml: YamlFile;
  /** keys tsql accepts and does not act on (see unsupported.ts), with their lines */
  warnings: string[];
}

export const PROJECT_FILES = ['tsql_project.yml', 'dbt_project.yml'] as const;

/** The project file in `projectDir`; both at once is an error, since tsql would have to pick one silently. */
export function findProjectFile(projectDir: string): string | undefined {
  const present = PROJECT_FILES.filter((f) => existsSync(join(projectDir, f)));
  if (present.length > 1) {
    throw new UserError(`both tsql_project.yml and dbt_project.yml are in ${projectDir}; tsql reads one project file`, {}, {
      hint: 'remove dbt_project.yml; or remove tsql_project.yml if dbt_project.yml is the one to keep',
    });
  }
  return present[0];
}

/** What the command line or environment overrides (--target-path / DBT_TARGET_PATH). */
export interface ProjectOverrides {
  targetPath?: string;
  /** an installed package's folder, relative to the root project: file names in messages start with it */
  relDir?: string;
}

/** The project's resource folders (models, seeds, macros, tests, analyses, snapshots), each once. */
export function resourcePaths(settings: ProjectSettings): string[] {
  return [...new Set([...settings.modelPaths, ...settings.seedPaths, ...settings.macroPaths, ...settings.testPaths, ...settings.analysisPaths, ...settings.snapshotPaths])];
}

export function loadProjectFile(projectDir: string, overrides: ProjectOverrides = {}): ProjectSettings {
  const file = findProjectFile(projectDir);
  if (!file) {
    throw new UserError(`no tsql_project.yml (or dbt_project.yml) in ${projectDir}`, {}, {
      hint: 'run tsql from a project directory, pass --project-dir, or create one with `tsql init`',
    });
  }
  const shown = overrides.relDir ? `${overrides.relDir}/${file}` : file;
  const yaml = readYamlFile(join(projectDir, file), shown);
  const parsed = projectFileSchema.safeParse(yaml.data);
  if (!parsed.success) throw zodToUserError(parsed.error, yaml, Object.keys(projectFileSchema.shape));
  const p = parsed.data;
  checkPathsInside(projectDir, yaml);
  const quoting = readQuoting(yaml, p.quoting, ['quoting']);
  if (quoting.error) throw quoting.error;
  if (overrides.targetPath !== undefined) {
    const { inside, real } = resolveInside(projectDir, projectDir, overrides.targetPath, { strictly: true });
    if (!inside) throw new UserError(`target path '${overrides.targetPath}' must be a folder inside the project directory${real === resolve(projectDir, overrides.targetPath) ? '' : ` (it points to ${real})`}`, {}, { hint: 'set --target-path / DBT_TARGET_PATH to a path relative to the project' });
    p['target-path'] = overrides.targetPath;
  }
  const findings = { warnings: [] as string[], errors: [] as UserError[] };
  // an installed package's log-path, query-comment and flags are not read by dbt either: they are the root project's
  const inPackage = overrides.relDir !== undefined;
  for (const [k, v] of Object.entries(yaml.data as Record<string, unknown>)) {
    if (!(inPackage && UNSUPPORTED_PROJECT[k]?.rootOnly)) checkUnsupported(UNSUPPORTED_PROJECT, k, v, 'project key', () => ({ file: shown, line: yaml.lineOf([k]) }), findings);
  }
  for (const [k, v] of Object.entries(inPackage ? {} : (p.flags ?? {}))) {
    const problem = k in PROJECT_FLAGS ? flagValueProblem(k, v) : undefined;
    if (!(k in PROJECT_FLAGS)) findings.warnings.push(`${shown}:${yaml.lineOf(['flags', k]) ?? '?'}: flag '${k}' is ignored: tsql acts on ${Object.keys(PROJECT_FLAGS).join(', ')} only`);
    else if (problem) findings.errors.push(yaml.error(problem.message, ['flags', k], problem.hint));
  }
  if (findings.errors.length) throw findings.errors[0];
  return {
    warnings: findings.warnings,
    file: shown,
    name: p.name,
    profile: p.profile ?? p.name,
    modelPaths: p['model-paths'] ?? ['models'],
    seedPaths: p['seed-paths'] ?? ['seeds'],
    macroPaths: p['macro-paths'] ?? ['macros'],
    testPaths: p['test-paths'] ?? ['tests'],
    analysisPaths: p['analysis-paths'] ?? ['analyses'],
    snapshotPaths: p['snapshot-paths'] ?? ['snapshots'],
    docsPaths: p['docs-paths'] ?? [...new Set([...(p['model-paths'] ?? ['models']), ...(p['seed-paths'] ?? ['seeds']), ...(p['analysis-paths'] ?? ['analyses']), ...(p['macro-paths'] ?? ['macros']), ...(p['test-paths'] ?? ['tests']), ...(p['snapshot-paths'] ?? ['snapshots'])])],
    assetPaths: p['asset-paths'] ?? [],
    targetPath: p['target-path'] ?? 'target',
    packagesInstallPath: p['packages-install-path'] ?? 'dbt_packages',
    cleanTargets: p['clean-targets'] ?? [p['target-path'] ?? 'target'],
    vars: p.vars ?? {},
    models: p.models ?? {},
    seeds: p.seeds ?? {},
    tests: { ...(p.tests ?? {}), ...(p.data_tests ?? {}) },
    sources: p.sources ?? {},
    snapshots: p.snapshots ?? {},
    analyses: p.analyses ?? {},
    unitTests: p.unit_tests ?? {},
    onRunStart: p['on-run-start'] ?? [],
    onRunEnd: p['on-run-end'] ?? [],
    dispatch: Object.fromEntries((p.dispatch ?? []).map((d) => [d.macro_namespace, d.search_order])),
    quoting: quoting.quoting ?? {},
    yaml,
  };
}

/** The keys naming folders tsql reads from (may be the project itself) or writes to (strictly inside). */
const READ_PATH_KEYS = ['model-paths', 'seed-paths', 'macro-paths', 'test-paths', 'analysis-paths', 'snapshot-paths', 'docs-paths', 'asset-paths'];
const WRITE_PATH_KEYS = ['target-path'];
const DEFAULT_FOLDER: Record<string, string> = { 'model-paths': 'models', 'seed-paths': 'seeds', 'macro-paths': 'macros', 'test-paths': 'tests', 'analysis-paths': 'analyses', 'snapshot-paths': 'snapshots', 'docs-paths': 'docs', 'asset-paths': 'assets', 'target-path': 'target' };

/**
 * Every folder the project file names must lie inside the project directory,
 * after following symlinks: compiled and run files stay under it, and no
 * model or macro is read from elsewhere.
 */
function checkPathsInside(projectDir: string, yaml: YamlFile): void {
  const errors = new ErrorCollector();
  const data = yaml.data as Record<string, unknown>;
  for (const key of Object.keys(data).filter((k) => READ_PATH_KEYS.includes(k) || WRITE_PATH_KEYS.includes(k))) {
    const value = data[key];
    const entries = Array.isArray(value) ? value.map((v, i) => [String(v), [key, i]] as const) : typeof value === 'string' ? [[value, [key]] as const] : [];
    for (const [entry, path] of entries) {
      const strictly = WRITE_PATH_KEYS.includes(key);
      const { inside, real } = resolveInside(projectDir, projectDir, entry, { strictly });
      if (inside) continue;
      const where = real === resolve(projectDir, entry) ? '' : ` (it points to ${real})`;
      const what = strictly ? 'must be a folder inside the project directory' : 'is outside the project directory';
      errors.add(yaml.error(`${key} '${entry}' ${what}${where}`, path, `use a path relative to the project, such as '${DEFAULT_FOLDER[key]}'`));
    }
  }
  errors.throwIfAny();
}

/** Turns the first zod issue into one user-facing line with file, line and suggestion. */
export function zodToUserError(error: z.ZodError, yaml: YamlFile, knownKeys: string[], basePath: (string | number)[] = []): UserError {
  const issue = error.issues[0];
  const path = [...basePath, ...(issue.path as (string | number)[])];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    return yaml.error(`unknown key '${key}'`, [...path, key], didYouMean(key, knownKeys));
  }
  const where = path.length ? `'${path.join('.')}' ` : '';
  let message = issue.message;
  if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = 'is required';
  return yaml.error(`${where}${message}`.trim(), path);
}
