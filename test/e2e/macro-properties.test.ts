import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, output, useEngineProjects } from '../helpers/engines.js';

/** dbt's macro properties (`macros:` in a properties file): read, checked against the signature, in manifest.json and on the docs site. */

const engineProject = useEngineProjects('macprops');

const FILES = {
  'macros/cents.sql': `{% macro cents_to_dollars(column_name, scale=2) %}round({{ column_name }} / 100.0, {{ scale }}){% endmacro %}\n{% macro internal_helper() %}1{% endmacro %}`,
  'macros/docs.md': `{% docs cents %}Converts **cents** to dollars.{% enddocs %}`,
  'models/orders.sql': `select {{ cents_to_dollars('1250') }} as amount, {{ internal_helper() }} as one`,
  'macros/props.yml': `macros:
  - name: cents_to_dollars
    description: '{{ doc("cents") }}'
    arguments:
      - name: column_name
        type: string
        description: the column in cents
      - name: scael
        type: integer
  - name: internal_helper
    docs:
      show: false
  - name: missing_macro
    description: nothing
`,
};

for (const engine of LOCAL_ENGINES) {
  describe(`macro properties on ${engine}`, () => {
    it('reach the manifest and the docs site; an argument the macro lacks and a macro the project lacks warn with their line', () => {
      const w = engineProject(engine, FILES);
      const r = w.tsql(['run']);
      expect(r.code, output(r)).toBe(0);
      const out = output(r);
      expect(out).toContain("macros/props.yml:8: macro 'cents_to_dollars' has no argument 'scael' (did you mean 'scale'?)");
      expect(out).toContain("macros/props.yml:13: properties for macro 'missing_macro', but the project has no such macro");
      expect(out).not.toContain("top-level key 'macros'");
      const manifest = JSON.parse(readFileSync(join(w.p.dir, 'target/manifest.json'), 'utf8'));
      const m = manifest.macros['macro.shop.cents_to_dollars'];
      expect(m.description).toBe('Converts **cents** to dollars.');
      expect(m.arguments).toEqual([
        { name: 'column_name', type: 'string', description: 'the column in cents' },
        { name: 'scael', type: 'integer', description: '' },
      ]);
      expect(m.patch_path).toBe('macros/props.yml');
      expect(manifest.macros['macro.shop.internal_helper'].docs).toEqual({ show: false });
      const docs = w.tsql(['docs', 'generate', '--empty-catalog']);
      expect(docs.code, output(docs)).toBe(0);
      const text = readFileSync(join(w.p.dir, 'target', 'docs', 'tsql-docs-data.js'), 'utf8');
      const data = JSON.parse(text.replace(/^window\.TSQL_DOCS = /, '').replace(/;\s*$/, '')) as { macros: Array<{ name: string; descriptionHtml: string; arguments: Array<{ name: string; type?: string; descriptionHtml: string }>; hidden: boolean }> };
      const page = data.macros.find((x) => x.name === 'cents_to_dollars')!;
      expect(page.descriptionHtml).toContain('<strong>cents</strong>');
      expect(page.arguments[0]).toMatchObject({ name: 'column_name', type: 'string' });
      expect(page.arguments[0].descriptionHtml).toContain('the column in cents');
      expect(data.macros.find((x) => x.name === 'internal_helper')!.hidden).toBe(true);
    });

    it('a malformed entry is an error with its line', () => {
      const w = engineProject(engine, { ...FILES, 'macros/props.yml': `macros:\n  - name: cents_to_dollars\n    arguments:\n      - name: column_name\n        kind: string\n` });
      const r = w.tsql(['compile']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("macros/props.yml:5: unknown key 'kind' in argument 'column_name' of macro 'cents_to_dollars'");
    });
  });
}
