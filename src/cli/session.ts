import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Adapter, RelationKind } from '../adapters/types.js';
import { adapterFactory } from '../adapters/registry.js';
import { Compiler, relationKey, type CompileResult } from '../compiler/compiler.js';
import { loadProject, type LoadedProject } from '../project/load.js';
import { resolveTarget, type ResolvedTarget } from '../project/profiles.js';
import type { ParsedOptions } from './options.js';

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
  };
}
