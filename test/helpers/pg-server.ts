import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { afterEach, inject } from 'vitest';

/**
 * A throwaway PostgreSQL cluster for the tests: initdb into a temporary
 * directory, listening on a free port of 127.0.0.1 with password (SCRAM)
 * authentication over TCP, so a wrong password really fails. Started once by
 * test/global-setup.ts; test files get the connection with `pgConnection()`.
 */

export interface PgConnectionInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: PgConnectionInfo;
  }
}

const ROLE = 'tsql';
const PASSWORD = 'tsql-test-pw';
const DATABASE = 'shop';
const SYSTEM_USER = 'postgres';

/** The test server's connection details (in a test file). */
export function pgConnection(): PgConnectionInfo {
  return inject('pg');
}

/** Runs fn with a client connected to the test database, closing it afterwards. */
export async function withPg<T>(fn: (client: pg.Client) => Promise<T>, info: PgConnectionInfo = pgConnection()): Promise<T> {
  const client = new pg.Client({ ...info });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Rows of one query against the test database. */
export async function pgQuery(sql: string, info?: PgConnectionInfo): Promise<Record<string, unknown>[]> {
  return withPg(async (c) => (await c.query(sql)).rows, info);
}

/** A schema factory for a test file: each schema it names (unique) is dropped after each test. */
export function useSchemas(): (prefix: string) => string {
  const made: string[] = [];
  afterEach(async () => {
    const drop = made.splice(0);
    if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
  });
  return (prefix) => {
    const s = uniqueSchema(prefix);
    made.push(s);
    return s;
  };
}

/** Where a driver connects and as whom, as lines of an output (indented under its name), the password read from `passwordEnv`. */
export function connectionLines(server: { host: string; port: number }, user: string, dbname: string, passwordEnv: string): string {
  return `      host: ${server.host}
      port: ${server.port}
      user: ${user}
      password: "{{ env_var('${passwordEnv}') }}"
      dbname: ${dbname}
`;
}

export interface PgOutputOptions {
  schema: string;
  /** The environment variable the password is read from. */
  passwordEnv: string;
  /** Default: the test database. */
  dbname?: string;
  /** Default 2. */
  threads?: number;
  /** More lines of the output, after the others (indented six spaces). */
  extra?: string;
}

/** A postgres output on the test server `c`: its lines, indented under its name. */
export function pgOutputLines(c: PgConnectionInfo, o: PgOutputOptions): string {
  return `      type: postgres
${connectionLines(c, c.user, o.dbname ?? c.database, o.passwordEnv)}      schema: ${o.schema}
      threads: ${o.threads ?? 2}
${o.extra ?? ''}`;
}

export interface PgProfileOptions {
  /** `threads:` of every output (default 2). */
  threads?: number;
  /** The target, and the name of the output on `schema` (default `dev`). */
  target?: string;
  /** More outputs on the test server after the target's: output name → schema. */
  moreOutputs?: Record<string, string>;
}

/** profiles.yml (profile `shop`, target `dev` unless `target` says otherwise) for the test server, the password read from `passwordEnv`. */
export function pgProfile(schema: string, passwordEnv: string, options: PgProfileOptions = {}): string {
  const c = pgConnection();
  const target = options.target ?? 'dev';
  const outputs = { [target]: schema, ...options.moreOutputs };
  const lines = Object.entries(outputs).map(([name, s]) => `    ${name}:\n${pgOutputLines(c, { schema: s, passwordEnv, threads: options.threads })}`);
  return `shop:\n  target: ${target}\n  outputs:\n${lines.join('')}`;
}

/** A schema name no other test uses. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

// ------------------------------------------------------------------ the server

export interface PgServer {
  connection: PgConnectionInfo;
  stop(): void;
}

/** initdb, pg_ctl, postgres: pg_config's bindir, else the newest /usr/lib/postgresql/<v>/bin, else PATH. */
export function findPgBinDir(): string | undefined {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dir && has(dir)) return dir;
  } catch {
    // no pg_config, or only the client package
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v) && has(join(debian, v, 'bin')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(debian, versions[0], 'bin');
  }
  return (process.env.PATH ?? '').split(delimiter).find((d) => d && has(d));
}

/** A port nothing listens on, on 127.0.0.1 (for servers a test starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` system user. */
function ensureSystemUser(): { uid: number; gid: number } {
  const lookup = () => spawnSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' });
  if (lookup().status !== 0) {
    const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/bin/sh', SYSTEM_USER], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot create the '${SYSTEM_USER}' system user to run PostgreSQL as: ${r.stderr || r.error?.message}`);
  }
  const uid = Number(execFileSync('id', ['-u', SYSTEM_USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', SYSTEM_USER], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Runs a server binary, as the `postgres` system user when we are root. */
function runPg(bin: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  if (!isRoot()) return spawnSync(bin, args, { cwd, encoding: 'utf8' });
  const runuser = spawnSync('runuser', ['-u', SYSTEM_USER, '--', bin, ...args], { cwd, encoding: 'utf8' });
  if (!runuser.error) return runuser;
  const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawnSync('su', [SYSTEM_USER, '-s', '/bin/sh', '-c', quoted], { cwd, encoding: 'utf8' });
}

function check(r: SpawnSyncReturns<string>, what: string, log?: string): void {
  if (r.status === 0) return;
  const logText = log && existsSync(log) ? `\n--- server log ---\n${readFileSync(log, 'utf8').slice(-4000)}` : '';
  throw new Error(`${what} failed (exit ${r.status ?? r.signal ?? r.error?.message}):\n${r.stdout ?? ''}${r.stderr ?? ''}${logText}`);
}

export interface PgServerOptions {
  /** More postgresql.conf lines (e.g. `ssl = on`). */
  conf?: string[];
  /** Files written into the data directory, readable by the server only (e.g. server.crt, server.key). */
  files?: Record<string, string>;
  /** pg_hba.conf lines put before the default ones (the first matching line wins). */
  hba?: string[];
}

/** Starts a fresh cluster with the `tsql` login role and the `shop` database. Throws when PostgreSQL is not installed. */
export async function startPgServer(options: PgServerOptions = {}): Promise<PgServer> {
  const bin = findPgBinDir();
  if (!bin) {
    throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL (Debian: apt-get install postgresql; CI runs .ci/run, which installs it)');
  }
  const root = mkdtempSync(join(tmpdir(), 'tsql-pg-'));
  const data = join(root, 'data');
  const sockets = join(root, 'sock');
  const log = join(root, 'server.log');
  mkdirSync(data, { mode: 0o700 });
  mkdirSync(sockets, { mode: 0o700 });
  if (isRoot()) {
    const { uid, gid } = ensureSystemUser();
    for (const p of [root, data, sockets]) chownSync(p, uid, gid);
  }
  const superuser = isRoot() ? SYSTEM_USER : userInfo().username;
  check(
    runPg(join(bin, 'initdb'), ['-D', data, '-U', superuser, '-E', 'UTF8', '--locale=C', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync'], root),
    'initdb',
  );
  const port = await freePort();
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      '',
      '# tsql test server',
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${sockets}'`,
      'max_connections = 300',
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      "password_encryption = 'scram-sha-256'",
      ...(options.conf ?? []),
      '',
    ].join('\n'),
  );
  for (const [name, text] of Object.entries(options.files ?? {})) {
    writeFileSync(join(data, name), text, { mode: 0o600 });
    if (isRoot()) chownSync(join(data, name), ensureSystemUser().uid, ensureSystemUser().gid);
  }
  if (options.hba?.length) {
    const hba = join(data, 'pg_hba.conf');
    writeFileSync(hba, `${options.hba.join('\n')}\n${readFileSync(hba, 'utf8')}`);
  }
  const stop = () => {
    runPg(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], root);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    check(runPg(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', 'start'], root), 'pg_ctl start', log);
    // Over the socket (trust) as the superuser: the test role and database.
    const admin = new pg.Client({ host: sockets, port, user: superuser, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`create role ${ROLE} login superuser password '${PASSWORD}'`);
      await admin.query(`create database ${DATABASE} owner ${ROLE}`);
    } finally {
      await admin.end();
    }
  } catch (e) {
    stop();
    throw e;
  }
  return { connection: { host: '127.0.0.1', port, user: ROLE, password: PASSWORD, database: DATABASE }, stop };
}
