import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgServer, type PgServer } from '../helpers/pg-server.js';
import { useProjects } from '../helpers/project.js';

/**
 * sslmode, sslrootcert, sslcert and sslkey against a real PostgreSQL server
 * with SSL on: its certificate (for the name `localhost` only) signed by a CA
 * this test makes with openssl; database `certdb` asks for a client
 * certificate signed by that CA (pg_hba.conf clientcert=verify-ca).
 */

const PW_ENV = 'TSQL_SSL_TEST_PW';
let certs: string;
let server: PgServer;
const pem = (name: string) => readFileSync(join(certs, name), 'utf8');

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A key and a certificate signed by the CA `ca` (subject CN, and a SAN when given). */
function signed(name: string, cn: string, ca: string, san?: string): void {
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  if (san) writeFileSync(join(certs, `${name}.ext`), `subjectAltName=${san}\n`);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, ...(san ? ['-extfile', `${name}.ext`] : [])]);
}

beforeAll(async () => {
  certs = mkdtempSync(join(tmpdir(), 'tsql-certs-'));
  for (const ca of ['ca', 'other-ca']) {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=tsql test ${ca}`]);
  }
  signed('server', 'localhost', 'ca', 'DNS:localhost');
  signed('client', 'tsql', 'ca');
  server = await startPgServer({
    conf: ['ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", "ssl_ca_file = 'ca.crt'"],
    files: { 'server.crt': pem('server.crt'), 'server.key': pem('server.key'), 'ca.crt': pem('ca.crt') },
    hba: ['hostssl certdb all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca'],
  });
  const admin = new pg.Client({ ...server.connection, ssl: { rejectUnauthorized: false } });
  await admin.connect();
  await admin.query('create database certdb');
  await admin.end();
}, 120_000);

afterAll(() => {
  server?.stop();
  if (certs) rmSync(certs, { recursive: true, force: true });
});

const project = useProjects();

/** A project whose model records its connection's application_name and whether it is encrypted; `lines` end the output. */
function sslProject(lines: Record<string, string>, o: { host?: string; dbname?: string } = {}) {
  const c = server.connection;
  const extra = Object.entries(lines).map(([k, v]) => `      ${k}: ${v}\n`).join('');
  const profile = `shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: ${o.host ?? 'localhost'}\n      port: ${c.port}\n      user: ${c.user}\n      password: "{{ env_var('${PW_ENV}') }}"\n      dbname: ${o.dbname ?? c.database}\n      schema: public\n      threads: 1\n${extra}`;
  const p = project(
    {
      'models/conn.sql': "{{ config(materialized='table') }}\nselect current_setting('application_name') as app, (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as encrypted\n",
      'certs/ca.crt': pem('ca.crt'),
      'certs/other-ca.crt': pem('other-ca.crt'),
      'certs/client.crt': pem('client.crt'),
      'certs/client.key': pem('client.key'),
    },
    { profile },
  );
  return { p, run: (args: string[] = ['run']) => p.tsql(args, { [PW_ENV]: c.password }) };
}

async function connRow(dbname = server.connection.database): Promise<Record<string, unknown>> {
  const c = new pg.Client({ ...server.connection, database: dbname, ssl: { rejectUnauthorized: false, cert: pem('client.crt'), key: pem('client.key') } });
  await c.connect();
  try {
    return (await c.query('select app, encrypted from public.conn')).rows[0];
  } finally {
    await c.end();
  }
}

/** The error lines of a failed run (no stack trace, nothing else on stderr). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim());
}

describe('PostgreSQL over SSL with a private CA', () => {
  it('verify-full with sslrootcert (relative to the project) connects, and application_name reaches the server', async () => {
    const { run } = sslProject({ sslmode: 'verify-full', sslrootcert: 'certs/ca.crt', application_name: 'nightly-shop' });
    const r = run();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await connRow()).toEqual({ app: 'nightly-shop', encrypted: true });
  });

  it('a certificate signed by another CA fails with one clear line', () => {
    const { run } = sslProject({ sslmode: 'verify-full', sslrootcert: 'certs/other-ca.crt' });
    const r = run();
    expect(r.code).toBe(1);
    const lines = errorLines(r.stderr);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: cannot connect to postgres at localhost:\d+ \(database shop, user tsql\): .*certificate/);
    expect(r.stderr).not.toContain(server.connection.password);
  });

  it('verify-full checks the host name (127.0.0.1 is not in the certificate); verify-ca does not', async () => {
    const full = sslProject({ sslmode: 'verify-full', sslrootcert: 'certs/ca.crt' }, { host: '127.0.0.1' });
    const r1 = full.run();
    expect(r1.code).toBe(1);
    expect(errorLines(r1.stderr)).toHaveLength(1);
    expect(r1.stderr).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);

    const ca = sslProject({ sslmode: 'verify-ca', sslrootcert: 'certs/ca.crt' }, { host: '127.0.0.1' });
    const r2 = ca.run();
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    expect(await connRow()).toEqual({ app: expect.stringMatching(/^tsql [0-9a-f]{8} /), encrypted: true });
  });

  it('sslrootcert: system trusts the CAs the system trusts, with the host name checked (libpq 16)', async () => {
    const { p, run } = sslProject({ sslrootcert: 'system', application_name: 'system-roots' });
    // the test CA is not one the system trusts: refused
    const refused = run();
    expect(refused.code, refused.stderr).toBe(1);
    expect(errorLines(refused.stderr), refused.stderr).toHaveLength(1);
    expect(refused.stderr).toMatch(/certificate/);
    // once the system trusts it (node's NODE_EXTRA_CA_CERTS adds to the CAs node trusts), it connects
    const trusted = p.tsql(['run'], { [PW_ENV]: server.connection.password, NODE_EXTRA_CA_CERTS: join(p.dir, 'certs', 'ca.crt') });
    expect(trusted.code, trusted.stdout + trusted.stderr).toBe(0);
    expect(await connRow()).toEqual({ app: 'system-roots', encrypted: true });
    // verify-full is the only mode that goes with it: the host name is checked
    const byIp = sslProject({ sslrootcert: 'system' }, { host: '127.0.0.1' });
    const r = byIp.p.tsql(['run'], { [PW_ENV]: server.connection.password, NODE_EXTRA_CA_CERTS: join(byIp.p.dir, 'certs', 'ca.crt') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
  });

  it('sslrootcert: system with a weaker sslmode is a profile error, before anything connects', () => {
    const { run } = sslProject({ sslmode: 'require', sslrootcert: 'system' });
    const r = run();
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(/profiles\.yml:\d+: .*sslmode.*must be verify-full with sslrootcert: system/);
  });

  it('require with sslrootcert checks the CA, as libpq does', () => {
    const { run } = sslProject({ sslmode: 'require', sslrootcert: 'certs/other-ca.crt' });
    const r = run();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/certificate/);
  });

  it('a server that asks for a client certificate: sslcert and sslkey are sent; without them the server refuses', async () => {
    const without = sslProject({ sslmode: 'verify-full', sslrootcert: 'certs/ca.crt' }, { dbname: 'certdb' });
    const r1 = without.run();
    expect(r1.code).toBe(1);
    expect(errorLines(r1.stderr)).toHaveLength(1);
    expect(r1.stderr).toMatch(/certificate/);

    const withCert = sslProject({ sslmode: 'verify-full', sslrootcert: 'certs/ca.crt', sslcert: 'certs/client.crt', sslkey: 'certs/client.key' }, { dbname: 'certdb' });
    const r2 = withCert.run();
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    expect(await connRow('certdb')).toEqual({ app: expect.stringMatching(/^tsql [0-9a-f]{8} /), encrypted: true });

    // debug shows where the key is, never what it holds
    const d = withCert.run(['debug']);
    expect(d.stdout + d.stderr).toContain('certs/client.key');
    expect(d.stdout + d.stderr).not.toContain('PRIVATE KEY');
  });

  it('a missing sslrootcert: exit 2 naming profiles.yml and its line, before anything runs', () => {
    const { p, run } = sslProject({ sslmode: 'verify-full', sslrootcert: 'certs/nope.crt' });
    const r = run();
    expect(r.code).toBe(2);
    const lines = errorLines(r.stderr);
    expect(lines).toEqual([`error: profiles.yml:14: sslrootcert: certs/nope.crt (${join(p.dir, 'certs/nope.crt')}) does not exist (a relative path starts at the project directory)`]);
    expect(r.stdout).not.toContain('conn');
  });

  it('profile mistakes: sslcert without sslkey, a certificate with sslmode disable, a too long application_name', () => {
    for (const [lines, message] of [
      [{ sslmode: 'verify-full', sslrootcert: 'certs/ca.crt', sslcert: 'certs/client.crt' }, 'needs sslkey too'],
      [{ sslmode: 'disable', sslrootcert: 'certs/ca.crt' }, 'is not used with sslmode disable'],
      [{ application_name: 'x'.repeat(64) }, 'must be at most 63 bytes'],
    ] as const) {
      const r = sslProject(lines).run();
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: profiles\.yml:\d+: /);
      expect(r.stderr).toContain(message);
    }
  });
});
