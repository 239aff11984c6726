import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allNodes, type ManifestJson, type ManifestJsonGroup, type ManifestJsonNode, type RunResultJson } from './artifacts.js';
import type { CatalogJson, CatalogJsonEntry } from './catalog.js';
import type { ProjectLineage } from './lineage/project-lineage.js';
import { renderMarkdown } from './markdown.js';

/** What the docs site shows (written to tsql-docs-data.js): the manifest's nodes with catalog, lineage and last run. */
export interface SiteData {
  project: {
    name: string;
    adapter: string;
    generatedAt: string;
    overviewHtml: string;
    run?: { command?: string; generatedAt?: string };
  };
  nodes: SiteNode[];
  macros: SiteMacro[];
}

export interface SiteColumn {
  name: string;
  type?: string;
  descriptionHtml: string;
  tests: Array<{ id: string; name: string; status?: string }>;
}

export interface SiteNode {
  id: string;
  type: string;
  name: string;
  /** what the sidebar and graph show: `source.table` for sources */
  label: string;
  package: string;
  path: string;
  /** folders (models, seeds …) or the source name, for the sidebar tree */
  group: string[];
  descriptionHtml: string;
  /** plain text of the description, for search */
  descriptionText: string;
  materialized?: string;
  relation?: string;
  tags: string[];
  config: Record<string, unknown>;
  rawCode?: string;
  compiledCode?: string;
  columns: SiteColumn[];
  parents: string[];
  children: string[];
  tests: Array<{ id: string; name: string; column?: string; status?: string }>;
  catalog?: { type: string; owner?: string; comment?: string; stats: Array<{ label: string; value: string | number | boolean | null; description: string }> };
  run?: { status: string; message?: string; seconds?: number; rows?: number; completedAt?: string };
  lineage?: ProjectLineage['nodes'][string];
  exposure?: { type?: string; owner?: Record<string, unknown>; url?: string; maturity?: string; label?: string };
  /** the `groups:` entry the node is in (a model's access is checked against it) */
  accessGroup?: { name: string; owner: Record<string, unknown>; description?: string; access?: string };
  source?: { sourceName?: string; loader?: string; sourceDescriptionHtml: string; external?: Record<string, unknown> };
  test?: { attachedNode?: string; column?: string; testName?: string; kwargs?: Record<string, unknown> };
}

export interface SiteMacro {
  id: string;
  name: string;
  package: string;
  path: string;
  sql?: string;
  dependsOn: string[];
  usedBy: string[];
  /** from the macro's properties (`macros:` in a properties file) */
  descriptionHtml: string;
  arguments: Array<{ name: string; type?: string; descriptionHtml: string }>;
  /** `docs: {show: false}`: left out of the sidebar (its page stays reachable) */
  hidden: boolean;
}

const SITE_TYPES = new Set(['model', 'seed', 'source', 'snapshot', 'exposure', 'analysis', 'test', 'unit_test']);

export function buildSiteData(input: {
  manifest: ManifestJson;
  catalog: CatalogJson | undefined;
  lineage: ProjectLineage;
  runResults: { results: Map<string, RunResultJson>; generatedAt?: string; command?: string };
  projectDir: string;
  generatedAt: string;
}): SiteData {
  const { manifest, catalog, lineage, runResults } = input;
  const nodes = allNodes(manifest);
  const graphIds = new Set(Object.keys(lineage.nodes));
  const entryOf = (id: string): CatalogJsonEntry | undefined => catalog?.nodes[id] ?? catalog?.sources[id];

  // tests by the node (and column) they test
  const testsOf = new Map<string, SiteNode['tests']>();
  for (const n of nodes.values()) {
    if (n.resource_type !== 'test' && n.resource_type !== 'unit_test') continue;
    const targets = n.resource_type === 'unit_test' ? [n.model ?? ''] : n.attached_node ? [n.attached_node] : (n.depends_on.nodes ?? []);
    for (const t of targets) {
      const list = testsOf.get(t) ?? [];
      list.push({ id: n.unique_id, name: testLabel(n), column: n.column_name ?? undefined, status: runResults.results.get(n.unique_id)?.status });
      testsOf.set(t, list);
    }
  }

  const out: SiteNode[] = [];
  for (const n of nodes.values()) {
    if (!SITE_TYPES.has(n.resource_type)) continue;
    const entry = entryOf(n.unique_id);
    const tests = testsOf.get(n.unique_id) ?? [];
    const run = runResults.results.get(n.unique_id);
    const site: SiteNode = {
      id: n.unique_id,
      type: n.resource_type,
      name: n.name,
      label: n.resource_type === 'source' ? `${n.source_name}.${n.name}` : n.resource_type === 'test' || n.resource_type === 'unit_test' ? testLabel(n) : n.name,
      package: n.package_name,
      path: n.original_file_path,
      group: folderOf(n),
      descriptionHtml: renderMarkdown(n.description ?? ''),
      descriptionText: (n.description ?? '').slice(0, 2000),
      materialized: n.resource_type === 'model' ? n.materialized : undefined,
      relation: n.relation_name ?? undefined,
      tags: n.tags ?? [],
      config: n.config ?? {},
      rawCode: n.raw_code ?? undefined,
      compiledCode: n.compiled_code ?? undefined,
      columns: columnsOf(n, entry, lineage, tests),
      parents: (manifest.parent_map[n.unique_id] ?? []).filter((p) => graphIds.has(p) || n.resource_type === 'test' || n.resource_type === 'unit_test'),
      children: (manifest.child_map[n.unique_id] ?? []).filter((c) => graphIds.has(c)),
      tests,
      catalog: entry
        ? {
            type: entry.metadata.type,
            owner: entry.metadata.owner ?? undefined,
            comment: entry.metadata.comment ?? undefined,
            stats: Object.values(entry.stats).filter((s) => s.include).map((s) => ({ label: s.label, value: s.value, description: s.description })),
          }
        : undefined,
      run: run ? { status: run.status, message: run.message ?? undefined, seconds: run.execution_time, rows: run.rows_affected ?? undefined, completedAt: run.timing?.at(-1)?.completed_at } : undefined,
      lineage: lineage.nodes[n.unique_id],
    };
    if (n.resource_type === 'exposure') site.exposure = { type: n.type, owner: n.owner, url: n.url ?? undefined, maturity: n.maturity ?? undefined, label: n.label ?? undefined };
    const group = groupOf(manifest, n);
    if (group) site.accessGroup = { name: group.name, owner: group.owner, description: group.description ?? undefined, access: n.resource_type === 'model' ? (n.access ?? String(n.config?.access ?? 'protected')) : undefined };
    if (n.resource_type === 'source') site.source = { sourceName: n.source_name, loader: n.loader ?? undefined, sourceDescriptionHtml: renderMarkdown(n.source_description ?? ''), external: n.external ?? undefined };
    if (n.resource_type === 'test') site.test = { attachedNode: n.attached_node ?? undefined, column: n.column_name ?? undefined, testName: n.test_metadata?.name, kwargs: n.test_metadata?.kwargs };
    out.push(site);
  }

  const usedBy = new Map<string, string[]>();
  for (const n of nodes.values()) for (const m of n.depends_on?.macros ?? []) usedBy.set(m, [...(usedBy.get(m) ?? []), n.unique_id]);
  for (const [id, m] of Object.entries(manifest.macros)) for (const d of m.depends_on?.macros ?? []) usedBy.set(d, [...(usedBy.get(d) ?? []), id]);
  const fileText = new Map<string, string | undefined>();
  const macros: SiteMacro[] = Object.entries(manifest.macros).map(([id, m]) => {
    if (m.package_name === manifest.metadata.project_name && !fileText.has(m.original_file_path)) {
      const file = join(input.projectDir, m.original_file_path);
      fileText.set(m.original_file_path, existsSync(file) ? readFileSync(file, 'utf8') : undefined);
    }
    const text = fileText.get(m.original_file_path);
    return {
      id,
      name: m.name,
      package: m.package_name,
      path: m.original_file_path,
      sql: m.macro_sql ?? (text ? macroText(text, m.name) : undefined),
      dependsOn: m.depends_on?.macros ?? [],
      usedBy: usedBy.get(id) ?? [],
      descriptionHtml: m.description ? renderMarkdown(m.description) : '',
      arguments: (m.arguments ?? []).map((a) => ({ name: a.name, type: a.type ?? undefined, descriptionHtml: a.description ? renderMarkdown(a.description) : '' })),
      hidden: m.docs?.show === false,
    };
  });

  const overviews = Object.values(manifest.docs ?? {}).filter((d) => d.name === '__overview__');
  const overview = overviews.find((d) => d.package_name === manifest.metadata.project_name) ?? overviews[0];
  return {
    project: {
      name: String(manifest.metadata.project_name ?? ''),
      adapter: String(manifest.metadata.adapter_type ?? ''),
      generatedAt: input.generatedAt,
      overviewHtml: overview ? renderMarkdown(overview.block_contents) : '',
      run: runResults.generatedAt ? { command: runResults.command, generatedAt: runResults.generatedAt } : undefined,
    },
    nodes: out,
    macros,
  };
}

function testLabel(n: ManifestJsonNode): string {
  if (n.resource_type === 'unit_test') return n.name;
  const meta = n.test_metadata;
  if (!meta) return n.name;
  return n.column_name ? `${meta.name} (${n.column_name})` : meta.name;
}

/** The node's `groups:` entry, from its own package. */
function groupOf(manifest: ManifestJson, n: ManifestJsonNode): ManifestJsonGroup | undefined {
  const name = n.group ?? n.config?.group;
  return name === undefined || name === null ? undefined : manifest.groups?.[`group.${n.package_name}.${String(name)}`];
}

function folderOf(n: ManifestJsonNode): string[] {
  if (n.resource_type === 'source') return [n.source_name ?? ''];
  // fqn: [package, folders…, name]
  return n.fqn.slice(1, -1);
}

/** The columns to show: the warehouse's (with types) in order, then documented ones it lacks, then lineage's. */
function columnsOf(n: ManifestJsonNode, entry: CatalogJsonEntry | undefined, lineage: ProjectLineage, tests: SiteNode['tests']): SiteColumn[] {
  const documented = new Map(Object.values(n.columns ?? {}).map((c) => [c.name.toLowerCase(), c]));
  const out = new Map<string, SiteColumn>();
  const add = (name: string, type?: string) => {
    const key = name.toLowerCase();
    if (out.has(key)) return;
    const doc = documented.get(key);
    out.set(key, {
      name,
      type: type ?? doc?.dataType,
      descriptionHtml: renderMarkdown(doc?.description ?? ''),
      tests: tests.filter((t) => t.column?.toLowerCase() === key).map((t) => ({ id: t.id, name: t.name.replace(/ \(.*\)$/, ''), status: t.status })),
    });
  };
  for (const c of Object.values(entry?.columns ?? {}).sort((a, b) => a.index - b.index)) add(c.name, c.type);
  for (const c of lineage.nodes[n.unique_id]?.columns ?? []) add(c.name);
  for (const c of Object.values(n.columns ?? {})) add(c.name);
  return [...out.values()];
}

/** A macro's `{% macro name(…) %} … {% endmacro %}` text in its file. */
function macroText(text: string, name: string): string | undefined {
  const open = new RegExp(`\\{%-?\\s*macro\\s+${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\(`);
  const m = open.exec(text);
  if (!m) return undefined;
  const end = /\{%-?\s*endmacro\s*-?%\}/g;
  end.lastIndex = m.index;
  const e = end.exec(text);
  return e ? text.slice(m.index, e.index + e[0].length) : undefined;
}
