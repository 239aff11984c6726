import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Adapter, RelationKind } from '../adapters/types.js';
import { adapterFactory } from '../adapters/registry.js';
import { Compiler, relationKey, type CompileResult } from '../compiler/compiler.js';
import { loadProject, type LoadedProject } from '../project/load.js';
import { resolveTarget, type ResolvedTarget } from '../project/profiles.js';
import { writeCompiledFiles, writeManifest, type ArtifactMeta } from '../artifacts/write.js';
import { runDateContext } from '../run-date/run-date.js';
import { lakeRoot } from '../project/lake.js';
import type { ParsedOptions } from './options.js';
import type { Reporter } from './reporter.js';

/** The stages up to a compiled manifest: load → target → catalog → compile. */
export interface Session {
  options: ParsedOptions;
  project: LoadedProject;
  target: ResolvedTarget;
  adapter: Adapter;
  threads: number;
  targetDir: string;
  invocationId: string;
  startedAt: Date;
  catalog: Map<string, RelationKind>;
  compiled: CompileResult;
  /** The data lake's root for this target (absolute path or URL). */
  lakeRoot: string;
}

export async function openSession(options: ParsedOptions, opts: { readCatalog: boolean }): Promise<Session> {
  const project = loadProject(options.projectDir);
  const target = resolveTarget({
    projectDir: options.projectDir,
    profilesDir: options.profilesDir,
    profileName: project.settings.profile,
    targetName: options.target,
    vars: options.vars,
  });
  const threads = options.threads ?? target.threads;
  const adapter = adapterFactory(target.type)!.create(target.output, { projectDir: options.projectDir, threads });
  const catalog = new Map<string, RelationKind>();
  if (opts.readCatalog) {
    for (const r of await adapter.listRelations()) catalog.set(relationKey(r), r.kind);
  }
  const lake = lakeRoot(target.output, options.projectDir);
  const invocationId = randomUUID();
  const startedAt = new Date();
  const compiled = new Compiler({
    project,
    target,
    dialect: adapter.dialect,
    cliVars: options.vars,
    fullRefresh: options.fullRefresh,
    catalog,
    invocationId,
    runStartedAt: startedAt,
    extraGlobals: runDateContext(options.runDate),
    lakeRoot: lake,
    templateCacheFile: join(options.projectDir, project.settings.targetPath, '.tsql_cache', 'templates.json'),
  }).compile();
  return {
    options,
    project,
    target,
    adapter,
    threads,
    targetDir: join(options.projectDir, project.settings.targetPath),
    invocationId,
    startedAt,
    catalog,
    compiled,
    lakeRoot: lake,
  };
}

/** Artifact metadata for this invocation. */
export function artifactMeta(session: Session, command: string): ArtifactMeta {
  return { invocationId: session.invocationId, generatedAt: session.startedAt, adapterType: session.target.type, targetName: session.target.targetName, command };
}

/** Prints compile warnings and log() output, and writes manifest.json and compiled/. */
export function publishCompiled(session: Session, reporter: Reporter, command: string): void {
  const { manifest, warnings, logs } = session.compiled;
  for (const w of warnings) reporter.warn(w);
  for (const l of logs) reporter.info(l);
  writeManifest(session.targetDir, manifest, session.adapter.dialect, artifactMeta(session, command));
  writeCompiledFiles(session.options.projectDir, manifest);
}
