import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { scrubSecrets } from '../util/secrets.js';
import { isInterrupted } from '../util/interrupt-state.js';
import { dirname, join } from 'node:path';
import type { Dialect } from '../adapters/types.js';
import type { Manifest } from '../compiler/compiler.js';
import { pathInPackage, type ManifestNode } from '../compiler/nodes.js';
import type { NodeResult } from '../execution/run-plan.js';
import { TSQL_VERSION } from '../version.js';
import { MacroIndex, macroPackage } from '../compiler/macro-deps.js';
import { groupMap, groupsJson, nodeGroup } from './groups-json.js';

/** Version of the artifact formats; bump when a field changes meaning. */
export const TSQL_SCHEMA_VERSION = 1;

export interface ArtifactMeta {
  invocationId: string;
  generatedAt: Date;
  adapterType: string;
  targetName: string;
  command: string;
}

/** The `metadata` block every artifact starts with. */
export function metadata(meta: ArtifactMeta, kind: string) {
  return {
    tsql_schema_version: TSQL_SCHEMA_VERSION,
    artifact: kind,
    tsql_version: TSQL_VERSION,
    generated_at: meta.generatedAt.toISOString(),
    invocation_id: meta.invocationId,
    adapter_type: meta.adapterType,
    target_name: meta.targetName,
    command: meta.command,
  };
}

/** One node as manifest.json holds it (`tsql ls --output json` prints a choice of its keys). */
export function nodeJson(n: ManifestNode, dialect: Dialect): Record<string, unknown> {
  const base: Record<string, unknown> = {
    unique_id: n.uniqueId,
    resource_type: n.resourceType,
    name: n.name,
    package_name: n.packageName,
    fqn: n.fqn,
    // as dbt writes it: relative to the project or package the node belongs to
    original_file_path: pathInPackage(n),
    path: n.path,
    description: n.description,
    config: n.config,
    unrendered_config: n.unrenderedConfig,
    tags: n.tags,
    columns: n.columns,
    depends_on: n.dependsOn,
    patch_path: n.patchPath ? pathInPackage({ originalFilePath: n.patchPath, packageDir: n.packageDir }) : null,
    checksum: n.checksum ? { name: 'sha256', checksum: n.checksum } : null,
  };
  const group = nodeGroup(n);
  if (group !== undefined) base.group = group;
  switch (n.resourceType) {
    case 'model':
    case 'snapshot':
      Object.assign(base, {
        database: n.relation.database ?? null,
        schema: n.relation.schema,
        alias: n.relation.identifier,
        relation_name: n.materialized === 'ephemeral' || n.materialized === 'unload' ? null : dialect.renderRelation(n.relation),
        materialized: n.materialized,
        raw_code: n.rawCode,
        compiled_code: n.compiledCode,
        compiled_path: n.compiledPath,
        pre_hook: n.preHooks,
        post_hook: n.postHooks,
        render_at_run_time: n.renderAtRunTime ?? [],
        ...(n.resourceType === 'model' ? { deprecation_date: n.deprecation?.date ?? null, access: n.config.access ?? 'protected' } : {}),
      });
      break;
    case 'seed':
      Object.assign(base, { database: n.relation.database ?? null, schema: n.relation.schema, alias: n.relation.identifier, relation_name: dialect.renderRelation(n.relation) });
      break;
    case 'source':
      Object.assign(base, {
        source_name: n.sourceName,
        identifier: n.identifier,
        database: n.relation.database ?? null,
        schema: n.relation.schema,
        relation_name: dialect.renderRelation(n.relation),
        loaded_at_field: n.loadedAtField ?? null,
        loaded_at_query: n.loadedAtQuery ?? null,
        freshness: n.freshness ?? null,
        external: n.external ?? null,
        source_description: n.sourceDescription,
        loader: n.loader ?? null,
        meta: n.meta,
      });
      break;
    case 'unit_test':
      Object.assign(base, {
        model: n.model,
        given: n.given.map((g) => ({ input: g.input, rows: g.rows })),
        expect: n.expect,
        compiled_code: n.compiledCode,
        compiled_path: n.compiledPath,
      });
      break;
    case 'analysis':
      Object.assign(base, { raw_code: n.rawCode, compiled_code: n.compiledCode, compiled_path: n.compiledPath });
      break;
    case 'exposure':
      Object.assign(base, { type: n.exposureType, owner: n.owner, url: n.url ?? null, maturity: n.maturity ?? null, label: n.label ?? null, meta: n.meta });
      break;
    case 'test':
      Object.assign(base, {
        // dbt's alias of a test: its name, or the short name of a generic test whose name is too long for a table
        alias: n.alias ?? n.name,
        test_type: n.testType,
        test_metadata: n.testMetadata ?? null,
        attached_node: n.attachedNode ?? null,
        column_name: n.columnName ?? null,
        raw_code: n.rawCode ?? null,
        compiled_code: n.compiledCode ?? null,
        compiled_path: n.compiledPath ?? null,
        render_at_run_time: n.renderAtRunTime ?? [],
      });
      break;
  }
  return base;
}

/** `indent`: one space per level, for the small files people read; the manifest is compact, as dbt writes it. */
function writeJson(file: string, value: unknown, indent?: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, scrubSecrets(JSON.stringify(value, null, indent)));
}

/** A `{% docs %}` block as manifest.json's `docs` holds it. */
export interface ManifestDoc {
  name: string;
  packageName: string;
  contents: string;
  file: string;
}

/**
 * manifest.json without its `metadata` (what one invocation writes differently from the next):
 * the text between the braces after `"metadata":{…},`, secrets masked. The compile cache keeps
 * it (compiler/compile-cache.ts), so an unchanged project's manifest is not built again.
 */
export function manifestBody(manifest: Manifest, dialect: Dialect, docs: ManifestDoc[] = []): string {
  const nodes: Record<string, unknown> = {};
  const sources: Record<string, unknown> = {};
  const exposures: Record<string, unknown> = {};
  for (const n of manifest.nodes.values()) {
    if (n.resourceType === 'source') sources[n.uniqueId] = nodeJson(n, dialect);
    else if (n.resourceType === 'exposure') exposures[n.uniqueId] = nodeJson(n, dialect);
    else nodes[n.uniqueId] = nodeJson(n, dialect);
  }
  const macros: Record<string, unknown> = {};
  const index = new MacroIndex(manifest.macros, manifest.projectName);
  for (const m of manifest.macros) {
    macros[index.id(m)] = {
      name: m.name,
      original_file_path: m.file,
      package_name: macroPackage(m, manifest.projectName),
      checksum: m.checksum,
      depends_on: { macros: m.calls.map((c) => index.resolve(c, m.pkg)).filter((x) => x !== undefined).map((x) => index.id(x)) },
      // dbt's macro properties (a `macros:` entry of a properties file)
      description: m.properties?.description ?? '',
      arguments: (m.properties?.arguments ?? []).map((a) => ({ name: a.name, type: a.type ?? null, description: a.description })),
      docs: { show: m.properties?.docs?.show ?? true },
      meta: m.properties?.meta ?? {},
      patch_path: m.properties ? m.properties.file : null,
    };
  }
  // --defer: each node whose refs read production's relation, with that relation (dbt's defer_relation).
  for (const [id, rel] of manifest.deferred) {
    const n = nodes[id] as Record<string, unknown> | undefined;
    if (n) n.defer_relation = { database: rel.database ?? null, schema: rel.schema, alias: rel.identifier, relation_name: dialect.renderRelation(rel) };
  }
  const toObj = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));
  const text = JSON.stringify({
    nodes,
    sources,
    macros,
    exposures,
    groups: groupsJson(manifest.groups),
    group_map: groupMap(manifest.groups, manifest.nodes.values()),
    docs: Object.fromEntries(docs.map((d) => [`doc.${d.packageName}.${d.name}`, { name: d.name, package_name: d.packageName, original_file_path: d.file, block_contents: d.contents }])),
    parent_map: toObj(manifest.parents),
    child_map: toObj(manifest.children),
    disabled: manifest.disabled,
    deferred: Object.fromEntries([...manifest.deferred].map(([id, rel]) => [id, dialect.renderRelation(rel)])),
  });
  return scrubSecrets(text.slice(1, -1));
}

/** target/manifest.json: this invocation's metadata, then `body` (see manifestBody). */
export function writeManifest(targetDir: string, manifest: Pick<Manifest, 'projectName'>, meta: ArtifactMeta, body: string): void {
  const file = join(targetDir, 'manifest.json');
  mkdirSync(dirname(file), { recursive: true });
  // tsql_state_fields: this manifest can be compared against with --state (unrendered_config, checksums, macro checksums).
  const md = scrubSecrets(JSON.stringify({ ...metadata(meta, 'manifest'), project_name: manifest.projectName, tsql_state_fields: 1 }));
  writeFileSync(file, `{"metadata":${md},${body}}`);
}

/**
 * target/compiled/<project>/<path>.sql for every model and test (paths are relative to the
 * project). A file whose content is unchanged is not rewritten. New and changed files are
 * written in slices between turns of the event loop (the returned promise settles when all
 * are written), so Ctrl-C and a run's first nodes do not wait for thousands of them.
 */
export function writeCompiledFiles(projectDir: string, manifest: Manifest): Promise<void> {
  const made = new Set<string>();
  /** folders created just now: nothing in them to compare with */
  const fresh = new Set<string>();
  const pending: Array<[string, string]> = [];
  for (const n of manifest.nodes.values()) {
    if (n.resourceType !== 'model' && n.resourceType !== 'snapshot' && n.resourceType !== 'test' && n.resourceType !== 'unit_test' && n.resourceType !== 'analysis') continue;
    if (n.compiledCode === undefined || !n.compiledPath) continue;
    const file = join(projectDir, n.compiledPath);
    const dir = dirname(file);
    if (!made.has(dir)) {
      made.add(dir);
      if (mkdirSync(dir, { recursive: true }) !== undefined) fresh.add(dir);
    }
    const text = scrubSecrets(n.compiledCode + '\n');
    if (!fresh.has(dir) && unchanged(file, text)) continue;
    pending.push([file, text]);
  }
  return writeInSlices(pending);
}

/**
 * Files written per turn of the event loop. Synchronous writes, one file open at a time: on
 * the disks measured (bench/README.md) they cost half the CPU of asynchronous ones through
 * libuv's thread pool and were never slower, and they cannot run out of file descriptors
 * (EMFILE), which all of a 20,000-model project's writes at once did.
 */
const FILES_PER_SLICE = 200;

/** After Ctrl-C the rest are not written: they are derived files, and the next compile writes them. */
async function writeInSlices(files: Array<[string, string]>): Promise<void> {
  for (let i = 0; i < files.length; i += FILES_PER_SLICE) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (isInterrupted()) return;
    for (const [file, text] of files.slice(i, i + FILES_PER_SLICE)) writeFileSync(file, text);
  }
}

/** Rewriting an unchanged file costs far more than reading it on many filesystems. */
function unchanged(file: string, text: string): boolean {
  try {
    return readFileSync(file, 'utf8') === text;
  } catch {
    return false; // not there yet
  }
}

function windowJson(w: { start: Date; end: Date }): [string, string] {
  return [w.start.toISOString(), w.end.toISOString()];
}

export function writeRunResults(targetDir: string, results: NodeResult[], meta: ArtifactMeta, elapsed: number, args: Record<string, unknown>): void {
  writeJson(join(targetDir, 'run_results.json'), {
    metadata: metadata(meta, 'run_results'),
    elapsed_time: elapsed,
    args,
    results: results.map((r) => ({
      unique_id: r.uniqueId,
      status: r.status,
      message: r.message,
      timing: r.startedAt ? [{ name: 'execute', started_at: r.startedAt, completed_at: r.completedAt }] : [],
      execution_time: r.executionTime,
      rows_affected: r.rowsAffected ?? null,
      adapter_response: r.rowsAffected !== undefined ? { rows_affected: r.rowsAffected } : {},
      relation_name: r.relationName ?? null,
      location: r.location ?? null,
      failures: r.failures ?? null,
      compiled_path: r.compiledPath ?? null,
      // dbt's: [start, end] of each batch, in the model's table or not
      batch_results: r.batchResults ? { successful: r.batchResults.successful.map(windowJson), failed: r.batchResults.failed.map(windowJson) } : null,
    })),
  }, 1);
}
