/**
 * `--state DIR`: production's artifacts (manifest.json, and when present
 * run_results.json and sources.json), read before anything runs. Every problem
 * is one user error naming the folder or file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

/** A node of the state manifest, as tsql writes it (only the fields state comparison reads). */
export interface StateNode {
  unique_id: string;
  resource_type: string;
  checksum?: { checksum: string } | null;
  unrendered_config?: Record<string, unknown>;
  config?: Record<string, unknown>;
  columns?: Record<string, { dataType?: string; data_type?: string }>;
  depends_on?: { nodes?: string[]; macros?: string[] };
  database?: string | null;
  schema?: string;
  alias?: string;
  materialized?: string;
  relation_name?: string | null;
}

export interface StateArtifacts {
  /** as given on the command line (for messages) */
  label: string;
  dir: string;
  /** nodes and sources together, by unique id */
  nodes: Map<string, StateNode>;
  /** macro unique id → checksum */
  macros: Map<string, string>;
  /** run_results.json: unique id → status; undefined when the folder has none */
  results?: Map<string, string>;
  /** sources.json: unique id → max_loaded_at; undefined when the folder has none */
  freshness?: Map<string, FreshnessResult>;
}

export interface FreshnessResult {
  status: string;
  maxLoadedAt: string | null;
}

/** Reads `--state DIR` (relative to the current directory). */
export function loadState(dirArg: string, cwd: string = process.cwd()): StateArtifacts {
  const dir = isAbsolute(dirArg) ? dirArg : resolve(cwd, dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`--state ${dirArg}: no such folder (looked in ${dir})`, {}, { hint: "pass the folder holding production's manifest.json, e.g. a copy of its target/" });
  }
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new UserError(`--state ${dirArg}: there is no manifest.json in ${dir}`, {}, { hint: "copy production's target/manifest.json there (tsql compile, run or build writes it)" });
  }
  const manifest = readJson(manifestFile, dirArg) as { metadata?: Record<string, unknown>; nodes?: Record<string, StateNode>; sources?: Record<string, StateNode>; macros?: Record<string, { checksum?: string }> };
  if (!manifest || typeof manifest !== 'object' || typeof manifest.nodes !== 'object' || manifest.nodes === null) {
    throw new UserError(`${join(dirArg, 'manifest.json')}: not a tsql manifest (no nodes)`);
  }
  if (manifest.metadata?.tsql_state_fields === undefined) {
    throw new UserError(`${join(dirArg, 'manifest.json')}: written by a tsql without state comparison (no unrendered_config or macro checksums)`, {}, { hint: 'write it again on production with this tsql: tsql compile' });
  }
  const nodes = new Map<string, StateNode>();
  for (const n of [...Object.values(manifest.nodes), ...Object.values(manifest.sources ?? {})]) nodes.set(n.unique_id, n);
  const macros = new Map<string, string>();
  for (const [id, m] of Object.entries(manifest.macros ?? {})) macros.set(id, m.checksum ?? '');

  let results: StateArtifacts['results'];
  const runResultsFile = join(dir, 'run_results.json');
  if (existsSync(runResultsFile)) {
    const rr = readJson(runResultsFile, dirArg) as { results?: Array<{ unique_id: string; status: string }> };
    results = new Map((rr.results ?? []).map((r) => [r.unique_id, r.status]));
  }
  const sourcesFile = join(dir, 'sources.json');
  const freshness = existsSync(sourcesFile) ? readFreshness(sourcesFile, dirArg) : undefined;
  return { label: dirArg, dir, nodes, macros, results, freshness };
}

/** sources.json's results: unique id → status and newest row. */
export function readFreshness(file: string, label: string): Map<string, FreshnessResult> {
  const doc = readJson(file, label) as { results?: Array<{ unique_id: string; status: string; max_loaded_at: string | null }> };
  return new Map((doc.results ?? []).map((r) => [r.unique_id, { status: r.status, maxLoadedAt: r.max_loaded_at ?? null }]));
}

function readJson(file: string, label: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const name = file.slice(file.lastIndexOf('/') + 1);
    throw new UserError(`${join(label, name)}: not valid JSON (${String((e as Error).message).split('\n')[0]})`);
  }
}
