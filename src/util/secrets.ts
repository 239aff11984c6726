/**
 * Secret environment variables (`DBT_ENV_SECRET_*`, `TSQL_ENV_SECRET_*`), as in dbt: usable
 * in profiles.yml, refused in models, macros, tests and hooks, and never written to an
 * artifact or a log. Where a secret's value would land in one (a model printing
 * `{{ target.user }}` when the profile took the user from a secret, a database error
 * quoting it), it is replaced by `********`.
 */
const SECRET_NAME = /^(DBT|TSQL)_ENV_SECRET_/;
export const SECRET_MASK = '********';

export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name);
}

let cached: { env: NodeJS.ProcessEnv; values: string[] } | undefined;

/** The values of the secret variables, longest first (so one that contains another goes first). Read once: process.env is slow to walk. */
function secretValues(): string[] {
  if (cached && cached.env === process.env) return cached.values;
  const values: string[] = [];
  for (const [k, v] of Object.entries(process.env)) if (v && isSecretEnvName(k)) values.push(v);
  values.sort((a, b) => b.length - a.length);
  cached = { env: process.env, values };
  return values;
}

/** `text` with every secret value masked. */
export function scrubSecrets(text: string): string {
  const values = secretValues();
  if (!values.length) return text;
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.split(v).join(SECRET_MASK);
  return out;
}

let installed = false;

/** Masks secrets in everything tsql prints (stdout and stderr), for the life of the process. */
export function scrubOutput(): void {
  if (installed || !secretValues().length) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? scrubSecrets(chunk) : Buffer.isBuffer(chunk) ? scrubSecrets(chunk.toString('utf8')) : chunk, ...rest)) as typeof stream.write;
  }
}
