import nunjucks from 'nunjucks';
import { digest } from '../util/digest.js';
import type { Dialect, Relation, RelationKind } from '../adapters/types.js';
import { ErrorCollector, UserError, type LazyPlace, type SourcePlace } from '../errors.js';
import { configKeysFor, type ConfigResource } from '../project/config-keys.js';
import { configValueProblems } from '../project/config-values.js';
import { asHookList, asStringList, isPlainObject, mergeConfig, type Config } from '../project/config-merge.js';
import type { LoadedProject, SqlFile } from '../project/load.js';
import type { ProjectContent } from '../project/project-content.js';
import { hooksInRunOrder, layeredConfig, varsFor, withRootOverride, type CompiledHook, type ProjectHook } from './package-scope.js';
import { ambiguousRefError, missingRefError, refSearchOrder, resolveAmong, sourceSearchOrder, type Resolution } from './ref-resolution.js';
import type { ResourcePatch } from '../project/schema-yaml.js';
import type { ResolvedTarget } from '../project/profiles.js';
import { redactOutput } from '../project/profiles.js';
import { didYouMean } from '../util/suggest.js';
import { BUILTIN_MACROS, BUILTIN_TEST_NAMESPACES, BUILTIN_TESTS, NAMING_MACROS } from '../templating/builtin-macros.js';
import { CROSS_DB_MACRO_FILES } from '../templating/cross-db/index.js';
import { dbtNamespace } from '../templating/dbt-namespace.js';
import { datetimeObject, lineOfCall, splitArgs } from '../templating/context-helpers.js';
import { templateModules } from '../templating/modules/index.js';
import { compileTemplate, createEnvironment, generateCode, MacroReturn, templateFromProps } from '../templating/environment.js';
import { MacroRegistry } from '../templating/macros.js';
import { dispatchInNamespace, installNamespaces, installPackageLocalMacros } from './package-dispatch.js';
import { checkRelationCollisions } from './relation-collisions.js';
import { renderConfigValues, renderSourceDefinition } from './yaml-jinja.js';
import { holdsJinja, renderNative, type YamlJinja } from './test-arguments.js';
import { emptyGraph, graphContext, type GraphContext } from './graph-context.js';

type FolderTree = 'models' | 'seeds' | 'tests' | 'sources' | 'snapshots' | 'analyses' | 'unit_tests';
import { TemplateRelation } from '../templating/relation.js';
import { templateError } from '../templating/render-error.js';
import { TemplateCodeCache, type TemplateCode } from '../templating/template-cache.js';
import { isWithin, lakeLocation } from '../project/lake.js';
import { findCycle } from '../graph/cycles.js';
import { EXTERNAL_KEYS } from '../materializations/external.js';
import { UNLOAD_FORMATS, type UnloadFormat } from '../materializations/unload.js';
import { injectEphemeralCtes, ephemeralCteName } from './ephemeral.js';
import { mapWithCtes, ownCodeMap, type CodeMap, type CteLayout } from './line-map.js';
import { renderWithMarks, type OutputMarks } from '../templating/jinja/output-marks.js';
import { bindArgs } from '../templating/jinja/python-args.js';
import { isSafe, strValue } from '../templating/jinja/python-values.js';
import { DBT_COMPATIBLE_VERSION } from '../version.js';
import { pyJsonDumps } from '../templating/jinja/python-json.js';
import { artifactPath, graphEdges, type AnalysisNode, type ManifestNode, type ModelNode, type SeedNode, type SnapshotNode, type SourceNode, type TestNode, type UnitTestNode } from './nodes.js';
import { legacySnapshotPlace, snapshotMacroWarnings, snapshotNode } from './snapshot-node.js';
import type { SnapshotFile } from '../project/snapshot-files.js';
import { parseUnitTest } from '../tests/unit/parse.js';
import { runDateContext } from '../run-date/run-date.js';
import { buildGenericTests, resolveRelationText, type RelationResolvers } from './generic-tests.js';
import { checksumOf, sourceDefinitionChecksum } from './definition.js';
import { describeMacros, linkNodeMacros, type ManifestMacro } from './macro-deps.js';
import { applyMacroProperties } from './macro-properties.js';
import { inlineConfig } from './unrendered-config.js';
import { grantsWithoutPrivileges } from './grants-warning.js';
import { emptyRelationSql, resolveSubqueryAliases, subqueryRelationSql } from './empty.js';
import { seedChecksum } from '../seeds/seed-checksum.js';
import { rewriteTestBlocks } from '../templating/macros.js';
import { runInterruptibly } from '../execution/interruptible.js';
import { isSecretEnvName } from '../util/secrets.js';
import { checkUnsupportedConfig, engineConfigWarnings } from '../project/unsupported.js';
import { buildExposures } from './exposures.js';
import { checkContracts } from './contract-check.js';
import { checkPartitions } from './partition-check.js';
import { checkMicrobatch, firstBatchOf } from './microbatch-check.js';
import { checkPredicates } from './predicates-check.js';
import { deprecationWarnings } from './deprecation.js';
import type { BatchContext } from '../run-date/batches.js';
import { checkAccess, type ProjectGroup } from './access.js';
import { introspectionGlobals } from '../templating/introspection/globals.js';
import { findNeedQuery, type ReplayLog } from '../templating/introspection/replay.js';
import { tryOrCompilerError } from '../templating/try-or-compiler-error.js';
import { RunTimeRenderer, type RenderTarget, type RenderOutput } from './run-time-render.js';
import { RenderInputLog, type RenderInputs } from './render-inputs.js';
import type { DocBlock } from '../project/doc-blocks.js';
import { UserErrors } from '../errors.js';

export interface CompileOptions {
  /** what the invocation runs, as dbt names it (`flags.WHICH`): run, build, test, compile, list … and its selection */
  invocation?: { which: string; select?: string[]; exclude?: string[] };
  project: LoadedProject;
  target: ResolvedTarget;
  dialect: Dialect;
  /** --vars */
  cliVars: Record<string, unknown>;
  fullRefresh: boolean;
  /** Relations that exist in the warehouse, keyed by relationKey(). */
  catalog: Map<string, RelationKind>;
  invocationId: string;
  runStartedAt: Date;
  /** Extra names visible to every template (e.g. run-date variables). */
  extraGlobals?: Record<string, unknown>;
  /** File for the generated-code cache (under target/); none disables it. */
  templateCacheFile?: string;
  /** The data lake's root: links unload models to the external sources that read their files. */
  lakeRoot?: string;
  /**
   * Another output of the profile, by name, for nodes with `connection: <name>`;
   * undefined when the profile has no such output (the node then runs on the target).
   */
  connection?: (name: string) => ConnectionInfo | undefined;
  /** The profile's output names (for suggestions when `connection:` has a typo). */
  outputNames?: string[];
  /** --defer: unique id → production's relation, for the refs that read it (see defer.ts) */
  deferred?: Map<string, Relation>;
  /** --empty: refs and sources in models read as empty subqueries (see empty.ts) */
  empty?: boolean;
}

/** What compiling a node for another connection needs to know about it. */
export interface ConnectionInfo {
  dialect: Dialect;
  database: string | undefined;
  schema: string;
  /** `target` as templates see it for nodes on this connection (no credentials) */
  context: Record<string, unknown>;
  /** relations that exist there; undefined until read (then `catalogsWanted` asks for it) */
  catalog?: Map<string, RelationKind>;
}

export interface Manifest {
  projectName: string;
  nodes: Map<string, ManifestNode>;
  parents: Map<string, Set<string>>;
  children: Map<string, Set<string>>;
  disabled: string[];
  macros: ManifestMacro[];
  /** `groups:` of the project and its packages */
  groups: ProjectGroup[];
  onRunStart: CompiledHook[];
  onRunEnd: CompiledHook[];
  /** --defer: the nodes whose refs resolved to production's relation, and that relation */
  deferred: Map<string, Relation>;
}

export interface CompileResult {
  manifest: Manifest;
  warnings: string[];
  /** `log(msg, info=true)` output, in order. */
  logs: string[];
  /**
   * Connections whose catalog a template consulted (is_incremental, get_relation)
   * before it was read: read them and compile again for exact results.
   */
  catalogsWanted: string[];
  /** renders again, when they run, the nodes and hooks whose SQL depends on queries (see run-time-render.ts) */
  runTime: RunTimeRenderer;
  /** checksums of big seeds still being computed (seeds/seed-checksum.ts): settle them before the manifest is written or compared */
  pendingChecksums: Array<Promise<void>>;
  /** the doc blocks of the project and its packages (manifest.json `docs`) */
  docBlocks: DocBlock[];
  /** what the templates read beyond files, options and target, for the compile cache (compile-cache.ts) */
  inputs: RenderInputs;
  /** manifest.json but its metadata, once built (artifacts/write.ts manifestBody): the compile cache keeps it */
  manifestBody?: string;
}


export function relationKey(rel: Relation): string {
  return [rel.database ?? '', rel.schema, rel.identifier].join('.').toLowerCase();
}

type DraftState = 'pending' | 'rendering' | 'done';

interface Frame {
  kind: 'model' | 'test' | 'hook' | 'seed';
  id: string;
  file: string;
  raw: string;
  /** the final config: `own` with the root project's override for a package's node on top */
  config: Config;
  /** config before the root project's override: defaults, folders, YAML, config() calls so far */
  own: Config;
  /** for a package's node: the root project's folder config for it, which wins over everything (see package-scope.ts) */
  override?: Config;
  /** the project or package the node belongs to */
  pkg: string;
  deps: Set<string>;
  ephemeralDeps: Set<string>;
  /** the node's relation once config is final; recomputed on config() */
  relation?: Relation;
  /** Resource name (for `this`, `model`) */
  name: string;
  fqn: string[];
  resourceType: string;
  /** rendering a model for a unit test: given inputs (by key) become CTE names; overrides apply */
  unit?: { inputs: Map<string, string>; vars: Record<string, unknown>; macros: Record<string, unknown>; missing: string[] };
  /** the template read `execute` or asked the warehouse (run_query, statement, get_columns_in_relation…) */
  introspects?: boolean;
  /** while a model renders: refs and sources that did not resolve, errors only if the model is enabled */
  refErrors?: UserError[];
  /** one batch of a microbatch model: refs and sources with `event_time` read this window only (`model.batch`) */
  batch?: BatchContext;
  /** the template read `this` (a microbatch model's batches then run one after another) */
  readsThis?: boolean;
}

/** A model or seed that ref() can read. */
type Refable = { packageName: string; draft: ModelDraft; seed?: undefined } | { packageName: string; seed: SeedNode; draft?: undefined };

interface ModelDraft {
  /** a model, or a snapshot (rendered the same way; refs to it read its table) */
  kind: 'model' | 'snapshot';
  file: SqlFile;
  id: string;
  state: DraftState;
  frame: Frame;
  /** config before the template runs (folders and YAML), also the starting point of its unit tests */
  baseConfig: Config;
  /** the root project's folder config for a package's model (see package-scope.ts) */
  override?: Config;
  sql: string;
  node?: ModelNode | SnapshotNode;
}

/**
 * Compiles a loaded project into a manifest. Each model's template is compiled
 * and rendered exactly once: `ref()` renders its target on demand (so the
 * target's config, and thus its relation name, is final), records the edge,
 * and returns the relation. A ref back into a model still rendering is a cycle.
 */
export class Compiler {
  private readonly env: nunjucks.Environment;
  private readonly cache: TemplateCodeCache;
  private readonly macros: MacroRegistry;
  private readonly errors = new ErrorCollector();
  private readonly warnings: string[] = [];
  private readonly logs: string[] = [];
  private readonly stack: Frame[] = [];
  private readonly drafts = new Map<string, ModelDraft>();
  /** models and seeds of every project by name (several packages may use one name; see ref-resolution.ts) */
  private readonly refables = new Map<string, Refable[]>();
  /** seeds by unique id */
  private readonly seeds = new Map<string, SeedNode>();
  /** source tables by `source_name.table_name`, one per project defining it */
  private readonly sources = new Map<string, SourceNode[]>();
  private readonly disabled = new Set<string>();
  /** disabled models and seeds by name, with their unique ids */
  private readonly disabledNames = new Map<string, string[]>();
  /** the root project and the installed packages, by name */
  private readonly projects = new Map<string, ProjectContent>();
  /** var() of each project's nodes (see package-scope.ts) */
  private readonly varsByPackage = new Map<string, Record<string, unknown>>();
  /** compiled templates by file, then by source text (a file's own text and the hooks rendered in it) */
  private readonly templateCache = new Map<string, Map<string, nunjucks.Template>>();
  private readonly seenCycles = new Set<string>();
  private nativeNaming = true;
  private readonly targetContext: Record<string, unknown>;
  /** the target, as a connection */
  private readonly targetInfo: ConnectionInfo;
  private readonly catalogsWanted = new Set<string>();
  /** environment variables and per-invocation values the templates read (see render-inputs.ts) */
  private readonly renderInputs = new RenderInputLog(() => this.stack[this.stack.length - 1]?.file);
  private readonly pendingChecksums: Array<Promise<void>> = [];
  private readonly unknownConnections = new Set<string>();
  private readonly pkg: string;
  private readonly deferredUsed = new Map<string, Relation>();
  /** rendering hooks: --empty leaves their refs alone */
  private inHooks = false;
  /** a run-time render in progress: `execute` is true and queries are answered from this log */
  private runtime?: { log: ReplayLog; results: Map<string, unknown>; runEnd?: Record<string, unknown> };
  /** every node, once compiled (run-time renders inline ephemeral models from here) */
  private compiledNodes = new Map<string, ManifestNode>();
  /** `graph` for run-time renders, built from compiledNodes on first use */
  private graph?: GraphContext;
  /** on-run-start / on-run-end hooks whose SQL depends on queries: rendered again when they run */
  private readonly runTimeHooks = new Set<'on-run-start' | 'on-run-end'>();
  /** data tests whose SQL depends on queries: how to render each again when it runs */
  private readonly runTimeTests = new Map<string, { file: string; text: string; line?: number; config: Config; render: () => unknown }>();

  constructor(private readonly opts: CompileOptions) {
    this.env = createEnvironment();
    this.cache = new TemplateCodeCache(opts.templateCacheFile, extensionTags(this.env));
    this.macros = new MacroRegistry(this.env, this.cache);
    this.pkg = opts.project.settings.name;
    for (const p of [opts.project, ...(opts.project.packages ?? [])]) this.projects.set(p.name, p);
    const t = opts.target;
    this.targetContext = {
      ...redactOutput(t.output),
      name: t.targetName,
      target_name: t.targetName,
      profile_name: t.profileName,
      type: t.type,
      schema: t.schema,
      database: t.database,
      threads: t.threads,
    };
    this.targetInfo = { dialect: opts.dialect, database: t.database, schema: t.schema, context: this.targetContext, catalog: opts.catalog };
  }

  // ---------------------------------------------------------------- connections

  /**
   * The profile output a config's `connection:` names, when it is another output
   * of the profile. A name the profile does not have means the target (so a
   * project with `connection: oltp` still runs on a one-output profile), unless
   * it looks like a typo of an output that exists. `place` is only computed for that error.
   */
  private connectionName(config: Config, place: LazyPlace): string | undefined {
    const c = config.connection;
    if (c === undefined || c === null || c === '') return undefined;
    const name = String(c);
    if (name === this.opts.target.targetName) return undefined;
    if (this.opts.connection?.(name)) return name;
    const close = didYouMean(name, (this.opts.outputNames ?? []).filter((o) => o !== name));
    if (close && !this.unknownConnections.has(name)) {
      this.unknownConnections.add(name);
      this.errors.add(new UserError(`connection '${name}' is not an output of profile '${this.opts.target.profileName}'`, place(), { hint: close }));
    }
    return undefined;
  }

  private connectionInfo(name: string | undefined): ConnectionInfo {
    return (name && this.opts.connection?.(name)) || this.targetInfo;
  }

  /** The output a frame's node runs on, when not the target (hooks run on the target). */
  private frameConnectionName(frame: Frame | undefined): string | undefined {
    if (!frame || frame.kind === 'hook') return undefined;
    return this.connectionName(frame.config, () => ({ file: frame.file, line: frame.kind === 'model' ? lineOfCall(frame.raw, 'config') : undefined }));
  }

  /** The connection of the node being rendered (the target outside any node). */
  private frameConnection(frame: Frame | undefined): ConnectionInfo {
    return this.connectionInfo(this.frameConnectionName(frame));
  }

  private get dialect(): Dialect {
    return this.frameConnection(this.stack[this.stack.length - 1]).dialect;
  }

  /** Dispatch order for the node being rendered: its engine, that engine's parent, then default. */
  private get dispatchEngines(): string[] {
    const d = this.dialect;
    return d.parentType ? [d.type, d.parentType] : [d.type];
  }

  /** Whether `rel` exists as a table on a connection; asks for that catalog when it is not read yet. */
  private catalogKind(name: string | undefined, rel: Relation): RelationKind | undefined {
    const info = this.connectionInfo(name);
    if (!info.catalog) {
      if (name) this.catalogsWanted.add(name);
      return undefined;
    }
    return info.catalog.get(relationKey(rel));
  }

  /** The manifest; Ctrl-C stops a compile at once, even inside a template that never ends. */
  compile(): CompileResult {
    return runInterruptibly(() => this.compileProject());
  }

  private compileProject(): CompileResult {
    this.installGlobals();
    for (const e of this.macros.loadFile(BUILTIN_MACROS, '<tsql builtin macros>', true)) this.errors.add(e);
    for (const e of this.macros.loadFile(BUILTIN_TESTS, '<tsql builtin tests>', true)) this.errors.add(e);
    for (const f of CROSS_DB_MACRO_FILES) for (const e of this.macros.loadFile(f.text, f.file, true)) this.errors.add(e);
    for (const f of this.opts.project.macroFiles) for (const e of this.macros.loadFile(f.text, f.relPath, false)) this.errors.add(e);
    for (const p of this.opts.project.packages ?? []) for (const f of p.macroFiles) for (const e of this.macros.loadFile(f.text, f.relPath, false, p.name)) this.errors.add(e);
    installNamespaces(this.env, this.macros, this.pkg, this.macros.entries().filter((m) => !m.builtin && !m.pkg));
    installPackageLocalMacros(this.env, this.macros, () => this.stack[this.stack.length - 1]?.pkg);
    this.nativeNaming = !this.macros.overridesAny(NAMING_MACROS);
    if (this.opts.project.snapshots.length) this.warnings.push(...snapshotMacroWarnings(this.opts.project.macroFiles));
    this.errors.throwIfAny();

    const projects = [...this.projects.values()];
    for (const p of projects) this.prepareSources(p);
    for (const p of projects) this.prepareSeeds(p);
    for (const p of projects) this.prepareModels(p);
    for (const p of projects) this.prepareSnapshots(p);
    this.precompile(projects.flatMap((p) => [...p.models, ...p.snapshots, ...p.singularTests, ...p.analyses]));
    for (const draft of this.drafts.values()) this.renderModel(draft);
    const singular = projects.flatMap((p) => p.singularTests.map((f) => this.renderSingularTest(p, f))).filter((t) => t !== undefined);
    const analyses = projects.flatMap((p) => p.analyses.map((f) => this.renderAnalysis(f))).filter((a) => a !== undefined);

    const nodes = new Map<string, ManifestNode>();
    for (const s of this.seeds.values()) nodes.set(s.uniqueId, s);
    for (const d of this.drafts.values()) if (d.node) nodes.set(d.id, d.node);
    for (const list of this.sources.values()) for (const s of list) nodes.set(s.uniqueId, s);
    for (const t of singular) nodes.set(t.node.uniqueId, t.node);
    this.errors.throwIfAny();

    // Ephemeral models are inlined into their consumers (models and singular tests) as CTEs.
    for (const node of nodes.values()) {
      if (node.resourceType === 'model' && node.materialized === 'ephemeral') [node.compiledCodeOwn, node.sourceMapOwn] = [node.compiledCode, node.sourceMap];
    }
    for (const d of this.drafts.values()) {
      if (d.node && d.frame.ephemeralDeps.size) [d.node.compiledCode, d.node.sourceMap] = this.inlineEphemerals(d.node.compiledCode, d.node.sourceMap, d.frame.ephemeralDeps, nodes);
    }
    for (const t of singular) {
      if (t.ephemeralDeps.size) [t.node.compiledCode, t.node.sourceMap] = this.inlineEphemerals(t.node.compiledCode!, t.node.sourceMap, t.ephemeralDeps, nodes);
    }

    for (const p of projects) {
      const generic = buildGenericTests({
        defs: p.tests,
        pkg: p.name,
        relDir: p.relDir,
        nodes,
        folderConfig: (fqn) => this.folderConfig(p, 'tests', fqn),
        rootFolderConfig: (fqn) => this.rootOverride(p, 'tests', fqn),
        renderJinja: (value, def) => {
          if (!holdsJinja(value)) return value;
          const before = this.errors.errors.length;
          const rendered = renderNative(value, this.yamlJinja(p, def.file, def.line)) as Record<string, unknown>;
          return this.errors.errors.length > before ? undefined : rendered;
        },
        ...this.resolversFor(p.name),
      });
      generic.errors.forEach((e) => this.errors.add(e));
      for (const t of generic.tests) {
        nodes.set(t.uniqueId, t);
        this.renderGenericTest(t, nodes);
      }
    }
    for (const u of projects.flatMap((p) => this.renderUnitTests(p, nodes))) {
      u.compiledPath = this.compiledPathOf(u);
      nodes.set(u.uniqueId, u);
    }
    for (const t of singular) t.node.compiledPath = this.compiledPathOf(t.node);
    // analyses and exposures: in the graph (selectable, listed), never executed
    for (const a of analyses) {
      if (a.ephemeralDeps.size) a.node.compiledCode = injectEphemeralCtes(a.node.compiledCode, a.ephemeralDeps, nodes, this.drafts);
      nodes.set(a.node.uniqueId, a.node);
    }
    for (const p of projects) {
      const exposures = buildExposures(p.exposures, p.name, nodes, this.disabled, this.resolversFor(p.name));
      exposures.errors.forEach((e) => this.errors.add(e));
      for (const x of exposures.exposures) nodes.set(x.uniqueId, x);
    }
    const groups: ProjectGroup[] = projects.flatMap((p) => p.groups.map((g) => ({ ...g, packageName: p.name, ...(p.relDir ? { packageDir: p.relDir } : {}) })));
    checkAccess(nodes, groups).forEach((e) => this.errors.add(e));
    checkRelationCollisions(nodes, (n) => this.connectionInfo(n.connection).dialect).forEach((e) => this.errors.add(e));
    const contracts = checkContracts(nodes, (n) => this.connectionInfo(n.connection).dialect);
    contracts.errors.forEach((e) => this.errors.add(e));
    this.warnings.push(...contracts.warnings);
    const partitions = checkPartitions(nodes);
    partitions.errors.forEach((e) => this.errors.add(e));
    this.warnings.push(...partitions.warnings);
    const microbatch = checkMicrobatch(nodes, this.opts.project);
    microbatch.errors.forEach((e) => this.errors.add(e));
    this.warnings.push(...microbatch.warnings);
    const deprecation = deprecationWarnings(nodes, new Date());
    this.warnings.push(...deprecation.warnings);
    this.renderInputs.validUntil(deprecation.changesAt);
    const predicates = checkPredicates(nodes, this.opts.project);
    predicates.errors.forEach((e) => this.errors.add(e));
    this.warnings.push(...predicates.warnings);

    this.cache.save();
    this.compiledNodes = nodes;
    this.graph = undefined;
    this.linkExternalProducers(nodes);
    this.linkSeedBackedSources(nodes);
    const isExternal = (id: string) => {
      const n = nodes.get(id);
      return n?.resourceType === 'source' && !!n.external;
    };
    for (const n of nodes.values()) if ((n.resourceType === 'model' || n.resourceType === 'snapshot') && n.dependsOn.nodes.some(isExternal)) n.readsExternal = true;
    this.assignTestConnections(nodes);
    this.checkConnections(nodes);
    this.checkIdentifierLengths(nodes);
    const onRunStart = this.renderHooks('on-run-start');
    const onRunEnd = this.renderHooks('on-run-end');
    this.errors.throwIfAny();

    const { parents, children } = graphEdges(nodes.values());
    // the macros templates see unqualified first, then the packages' macros a project macro of the same name hides
    const unqualified = this.macros.entries();
    const hidden = [...this.macros.packages.values()].flatMap((ns) => [...ns.values()]).filter((e) => !unqualified.includes(e));
    const macros = describeMacros([...unqualified, ...hidden], [
      { file: '<tsql builtin macros>', text: BUILTIN_MACROS },
      { file: '<tsql builtin tests>', text: BUILTIN_TESTS },
      ...CROSS_DB_MACRO_FILES,
      ...projects.flatMap((p) => p.macroFiles.map((f) => ({ file: f.relPath, text: rewriteTestBlocks(f.text) }))),
    ]);
    linkNodeMacros(nodes.values(), macros, this.pkg, !this.nativeNaming);
    this.warnings.push(...applyMacroProperties(macros, projects, this.pkg));
    const cycle = findCycle(parents);
    if (cycle) {
      const first = nodes.get(cycle[0])!;
      throw new UserError(`dependency cycle: ${cycle.map((id) => nodes.get(id)?.name ?? id).join(' -> ')}`, { file: first.originalFilePath }, {
        hint: 'an external source depends on the unload models that write below its location',
      });
    }
    return {
      manifest: {
        projectName: this.pkg,
        nodes,
        parents,
        children,
        disabled: [...this.disabled],
        macros,
        groups,
        onRunStart,
        onRunEnd,
        deferred: this.deferredUsed,
      },
      warnings: [...this.opts.project.warnings, ...this.warnings, ...grantsWithoutPrivileges(nodes.values(), (n) => this.connectionInfo(n.connection).dialect, this.opts.project)],
      logs: this.logs,
      catalogsWanted: [...this.catalogsWanted],
      pendingChecksums: this.pendingChecksums,
      docBlocks: this.opts.project.allDocBlocks,
      inputs: this.runTimeHooks.size || this.runTimeTests.size ? { ...this.renderInputs.result(), volatile: 'a hook or test renders at run time' } : this.renderInputs.result(),
      runTime: new RunTimeRenderer((target, log) => this.renderAttempt(target, log), this.runTimeHooks, (w) => this.projectHooks(w).map((h) => ({ file: h.file, line: h.line })), () => this.macros.entries()),
    };
  }

  // ---------------------------------------------------------------- nodes

  private prepareSources(p: ProjectContent): void {
    for (const written of p.sources) {
      const def = renderSourceDefinition(written, (text) => this.renderInProject(p, text, written.file, written.line));
      const fqn = [p.name, def.sourceName, def.name];
      const config = layeredConfig({ defaults: {}, folder: this.folderConfig(p, 'sources', fqn), properties: def.config, root: this.rootOverride(p, 'sources', fqn) });
      const place = () => ({ file: def.file, line: def.line });
      this.validateConfig(config, 'source', place);
      this.validateExternal(def);
      const id = `source.${p.name}.${def.sourceName}.${def.name}`;
      if (config.enabled === false) {
        this.disabled.add(id);
        continue;
      }
      const connection = this.connectionName(config, place);
      const key = `${def.sourceName}.${def.name}`;
      if (!this.sources.has(key)) this.sources.set(key, []);
      // the properties file's (its table's, else its source's) over the project file's folder config
      const loadedAt =
        def.loadedAtField !== undefined || def.loadedAtQuery !== undefined
          ? { loadedAtField: def.loadedAtField, loadedAtQuery: def.loadedAtQuery }
          : { loadedAtField: config.loaded_at_field as string | undefined, loadedAtQuery: config.loaded_at_query as string | undefined };
      const freshness = config.freshness ?? def.freshness;
      if (loadedAt.loadedAtQuery && isPlainObject(freshness) && freshness.filter !== undefined) {
        this.warnings.push(`${def.file}:${def.line ?? '?'}: the freshness filter of source ${key} is ignored: it narrows loaded_at_field's scan, and a loaded_at_query filters itself`);
      }
      this.sources.get(key)!.push({
        uniqueId: id,
        name: def.name,
        resourceType: 'source',
        packageName: p.name,
        ...(p.relDir ? { packageDir: p.relDir } : {}),
        fqn,
        originalFilePath: def.file,
        path: def.file,
        description: def.description,
        config,
        tags: [...new Set([...def.tags, ...asStringList(config.tags)])],
        columns: def.columns,
        dependsOn: { nodes: [], macros: [] },
        checksum: sourceDefinitionChecksum(written),
        unrenderedConfig: written.config === def.config ? config : layeredConfig({ defaults: {}, folder: p.folderConfigs.sources.resolve(fqn), properties: written.config, root: this.rootOverride(p, 'sources', fqn) }),
        sourceName: def.sourceName,
        identifier: def.identifier,
        relation: this.withQuoting({ database: def.database ?? this.connectionInfo(connection).database, schema: def.schema, identifier: def.identifier }, def.quoting),
        connection,
        ...loadedAt,
        freshness,
        external: def.external,
        line: def.line,
        sourceDescription: def.sourceDescription,
        loader: def.loader,
        meta: def.meta,
      });
    }
  }

  /** Jinja written in a project's YAML, rendered outside any node in that project's scope (its vars and macros first). */
  private renderInProject(p: ProjectContent, text: string, file: string, line?: number, context: object = {}): string {
    const frame = this.frameFor('hook', `operation.${p.name}.yaml`, { relPath: file, text: '', name: 'yaml', fqn: [p.name] }, {}, 'operation');
    this.stack.push(frame);
    try {
      return String(this.template(text, file).render(context));
    } catch (e) {
      const err = templateError(e, file, line);
      // an error raised by a call (var(), a macro) names the file without the YAML line the text is on
      this.errors.add(err.place.line || err.place.file !== file ? err : new UserError(err.message, { file, line }, { hint: err.hint }));
      return text;
    } finally {
      this.stack.pop();
    }
  }

  /** Renders and evaluates Jinja of a project's YAML at `file:line`, in that project's scope (for renderNative). */
  private yamlJinja(p: ProjectContent, file: string, line?: number): YamlJinja {
    return {
      render: (text) => this.renderInProject(p, text, file, line),
      evaluate: (expression) => {
        let value: unknown = '';
        const text = this.renderInProject(p, `{{ tsql_native_value(${expression}) }}`, file, line, { tsql_native_value: (v: unknown) => ((value = v), '') });
        return text === '' ? value : `{{${expression}}}`;
      },
    };
  }

  private prepareSeeds(p: ProjectContent): void {
    for (const f of p.seeds) {
      const patch = p.seedPatches.get(f.name);
      const own = this.baseConfig('seed', f, p, patch);
      const override = this.rootOverride(p, 'seeds', f.fqn);
      const config = withRootOverride(own, override);
      const id = `seed.${p.name}.${f.name}`;
      if (config.enabled === false) {
        this.disabled.add(id);
        this.addDisabledName(f.name, id);
        continue;
      }
      const frame = this.frameFor('seed', id, f, own, 'seed', override);
      const relation = this.computeRelation(frame);
      const place = () => ({ file: patch?.file ?? f.relPath, line: patch?.line });
      const connection = this.connectionName(config, place);
      const checksum = seedChecksum(f.absPath);
      // a seed's indexes (PostgreSQL's): a warning on an engine without them
      if (config.indexes !== undefined) this.warnings.push(...engineConfigWarnings({ materialized: 'seed', indexes: config.indexes }, this.connectionInfo(connection).dialect, place, 'seed'));
      const seed: SeedNode = {
        connection,
        uniqueId: id,
        name: f.name,
        resourceType: 'seed',
        packageName: p.name,
        ...(p.relDir ? { packageDir: p.relDir } : {}),
        fqn: f.fqn,
        originalFilePath: f.relPath,
        path: f.pathInRoot,
        description: patch?.description ?? '',
        config,
        tags: asStringList(config.tags),
        columns: patch?.columns ?? {},
        dependsOn: { nodes: [], macros: [] },
        patchPath: patch?.file,
        checksum: typeof checksum === 'string' ? checksum : '',
        unrenderedConfig: config,
        relation,
        absPath: f.absPath,
        preHooks: asHookList(config.pre_hook),
        postHooks: asHookList(config.post_hook),
      };
      if (typeof checksum !== 'string') this.pendingChecksums.push(checksum.then((c) => void (seed.checksum = c), () => undefined));
      this.seeds.set(id, seed);
      this.addRefable(f.name, { packageName: p.name, seed });
    }
  }

  private prepareModels(p: ProjectContent): void {
    for (const f of p.models) {
      const config = this.baseConfig('model', f, p, p.modelPatches.get(f.name));
      const override = this.rootOverride(p, 'models', f.fqn);
      const id = `model.${p.name}.${f.name}`;
      const draft: ModelDraft = { kind: 'model', file: f, id, state: 'pending', frame: this.frameFor('model', id, f, config, 'model', override), baseConfig: config, override, sql: '' };
      this.drafts.set(id, draft);
      this.addRefable(f.name, { packageName: p.name, draft });
    }
  }

  /** Snapshots render like models (ref() finds them by name); their config starts from the project's `snapshots:` tree. */
  private prepareSnapshots(p: ProjectContent): void {
    for (const f of p.snapshots) {
      const patch = p.snapshotPatches.get(f.name);
      const written = p.folderConfigs.snapshots.resolve(f.fqn);
      const fromFolder = this.folderConfig(p, 'snapshots', f.fqn, written);
      const config = layeredConfig({ defaults: { materialized: 'snapshot' }, folder: fromFolder, properties: this.propertiesConfig(p, patch) });
      const fromProjectFile = new Set(Object.keys(fromFolder).filter((k) => fromFolder[k] === written[k] && (!patch || !(k in patch.config))));
      this.validateConfig(config, 'snapshot', () => ({ file: patch?.file ?? p.settings.file, line: patch?.line }), fromProjectFile);
      const override = this.rootOverride(p, 'snapshots', f.fqn);
      const id = `snapshot.${p.name}.${f.name}`;
      const draft: ModelDraft = { kind: 'snapshot', file: f, id, state: 'pending', frame: this.frameFor('model', id, f, config, 'snapshot', override), baseConfig: config, override, sql: '' };
      this.drafts.set(id, draft);
      this.addRefable(f.name, { packageName: p.name, draft });
    }
  }

  private addRefable(name: string, r: Refable): void {
    const list = this.refables.get(name);
    if (list) list.push(r);
    else this.refables.set(name, [r]);
  }

  private addDisabledName(name: string, id: string): void {
    const list = this.disabledNames.get(name);
    if (list) list.push(id);
    else this.disabledNames.set(name, [id]);
  }

  /** For a package's node: the root project's folder config for its fqn (undefined for the root's own nodes). */
  private rootOverride(p: ProjectContent, tree: FolderTree, fqn: string[]): Config | undefined {
    if (p.name === this.pkg) return undefined;
    const c = this.folderConfig(this.opts.project, tree, fqn);
    return Object.keys(c).length ? c : undefined;
  }

  /** A properties file's `config:` for a node, its Jinja rendered in its project's scope (see yaml-jinja.ts). */
  private propertiesConfig(p: ProjectContent, patch: ResourcePatch | undefined): Config | undefined {
    return patch && renderConfigValues(patch.config, (text) => this.renderInProject(p, text, patch.file, patch.line));
  }

  /** A project file's folder config for a node's fqn, its Jinja rendered in that project's scope (see yaml-jinja.ts). */
  private folderConfig(p: ProjectContent, tree: FolderTree, fqn: string[], written?: Config): Config {
    return renderConfigValues(written ?? p.folderConfigs[tree].resolve(fqn), (text) => this.renderInProject(p, text, p.settings.file, p.settings.yaml.lineOf([tree])));
  }

  /**
   * Unit tests: the model under test rendered again, with each given input
   * (ref, source or this) replaced by a CTE name and the overrides (vars,
   * macros such as is_incremental) applied. The CTEs' rows are added when the
   * test runs, typed like the real inputs where those exist.
   */
  private renderUnitTests(p: ProjectContent, nodes: Map<string, ManifestNode>): UnitTestNode[] {
    const out: UnitTestNode[] = [];
    const seen = new Set<string>();
    for (const raw of p.unitTests) {
      const def = this.errors.guard(() => parseUnitTest(raw.raw, raw.file, raw.line));
      if (!def) continue;
      const place = { file: def.file, line: def.line };
      // the model under test is one of the unit test's own project
      const draft = this.drafts.get(`model.${p.name}.${def.model}`);
      if (!draft?.node) {
        if (!draft && this.drafts.has(`snapshot.${p.name}.${def.model}`)) this.errors.add(new UserError(`unit test '${def.name}': '${def.model}' is a snapshot; unit tests test models`, place));
        else if (!draft) this.errors.add(new UserError(`unit test '${def.name}': model '${def.model}' does not exist`, place, { hint: didYouMean(def.model, p.models.map((m) => m.name)) }));
        continue;
      }
      const id = `unit_test.${p.name}.${def.model}.${def.name}`;
      if (seen.has(id)) {
        this.errors.add(new UserError(`unit test '${def.name}' is defined twice for model '${def.model}'`, place));
        continue;
      }
      seen.add(id);
      const given = def.given.map((g, i) => {
        const key = g.kind === 'ref' ? `ref:${g.args[g.args.length - 1]}` : g.kind === 'source' ? `source:${g.args[0]}.${g.args[1]}` : 'this';
        const found = g.kind === 'ref' ? this.resolveRefable(g.args[g.args.length - 1], g.args.length === 2 ? g.args[0] : undefined, p.name) : g.kind === 'source' ? this.resolveSource(g.args[0], g.args[1], p.name) : undefined;
        const hit = found && 'found' in found ? found.found : undefined;
        const target = g.kind === 'this' ? draft.node : hit && 'uniqueId' in hit ? hit : (hit?.seed ?? hit?.draft?.node);
        if (!target) this.errors.add(new UserError(`unit test '${def.name}': input ${g.input} does not exist`, place));
        const quoted = Object.values(target?.columns ?? {}).filter((c) => c.quote === true).map((c) => c.name);
        return { ...g, key, cte: `__tsql_unit_input_${i}`, nodeId: target?.uniqueId, relation: target?.relation, ...(quoted.length ? { quoted } : {}) };
      });
      const frame: Frame = {
        ...this.frameFor('model', id, draft.file, { ...draft.baseConfig }, 'model', draft.override),
        unit: { inputs: new Map(given.map((g) => [g.key, g.cte])), vars: def.overrides.vars, macros: def.overrides.macros, missing: [] },
      };
      const globals = (this.env as unknown as { globals: Record<string, unknown> }).globals;
      const replaced = Object.keys(def.overrides.macros).filter((m) => m !== 'is_incremental');
      const runDate = def.overrides.ds ? runDateContext({ ds: def.overrides.ds }) : {};
      const saved = [...replaced, ...Object.keys(runDate)].map((m) => [m, globals[m]] as const);
      for (const m of replaced) globals[m] = () => def.overrides.macros[m];
      Object.assign(globals, runDate);
      this.stack.push(frame);
      let sql = '';
      try {
        sql = this.template(draft.file.text, draft.file.relPath).render({});
      } catch (e) {
        const err = templateError(e, draft.file.relPath, undefined, draft.file.text);
        this.errors.add(new UserError(`unit test '${def.name}': ${err.format()}`, place));
      } finally {
        this.stack.pop();
        for (const [m, v] of saved) globals[m] = v;
      }
      if (frame.introspects) this.warnCompileTimeOnly(`${def.file}${def.line ? `:${def.line}` : ''}`, `unit test '${def.name}'`);
      if (frame.unit!.missing.length) {
        this.errors.add(new UserError(`unit test '${def.name}': model '${def.model}' reads ${[...new Set(frame.unit!.missing)].join(', ')}, which ${frame.unit!.missing.length === 1 ? 'is' : 'are'} not given`, place, { hint: 'add each input under given: with its rows (rows: [] for none)' }));
      }
      let compiled = cleanSql(sql);
      if (frame.ephemeralDeps.size) compiled = injectEphemeralCtes(compiled, frame.ephemeralDeps, nodes, this.drafts);
      // the project file's `unit_tests:` tree (fqn: project, the model's folders, model, test), then the test's config:
      const fqn = [p.name, ...draft.file.fqn.slice(1, -1), def.model, def.name];
      const config = layeredConfig({ defaults: { severity: 'error' }, folder: this.folderConfig(p, 'unit_tests', fqn), properties: def.config, root: this.rootOverride(p, 'unit_tests', fqn) });
      if (config.enabled === false) continue;
      out.push({
        uniqueId: id,
        name: def.name,
        resourceType: 'unit_test',
        packageName: p.name,
        ...(p.relDir ? { packageDir: p.relDir } : {}),
        fqn,
        originalFilePath: def.file,
        path: def.file,
        description: def.description,
        config,
        tags: asStringList(config.tags),
        columns: {},
        dependsOn: { nodes: [draft.node.uniqueId], macros: [] },
        checksum: checksumOf(isPlainObject(raw.raw) ? { ...raw.raw, description: undefined } : raw.raw),
        unrenderedConfig: def.config,
        model: draft.node.uniqueId,
        compiledCode: compiled,
        compiledPath: '',
        given,
        expect: def.expect,
        line: def.line,
      });
    }
    return out;
  }

  /**
   * A generic test's SQL: its macro (`test_<name>`, found through dispatch so
   * engines and projects can override it) called with the attached relation
   * as `model` (filtered by the `where` config), `column_name` and the YAML
   * arguments. `ref('x')` / `source('a', 'b')` written as text become relations.
   */
  private renderGenericTest(test: TestNode, nodes: Map<string, ManifestNode>): void {
    const meta = test.testMetadata!;
    const place = { file: test.originalFilePath, line: test.line };
    const fromPackage = meta.namespace ? this.macros.packages.get(meta.namespace) : undefined;
    const foreign = meta.namespace && !fromPackage && !BUILTIN_TEST_NAMESPACES.includes(meta.namespace);
    const impl = foreign ? undefined : fromPackage ? this.macros.dispatchIn({ pkg: meta.namespace! }, `test_${meta.name}`, this.dispatchEngines) : this.macros.dispatch(`test_${meta.name}`, this.dispatchEngines);
    // an unqualified test in a package's properties is the package's own first (as its macros are)
    const local = !meta.namespace ? this.macros.packages.get(test.packageName)?.get(`test_${meta.name}`) : undefined;
    const macro = foreign ? undefined : fromPackage ? (fromPackage.get(`test_${meta.name}`) ?? impl) : (local ?? this.macros.get(`test_${meta.name}`) ?? impl);
    if (!macro) {
      const tests = this.macros.entries().filter((m) => m.name.startsWith('test_'));
      const known = tests.map((m) => m.name.slice(5));
      const builtinNames = tests.filter((m) => m.builtin).map((m) => m.name.slice(5));
      const hint = foreign ? `package '${meta.namespace}' is not installed; ${meta.name} is ${known.includes(meta.name) ? `built in: write '${meta.name}'` : 'not built in'}` : didYouMean(meta.name, known) ?? `built-in tests: ${builtinNames.join(', ')}`;
      this.errors.add(new UserError(`unknown test '${meta.namespace ? meta.namespace + '.' : ''}${meta.name}'`, place, { hint }));
      return;
    }
    const attached = nodes.get(test.attachedNode!);
    if (!attached || !('relation' in attached)) return;
    const where = test.config.where;
    const attachedRelation = this.relationOf(attached);
    const relation = new TemplateRelation(attachedRelation, this.dialect, {
      type: 'table',
      renderAs: typeof where === 'string' && where.trim() ? `(select * from ${this.dialect.renderRelation(attachedRelation)} where ${where}) as tsql_where_subquery` : undefined,
    });
    const kwargs: Record<string, unknown> = { model: relation };
    for (const [k, v] of Object.entries(meta.kwargs)) {
      const rel = typeof v === 'string' ? resolveRelationText(v, this.resolversFor(test.packageName), nodes) : undefined;
      const target = rel?.id ? nodes.get(rel.id) : undefined;
      kwargs[k] = target && 'relation' in target ? new TemplateRelation(this.relationOf(target), this.dialect, { type: 'table' }) : v;
    }
    // `quote: true` on the column: the test gets its name quoted exactly (and the manifest records it so, as dbt's)
    if (test.columnName !== undefined && attached.columns[test.columnName]?.quote === true) kwargs.column_name = meta.kwargs.column_name = this.dialect.quoteExactly(test.columnName);
    const frame = this.frameFor('test', test.uniqueId, { relPath: test.originalFilePath, text: '', name: test.name, fqn: test.fqn }, test.config);
    const kw = { ...kwargs }; // the call consumes its keyword arguments; a run-time render needs them again
    this.stack.push(frame);
    try {
      const sql = macro.fn((nunjucks.runtime as unknown as { makeKeywordArgs(o: object): object }).makeKeywordArgs(kwargs));
      test.compiledCode = cleanSql(String(sql));
      if (frame.introspects) {
        test.renderAtRunTime = ['sql'];
        this.runTimeTests.set(test.uniqueId, { file: test.originalFilePath, text: '', line: test.line, config: frame.config, render: () => macro.fn((nunjucks.runtime as unknown as { makeKeywordArgs(o: object): object }).makeKeywordArgs({ ...kw })) });
      }
      test.config = frame.config;
      test.builtin = macro.builtin && (!impl || impl.builtin);
      test.compiledPath = this.compiledPathOf(test);
    } catch (e) {
      const err = templateError(e, test.originalFilePath, test.line);
      this.errors.add(new UserError(`test '${meta.name}': ${err.message}`, place, { hint: err.hint }));
    } finally {
      this.stack.pop();
    }
  }

  /** An unload's `location` may be a template (`stage/{{ ds }}/x.csv`): rendered in the model's context. */
  private prepareUnload(frame: Frame, f: SqlFile): void {
    const cfg = frame.config;
    const line = lineOfCall(f.text, 'config');
    if (typeof cfg.location !== 'string' || !cfg.location.trim()) {
      this.errors.add(new UserError(`unload model '${f.name}' needs a location`, { file: f.relPath, line }, { hint: `e.g. config(materialized='unload', location='stage/${f.name}/{{ ds }}/${f.name}.csv')` }));
      return;
    }
    if (/\{[{%]/.test(cfg.location)) {
      this.stack.push(frame);
      try {
        cfg.location = this.template(cfg.location, f.relPath).render({}).trim();
      } catch (e) {
        this.errors.add(templateError(e, f.relPath, line));
      } finally {
        this.stack.pop();
      }
    }
    const format = cfg.format ?? 'csv';
    if (!UNLOAD_FORMATS.includes(format as UnloadFormat)) {
      this.errors.add(new UserError(`unload format '${String(format)}' is not supported`, { file: f.relPath, line }, { hint: didYouMean(String(format), UNLOAD_FORMATS) ?? `use ${UNLOAD_FORMATS.join(' or ')}` }));
    }
  }

  /** An external source depends on the unload models that write below its location. */
  private linkExternalProducers(nodes: Map<string, ManifestNode>): void {
    const root = this.opts.lakeRoot ?? 'lake';
    const unloads = [...nodes.values()].filter((n): n is ModelNode => n.resourceType === 'model' && n.materialized === 'unload' && typeof n.config.location === 'string');
    for (const n of nodes.values()) {
      if (n.resourceType !== 'source' || !n.external || typeof n.external.location !== 'string') continue;
      const where = lakeLocation(root, n.external.location);
      for (const u of unloads) {
        if (isWithin(where, lakeLocation(root, String(u.config.location)))) n.dependsOn.nodes.push(u.uniqueId);
      }
    }
  }

  /**
   * A source whose table a seed of this project loads (demo data standing in
   * for an operational database) is read only after that seed has loaded.
   */
  private linkSeedBackedSources(nodes: Map<string, ManifestNode>): void {
    const seeds = new Map<string, SeedNode>();
    for (const n of nodes.values()) if (n.resourceType === 'seed') seeds.set(`${n.connection ?? ''}|${relationKey(n.relation)}`, n);
    for (const n of nodes.values()) {
      if (n.resourceType !== 'source' || n.external) continue;
      const seed = seeds.get(`${n.connection ?? ''}|${relationKey(n.relation)}`);
      if (seed && !n.dependsOn.nodes.includes(seed.uniqueId)) n.dependsOn.nodes.push(seed.uniqueId);
    }
  }

  /** Tests run where the node they test lives: a generic test on its attached node's connection, others on their first parent's. */
  private assignTestConnections(nodes: Map<string, ManifestNode>): void {
    for (const n of nodes.values()) {
      if (n.resourceType === 'test') {
        const home = n.attachedNode ?? n.dependsOn.nodes[0];
        const conn = home ? nodes.get(home)?.connection : undefined;
        if (conn) n.connection = conn;
      } else if (n.resourceType === 'unit_test') {
        const conn = nodes.get(n.model)?.connection;
        if (conn) n.connection = conn;
      }
    }
  }

  /**
   * Nodes on different connections meet only through the lake: an unload model
   * writes files that an external source (on the warehouse) reads. Any other
   * edge between connections cannot run and is a compile error naming both nodes.
   */
  private checkConnections(nodes: Map<string, ManifestNode>): void {
    const where = (n: ManifestNode) => (n.connection ? `connection '${n.connection}'` : `the target '${this.opts.target.targetName}'`);
    const describe = (n: ManifestNode) => (n.resourceType === 'source' ? `source '${n.sourceName}.${n.name}'` : `${n.resourceType.replace('_', ' ')} '${n.name}'`);
    for (const n of nodes.values()) {
      for (const pid of n.dependsOn.nodes) {
        const p = nodes.get(pid);
        if (!p || (p.connection ?? '') === (n.connection ?? '')) continue;
        const throughLake = n.resourceType === 'source' && !!n.external && p.resourceType === 'model' && p.materialized === 'unload';
        if (throughLake) continue;
        const line = n.resourceType === 'source' || n.resourceType === 'test' || n.resourceType === 'unit_test' ? (n as { line?: number }).line : undefined;
        this.errors.add(
          new UserError(`${describe(n)} (on ${where(n)}) reads ${describe(p)} (on ${where(p)}): nodes on different connections can only meet through the lake`, { file: n.originalFilePath, line }, {
            hint: `run both on one connection, or unload '${p.name}' to the lake and read it through an external source`,
          }),
        );
      }
    }
  }

  /**
   * Names the engine would truncate (PostgreSQL keeps 63 bytes, Redshift 127):
   * the truncated relation is never found again by its full name, and two names
   * sharing their first 63 bytes are one relation. An error, never a silent
   * truncation. The staging siblings (siblingIdentifier) always fit.
   */
  private checkIdentifierLengths(nodes: Map<string, ManifestNode>): void {
    for (const n of nodes.values()) {
      if (n.resourceType !== 'model' && n.resourceType !== 'seed' && n.resourceType !== 'snapshot') continue;
      if (n.resourceType === 'model' && (n.materialized === 'ephemeral' || n.materialized === 'unload')) continue;
      const d = this.connectionInfo(n.connection).dialect;
      const max = d.capabilities.maxIdentifierLength;
      for (const [part, name] of [['name', n.relation.identifier], ['schema name', n.relation.schema]] as const) {
        const bytes = Buffer.byteLength(name ?? '', 'utf8');
        if (bytes <= max) continue;
        const hint = part === 'name' ? `give it a shorter alias, e.g. {{ config(alias='${name.slice(0, Math.min(max, 40))}') }}, or rename the file` : 'use a shorter schema or custom schema';
        this.errors.add(new UserError(`${n.resourceType} '${n.name}': its relation ${part} '${name}' is ${bytes} bytes, over ${d.type}'s limit of ${max} (the engine would cut it and later runs would not find it)`, { file: n.originalFilePath }, { hint }));
      }
    }
  }

  private validateExternal(def: { external?: Record<string, unknown>; file: string; line?: number; sourceName: string; name: string; columns: Record<string, { dataType?: string }> }): void {
    const ext = def.external;
    if (!ext) return;
    const place = { file: def.file, line: def.line };
    const what = `external table ${def.sourceName}.${def.name}`;
    for (const k of Object.keys(ext)) {
      if (!EXTERNAL_KEYS.includes(k)) this.errors.add(new UserError(`unknown key '${k}' in the external: block of ${what}`, place, { hint: didYouMean(k, EXTERNAL_KEYS) }));
    }
    if (typeof ext.location !== 'string' || !ext.location) this.errors.add(new UserError(`${what} needs an external.location`, place, { hint: "e.g. location: 'stage/user_purchase/'" }));
    const format = String(ext.format ?? ext.file_format ?? 'csv').toLowerCase();
    if (!['csv', 'textfile', 'parquet'].includes(format)) this.errors.add(new UserError(`${what}: file format '${format}' is not supported`, place, { hint: didYouMean(format, ['csv', 'parquet']) ?? 'use csv or parquet' }));
    if (ext.partitions !== undefined && (!Array.isArray(ext.partitions) || ext.partitions.some((p) => !isPlainObject(p) || typeof p.name !== 'string'))) {
      this.errors.add(new UserError(`${what}: external.partitions must be a list of {name, data_type}`, place));
    }
    const untyped = Object.entries(def.columns).filter(([, c]) => !c.dataType).map(([n]) => n);
    if (!Object.keys(def.columns).length) this.errors.add(new UserError(`${what} declares no columns`, place, { hint: 'list its columns with name and data_type' }));
    else if (untyped.length) this.errors.add(new UserError(`${what}: column${untyped.length > 1 ? 's' : ''} ${untyped.join(', ')} need${untyped.length > 1 ? '' : 's'} a data_type`, place));
  }

  /**
   * Config before the template runs: default < its project's folders < properties YAML
   * (a package node's root-project override comes on top, after config(): see package-scope.ts).
   */
  private baseConfig(resource: 'model' | 'seed', f: SqlFile, p: ProjectContent, patch: ResourcePatch | undefined): Config {
    const tree = resource === 'seed' ? 'seeds' : 'models';
    const written = p.folderConfigs[tree].resolve(f.fqn);
    const fromFolder = this.folderConfig(p, tree, f.fqn, written);
    const config = layeredConfig({ defaults: { materialized: resource === 'seed' ? 'seed' : 'view' }, folder: fromFolder, properties: this.propertiesConfig(p, patch) });
    // values set in the project file (without Jinja) and not overridden were checked there, with its line (FolderConfig.validate)
    const fromProjectFile = new Set(Object.keys(fromFolder).filter((k) => fromFolder[k] === written[k] && (!patch || !(k in patch.config))));
    this.validateConfig(config, resource, () => ({ file: patch?.file ?? p.settings.file, line: patch?.line }), fromProjectFile);
    return config;
  }

  /** A frame for rendering; `config` is the node's own, `override` the root project's for a package's node. */
  private frameFor(kind: Frame['kind'], id: string, f: Pick<SqlFile, 'relPath' | 'text' | 'name' | 'fqn'>, config: Config, resourceType: string = kind, override?: Config): Frame {
    return {
      kind,
      id,
      file: f.relPath,
      raw: f.text,
      config: withRootOverride(config, override),
      own: config,
      override,
      pkg: f.fqn[0] ?? this.pkg,
      deps: new Set(),
      ephemeralDeps: new Set(),
      name: f.name,
      fqn: f.fqn,
      resourceType,
    };
  }

  private renderModel(draft: ModelDraft): void {
    if (draft.state !== 'pending') return;
    draft.state = 'rendering';
    const frame = draft.frame;
    // the root project disabled this package model: the override wins over anything the template says
    if (draft.override?.enabled === false) {
      draft.state = 'done';
      this.disabled.add(draft.id);
      this.addDisabledName(draft.file.name, draft.id);
      return;
    }
    // a ref or source that does not resolve is not an error in a model that turns out disabled
    frame.refErrors = [];
    this.stack.push(frame);
    let sql = '';
    const marks: OutputMarks = [];
    try {
      sql = renderWithMarks(marks, () => this.template(draft.file.text, draft.file.relPath).render({}));
    } catch (e) {
      this.errors.add(templateError(e, draft.file.relPath, undefined, draft.file.text));
    } finally {
      this.stack.pop();
    }
    const refErrors = frame.refErrors;
    frame.refErrors = undefined;
    draft.sql = sql;
    const config = frame.config;
    const runTimeParts: Array<'sql' | 'pre_hook' | 'post_hook'> = frame.introspects ? ['sql'] : [];
    const resource = draft.kind;
    // the line is only needed for a message: found (a search of the text) when one is written
    let found: SourcePlace | undefined;
    const place = () => (found ??= { file: draft.file.relPath, line: lineOfCall(draft.file.text, 'config') ?? (resource === 'snapshot' ? (draft.file as SnapshotFile).line : undefined) });
    // keys set by config() in the SQL (folder and YAML keys were checked where they are written)
    const fromSql = Object.fromEntries(Object.entries(frame.own).filter(([k, v]) => v !== draft.baseConfig[k]));
    // a snapshot's folder and YAML config were checked in prepareSnapshots, where they are written
    this.validateConfig(resource === 'snapshot' ? fromSql : config, resource, place);
    const findings = { warnings: this.warnings, errors: this.errors.errors };
    checkUnsupportedConfig(fromSql, resource, place, findings, config);
    if (config.enabled !== false) this.warnings.push(...engineConfigWarnings(config, this.frameConnection(frame).dialect, place));
    if (config.enabled === false) {
      draft.state = 'done';
      this.disabled.add(draft.id);
      this.addDisabledName(draft.file.name, draft.id);
      return;
    }
    refErrors.forEach((e) => this.errors.add(e));
    const relation = this.computeRelation(frame);
    frame.relation = relation;
    if (config.materialized === 'unload') this.prepareUnload(frame, draft.file);
    this.stack.push(frame);
    frame.introspects = false;
    const preHooks = this.renderHookList(asHookList(config.pre_hook), draft.file.relPath);
    if (frame.introspects) runTimeParts.push('pre_hook');
    frame.introspects = false;
    const postHooks = this.renderHookList(asHookList(config.post_hook), draft.file.relPath);
    if (frame.introspects) runTimeParts.push('post_hook');
    this.stack.pop();
    if (runTimeParts.includes('sql') && config.materialized === 'ephemeral') {
      this.errors.add(new UserError(`ephemeral model '${draft.file.name}' asks the warehouse when it renders (run_query, statement, execute…), but an ephemeral model is inlined at compile time`, place(), { hint: 'materialize it as a view or table' }));
    }
    const f = draft.file;
    const select = mappedSelect(sql, marks, f.relPath, f.text);
    const project = this.projectOf(frame);
    const patch = (draft.kind === 'snapshot' ? project.snapshotPatches : project.modelPatches).get(f.name);
    const built: ModelNode = {
      uniqueId: draft.id,
      name: f.name,
      resourceType: 'model',
      packageName: project.name,
      fqn: f.fqn,
      originalFilePath: f.relPath,
      path: f.pathInRoot,
      description: patch?.description ?? '',
      config,
      tags: asStringList(config.tags),
      columns: patch?.columns ?? {},
      dependsOn: { nodes: [...frame.deps], macros: [] },
      patchPath: patch?.file,
      primaryKey: patch?.primaryKey,
      constraints: patch?.constraints,
      ...(patch?.deprecation ? { deprecation: patch.deprecation } : {}),
      checksum: f.checksum,
      unrenderedConfig: withRootOverride(mergeConfig(draft.baseConfig, inlineConfig(f.text)), draft.override),
      rawCode: f.text,
      compiledCode: select.code,
      sourceMap: select.map,
      relation,
      materialized: String(config.materialized),
      isIncremental: this.isIncremental(frame),
      preHooks,
      postHooks,
      compiledPath: '',
      connection: this.frameConnectionName(frame),
      renderAtRunTime: runTimeParts.length ? runTimeParts : undefined,
      readsThis: frame.readsThis || undefined,
    };
    if (project.relDir) built.packageDir = project.relDir;
    if (draft.kind === 'snapshot') {
      const snap = snapshotNode(built, f as SnapshotFile, this.warnings);
      snap.errors.forEach((e) => this.errors.add(e));
      draft.node = snap.node;
    } else draft.node = built;
    if (draft.node) draft.node.compiledPath = this.compiledPathOf(draft.node);
    draft.state = 'done';
  }

  /** The project (or package) a frame's node belongs to. */
  private projectOf(frame: { pkg: string }): ProjectContent {
    return this.projects.get(frame.pkg) ?? this.opts.project;
  }

  /** Renders a file (singular test, analysis) as the node of `frame`; a template error is collected and gives ''. */
  private renderFileIn(frame: Frame, f: SqlFile, marks: OutputMarks = []): string {
    this.stack.push(frame);
    try {
      return renderWithMarks(marks, () => this.template(f.text, f.relPath).render({}));
    } catch (e) {
      this.errors.add(templateError(e, f.relPath, undefined, f.text));
      return '';
    } finally {
      this.stack.pop();
    }
  }

  /** A singular test's node, and the ephemeral models it reads (inlined once all models are compiled). */
  private renderSingularTest(p: ProjectContent, f: SqlFile): { node: TestNode; ephemeralDeps: Set<string> } | undefined {
    const id = `test.${p.name}.${f.name}`;
    // a top-level `data_tests:` entry of its name: its description, and config between the folder's and config()'s
    const patch = p.singularTestPatches.get(f.name);
    const config = layeredConfig({ defaults: { materialized: 'test', severity: 'error' }, folder: this.folderConfig(p, 'tests', f.fqn), properties: this.propertiesConfig(p, patch) });
    const override = this.rootOverride(p, 'tests', f.fqn);
    const frame = this.frameFor('test', id, f, config, 'test', override);
    if (override?.enabled === false) {
      this.disabled.add(id);
      return undefined;
    }
    const marks: OutputMarks = [];
    const sql = this.renderFileIn(frame, f, marks);
    const select = mappedSelect(sql, marks, f.relPath, f.text, false);
    this.validateConfig(frame.config, 'test', () => ({ file: f.relPath, line: lineOfCall(f.text, 'config') }));
    if (frame.introspects) this.runTimeTests.set(id, { file: f.relPath, text: f.text, config: frame.config, render: () => this.template(f.text, f.relPath).render({}) });
    if (frame.config.enabled === false) {
      this.disabled.add(id);
      return undefined;
    }
    return {
      node: {
        ...this.fileNodeFields(p, f, id, frame, { patch, columns: {}, base: config, override }),
        resourceType: 'test',
        testType: 'singular',
        compiledCode: select.code,
        sourceMap: select.map,
        renderAtRunTime: frame.introspects ? ['sql'] : undefined,
      },
      ephemeralDeps: frame.ephemeralDeps,
    };
  }

  /** An analysis: rendered like a model (refs, sources, macros), compiled to target/compiled/, never run. */
  private renderAnalysis(f: SqlFile): { node: AnalysisNode; ephemeralDeps: Set<string> } | undefined {
    const project = this.projectOf({ pkg: f.fqn[0] });
    const id = `analysis.${project.name}.${f.name}`;
    // the project file's `analyses:` tree, then its properties (`analyses:` in YAML), then config() in the file
    const patch = project.analysisPatches.get(f.name);
    const base = layeredConfig({ defaults: {}, folder: this.folderConfig(project, 'analyses', f.fqn), properties: this.propertiesConfig(project, patch) });
    const override = this.rootOverride(project, 'analyses', f.fqn);
    if (override?.enabled === false) {
      this.disabled.add(id);
      return undefined;
    }
    const frame = this.frameFor('test', id, f, base, 'analysis', override);
    const sql = this.renderFileIn(frame, f);
    this.validateConfig(frame.config, 'model', () => ({ file: f.relPath, line: lineOfCall(f.text, 'config') }));
    if (frame.config.enabled === false) {
      this.disabled.add(id);
      return undefined;
    }
    const node: AnalysisNode = {
      ...this.fileNodeFields(project, f, id, frame, { patch, columns: patch?.columns ?? {}, base, override }),
      resourceType: 'analysis',
      compiledCode: cleanSql(sql),
      compiledPath: '',
    };
    node.compiledPath = this.compiledPathOf(node);
    return { node, ephemeralDeps: frame.ephemeralDeps };
  }

  /**
   * What a node rendered from a file of its own (a singular test, an analysis) has in common:
   * its names and paths, its config after config(), its properties, what it read, and the
   * config as written (`base` with the file's config() call, the root project's override on top).
   */
  private fileNodeFields(p: ProjectContent, f: SqlFile, id: string, frame: Frame, from: { patch: ResourcePatch | undefined; columns: ModelNode['columns']; base: Config; override: Config | undefined }) {
    const { patch } = from;
    return {
      uniqueId: id,
      name: f.name,
      packageName: p.name,
      ...(p.relDir ? { packageDir: p.relDir } : {}),
      fqn: f.fqn,
      originalFilePath: f.relPath,
      path: f.pathInRoot,
      description: patch?.description ?? '',
      config: frame.config,
      tags: asStringList(frame.config.tags),
      columns: from.columns,
      dependsOn: { nodes: [...frame.deps], macros: [] as string[] },
      ...(patch ? { patchPath: patch.file } : {}),
      checksum: f.checksum,
      unrenderedConfig: withRootOverride(mergeConfig(from.base, inlineConfig(f.text)), from.override),
      rawCode: f.text,
    };
  }

  /** Renders hook templates in the current frame; an error names `file` and `line`. */
  private renderHookList(hooks: string[], file: string, line?: number): string[] {
    const out: string[] = [];
    const errorLine = line ?? lineOfCall(this.stack[this.stack.length - 1]?.raw ?? '', 'config');
    this.inHooks = true;
    for (const h of hooks) {
      try {
        const sql = this.template(h, file).render({}).trim();
        if (sql) out.push(sql);
      } catch (e) {
        this.errors.add(templateError(e, file, errorLine));
      }
    }
    this.inHooks = false;
    return out;
  }

  /** Every project's on-run-start / on-run-end hooks, in the order they run (see package-scope.ts). */
  private projectHooks(what: 'on-run-start' | 'on-run-end'): ProjectHook[] {
    return hooksInRunOrder([...this.projects.values()], this.pkg, what);
  }

  /** The frame of a project hook: outside any node (no `this`), in its project's scope (vars, macros). */
  private hookFrame(h: { pkg: string; file: string }, what: 'on-run-start' | 'on-run-end'): Frame {
    return this.frameFor('hook', `operation.${h.pkg}.${what}`, { relPath: h.file, text: '', name: what, fqn: [h.pkg, what] }, {}, 'operation');
  }

  /** on-run-start / on-run-end, rendered; those whose SQL depends on queries are rendered again when they run. */
  private renderHooks(what: 'on-run-start' | 'on-run-end'): CompiledHook[] {
    const out: CompiledHook[] = [];
    for (const h of this.projectHooks(what)) {
      const frame = this.hookFrame(h, what);
      this.stack.push(frame);
      try {
        out.push(...this.renderHookList([h.sql], h.file, h.line).map((sql) => ({ sql, file: h.file, line: h.line })));
      } finally {
        this.stack.pop();
        if (frame.introspects) this.runTimeHooks.add(what);
      }
    }
    return out;
  }

  /**
   * Generates every model's code up front and evaluates it as one script
   * (one V8 parse, reusable code cache). Syntax errors are left for template()
   * to report in place, with their line.
   */
  private precompile(files: SqlFile[]): void {
    const ok: SqlFile[] = [];
    const codes: TemplateCode[] = [];
    for (const f of files) {
      try {
        codes.push(generateCode(this.env, f.text, f.relPath, this.cache));
        ok.push(f);
      } catch {
        // reported by template() when the file is rendered
      }
    }
    const factories = this.cache.evaluateBatch(codes);
    ok.forEach((f, i) => {
      this.templatesOf(f.relPath).set(f.text, templateFromProps(this.env, factories[i](), f.relPath));
    });
  }

  /** Compiled once per distinct source text (hooks shared by a folder compile once). */
  private template(source: string, file: string): nunjucks.Template {
    // keyed by the file, then by the text itself: a string's hash is kept on it, a key built by concatenation is hashed anew
    const templates = this.templatesOf(file);
    let t = templates.get(source);
    if (!t) {
      t = compileTemplate(this.env, source, file, this.cache);
      templates.set(source, t);
    }
    return t;
  }

  private templatesOf(file: string): Map<string, nunjucks.Template> {
    let m = this.templateCache.get(file);
    if (!m) this.templateCache.set(file, (m = new Map()));
    return m;
  }

  // ---------------------------------------------------------------- naming

  /** dbt's `quoting:` on a relation: the project's, refined by the source's or the model's. */
  private withQuoting(rel: Relation, own: unknown): Relation {
    const merged: Record<string, unknown> = { ...this.opts.project.settings.quoting, ...(own && typeof own === 'object' ? own : {}) };
    const quoting: NonNullable<Relation['quoting']> = {};
    for (const k of ['database', 'schema', 'identifier'] as const) if (typeof merged[k] === 'boolean') quoting[k] = merged[k] as boolean;
    return Object.keys(quoting).length ? { ...rel, quoting } : rel;
  }

  private computeRelation(frame: Frame): Relation {
    const rel = this.namedRelation(frame);
    // a snapshot's legacy target_schema / target_database are used as written (no generate_schema_name), as in dbt
    if (frame.resourceType === 'snapshot') {
      const legacy = legacySnapshotPlace(frame.config);
      if (legacy.schema) rel.schema = legacy.schema;
      if (legacy.database) rel.database = legacy.database;
    }
    return this.withQuoting(rel, frame.config.quoting);
  }

  private namedRelation(frame: Frame): Relation {
    const cfg = frame.config;
    const customSchema = cfg.schema === undefined || cfg.schema === null ? null : String(cfg.schema);
    const customAlias = cfg.alias === undefined || cfg.alias === null ? null : String(cfg.alias);
    const customDb = cfg.database === undefined || cfg.database === null ? null : String(cfg.database);
    if (this.nativeNaming) {
      const conn = this.frameConnection(frame);
      return {
        database: customDb ?? conn.database,
        schema: customSchema === null ? conn.schema : `${conn.schema}_${customSchema.trim()}`,
        identifier: customAlias ? customAlias.trim() : frame.name,
      };
    }
    const nodeCtx = this.modelContext(frame);
    const call = (macro: string, arg: string | null) => {
      const m = this.macros.get(macro)!;
      this.stack.push(frame);
      try {
        return String(m.fn(arg, nodeCtx)).trim();
      } catch (e) {
        if (e instanceof MacroReturn) return String(e.value).trim();
        this.errors.add(templateError(e, this.macros.get(macro)?.file ?? frame.file));
        return '';
      } finally {
        this.stack.pop();
      }
    };
    return {
      database: call('generate_database_name', customDb) || undefined,
      schema: call('generate_schema_name', customSchema),
      identifier: call('generate_alias_name', customAlias),
    };
  }

  private modelContext(frame: Frame): Record<string, unknown> {
    return {
      name: frame.name,
      unique_id: frame.id,
      resource_type: frame.resourceType,
      package_name: frame.pkg,
      fqn: frame.fqn,
      original_file_path: frame.file,
      config: frame.config,
      tags: asStringList(frame.config.tags),
      alias: frame.config.alias ?? frame.name,
      schema: frame.relation?.schema,
      database: frame.relation?.database,
      raw_code: frame.raw,
      version: undefined,
      // dbt's BatchContext: set while a batch of a microbatch model renders
      batch: batchContext(this.batchOf(frame)),
    };
  }

  /** The batch a model frame renders: the run's, else (compile, show) a microbatch model's first, from `begin`. */
  private batchOf(frame: Frame): BatchContext | undefined {
    return frame.batch ?? (frame.kind === 'model' ? firstBatchOf(frame.config) : undefined);
  }

  private isIncremental(frame: Frame): boolean {
    if (frame.config.materialized !== 'incremental') return false;
    const fr = frame.config.full_refresh;
    const fullRefresh = fr === true || (fr !== false && this.opts.fullRefresh);
    if (fullRefresh) return false;
    const rel = frame.relation ?? this.computeRelation(frame);
    return this.catalogKind(this.frameConnectionName(frame), rel) === 'table';
  }

  /** Unknown keys and bad values: errors at `place` (found only for a message). */
  private validateConfig(config: Config, resource: ConfigResource, place: LazyPlace, skipKeys?: Set<string>): void {
    const keys = configKeysFor(resource);
    for (const k of Object.keys(config)) {
      if (!keys.has(k)) this.errors.add(new UserError(`unknown ${resource} config key '${k}'`, place(), { hint: didYouMean(k, keys) }));
    }
    for (const p of configValueProblems(config, resource)) {
      if (skipKeys?.has(p.key)) continue;
      this.errors.add(new UserError(p.message, place(), { hint: p.hint }));
    }
  }

  // ---------------------------------------------------------------- globals

  private current(): Frame {
    const f = this.stack[this.stack.length - 1];
    if (!f) throw new UserError('this function can only be used while compiling a node');
    return f;
  }

  private ref(args: unknown[]): TemplateRelation {
    const { positional, kwargs } = splitArgs(args);
    const frame = this.current();
    const names = positional.map(String);
    if (names.length < 1 || names.length > 2) throw new UserError(`ref() takes a model name and optionally a package name, got ${names.length} arguments`);
    const [only, name] = names.length === 2 ? names : [undefined, names[0]];
    const written = only === undefined ? `ref('${name}')` : `ref('${only}', '${name}')`;
    void kwargs;
    const place = () => ({ file: frame.file, line: lineOfCall(frame.raw, 'ref', name) });
    if (frame.unit) {
      const cte = frame.unit.inputs.get(`ref:${name}`);
      if (cte) return this.cteRelation(cte);
      const r = this.resolveRefable(name, only, frame.pkg);
      if (!('found' in r) || r.found.draft?.node?.materialized !== 'ephemeral') {
        frame.unit.missing.push(written);
        return this.placeholder(name);
      }
    }
    if (only !== undefined && !this.projects.has(only)) {
      this.refError(frame, new UserError(`${written}: package '${only}' is not installed`, place(), { hint: didYouMean(only, [...this.projects.keys()]) ?? `this project is '${this.pkg}'` }));
      return this.placeholder(name);
    }
    const r = this.resolveRefable(name, only, frame.pkg);
    if ('ambiguous' in r) {
      const candidates = r.ambiguous.map((c) => (c.draft ? { packageName: c.packageName, id: c.draft.id, file: c.draft.file.relPath } : { packageName: c.packageName, id: c.seed!.uniqueId, file: c.seed!.originalFilePath }));
      this.refError(frame, ambiguousRefError(written, name, candidates, place()));
      return this.placeholder(name);
    }
    if ('missing' in r) {
      const id = (this.disabledNames.get(name) ?? []).find((x) => only === undefined || x.split('.')[1] === only);
      const packagesOf = new Map([...this.refables].map(([n, list]) => [n, list.map((c) => c.packageName)]));
      this.refError(frame, missingRefError(written, name, only, id ? { id, file: this.drafts.get(id)?.file.relPath } : undefined, packagesOf, place()));
      return this.placeholder(name);
    }
    const { draft, seed } = r.found;
    if (seed) {
      frame.deps.add(seed.uniqueId);
      return this.readRelation(frame, this.relationOf(seed), 'table', seed.config.event_time);
    }
    if (draft.state === 'rendering') {
      this.reportCycle(draft.id);
      return this.placeholder(name);
    }
    const node = draft.node!;
    if (node.materialized === 'unload') {
      this.errors.add(new UserError(`${written} points to an unload model, which writes files to the lake, not a table`, place(), {
        hint: `read its files through a source with an external: block whose location holds '${String(node.config.location)}'`,
      }));
      return this.placeholder(name);
    }
    frame.deps.add(node.uniqueId);
    if (node.materialized === 'ephemeral') {
      frame.ephemeralDeps.add(node.uniqueId);
      return new TemplateRelation(node.relation, this.dialect, { type: 'cte', renderAs: ephemeralCteName(node.name) });
    }
    const kind = node.materialized === 'view' ? 'view' : 'table';
    return this.readRelation(frame, this.relationOf(node), kind, node.config.event_time);
  }

  /** A ref() or source() that cannot be read: an error, unless the model rendering turns out disabled (see renderModel). */
  private refError(frame: Frame, err: UserError): void {
    if (frame.refErrors) frame.refErrors.push(err);
    else this.errors.add(err);
  }

  /**
   * The model or seed a ref from a node of `fromPackage` reads (see
   * ref-resolution.ts). A model not rendered yet is rendered first, so a
   * config(enabled=false) in its file is known; one still rendering counts as enabled.
   */
  private resolveRefable(name: string, only: string | undefined, fromPackage: string): Resolution<Refable> {
    return resolveAmong(this.refables.get(name) ?? [], {
      order: refSearchOrder(fromPackage, this.pkg),
      only,
      enabled: (c) => {
        if (!c.draft) return true;
        this.renderModel(c.draft);
        return c.draft.state === 'rendering' || c.draft.node !== undefined;
      },
    });
  }

  /** The source table source('s', 't') reads from a node of `fromPackage` (see ref-resolution.ts). */
  private resolveSource(sourceName: string, table: string, fromPackage: string): Resolution<SourceNode> {
    return resolveAmong(this.sources.get(`${sourceName}.${table}`) ?? [], { order: sourceSearchOrder(fromPackage, this.pkg), enabled: () => true });
  }

  /** ref() and source() written as text in a project's YAML (tests' arguments, exposures), as unique ids. */
  private resolversFor(pkg: string): RelationResolvers {
    const ids = <T,>(r: Resolution<T>, id: (t: T) => string): Resolution<string> => ('found' in r ? { found: id(r.found) } : 'ambiguous' in r ? { ambiguous: r.ambiguous.map(id) } : r);
    return {
      resolveRef: (name, only) => ids(this.resolveRefable(name, only, pkg), (c) => (c.draft ? c.draft.id : c.seed!.uniqueId)),
      resolveSource: (s, t) => ids(this.resolveSource(s, t, pkg), (n) => n.uniqueId),
    };
  }

  /** A node's relation as refs read it: production's under --defer (recorded), else its own. */
  private relationOf(node: { uniqueId: string; relation: Relation }): Relation {
    const deferred = this.opts.deferred?.get(node.uniqueId);
    if (!deferred) return node.relation;
    this.deferredUsed.set(node.uniqueId, deferred);
    return deferred;
  }

  /**
   * What a ref() or source() renders as in this frame: an empty subquery in a
   * model under --empty; in a batch of a microbatch model, a node with
   * `event_time` is read through the batch's window (`.render()` opts out).
   */
  private readRelation(frame: Frame, rel: Relation, kind: string, eventTime?: unknown): TemplateRelation {
    const inModel = frame.kind === 'model' && !frame.unit && !this.inHooks;
    if (this.opts.empty && inModel) {
      return new TemplateRelation(rel, this.dialect, { type: kind, renderAs: emptyRelationSql(this.dialect, rel) });
    }
    const batch = this.batchOf(frame);
    if (batch && inModel && typeof eventTime === 'string' && eventTime.trim()) {
      const { start, end } = batch;
      const window = `select * from ${this.dialect.renderRelation(rel)} where ${this.dialect.eventTimeWindow(eventTime.trim(), start, end)}`;
      return new TemplateRelation(rel, this.dialect, { type: kind, filteredAs: subqueryRelationSql(this.dialect, rel, window) });
    }
    return new TemplateRelation(rel, this.dialect, { type: kind });
  }

  private reportCycle(targetId: string): void {
    const idx = this.stack.findIndex((f) => f.id === targetId);
    const cycle = [...this.stack.slice(idx).map((f) => f.name), this.stack[idx].name];
    const key = [...new Set(cycle)].sort().join(',');
    if (this.seenCycles.has(key)) return;
    this.seenCycles.add(key);
    const first = this.stack[idx];
    this.errors.add(new UserError(`dependency cycle: ${cycle.join(' -> ')}`, { file: first.file, line: lineOfCall(first.raw, 'ref', this.stack[idx + 1]?.name ?? first.name) }, { hint: 'a model cannot depend on itself through ref()' }));
  }

  /** A unit test's given input: rendered as its CTE name. */
  private cteRelation(cte: string): TemplateRelation {
    return new TemplateRelation({ schema: '', identifier: cte }, this.dialect, { renderAs: cte });
  }

  /** target/compiled/<package>/<artifact path>, relative to the project. */
  private compiledPathOf(n: ManifestNode): string {
    return `${this.opts.project.settings.targetPath}/compiled/${n.packageName}/${artifactPath(n)}`;
  }

  private placeholder(name: string): TemplateRelation {
    return new TemplateRelation({ database: this.opts.target.database, schema: this.opts.target.schema, identifier: name }, this.dialect);
  }

  private source(args: unknown[]): TemplateRelation {
    const { positional } = splitArgs(args);
    const frame = this.current();
    if (positional.length !== 2) throw new UserError(`source() takes a source name and a table name, got ${positional.length} arguments`);
    const [s, t] = positional.map(String);
    if (frame.unit) {
      const cte = frame.unit.inputs.get(`source:${s}.${t}`);
      if (cte) return this.cteRelation(cte);
      frame.unit.missing.push(`source('${s}', '${t}')`);
      return this.placeholder(t);
    }
    const r = this.resolveSource(s, t, frame.pkg);
    const place = { file: frame.file, line: lineOfCall(frame.raw, 'source', s) };
    if (!('found' in r)) {
      const all = [...this.sources.values()].flat();
      const sourceNames = new Set(all.map((x) => x.sourceName));
      const hint =
        'ambiguous' in r
          ? `it is defined in ${r.ambiguous.map((x) => `package '${x.packageName}' (${x.originalFilePath})`).join(' and ')}; define it in this project to choose`
          : sourceNames.has(s)
            ? didYouMean(t, all.filter((x) => x.sourceName === s).map((x) => x.name))
            : (didYouMean(`${s}.${t}`, [...this.sources.keys()]) ?? didYouMean(s, sourceNames));
      this.refError(frame, new UserError(`source('${s}', '${t}') ${'ambiguous' in r ? 'is ambiguous' : 'is not defined in any properties file'}`, place, { hint }));
      return this.placeholder(t);
    }
    const src = r.found;
    frame.deps.add(src.uniqueId);
    return this.readRelation(frame, src.relation, 'table', src.config.event_time);
  }

  private variable(args: unknown[]): unknown {
    const { positional, kwargs } = splitArgs(args);
    const name = String(positional[0]);
    const unitVars = this.stack[this.stack.length - 1]?.unit?.vars;
    if (unitVars && name in unitVars) return unitVars[name];
    const hasDefault = positional.length > 1 || 'default' in kwargs;
    const dflt = positional.length > 1 ? positional[1] : kwargs.default;
    const pkg = this.stack[this.stack.length - 1]?.pkg ?? this.pkg;
    const vars = this.varsOf(pkg);
    if (Object.hasOwn(vars, name)) return vars[name];
    if (hasDefault) return dflt;
    const frame = this.current();
    const file = this.projectOf({ pkg }).settings.file;
    throw new UserError(`var('${name}') is not set and has no default`, { file: frame.file, line: lineOfCall(frame.raw, 'var', name) }, {
      hint: didYouMean(name, Object.keys(vars)) ?? `pass --vars '{${name}: …}' or set it under vars: in ${pkg === this.pkg ? file : `${this.opts.project.settings.file} (vars: {${pkg}: {${name}: …}})`}`,
    });
  }

  /** The variables var() reads in a node of `pkg`, by dbt's precedence (see package-scope.ts). */
  private varsOf(pkg: string): Record<string, unknown> {
    let vars = this.varsByPackage.get(pkg);
    if (!vars) {
      const own = this.projects.get(pkg);
      vars = varsFor(pkg, { name: this.pkg, vars: this.opts.project.settings.vars }, own && { name: own.name, vars: own.settings.vars }, this.opts.cliVars);
      this.varsByPackage.set(pkg, vars);
    }
    return vars;
  }

  /** Where `fn('arg')` is written: in the node being rendered, else in the macro file that holds it. */
  private placeOfCall(fn: string, arg: string): SourcePlace {
    const frame = this.stack[this.stack.length - 1];
    const inNode = frame && frame.raw.includes(arg) ? lineOfCall(frame.raw, fn, arg) : undefined;
    if (inNode) return { file: frame.file, line: inNode };
    const macro = [...this.projects.values()].flatMap((p) => p.macroFiles).find((f) => f.text.includes(arg) && lineOfCall(f.text, fn, arg));
    if (macro) return { file: macro.relPath, line: lineOfCall(macro.text, fn, arg) };
    return { file: frame?.file };
  }

  /** config() in a template: merged into the node's own config; a package node's root-project override stays on top. */
  private applyConfig(frame: Frame, given: Config): void {
    frame.own = mergeConfig(frame.own, given);
    frame.config = withRootOverride(frame.own, frame.override);
  }

  private configFunction(): unknown {
    const self = this;
    const fn = (...args: unknown[]) => {
      const frame = self.current();
      const { positional, kwargs } = splitArgs(args);
      let given: Config = { ...kwargs };
      if (isPlainObject(positional[0])) given = { ...positional[0], ...given };
      self.applyConfig(frame, plainStrings(given));
      frame.relation = undefined;
      return '';
    };
    Object.assign(fn, {
      get: (key: string, dflt?: unknown) => {
        const v = self.current().config[key];
        return v === undefined ? (dflt ?? null) : v;
      },
      require: (key: string) => {
        const frame = self.current();
        const v = frame.config[key];
        if (v === undefined) throw new UserError(`config '${key}' is required by ${frame.name} but not set`, { file: frame.file });
        return v;
      },
      set: (key: string, value: unknown) => {
        self.applyConfig(self.current(), plainStrings({ [key]: value }));
        return '';
      },
    });
    return fn;
  }

  private installGlobals(): void {
    const env = this.env;
    const self = this;
    env.addGlobal('ref', (...args: unknown[]) => this.ref(args));
    env.addGlobal('source', (...args: unknown[]) => this.source(args));
    env.addGlobal('var', (...args: unknown[]) => this.variable(args));
    env.addGlobal('env_var', (name: string, dflt?: unknown) => {
      if (isSecretEnvName(String(name))) {
        throw new UserError(`env_var('${name}'): secret variables can only be used in profiles.yml`, this.placeOfCall('env_var', String(name)), {
          hint: 'DBT_ENV_SECRET_* and TSQL_ENV_SECRET_* never reach models, macros, tests or hooks, so they never land in target/',
        });
      }
      const v = this.renderInputs.envVar(String(name));
      if (v !== undefined) return v;
      if (dflt !== undefined) return dflt;
      const frame = this.stack[this.stack.length - 1];
      throw new UserError(`env_var('${name}'): the environment variable is not set and no default was given`, { file: frame?.file, line: frame ? lineOfCall(frame.raw, 'env_var', name) : undefined });
    });
    const config = this.configFunction();
    env.addGlobal('config', config);
    // dbt's `builtins`: tsql's own ref, source and config, for a project macro that overrides one (`{% macro ref(name) %}`)
    env.addGlobal('builtins', { ref: (...args: unknown[]) => this.ref(args), source: (...args: unknown[]) => this.source(args), config });
    env.addGlobal('project_name', this.opts.project.settings.name);
    env.addGlobal('dbt_version', DBT_COMPATIBLE_VERSION);
    env.addGlobal('is_incremental', () => {
      const frame = this.current();
      // In a unit test the model runs as a full refresh unless the test overrides is_incremental.
      if (frame.unit) return Boolean(frame.unit.macros.is_incremental);
      frame.relation = frame.relation ?? this.computeRelation(frame);
      return this.isIncremental(frame);
    });
    // `target` is the connection of the node being rendered (the target unless `connection:` says otherwise).
    env.addGlobal(
      'target',
      new Proxy(this.targetContext, {
        get: (_t, key) => Reflect.get(this.frameConnection(this.stack[this.stack.length - 1]).context, key),
        has: (_t, key) => Reflect.has(this.frameConnection(this.stack[this.stack.length - 1]).context, key),
        ownKeys: () => Reflect.ownKeys(this.frameConnection(this.stack[this.stack.length - 1]).context),
        getOwnPropertyDescriptor: (_t, key) => {
          const d = Reflect.getOwnPropertyDescriptor(this.frameConnection(this.stack[this.stack.length - 1]).context, key);
          return d ? { ...d, configurable: true } : undefined;
        },
      }),
    );
    this.renderInputs.volatileGlobal(env, 'run_started_at', datetimeObject(this.opts.runStartedAt));
    this.renderInputs.volatileGlobal(env, 'invocation_id', this.opts.invocationId);
    this.renderInputs.volatileFilter(env, 'random');
    const introspection = introspectionGlobals({
      executing: () => this.runtime !== undefined,
      mark: () => this.markIntrospects(),
      answer: (request) => this.runtime!.log.answer(request),
      results: () => this.runtime?.results ?? new Map(),
      dialect: () => this.dialect,
      database: () => this.frameConnection(this.stack[this.stack.length - 1]).database,
    });
    for (const [k, v] of Object.entries(introspection.globals)) env.addGlobal(k, v);
    // the command is the invocation's own: a compile whose templates read it is not reused by another command
    const invocation = this.opts.invocation ?? { which: 'compile' };
    const flags: Record<string, unknown> = { FULL_REFRESH: this.opts.fullRefresh, STORE_FAILURES: false };
    this.renderInputs.volatileProperty(flags, 'WHICH', invocation.which, 'flags.WHICH');
    env.addGlobal('flags', flags);
    this.renderInputs.volatileGlobal(env, 'invocation_args_dict', {
      which: invocation.which,
      select: invocation.select ?? [],
      exclude: invocation.exclude ?? [],
      full_refresh: this.opts.fullRefresh,
    });
    env.addGlobal('return', (value: unknown) => {
      throw new MacroReturn(value);
    });
    env.addGlobal('log', (msg: unknown, info?: unknown) => {
      if (info === true || (isPlainObject(info) && (info as Record<string, unknown>).info)) this.logs.push(String(msg));
      return '';
    });
    env.addGlobal('print', (msg: unknown) => {
      this.logs.push(String(msg));
      return '';
    });
    env.addGlobal('exceptions', {
      raise_compiler_error: (msg: unknown) => {
        throw new UserError(String(msg));
      },
      // what a macro says it has no implementation for (an adapter's dispatch without a default__)
      raise_not_implemented: (msg: unknown) => {
        throw new UserError(`not implemented: ${String(msg)}`);
      },
      warn: (msg: unknown) => {
        const frame = this.stack[this.stack.length - 1];
        this.warnings.push(`${frame ? frame.file + ': ' : ''}${String(msg)}`);
        return '';
      },
    });
    env.addGlobal('try_or_compiler_error', tryOrCompilerError);
    env.addGlobal('adapter', {
      dispatch: (...args: unknown[]) => {
        const { positional, kwargs } = splitArgs(args);
        const name = String(positional[0] ?? kwargs.macro_name);
        const macroNamespace = (positional[1] ?? kwargs.macro_namespace) as string | undefined;
        if (macroNamespace) return dispatchInNamespace(this.macros, this.pkg, this.opts.project.settings.dispatch ?? {}, String(name), String(macroNamespace), this.dispatchEngines).fn;
        const m = this.macros.dispatch(String(name), this.dispatchEngines);
        if (!m) {
          const looked = [...this.dispatchEngines.map((e) => `${e}__${name}`), `default__${name}`].join(', ');
          throw new UserError(`adapter.dispatch('${name}') found no implementation (looked for ${looked})`);
        }
        return m.fn;
      },
      quote: (s: string) => this.dialect.quoteIdentifier(String(s)),
      type: () => this.dialect.type,
      get_relation: (...args: unknown[]) => {
        const { positional, kwargs } = splitArgs(args);
        const database = (kwargs.database ?? positional[0]) as string | undefined;
        const schema = String(kwargs.schema ?? positional[1]);
        const identifier = String(kwargs.identifier ?? positional[2]);
        const name = this.frameConnectionName(this.stack[this.stack.length - 1]);
        const rel = { database: database ?? this.connectionInfo(name).database, schema, identifier };
        // what exists changes while a run builds: a node that asks is rendered again when it runs
        this.markIntrospects();
        const kind = this.catalogKind(name, rel);
        return kind ? new TemplateRelation(rel, this.dialect, { type: kind }) : null;
      },
      ...introspection.adapter,
    });
    // dbt's load_relation(relation): the relation as the warehouse has it, or None
    env.addGlobal('load_relation', (rel: unknown) => {
      const r = rel as { database?: unknown; schema?: unknown; identifier?: unknown } | null;
      if (!r || typeof r !== 'object') throw new UserError(`load_relation() expects a relation, got ${String(rel)}`);
      const adapter = env.getGlobal('adapter') as { get_relation(...a: unknown[]): unknown };
      return adapter.get_relation(r.database ?? undefined, r.schema, r.identifier);
    });
    env.addGlobal('fromjson', (s: string, dflt?: unknown) => {
      try {
        return JSON.parse(String(s));
      } catch {
        return dflt ?? null;
      }
    });
    // dbt's tojson(value, default=None, sort_keys=False): json.dumps, the keys in their order; a value it cannot write gives `default`
    env.addGlobal('tojson', (...raw: unknown[]) => {
      const a = bindArgs('tojson', raw, ['value', 'default', 'sort_keys']);
      try {
        return pyJsonDumps(a.value, undefined, 0, new Set(), a.sort_keys === true);
      } catch {
        return a.default ?? null;
      }
    });
    // dbt.<macro>: tsql's built-in macros, a project's macro of the same name first.
    env.addGlobal('dbt', dbtNamespace((n) => this.macros.get(n)?.fn, () => this.macros.builtinNames()));
    env.addGlobal('local_md5', (s: string) => createMd5(String(s)));
    env.addGlobal('modules', this.renderInputs.modules(templateModules(), ['datetime']));
    for (const [k, v] of Object.entries(this.opts.extraGlobals ?? {})) env.addGlobal(k, v);

    // Per-node values: getters over the render stack, so macros see the calling node.
    const globals = (env as unknown as { globals: Record<string, unknown> }).globals;
    Object.defineProperty(globals, 'this', {
      configurable: true,
      enumerable: true,
      get() {
        const frame = self.stack[self.stack.length - 1];
        if (!frame || frame.kind === 'hook') return undefined;
        if (frame.unit) {
          const thisCte = frame.unit.inputs.get('this');
          if (thisCte) return self.cteRelation(thisCte);
          frame.unit.missing.push('this');
        }
        frame.relation = frame.relation ?? self.computeRelation(frame);
        frame.readsThis = true;
        const kind = frame.config.materialized === 'view' ? 'view' : 'table';
        return new TemplateRelation(frame.relation, self.dialect, { type: kind });
      },
    });
    // dbt's `execute`: false while only compiling, true when rendered to run (see run-time-render.ts)
    Object.defineProperty(globals, 'execute', {
      configurable: true,
      enumerable: true,
      get() {
        self.markIntrospects();
        return self.runtime !== undefined;
      },
    });
    // dbt's `graph`: whole when rendered to run (a template reading it is rendered again then), empty while compiling
    Object.defineProperty(globals, 'graph', {
      configurable: true,
      enumerable: true,
      get() {
        self.markIntrospects();
        if (!self.runtime) return emptyGraph();
        return (self.graph ??= graphContext(self.compiledNodes.values(), self.dialect));
      },
    });
    // on-run-end's `results`, `schemas` and `database_schemas`: a hook that reads them is rendered when it runs (see execution/run-end-context.ts)
    for (const name of ['results', 'schemas', 'database_schemas']) {
      Object.defineProperty(globals, name, {
        configurable: true,
        enumerable: true,
        get() {
          const frame = self.stack[self.stack.length - 1];
          if (frame?.kind !== 'hook' || frame.name !== 'on-run-end') return undefined;
          self.markIntrospects();
          return self.runtime?.runEnd?.[name] ?? [];
        },
      });
    }
    Object.defineProperty(globals, 'model', {
      configurable: true,
      enumerable: true,
      get() {
        const frame = self.stack[self.stack.length - 1];
        return frame ? self.modelContext(frame) : undefined;
      },
    });
    // Airflow's params: the model's `params` config, overridden by --vars.
    Object.defineProperty(globals, 'params', {
      configurable: true,
      enumerable: true,
      get() {
        const frame = self.stack[self.stack.length - 1];
        const own = frame && isPlainObject(frame.config.params) ? frame.config.params : {};
        return { ...own, ...self.opts.cliVars };
      },
    });
    Object.defineProperty(globals, 'schema', {
      configurable: true,
      enumerable: true,
      get() {
        const frame = self.stack[self.stack.length - 1];
        if (!frame || frame.kind === 'hook') return self.opts.target.schema;
        frame.relation = frame.relation ?? self.computeRelation(frame);
        return frame.relation.schema;
      },
    });
    Object.defineProperty(globals, 'database', {
      configurable: true,
      enumerable: true,
      get: () => self.frameConnection(self.stack[self.stack.length - 1]).database,
    });
  }
  // ---------------------------------------------------------------- run-time renders

  private markIntrospects(): void {
    const frame = this.stack[this.stack.length - 1];
    if (frame) frame.introspects = true;
  }

  private warnCompileTimeOnly(where: string, what: string): void {
    this.warnings.push(`${where}: ${what} reads \`execute\` or asks the warehouse (run_query, statement, get_columns_in_relation…); tsql renders it at compile time only, where execute is false and queries answer nothing`);
  }

  /**
   * One attempt at rendering a node's SQL or hooks, a project hook or an operation
   * with `execute` true (see run-time-render.ts). Throws NeedQuery when a query
   * must run first; the errors, logs and warnings of the attempt go with it.
   */
  private renderAttempt(target: RenderTarget, log: ReplayLog): RenderOutput {
    const before = { errors: this.errors.errors.length, logs: this.logs.length, warnings: this.warnings.length };
    this.runtime = { log, results: new Map(), runEnd: target.kind === 'project-hook' ? target.runEnd : undefined };
    log.rewind();
    try {
      const out = this.renderTarget(target);
      const errors = this.errors.errors.slice(before.errors);
      if (errors.length) throw errors.length === 1 ? errors[0] : new UserErrors(errors);
      return { ...out, logs: this.logs.slice(before.logs), warnings: this.warnings.slice(before.warnings) };
    } finally {
      this.runtime = undefined;
      this.errors.errors.splice(before.errors);
      this.logs.splice(before.logs);
      this.warnings.splice(before.warnings);
    }
  }

  private renderTarget(target: RenderTarget): Omit<RenderOutput, 'logs' | 'warnings'> {
    if (target.kind === 'project-hook') {
      const h = this.projectHooks(target.which)[target.index] ?? { pkg: this.pkg, sql: '', file: this.opts.project.settings.file };
      const frame = this.hookFrame(h, target.which);
      return { sql: this.renderRunTime(frame, () => this.template(h.sql, h.file).render({}), h.file, '', h.line).trim() };
    }
    if (target.kind === 'operation') {
      const macro = this.macros.get(target.macro)!;
      const frame = this.frameFor('hook', `operation.${this.pkg}.${target.macro}`, { relPath: macro.file, text: '', name: target.macro, fqn: [this.pkg, target.macro] }, {}, 'operation');
      const kwargs = (nunjucks.runtime as unknown as { makeKeywordArgs(o: object): object }).makeKeywordArgs({ ...target.args });
      return { sql: String(this.renderRunTime(frame, () => macro.fn(kwargs) ?? '', macro.file, '')) };
    }
    const test = target.kind === 'test' ? this.runTimeTests.get(target.id) : undefined;
    if (test) {
      const n = this.compiledNodes.get(target.id)!;
      const frame = this.frameFor('test', target.id, { relPath: test.file, text: test.text, name: n.name, fqn: n.fqn }, { ...test.config });
      const marks: OutputMarks = [];
      const select = mappedSelect(this.renderRunTime(frame, () => renderWithMarks(marks, test.render), test.file, test.text, test.line), marks, test.file, test.text, false);
      const [sql, sourceMap] = this.inlineEphemerals(select.code, select.map, frame.ephemeralDeps, this.compiledNodes);
      return { sql, sourceMap };
    }
    const draft = this.drafts.get(target.id)!;
    const node = draft.node!;
    const file = draft.file;
    if (target.kind === 'model-hooks') {
      const frame = this.frameFor('model', draft.id, file, { ...node.config }, draft.kind);
      frame.relation = node.relation;
      const line = lineOfCall(file.text, 'config');
      const hooks = asHookList(target.which === 'pre_hook' ? node.config.pre_hook : node.config.post_hook);
      this.inHooks = true;
      try {
        return { sql: '', hooks: hooks.map((h) => this.renderRunTime(frame, () => this.template(h, file.relPath).render({}), file.relPath, '', line).trim()).filter(Boolean) };
      } finally {
        this.inHooks = false;
      }
    }
    const frame = this.frameFor('model', draft.id, file, { ...draft.baseConfig }, draft.kind, draft.override);
    if (target.kind === 'model') frame.batch = target.batch;
    const marks: OutputMarks = [];
    const sql = this.renderRunTime(frame, () => renderWithMarks(marks, () => this.template(file.text, file.relPath).render({})), file.relPath, file.text);
    const unknown = [...frame.deps].filter((d) => !node.dependsOn.nodes.includes(d));
    if (unknown.length) {
      const names = unknown.map((d) => this.compiledNodes.get(d)?.name ?? d);
      throw new UserError(`${names.map((n) => `ref('${n}')`).join(', ')} is read only when the model runs (inside {% if execute %}), so it is not a dependency tsql knows`, { file: file.relPath, line: lineOfCall(file.text, 'ref', names[0]) }, {
        hint: `add '-- depends_on: {{ ref('${names[0]}') }}' outside the if, so the model is built after it`,
      });
    }
    const select = mappedSelect(sql, marks, file.relPath, file.text);
    const [compiled, sourceMap] = this.inlineEphemerals(select.code, select.map, frame.ephemeralDeps, this.compiledNodes);
    return { sql: compiled, sourceMap };
  }

  /** Puts the CTEs of the ephemeral models in `deps` in front of a select, and maps the result. */
  private inlineEphemerals(code: string, map: CodeMap | undefined, deps: Set<string>, nodes: Map<string, ManifestNode>): [string, CodeMap | undefined] {
    if (!deps.size) return [code, map];
    const layout = {} as CteLayout & { inlined?: ModelNode[] };
    const out = injectEphemeralCtes(code, deps, nodes, this.drafts, layout);
    if (!layout.inlined) return [out, map];
    return [out, mapWithCtes(map, layout, layout.inlined.map((n) => n.sourceMapOwn ?? n.sourceMap))];
  }

  /** Renders in `frame`; a NeedQuery comes out with the place it was asked, any other error as a user error there. */
  private renderRunTime(frame: Frame, render: () => unknown, file: string, text: string, line?: number): string {
    this.stack.push(frame);
    try {
      return String(render());
    } catch (e) {
      const err = templateError(e, file, line, text || undefined);
      const signal = findNeedQuery(e);
      if (signal) {
        signal.place = err.place;
        throw signal;
      }
      throw err;
    } finally {
      this.stack.pop();
    }
  }
}

function createMd5(s: string): string {
  return digest('md5', s, 'hex');
}

/**
 * A model's or singular test's rendered template as its compiled select (cleaned; for a
 * model, with the --empty and batch subqueries' aliases resolved), and where its text came from.
 */
function mappedSelect(rendered: string, marks: OutputMarks, file: string, source: string, resolveAliases = true): { code: string; map: CodeMap } {
  const edits: number[] = [];
  const trimmed = cleanSql(rendered);
  const code = resolveAliases ? resolveSubqueryAliases(trimmed, edits) : trimmed;
  return { code, map: ownCodeMap({ file, source, rendered, marks, lead: rendered.length - rendered.trimStart().length, edits: edits.length ? edits : undefined }, code) };
}

/** The rendered select, without trailing semicolons (it is wrapped in DDL). */
export function cleanSql(sql: string): string {
  const trimmed = sql.trim();
  return trimmed.endsWith(';') ? trimmed.replace(/;+\s*$/, '').trimEnd() : trimmed;
}

/** dbt's `model.batch`: id, event_time_start, event_time_end (datetimes), or none. */
function batchContext(b: BatchContext | undefined): Record<string, unknown> | null {
  return b ? { id: b.id, event_time_start: datetimeObject(b.start), event_time_end: datetimeObject(b.end) } : null;
}

/** A config given from a template, with text a template made (`caller()`, a `{% set %}` block: SafeStrings) as plain strings. */
function plainStrings(given: Config): Config {
  const plain = (v: unknown): unknown => (isSafe(v) ? strValue(v) : Array.isArray(v) ? v.map(plain) : v);
  return Object.fromEntries(Object.entries(given).map(([k, v]) => [k, plain(v)]));
}

function extensionTags(env: nunjucks.Environment): string[] {
  const list = (env as unknown as { extensionsList: Array<{ tags?: string[] }> }).extensionsList ?? [];
  return list.flatMap((e) => e.tags ?? []);
}

