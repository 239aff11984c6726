import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { FOLDING_EXPECTED, FOLDING_SCHEMA, foldingModel } from '../fixtures/folding.js';

const project = useProjects();


function results(dir: string): Record<string, { status: string; failures: number | null }> {
  const json = JSON.parse(readFileSync(join(dir, 'target/run_results.json'), 'utf8'));
  return Object.fromEntries(json.results.map((r: any) => [r.unique_id.split('.')[2], { status: r.status, failures: r.failures }]));
}

describe('test folding', () => {
  it('gives exactly the results of one query per test, and uses one scan', () => {
    const p = project({ 'models/data.sql': foldingModel('range(1, 1001) as t(i)'), 'models/schema.yml': FOLDING_SCHEMA });
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
    expect(foldedResults).toMatchObject(FOLDING_EXPECTED);
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
