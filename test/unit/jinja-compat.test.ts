import { describe, it, expect } from 'vitest';
import nunjucks from 'nunjucks';
import { installJinjaCompat, preprocessJinja } from '../../src/templating/jinja-compat.js';

// Built like production builds its environment.
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false, trimBlocks: false, lstripBlocks: false });
installJinjaCompat(env);

const CTX = {
  x: 1,
  n: null,
  s: 'Hello World',
  items: ['a', 'b', 'c'],
  nums: [3, 1, 2],
  d: { a: 1, b: 2 },
  empty: [],
  words: ['b', 'A', 'a', 'B'],
  cols: [
    { name: 'id', type: 'int' },
    { name: 'Name', type: 'text' },
    { name: 'amt', type: 'int' },
  ],
};

function render(src: string, ctx: object = structuredClone(CTX)): string {
  return env.renderString(preprocessJinja(src), ctx);
}

type Case = [src: string, expected: string];

function check(cases: Case[]): void {
  for (const [src, expected] of cases) expect(render(src), src).toBe(expected);
}

function renderError(src: string, ctx: object = structuredClone(CTX)): string {
  try {
    render(src, ctx);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected an error rendering ${src}`);
}

// Every expected string in this block is what Jinja2 3.1 renders for the same template and context.
describe('Jinja2 compatibility', () => {
  it('1. ~ concatenates the str() of each operand', () => {
    check([
      ["{{ 'a' ~ 1 ~ x }}", 'a11'],
      ["{{ 'v=' ~ n ~ ',' ~ true ~ ',' ~ undefined_var ~ ',' ~ items }}", "v=None,True,,['a', 'b', 'c']"],
      ["{{ 'n' ~ 2 * 3 }}", 'n6'],
    ]);
  });

  it('2. tests: none, defined, undefined, string, number, mapping, iterable, sameas, true/false, boolean, in, with bare or parenthesised args', () => {
    check([
      ['{{ n is none }} {{ x is none }} {{ n is not none }} {{ undefined_var is none }}', 'True False False False'],
      ['{{ x is defined }} {{ undefined_var is defined }} {{ undefined_var is undefined }} {{ n is defined }}', 'True False True True'],
      ["{{ s is string }} {{ x is string }} {{ x is number }} {{ 1.5 is number }} {{ '1' is number }} {{ true is number }}", 'True False True True False True'],
      ['{{ d is mapping }} {{ items is mapping }} {{ items is iterable }} {{ s is iterable }} {{ d is iterable }} {{ x is iterable }} {{ n is iterable }}', 'True False True True True False False'],
      ['{{ x is sameas 1 }} {{ n is sameas none }} {{ x is sameas(2) }}', 'True True False'],
      ['{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }} {{ true is boolean }} {{ 1 is boolean }}', 'True False True False True False'],
      ["{{ 'a' is in items }} {{ 'z' is in items }} {{ 'ell' is in s }} {{ 'a' is in d }} {{ 'z' is not in d }} {{ 2 is in(nums) }}", 'True False True True True True'],
      ['{{ x is divisibleby 1 }} {{ 3 is odd }} {{ x is equalto 1 }} {{ 2 is eq(2) }} {{ x is ne 1 }} {{ 1 is integer }} {{ 1.5 is float }}', 'True True True True False True True'],
      ["{% if x is defined and x is not none %}ok{% endif %}|{{ 'y' if undefined_var is defined else 'n' }}|{{ not n is none }}", 'ok|n|False'],
      ["{{ nums|select('odd')|list }} {{ nums|select('>', 1)|list }} {{ 'upper' is filter }} {{ 'odd' is test }}", '[3, 1] [3, 2] True True'],
    ]);
  });

  it('3. none/None, True/False literals', () => {
    check([
      ['{{ none }}|{{ None }}|{{ True }}|{{ False }}|{{ true }}|{{ false }}', 'None|None|True|False|True|False'],
      ['{{ None is none }} {{ True is true }} {{ [True, none, False] }} {{ none == None }}', 'True True [True, None, False] True'],
    ]);
  });

  it('4. {% do %}', () => {
    check([
      ["{% set l = [] %}{% do l.append(1) %}{% do l.append('b') %}{{ l }}", "[1, 'b']"],
      ["{% set m = {} %}{% do m.update({'a': 1}) %}{% do m.update(b=2) %}{{ m }}", "{'a': 1, 'b': 2}"],
      ['{% set l = [1, 2, 3] %}{% do l.pop() %}{% do l.extend([7, 8]) %}{{ l }}', '[1, 2, 7, 8]'],
      [`a
{%- do items.append('z') -%}
b {{ items|length }}`, 'ab 4'],
    ]);
  });

  it('5a. tojson (sorted keys, HTML-safe escapes, indent)', () => {
    check([
      ['{{ d|tojson }}', '{"a": 1, "b": 2}'],
      ["{{ {'b': [1, 'x<y&z'], 'a': none, 'c': true}|tojson }}", '{"a": null, "b": [1, "x\\u003cy\\u0026z"], "c": true}'],
      ['{{ d|tojson(indent=2) }}', `{
  "a": 1,
  "b": 2
}`],
      ["{{ [1, {'z': 1, 'a': []}]|tojson(2) }}", `[
  1,
  {
    "a": [],
    "z": 1
  }
]`],
      ["{{ 'é\\''|tojson }}", '"\\u00e9\\u0027"'],
    ]);
    expect(render('{{ d|tojson }}')).toBe('{"a": 1, "b": 2}');
  });

  it('5b. map by attribute and by filter name', () => {
    check([
      ["{{ items|map('upper')|join(',') }}", 'A,B,C'],
      ["{{ cols|map(attribute='name')|join(', ') }}", 'id, Name, amt'],
      ["{{ cols|map(attribute='missing', default='?')|list }}", "['?', '?', '?']"],
      ["{{ ['1', '2']|map('int')|sum }} {{ [1, 2]|map('string')|list }} {{ ['a-b', 'c']|map('replace', '-', '_')|list }}", "3 ['1', '2'] ['a_b', 'c']"],
    ]);
  });

  it('5c. unique and items', () => {
    check([
      ["{{ [1, 1, 2]|unique|list }} {{ words|unique|list }} {{ words|unique(case_sensitive=true)|list }} {{ cols|unique(attribute='type')|map(attribute='name')|list }}", "[1, 2] ['b', 'A'] ['b', 'A', 'a', 'B'] ['id', 'Name']"],
      ['{{ d|items|list }} {% for k, v in d|items %}{{ k }}={{ v }};{% endfor %} {{ undefined_var|items|list }}', "[('a', 1), ('b', 2)] a=1;b=2; []"],
    ]);
  });

  it('5d. int, float, list, string', () => {
    check([
      ["{{ '3'|int }} {{ 'x'|int }} {{ '3.7'|int }} {{ 3.7|int }} {{ ' 4 '|int }} {{ '3abc'|int }} {{ n|int }} {{ true|int }} {{ 'x'|int(5) }} {{ '0x1A'|int(base=16) }} {{ '-2'|int }}", '3 0 3 3 4 0 0 1 5 26 -2'],
      ["{{ '3.5'|float }} {{ 'x'|float(1.5) }} {{ 2|float + 0.5 }}", '3.5 1.5 2.5'],
      ["{{ [1, 2]|list }} {{ 'ab'|list }} {{ d|list }} {{ (1, 2)|list }}", "[1, 2] ['a', 'b'] ['a', 'b'] [1, 2]"],
      ['{{ 1|string }} {{ n|string }} {{ true|string }} {{ [1]|string }} [{{ undefined_var|string }}] {{ (1|string) ~ 2 }}', '1 None True [1] [] 12'],
    ]);
  });

  it('5e. select, reject, selectattr and rejectattr with tests and arguments', () => {
    check([
      ["{{ cols|selectattr('type', 'equalto', 'int')|map(attribute='name')|join }} {{ cols|selectattr('name')|list|length }} {{ cols|rejectattr('type', '==', 'int')|map(attribute='name')|join }}", 'idamt 3 Name'],
      ["{{ cols|selectattr('missing', 'defined')|list|length }} {{ cols|selectattr('missing', 'undefined')|list|length }} {{ cols|selectattr('name', 'in', ['id', 'amt'])|list|length }}", '0 3 2'],
      ["{{ [0, 1, '', 'a', none, [], [0]]|select|list }} {{ nums|reject('odd')|list }}", "[1, 'a', [0]] [2]"],
    ]);
  });

  it('5f. min, max, sum with attribute=', () => {
    check([
      ["{{ nums|min }} {{ nums|max }} {{ words|min }} {{ words|max }} {{ words|max(case_sensitive=true) }} {{ [{'a': 2}, {'a': 1}]|min(attribute='a') }} [{{ empty|min }}]", "1 3 A b b {'a': 1} []"],
      ["{{ [{'a': 2}, {'a': 5}]|sum(attribute='a') }} {{ nums|sum }} {{ nums|sum(start=10) }} {{ [[1], [2]]|sum(start=[]) }}", '7 6 16 [1, 2]'],
    ]);
  });

  it('5g. default: only undefined is replaced unless boolean=true', () => {
    check([
      ["[{{ ''|default('d') }}] [{{ ''|default('d', true) }}] [{{ undefined_var|default('d') }}] [{{ n|default('d') }}] [{{ n|default('d', true) }}] [{{ empty|default('e', boolean=true) }}] [{{ 0|d('z', true) }}] [{{ undefined_var|default }}]", '[] [d] [d] [None] [d] [e] [z] []'],
    ]);
  });

  it('5h. join, lower, trim, replace, first/last, format, groupby, round, indent, truncate', () => {
    check([
      ["{{ [1, 'a', none]|join('-') }} {{ cols|join(', ', attribute='name') }} {{ d|join(',') }}", '1-a-None id, Name, amt a,b'],
      ["{{ s|lower }} {{ n|lower }} [{{ ' x '|trim }}] {{ 'xxaxx'|trim('x') }} {{ s|replace('l', 'L') }} {{ s|replace('l', 'L', 1) }} {{ d|count }} {{ s|first }} {{ items|last }} [{{ empty|first }}]", 'hello world none [x] a HeLLo WorLd HeLlo World 2 H c []'],
      ["{{ '%s and %d'|format('a', 3) }} {{ '%(a)s!'|format(a='k') }} {{ '%05.2f|%-4s|%x'|format(3.14159, 'ab', 255) }}", 'a and 3 k! 03.14|ab  |ff'],
      ["{% for g in cols|groupby('type') %}{{ g.grouper }}:{{ g.list|map(attribute='name')|join(',') }};{% endfor %} {% for t, cs in cols|groupby('type') %}{{ t }}={{ cs|length }};{% endfor %}", 'int:id,amt;text:Name; int=2;text=1;'],
      ["{{ 2.675|round(2) }} {{ 0.125|round(2) }} {{ 1.1|round(1, 'ceil') }}", '2.67 0.12 1.1'],
      ["{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'hello world foo bar'|truncate(9) }}|{{ 'hello world foo bar'|truncate(11, end='!') }}", `a
    b

    c|  a
  b|hello...|hello!`],
    ]);
  });

  it('6. namespace (set ns.attr inside a loop), range, dict, joiner, cycler', () => {
    check([
      ['{% set ns = namespace(found=false) %}{% for i in nums %}{% if i == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}', 'True'],
      ['{% set ns = namespace(total=0, seen=[]) %}{% for i in nums %}{% set ns.total = ns.total + i %}{% do ns.seen.append(i) %}{% endfor %}{{ ns.total }} {{ ns.seen }}', '6 [3, 1, 2]'],
      ['{% set ns = namespace(d, c=3) %}{{ ns.a }}{{ ns.b }}{{ ns.c }}', '123'],
      ['{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }}', '[0, 1, 2] [1, 4, 7] [5, 3, 1]'],
      ["{{ dict(a=1) }} {{ dict(d, c=3) }} {{ dict([('k', 'v')]) }}", "{'a': 1} {'a': 1, 'b': 2, 'c': 3} {'k': 'v'}"],
      ["{% set j = joiner() %}{% for i in nums %}{{ j() }}{{ i }}{% endfor %} {% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}", '3, 1, 2 abab'],
    ]);
  });

  it('7. whitespace control on tags, variables and comments; {%+ and +%} parse', () => {
    check([
      ['a {#- c -#} b', 'ab'],
      ['a {#- c #} b', 'a b'],
      ['a {# c -#} b', 'a b'],
      [`a
  {#- c -#}
  b`, 'ab'],
      ['a {%- if true -%} b {%- endif -%} c', 'abc'],
      ['a {{- 1 -}} b', 'a1b'],
      [`a 
{{- 1 }} 
b`, `a1 
b`],
      ['a {%+ if true +%} b {% endif %}', 'a  b '],
      ['a {{+ 1 }} b', 'a 1 b'],
      [`x
{% if true -%}
  y
{%- endif %}
z`, `x
y
z`],
      [`{% for i in [1, 2] -%}
  {{ i }}
{%- endfor %}`, '12'],
      [`{% set v -%}
  hi  
{%- endset %}[{{ v }}]`, '[hi]'],
      ['{%- raw -%}  {{ x }}  {%- endraw -%}  |', '{{ x }}|'],
      ['a {% raw -%}  b  {%- endraw %} c', 'a b c'],
      [`{% macro m() -%}
  body
{%- endmacro %}[{{ m() }}]`, '[body]'],
      [`{% if true %}
{% endif %}
end`, `

end`],
    ]);
  });

  it('8. loop variables, for/else, loop filtering, dict iteration', () => {
    check([
      ['{% for i in items %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }};{% endfor %}', '10TrueFalse332;21FalseFalse321;32FalseTrue310;'],
      ["{% for i in items %}{{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.cycle('odd', 'even') }};{% endfor %}", '|b|odd;a|c|even;b||odd;'],
      ['{% for i in [1, 1, 2, 3, 3] %}{% if loop.changed(i) %}{{ i }}{% endif %}{% endfor %} {% for i in [1] %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}', '123 10'],
      ['{% for i in empty %}x{% else %}empty{% endfor %} {% for i in undefined_var %}x{% else %}undefined{% endfor %}', 'empty undefined'],
      ['{% for i in [1, 2, 3, 4] if i > 1 %}{{ i }}:{{ loop.index }}/{{ loop.length }};{% endfor %} {% for i in nums if i > 5 %}{{ i }}{% else %}none{% endfor %}', '2:1/3;3:2/3;4:3/3; none'],
      ["{% for k in d %}{{ k }}{% endfor %} {% for k, v in d.items() if v > 1 %}{{ k }}{{ v }}{% endfor %} {% for c in 'abc' %}{{ c }}.{% endfor %}", 'ab b2 a.b.c.'],
      ['{% for a in [1, 2] %}{% for b in [3, 4] %}{{ loop.index }}{% endfor %}{{ loop.index }};{% endfor %}', '121;122;'],
      ['{% set t = 0 %}{% for i in nums %}{% set t = t + i %}{{ t }},{% endfor %}{{ t }}', '3,1,2,0'],
    ]);
  });

  it('9. Python str/list/dict methods, in, slicing and negative indexes', () => {
    check([
      ["{{ 'Ab'.upper() }} {{ 'Ab'.lower() }} [{{ ' a '.strip() }}] {{ 'xay'.strip('xy') }} [{{ '  a'.lstrip() }}] [{{ 'a  '.rstrip() }}]", 'AB ab [a] a [a] [a]'],
      ["{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a,b,c'.split(',', 1) }} {{ 'a.b.c'.rsplit('.', 1) }} {{ ''.split() }}", "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b,c'] ['a.b', 'c'] []"],
      ["{{ 'aaa'.replace('a', 'b') }} {{ 'aaa'.replace('a', 'b', 2) }} {{ 'ab'.startswith('a') }} {{ 'ab'.startswith(('x', 'a')) }} {{ 'ab'.endswith('b') }} {{ s.startswith('World', 6) }}", 'bbb bba True True True True'],
      ["{{ ', '.join(['a', 'b']) }} {{ ''.join(items) }} {{ '-'.join('abc') }}", 'a, b abc a-b-c'],
      ["{{ '{} and {}'.format('a', 'b') }} {{ '{0}{1}{0}'.format('x', 'y') }} {{ '{name}!'.format(name='n') }} {{ '{:>5}|{:<5}|{:^5}|'.format('a', 'b', 'c') }} {{ '{:.2f} {:,} {:05d}'.format(3.14159, 1234567, 42) }}", 'a and b xyx n!     a|b    |  c  | 3.14 1,234,567 00042'],
      ["{{ d.items()|list }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 5) }}", "[('a', 1), ('b', 2)] ['a', 'b'] [1, 2] 1 None 5"],
      ['{% set l = [1, 2] %}{% do l.extend([3, 4]) %}{{ l.pop() }}{{ l.pop(0) }}{{ l }}{% do l.insert(0, 9) %}{{ l }}{% do l.remove(9) %}{{ l }}{{ l.index(3) }}{{ l.count(2) }}', '41[2, 3][9, 2, 3][2, 3]11'],
      ["{% set m = {'a': 1} %}{{ m.pop('a') }} {{ m.pop('z', 'dflt') }} {{ m }} {{ m.setdefault('k', []) }} {{ m }}", "1 dflt {} [] {'k': []}"],
      ["{{ 'a' in 'abc' }} {{ 'z' in 'abc' }} {{ 1 in [1] }} {{ 'a' in d }} {{ 'z' not in d }} {{ 'b' in items }} {{ 1 in (1, 2) }}", 'True False True True True True True'],
      ['{{ items[1:] }} {{ items[:-1] }} {{ items[::-1] }} {{ items[-1] }} {{ items[-2:] }} {{ s[0] }} {{ s[-1] }} {{ s[:5] }} {{ s[::2] }} {{ items[5:] }} {{ items[1:100] }}', "['b', 'c'] ['a', 'b'] ['c', 'b', 'a'] c ['b', 'c'] H d Hello HloWrd [] ['b', 'c']"],
      ["{{ 'x.y.z'.split('.')[-1] }} {{ s.find('o') }} {{ s.count('l') }} {{ s.title() }} {{ '42'.isdigit() }} {{ '5'.zfill(3) }} {{ 'a=b'.partition('=') }}", "z 4 3 Hello World True 005 ('a', '=', 'b')"],
      ['{% set l = [3, 1, 2] %}{% do l.sort() %}{{ l }}{% do l.sort(reverse=true) %}{{ l }}{% do l.reverse() %}{{ l }}', '[1, 2, 3][3, 2, 1][1, 2, 3]'],
      ["{% set m = {'items': 5} %}{{ m['items'] }} {{ m.items()|list }}", "5 [('items', 5)]"],
    ]);
  });

  it('10. set blocks, macros, call, filter, raw, if/elif, with, inline if, escapes, varargs/kwargs', () => {
    check([
      ['{% set x %}hi {{ s }}{% endset %}{{ x }}', 'hi Hello World'],
      ['{% set x | upper %}hi{% endset %}{{ x }}', 'HI'],
      ['{% macro m(a, b=2) %}{{ a }}{{ b }}{{ caller() if caller }}{% endmacro %}{{ m(1) }}{% call m(3) %}C{% endcall %}{{ m(b=5, a=4) }}', '1232C45'],
      ["{% macro m(a) %}[{{ caller(a) }}]{% endmacro %}{% call(v) m('q') %}got {{ v }}{% endcall %}", '[got q]'],
      ["{% macro m(a, b=a ~ '!') %}{{ b }}{% endmacro %}{{ m('x') }}", 'x!'],
      ['{% filter upper %}abc {{ s }}{% endfilter %}', 'ABC HELLO WORLD'],
      ['{% raw %}{{ x }} {% if %}{% endraw %}', '{{ x }} {% if %}'],
      ['{% if false %}a{% elif x == 1 %}b{% else %}c{% endif %}', 'b'],
      ['{% with a = 1 %}{{ a }}{% endwith %} {% set a = 5 %}{% with a = 1, b = a %}{{ a }}{{ b }}{% set c = 2 %}{% endwith %}{{ a }}{{ c }}', '1 155'],
      ["{{ 'a' if false else 'b' }} [{{ 'a' if false }}] {{ 'y' if items else 'n' }}", 'b [] y'],
      [`{{ 'a\\nb\\'c\\\\d' }} {{ '\\d+\\.\\w' }} {{ "tab\\there" }} {{ '\\x41\\u00e9' }}`, `a
b'c\\d \\d+\\.\\w tab	here Aé`],
      ['{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, a=3) }}', "(1, 2){'a': 3}"],
      ['{% macro m(a, b) %}{{ a }}-{{ b }}-{{ varargs }}{% endmacro %}{{ m(1) }}|{{ m(1, 2, 3, 4) }}', '1--()|1-2-(3, 4)'],
    ]);
  });

  it('Python semantics: truthiness, ==, arithmetic, tuples, dict literals, scoping', () => {
    check([
      ["{% if empty %}t{% else %}f{% endif %}{% if {} %}t{% else %}f{% endif %}{% if '' %}t{% else %}f{% endif %}{% if 0 %}t{% else %}f{% endif %}{% if [0] %}t{% else %}f{% endif %}", 'fffft'],
      ["{{ empty or 'x' }} {{ 'a' and 'b' }} {{ 0 or none }} {{ not empty }} {{ 'x' if empty else 'y' }}", 'x b None True y'],
      ["{{ 1 == 1.0 }} {{ '1' == 1 }} {{ 0 == '' }} {{ [1, 2] == [1, 2] }} {{ {'a': 1} == {'a': 1} }} {{ 1 != '1' }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 5 }}", 'True False False True True True True False'],
      ["{{ [1] + [2] }} {{ 'ab' * 2 }} {{ [0] * 3 }} {{ -7 % 3 }} {{ '%s-%s' % ('a', 'b') }} {{ '%d%%' % 50 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 2 ** 3 }}", '[1, 2] abab [0, 0, 0] 2 a-b 50% 3 -4 8'],
      ["{{ (1, 2) }} {{ ('a',) }} {{ () }} {% set t = 1, 2 %}{{ t }} {% set a, b = 'xy' %}{{ a }}{{ b }} {% set p, q = [1, 2] %}{{ p + q }}", "(1, 2) ('a',) () (1, 2) xy 3"],
      ["{{ [1, 2,] }} {{ {'a': 1,} }} {% set k = 'z' %}{{ {k: 1, 'b' ~ 'c': 2} }}", "[1, 2] {'a': 1} {'z': 1, 'bc': 2}"],
      ["{{ {'a': {'b': 1}} }} {{ {'a': {'b': {'c': 2}}}['a']['b'] }}", "{'a': {'b': 1}} {'c': 2}"],
      ['{{ cols.0.name }} {{ 1_000 + 1 }} {% set r = 10 %}{{ r // 3 }}', 'id 1001 3'],
      ['{% set a = 1 %}{% for i in [1] %}{% set a = 2 %}{% endfor %}{{ a }} {% if true %}{% set a = 3 %}{% endif %}{{ a }}', '1 3'],
      ['{% set x = 1 %}{% for i in [1, 2, 3] %}{% if loop.first %}{% set x = 5 %}{% endif %}{{ x }}{% endfor %}{{ x }}', '5111'],
      ['{% set l = [] %}{% for c in cols %}{% do l.append(c.name) %}{% endfor %}{{ l }}', "['id', 'Name', 'amt']"],
    ]);
  });

  it('raises where Jinja raises', () => {
    expect(renderError("{% set m = {} %}{% set m.a = 1 %}")).toMatch(/non-namespace/);
    expect(renderError("{% set a, b = [1, 2, 3] %}")).toMatch(/too many values to unpack/);
    expect(renderError("{% set l = [1] %}{% do l.remove(5) %}")).toMatch(/not in list/);
    expect(renderError("{{ {}.pop('k') }}")).toMatch(/KeyError/);
    expect(renderError("{{ 1 in none }}")).toMatch(/NoneType/);
    expect(renderError("{{ x is defined is defined }}")).toMatch(/cannot chain/);
  });
});

describe('tsql additions and host objects', () => {
  it('zip, dbt as_* filters (identity in SQL rendering, as in dbt), is_list and bool', () => {
    check([
      ["{{ zip([1, 2], ['a', 'b', 'c']) }} {% for n, c in zip(nums, items) %}{{ n }}{{ c }}{% endfor %}", "[(1, 'a'), (2, 'b')] 3a1b2c"],
      ["{{ 'true'|as_bool }} {{ '1'|as_number }} {{ 'x'|as_text }} {{ '[1]'|as_native }} {{ (1 + 1)|as_number }}", 'true 1 x [1] 2'],
      ['{{ items|is_list }} {{ (1, 2)|is_list }} {{ s|is_list }}', 'True False False'],
      ["{{ 'yes'|bool }} {{ 'True'|bool }} {{ '0'|bool }} {{ none|bool }} {{ true|bool }}", 'True True False False True'],
    ]);
  });

  it("dbt's set(), set_strict(), zip(default=) and zip_strict(): sets iterate, test membership, filter and print as Python's", () => {
    check([
      ['{% for x in set([3, 1, 3, 2, 1]) %}{{ x }},{% endfor %}', '3,1,2,'],
      ["{{ 2 in set(nums) }} {{ 5 in set(nums) }} {{ 'b' not in set(items) }} {{ set([1, 1.0, true]) | length }}", 'True False False 1'],
      ["{{ set(['b', 'a', 'b']) | list }} {{ set(['b', 'A', 'a']) | sort }} {{ set(nums) | sort(reverse=true) | join(',') }}", "['b', 'a'] ['A', 'a', 'b'] 3,2,1"],
      ["{{ set(['a', 1]) }} {{ set([]) }} {{ set(d) | sort }} {{ set('abca') | length }} {{ set([(1, 2), (1, 2)]) }}", "{'a', 1} set() ['a', 'b'] 3 {(1, 2)}"],
      ['{{ set(1234) }} {{ set(none, default=[]) }} {{ set([[1]]) }} {% if set([]) %}y{% else %}n{% endif %}', 'None [] None n'],
      ['{{ set(nums) | batch(2) | list }} {{ set([1, 2]) | slice(2) | list }}', '[[3, 1], [2]] [[1], [2]]'],
      ["{{ zip([1], 5) }} {{ zip([1], 5, default=[]) }} {{ zip_strict([1, 2], 'ab') }}", "None [] [(1, 'a'), (2, 'b')]"],
    ]);
    expect(renderError('{{ set_strict(1234) }}')).toMatch(/'int' object is not iterable/);
    expect(renderError('{{ set_strict([[1]]) }}')).toMatch(/unhashable type: 'list'/);
    expect(renderError('{{ zip_strict([1], 5) }}')).toMatch(/'int' object is not iterable/);
  });

  it('set methods: add, update, discard, remove, union, intersection, difference, issubset…', () => {
    check([
      ['{% set s = set([1, 2]) %}{% do s.add(2) %}{% do s.add(3) %}{% do s.update([4], (5,)) %}{% do s.discard(9) %}{% do s.remove(1) %}{{ s }}', '{2, 3, 4, 5}'],
      ['{% set a = set([1, 2, 3]) %}{{ a.union([4]) }} {{ a.intersection([2, 3, 9]) }} {{ a.difference([1]) }} {{ a.symmetric_difference([3, 4]) }}', '{1, 2, 3, 4} {2, 3} {2, 3} {1, 2, 4}'],
      ['{% set a = set([1, 2]) %}{{ a.issubset([1, 2, 3]) }} {{ a.issuperset([1]) }} {{ a.isdisjoint([3]) }} {{ a.copy() == a }} {{ a.pop() }} {{ a }}', 'True True True True 1 {2}'],
    ]);
    expect(renderError('{% set a = set([1]) %}{{ a.remove(2) }}')).toMatch(/KeyError: 2/);
  });

  it("keeps a host object's own methods and printing", () => {
    const ctx = {
      config: { get: (k: string, dflt?: string) => `own:${k}:${dflt}`, items: [1, 2] },
      rel: { toString: () => '"db"."main"."t"' },
      m: new Map<string, unknown>([['k', 1]]),
    };
    expect(render("{{ config.get('a', 'b') }} {{ config['items'] }} {{ config.items()|length }}", ctx)).toBe('own:a:b [1, 2] 2');
    expect(render('select * from {{ rel }}', ctx)).toBe('select * from "db"."main"."t"');
    expect(render("{{ m.k }} {{ m['k'] }} {{ m.get('z', 0) }} {{ m.items()|list }} {{ 'k' in m }} {{ m is mapping }}", ctx)).toBe("1 1 0 [('k', 1)] True True");
  });

  it('works with throwOnUndefined (as production configures it)', () => {
    const strict = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
    installJinjaCompat(strict);
    const out = (src: string) => strict.renderString(preprocessJinja(src), { items: ['a'] });
    expect(out("[{{ 'x' if false }}]{% for i in items %}{{ loop.index }}{% endfor %}{{ none }}")).toBe('[]1None');
    expect(() => out('{{ nope }}')).toThrow(/undefined/);
  });
});

describe('preprocessJinja', () => {
  const template = [
    "{#- header {{ not a tag }} -#}",
    "select {{ 'a\\d' }}, '{' as brace,",
    "  {%+ if x -%} {{ {'k': {'j': 1}} }} {%- endif +%}",
    '{% raw %}{{ keep \\d }} {%+ if %} {{ {"a": {"b": 1}}}}{% endraw %}',
    "{%- set y = cols.0.name ~ 'it\\'s' -%}",
    '-- plain SQL: a + b %} }} stays as it is',
    '{{+ y }}',
  ].join('\n');

  it('keeps every newline, so error line numbers stay right', () => {
    const out = preprocessJinja(template);
    expect(out.split('\n')).toHaveLength(template.split('\n').length);
    const strings = '{{ "a\\\nb" }}\n{% set s = \'x\ny\' %}{{ s }}';
    expect(preprocessJinja(strings).split('\n')).toHaveLength(strings.split('\n').length);
    expect(render(strings)).toBe('ab\nx\ny'); // backslash-newline is a line continuation
  });

  it('leaves {% raw %} content and text outside tags untouched', () => {
    const out = preprocessJinja(template).split('\n');
    const src = template.split('\n');
    expect(out[0]).toBe(src[0]);
    expect(out[3]).toBe(src[3]);
    expect(out[5]).toBe(src[5]);
    expect(out[1]).toBe("select {{ 'a\\\\d' }}, '{' as brace,");
    expect(out[2]).toBe("  {%  if x -%} {{ {'k': {'j': 1} } }} {%- endif  %}");
    expect(out[4]).toBe("{%- set y = cols[0].name ~ 'it\\'s' -%}");
    expect(out[6]).toBe('{{  y }}');
  });

  it('is idempotent and a no-op on plain templates', () => {
    const once = preprocessJinja(template);
    expect(preprocessJinja(once)).toBe(once);
    const plain = "select {{ x }}, {% if y %}'{{ z|upper }}'{% endif %}\n{# note #}";
    expect(preprocessJinja(plain)).toBe(plain);
  });

  it('renders the rewritten template like Jinja', () => {
    expect(render(template, { x: true, cols: [{ name: 'id' }] })).toBe(
      "select a\\d, '{' as brace,\n  {'k': {'j': 1}}\n{{ keep \\d }} {%+ if %} {{ {\"a\": {\"b\": 1}}}}-- plain SQL: a + b %} }} stays as it is\nidit's",
    );
  });
});
