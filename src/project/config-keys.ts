/**
 * Every config key tsql understands, per resource type. Unknown keys are user
 * errors (with the closest valid key suggested), so this list is the contract.
 * Adapter-specific keys are accepted everywhere: one project may target several engines.
 */
const common = ['enabled', 'tags', 'meta', 'docs', 'group', 'access', 'persist_docs', 'grants', 'quoting', 'description'];

const relationKeys = ['schema', 'database', 'alias', 'pre_hook', 'post_hook', 'full_refresh', 'contract', 'sql_header', 'on_configuration_change'];

const adapterKeys = [
  // redshift
  'dist', 'sort', 'sort_type', 'bind', 'backup', 'autorefresh',
  // postgres
  'indexes', 'unlogged',
  // snowflake
  'transient', 'cluster_by', 'automatic_clustering', 'snowflake_warehouse', 'query_tag', 'copy_grants', 'secure', 'table_format',
  // tsql
  'connection', 'params', 'location', 'format', 'options', 'partition_by', 'overwrite',
];

export const MODEL_CONFIG_KEYS = new Set([
  ...common,
  ...relationKeys,
  ...adapterKeys,
  'materialized', 'unique_key', 'incremental_strategy', 'on_schema_change', 'incremental_predicates',
  'merge_update_columns', 'merge_exclude_columns', 'batch_size', 'event_time', 'lookback', 'begin',
  'concurrent_batches', 'language', 'packages', 'submission_method',
]);

export const SEED_CONFIG_KEYS = new Set([
  ...common,
  ...relationKeys,
  ...adapterKeys,
  'column_types', 'quote_columns', 'delimiter', 'materialized', 's3_location', 'event_time',
]);

export const TEST_CONFIG_KEYS = new Set([
  ...common,
  'schema', 'database', 'alias', 'severity', 'error_if', 'warn_if', 'where', 'limit', 'fail_calc',
  'store_failures', 'store_failures_as', 'materialized',
]);

/**
 * Snapshots: where the table goes (schema and database through
 * generate_schema_name, or dbt's legacy target_schema / target_database as
 * written), how changes are found, and the table's physical layout. No
 * `unlogged`: a snapshot's history cannot be rebuilt, and an unlogged table
 * loses it in a crash.
 */
export const SNAPSHOT_CONFIG_KEYS = new Set([
  ...common,
  'schema', 'database', 'alias', 'target_schema', 'target_database', 'pre_hook', 'post_hook', 'full_refresh', 'sql_header', 'materialized',
  'strategy', 'unique_key', 'updated_at', 'check_cols', 'hard_deletes', 'invalidate_hard_deletes', 'snapshot_meta_column_names', 'dbt_valid_to_current',
  'dist', 'sort', 'sort_type', 'backup', 'indexes', 'transient', 'cluster_by', 'automatic_clustering', 'snowflake_warehouse', 'query_tag',
  'connection', 'params',
]);

export const SOURCE_CONFIG_KEYS = new Set([...common, 'freshness', 'loaded_at_field', 'loaded_at_query', 'event_time', 'connection']);

/** Unit tests take these (dbt 1.8): in `config:` on the test, or the project file's `unit_tests:` tree. */
export const UNIT_TEST_CONFIG_KEYS = new Set(['enabled', 'tags', 'meta']);

export type ConfigResource = 'model' | 'seed' | 'test' | 'source' | 'snapshot' | 'analysis' | 'unit_test';

export function configKeysFor(resource: ConfigResource): Set<string> {
  switch (resource) {
    case 'model':
    case 'analysis':
      // an analysis's config() takes a model's keys (it is compiled like one)
      return MODEL_CONFIG_KEYS;
    case 'unit_test':
      return UNIT_TEST_CONFIG_KEYS;
    case 'seed':
      return SEED_CONFIG_KEYS;
    case 'test':
      return TEST_CONFIG_KEYS;
    case 'source':
      return SOURCE_CONFIG_KEYS;
    case 'snapshot':
      return SNAPSHOT_CONFIG_KEYS;
  }
}

/** dbt accepts `pre-hook` and `pre_hook`; tsql stores the underscore form. */
export function normalizeConfigKey(key: string): string {
  if (key === 'pre-hook') return 'pre_hook';
  if (key === 'post-hook') return 'post_hook';
  return key;
}

export const MATERIALIZATIONS = ['view', 'table', 'incremental', 'ephemeral', 'seed', 'unload', 'test'];
export const INCREMENTAL_STRATEGIES = ['append', 'delete+insert', 'merge', 'insert_overwrite', 'microbatch'];
export const ON_SCHEMA_CHANGE = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'];
