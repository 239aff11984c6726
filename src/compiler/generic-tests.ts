import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { asStringList, type Config } from '../project/config-merge.js';
import { layeredConfig } from './package-scope.js';
import type { Resolution } from './ref-resolution.js';
import { pathInProject } from '../project/project-content.js';
import type { TestDef } from '../project/schema-yaml.js';
import { testDefinitionChecksum } from './definition.js';
import { didYouMean } from '../util/suggest.js';
import type { ManifestNode, TestNode } from './nodes.js';

const REF_RE = /^\s*ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*$/;
const SOURCE_RE = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/;

/** How refs and sources written in a project's YAML resolve (by the rules of ref-resolution.ts), as unique ids. */
export interface RelationResolvers {
  resolveRef(name: string, only: string | undefined): Resolution<string>;
  resolveSource(source: string, table: string): Resolution<string>;
}

/** Resolves `ref('x')` / `source('a', 'b')` written as text in YAML (relationships' `to`). */
export function resolveRelationText(text: string, resolvers: RelationResolvers, nodes: Map<string, ManifestNode>): { id?: string; candidates: string[]; name: string; ambiguous?: string[] } {
  const pick = (r: Resolution<string>) => ('found' in r ? { id: r.found } : 'ambiguous' in r ? { ambiguous: r.ambiguous } : {});
  const r = REF_RE.exec(text);
  if (r) {
    const name = r[2] ?? r[1];
    const candidates = [...nodes.values()].filter((n) => n.resourceType === 'model' || n.resourceType === 'seed' || n.resourceType === 'snapshot').map((n) => n.name);
    return { ...pick(resolvers.resolveRef(name, r[2] === undefined ? undefined : r[1])), candidates, name };
  }
  const s = SOURCE_RE.exec(text);
  if (s) {
    const candidates = [...nodes.values()].filter((n) => n.resourceType === 'source').map((n) => n.uniqueId.split('.').slice(2).join('.'));
    return { ...pick(resolvers.resolveSource(s[1], s[2])), candidates, name: `${s[1]}.${s[2]}` };
  }
  return { candidates: [], name: text };
}

/**
 * dbt's test names, so selection by name and audit tables carry over:
 * `<namespace_><test>_<target>_<args>`, with the arguments (column_name
 * included, model excluded) in name order, each value flattened and cleaned,
 * joined by `__`; source tests have `source_` before the test's name. Names of 64 characters
 * or more get a short alias (30 characters and an md5) for files and tables.
 */
export function testNames(def: TestDef, kwargs: Record<string, unknown>): { name: string; alias: string } {
  const parts: string[] = [];
  for (const key of Object.keys(kwargs).sort()) {
    if (key === 'model') continue;
    const v = kwargs[key];
    const flat = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.values(v) : [v];
    parts.push(...flat.map((x) => (x === null ? 'None' : x === true ? 'True' : x === false ? 'False' : String(x)).replace(/[^0-9a-zA-Z_]+/g, '_')));
  }
  const a = def.attachedTo;
  // dbt puts a package's name before `source_` (dbt_utils_source_unique_combination_of_columns_…)
  const type = `${def.namespace ? `${def.namespace.replace(/\./g, '_')}_` : ''}${a.kind === 'source' ? 'source_' : ''}${def.testName}`;
  const target = a.kind === 'source' ? `${a.sourceName}_${a.name}` : a.name;
  const full = `${type}_${target}_${parts.join('__')}`;
  if (def.customName) return { name: def.customName, alias: def.customName };
  const alias = full.length >= 64 ? `${`${type}_${target}`.slice(0, 30)}_${createHash('md5').update(full).digest('hex')}` : full;
  return { name: full, alias };
}

/**
 * The generic tests a project's (or package's) properties files declare, as
 * nodes of that project (`test.<pkg>.<name>.<hash>`). Their config: the
 * project's `tests:` folder config, the test's own, then (for a package's
 * tests) the root project's `tests:` config for them.
 */
export function buildGenericTests(opts: RelationResolvers & {
  defs: TestDef[];
  pkg: string;
  /** the project's folder relative to the root project ('' for the root) */
  relDir: string;
  nodes: Map<string, ManifestNode>;
  /** the project's `tests:` folder config for a test's fqn */
  folderConfig: (fqn: string[]) => Config;
  /** the root project's `tests:` folder config for a package's test (undefined for the project's own) */
  rootFolderConfig: (fqn: string[]) => Config | undefined;
  /** a test's arguments or config with their Jinja rendered natively, in the project's scope (see test-arguments.ts) */
  renderJinja: (value: Record<string, unknown>, def: TestDef) => Record<string, unknown> | undefined;
}): { tests: TestNode[]; errors: UserError[] } {
  const tests: TestNode[] = [];
  const errors: UserError[] = [];
  const seen = new Map<string, TestDef>();
  for (const def of opts.defs) {
    const a = def.attachedTo;
    // a test an `overrides:` entry declares is on the package's source
    const attachedId = a.kind === 'source' ? `source.${a.package ?? opts.pkg}.${a.sourceName}.${a.name}` : `${a.kind}.${opts.pkg}.${a.name}`;
    if (!opts.nodes.has(attachedId)) continue; // disabled node, or properties for a missing file (already warned)
    // names and ids come from the arguments as written (as dbt's); the test runs with them rendered
    const written: Record<string, unknown> = { ...def.kwargs };
    if (def.columnName !== undefined) written.column_name = def.columnName;
    const rendered = opts.renderJinja(def.kwargs, def);
    const properties = opts.renderJinja(def.config, def);
    if (!rendered || !properties) continue; // its Jinja failed (already reported)
    const kwargs: Record<string, unknown> = { ...rendered };
    if (def.columnName !== undefined) kwargs.column_name = def.columnName;
    const deps = [attachedId];
    if (def.testName === 'relationships' && !def.namespace) {
      const to = kwargs.to;
      if (typeof to !== 'string') {
        errors.push(new UserError(`relationships test needs 'to: ref(\\'model\\')'`, { file: def.file, line: def.line }));
        continue;
      }
      const r = resolveRelationText(to, opts, opts.nodes);
      if (!r.id) {
        const hint = r.ambiguous ? `it is defined in ${r.ambiguous.map((id) => id.split('.')[1]).join(' and ')}: write ref('${r.ambiguous[0].split('.')[1]}', '${r.name}')` : didYouMean(r.name, r.candidates);
        errors.push(new UserError(`relationships test: 'to: ${to}' ${r.ambiguous ? 'is ambiguous' : 'does not resolve to a model, seed or source'}`, { file: def.file, line: def.line }, { hint }));
        continue;
      }
      deps.push(r.id);
    }
    if (def.testName === 'accepted_values' && !def.namespace) {
      const values = kwargs.values;
      const column = def.columnName ? ` on column '${def.columnName}'` : '';
      if (values === undefined || values === null) {
        errors.push(new UserError(`accepted_values test${column} needs 'values:', the list of accepted values`, { file: def.file, line: def.line }, { hint: "e.g. accepted_values: {values: ['placed', 'shipped']}" }));
        continue;
      }
      if (!Array.isArray(values) || values.length === 0) {
        errors.push(new UserError(`accepted_values test${column}: 'values' must be a non-empty list, not ${JSON.stringify(values)}`, { file: def.file, line: def.line }, { hint: "e.g. values: ['placed', 'shipped']" }));
        continue;
      }
      if (values.some((v) => v !== null && typeof v === 'object')) {
        errors.push(new UserError(`accepted_values test${column}: every value must be a string, number or boolean, not ${JSON.stringify(values.find((v) => v !== null && typeof v === 'object'))}`, { file: def.file, line: def.line }));
        continue;
      }
    }
    // a column with `quote: true` is named in the test quoted, as dbt does (the SQL quotes it for the engine: compiler.ts)
    const quoted = def.columnName !== undefined && opts.nodes.get(attachedId)?.columns[def.columnName]?.quote === true;
    const { name, alias } = testNames(def, quoted ? { ...written, column_name: `"${def.columnName}"` } : written);
    const dir = pathInProject(def.file, opts.relDir).split('/').slice(1, -1);
    const fqn = [opts.pkg, ...dir, name];
    const config = layeredConfig({ defaults: { materialized: 'test', severity: 'error' }, folder: opts.folderConfig(fqn), properties, root: opts.rootFolderConfig(fqn) });
    if (config.enabled === false) continue;
    const hash = createHash('md5').update(JSON.stringify([def.namespace, def.testName, attachedId, written])).digest('hex').slice(0, 10);
    const uniqueId = `test.${opts.pkg}.${name}.${hash}`;
    const prev = seen.get(uniqueId);
    if (prev) {
      errors.push(new UserError(`test '${def.testName}' is declared twice on the same ${a.kind}${def.columnName ? ` column '${def.columnName}'` : ''} (also at ${prev.file}:${prev.line ?? '?'})`, { file: def.file, line: def.line }, { hint: 'remove one, or give one a distinct name:' }));
      continue;
    }
    seen.set(uniqueId, def);
    tests.push({
      uniqueId,
      name,
      resourceType: 'test',
      packageName: opts.pkg,
      ...(opts.relDir ? { packageDir: opts.relDir } : {}),
      fqn,
      originalFilePath: def.file,
      path: def.file,
      description: '',
      config,
      tags: asStringList(config.tags),
      columns: {},
      dependsOn: { nodes: deps, macros: [] },
      checksum: testDefinitionChecksum(def),
      unrenderedConfig: config,
      testType: 'generic',
      testMetadata: { name: def.testName, namespace: def.namespace, kwargs },
      alias,
      attachedNode: attachedId,
      columnName: def.columnName,
      line: def.line,
    });
  }
  return { tests, errors };
}
