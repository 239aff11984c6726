import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, useProjects } from '../helpers/project.js';

/**
 * The generated code of tsql's own templates (built-in macros and tests) ships with the build
 * (scripts/build.mjs, dist/templating/builtin-templates.json), so that a fresh checkout does
 * not generate it again. These tests run against the build (dist/), as the CLI does.
 */
const dist = (rel: string) => import(pathToFileURL(join(REPO_ROOT, 'dist', rel)).href);
const shippedFile = join(REPO_ROOT, 'dist', 'templating', 'builtin-templates.json');

describe('the built-in templates shipped with the build', () => {
  const project = useProjects();

  it('answer an empty template cache for tsql’s own macros', async () => {
    const { TemplateCodeCache } = await dist('templating/template-cache.js');
    const { rewriteTestBlocks } = await dist('templating/macros.js');
    const { BUILTIN_MACROS, BUILTIN_TESTS } = await dist('templating/builtin-macros.js');
    const { CROSS_DB_MACRO_FILES } = await dist('templating/cross-db/index.js');
    // no file of its own: only the shipped code can answer
    const cache = new TemplateCodeCache(undefined, ['do', 'with']);
    const files = [
      { file: '<tsql builtin macros>', text: BUILTIN_MACROS },
      { file: '<tsql builtin tests>', text: BUILTIN_TESTS },
      ...(CROSS_DB_MACRO_FILES as Array<{ file: string; text: string }>),
    ];
    for (const f of files) expect(cache.get(cache.key(rewriteTestBlocks(f.text), f.file)), f.file).toMatchObject({ code: expect.any(String) });
    // and nothing else
    expect(cache.get(cache.key('select 1', 'models/a.sql'))).toBeUndefined();
  });

  it('are what a compile generates for them, under the same salt', () => {
    const p = project({ 'models/a.sql': "select 1 as id, '{{ dbt.type_string() }}' as t\n" });
    expect(p.tsql(['compile']).code).toBe(0);
    const shipped = JSON.parse(readFileSync(shippedFile, 'utf8')) as { salt: string; shapes: Record<string, string>; entries: Record<string, [string, unknown[]]> };
    const own = JSON.parse(readFileSync(join(p.dir, 'target', '.tsql_cache', 'templates.json'), 'utf8')) as typeof shipped;
    expect(own.salt).toBe(shipped.salt);
    expect(Object.keys(shipped.entries).length).toBeGreaterThanOrEqual(9);
    for (const [key, [shape, constants]] of Object.entries(shipped.entries)) {
      expect(own.entries[key]).toEqual([shape, constants]);
      expect(own.shapes[shape]).toBe(shipped.shapes[shape]);
    }
  });
});
