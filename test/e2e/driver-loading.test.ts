/**
 * Engine drivers load on first use: a DuckDB-only run loads none of
 * snowflake-sdk, pg or the AWS SDK (they would add start-up time to every
 * command; bench/README.md). The probe lists the CommonJS modules the process
 * loaded (every driver is CommonJS) when it exits.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, useProjects } from '../helpers/project.js';

const project = useProjects();
const DRIVERS = /node_modules\/(snowflake-sdk|pg|pg-copy-streams|@aws-sdk\/[^/]+)\//;

function loadedModules(dir: string, args: string[]): { code: number; stderr: string; drivers: string[] } {
  const probe = join(dir, 'probe.cjs');
  const out = join(dir, 'loaded.txt');
  writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, Object.keys(require.cache).join('\\n')));\n`);
  const r = spawnSync(process.execPath, ['--require', probe, BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  const loaded = readFileSync(out, 'utf8').split('\n');
  const drivers = [...new Set(loaded.filter((m) => DRIVERS.test(m)).map((m) => DRIVERS.exec(m)![1]))].sort();
  return { code: r.status ?? -1, stderr: r.stderr, drivers };
}

describe('drivers load on first use', () => {
  it('a DuckDB-only build loads no other engine driver', () => {
    const p = project({ 'seeds/s.csv': 'id\n1\n', 'models/m.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('s') }}\n" });
    const r = loadedModules(p.dir, ['build']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.drivers).toEqual([]);
  });

  it('a Snowflake output loads snowflake-sdk when it connects, and says clearly when it cannot', () => {
    const p = project(
      { 'models/m.sql': 'select 1 as id\n' },
      { profile: 'shop:\n  target: sf\n  outputs:\n    sf:\n      type: snowflake\n      account: acme\n      user: u\n      password: Secret-Pw-1\n      database: d\n      host: 127.0.0.1\n      port: 9\n      protocol: http\n      connect_retries: 0\n' },
    );
    const r = loadedModules(p.dir, ['run']);
    expect(r.code).toBe(1);
    expect(r.drivers).toContain('snowflake-sdk');
    expect(r.stderr).toMatch(/cannot connect to snowflake \(snowflake u@acme\/d\.PUBLIC via http:\/\/127\.0\.0\.1:9\): Snowflake error 401001/);
    expect(r.stderr).not.toContain('Secret-Pw-1');
    expect(r.stderr).not.toMatch(/Warning/);
  });
});
