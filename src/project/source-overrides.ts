import { UserError, type ErrorCollector } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { mergeConfig } from './config-merge.js';
import type { ProjectContent } from './project-content.js';
import type { SourceOverride, SourceTableDef } from './schema-yaml.js';

/**
 * dbt's `overrides:` on a source (deprecated in dbt 1.10, still widely used):
 * the project's entry for a package's source replaces the properties it
 * writes (database, schema, loader, description, loaded_at_field, freshness,
 * quoting; meta, tags and config are extended), for every table of that
 * source, and per table it lists, that table's (identifier, description,
 * columns …). Tests it declares are added to the package's tables. A package
 * that is not installed, a source or table the package does not have, is an
 * error naming the line.
 */
export function applySourceOverrides(overrides: SourceOverride[], packages: ProjectContent[], errors: ErrorCollector): void {
  for (const o of overrides) {
    const place = { file: o.file, line: o.line };
    const pkg = packages.find((p) => p.name === o.package);
    if (!pkg) {
      errors.add(new UserError(`source '${o.sourceName}' overrides package '${o.package}', which is not installed`, place, { hint: didYouMean(o.package, packages.map((p) => p.name)) ?? 'add it to packages.yml and run tsql deps' }));
      continue;
    }
    const tables = pkg.sources.filter((s) => s.sourceName === o.sourceName);
    if (!tables.length) {
      errors.add(new UserError(`source '${o.sourceName}' overrides package '${o.package}', which has no source of that name`, place, { hint: didYouMean(o.sourceName, [...new Set(pkg.sources.map((s) => s.sourceName))]) }));
      continue;
    }
    for (const t of o.tables) {
      if (!tables.some((x) => x.name === t.name)) errors.add(new UserError(`source table '${o.sourceName}.${t.name}' is not in package '${o.package}'`, { file: o.file, line: t.line }, { hint: didYouMean(t.name, tables.map((x) => x.name)) }));
    }
    pkg.sources = pkg.sources.map((def) => (def.sourceName === o.sourceName ? overridden(def, o) : def));
  }
}

function overridden(def: SourceTableDef, o: SourceOverride): SourceTableDef {
  const table = o.tables.find((x) => x.name === def.name)?.props;
  const out = patched(def, o.source);
  return table ? patched(out, table) : out;
}

/** `props` written over `def`: replaced, but quoting, meta, tags, config and columns extended. */
function patched(def: SourceTableDef, props: Partial<SourceTableDef>): SourceTableDef {
  const { meta, tags, config, quoting, columns, ...rest } = props;
  return {
    ...def,
    ...rest,
    quoting: { ...def.quoting, ...quoting },
    meta: { ...def.meta, ...meta },
    tags: [...new Set([...def.tags, ...(tags ?? [])])],
    config: config ? mergeConfig(def.config, config) : def.config,
    columns: columns ? { ...def.columns, ...columns } : def.columns,
  };
}
