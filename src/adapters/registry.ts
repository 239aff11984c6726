import type { z } from 'zod';
import type { Adapter } from './types.js';
import { DuckDBAdapter, duckdbDatabaseName, duckdbOutputSchema, type DuckDBOutput } from './duckdb/index.js';
import { PostgresAdapter, postgresDatabaseName, postgresOutputSchema, type PostgresOutput } from './postgres/index.js';
import { redshiftAdapterFactory } from './redshift/index.js';

/** What the core needs to know about an engine before (and without) connecting. */
export interface AdapterFactory {
  readonly type: string;
  readonly outputSchema: z.ZodType<Record<string, unknown>>;
  /** Database and schema that relations default to. */
  defaults(output: Record<string, unknown>): { database: string | undefined; schema: string; threads: number };
  create(output: Record<string, unknown>, opts: { projectDir: string; threads: number }): Adapter;
}

const duckdb: AdapterFactory = {
  type: 'duckdb',
  outputSchema: duckdbOutputSchema as unknown as z.ZodType<Record<string, unknown>>,
  defaults(output) {
    const o = output as DuckDBOutput;
    return { database: duckdbDatabaseName(o), schema: o.schema, threads: o.threads };
  },
  create(output, opts) {
    return new DuckDBAdapter(output as DuckDBOutput, opts.projectDir, opts.threads);
  },
};

const postgres: AdapterFactory = {
  type: 'postgres',
  outputSchema: postgresOutputSchema as unknown as z.ZodType<Record<string, unknown>>,
  defaults(output) {
    const o = output as PostgresOutput;
    return { database: postgresDatabaseName(o), schema: o.schema, threads: o.threads };
  },
  create(output, opts) {
    return new PostgresAdapter(output as PostgresOutput, opts.threads);
  },
};

const factories = new Map<string, AdapterFactory>([
  [duckdb.type, duckdb],
  [postgres.type, postgres],
  [redshiftAdapterFactory.type, redshiftAdapterFactory],
]);

/** Engines on the roadmap: named so that a profile using one gets a clear message. */
export const PLANNED_ADAPTERS = ['snowflake'];

export function adapterFactory(type: string): AdapterFactory | undefined {
  return factories.get(type);
}

export function adapterTypes(): string[] {
  return [...factories.keys()];
}
