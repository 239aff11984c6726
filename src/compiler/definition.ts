/**
 * Checksums of what a YAML-defined node (source, generic test, unit test) is,
 * as written: the state comparison's "body" for nodes without a file of their own.
 * Descriptions and meta are documentation and left out.
 */
import { createHash } from 'node:crypto';
import type { SourceTableDef, TestDef } from '../project/schema-yaml.js';

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export function checksumOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** A source table: where it is, how it is read, its columns and their types, freshness, external: block. */
export function sourceDefinitionChecksum(def: SourceTableDef): string {
  return checksumOf({
    database: def.database ?? null,
    schema: def.schema,
    identifier: def.identifier,
    quoting: def.quoting ?? null,
    loaded_at_field: def.loadedAtField ?? null,
    freshness: def.freshness ?? null,
    external: def.external ?? null,
    columns: Object.fromEntries(Object.entries(def.columns).map(([n, c]) => [n, c.dataType ?? null])),
    config: def.config,
  });
}

/** A generic test: which test, on what, with which arguments and config. */
export function testDefinitionChecksum(def: TestDef): string {
  return checksumOf({ test: def.testName, namespace: def.namespace ?? null, name: def.customName ?? null, kwargs: def.kwargs, config: def.config, on: def.attachedTo, column: def.columnName ?? null });
}
