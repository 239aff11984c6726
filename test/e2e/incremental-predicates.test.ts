import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, output, useEngineProjects } from '../helpers/engines.js';
import { runCliAsync } from '../helpers/project.js';
import { useStandins } from '../helpers/standins.js';
import { ORDERS_SQL, PREDICATES_AFTER, predicatesModel, rowText } from '../fixtures/incremental-predicates.js';

/** incremental_predicates through the real CLI: DuckDB, PostgreSQL, and the Redshift and Snowflake stand-ins. */

const engineProject = useEngineProjects('preds');
const standins = useStandins('preds');

for (const engine of LOCAL_ENGINES) {
  for (const strategy of ['merge', 'delete+insert'] as const) {
    describe(`incremental_predicates with ${strategy} on ${engine}`, () => {
      it('leaves target rows outside the predicates alone; a rerun gives the same rows; a new row outside them fails the run and changes nothing', async () => {
        const w = engineProject(engine, predicatesModel(strategy));
        const rows = async () => rowText(await w.query(ORDERS_SQL));
        const first = w.tsql(['run']);
        expect(first.code, output(first)).toBe(0);
        const second = w.tsql(['run']);
        expect(second.code, output(second)).toBe(0);
        expect(await rows()).toEqual(PREDICATES_AFTER);
        const again = w.tsql(['run']);
        expect(again.code, output(again)).toBe(0);
        expect(await rows()).toEqual(PREDICATES_AFTER);
        const late = w.tsql(['run', '--vars', '{late: true}']);
        expect(late.code).toBe(1);
        expect(output(late)).toContain('1 new row of orders does not satisfy its incremental_predicates: a rerun would not replace it but add it again, so nothing was changed');
        expect(await rows()).toEqual(PREDICATES_AFTER);
      });
    });
  }

  describe(`incremental_predicates where they do nothing, on ${engine}`, () => {
    it('warns with the line for a table and for append; DBT_INTERNAL_SOURCE in a delete+insert is an error with its line', () => {
      const w = engineProject(engine, {
        'models/t.sql': `{{ config(materialized='table') }}\nselect 1 as id`,
        'models/a.sql': `{{ config(materialized='incremental') }}\nselect 1 as id`,
        'models/schema.yml': `models:\n  - name: t\n    config:\n      incremental_predicates: ["id > 0"]\n`,
        'tsql_project.yml': `name: shop\nprofile: shop\nmodels:\n  shop:\n    a:\n      +incremental_predicates: ["id > 0"]\n`,
      });
      const r = w.tsql(['run']);
      expect(r.code, output(r)).toBe(0);
      expect(output(r)).toContain("models/schema.yml:2: model config 'incremental_predicates' is ignored for t: it applies to incremental models, and this one is materialized as 'table'");
      expect(output(r)).toContain("tsql_project.yml:6: model config 'incremental_predicates' is ignored for a: an append deletes and matches nothing");
      w.p.write({ 'models/d.sql': `{{ config(materialized='incremental', unique_key='id',\n  incremental_predicates=['DBT_INTERNAL_DEST.id = DBT_INTERNAL_SOURCE.id']) }}\nselect 1 as id` });
      const bad = w.tsql(['run']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("models/d.sql:2: model 'd': incremental_predicates name DBT_INTERNAL_SOURCE, but a delete+insert deletes from the target alone");
    });
  });
}

for (const [name, make] of [
  ['the Redshift stand-in', (files: Record<string, string>) => standins.redshift(files)],
  ['the Snowflake stand-in', (files: Record<string, string>) => standins.snowflake(files)],
] as const) {
  for (const strategy of ['merge', 'delete+insert'] as const) {
    describe(`incremental_predicates with ${strategy} on ${name}`, () => {
      it('applies the predicates in the engine\'s SQL; a rerun gives the same rows; a new row outside them changes nothing', async () => {
        const w = make(predicatesModel(strategy));
        const run = (args: string[]) => runCliAsync(args, w.p.dir, w.env);
        const rows = async () => rowText(await w.query(ORDERS_SQL.replace('$s', w.schemaSql)));
        for (let i = 0; i < 3; i++) {
          const r = await run(['run']);
          expect(r.code, output(r)).toBe(0);
        }
        expect(await rows()).toEqual(PREDICATES_AFTER);
        const late = await run(['run', '--vars', '{late: true}']);
        expect(late.code).toBe(1);
        expect(output(late)).toContain('does not satisfy its incremental_predicates');
        expect(await rows()).toEqual(PREDICATES_AFTER);
      });
    });
  }
}
