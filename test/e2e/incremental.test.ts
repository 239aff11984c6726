import { describe, expect, it } from 'vitest';
import { useProjects, type TempProject } from '../helpers/project.js';

const project = useProjects();

/** A source table the test mutates between runs, and an incremental model over it. */
function incrementalProject(config: string): TempProject {
  return project({
    'seeds/events.csv': 'id,day,value\n1,2024-01-01,10\n2,2024-01-01,20\n3,2024-01-02,30\n',
    'models/daily.sql': `{{ config(${config}) }}
select id, cast(day as date) as day, value
from {{ ref('events') }}
{% if is_incremental() %}
where cast(day as date) >= (select max(day) from {{ this }})
{% endif %}
`,
  });
}

describe('incremental models', () => {
  it('append: first run builds the table, later runs insert only the new batch', async () => {
    const p = incrementalProject(`materialized='incremental'`);
    expect(p.tsql(['build']).code).toBe(0);
    expect(await p.query('select count(*)::int as n from main.daily')).toEqual([{ n: 3 }]);
    // is_incremental() is now true: rows of the latest day (2024-01-02) are appended again.
    const r = p.tsql(['run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/APPEND \(1 rows\)/);
    expect(await p.query('select count(*)::int as n from main.daily')).toEqual([{ n: 4 }]);
  });

  it('delete+insert on a unique key is idempotent: re-running a batch never duplicates rows', async () => {
    const p = incrementalProject(`materialized='incremental', unique_key='id', incremental_strategy='delete+insert'`);
    expect(p.tsql(['build']).code).toBe(0);
    p.write({ 'seeds/events.csv': 'id,day,value\n1,2024-01-01,10\n2,2024-01-01,20\n3,2024-01-02,31\n4,2024-01-02,40\n' });
    expect(p.tsql(['seed']).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = p.tsql(['run']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/DELETE\+INSERT \(2 rows\)/);
    }
    expect(await p.query('select id, value from main.daily order by id')).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 20 },
      { id: 3, value: 31 },
      { id: 4, value: 40 },
    ]);
  });

  it('merge updates matched rows and inserts new ones', async () => {
    const p = incrementalProject(`materialized='incremental', unique_key=['id'], incremental_strategy='merge'`);
    expect(p.tsql(['build']).code).toBe(0);
    p.write({ 'seeds/events.csv': 'id,day,value\n1,2024-01-01,10\n3,2024-01-02,33\n5,2024-01-03,50\n' });
    expect(p.tsql(['seed']).code).toBe(0);
    expect(p.tsql(['run']).code).toBe(0);
    expect(p.tsql(['run']).code).toBe(0);
    expect(await p.query('select id, value from main.daily order by id')).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 20 },
      { id: 3, value: 33 },
      { id: 5, value: 50 },
    ]);
  });

  it('--full-refresh rebuilds from scratch', async () => {
    const p = incrementalProject(`materialized='incremental'`);
    expect(p.tsql(['build']).code).toBe(0);
    expect(p.tsql(['run']).code).toBe(0);
    expect(await p.query('select count(*)::int as n from main.daily')).toEqual([{ n: 4 }]);
    const r = p.tsql(['run', '--full-refresh']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/CREATE TABLE \(3 rows\)/);
    expect(await p.query('select count(*)::int as n from main.daily')).toEqual([{ n: 3 }]);
  });

  it('a failing incremental batch leaves the existing rows untouched', async () => {
    const p = incrementalProject(`materialized='incremental', unique_key='id'`);
    expect(p.tsql(['build']).code).toBe(0);
    p.write({
      'models/daily.sql': `{{ config(materialized='incremental', unique_key='id') }}
select id, cast(day as date) as day, case when id = 3 then cast('boom' as integer) else value end as value
from {{ ref('events') }}
`,
    });
    expect(p.tsql(['run']).code).toBe(1);
    expect(await p.query('select id, value from main.daily order by id')).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 20 },
      { id: 3, value: 30 },
    ]);
  });

  it('on_schema_change=append_new_columns adds columns; fail refuses', async () => {
    const p = incrementalProject(`materialized='incremental', unique_key='id', on_schema_change='append_new_columns'`);
    expect(p.tsql(['build']).code).toBe(0);
    p.write({
      'models/daily.sql': `{{ config(materialized='incremental', unique_key='id', on_schema_change='append_new_columns') }}
select id, cast(day as date) as day, value, value * 2 as doubled from {{ ref('events') }} where id = 3
`,
    });
    expect(p.tsql(['run']).code).toBe(0);
    expect(await p.query('select id, doubled from main.daily order by id')).toEqual([
      { id: 1, doubled: null },
      { id: 2, doubled: null },
      { id: 3, doubled: 60 },
    ]);
    p.write({
      'models/daily.sql': `{{ config(materialized='incremental', unique_key='id', on_schema_change='fail') }}
select id, cast(day as date) as day from {{ ref('events') }}
`,
    });
    const r = p.tsql(['run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/on_schema_change is 'fail'/);
  });

  it('delete+insert without a unique_key is a project error before anything runs', () => {
    const p = incrementalProject(`materialized='incremental', incremental_strategy='delete+insert'`);
    const r = p.tsql(['build']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: models\/daily\.sql: incremental model 'daily' uses the 'delete\+insert' strategy but sets no unique_key/);
  });
});
