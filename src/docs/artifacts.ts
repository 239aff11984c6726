import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/**
 * The docs are built from the artifacts, as dbt's are: target/manifest.json
 * (what `compile` writes), the catalog read from the warehouse, and the last
 * run_results.json. These are the fields the docs read.
 */
export interface ManifestJsonColumn {
  name: string;
  description?: string;
  dataType?: string;
  meta?: Record<string, unknown>;
  tags?: string[];
}

export interface ManifestJsonNode {
  unique_id: string;
  resource_type: string;
  name: string;
  package_name: string;
  fqn: string[];
  original_file_path: string;
  path: string;
  description: string;
  config: Record<string, unknown>;
  tags: string[];
  columns: Record<string, ManifestJsonColumn>;
  depends_on: { nodes?: string[]; macros?: string[] };
  patch_path?: string | null;
  database?: string | null;
  schema?: string;
  alias?: string;
  identifier?: string;
  relation_name?: string | null;
  materialized?: string;
  raw_code?: string | null;
  compiled_code?: string | null;
  compiled_path?: string | null;
  source_name?: string;
  source_description?: string;
  external?: Record<string, unknown> | null;
  loader?: string | null;
  meta?: Record<string, unknown>;
  test_metadata?: { name: string; namespace?: string; kwargs: Record<string, unknown> } | null;
  attached_node?: string | null;
  column_name?: string | null;
  test_type?: string;
  type?: string;
  owner?: Record<string, unknown>;
  url?: string | null;
  maturity?: string | null;
  label?: string | null;
  model?: string;
  /** models, seeds, snapshots, tests, analyses: the group it is in */
  group?: string | null;
  access?: string;
}

/** A `groups:` entry, under manifest.json's `groups`. */
export interface ManifestJsonGroup {
  name: string;
  package_name: string;
  owner: Record<string, unknown>;
  description?: string | null;
  config?: { meta?: Record<string, unknown> };
}

export interface ManifestJsonMacro {
  name: string;
  original_file_path: string;
  package_name: string;
  macro_sql?: string;
  description?: string;
  arguments?: Array<{ name: string; type?: string | null; description?: string }>;
  docs?: { show?: boolean };
  depends_on: { macros: string[] };
}

export interface ManifestJsonDoc {
  name: string;
  package_name: string;
  original_file_path: string;
  block_contents: string;
}

export interface ManifestJson {
  metadata: Record<string, unknown> & { project_name?: string; adapter_type?: string };
  nodes: Record<string, ManifestJsonNode>;
  sources: Record<string, ManifestJsonNode>;
  exposures: Record<string, ManifestJsonNode>;
  macros: Record<string, ManifestJsonMacro>;
  docs?: Record<string, ManifestJsonDoc>;
  groups?: Record<string, ManifestJsonGroup>;
  parent_map: Record<string, string[]>;
  child_map: Record<string, string[]>;
}

export interface RunResultJson {
  unique_id: string;
  status: string;
  message?: string | null;
  execution_time?: number;
  rows_affected?: number | null;
  failures?: number | null;
  timing?: Array<{ completed_at?: string }>;
}

/** Every node of the manifest (models, seeds, tests, sources, exposures …), by unique id. */
export function allNodes(m: ManifestJson): Map<string, ManifestJsonNode> {
  return new Map([...Object.entries(m.nodes), ...Object.entries(m.sources), ...Object.entries(m.exposures)]);
}

/** The manifest a previous compile wrote (`docs generate --no-compile`). */
export function readManifestJson(targetDir: string, targetPath: string): ManifestJson {
  const file = join(targetDir, 'manifest.json');
  if (!existsSync(file)) throw new UserError(`--no-compile reads ${targetPath}/manifest.json, which is not there`, {}, { hint: 'run tsql compile (or tsql parse) first, or leave out --no-compile' });
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ManifestJson;
  } catch (e) {
    throw new UserError(`${targetPath}/manifest.json is not valid JSON: ${(e as Error).message}`, {}, { hint: 'run tsql compile again' });
  }
}

/** The results of the last run, by unique id; none when there was no run (or the file is unreadable). */
export function readRunResults(targetDir: string): { results: Map<string, RunResultJson>; generatedAt?: string; command?: string } {
  const file = join(targetDir, 'run_results.json');
  if (!existsSync(file)) return { results: new Map() };
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as { metadata?: { generated_at?: string; command?: string }; results?: RunResultJson[] };
    return { results: new Map((j.results ?? []).map((r) => [r.unique_id, r])), generatedAt: j.metadata?.generated_at, command: j.metadata?.command };
  } catch {
    return { results: new Map() };
  }
}
