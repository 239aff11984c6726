import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, output, useEngineProjects } from '../helpers/engines.js';

/** Source freshness from dbt 1.10's loaded_at_query (and freshness under config:), on DuckDB and PostgreSQL. */

const engineProject = useEngineProjects('laq');

const sources = (schema: string) => `sources:
  - name: app
    schema: ${schema}
    config:
      freshness:
        warn_after: {count: 1, period: hour}
        error_after: {count: 1, period: day}
      loaded_at_query: "select max(loaded_at) from ${schema}.raw_events"
    tables:
      - name: raw_events
      - name: fresh_one
        identifier: raw_events
        loaded_at_query: select current_timestamp
      - name: by_field
        identifier: raw_events
        config:
          loaded_at_field: loaded_at
      - name: stale_one
        identifier: raw_events
        config:
          freshness:
            error_after: {count: 2, period: hour}
`;

for (const engine of LOCAL_ENGINES) {
  describe(`loaded_at_query on ${engine}`, () => {
    it("measures the age from the query's time; the table's loaded_at_field wins over its source's query", async () => {
      const w = engineProject(engine, { 'models/raw_events.sql': `{{ config(materialized='table') }}\nselect current_timestamp - interval '3 hours' as loaded_at` });
      expect(w.tsql(['run']).code).toBe(0);
      w.p.write({ 'models/sources.yml': sources(w.schema) });
      const r = w.tsql(['source', 'freshness']);
      expect(r.code, output(r)).toBe(1);
      expect(output(r)).not.toContain('loaded_at_query');
      const results = Object.fromEntries((JSON.parse(readFileSync(join(w.p.dir, 'target/sources.json'), 'utf8')).results as Array<{ unique_id: string; status: string; max_loaded_at_time_ago_in_s: number }>).map((x) => [x.unique_id, x]));
      expect(results['source.shop.app.raw_events'].status).toBe('warn');
      expect(Math.round(results['source.shop.app.raw_events'].max_loaded_at_time_ago_in_s / 3600)).toBe(3);
      expect(results['source.shop.app.fresh_one'].status).toBe('pass');
      expect(results['source.shop.app.by_field'].status).toBe('warn');
      expect(results['source.shop.app.stale_one'].status).toBe('error');
      expect(w.tsql(['compile']).code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(w.p.dir, 'target/manifest.json'), 'utf8'));
      expect(manifest.sources['source.shop.app.fresh_one'].loaded_at_query).toBe('select current_timestamp');
      expect(manifest.sources['source.shop.app.by_field'].loaded_at_query).toBeNull();
    });

    it('both keys on one level is an error with its line; a filter beside a query warns', () => {
      const w = engineProject(engine, {
        'models/one.sql': 'select 1 as x',
        'models/sources.yml': `sources:\n  - name: app\n    tables:\n      - name: t\n        loaded_at_field: loaded_at\n        loaded_at_query: select current_timestamp\n`,
      });
      const bad = w.tsql(['compile']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('models/sources.yml:6: loaded_at_field and loaded_at_query are both set: freshness takes one');
      w.p.write({ 'models/sources.yml': `sources:\n  - name: app\n    tables:\n      - name: t\n        loaded_at_query: select current_timestamp\n        freshness: {warn_after: {count: 1, period: hour}, filter: "x > 1"}\n` });
      const r = w.tsql(['compile']);
      expect(r.code, output(r)).toBe(0);
      expect(output(r)).toContain('models/sources.yml:4: the freshness filter of source app.t is ignored');
    });
  });
}
