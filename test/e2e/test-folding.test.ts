import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

/** 1,000 rows with nulls, duplicates and bad values at known rates. */
const DATA = `{{ config(materialized='table') }}
select
    i as id,
    case when i % 7 = 0 then null else i % 13 end as a,
    case when i % 5 = 0 then 'x' when i % 11 = 0 then null when i % 17 = 0 then 'y' else 'ok' end as s,
    i % 4 as k,
    case when i % 9 = 0 then -1 else i end as amount
from range(1, 1001) as t(i)
`;

const SCHEMA = `version: 2
models:
  - name: data
    data_tests:
      - not_empty
      - dbt_utils.expression_is_true:
          arguments:
            expression: "amount >= 0"
      - expression_is_true:
          expression: "amount >= 0"
          name: expression_is_true_data_upper_half
          config:
            where: "id > 500"
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: a
        data_tests:
          - not_null
          - not_null:
              name: not_null_a_limited
              config: {limit: 2}
          - not_null:
              name: not_null_a_thresholds
              config: {error_if: ">1000", warn_if: ">100"}
      - name: s
        data_tests:
          - not_null:
              config: {severity: warn}
          - accepted_values:
              values: [ok]
          - accepted_values:
              values: [ok, x]
              config: {where: "id <= 500"}
      - name: k
        data_tests:
          - unique
          - unique:
              name: unique_k_first_two
              config: {where: "id <= 2"}
          - accepted_values:
              arguments:
                values: [0, 1]
                quote: false
`;

function results(dir: string): Record<string, { status: string; failures: number | null }> {
  const json = JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8'));
  return Object.fromEntries(json.results.map((r: any) => [r.unique_id.split('.')[2], { status: r.status, failures: r.failures }]));
}

describe('test folding', () => {
  it('gives exactly the results of one query per test, and uses one scan', () => {
    const p = project({ 'models/data.sql': DATA, 'models/schema.yml': SCHEMA });
    expect(p.tsql(['run']).code).toBe(0);
    const folded = p.tsql(['test', '--fold-tests']);
    const foldedResults = results(p.dir);
    const runDir = join(p.dir, 'target/run/shop/models/schema.yml');
    const runFiles = readdirSync(runDir).map((f) => readFileSync(join(runDir, f), 'utf8'));
    const scans = runFiles.filter((t) => t.includes(' as "t0"'));
    const pointers = runFiles.filter((t) => t.startsWith('-- counted by one scan of "warehouse"."main"."data" shared by 11 tests'));
    const scan = scans[0];
    const single = p.tsql(['test']);
    const singleResults = results(p.dir);

    expect(foldedResults).toEqual(singleResults);
    expect(folded.code).toBe(single.code);
    // Independent expectations, so the comparison cannot pass with both wrong.
    expect(foldedResults).toMatchObject({
      not_empty_data_: { status: 'pass', failures: 0 },
      dbt_utils_expression_is_true_data_amount_0: { status: 'fail', failures: 111 },
      expression_is_true_data_upper_half: { status: 'fail', failures: 56 },
      unique_data_id: { status: 'pass', failures: 0 },
      not_null_data_id: { status: 'pass', failures: 0 },
      not_null_data_a: { status: 'fail', failures: 142 },
      not_null_a_limited: { status: 'fail', failures: 2 },
      not_null_a_thresholds: { status: 'warn', failures: 142 },
      not_null_data_s: { status: 'warn', failures: 72 },
      accepted_values_data_s__ok: { status: 'fail', failures: 2 },
      unique_data_k: { status: 'fail', failures: 4 },
      unique_k_first_two: { status: 'pass', failures: 0 },
      accepted_values_data_k__False__0__1: { status: 'fail', failures: 2 },
    });
    // The second accepted_values test on s (where id <= 500) allows 'x' but not 'y'.
    const acceptedWithWhere = Object.entries(foldedResults).find(([k]) => k.startsWith('accepted_values_data_s__ok__x'));
    expect(acceptedWithWhere?.[1]).toEqual({ status: 'fail', failures: 1 });
    // One shared scan answered the folded tests; without folding each test sent its own query.
    expect(scan).toMatch(/^select\n {2}(count_if\(|case when count)/);
    // unique runs its own query (an exact single-scan form would cost more than it saves)
    expect(scan.match(/ as "t\d+"/g)!.length).toBe(11);
    expect(scans).toHaveLength(1);
    expect(pointers).toHaveLength(10);
    const own = readFileSync(join(p.dir, 'target/run/shop/models/schema.yml/not_null_data_a.sql'), 'utf8');
    expect(own).toMatch(/from \(\nselect a\nfrom "warehouse"\."main"\."data"\nwhere a is null\n\) as tsql_test/);
    expect(existsSync(join(p.dir, 'target/compiled/shop/models/schema.yml/not_null_data_a.sql'))).toBe(true);
  });
});
