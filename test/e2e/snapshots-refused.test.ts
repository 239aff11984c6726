/**
 * tsql does not build snapshots yet. A snapshot left out with only a warning
 * would lose its history for good, so each one is an error before anything
 * runs, naming its file and line, with the way to build the rest without it.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

const SNAPSHOT = `{% snapshot orders_snapshot %}
{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}
select * from {{ ref('orders') }}
{% endsnapshot %}
`;

describe('snapshots are refused, never skipped', () => {
  it('a snapshot block is exit 2 naming its file and line; nothing runs', () => {
    const p = project({ 'models/orders.sql': 'select 1 as id, current_timestamp as updated_at', 'snapshots/orders.sql': `-- history of orders\n${SNAPSHOT}` });
    const r = p.tsql(['build']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => l.includes('snapshot'));
    expect(lines[0]).toMatch(/^error: snapshots\/orders\.sql:2: snapshot 'orders_snapshot' cannot be built: tsql does not run snapshots yet/);
    expect(r.stderr).toContain('snapshot-paths: []');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(p.dbPath)).toBe(false);
  });

  it('a malformed block gets its own message; a YAML-defined snapshot (relation:) is refused at its line', () => {
    const p = project({
      'models/orders.sql': 'select 1 as id',
      'snapshots/broken.sql': '{% snapshot %}\nselect 1\n{% endsnapshot %}\n',
      'snapshots/props.yml': `version: 2
snapshots:
  - name: orders_history
    relation: ref('orders')
    config: {unique_key: id, strategy: check, check_cols: all}
`,
    });
    const r = p.tsql(['build']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/snapshots\/broken\.sql:1: /);
    expect(r.stderr).toMatch(/snapshots\/props\.yml:3: snapshot 'orders_history' cannot be built/);
    expect(existsSync(p.dbPath)).toBe(false);
  });

  it('snapshot-paths: [] builds the rest of the project', async () => {
    const p = project({ 'tsql_project.yml': 'name: shop\nprofile: shop\nsnapshot-paths: []\n', 'models/orders.sql': 'select 1 as id', 'snapshots/orders.sql': SNAPSHOT });
    const r = p.tsql(['build']);
    expect(r.code, r.stderr).toBe(0);
    expect(await p.query('select count(*)::int as n from orders')).toEqual([{ n: 1 }]);
  });
});
