/**
 * Template skeletons (src/templating/jinja/skeletons.ts) give a template the code and constants
 * nunjucks' own code generation gives it, without parsing it when its skeleton was met before.
 * Checked on every template of the repository (models, macros, packages of the fixtures,
 * tsql's built-in macros, and the Jinja written in the tests' sources), on mutations of each
 * (their text, string and number literals and line breaks changed, compiled after the
 * original, so through its recipe), and on cases chosen for what code generation does with a
 * value besides passing it through.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createEnvironment } from '../../src/templating/environment.js';
import { preprocessJinja } from '../../src/templating/jinja-compat.js';
import { compileLiftedDirectly, type CompileSettings } from '../../src/templating/jinja/compile-entry.js';
import { TemplateSkeletons } from '../../src/templating/jinja/skeletons.js';
import { BUILTIN_MACROS, BUILTIN_TESTS } from '../../src/templating/builtin-macros.js';
import { CROSS_DB_MACRO_FILES } from '../../src/templating/cross-db/index.js';

const root = join(import.meta.dirname, '..', '..');
const env = createEnvironment() as unknown as CompileSettings;

function filesUnder(dir: string, ext: RegExp, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'target' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, ext, out);
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

/** The string literals of a TypeScript source that hold Jinja (the tests' templates). */
function jinjaStrings(ts: string): string[] {
  const out: string[] = [];
  for (const m of ts.matchAll(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.|\$(?!\{))*`/g)) {
    if (!/\{[{%#]/.test(m[0])) continue;
    try {
      out.push(new Function(`return ${m[0]}`)() as string);
    } catch {
      // not a plain literal
    }
  }
  return out;
}

function corpus(): Array<[name: string, text: string]> {
  const items: Array<[string, string]> = [];
  for (const dir of ['models', 'macros', 'tests', 'snapshots', 'analyses', 'test/fixtures']) {
    for (const f of filesUnder(join(root, dir), /\.(sql|md)$/)) items.push([relative(root, f), readFileSync(f, 'utf8')]);
  }
  items.push(['<builtin macros>', BUILTIN_MACROS], ['<builtin tests>', BUILTIN_TESTS]);
  for (const f of CROSS_DB_MACRO_FILES) items.push([f.file, f.text]);
  for (const f of filesUnder(join(root, 'test'), /\.ts$/)) {
    jinjaStrings(readFileSync(f, 'utf8')).forEach((t, i) => items.push([`${relative(root, f)}#${i}`, t]));
  }
  return items;
}

type Result = { code: string; constants: unknown[] } | { error: string };

function direct(src: string, name: string): Result {
  try {
    const { code, constants } = compileLiftedDirectly(src, name, env);
    return { code, constants };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Compiles `src` through `skeletons` and checks the result against nunjucks' own; true if a skeleton's recipe gave it. */
function check(skeletons: TemplateSkeletons, raw: string, name: string): boolean {
  let src: string;
  try {
    src = preprocessJinja(raw);
  } catch {
    return false;
  }
  const want = direct(src, name);
  const got = skeletons.compile(src, name);
  if (got === undefined) return false;
  expect('error' in want ? want.error : undefined, `${name} compiles by its skeleton but not on its own:\n${raw}`).toBeUndefined();
  const ok = want as { code: string; constants: unknown[] };
  expect(got.code, `code of ${name}:\n${raw}`).toBe(ok.code);
  expect(got.constants, `constants of ${name}:\n${raw}`).toEqual(ok.constants);
  got.constants.forEach((v, i) => expect(Object.is(v, ok.constants[i]), `constant ${i} of ${name}`).toBe(true));
  // a recipe's result carries its shared shape; a template compiled on its own does not
  return got.shape !== undefined;
}

/** A deterministic PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;

/** `text` with its parts outside tags, and its string and number literals inside tags, changed. */
function mutate(text: string, rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const words = ['', 'a', 'orders', 'constructor', 'x y', 'line\\nbreak', '__proto__', 'caller', 'sélect', '0', '-', 'tsql_k'];
  const mutateTag = (tag: string) =>
    tag
      .replace(/'(?:[^'\\\n{}%#]|\\.)*'/g, (s) => (rand() < 0.5 ? `'${pick(words)}'` : s))
      .replace(/(?<![\w.])\d+(\.\d+)?(?![\w.])/g, (s) => (rand() < 0.5 ? pick(['0', '7', '123456', '2.5', '10.0', '99999999999999999999']) : s));
  const mutateText = (s: string) => {
    const r = rand();
    if (r < 0.2) return s;
    if (r < 0.4) return s.replace(/[a-z]/g, (c) => (rand() < 0.3 ? pick(['q', 'Z', '\n', ' ']) : c));
    if (r < 0.55) return `\n\n${s}`;
    if (r < 0.7) return `${s}  \n `;
    if (r < 0.8) return s.replace(/\S/g, '');
    if (r < 0.9) return `${s}x`;
    return pick(['', ' ', '\n', 'select 1', '\t\r\n']);
  };
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TAG)) {
    out += mutateText(text.slice(last, m.index)) + mutateTag(m[0]);
    last = m.index + m[0].length;
  }
  return out + mutateText(text.slice(last));
}

describe('template skeletons', () => {
  const items = corpus();

  it('give every template of the repository the code and constants nunjucks gives it', () => {
    const skeletons = new TemplateSkeletons(env);
    let compiles = 0;
    let answered = 0;
    // the first time a skeleton is met its template is compiled on its own; the second time, by a recipe
    for (const [name, text] of items) check(skeletons, text, name);
    for (const [name, text] of items) {
      if (check(skeletons, text, name)) answered++;
      // templates with errors, {% raw %} or {% block %} are left to nunjucks
      if (!('error' in direct(preprocessJinja(text), name)) && !/\{%-?\s*(raw|block)\b/.test(text)) compiles++;
    }
    expect(items.length).toBeGreaterThan(400);
    expect(answered).toBeGreaterThan(0.98 * compiles);
  });

  it('give mutated templates, compiled after their originals, the code and constants nunjucks gives them', () => {
    const skeletons = new TemplateSkeletons(env);
    const rand = prng(20261207);
    let reused = 0;
    for (const [name, text] of items) {
      check(skeletons, text, name);
      for (let i = 0; i < 4; i++) {
        const m = mutate(text, rand);
        if (check(skeletons, m, `${name}~${i}`)) reused++;
      }
    }
    expect(reused).toBeGreaterThan(items.length);
  });

  it('reuse a skeleton across templates written alike, reading each one constants from its own tokens', () => {
    const skeletons = new TemplateSkeletons(env);
    const a = "{{ config(materialized='table') }}\nselect * from {{ ref('a') }} where x > 1";
    const b = "{{ config(materialized='view') }}\n\n-- b\nselect id from   {{ ref('orders') }} where x > 25";
    expect(check(skeletons, a, 'models/a.sql')).toBe(false); // met once: compiled on its own
    expect(check(skeletons, b, 'models/b.sql')).toBe(true);
    const ca = skeletons.compile(preprocessJinja(a), 'models/a.sql')!;
    const cb = skeletons.compile(preprocessJinja(b), 'models/b.sql')!;
    expect(cb.code).toBe(ca.code);
    expect(cb.shape).toBe(ca.shape);
    expect(cb.constants).toContain('orders');
    expect(cb.constants).toContain('\n\n-- b\nselect id from   ');
  });

  it('keep values code generation looks at in the skeleton: the sandbox refuses a name the first template did not have', () => {
    const skeletons = new TemplateSkeletons(env);
    expect(check(skeletons, "{{ x['a'] }}", 'a.sql')).toBe(false);
    expect(check(skeletons, "{{ x['b'] }}", 'a.sql')).toBe(true);
    expect(skeletons.compile("{{ x['constructor'] }}", 'b.sql')).toBeUndefined();
    expect(direct("{{ x['constructor'] }}", 'b.sql')).toMatchObject({ error: expect.stringContaining("'constructor' is not available in templates") });
    // a dict's key is written into the code: the skeleton keeps it, and has a recipe per key
    expect(check(skeletons, "{% set d = {'k': 1} %}{{ d.k }}", 'c.sql')).toBe(false);
    expect(check(skeletons, "{% set d = {'other': 1} %}{{ d.k }}", 'd.sql')).toBe(true);
    expect(check(skeletons, "{% set d = {'k': 2} %}{{ d.k }}", 'c.sql')).toBe(true);
    expect(skeletons.compile("{% set d = {'__proto__': 1} %}", 'e.sql')).toBeUndefined();
  });

  it('keep a number in the skeleton where code generation writes it into the code (the name of a call through a subscript)', () => {
    const skeletons = new TemplateSkeletons(env);
    expect(check(skeletons, '{{ cols[0].values() }} {{ 5 }}', 'a.sql')).toBe(false);
    expect(check(skeletons, '{{ cols[1].values() }} {{ 6 }}', 'b.sql')).toBe(true);
    expect(check(skeletons, '{{ cols[1].values() }} {{ 7 }}', 'b.sql')).toBe(true);
    expect(check(skeletons, "{{ d['k'].f() }}", 'c.sql')).toBe(false);
    expect(check(skeletons, "{{ d['j'].f() }}", 'd.sql')).toBe(true);
  });

  it('keep blank text in the skeleton: trimmed to nothing it writes no code', () => {
    const skeletons = new TemplateSkeletons(env);
    for (const t of ['a {%- if x %}b{% endif -%} c', '\n {%- if x %}b{% endif -%} \n', 'a {%- if x %}b{% endif -%}\n', '{{ x -}}  {{- y }}', '{{ x -}} z {{- y }}']) {
      expect(check(skeletons, t, 't.sql'), t).toBe(false);
      expect(check(skeletons, t, 't.sql'), t).toBe(true);
    }
  });

  it('leave templates that read their source past the tokens, or hold a marker, to nunjucks', () => {
    const skeletons = new TemplateSkeletons(env);
    expect(skeletons.compile('{% raw %}{{ x }}{% endraw %}', 'r.sql')).toBeUndefined();
    expect(skeletons.compile("{% block b %}x{% endblock %}", 'b.sql')).toBeUndefined();
    expect(skeletons.compile('select \uE000 {{ x }}', 'm.sql')).toBeUndefined();
    expect(skeletons.compile('select 1300000000 as n, {{ x }}', 'n.sql')).toBeUndefined();
    expect(skeletons.compile('{{ x ', 'e.sql')).toBeUndefined();
  });

  it('give templates that name themselves in their code (imports) a recipe per name', () => {
    const skeletons = new TemplateSkeletons(env);
    expect(check(skeletons, "{% import 'macros.sql' as m %}{{ m.f() }}", 'models/a.sql')).toBe(false);
    expect(check(skeletons, "{% import 'other.sql' as m %}{{ m.f() }}", 'models/b.sql')).toBe(true);
    expect(check(skeletons, "{% import 'third.sql' as m %}{{ m.f() }}", 'models/b.sql')).toBe(true);
    expect(check(skeletons, "{% import 'macros.sql' as m %}{{ m.f() }}", 'models/c.sql')).toBe(true);
    expect(check(skeletons, "{% from 'x.sql' import f %}{{ f(1) }}", 'models/c.sql')).toBe(false);
    expect(check(skeletons, "{% from 'y.sql' import f %}{{ f(2) }}", 'models/d.sql')).toBe(true);
  });
});
