import { z } from 'zod';
import { isPlainObject } from '../../project/config-merge.js';
import { pgConnectKeys } from '../postgres/index.js';

/** A name or number (YAML and env_var() turn `12345` into a number). */
const text = z.union([z.string(), z.number()]).transform(String);

/** Keys of every method. */
const common = {
  type: z.literal('redshift'),
  /** the database to connect to (`dbname`, dbt's name, is taken too) */
  database: text.optional(),
  dbname: text.optional(),
  schema: z.string().default('public'),
  threads: z.number().int().positive().max(256, { message: 'must be at most 256 (one connection per thread)' }).default(4),
  /** the IAM role UNLOAD, COPY and Spectrum use unless a model, seed or source names one */
  iam_role: z.string().optional(),
  /** the Glue Data Catalog database of external schemas, unless a source names one (default: the schema's name) */
  spectrum_database: z.string().optional(),
  lake_root: z.string().optional(),
};

/** `method: pg` (the default): the PostgreSQL protocol, user and password. */
const pgOutput = z
  .object({
    ...common,
    method: z.literal('pg'),
    host: z.string(),
    port: z.coerce.number().int().positive().default(5439),
    user: text,
    password: text.optional(),
    /** sslmode, connect_timeout, keepalives_idle, search_path, retries */
    ...pgConnectKeys,
  })
  .strict();

/** `method: data_api`: the Redshift Data API over HTTPS with AWS credentials (the default chain). */
const dataApiOutput = z
  .object({
    ...common,
    method: z.literal('data_api'),
    /** a provisioned cluster … */
    cluster_identifier: z.string().optional(),
    /** … or a serverless workgroup: exactly one of the two */
    workgroup_name: z.string().optional(),
    /** clusters: temporary credentials for this database user (else the IAM identity's user) */
    db_user: text.optional(),
    /** or a Secrets Manager secret holding username and password */
    secret_arn: z.string().optional(),
    /** the API's region (else AWS_REGION / the AWS config) */
    region: z.string().optional(),
    /** another endpoint than AWS's, e.g. a local stand-in or a VPC endpoint */
    endpoint: z.url().optional(),
    /** first DescribeStatement wait in ms, doubled up to poll_max_ms */
    poll_initial_ms: z.number().int().positive().default(50),
    poll_max_ms: z.number().int().positive().default(2000),
    /** how long an idle session stays open (a statement after that opens a new one) */
    session_keep_alive_seconds: z.number().int().min(1).max(86400).default(300),
    /** attempts per API call by the SDK's retry (throttling, server errors, network) */
    max_attempts: z.number().int().min(1).max(20).default(5),
    /** the run lock's session keep-alive: how long a run killed with SIGKILL keeps holding the lock */
    run_lock_lease_seconds: z.number().int().min(2).max(86400).default(120),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (!o.cluster_identifier === !o.workgroup_name) {
      ctx.addIssue({ code: 'custom', path: ['cluster_identifier'], message: 'give exactly one of cluster_identifier (a provisioned cluster) and workgroup_name (serverless)' });
    }
    if (o.db_user !== undefined && o.secret_arn !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['db_user'], message: 'give db_user (temporary credentials) or secret_arn (Secrets Manager), not both' });
    }
    if (o.db_user !== undefined && o.workgroup_name) {
      ctx.addIssue({ code: 'custom', path: ['db_user'], message: 'serverless workgroups take no db_user (the user is the IAM identity); use secret_arn for a database user' });
    }
    if (o.poll_max_ms < o.poll_initial_ms) ctx.addIssue({ code: 'custom', path: ['poll_max_ms'], message: 'must be at least poll_initial_ms' });
  });

function checkDatabase(o: { database?: string; dbname?: string }, ctx: z.RefinementCtx): void {
  if (o.database === undefined && o.dbname === undefined) ctx.addIssue({ code: 'custom', path: ['database'], message: 'is required (the database to connect to)' });
  if (o.database !== undefined && o.dbname !== undefined && o.database !== o.dbname) {
    ctx.addIssue({ code: 'custom', path: ['dbname'], message: `names another database than database (${o.database}); give one of them` });
  }
}

/**
 * A redshift output: `method` pg (default) or data_api, each with its own
 * keys (an unknown key, or another method's, is an error).
 */
export const redshiftOutputSchema = z.preprocess(
  (v) => (isPlainObject(v) && v.method === undefined ? { ...v, method: 'pg' } : v),
  z.discriminatedUnion('method', [pgOutput.superRefine(checkDatabase), dataApiOutput.superRefine(checkDatabase)]),
);

export type RedshiftOutput = z.infer<typeof redshiftOutputSchema>;
export type RedshiftPgOutput = Extract<RedshiftOutput, { method: 'pg' }>;
export type RedshiftDataApiOutput = Extract<RedshiftOutput, { method: 'data_api' }>;

export function redshiftDatabaseName(o: RedshiftOutput): string {
  return (o.database ?? o.dbname)!;
}
