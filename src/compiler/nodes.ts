import type { Relation } from '../adapters/types.js';
import type { Config } from '../project/config-merge.js';
import type { ConstraintDef } from '../project/constraints.js';
import type { ColumnDef } from '../project/schema-yaml.js';
import type { UnitInput } from '../tests/unit/parse.js';
import type { CodeMap } from './line-map.js';
import type { SnapshotSpec } from '../project/snapshot-config.js';

export type NodeResourceType = 'model' | 'seed' | 'source' | 'test' | 'unit_test' | 'analysis' | 'exposure' | 'snapshot';

interface NodeBase {
  uniqueId: string;
  name: string;
  resourceType: NodeResourceType;
  packageName: string;
  fqn: string[];
  /** posix path relative to the project directory (for a package's node: below its folder, dbt_packages/<pkg>/…) */
  originalFilePath: string;
  /** a package's node: the package's folder relative to the project (its files in target/ are relative to it) */
  packageDir?: string;
  /** path relative to its resource root (models/, seeds/ …) */
  path: string;
  description: string;
  config: Config;
  tags: string[];
  columns: Record<string, ColumnDef>;
  dependsOn: { nodes: string[]; macros: string[] };
  patchPath?: string;
  /** sha256 of the raw file; for sources, generic tests and unit tests, of their YAML definition */
  checksum: string;
  /** config as written, before templates ran (see unrendered-config.ts): what state comparison compares */
  unrenderedConfig: Config;
  /**
   * The profile output this node runs on (`connection:` config), when it is not
   * the target; tests run where the node they test lives.
   */
  connection?: string;
}

export interface ModelNode extends NodeBase {
  resourceType: 'model';
  rawCode: string;
  /** The rendered select, ephemeral CTEs injected; set by the compiler. */
  compiledCode: string;
  /** For ephemeral models: the model's own select, before CTEs of other ephemerals are added. */
  compiledCodeOwn?: string;
  /** where the text of compiledCode came from, to tell an error at the line of the file (not written to artifacts) */
  sourceMap?: CodeMap;
  /** the same, for compiledCodeOwn */
  sourceMapOwn?: CodeMap;
  relation: Relation;
  materialized: string;
  /** is_incremental() as it rendered: the relation existed and no full refresh. */
  isIncremental: boolean;
  preHooks: string[];
  postHooks: string[];
  /** posix path of the compiled file under target/, relative to the project */
  compiledPath: string;
  /** the columns of the `primary_key` constraint declared in YAML, if any */
  primaryKey?: string[];
  /** model-level `constraints:` from YAML (model contracts) */
  constraints?: ConstraintDef[];
  /** `deprecation_date` (ISO) and its line in the properties file */
  deprecation?: { date: string; written: string; line?: number };
  /** it reads an external source (views over those are late-binding on Redshift) */
  readsExternal?: boolean;
  /** parts whose text depends on queries (run_query, statement, execute…): rendered again when the model runs */
  renderAtRunTime?: Array<'sql' | 'pre_hook' | 'post_hook'>;
  /** the template reads `this` (a microbatch model's batches then run one after another unless concurrent_batches says otherwise) */
  readsThis?: boolean;
}

/**
 * A snapshot: a `{% snapshot %}` block or a properties-file entry with
 * `relation:`. Its select is rendered like a model's; each run records, in its
 * table, the rows that changed since the last (see materializations/snapshot.ts).
 */
export interface SnapshotNode extends NodeBase {
  resourceType: 'snapshot';
  /** the block's body (or `select * from {{ relation }}`) as written */
  rawCode: string;
  /** the rendered select */
  compiledCode: string;
  /** where the text of compiledCode came from (not written to artifacts) */
  sourceMap?: CodeMap;
  relation: Relation;
  materialized: 'snapshot';
  /** the checked config: strategy, key, hard deletes, meta column names */
  snapshot: SnapshotSpec;
  preHooks: string[];
  postHooks: string[];
  compiledPath: string;
  /** line of the block's opening tag or of the YAML entry */
  line: number;
  readsExternal?: boolean;
  renderAtRunTime?: Array<'sql' | 'pre_hook' | 'post_hook'>;
}

export interface SeedNode extends NodeBase {
  resourceType: 'seed';
  relation: Relation;
  absPath: string;
  preHooks: string[];
  postHooks: string[];
}

export interface SourceNode extends NodeBase {
  resourceType: 'source';
  sourceName: string;
  identifier: string;
  relation: Relation;
  loadedAtField?: string;
  /** SQL returning the newest load time (dbt 1.10's loaded_at_query), in place of loaded_at_field */
  loadedAtQuery?: string;
  freshness?: unknown;
  external?: Record<string, unknown>;
  /** YAML line of the table entry, for error messages */
  line?: number;
  sourceDescription: string;
  loader?: string;
  meta: Record<string, unknown>;
}

export interface TestNode extends NodeBase {
  resourceType: 'test';
  testType: 'generic' | 'singular';
  /** generic tests: name, namespace and arguments as written in YAML */
  testMetadata?: { name: string; namespace?: string; kwargs: Record<string, unknown> };
  attachedNode?: string;
  columnName?: string;
  /** singular tests: the SQL file as written */
  rawCode?: string;
  /** the rendered query returning failing rows */
  compiledCode?: string;
  /** singular tests: where the text of compiledCode came from (not written to artifacts) */
  sourceMap?: CodeMap;
  /** posix path of the compiled file under target/, relative to the project */
  compiledPath?: string;
  /** YAML line of the test entry, for error messages */
  line?: number;
  /** generic tests: a name short enough for files and tables (dbt's alias) */
  alias?: string;
  /** a generic test implemented by tsql's own built-in macro (not overridden): may be folded into a shared scan */
  builtin?: boolean;
  /** its SQL depends on queries (get_columns_in_relation, run_query, execute…): rendered again when it runs */
  renderAtRunTime?: Array<'sql'>;
}

export interface UnitTestNode extends NodeBase {
  resourceType: 'unit_test';
  /** unique id of the model under test */
  model: string;
  /** the model's select, rendered with every given input replaced by a CTE name */
  compiledCode: string;
  compiledPath: string;
  /** each input with its CTE name and, when it exists in the project, its node and relation */
  /** `quoted`: the input's columns with `quote: true`, written exactly as named */
  given: Array<UnitInput & { cte: string; nodeId?: string; relation?: Relation; quoted?: string[] }>;
  expect: { rows: Array<Record<string, unknown>>; columns: string[] };
  line?: number;
}

/** A query under analysis-paths: compiled to target/compiled/, never executed. */
export interface AnalysisNode extends NodeBase {
  resourceType: 'analysis';
  rawCode: string;
  compiledCode: string;
  compiledPath: string;
}

/** A dashboard, notebook, … that reads the project (properties YAML `exposures:`): in the graph, never executed. */
export interface ExposureNode extends NodeBase {
  resourceType: 'exposure';
  /** dashboard | notebook | analysis | ml | application */
  exposureType: string;
  owner: Record<string, unknown>;
  url?: string;
  maturity?: string;
  label?: string;
  meta: Record<string, unknown>;
  line?: number;
}

export type ManifestNode = ModelNode | SeedNode | SourceNode | TestNode | UnitTestNode | AnalysisNode | ExposureNode | SnapshotNode;

/** The nodes that build a relation from a rendered select. */
export type BuiltNode = ModelNode | SnapshotNode;

/**
 * Where a node's files go below target/compiled/<package>/ and target/run/<package>/
 * (the package is the project's name for its own nodes): its own file, a test's
 * alias below its YAML file, a unit test below its model, a source below its YAML
 * file, a seed's CSV as .sql; paths relative to the project or package it belongs to.
 */
export function artifactPath(n: ManifestNode): string {
  const file = pathInPackage(n);
  switch (n.resourceType) {
    case 'unit_test':
      return `${file}/${n.model.split('.').pop()}/${n.name}.sql`;
    case 'test':
      return n.testType === 'generic' ? `${file}/${n.alias ?? n.name}.sql` : file;
    case 'source':
      return `${file}/${n.sourceName}.${n.name}.sql`;
    case 'snapshot': {
      // a file may hold several snapshots, and a properties file defines some: one file per snapshot, beside its definition
      const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
      return `${dir}${n.name}.sql`;
    }
    default:
      return file.replace(/\.csv$/, '.sql');
  }
}

/** A node's file relative to the project or package it belongs to (dbt's original_file_path). */
export function pathInPackage(n: Pick<ManifestNode, 'originalFilePath' | 'packageDir'>): string {
  return n.packageDir && n.originalFilePath.startsWith(n.packageDir + '/') ? n.originalFilePath.slice(n.packageDir.length + 1) : n.originalFilePath;
}


/** The manifest's parent and child maps, from each node's `depends_on.nodes`. */
export function graphEdges(nodes: Iterable<ManifestNode>): { parents: Map<string, Set<string>>; children: Map<string, Set<string>> } {
  const parents = new Map<string, Set<string>>();
  const children = new Map<string, Set<string>>();
  for (const n of nodes) {
    parents.set(n.uniqueId, new Set(n.dependsOn.nodes));
    if (!children.has(n.uniqueId)) children.set(n.uniqueId, new Set());
    for (const p of n.dependsOn.nodes) {
      let c = children.get(p);
      if (!c) children.set(p, (c = new Set()));
      c.add(n.uniqueId);
    }
  }
  return { parents, children };
}
