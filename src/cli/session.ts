import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Adapter, Dialect, RelationKind } from '../adapters/types.js';
import { adapterFactory } from '../adapters/registry.js';
import { Compiler, relationKey, type CompileResult, type ConnectionInfo, type Manifest } from '../compiler/compiler.js';
import { planDeferral } from '../compiler/defer.js';
import type { Relation } from '../adapters/types.js';
import type { ManifestNode } from '../compiler/nodes.js';
import { loadProject, type LoadedProject } from '../project/load.js';
import type { ProjectSettings } from '../project/project-file.js';
import { keepCompile, loadInputs, reusedCompile, reuseKey, type CompileReuse, type LoadedInputs } from './compile-reuse.js';
import { UserError } from '../errors.js';
import { chosenProfile, redactOutput, resolveTarget, type ResolvedTarget } from '../project/profiles.js';
import { manifestBody, writeCompiledFiles, writeManifest, type ArtifactMeta } from '../artifacts/write.js';
import { runDateContext } from '../run-date/run-date.js';
import { lakeRoot } from '../project/lake.js';
import { trackAdapter, untrackAdapter } from '../execution/interrupt.js';
import { settleChecksums } from '../seeds/seed-checksum.js';
import { runInterruptibly } from '../execution/interruptible.js';
import { checkpoint, throwIfInterrupted } from '../util/interrupt-state.js';
import type { ParsedOptions } from './options.js';
import type { Reporter } from './reporter.js';

/** One output of the profile that nodes run on: the target, or one named by `connection:`. */
export interface Warehouse {
  /** the output's name in the profile */
  name: string;
  adapter: Adapter;
  /** relations that exist there (kept up to date while running) */
  catalog: Map<string, RelationKind>;
  /** this output's data lake root (absolute path or URL) */
  lakeRoot: string;
  database: string | undefined;
  schema: string;
}

/** The stages up to a compiled manifest: load → target → catalog → compile. */
export interface Session {
  options: ParsedOptions;
  /** the project file's settings */
  settings: ProjectSettings;
  target: ResolvedTarget;
  /** the target's adapter (its warehouse's, in `warehouses`) */
  adapter: Adapter;
  threads: number;
  targetDir: string;
  invocationId: string;
  startedAt: Date;
  compiled: CompileResult;
  /** whether the compile was read back from the compile cache, and why not (compile-cache.ts) */
  reuse: CompileReuse;
  /** the compile being written to the compile cache (closeSession waits for it) */
  keeping?: Promise<void>;
  /** every output in use, by name; the target's included */
  warehouses: Map<string, Warehouse>;
  /** where a node runs: its `connection:` output, else the target */
  warehouseOf(node: Pick<ManifestNode, 'connection'> | undefined): Warehouse;
}

export interface SessionOptions {
  /** the command, as dbt's flags.WHICH names it (`run`, `list`, `generate` …) */
  which: string;
  readCatalog: boolean;
  /** the nodes this invocation builds, for --defer (refs to the others may read production's relations) */
  selection?: (manifest: Manifest, targetDir: string) => Set<string>;
  /** take the target's run lock first (run, build, seed, test, stage-external): one run at a time per schema */
  runLock?: { onWait: (message: string) => void };
  /** a model that exists only for this invocation (`tsql show --inline`): rendered like the project's own */
  extraModel?: { name: string; text: string };
}

export async function openSession(options: ParsedOptions, opts: SessionOptions): Promise<Session> {
  await checkpoint();
  // reading thousands of files and YAML: Ctrl-C stops it at once, as while compiling
  const loaded = runInterruptibly(() => loadInputs(options, opts));
  if (opts.extraModel) loaded.project!.models.push(inlineModel(loaded.project!, opts.extraModel));
  const { settings } = loaded;
  const target = resolveTarget({
    projectDir: options.projectDir,
    profilesDir: options.profilesDir,
    ...chosenProfile(options.profile, settings),
    targetName: options.target,
    vars: options.vars,
  });
  const threads = options.threads ?? target.threads;
  const adapter = adapterFactory(target.type)!.create(target.output, { projectDir: options.projectDir, threads });
  trackAdapter(adapter);
  const catalog = new Map<string, RelationKind>();
  const lake = lakeRoot(target.output, options.projectDir);
  const warehouses = new Map<string, Warehouse>([[target.targetName, { name: target.targetName, adapter, catalog, lakeRoot: lake, database: target.database, schema: target.schema }]]);
  try {
    return await openWarehouses(options, opts, loaded, target, threads, warehouses);
  } catch (e) {
    // a mistake found while compiling: release the run lock and every connection before the error is shown
    await closeSession({ warehouses });
    throw e;
  }
}

async function openWarehouses(options: ParsedOptions, opts: SessionOptions, loaded: LoadedInputs, target: ResolvedTarget, threads: number, warehouses: Map<string, Warehouse>): Promise<Session> {
  const { settings } = loaded;
  let project = loaded.project;
  const { adapter, catalog, lakeRoot: lake } = warehouses.get(target.targetName)!;
  if (opts.runLock && adapter.acquireRunLock) await adapter.acquireRunLock({ waitSeconds: options.waitSeconds, onWait: opts.runLock.onWait });
  throwIfInterrupted();
  if (opts.readCatalog) await readCatalog(warehouses.get(target.targetName)!);
  throwIfInterrupted();

  // Other outputs named by `connection:` are opened (lazily: no connection is made) when the compiler first meets them.
  const infos = new Map<string, ConnectionInfo | undefined>();
  const connection = (name: string): ConnectionInfo | undefined => {
    if (infos.has(name)) return infos.get(name);
    const other = target.otherOutput(name);
    let info: ConnectionInfo | undefined;
    if (other) {
      const otherThreads = options.threads ?? other.threads;
      const a = adapterFactory(other.type)!.create(other.output, { projectDir: options.projectDir, threads: otherThreads });
      trackAdapter(a);
      const w: Warehouse = { name, adapter: a, catalog: new Map(), lakeRoot: lakeRoot(other.output, options.projectDir), database: other.database, schema: other.schema };
      warehouses.set(name, w);
      info = {
        dialect: a.dialect,
        database: other.database,
        schema: other.schema,
        context: { ...redactOutput(other.output), name, target_name: name, profile_name: target.profileName, type: other.type, schema: other.schema, database: other.database, threads: otherThreads },
      };
    }
    infos.set(name, info);
    return info;
  };
  const invocationId = randomUUID();
  const startedAt = new Date();
  const compiler = (deferred?: Map<string, Relation>) =>
    new Compiler({
      invocation: { which: opts.which, select: options.select, exclude: options.exclude },
      deferred,
      empty: options.empty,
      project: (project ??= loadProject(options.projectDir, { targetPath: options.targetPath }, settings)),
      // target.threads in templates: the threads this invocation runs with (--threads wins over the profile), as in dbt
      target: { ...target, threads },
      dialect: adapter.dialect,
      cliVars: options.vars,
      fullRefresh: options.fullRefresh,
      catalog,
      invocationId,
      runStartedAt: startedAt,
      extraGlobals: runDateContext(options.runDate),
      lakeRoot: lake,
      templateCacheFile: join(options.projectDir, settings.targetPath, '.tsql_cache', 'templates.json'),
      connection,
      outputNames: Object.keys(target.outputs),
    });
  const compile = async (deferred?: Map<string, Relation>) => {
    await checkpoint();
    // the compiler's set-up too: a signal that came while it ran would be lost when the handlers step aside
    return runInterruptibly(() => compiler(deferred).compile());
  };
  const key = reuseKey(loaded, target, threads, opts.readCatalog ? catalog : undefined, lake);
  const { compiled: cached, compiledAgain } = reusedCompile(loaded, key, options.partialParse, () => runInterruptibly(() => compiler().compile()));
  let compiled = cached ?? (await compile());
  if (opts.readCatalog && !cached) {
    // Read the catalogs of the other connections in use; compile again when a template consulted one before it was read.
    for (const w of warehouses.values()) {
      if (w.name === target.targetName) continue;
      await readCatalog(w);
      infos.get(w.name)!.catalog = w.catalog;
    }
    if (compiled.catalogsWanted.length) compiled = await compile();
  }
  if (options.defer && options.state && opts.selection) {
    // Deferral changes only the relations refs render as, never the graph: compile once more with them.
    const deferred = planDeferral(compiled.manifest, opts.selection(compiled.manifest, join(options.projectDir, settings.targetPath)), { state: options.state, favorState: options.favorState, catalog });
    if (deferred.size) compiled = await compile(deferred);
  }
  // state: comparisons and --defer read seed checksums: big seeds' hashes must be done first
  if (options.state) await settleChecksums(compiled.pendingChecksums);
  throwIfInterrupted();
  const { keeping, notKept } = cached ? {} : keepCompile(loaded, key, compiled, (c) => manifestBodyOf(c, adapter.dialect));
  const targetWarehouse = warehouses.get(target.targetName)!;
  return {
    options,
    settings,
    target,
    adapter,
    threads,
    targetDir: join(options.projectDir, settings.targetPath),
    invocationId,
    startedAt,
    compiled,
    reuse: { reused: cached !== undefined, compiledAgain, notKept },
    keeping,
    warehouses,
    warehouseOf: (node) => (node?.connection ? (warehouses.get(node.connection) ?? targetWarehouse) : targetWarehouse),
  };
}

function inlineModel(project: LoadedProject, m: { name: string; text: string }): LoadedProject['models'][number] {
  if (project.models.some((x) => x.name === m.name)) throw new UserError(`the project has a model named '${m.name}', the name tsql gives the inline query`, {}, { hint: 'rename that model to use --inline' });
  return { name: m.name, text: m.text, checksum: '', fqn: [project.settings.name, m.name], relPath: '<inline>', absPath: '', root: '', pathInRoot: `${m.name}.sql` };
}

async function readCatalog(w: Warehouse): Promise<void> {
  for (const r of await w.adapter.listRelations()) w.catalog.set(relationKey(r), r.kind);
}

/** Closes every warehouse connection of the session. */
export async function closeSession(session: Pick<Session, 'warehouses' | 'keeping'>): Promise<void> {
  await session.keeping?.catch(() => undefined);
  await Promise.all(
    [...session.warehouses.values()].map((w) => {
      untrackAdapter(w.adapter);
      return w.adapter.close();
    }),
  );
}

/** Artifact metadata for this invocation. */
export function artifactMeta(session: Session, command: string): ArtifactMeta {
  return { invocationId: session.invocationId, generatedAt: session.startedAt, adapterType: session.target.type, targetName: session.target.targetName, command };
}

/**
 * For the closing line of compile and parse: whether the compile was read back from the
 * compile cache, or why it was compiled again, and why it is not kept when it is not.
 */
export function reusedNote(session: Pick<Session, 'reuse'>): string {
  const { reused, compiledAgain, notKept } = session.reuse;
  const again = reused ? ' (nothing it reads changed since the last compile: reused)' : compiledAgain ? ` (compiled again: ${compiledAgain})` : '';
  return notKept ? `${again}; not kept for the next compile: ${notKept}` : again;
}

/** manifest.json but its metadata: built once, for the compile cache and the manifest both. */
function manifestBodyOf(compiled: CompileResult, dialect: Dialect): string {
  return (compiled.manifestBody ??= manifestBody(compiled.manifest, dialect, compiled.docBlocks));
}

/**
 * Prints compile warnings and log() output, and writes compiled/ and
 * manifest.json (the compiled files while the manifest is written). The
 * manifest waits for the checksums of big seeds, hashed in the background
 * (seeds/seed-checksum.ts): the returned promise is both writes, which a run
 * lets go on while the nodes start. It never rejects unawaited.
 */
export function publishCompiled(session: Session, reporter: Reporter, command: string): Promise<void> {
  const { manifest, warnings, logs, pendingChecksums } = session.compiled;
  for (const w of warnings) reporter.warn(w);
  for (const l of logs) reporter.info(l);
  for (const [id, rel] of manifest.deferred) reporter.info(`Deferred ${id} to --state ${session.options.state?.label}: ${session.adapter.dialect.renderRelation(rel)}`);
  const compiledFiles = writeCompiledFiles(session.options.projectDir, manifest);
  const write = () => writeManifest(session.targetDir, manifest, artifactMeta(session, command), manifestBodyOf(session.compiled, session.adapter.dialect));
  // without checksums to wait for, the manifest is written now (a failure rejects the promise)
  const manifestWritten = pendingChecksums.length ? settleChecksums(pendingChecksums).then(write) : new Promise<void>((resolve) => resolve(write()));
  const both = Promise.all([compiledFiles, manifestWritten]).then(() => undefined);
  both.catch(() => undefined);
  return both;
}
