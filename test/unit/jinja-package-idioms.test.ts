import { describe, expect, it } from 'vitest';
import nunjucks from 'nunjucks';
import { installJinjaCompat, preprocessJinja } from '../../src/templating/jinja-compat.js';
import { templateModules } from '../../src/templating/modules/index.js';

// Built like production builds its environment (throwOnUndefined on).
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
installJinjaCompat(env);

function render(src: string, ctx: object = {}): string {
  return env.renderString(preprocessJinja(src), { modules: templateModules(), ...ctx });
}
function renderError(src: string, ctx: object = {}): string {
  try {
    render(src, ctx);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected an error rendering ${src}`);
}

// The expected strings are what Jinja2 3.1 (with dbt's modules) renders for the same templates.
describe('Jinja idioms of dbt packages', () => {
  it('*args and **kwargs spread into macro calls, with the surplus collected as varargs/kwargs', () => {
    const macros = "{% macro f(a, b=2, c=3) %}{{ a }}-{{ b }}-{{ c }}|{{ kwargs }}{% endmacro %}{% macro g(a) %}{{ f(a, *varargs, **kwargs) }}{% endmacro %}";
    expect(render(`${macros}{{ f(*[1, 5]) }} {{ f(1, **{'c': 9}) }} {{ g(1, 7, c=8, z=0) }}`)).toBe("1-5-3|{} 1-2-9|{} 1-7-8|{'z': 0}");
    expect(render("{% macro h(x) %}{{ x }}{{ kwargs.get('label', 'none') }}{% endmacro %}{{ h(**{'x': 1, 'label': 'L'}) }}")).toBe('1L');
  });

  it('spreading a non-mapping or a keyword twice is a TypeError; * in a filter is a template error', () => {
    const f = '{% macro f(a) %}{{ a }}{% endmacro %}';
    expect(renderError(`${f}{{ f(**[1]) }}`)).toMatch(/argument after \*\* must be a mapping, not list/);
    expect(renderError(`${f}{{ f(a=1, **{'a': 2}) }}`)).toMatch(/multiple values for keyword argument 'a'/);
    expect(renderError(`${f}{{ f(*none) }}`)).toMatch(/argument after \* must be an iterable/);
    expect(renderError("{{ 'a' | replace(*['a', 'b']) }}")).toMatch(/\*args and \*\*kwargs can only be passed to a function or macro call/);
  });

  it('a variable set only in a branch not taken prints nothing; a name never assigned is still an error', () => {
    expect(render("{% if false %}{% set gb = 'a, ' %}{% endif %}select {{ gb }}x")).toBe('select x');
    expect(render("{% for i in [] %}{% endfor %}{% if false %}{% set y = 1 %}{% endif %}[{{ y }}]{{ y is defined }}")).toBe('[]False');
    expect(renderError('select {{ never_assigned }}')).toMatch(/undefined/);
  });

  it('modules.re: match, search, fullmatch, sub (with group references), findall, split, compile, flags', () => {
    const re = (src: string) => render(`{% set re = modules.re %}${src}`);
    expect(re("{{ re.sub('[^a-z0-9_]+', '_', 'hello world-2') }}")).toBe('hello_world_2');
    expect(re("{{ re.sub('(\\\\w+)@(\\\\w+)', '\\\\2 at \\\\g<1>', 'me@host') }}")).toBe('host at me');
    expect(re("{{ re.match('a', 'ba') is none }} {{ re.search('a', 'ba').start() }} {{ re.fullmatch('b.', 'ba') is not none }}")).toBe('True 1 True');
    expect(re("{{ re.search('(?P<y>\\\\d{4})-(\\\\d{2})', 'on 2024-03').group('y') }} {{ re.search('(\\\\d+)-(\\\\d+)', '1-2').groups() }}")).toBe("2024 ('1', '2')");
    expect(re("{{ re.findall('\\\\d', 'a1b22') }} {{ re.findall('(a)(b)', 'abab') }} {{ re.split(',\\\\s*', 'a, b,c') }}")).toBe("['1', '2', '2'] [('a', 'b'), ('a', 'b')] ['a', 'b', 'c']");
    expect(re("{{ re.match('(?i)ABC', 'abc') is not none }} {{ re.match('abc', 'ABC', re.IGNORECASE) is not none }} {{ re.compile('^[-imsU]*(?<!-)$').match('im') is not none }}")).toBe('True True True');
    expect(re("{{ re.sub('a', 'b', 'aaa', 2) }} {{ re.escape('a.b') }}")).toBe('bba a\\.b');
  });

  it('modules.datetime: datetime(...), date(...), strftime, isoformat, fromisoformat, now() and today() as values', () => {
    expect(render("{{ modules.datetime.datetime(2024, 3, 5, 6, 7, 8).strftime('%Y-%m-%d %H:%M') }} {{ modules.datetime.datetime(2024, 3, 5) }}")).toBe('2024-03-05 06:07 2024-03-05 00:00:00');
    expect(render("{{ modules.datetime.date(2024, 1, 7).isoformat() }} {{ modules.datetime.date(2024, 1, 7).isoweekday() }} {{ modules.datetime.datetime.fromisoformat('2024-01-02T03:04:05').hour }}")).toBe('2024-01-07 7 3');
    expect(render("{{ modules.datetime.datetime.now().strftime('%Y') | int > 2000 }} {{ modules.datetime.date.today().year > 2000 }} {{ modules.datetime.datetime.utcnow().year > 2000 }}")).toBe('True True True');
    expect(renderError("{{ modules.datetime.timedelta(days=1) }}")).toMatch(/timedelta/);
  });
});
