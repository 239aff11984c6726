import { afterEach, describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { pgConnection, pgOutputLines, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

/**
 * A PostgreSQL output whose role may not create the target schema: one line
 * naming the schema and the server's reason, exit 1, not an internal error.
 */

const project = useProjects();
const roles: string[] = [];

afterEach(async () => {
  const gone = roles.splice(0);
  if (gone.length) await pgQuery(gone.map((r) => `drop role if exists "${r}"`).join(';\n'));
});

describe('PostgreSQL: a schema the role may not create', () => {
  it('stops the run with one line naming the schema and why, exit 1, nothing built', async () => {
    const c = pgConnection();
    const schema = uniqueSchema('norights');
    const role = uniqueSchema('reader');
    roles.push(role);
    await pgQuery(`create role "${role}"`);
    const profile = `shop:\n  target: dev\n  outputs:\n    dev:\n${pgOutputLines(c, { schema, passwordEnv: 'PGPW_NORIGHTS', threads: 1, extra: `      role: ${role}\n` })}`;
    const p = project({ 'models/m.sql': 'select 1 as id' }, { profile });
    const r = p.tsql(['run'], { PGPW_NORIGHTS: c.password });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr.trim()).toMatch(new RegExp(`^error: cannot create schema ${schema} in database shop on postgres tsql@127\\.0\\.0\\.1:\\d+/shop: permission denied for database shop$`));
    expect(await pgQuery(`select 1 from pg_namespace where nspname = '${schema}'`)).toEqual([]);
  });
});
