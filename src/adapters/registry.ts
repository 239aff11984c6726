import type { AdapterFactory } from './factory.js';
import { duckdbAdapterFactory } from './duckdb/index.js';
import { postgresAdapterFactory } from './postgres/index.js';
import { redshiftAdapterFactory } from './redshift/index.js';
import { snowflakeAdapterFactory } from './snowflake/index.js';

export type { AdapterFactory } from './factory.js';

const factories = new Map<string, AdapterFactory>([duckdbAdapterFactory, postgresAdapterFactory, redshiftAdapterFactory, snowflakeAdapterFactory].map((f) => [f.type, f]));

/** Engines on the roadmap: named so that a profile using one gets a clear message. */
export const PLANNED_ADAPTERS: string[] = [];

export function adapterFactory(type: string): AdapterFactory | undefined {
  return factories.get(type);
}

export function adapterTypes(): string[] {
  return [...factories.keys()];
}
