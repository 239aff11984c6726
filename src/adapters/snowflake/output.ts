import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

/** A name or number (YAML and env_var() turn `12345` into a number). */
const text = z.union([z.string(), z.number()]).transform(String);

export const SNOWFLAKE_AUTHENTICATORS = ['snowflake', 'externalbrowser', 'oauth', 'snowflake_jwt', 'username_password_mfa'] as const;

/**
 * A snowflake output, with dbt-snowflake's keys. Credentials: `password`, a
 * key pair (`private_key_path` or `private_key`, with `private_key_passphrase`
 * when encrypted), or an `authenticator` (externalbrowser for SSO, oauth with
 * `token`). `host`/`port`/`protocol` reach another endpoint than
 * <account>.snowflakecomputing.com (PrivateLink, a proxy, a local stand-in).
 */
export const snowflakeOutputSchema = z
  .object({
    type: z.literal('snowflake'),
    account: text,
    user: text,
    password: text.optional(),
    authenticator: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(SNOWFLAKE_AUTHENTICATORS))
      .optional(),
    /** oauth: the access token */
    token: z.string().optional(),
    private_key_path: z.string().optional(),
    /** the PEM text of the private key (e.g. from env_var) */
    private_key: z.string().optional(),
    private_key_passphrase: text.optional(),
    role: text.optional(),
    warehouse: text.optional(),
    database: text,
    schema: z.string().default('PUBLIC'),
    threads: z.number().int().positive().max(256, { message: 'must be at most 256 (one connection per thread)' }).default(4),
    /** tagged on every query of the session (a model's `query_tag` config overrides it for that model) */
    query_tag: z.string().optional(),
    /** keeps the session alive with heartbeats during long runs */
    client_session_keep_alive: z.boolean().default(false),
    /** logins retried on transient network and HTTP errors (the driver's own login retries) */
    connect_retries: z.number().int().min(0).max(20).default(1),
    /** seconds before the first login retry; later ones wait longer (jittered backoff) */
    connect_timeout: z.number().positive().max(60).default(1),
    /** attempts per statement on transient errors (HTTP 429/503, an expired session) */
    retry_on_transient_errors: z.number().int().min(0).max(20).default(3),
    /** the lake: `@stage/path` (a stage, named or qualified), or `s3://bucket/prefix` with `storage_integration` */
    lake_root: z.string().optional(),
    /** the storage integration that lets Snowflake write to and read an s3:// lake_root */
    storage_integration: text.optional(),
    /** seeds with more rows than this go through PUT to the table stage and COPY INTO, not bound INSERTs */
    seed_put_threshold_rows: z.number().int().positive().default(10_000),
    /** the run lock's lease: how long a run killed with SIGKILL keeps holding the lock (renewed every quarter of it) */
    run_lock_lease_seconds: z.number().int().min(2).max(86400).default(120),
    host: z.string().optional(),
    port: z.number().int().positive().optional(),
    protocol: z.enum(['https', 'http']).default('https'),
  })
  .strict()
  .superRefine((o, ctx) => {
    const auth = o.authenticator ?? (o.private_key_path || o.private_key ? 'snowflake_jwt' : 'snowflake');
    if (o.private_key_path && o.private_key) ctx.addIssue({ code: 'custom', path: ['private_key'], message: 'give private_key_path or private_key, not both' });
    if (auth === 'snowflake' || auth === 'username_password_mfa') {
      if (o.password === undefined) ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required (or a key pair: private_key_path, or authenticator: externalbrowser / oauth)' });
    }
    if (o.private_key_path && !existsSync(keyFilePath(o.private_key_path))) {
      ctx.addIssue({ code: 'custom', path: ['private_key_path'], message: `no such file: ${keyFilePath(o.private_key_path)}` });
    } else if (o.private_key_path || o.private_key) {
      const problem = privateKeyProblem(o);
      if (problem) ctx.addIssue({ code: 'custom', path: [problem.key], message: problem.message });
    }
    if (auth === 'snowflake_jwt' && !o.private_key_path && !o.private_key) {
      ctx.addIssue({ code: 'custom', path: ['private_key_path'], message: 'authenticator snowflake_jwt needs private_key_path or private_key' });
    }
    if (auth === 'oauth' && !o.token) ctx.addIssue({ code: 'custom', path: ['token'], message: 'authenticator oauth needs token (the OAuth access token)' });
    if (o.lake_root && /^s3:\/\//i.test(o.lake_root) && !o.storage_integration) {
      ctx.addIssue({ code: 'custom', path: ['storage_integration'], message: 'an s3:// lake_root needs storage_integration (the integration that lets Snowflake reach the bucket); or use lake_root: @stage/path' });
    }
    if (o.lake_root && !/^s3:\/\//i.test(o.lake_root) && !o.lake_root.startsWith('@')) {
      ctx.addIssue({ code: 'custom', path: ['lake_root'], message: `must be a stage (@stage/path) or an s3:// URL; Snowflake cannot reach the local folder ${o.lake_root}` });
    }
    if (o.port !== undefined && !o.host) ctx.addIssue({ code: 'custom', path: ['port'], message: 'needs host' });
  });

export type SnowflakeOutput = z.infer<typeof snowflakeOutputSchema>;

/** The authenticator in effect (a key pair without an authenticator means snowflake_jwt). */
export function authenticatorOf(o: SnowflakeOutput): (typeof SNOWFLAKE_AUTHENTICATORS)[number] {
  return o.authenticator ?? (o.private_key_path || o.private_key ? 'snowflake_jwt' : 'snowflake');
}

/** private_key_path as a file: `~/` is the home folder, a relative path is from the current directory (as in dbt). */
export function keyFilePath(path: string): string {
  return resolve(path.startsWith('~/') ? `${homedir()}/${path.slice(2)}` : path);
}

/** The profile's private key, decrypted with its passphrase (the driver gets it as unencrypted PKCS#8 PEM, in memory only). */
export function privateKeyOf(o: Pick<SnowflakeOutput, 'private_key' | 'private_key_path' | 'private_key_passphrase'>): KeyObject {
  const pem = o.private_key ?? readFileSync(keyFilePath(o.private_key_path!), 'utf8');
  return createPrivateKey({ key: pem, format: 'pem', passphrase: o.private_key_passphrase || undefined });
}

/** The key's PEM text, if it can be read. */
function pemText(o: Pick<SnowflakeOutput, 'private_key' | 'private_key_path'>): string | undefined {
  try {
    return o.private_key ?? readFileSync(keyFilePath(o.private_key_path!), 'utf8');
  } catch {
    return undefined;
  }
}

/** Why the key cannot be used, named on the key that is wrong; undefined when it can. */
function privateKeyProblem(o: Pick<SnowflakeOutput, 'private_key' | 'private_key_path' | 'private_key_passphrase'>): { key: string; message: string } | undefined {
  const where = o.private_key_path ? 'private_key_path' : 'private_key';
  try {
    const key = privateKeyOf(o);
    if (key.asymmetricKeyType !== 'rsa') return { key: where, message: `is a ${key.asymmetricKeyType} key; Snowflake key-pair authentication takes RSA keys` };
    return undefined;
  } catch (e) {
    const text = String((e as Error).message ?? e);
    // A wrong passphrase mostly fails the cipher's padding check ("bad decrypt"); about once in
    // 256 the padding happens to pass and the garbage fails to parse as a key instead.
    const encrypted = /^\s*-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pemText(o) ?? '');
    if (/bad decrypt/i.test(text) || (encrypted && o.private_key_passphrase)) return { key: 'private_key_passphrase', message: 'does not decrypt the private key' };
    // an encrypted key without a passphrase: OpenSSL reports its passphrase prompt as interrupted
    if (!o.private_key_passphrase && (/passphrase|interrupted or cancelled/i.test(text) || encrypted)) {
      return { key: 'private_key_passphrase', message: 'is required: the private key is encrypted' };
    }
    return { key: where, message: 'is not a PEM private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----)' };
  }
}

/** The endpoint the driver talks to: host/port/protocol when given, else the account's. */
export function accessUrlOf(o: SnowflakeOutput): string | undefined {
  if (!o.host) return undefined;
  return `${o.protocol}://${o.host}${o.port ? `:${o.port}` : ''}`;
}
