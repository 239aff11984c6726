import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, output, useEngineProjects } from '../helpers/engines.js';

/** Models' deprecation_date, as dbt reports it: on DuckDB and PostgreSQL, warnings with file and line. */

const engineProject = useEngineProjects('depr');

for (const engine of LOCAL_ENGINES) {
  describe(`deprecation_date on ${engine}`, () => {
    it('warns where a deprecated model is ref\'d (slated, or passed) and where a passed date is written; the run goes on', () => {
      const w = engineProject(engine, {
        'models/old_orders.sql': 'select 1 as id',
        'models/legacy.sql': 'select 2 as id',
        'models/report.sql': `select *\nfrom {{ ref('old_orders') }}\nunion all select * from {{ ref('legacy') }}`,
        'models/schema.yml': `models:\n  - name: old_orders\n    deprecation_date: 2999-01-01\n    data_tests: []\n  - name: legacy\n    description: the old feed\n    deprecation_date: "2020-06-30 12:00:00+00:00"\n`,
      });
      const r = w.tsql(['run']);
      expect(r.code, output(r)).toBe(0);
      const out = output(r);
      expect(out).toContain("models/report.sql:2: model 'report' refs model 'old_orders', which is slated for deprecation on 2999-01-01");
      expect(out).toContain("models/report.sql:3: model 'report' refs model 'legacy', which was deprecated on 2020-06-30 12:00:00+00:00");
      expect(out).toContain("models/schema.yml:7: model 'legacy' has passed its deprecation date of 2020-06-30 12:00:00+00:00: disable or remove it");
      expect(out).not.toContain("model property 'deprecation_date'");
      expect(out).not.toMatch(/model 'old_orders' has passed/);
      const manifest = JSON.parse(readFileSync(join(w.p.dir, 'target/manifest.json'), 'utf8'));
      expect(manifest.nodes['model.shop.legacy'].deprecation_date).toBe('2020-06-30T12:00:00.000Z');
    });

    it('a deprecation_date that is no date is an error with its line', () => {
      const w = engineProject(engine, { 'models/a.sql': 'select 1 as id', 'models/schema.yml': `models:\n  - name: a\n    deprecation_date: next year\n` });
      const r = w.tsql(['compile']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("models/schema.yml:3: deprecation_date of model 'a' must be a date (2025-06-30) or a date and time (2025-06-30T12:00:00Z), not \"next year\"");
    });
  });
}
