import { describe, expect, it } from 'vitest';
import { duckdbErrorPosition, postgresErrorPosition, snowflakeErrorPosition } from '../../src/adapters/error-position.js';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';
import { prependCtes } from '../../src/compiler/ephemeral.js';
import { resolveSubqueryAliases } from '../../src/compiler/empty.js';
import { mapWithCtes, ownCodeMap, placeInCode, type CodeMap, type CteLayout } from '../../src/compiler/line-map.js';
import { compileTemplate, createEnvironment } from '../../src/templating/environment.js';
import { renderWithMarks, type OutputMarks } from '../../src/templating/jinja/output-marks.js';
import { noteStatement, placedFailure } from '../../src/execution/failure-place.js';

/** A DuckDB error for `statement` at `offset`, formatted as DuckDB formats it (QueryErrorContext::Format). */
function duckError(message: string, statement: string, offset: number): Error {
  const lineStart = statement.lastIndexOf('\n', offset - 1) + 1;
  const lineNo = statement.slice(0, lineStart).split('\n').length;
  const end = statement.indexOf('\n', offset);
  const line = statement.slice(lineStart, end < 0 ? undefined : end);
  const col = offset - lineStart;
  const from = col >= 40 ? col - 39 : 0;
  const to = line.length - col > 40 ? col + 39 : line.length;
  const prefix = `LINE ${lineNo}: ${from ? '...' : ''}`;
  // DuckDB measures the caret in display columns: a tab takes none
  const width = line.slice(from, col).replace(/\t/g, '').length;
  return new Error(`${message}\n\n${prefix}${line.slice(from, to)}${to < line.length ? '...' : ''}\n${' '.repeat(prefix.length + width)}^`);
}

describe('engine error positions', () => {
  const stmt = 'create table t as (\nselect\n  1 as a,\n  nosuch as b\nfrom x\n)';
  const at = stmt.indexOf('nosuch');

  it('DuckDB: LINE n and the caret, the line checked against the statement', () => {
    expect(duckdbErrorPosition(duckError('Binder Error: no "nosuch"', stmt, at), stmt)).toEqual({ offset: at, message: 'Binder Error: no "nosuch"' });
    // the line shown is not the statement's: no place
    expect(duckdbErrorPosition(duckError('Binder Error: x', stmt.replace('nosuch', 'other1'), at), stmt)).toBeUndefined();
    expect(duckdbErrorPosition(new Error('Binder Error: GROUP BY term out of range'), stmt)).toBeUndefined();
  });

  it('DuckDB: a long line cut with "..." on either side', () => {
    const long = `select ${Array.from({ length: 30 }, (_, i) => `${i} as c${i}`).join(', ')}, zzz, ${Array.from({ length: 30 }, (_, i) => `${i} as d${i}`).join(', ')}`;
    const pos = long.indexOf('zzz');
    const e = duckError('Binder Error: zzz', long, pos);
    expect(e.message).toMatch(/LINE 1: \.\.\..*\.\.\.\n/);
    expect(duckdbErrorPosition(e, long)?.offset).toBe(pos);
  });

  it('DuckDB: CRLF is one line break; tabs and combining marks take no column, wide characters two', () => {
    const crlf = 'create table t as (\r\nselect\r\n\t1 as a,\r\n\tnosuch as b\r\n)';
    const e = new Error('Binder Error: x\n\nLINE 4: \tnosuch as b\n        ^');
    expect(duckdbErrorPosition(e, crlf)?.offset).toBe(crlf.indexOf('nosuch'));
    const wide = "select '日本語', nosuch";
    const w = new Error(`Binder Error: x\n\nLINE 1: ${wide}\n${' '.repeat('LINE 1: '.length + "select '".length + 6 + "', ".length)}^`);
    expect(duckdbErrorPosition(w, wide)?.offset).toBe(wide.indexOf('nosuch'));
  });

  it("PostgreSQL: the error's position, in characters; checked against the token the message names", () => {
    const s = "select '😀' as e, nosuch";
    expect(postgresErrorPosition(Object.assign(new Error('column "nosuch" does not exist'), { position: String([...s].indexOf('n') + 1) }), s)).toEqual({ offset: s.indexOf('nosuch'), message: 'column "nosuch" does not exist' });
    expect(postgresErrorPosition(Object.assign(new Error('syntax error at or near "from"'), { position: '3' }), s)).toBeUndefined();
    expect(postgresErrorPosition(Object.assign(new Error('division by zero'), {}), s)).toBeUndefined();
    expect(postgresErrorPosition(Object.assign(new Error('x'), { position: '999' }), s)).toBeUndefined();
  });

  it('Snowflake: "line n at position m", checked against the identifier or token the message names', () => {
    const e = new Error("SQL compilation error: error line 4 at position 2\ninvalid identifier 'NOSUCH'");
    expect(snowflakeErrorPosition(e, stmt)?.offset).toBe(at);
    expect(snowflakeErrorPosition(new Error("SQL compilation error:\nsyntax error line 4 at position 2 unexpected 'FROM'."), stmt)).toBeUndefined();
    expect(snowflakeErrorPosition(new Error("SQL compilation error:\nsyntax error line 9 at position 0 unexpected '<EOF>'."), stmt)).toBeUndefined();
  });
});

function render(source: string, file = 'models/m.sql'): { rendered: string; marks: OutputMarks } {
  const env = createEnvironment();
  env.addGlobal('config', () => '');
  const t = compileTemplate(env, source, file);
  const marks: OutputMarks = [];
  const rendered = renderWithMarks(marks, () => t.render({}));
  return { rendered, marks };
}

/** The compiled select of `source` and its map (as the compiler builds them). */
function compiled(source: string, file = 'models/m.sql'): { code: string; map: CodeMap } {
  const { rendered, marks } = render(source, file);
  const edits: number[] = [];
  const code = resolveSubqueryAliases(rendered.trim(), edits);
  return { code, map: ownCodeMap({ file, source, rendered, marks, lead: rendered.length - rendered.trimStart().length, edits: edits.length ? edits : undefined }, code) };
}

/** line:column of the first occurrence of `text` in the compiled code. */
function placeOf(c: { code: string; map: CodeMap }, text: string): string {
  const p = placeInCode(c.map, c.code.indexOf(text));
  return p ? `${p.file}:${p.line}:${p.column}` : 'none';
}

describe('template line maps', () => {
  it('text copied from the template maps to its line and column, through loops, whitespace control and comments', () => {
    const c = compiled(
      [
        "{{ config(materialized='table') }}",
        "{% set cols = ['a', 'b'] %}",
        'select',
        '  {% for c in cols -%}',
        '  1 as {{ c }},',
        '  {%- endfor %}',
        '  {# a comment #} x as y,',
        '  {% set captured %}not output{% endset %}',
        '  {% raw %}raw_col{% endraw %} as r',
        'from t',
      ].join('\n'),
    );
    expect(c.code).toMatch(/^select\n {2}1 as a,1 as b,/);
    expect(placeOf(c, 'select')).toBe('models/m.sql:3:1');
    expect(placeOf(c, '1 as a')).toBe('models/m.sql:5:3');
    expect(placeOf(c, '1 as b')).toBe('models/m.sql:5:3');
    expect(placeOf(c, 'x as y')).toBe('models/m.sql:7:19');
    expect(placeOf(c, 'raw_col')).toBe('models/m.sql:9:12');
    expect(placeOf(c, 'from t')).toBe('models/m.sql:10:1');
  });

  it("an expression's output maps to the {{ }}: a macro that expands to several lines maps to its call", () => {
    const c = compiled(['{% macro cols() %}', '  a,', '  b', '{% endmacro %}', 'select', '  {{ cols() }},', '  {{ "c" }} as c', 'from t'].join('\n'));
    expect(placeOf(c, 'b\n')).toBe('models/m.sql:6:3');
    expect(placeOf(c, 'c as c')).toBe('models/m.sql:7:3');
  });

  it('a line the preprocessor rewrote keeps its columns', () => {
    const c = compiled("select '{{ \"a\\x41\" }}' as s, {{ 1_000 }} as n, nosuch as b");
    expect(c.code).toBe("select 'aA' as s, 1000 as n, nosuch as b");
    expect(placeOf(c, 'nosuch')).toBe('models/m.sql:1:48');
  });

  it('resolved subquery aliases and ephemeral CTEs in front are accounted for', () => {
    const own = compiled('select *\nfrom (select 1)/*tsql-alias:o*/ join x\nwhere nosuch');
    expect(own.code).toBe('select *\nfrom (select 1) o join x\nwhere nosuch');
    expect(placeOf(own, 'nosuch')).toBe('models/m.sql:3:7');
    const eph = compiled('select 2 as id,\n  bad as x', 'models/e.sql');
    const layout = {} as CteLayout;
    const code = prependCtes(own.code, [{ name: '__tsql__cte__e', sql: eph.code }], layout);
    const map = mapWithCtes(own.map, layout, [eph.map])!;
    expect(placeInCode(map, code.indexOf('bad'))).toMatchObject({ file: 'models/e.sql', line: 2, column: 3 });
    expect(placeInCode(map, code.indexOf('nosuch'))).toMatchObject({ file: 'models/m.sql', line: 3, column: 7 });
    expect(placeInCode(map, code.indexOf('__tsql__cte__e'))).toBeUndefined();
    // a query with its own WITH: the CTEs are spliced into it
    const withOwn = compiled('with a as (select 1)\nselect nosuch from a');
    const layout2 = {} as CteLayout;
    const code2 = prependCtes(withOwn.code, [{ name: 'c', sql: eph.code }], layout2);
    expect(code2).toMatch(/^with c as \(\nselect 2 as id,\n {2}bad as x\n\),\na as/);
    expect(placeInCode(mapWithCtes(withOwn.map, layout2, [eph.map]), code2.indexOf('nosuch'))).toMatchObject({ file: 'models/m.sql', line: 2, column: 8 });
  });

  it('a failure is told at the line, with a caret; an error in the wrapper around the select is not', () => {
    const c = compiled('select\n  1 as a,\n\tnosuch as b\nfrom t');
    const d = new DuckDBDialect();
    const stmt = d.createTableAs({ schema: 'main', identifier: 'm' }, c.code);
    const e = duckError('Binder Error: Referenced column "nosuch" not found', stmt, stmt.indexOf('nosuch'));
    noteStatement(e, stmt);
    expect(placedFailure(e, { compiledCode: c.code, sourceMap: c.map }, d)).toBe(['models/m.sql:3: Binder Error: Referenced column "nosuch" not found', '  3 | \tnosuch as b', '    | \t^'].join('\n'));
    const wrapper = duckError('Catalog Error: schema main', stmt, stmt.indexOf('"main"'));
    noteStatement(wrapper, stmt);
    expect(placedFailure(wrapper, { compiledCode: c.code, sourceMap: c.map }, d)).toBeUndefined();
    // a select that ends too early is noticed at the wrapper's closing parenthesis: its last line
    const cut = compiled('select\n  1 as a,');
    const stmt2 = d.createTableAs({ schema: 'main', identifier: 'm' }, cut.code);
    const early = duckError('Parser Error: syntax error at or near ")"', stmt2, stmt2.lastIndexOf(')'));
    noteStatement(early, stmt2);
    expect(placedFailure(early, { compiledCode: cut.code, sourceMap: cut.map }, d)).toMatch(/^models\/m\.sql:2: Parser Error: syntax error at or near "\)"\n {2}2 \| {3}1 as a,\n {4}\| {9}\^$/);
  });
});
