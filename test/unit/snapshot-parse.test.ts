import { describe, expect, it } from 'vitest';
import { duplicateSnapshotNames, parseSnapshotBlocks } from '../../src/project/snapshot-blocks.js';
import { snapshotSpec } from '../../src/project/snapshot-config.js';
import { snapshotMacroWarnings } from '../../src/compiler/snapshot-node.js';

const F = 'snapshots/orders.sql';

describe('snapshot blocks', () => {
  it('reads several blocks per file with their names, bodies and lines', () => {
    const text = "-- history\n{% snapshot orders_snap %}\n{{ config(strategy='check') }}\nselect * from o\n{% endsnapshot %}\n\n{%- snapshot  items_snap -%}select 1{%- endsnapshot -%}\n";
    const { blocks, errors } = parseSnapshotBlocks(text, F);
    expect(errors).toEqual([]);
    expect(blocks.map((b) => [b.name, b.line, b.bodyLine])).toEqual([['orders_snap', 2, 2], ['items_snap', 7, 7]]);
    expect(blocks[0].body).toBe("\n{{ config(strategy='check') }}\nselect * from o\n");
    expect(blocks[1].body).toBe('select 1');
  });

  it('names the line of a block without a name, never closed, nested, or stray text', () => {
    const at = (text: string) => parseSnapshotBlocks(text, F).errors.map((e) => e.format());
    expect(at('\n{% snapshot %}select 1{% endsnapshot %}')).toEqual([`${F}:2: this snapshot block has no name (write {% snapshot my_snapshot %})`]);
    expect(at('{% snapshot a %}\nselect 1\n')).toEqual([`${F}:1: snapshot 'a' is never closed (end it with {% endsnapshot %})`]);
    expect(at('{% snapshot a %}\n{% snapshot b %}{% endsnapshot %}')[0]).toMatch(/^snapshots\/orders\.sql:2: snapshot 'b' opens inside snapshot 'a'/);
    expect(at('{% snapshot a %}select 1{% endsnapshot %}\n/* c */\n\nselect 2')).toEqual([`${F}:4: text outside a {% snapshot %} block is not read (put the select inside {% snapshot name %} … {% endsnapshot %})`]);
    expect(at('{% endsnapshot %}')[0]).toMatch(/:1: \{% endsnapshot %\} without/);
    expect(at('{% snapshot 9x %}select 1{% endsnapshot %}')[0]).toMatch(/'9x' is not a valid snapshot name/);
  });

  it('finds two snapshots with one name across files', () => {
    const errs = duplicateSnapshotNames([{ name: 'a', file: 'snapshots/x.sql', line: 1 }, { name: 'b', file: 'snapshots/x.sql', line: 5 }, { name: 'a', file: 'snapshots/y.sql', line: 3 }]);
    expect(errs.map((e) => e.format())).toEqual(["snapshots/y.sql:3: two snapshots are named 'a' (the other is at snapshots/x.sql:1)"]);
  });
});

describe('snapshot config', () => {
  const place = { file: F, line: 2 };
  const spec = (c: Record<string, unknown>) => snapshotSpec('s', c, place);
  const msgs = (c: Record<string, unknown>) => spec(c).errors.map((e) => e.message);

  it('checks the timestamp and check strategies with their defaults', () => {
    const t = spec({ strategy: 'timestamp', unique_key: 'id', updated_at: 'updated_at', target_schema: 'snapshots' }).spec;
    expect(t).toMatchObject({ strategy: 'timestamp', uniqueKey: ['id'], updatedAt: 'updated_at', hardDeletes: 'ignore', validToCurrent: null, schema: 'snapshots' });
    expect(t?.metaColumns.dbt_scd_id).toBe('dbt_scd_id');
    const c = spec({ strategy: 'check', unique_key: ['a', 'b'], check_cols: 'all', invalidate_hard_deletes: true }).spec;
    expect(c).toMatchObject({ strategy: 'check', uniqueKey: ['a', 'b'], checkCols: 'all', hardDeletes: 'invalidate' });
    expect(spec({ strategy: 'check', unique_key: 'id', check_cols: ['x'], hard_deletes: 'new_record', snapshot_meta_column_names: { dbt_valid_to: 'valid_to' }, dbt_valid_to_current: "'9999-12-31'::date" }).spec)
      .toMatchObject({ checkCols: ['x'], hardDeletes: 'new_record', validToCurrent: "'9999-12-31'::date", metaColumns: { dbt_valid_to: 'valid_to', dbt_valid_from: 'dbt_valid_from' } });
  });

  it('the check strategy takes an optional updated_at for the versions\' time', () => {
    expect(spec({ strategy: 'check', unique_key: 'id', check_cols: 'all', updated_at: 'changed_at' }).spec).toMatchObject({ strategy: 'check', updatedAt: 'changed_at' });
    expect(spec({ strategy: 'check', unique_key: 'id', check_cols: 'all' }).spec?.updatedAt).toBeUndefined();
  });

  it('refuses what dbt refuses, each with the place', () => {
    expect(msgs({ strategy: 'timestamp', updated_at: 'u' })).toEqual(["snapshot 's': unique_key is required"]);
    expect(msgs({ strategy: 'merge', unique_key: 'id' })).toEqual(["snapshot 's': unknown strategy 'merge'"]);
    expect(msgs({ strategy: 'timestamp', unique_key: 'id' })).toEqual(["snapshot 's': the timestamp strategy needs updated_at"]);
    expect(msgs({ strategy: 'check', unique_key: 'id' })).toEqual(["snapshot 's': the check strategy needs check_cols"]);
    expect(msgs({ strategy: 'check', unique_key: 'id', check_cols: ['a'], hard_deletes: 'purge' })).toEqual(["snapshot 's': unknown hard_deletes value 'purge'"]);
    expect(msgs({ strategy: 'check', unique_key: 'id', check_cols: ['a'], snapshot_meta_column_names: { dbt_valid_to: 'dbt_valid_from' } })[0]).toMatch(/two meta columns the name 'dbt_valid_from'/);
    expect(spec({ strategy: 'check', unique_key: 'id' }).errors[0].format()).toMatch(/^snapshots\/orders\.sql:2: /);
    expect(spec({ strategy: 'check', unique_key: 'id' }).spec).toBeUndefined();
  });
});

describe('snapshot macros', () => {
  it('a project macro overriding part of dbt\'s snapshot materialization is a warning with its line', () => {
    const text = "{% macro my_thing() %}1{% endmacro %}\n\n{%- macro snowflake__snapshot_get_time() -%}\n sysdate()\n{% endmacro %}\n{% macro snapshot_merge_sql(a, b, c) %}{% endmacro %}";
    expect(snapshotMacroWarnings([{ relPath: 'macros/snap.sql', text }])).toEqual([
      "macros/snap.sql:3: macro 'snowflake__snapshot_get_time' is not used: tsql builds snapshots itself (each engine's clock, dbt's dbt_scd_id hash), not through dbt's snapshot macros",
      "macros/snap.sql:6: macro 'snapshot_merge_sql' is not used: tsql builds snapshots itself (each engine's clock, dbt's dbt_scd_id hash), not through dbt's snapshot macros",
    ]);
  });
});
