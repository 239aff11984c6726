import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { parseYaml, type YamlPath } from '../util/yaml-file.js';
import { isPlainObject, type Config } from './config-merge.js';
import { configKeysFor, TEST_CONFIG_KEYS } from './config-keys.js';
import { readQuoting, type Quoting } from './quoting.js';
import { checkUnsupported, UNSUPPORTED_COLUMN, UNSUPPORTED_CONFIG, UNSUPPORTED_PROPERTIES_TOP, UNSUPPORTED_PROPERTY, type UnsupportedEntry } from './unsupported.js';
import type { ConfigResource } from './config-keys.js';
import { parseExposures, type ExposureDef } from './exposures-yaml.js';
import { constraintList, type ConstraintDef } from './constraints.js';
import { parseGroups, type GroupDef } from './groups-yaml.js';
import { parseMacroPatches, type MacroPatch } from './macros-yaml.js';
import { asList, YamlEntries } from './yaml-entries.js';

export interface ColumnDef {
  name: string;
  description: string;
  dataType?: string;
  meta: Record<string, unknown>;
  tags: string[];
  quote?: boolean;
  /** `constraints:` of the column (model contracts) */
  constraints?: ConstraintDef[];
  /** YAML line of the column entry */
  line?: number;
}

/** Properties a schema file gives a model or seed (dbt calls it a patch). */
export interface ResourcePatch {
  name: string;
  description: string;
  config: Config;
  columns: Record<string, ColumnDef>;
  /** the columns of a `primary_key` constraint, on the model or on its columns (what `tsql diff` joins on) */
  primaryKey?: string[];
  /** model-level `constraints:` (model contracts) */
  constraints?: ConstraintDef[];
  /** `deprecation_date`, as an ISO time, and the line it is written on */
  deprecation?: { date: string; written: string; line?: number };
  file: string;
  line?: number;
}

export interface SourceTableDef {
  sourceName: string;
  name: string;
  identifier: string;
  database?: string;
  schema: string;
  description: string;
  sourceDescription: string;
  loader?: string;
  columns: Record<string, ColumnDef>;
  config: Config;
  loadedAtField?: string;
  /** dbt 1.10's `loaded_at_query`: SQL returning the newest load time, in place of max(loaded_at_field) */
  loadedAtQuery?: string;
  freshness?: unknown;
  external?: Record<string, unknown>;
  meta: Record<string, unknown>;
  tags: string[];
  quoting?: Quoting;
  file: string;
  line?: number;
}

export type AttachKind = 'model' | 'seed' | 'source' | 'snapshot';

/**
 * A source entry with `overrides: <package>`: the properties it writes replace
 * (meta, tags and config: extend) those of the package's source of that name
 * and, per table it lists, of that table (see source-overrides.ts).
 */
export interface SourceOverride {
  package: string;
  sourceName: string;
  source: Partial<Pick<SourceTableDef, 'database' | 'schema' | 'loader' | 'sourceDescription' | 'loadedAtField' | 'loadedAtQuery' | 'freshness' | 'quoting' | 'meta' | 'tags' | 'config'>>;
  tables: Array<{ name: string; line?: number; props: Partial<Pick<SourceTableDef, 'identifier' | 'description' | 'loadedAtField' | 'loadedAtQuery' | 'freshness' | 'quoting' | 'meta' | 'tags' | 'config' | 'columns' | 'external'>> }>;
  file: string;
  line?: number;
}

export interface TestDef {
  testName: string;
  namespace?: string;
  customName?: string;
  kwargs: Record<string, unknown>;
  config: Config;
  /** `package`: a package's source a `overrides:` entry adds the test to */
  attachedTo: { kind: AttachKind; name: string; sourceName?: string; package?: string };
  columnName?: string;
  file: string;
  line?: number;
}

/** A snapshot's entry in a properties file: properties of a snapshot block, or (with `relation:`) a snapshot of its own (dbt 1.9). */
export interface SnapshotPatch extends ResourcePatch {
  /** `ref('m')` or `source('s', 't')` as written: the snapshot selects every column of it */
  relation?: string;
  relationLine?: number;
}

export interface SchemaFileContent {
  models: ResourcePatch[];
  seeds: ResourcePatch[];
  snapshots: SnapshotPatch[];
  sources: SourceTableDef[];
  sourceOverrides: SourceOverride[];
  tests: TestDef[];
  unitTests: Array<{ raw: unknown; file: string; line?: number }>;
  exposures: ExposureDef[];
  groups: GroupDef[];
  /** `analyses:` entries: description, columns, config */
  analyses: ResourcePatch[];
  /** top-level `data_tests:` entries: the description and config of a singular test of that name */
  singularTests: ResourcePatch[];
  /** `macros:` entries: descriptions and arguments of the project's macros */
  macroPatches: MacroPatch[];
}

const TOP_KEYS = ['version', 'models', 'seeds', 'sources', 'snapshots', 'macros', 'exposures', 'metrics', 'semantic_models', 'saved_queries', 'analyses', 'unit_tests', 'groups', 'data_tests'];
const MODEL_KEYS = ['name', 'description', 'config', 'columns', 'tests', 'data_tests', 'docs', 'meta', 'tags', 'access', 'group', 'constraints', 'latest_version', 'versions', 'deprecation_date', 'time_spine', 'contract'];
const ANALYSIS_KEYS = ['name', 'description', 'config', 'columns', 'docs'];
const SINGULAR_TEST_KEYS = ['name', 'description', 'config'];
const SNAPSHOT_KEYS = ['name', 'description', 'relation', 'config', 'columns', 'tests', 'data_tests', 'docs', 'meta', 'tags'];
const ANALYSIS_COLUMN_KEYS = ['name', 'description', 'data_type', 'meta', 'tags', 'quote', 'config', 'docs'];
const COLUMN_KEYS = ['name', 'description', 'data_type', 'tests', 'data_tests', 'meta', 'tags', 'quote', 'constraints', 'policy_tags', 'granularity', 'config', 'docs'];
const CONSTRAINT_KEYS = ['type', 'name', 'expression', 'columns', 'to', 'to_columns', 'warn_unenforced', 'warn_unsupported'];
const CONSTRAINT_TYPES = ['check', 'not_null', 'unique', 'primary_key', 'foreign_key', 'custom'];
const SOURCE_KEYS = ['name', 'description', 'database', 'schema', 'loader', 'loaded_at_field', 'loaded_at_query', 'meta', 'tags', 'config', 'freshness', 'quoting', 'tables', 'overrides', 'tests', 'data_tests'];
const SOURCE_TABLE_KEYS = ['name', 'description', 'identifier', 'loaded_at_field', 'loaded_at_query', 'meta', 'tags', 'config', 'freshness', 'quoting', 'columns', 'tests', 'data_tests', 'external', 'loader'];

/** The entry checks, and the keys tsql does not act on: warnings, or errors (see unsupported.ts). */
class Reader extends YamlEntries {
  readonly warnings: string[] = [];

  /** Each key of `obj` that tsql does not act on: a warning or an error with its line (see unsupported.ts). */
  unsupported(table: Record<string, UnsupportedEntry>, obj: Record<string, unknown>, path: YamlPath, what: string, resource?: ConfigResource): void {
    for (const [k, v] of Object.entries(obj)) checkUnsupported(table, k, v, what, () => ({ file: this.yaml.relPath, line: this.yaml.lineOf([...path, k]) }), this, resource, obj);
  }

  /** A test's config: keys tsql does not act on, then any other key a test does not take. */
  testConfig(config: Config, path: YamlPath): void {
    this.unsupported(UNSUPPORTED_CONFIG, config, path, 'test config', 'test');
    for (const k of Object.keys(config)) {
      if (!TEST_CONFIG_KEYS.has(k)) this.errors.push(this.yaml.error(`unknown test config key '${k}'`, [...path, k], didYouMean(k, [...TEST_CONFIG_KEYS])));
    }
  }
}

/** Parses one properties file (schema.yml). Collects every error it finds. */
export function parseSchemaFile(text: string, relPath: string): { content: SchemaFileContent; errors: UserError[]; warnings: string[] } {
  const yaml = parseYaml(text, relPath);
  const r = new Reader(yaml);
  const content: SchemaFileContent = { models: [], seeds: [], snapshots: [], sources: [], sourceOverrides: [], tests: [], unitTests: [], exposures: [], groups: [], analyses: [], singularTests: [], macroPatches: [] };
  const data = yaml.data;
  if (data === null || data === undefined || (isPlainObject(data) && !Object.keys(data).length)) return { content, errors: [], warnings: [] };
  if (!isPlainObject(data)) return { content, errors: [new UserError('a properties file must be a mapping (models:, sources:, seeds: …)', { file: relPath, line: 1 })], warnings: [] };
  r.keys(data, TOP_KEYS, [], 'a properties file');
  r.unsupported(UNSUPPORTED_PROPERTIES_TOP, data, [], 'top-level key');

  for (const kind of ['models', 'seeds', 'snapshots'] as const) {
    r.each(data[kind], [kind], (m, path, name) => {
      r.keys(m, kind === 'snapshots' ? SNAPSHOT_KEYS : MODEL_KEYS, path, `${kind.slice(0, -1)} '${name}'`);
      const attach: AttachKind = kind === 'models' ? 'model' : kind === 'seeds' ? 'seed' : 'snapshot';
      const config = { ...r.config(m.config, [...path, 'config']) };
      if (attach !== 'snapshot') r.unsupported(UNSUPPORTED_PROPERTY, m, path, `${attach} property`);
      r.unsupported(UNSUPPORTED_CONFIG, config, [...path, 'config'], `${attach} config`, attach);
      // metadata dbt also reads from the entry itself: it reaches the manifest through the config
      for (const k of ['docs', 'access', 'group'] as const) if (m[k] !== undefined && config[k] === undefined) config[k] = m[k];
      if (m.tags !== undefined) config.tags = m.tags;
      if (m.meta !== undefined) config.meta = { ...(m.meta as object), ...((config.meta as object) ?? {}) };
      const patch: ResourcePatch = {
        name,
        description: String(m.description ?? ''),
        config,
        columns: readColumns(r, m.columns, [...path, 'columns'], { kind: attach, name }, content.tests),
        file: relPath,
        line: yaml.lineOf(path),
      };
      const primaryKey = readPrimaryKey(r, m, path, name);
      if (primaryKey.length) patch.primaryKey = primaryKey;
      if (m.constraints !== undefined) patch.constraints = constraintList(m.constraints, (j) => yaml.lineOf([...path, 'constraints', j]));
      if (kind === 'models' && m.deprecation_date !== undefined && m.deprecation_date !== null) {
        const date = deprecationDate(m.deprecation_date);
        const written = m.deprecation_date instanceof Date ? date?.slice(0, 10) : String(m.deprecation_date).trim();
        if (date) patch.deprecation = { date, written: written ?? date, line: yaml.lineOf([...path, 'deprecation_date']) };
        else r.errors.push(yaml.error(`deprecation_date of model '${name}' must be a date (2025-06-30) or a date and time (2025-06-30T12:00:00Z), not ${JSON.stringify(m.deprecation_date)}`, [...path, 'deprecation_date']));
      }
      readTests(r, [...asList(m.tests), ...asList(m.data_tests)], [...path, m.tests !== undefined ? 'tests' : 'data_tests'], { kind: attach, name }, undefined, content.tests);
      if (kind === 'models') content.models.push(patch);
      else if (kind === 'seeds') content.seeds.push(patch);
      else if (m.relation === undefined) content.snapshots.push(patch);
      else if (typeof m.relation !== 'string' || !m.relation.trim()) r.errors.push(yaml.error(`snapshot '${name}': relation must be ref('model') or source('source', 'table')`, [...path, 'relation']));
      else content.snapshots.push({ ...patch, relation: m.relation.trim(), relationLine: yaml.lineOf([...path, 'relation']) });
    });
  }

  r.each(data.sources, ['sources'], (s, path, sourceName) => {
    r.keys(s, SOURCE_KEYS, path, `source '${sourceName}'`);
    const sourceConfig = r.config(s.config, [...path, 'config']);
    r.unsupported(UNSUPPORTED_CONFIG, sourceConfig, [...path, 'config'], 'source config', 'source');
    const sourceQuoting = quotingAt(r, s.quoting, [...path, 'quoting']);
    if (s.overrides !== undefined) {
      readSourceOverride(r, s, path, sourceName, sourceConfig, sourceQuoting, content);
      return;
    }
    sourceTables(r, s, path, sourceName, (t, tpath, name) => {
      const attach = { kind: 'source' as const, name, sourceName };
      const tableConfig = r.config(t.config, [...tpath, 'config']);
      const external = t.external;
      if (external !== undefined && !isPlainObject(external)) r.errors.push(yaml.error(`'external' must be a mapping`, [...tpath, 'external']));
      content.sources.push({
        sourceName,
        name,
        identifier: String(t.identifier ?? name),
        database: s.database === undefined ? undefined : String(s.database),
        schema: String(s.schema ?? sourceName),
        description: String(t.description ?? ''),
        sourceDescription: String(s.description ?? ''),
        loader: s.loader === undefined ? undefined : String(s.loader),
        columns: readColumns(r, t.columns, [...tpath, 'columns'], attach, content.tests),
        config: { ...sourceConfig, ...tableConfig },
        ...loadedAt(r, { props: t, config: tableConfig, path: tpath }, { props: s, config: sourceConfig, path }),
        // a table's freshness block refines the source's key by key; null turns it off
        freshness: t.freshness === undefined ? s.freshness : t.freshness === null ? null : isPlainObject(t.freshness) && isPlainObject(s.freshness) ? { ...s.freshness, ...t.freshness } : t.freshness,
        external: isPlainObject(external) ? external : undefined,
        meta: { ...((s.meta as object) ?? {}), ...((t.meta as object) ?? {}) },
        tags: [...asList(s.tags), ...asList(t.tags)].map(String),
        quoting: { ...sourceQuoting, ...quotingAt(r, t.quoting, [...tpath, 'quoting']) },
        file: relPath,
        line: yaml.lineOf(tpath),
      });
      readTests(r, [...asList(t.tests), ...asList(t.data_tests)], [...tpath, t.tests !== undefined ? 'tests' : 'data_tests'], attach, undefined, content.tests);
    });
  });

  r.list(data.unit_tests, ['unit_tests']).forEach((raw, i) => {
    content.unitTests.push({ raw, file: relPath, line: yaml.lineOf(['unit_tests', i]) });
  });

  r.each(data.analyses, ['analyses'], (a, path, name) => {
    r.keys(a, ANALYSIS_KEYS, path, `analysis '${name}'`);
    const config = { ...r.config(a.config, [...path, 'config']) };
    r.keys(config, [...configKeysFor('analysis')], [...path, 'config'], `the config of analysis '${name}'`);
    if (a.docs !== undefined && config.docs === undefined) config.docs = a.docs;
    // an analysis has no tests: a column's tests are a mistake the key check reports
    content.analyses.push({ name, description: String(a.description ?? ''), config, columns: readColumns(r, a.columns, [...path, 'columns'], { kind: 'model', name }, [], ANALYSIS_COLUMN_KEYS), file: relPath, line: yaml.lineOf(path) });
  });

  r.each(data.data_tests, ['data_tests'], (t, path, name) => {
    r.keys(t, SINGULAR_TEST_KEYS, path, `singular test '${name}'`);
    const config = { ...r.config(t.config, [...path, 'config']) };
    r.testConfig(config, [...path, 'config']);
    content.singularTests.push({ name, description: String(t.description ?? ''), config, columns: {}, file: relPath, line: yaml.lineOf(path) });
  });

  content.macroPatches = parseMacroPatches(r, data.macros);
  content.exposures = parseExposures(r, data.exposures);
  content.groups = parseGroups(r, data.groups);
  return { content, errors: r.errors, warnings: r.warnings };
}

/**
 * A `deprecation_date` as an ISO time: a date or a date and time; without a
 * zone it is the machine's local time, as dbt reads it.
 */
function deprecationDate(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.test(v.trim())) return undefined;
  const text = v.trim().replace(' ', 'T');
  const t = new Date(/T/.test(text) ? text : `${text}T00:00:00`);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** Each table entry of a source, checked, with its YAML path and name. */
function sourceTables(r: Reader, s: Record<string, unknown>, path: YamlPath, sourceName: string, each: (t: Record<string, unknown>, tpath: YamlPath, name: string) => void): void {
  r.each(s.tables, [...path, 'tables'], (t, tpath, name) => {
    r.keys(t, SOURCE_TABLE_KEYS, tpath, `source table '${sourceName}.${name}'`);
    each(t, tpath, name);
  });
}

/** A source entry with `overrides:`: only the properties it writes, and the tests it adds. */
function readSourceOverride(r: Reader, s: Record<string, unknown>, path: YamlPath, sourceName: string, sourceConfig: Config, sourceQuoting: Quoting | undefined, content: SchemaFileContent): void {
  if (typeof s.overrides !== 'string' || !s.overrides) {
    r.errors.push(r.yaml.error(`'overrides' of source '${sourceName}' must be the name of the package whose source it overrides`, [...path, 'overrides']));
    return;
  }
  const pkg = s.overrides;
  const source: SourceOverride['source'] = {};
  if (s.database !== undefined) source.database = String(s.database);
  if (s.schema !== undefined) source.schema = String(s.schema);
  if (s.loader !== undefined) source.loader = String(s.loader);
  if (s.description !== undefined) source.sourceDescription = String(s.description);
  if (s.loaded_at_field !== undefined || s.loaded_at_query !== undefined) Object.assign(source, { loadedAtField: undefined, loadedAtQuery: undefined, ...loadedAt(r, { props: s, config: sourceConfig, path }) });
  if (s.freshness !== undefined) source.freshness = s.freshness;
  if (s.quoting !== undefined) source.quoting = sourceQuoting;
  if (s.meta !== undefined) source.meta = s.meta as Record<string, unknown>;
  if (s.tags !== undefined) source.tags = asList(s.tags).map(String);
  if (s.config !== undefined) source.config = sourceConfig;
  const tables: SourceOverride['tables'] = [];
  sourceTables(r, s, path, sourceName, (t, tpath, name) => {
    const attach = { kind: 'source' as const, name, sourceName, package: pkg };
    const props: SourceOverride['tables'][number]['props'] = {};
    if (t.identifier !== undefined) props.identifier = String(t.identifier);
    if (t.description !== undefined) props.description = String(t.description);
    if (t.loaded_at_field !== undefined || t.loaded_at_query !== undefined) Object.assign(props, { loadedAtField: undefined, loadedAtQuery: undefined, ...loadedAt(r, { props: t, config: isPlainObject(t.config) ? t.config : {}, path: tpath }) });
    if (t.freshness !== undefined) props.freshness = t.freshness;
    if (t.quoting !== undefined) props.quoting = quotingAt(r, t.quoting, [...tpath, 'quoting']);
    if (t.meta !== undefined) props.meta = t.meta as Record<string, unknown>;
    if (t.tags !== undefined) props.tags = asList(t.tags).map(String);
    if (t.config !== undefined) props.config = r.config(t.config, [...tpath, 'config']);
    if (t.columns !== undefined) props.columns = readColumns(r, t.columns, [...tpath, 'columns'], attach, content.tests);
    if (isPlainObject(t.external)) props.external = t.external;
    readTests(r, [...asList(t.tests), ...asList(t.data_tests)], [...tpath, t.tests !== undefined ? 'tests' : 'data_tests'], attach, undefined, content.tests);
    tables.push({ name, line: r.yaml.lineOf(tpath), props });
  });
  content.sourceOverrides.push({ package: pkg, sourceName, source, tables, file: r.yaml.relPath, line: r.yaml.lineOf(path) });
}

/** One level (a source or a table) that may say how its load time is found. */
interface LoadedAtLevel {
  props: Record<string, unknown>;
  config: Config;
  path: YamlPath;
}

/**
 * `loaded_at_field` or (dbt 1.10) `loaded_at_query`, as a property or under
 * `config:`: the table's own wins over its source's. Both on one level is an
 * error with its line, as in dbt.
 */
function loadedAt(r: Reader, ...levels: LoadedAtLevel[]): Pick<SourceTableDef, 'loadedAtField' | 'loadedAtQuery'> {
  for (const level of levels) {
    const pick = (key: string) => {
      const fromConfig = level.config[key] !== undefined;
      const v = fromConfig ? level.config[key] : level.props[key];
      if (v === undefined || v === null) return undefined;
      const where = fromConfig ? [...level.path, 'config', key] : [...level.path, key];
      if (typeof v !== 'string' || !v.trim()) {
        r.errors.push(r.yaml.error(`${key} must be ${key === 'loaded_at_query' ? 'a SQL query' : 'a column or expression'} as a string`, where));
        return undefined;
      }
      return { value: v, where };
    };
    const field = pick('loaded_at_field');
    const query = pick('loaded_at_query');
    if (field && query) {
      r.errors.push(r.yaml.error('loaded_at_field and loaded_at_query are both set: freshness takes one', query.where, 'keep loaded_at_query (a query returning the newest load time) or loaded_at_field (a column)'));
      return {};
    }
    if (field) return { loadedAtField: field.value };
    if (query) return { loadedAtQuery: query.value };
  }
  return {};
}

/** A `quoting:` block (its error, if any, joins the file's errors). */
function quotingAt(r: Reader, v: unknown, path: YamlPath): Quoting | undefined {
  const { quoting, error } = readQuoting(r.yaml, v, path);
  if (error) r.errors.push(error);
  return quoting;
}

function readColumns(r: Reader, v: unknown, path: YamlPath, attach: TestDef['attachedTo'], tests: TestDef[], keys = COLUMN_KEYS): Record<string, ColumnDef> {
  const out: Record<string, ColumnDef> = {};
  r.each(v, path, (c, cpath, name) => {
    r.keys(c, keys, cpath, `column '${name}'`);
    r.unsupported(UNSUPPORTED_COLUMN, c, cpath, 'column property');
    // a column's config: holds meta and tags (dbt 1.10's place for them); anything else there is a mistake
    const ccfg = r.config(c.config, [...cpath, 'config']);
    r.keys(ccfg, ['meta', 'tags'], [...cpath, 'config'], `the config of column '${name}'`);
    out[name] = {
      name,
      description: String(c.description ?? ''),
      dataType: c.data_type === undefined ? undefined : String(c.data_type),
      meta: { ...((c.meta as Record<string, unknown>) ?? {}), ...(isPlainObject(ccfg.meta) ? ccfg.meta : {}) },
      tags: [...new Set([...asList(c.tags), ...asList(ccfg.tags)].map(String))],
      quote: c.quote === undefined ? undefined : Boolean(c.quote),
      constraints: c.constraints === undefined ? undefined : constraintList(c.constraints, (j) => r.yaml.lineOf([...cpath, 'constraints', j])),
      line: r.yaml.lineOf(cpath),
    };
    readTests(r, [...asList(c.tests), ...asList(c.data_tests)], [...cpath, c.tests !== undefined ? 'tests' : 'data_tests'], attach, name, tests);
  });
  return out;
}

/**
 * `constraints:` of a model (`{type: primary_key, columns: [id]}`) and of its
 * columns (`{type: primary_key}`), checked as dbt documents them; returns the
 * primary key's columns (empty when none is declared). Two primary keys are an error.
 */
function readPrimaryKey(r: Reader, m: Record<string, unknown>, path: YamlPath, model: string): string[] {
  const found: Array<{ columns: string[]; path: YamlPath }> = [];
  const read = (v: unknown, cpath: YamlPath, column: string | undefined) => {
    r.list(v, cpath).forEach((raw, i) => {
      const p = [...cpath, i];
      if (!isPlainObject(raw) || typeof raw.type !== 'string') {
        r.errors.push(r.yaml.error(`a constraint must be a mapping with a type (${CONSTRAINT_TYPES.join(', ')})`, p));
        return;
      }
      r.keys(raw, column === undefined ? CONSTRAINT_KEYS : CONSTRAINT_KEYS.filter((k) => k !== 'columns'), p, `a constraint of ${column === undefined ? `model '${model}'` : `column '${column}'`}`);
      if (!CONSTRAINT_TYPES.includes(raw.type)) {
        r.errors.push(r.yaml.error(`unknown constraint type '${raw.type}'`, [...p, 'type'], didYouMean(raw.type, CONSTRAINT_TYPES) ?? `use one of ${CONSTRAINT_TYPES.join(', ')}`));
        return;
      }
      if (raw.type !== 'primary_key') return;
      if (column !== undefined) {
        found.push({ columns: [column], path: p });
        return;
      }
      const cols = raw.columns;
      if (!Array.isArray(cols) || !cols.length || !cols.every((c) => typeof c === 'string' && c)) {
        r.errors.push(r.yaml.error(`a model's primary_key constraint names its columns: columns: [id]`, [...p, 'columns']));
        return;
      }
      found.push({ columns: cols as string[], path: p });
    });
  };
  read(m.constraints, [...path, 'constraints'], undefined);
  (Array.isArray(m.columns) ? m.columns : []).forEach((c, i) => {
    if (isPlainObject(c) && typeof c.name === 'string' && c.constraints !== undefined) read(c.constraints, [...path, 'columns', i, 'constraints'], c.name);
  });
  if (found.length > 1) {
    r.errors.push(r.yaml.error(`model '${model}' declares more than one primary_key constraint`, found[1].path, 'declare one on the model with all its columns: constraints: [{type: primary_key, columns: [a, b]}]'));
    return [];
  }
  return found[0]?.columns ?? [];
}

/**
 * A test entry is `not_null`, `{unique: {config: …}}`, `{accepted_values: {values: […]}}`,
 * or the nested form `{accepted_values: {arguments: {values: […]}, config: {…}}}`.
 */
function readTests(r: Reader, entries: unknown[], path: YamlPath, attach: TestDef['attachedTo'], columnName: string | undefined, out: TestDef[]): void {
  entries.forEach((entry, i) => {
    const tpath = [...path, i];
    const line = r.yaml.lineOf(tpath);
    let fullName: string;
    let body: Record<string, unknown> = {};
    if (typeof entry === 'string') {
      fullName = entry;
    } else if (isPlainObject(entry) && Object.keys(entry).length === 1 && isPlainObject(Object.values(entry)[0])) {
      fullName = Object.keys(entry)[0];
      body = Object.values(entry)[0] as Record<string, unknown>;
    } else if (isPlainObject(entry) && Object.keys(entry).length === 1 && Object.values(entry)[0] === null) {
      fullName = Object.keys(entry)[0];
    } else if (isPlainObject(entry) && typeof entry.test_name === 'string') {
      fullName = entry.test_name;
      body = { ...entry };
      delete body.test_name;
    } else {
      r.errors.push(r.yaml.error('a test must be a name or a mapping of one test name to its arguments', tpath));
      return;
    }
    const dot = fullName.lastIndexOf('.');
    const namespace = dot > 0 ? fullName.slice(0, dot) : undefined;
    const testName = dot > 0 ? fullName.slice(dot + 1) : fullName;
    const config: Config = { ...(isPlainObject(body.config) ? body.config : {}) };
    const kwargs: Record<string, unknown> = {};
    const args = body.arguments;
    if (args !== undefined && !isPlainObject(args)) r.errors.push(r.yaml.error(`'arguments' of test '${fullName}' must be a mapping`, [...tpath, fullName, 'arguments']));
    for (const [k, v] of Object.entries(body)) {
      if (k === 'config' || k === 'arguments' || k === 'name' || k === 'description') continue;
      if (TEST_CONFIG_KEYS.has(k) && k !== 'description') config[k] = v;
      else kwargs[k] = v;
    }
    if (isPlainObject(args)) Object.assign(kwargs, args);
    r.testConfig(config, [...tpath, fullName, 'config']);
    out.push({
      testName,
      namespace,
      customName: typeof body.name === 'string' ? body.name : undefined,
      kwargs,
      config,
      attachedTo: attach,
      columnName,
      file: r.yaml.relPath,
      line,
    });
  });
}
