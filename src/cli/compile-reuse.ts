/**
 * Where a session meets the compile cache (compiler/compile-cache.ts): what it reads before
 * the profile (the project, unless a kept compile was made from the same files), the key of
 * the compile it needs, the kept compile read back, and the new compile kept.
 */
import { join } from 'node:path';
import type { RelationKind } from '../adapters/types.js';
import type { CompileResult } from '../compiler/compiler.js';
import { compileCacheFile, compileCacheKey, notReusable, openCompileCache, RACY, writeCompileCache, type CompileKey, type CompileKeyParts, type KeptCompile } from '../compiler/compile-cache.js';
import { RunTimeRenderer } from '../compiler/run-time-render.js';
import { snapshotInputs, type InputSnapshot } from '../project/input-snapshot.js';
import { loadProject, type LoadedProject } from '../project/load.js';
import { loadProjectFile, type ProjectSettings } from '../project/project-file.js';
import { redactOutput, type ResolvedTarget } from '../project/profiles.js';
import { settleChecksums } from '../seeds/seed-checksum.js';
import type { ParsedOptions } from './options.js';

/** What openSession reads before the profile: the project, unless the compile cache may stand for it. */
export interface LoadedInputs {
  settings: ProjectSettings;
  /** the project, read now unless the compile kept in the cache was made from the same files */
  project?: LoadedProject;
  /** the options the compile depends on (cacheOptions): they name the cache file and are part of its key */
  keyOptions: Record<string, unknown>;
  cacheFile: string;
  /** the project's files as they are, when this session may use the compile cache (see compile-cache.ts) */
  files?: InputSnapshot;
  kept?: KeptCompile;
}

/**
 * The project file, the project's files as they are, and the kept compile for these options;
 * the project itself only when that compile was not made from the same files (always with an
 * inline query, which may use no kept compile).
 */
export function loadInputs(options: ParsedOptions, opts: ReuseOptions): LoadedInputs {
  const overrides = { targetPath: options.targetPath };
  const settings = loadProjectFile(options.projectDir, overrides);
  const keyOptions = cacheOptions(options, opts);
  const cacheFile = compileCacheFile(join(options.projectDir, settings.targetPath, '.tsql_cache'), keyOptions);
  // an inline model is not a file; --defer compiles against another project's manifest
  const files = opts.extraModel || options.defer ? undefined : snapshotInputs(options.projectDir, settings);
  const kept = files ? openCompileCache(cacheFile) : undefined;
  // files that compiled before load without a mistake: reading them can wait until a compile needs them
  if (kept && kept.files === files!.files) return { settings, keyOptions, cacheFile, files, kept };
  return { settings, project: loadProject(options.projectDir, overrides, settings), keyOptions, cacheFile, files, kept };
}

/** What of a session's options decides whether and which compile it may reuse. */
export interface ReuseOptions {
  readCatalog: boolean;
  extraModel?: unknown;
}

/** The key of the compile this session needs (undefined: it may not use the cache). */
export function reuseKey(loaded: LoadedInputs, target: ResolvedTarget, threads: number, catalog: Map<string, RelationKind> | undefined, lake: string): CompileKey | undefined {
  return loaded.files && compileCacheKey(compileKeyParts(loaded.keyOptions, target, threads, catalog, lake));
}

/** What became of the compile cache in a session, for the closing line of compile and parse. */
export interface CompileReuse {
  /** the compile was read back: nothing it read had changed */
  reused: boolean;
  /** why the kept compile for these options could not stand for this one (`models/a.sql changed`) */
  compiledAgain?: string;
  /** why this compile is not kept for the next (`models/b.sql reads run_started_at`); not said for a file changed just before (the next compile keeps it) */
  notKept?: string;
}

/**
 * The kept compile, read back, when it was made with `key` from the same files and
 * environment; else why not (when there was one). It keeps no renderer of run-time SQL (it has
 * none to do): should one be asked all the same, `compile` makes it.
 */
export function reusedCompile(loaded: LoadedInputs, key: CompileKey | undefined, partialParse: boolean, compile: () => CompileResult): { compiled?: CompileResult; compiledAgain?: string } {
  const { kept, files } = loaded;
  if (!key || !files || !kept) return {};
  // dbt's --no-partial-parse: from scratch (the new compile is kept all the same)
  if (!partialParse) return { compiledAgain: '--no-partial-parse' };
  const compiledAgain = kept.changed(key, files);
  const cached = compiledAgain ? undefined : kept.read();
  if (!cached) return { compiledAgain: compiledAgain ?? 'the kept compile could not be read' };
  return {
    compiled: {
      ...cached,
      catalogsWanted: [],
      pendingChecksums: [],
      // its environment variables were compared before it was read
      inputs: { env: [] },
      runTime: RunTimeRenderer.onFirstUse(() => compile().runTime),
    },
  };
}

/**
 * Keeps `compiled` when it can be (once the checksums of big seeds are in its manifest), or
 * says why not; the promise never rejects.
 */
export function keepCompile(loaded: LoadedInputs, key: CompileKey | undefined, compiled: CompileResult, manifestBody: (c: CompileResult) => string): { keeping?: Promise<void>; notKept?: string } {
  const { files, cacheFile } = loaded;
  if (!key || !files) return {};
  const notKept = notReusable(compiled, files);
  if (notKept) return notKept === RACY ? {} : { notKept };
  const keeping = settleChecksums(compiled.pendingChecksums)
    .then(() => writeCompileCache(cacheFile, key, files, compiled, manifestBody(compiled)))
    .catch(() => undefined);
  return { keeping };
}

/** The options a compile depends on (compile-cache.ts): those that reach templates or the compiler, and whether the catalog is read. */
function cacheOptions(options: ParsedOptions, opts: ReuseOptions): Record<string, unknown> {
  const { projectDir, profilesDir, profile, target, vars, threads, fullRefresh, empty, runDate, eventTime, batchNow, backfill, targetPath, warnError } = options;
  return { projectDir, profilesDir, profile, target, vars, threads, fullRefresh, empty, runDate, eventTime, batchNow, backfill, targetPath, warnError, readCatalog: opts.readCatalog };
}

/** The options, target and catalog a compile depends on (compile-cache.ts). */
function compileKeyParts(options: Record<string, unknown>, target: ResolvedTarget, threads: number, catalog: Map<string, RelationKind> | undefined, lake: string): CompileKeyParts {
  return {
    options,
    target: {
      output: redactOutput(target.output),
      profileName: target.profileName,
      targetName: target.targetName,
      type: target.type,
      database: target.database,
      schema: target.schema,
      threads,
      lake,
      // `connection: x` is the target until the profile has an output x
      outputs: Object.keys(target.outputs).sort(),
    },
    // a session that does not read the catalog compiles as if nothing existed: it is not the empty catalog's compile
    catalog: catalog ?? 'not read',
  };
}

